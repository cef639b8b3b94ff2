import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { PEER_ID_BYTES, PacketKind } from '@weft/wire'
import {
  BROADCAST_MIN_PAYLOAD_BYTES, HOP_HEADER_BYTES, HOP_OVERHEAD_BYTES, HOP_PAYLOAD_OFFSET, HOP_TTL_OFFSET,
  HopDecodeResult, HopHeaderView, RELAY_MIN_PAYLOAD_BYTES, writeHopHeader,
} from '../src/index.js'

const hopKinds = [PacketKind.Relay, PacketKind.Broadcast] as const
const minPayload = (kind: PacketKind) => (kind === PacketKind.Relay ? RELAY_MIN_PAYLOAD_BYTES : BROADCAST_MIN_PAYLOAD_BYTES)

describe('hop header', () => {
  it('has the sizes and values the wire fixes', () => {
    expect([PEER_ID_BYTES, HOP_HEADER_BYTES, HOP_TTL_OFFSET, HOP_PAYLOAD_OFFSET, HOP_OVERHEAD_BYTES]).toEqual([32, 33, 32, 49, 65])
    expect([RELAY_MIN_PAYLOAD_BYTES, BROADCAST_MIN_PAYLOAD_BYTES]).toEqual([32, 16])
    expect([PacketKind.Relay, PacketKind.Broadcast]).toEqual([6, 7])
    expect([HopDecodeResult.Ok, HopDecodeResult.Short, HopDecodeResult.ZeroTtl, HopDecodeResult.BadKind]).toEqual([0, 1, 2, 3])
  })

  it('writes the id then the ttl, touching nothing else', () => {
    const buf = Buffer.alloc(40, 0xee)
    const id = Buffer.from(Array.from({ length: 32 }, (_, i) => i + 1))
    writeHopHeader(buf, 3, id, 9)
    expect(buf.subarray(3, 35).equals(id)).toBe(true)
    expect(buf[35]).toBe(9)
    expect([buf[2], buf[36]]).toEqual([0xee, 0xee])
  })

  it('round-trips any id, ttl and payload', () => {
    fc.assert(fc.property(
      fc.constantFrom(...hopKinds), fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.integer({ min: 1, max: 255 }),
      fc.nat({ max: 20 }), fc.nat({ max: 100 }),
      (kind, id, ttl, offset, extra) => {
        const length = HOP_HEADER_BYTES + minPayload(kind) + extra
        const buf = Buffer.alloc(offset + length + 5)
        writeHopHeader(buf, offset, Buffer.from(id), ttl)
        const view = new HopHeaderView()
        expect(view.decode(buf, offset, length, kind)).toBe(HopDecodeResult.Ok)
        expect(buf.subarray(view.peerOffset, view.peerOffset + 32).equals(Buffer.from(id))).toBe(true)
        expect(view.ttl).toBe(ttl)
        expect(view.payloadOffset).toBe(offset + 33)
        expect(view.payloadLength).toBe(length - 33)
      }))
  })

  it('rejects by reason: short, past the buffer, ttl 0, a kind without a hop header', () => {
    const view = new HopHeaderView()
    const buf = Buffer.alloc(100, 1)
    expect(view.decode(buf, 0, 65, PacketKind.Relay)).toBe(HopDecodeResult.Ok)
    expect(view.decode(buf, 0, 64, PacketKind.Relay)).toBe(HopDecodeResult.Short)
    expect(view.decode(buf, 0, 49, PacketKind.Broadcast)).toBe(HopDecodeResult.Ok)
    expect(view.decode(buf, 0, 48, PacketKind.Broadcast)).toBe(HopDecodeResult.Short)
    expect(view.decode(buf, 40, 61, PacketKind.Broadcast)).toBe(HopDecodeResult.Short)
    expect(view.decode(buf, -1, 65, PacketKind.Relay)).toBe(HopDecodeResult.Short)
    expect(view.decode(buf, 0, 65, PacketKind.Data)).toBe(HopDecodeResult.BadKind)
    expect(view.decode(buf, 0, 65, PacketKind.Heartbeat)).toBe(HopDecodeResult.BadKind)
    buf[32] = 0
    expect(view.decode(buf, 0, 65, PacketKind.Relay)).toBe(HopDecodeResult.ZeroTtl)
  })

  it('decodes arbitrary bytes to a result, never throwing, Ok only within the rules', () => {
    const view = new HopHeaderView()
    fc.assert(fc.property(
      fc.uint8Array({ maxLength: 120 }), fc.integer({ min: -4, max: 130 }), fc.integer({ min: -4, max: 130 }),
      fc.integer({ min: 0, max: 9 }),
      (bytes, offset, length, kind) => {
        const buf = Buffer.from(bytes)
        const r = view.decode(buf, offset, length, kind)
        expect(Object.values(HopDecodeResult)).toContain(r)
        if (r === HopDecodeResult.Ok) {
          expect(hopKinds).toContain(kind)
          expect(length).toBeGreaterThanOrEqual(33 + minPayload(kind))
          expect(offset + length).toBeLessThanOrEqual(buf.length)
          expect(view.ttl).toBe(buf[offset + 32])
          expect(view.ttl).toBeGreaterThan(0)
        }
      }), { numRuns: 3000 })
  })
})
