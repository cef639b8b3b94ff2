import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { internetChecksum } from '@weft/wire'
import { Ipv4Fragmenter } from '../src/index.js'

// The fragmenter against a slow reference: reassembling its fragments (RFC 815 style, by offset)
// must give back the original packet's data, and every fragment must be a valid IPv4 fragment.

interface Packet {
  frame: Buffer
  dataLength: number
  /** Fragment offset of the input itself (it may be a fragment already), in bytes. */
  offset: number
  more: boolean
}

function packet(dataLength: number, offset = 0, more = false, df = false, seed = 1): Packet {
  const frame = Buffer.alloc(14 + 20 + dataLength)
  Buffer.from('02000000b00102000000a0010800', 'hex').copy(frame, 0)
  const ip = frame.subarray(14)
  ip[0] = 0x45
  ip.writeUInt16BE(20 + dataLength, 2)
  ip.writeUInt16BE(0xbeef, 4)
  ip.writeUInt16BE((df ? 0x4000 : 0) | (more ? 0x2000 : 0) | (offset / 8), 6)
  ip[8] = 64
  ip[9] = 17
  Buffer.from([10, 40, 1, 1, 10, 40, 2, 1]).copy(ip, 12)
  ip.writeUInt16BE(internetChecksum(ip, 0, 20), 10)
  for (let i = 0; i < dataLength; i++) ip[20 + i] = (i * 31 + seed) & 0xff
  return { frame, dataLength, offset, more }
}

function cut(p: Packet, mtu: number): Buffer[] {
  const out: Buffer[] = []
  new Ipv4Fragmenter().fragment(p.frame, 0, p.frame.length, mtu, (b, o, l) => out.push(Buffer.from(b.subarray(o, o + l))))
  return out
}

describe('Ipv4Fragmenter', () => {
  it('cuts packets into valid fragments that reassemble to the original', () => {
    fc.assert(fc.property(
      fc.integer({ min: 68, max: 1500 }), fc.integer({ min: 1, max: 9000 }), fc.integer({ min: 0, max: 512 }),
      fc.boolean(), fc.nat(255),
      (mtu, dataLength, offsetUnits, more, seed) => {
        fc.pre(20 + dataLength > mtu)
        const p = packet(dataLength, offsetUnits * 8, more, false, seed)
        const frags = cut(p, mtu)
        expect(frags.length).toBeGreaterThan(1)
        const data = Buffer.alloc(dataLength)
        let covered = 0
        frags.forEach((f, i) => {
          const ip = f.subarray(14)
          expect(f.subarray(0, 14).equals(p.frame.subarray(0, 14))).toBe(true)
          expect(ip.length).toBeLessThanOrEqual(mtu)
          expect(ip.readUInt16BE(2)).toBe(ip.length)
          expect(internetChecksum(ip, 0, 20)).toBe(0)
          expect(ip.subarray(4, 6).equals(p.frame.subarray(18, 20))).toBe(true) // same identification
          expect(ip.subarray(8, 10).equals(p.frame.subarray(22, 24))).toBe(true) // ttl, protocol
          const flags = ip.readUInt16BE(6)
          const at = (flags & 0x1fff) * 8 - p.offset
          const last = i === frags.length - 1
          expect((flags & 0x2000) !== 0).toBe(last ? p.more : true)
          expect(flags & 0x4000).toBe(0)
          if (!last) expect((ip.length - 20) % 8).toBe(0)
          expect(at).toBe(covered)
          ip.copy(data, at, 20)
          covered += ip.length - 20
        })
        expect(covered).toBe(dataLength)
        expect(data.equals(p.frame.subarray(34))).toBe(true)
      },
    ), { numRuns: 300 })
  })

  it('leaves alone what may not or need not be cut', () => {
    expect(cut(packet(2000, 0, false, true), 1000)).toEqual([]) // DF
    expect(cut(packet(500), 1000)).toEqual([]) // fits
    expect(cut(packet(2000), 27)).toEqual([]) // no room for 8 bytes of data
    const options = packet(2000)
    options.frame[14] = 0x46
    expect(cut(options, 1000)).toEqual([])
    const badSum = packet(2000)
    badSum.frame[14 + 10] ^= 1
    expect(cut(badSum, 1000)).toEqual([])
    const short = packet(2000)
    expect(new Ipv4Fragmenter().fragment(short.frame, 0, short.frame.length - 1, 1000, () => {})).toBe(0)
    const ipv6 = packet(2000)
    ipv6.frame.writeUInt16BE(0x86dd, 12)
    expect(cut(ipv6, 1000)).toEqual([])
  })

  it('never throws on arbitrary bytes', () => {
    const f = new Ipv4Fragmenter()
    fc.assert(fc.property(fc.uint8Array({ maxLength: 3000 }), fc.integer({ min: -10, max: 70_000 }), (bytes, mtu) => {
      const buf = Buffer.from(bytes)
      if (buf.length >= 14) buf.writeUInt16BE(0x0800, 12)
      let n = 0
      const count = f.fragment(buf, 0, buf.length, mtu, () => n++)
      expect(count).toBe(n)
    }), { numRuns: 300 })
  })
})
