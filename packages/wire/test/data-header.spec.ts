import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import {
  AEAD_TAG_BYTES, DATA_HEADER_BYTES, DataHeaderView, DecodeResult, MIN_DATAGRAM_BYTES, PacketKind, WIRE_VERSION,
  plaintextLength, writeDataHeader,
} from '../src/index.js'

const kinds = [
  PacketKind.Data, PacketKind.Heartbeat, PacketKind.HeartbeatAck, PacketKind.Probe, PacketKind.ProbeAck,
  PacketKind.Relay, PacketKind.Broadcast,
]

describe('data header', () => {
  it('has the sizes and enum values the wire fixes', () => {
    expect(DATA_HEADER_BYTES).toBe(16)
    expect(AEAD_TAG_BYTES).toBe(16)
    expect(MIN_DATAGRAM_BYTES).toBe(32)
    expect(WIRE_VERSION).toBe(1)
    expect(kinds).toEqual([1, 2, 3, 4, 5, 6, 7])
    expect([DecodeResult.Ok, DecodeResult.Short, DecodeResult.BadVersion, DecodeResult.BadKind,
      DecodeResult.BadReserved]).toEqual([0, 1, 2, 3, 4])
  })

  it('writes the documented little-endian layout', () => {
    const buf = Buffer.alloc(40, 0xee)
    writeDataHeader(buf, 2, PacketKind.Heartbeat, 0x11223344, 0x0102030405060708n)
    expect([...buf.subarray(2, 18)]).toEqual([
      1, 2, 0, 0, 0x44, 0x33, 0x22, 0x11, 0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,
    ])
    expect(buf[0]).toBe(0xee)
    expect(buf[18]).toBe(0xee)
  })

  it('round-trips any kind, index and counter', () => {
    fc.assert(fc.property(
      fc.constantFrom(...kinds), fc.nat({ max: 0xffffffff }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
      fc.nat({ max: 20 }), fc.nat({ max: 100 }),
      (kind, index, counter, offset, body) => {
        const buf = Buffer.alloc(offset + MIN_DATAGRAM_BYTES + body)
        writeDataHeader(buf, offset, kind, index, counter)
        const view = new DataHeaderView()
        expect(view.decode(buf, offset, MIN_DATAGRAM_BYTES + body)).toBe(DecodeResult.Ok)
        expect(view.version).toBe(WIRE_VERSION)
        expect(view.kind).toBe(kind)
        expect(view.receiverIndex).toBe(index)
        expect(view.counter).toBe(counter)
      }))
  })

  it('rejects by reason, checking length first', () => {
    const view = new DataHeaderView()
    const ok = Buffer.alloc(MIN_DATAGRAM_BYTES)
    writeDataHeader(ok, 0, PacketKind.Data, 7, 9n)
    expect(view.decode(ok, 0, MIN_DATAGRAM_BYTES)).toBe(DecodeResult.Ok)
    expect(view.decode(ok, 0, MIN_DATAGRAM_BYTES - 1)).toBe(DecodeResult.Short)
    expect(view.decode(ok, 1, MIN_DATAGRAM_BYTES)).toBe(DecodeResult.Short) // runs past the buffer
    expect(view.decode(ok, -1, MIN_DATAGRAM_BYTES)).toBe(DecodeResult.Short)
    const bad = (at: number, value: number): DecodeResult => {
      const copy = Buffer.from(ok)
      copy[at] = value
      return view.decode(copy, 0, copy.length)
    }
    expect(bad(0, 2)).toBe(DecodeResult.BadVersion)
    expect(view.version).toBe(2)
    expect(bad(0, 0)).toBe(DecodeResult.BadVersion)
    expect(bad(1, 0)).toBe(DecodeResult.BadKind)
    expect(bad(1, 7)).toBe(DecodeResult.Ok)
    expect(bad(1, 8)).toBe(DecodeResult.BadKind)
    expect(bad(1, 255)).toBe(DecodeResult.BadKind)
    expect(bad(2, 1)).toBe(DecodeResult.BadReserved)
    expect(bad(3, 0x80)).toBe(DecodeResult.BadReserved)
  })

  it('decodes arbitrary bytes to a result code, never throwing', () => {
    const view = new DataHeaderView()
    fc.assert(fc.property(
      fc.uint8Array({ maxLength: 64 }), fc.integer({ min: -4, max: 70 }), fc.integer({ min: -4, max: 70 }),
      (bytes, offset, length) => {
        const buf = Buffer.from(bytes)
        const result = view.decode(buf, offset, length)
        expect(Object.values(DecodeResult)).toContain(result)
        if (result === DecodeResult.Ok) {
          expect(length).toBeGreaterThanOrEqual(MIN_DATAGRAM_BYTES)
          expect(buf[offset]).toBe(WIRE_VERSION)
          expect(kinds).toContain(buf[offset + 1])
          expect(buf.readUInt32LE(offset + 4)).toBe(view.receiverIndex)
        }
      }), { numRuns: 2000 })
  })

  it('computes the plaintext length between header and tag', () => {
    expect(plaintextLength(MIN_DATAGRAM_BYTES)).toBe(0)
    expect(plaintextLength(1472)).toBe(1440)
  })
})
