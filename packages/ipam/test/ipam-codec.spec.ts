// The `ipam` wire format: round trips, canonical bytes, and garbage. Every rejection is a typed
// IpamError (ERR_BAD_PAYLOAD with a reason), and an allocator fed garbage the way the gossip
// engine does (decode, then merge only if decode succeeded) keeps its state byte for byte.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createGossipEngine } from '@weft/gossip'
import { safePackr } from '@weft/wire'
import {
  createAllocator, createMemoryIpamStore, decodeIpam, encodeIpam, IpamError, IPAM_CHANNEL, seedRing,
} from '../src/index.js'
import { ipamState } from '../src/ipam-state.js'
import { BASE_RING, OWNERS, RANGE, stateArb } from './helpers/arbitraries.js'
import { VirtualClock, peerId } from './helpers/sim-clock.js'

// one fixed seed: every run explores the same cases (a failure prints its counterexample)
fc.configureGlobal({ seed: 20_261_124 })

function expectBadPayload(bytes: Uint8Array): void {
  try {
    decodeIpam(bytes)
  } catch (err) {
    expect(err).toBeInstanceOf(IpamError)
    expect((err as IpamError).code).toBe('ERR_BAD_PAYLOAD')
    expect(['not-msgpack', 'bad-field', 'bad-version']).toContain((err as IpamError).reason)
    return
  }
  throw new Error('decoded garbage')
}

const valid = (): Uint8Array => encodeIpam(ipamState({ ring: BASE_RING }))

describe('ipam codec', () => {
  it('round-trips every state, with canonical bytes', () => {
    fc.assert(fc.property(stateArb, (s) => {
      const bytes = encodeIpam(s)
      const back = decodeIpam(bytes)
      expect(Buffer.from(encodeIpam(back)).equals(Buffer.from(bytes))).toBe(true)
      expect(back.ring?.ringId).toBe(s.ring?.ringId)
    }), { numRuns: 300 })
  })

  it('rejects random bytes with a typed error', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      try {
        decodeIpam(bytes)
      } catch (err) {
        expect((err as IpamError).code).toBe('ERR_BAD_PAYLOAD')
      }
    }), { numRuns: 2000 })
  })

  it('rejects or accepts (never crashes on) every mutation of a valid message', () => {
    const good = encodeIpam(ipamState({ ring: BASE_RING, requests: new Map([[OWNERS[0], { peer: OWNERS[0], seq: 2, donor: OWNERS[1], start: 4, end: 8 }]]) }))
    fc.assert(fc.property(fc.integer({ min: 0, max: good.length - 1 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: good.length }), (at, byte, cut) => {
      const m = Uint8Array.from(good)
      m[at] = byte
      for (const bytes of [m, good.subarray(0, cut)]) {
        try {
          const s = decodeIpam(bytes)
          // whatever decodes is a valid state: it encodes and decodes again to itself
          expect(Buffer.from(encodeIpam(decodeIpam(encodeIpam(s)))).equals(Buffer.from(encodeIpam(s)))).toBe(true)
        } catch (err) {
          expect((err as IpamError).code).toBe('ERR_BAD_PAYLOAD')
        }
      }
    }), { numRuns: 3000 })
  })

  it('names the rule a well-formed but wrong message breaks', () => {
    const owner = Buffer.from(OWNERS[0], 'hex')
    const ring = (fields: Record<string, unknown>) => safePackr.pack({ v: 1, g: { c: '10.32.0.0/24', h: Buffer.from(BASE_RING.ringId, 'hex'), s: null, e: [], ...fields }, p: [], q: [] })
    expectBadPayload(safePackr.pack({ v: 2, g: null, p: [], q: [] }))
    expectBadPayload(safePackr.pack({ v: 1, g: null, p: [], q: [], x: 1 }))
    expectBadPayload(safePackr.pack({ v: 1, g: null, p: [] }))
    expectBadPayload(ring({ c: '10.32.0.1/24' }))
    expectBadPayload(ring({ c: 'fd00::/64' }))
    expectBadPayload(ring({ e: [[5, 5, owner, 0, 0]] }))
    expectBadPayload(ring({ e: [[0, 300, owner, 0, 0]] }))
    expectBadPayload(ring({ e: [[0, 10, owner, 0, 11]] }))
    expectBadPayload(ring({ e: [[0, 10, owner, -1, 0]] }))
    expectBadPayload(ring({ e: [[0, 10, owner, 0, 0], [0, 20, owner, 0, 0]] }))
    expectBadPayload(ring({ e: [[0, 10, Buffer.alloc(31), 0, 0]] }))
    expectBadPayload(ring({ s: [Buffer.from(OWNERS[1], 'hex'), owner] })) // unsorted
    expectBadPayload(ring({ s: [owner] })) // id does not match
    expectBadPayload(safePackr.pack({ v: 1, g: null, p: [[owner, 1, null, 0, null, null]], q: [] }))
    expectBadPayload(safePackr.pack({ v: 1, g: null, p: [[owner, 1, owner, 2, owner, [owner]]], q: [] }))
    expectBadPayload(safePackr.pack({ v: 1, g: null, p: [], q: [[owner, 1, null, 3, 4]] }))
    expectBadPayload(safePackr.pack({ v: 1, g: null, p: [], q: [[owner, 1, owner, 4, 4]] }))
    expectBadPayload(Uint8Array.from([...valid(), 0]))
    expectBadPayload(Uint8Array.from([0xc7, 1, 1, 0])) // an extension
  })

  it('leaves an allocator unchanged when the engine feeds it garbage, and counts the drop', async () => {
    const clock = new VirtualClock()
    const self = peerId(1)
    const ipam = createAllocator({ selfId: self, range: '10.32.0.0/24', mode: { kind: 'seed', peers: [self, peerId(2)] } },
      { clock, random: () => 0.5, store: createMemoryIpamStore(), publish: () => {} })
    const engine = createGossipEngine({ selfId: self }, { clock, random: () => 0.5, send: () => {} })
    engine.registerChannel(ipam)
    await ipam.allocate('c1')
    const before = Buffer.from(encodeIpam(ipam.full()))
    const statusBefore = ipam.status()
    let fed = 0
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      engine.receive(peerId(2), IPAM_CHANNEL, bytes)
      fed++
    }), { numRuns: 500 })
    // a valid message of another range, and one of another ring: ignored and counted
    engine.receive(peerId(2), IPAM_CHANNEL, encodeIpam(ipamState({ ring: seedRing(RANGE, [peerId(3)]) })))
    expect(Buffer.from(encodeIpam(ipam.full())).equals(before)).toBe(true)
    expect(ipam.status().self).toEqual(statusBefore.self)
    expect(engine.stats().drops['bad-payload']).toBeGreaterThan(fed * 0.9)
    expect(ipam.stats().foreignRings).toBe(1)
    expect(ipam.status().notes.join()).toMatch(/another ring|range/)
    engine.close()
    ipam.close()
  })
})
