import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { LabError, readPcap } from '../src/index.js'

/** A reference pcap writer for the tests, in either byte order and timestamp resolution. */
function writePcap (packets: Uint8Array[], opts: { little: boolean; nanosecond: boolean; linkType: number }): Buffer {
  const header = Buffer.alloc(24)
  const w32 = (b: Buffer, v: number, o: number): void => { opts.little ? b.writeUInt32LE(v, o) : b.writeUInt32BE(v, o) }
  const w16 = (b: Buffer, v: number, o: number): void => { opts.little ? b.writeUInt16LE(v, o) : b.writeUInt16BE(v, o) }
  w32(header, opts.nanosecond ? 0xa1b23c4d : 0xa1b2c3d4, 0)
  w16(header, 2, 4)
  w16(header, 4, 6)
  w32(header, 262144, 16)
  w32(header, opts.linkType, 20)
  const records = packets.map((p, i) => {
    const r = Buffer.alloc(16)
    w32(r, 1_700_000_000 + i, 0)
    w32(r, i, 4)
    w32(r, p.length, 8)
    w32(r, p.length + (i % 3), 12) // orig_len may exceed incl_len (snapped frames)
    return Buffer.concat([r, Buffer.from(p)])
  })
  return Buffer.concat([header, ...records])
}

const pcapArb = fc.record({
  packets: fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 20 }),
  little: fc.boolean(),
  nanosecond: fc.boolean(),
  linkType: fc.constantFrom(1, 113, 276),
})

describe('readPcap', () => {
  it('round-trips files in both byte orders', () => {
    fc.assert(fc.property(pcapArb, ({ packets, little, nanosecond, linkType }) => {
      const pcap = readPcap(writePcap(packets, { little, nanosecond, linkType }))
      expect(pcap.linkType).toBe(linkType)
      expect(pcap.nanosecond).toBe(nanosecond)
      expect(pcap.packets.map((p) => [...p])).toEqual(packets.map((p) => [...p]))
    }))
  })

  it('throws only LabError on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      try {
        readPcap(Buffer.from(bytes))
      } catch (e) {
        expect(e).toBeInstanceOf(LabError)
        expect((e as LabError).code).toBe('ERR_LAB_PCAP')
      }
    }))
  })

  it('throws only LabError on mutated valid files, and never reads past the end', () => {
    fc.assert(fc.property(pcapArb, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.nat(), (spec, at, value, cut) => {
      const buf = writePcap(spec.packets, spec)
      buf[at % buf.length] = value
      const bytes = buf.subarray(0, cut % (buf.length + 1))
      try {
        const pcap = readPcap(bytes)
        const total = pcap.packets.reduce((n, p) => n + p.length + 16, 24)
        expect(total).toBe(bytes.length)
      } catch (e) {
        expect(e).toBeInstanceOf(LabError)
      }
    }))
  })

  it('rejects a record cut short, pcapng and a wrong version', () => {
    const ok = writePcap([new Uint8Array(40)], { little: true, nanosecond: false, linkType: 1 })
    expect(() => readPcap(ok.subarray(0, ok.length - 1))).toThrow(/truncated/)
    expect(() => readPcap(ok.subarray(0, 30))).toThrow(/truncated/)
    expect(() => readPcap(Buffer.from('0a0d0d0a1c0000004d3c2b1a', 'hex').subarray(0, 12))).toThrow(LabError)
    const ng = Buffer.alloc(28)
    ng.writeUInt32BE(0x0a0d0d0a, 0)
    expect(() => readPcap(ng)).toThrow(/pcapng/)
    const v3 = Buffer.from(ok)
    v3.writeUInt16LE(3, 4)
    expect(() => readPcap(v3)).toThrow(/version/)
    expect(readPcap(ok.subarray(0, 24)).packets).toEqual([])
  })
})
