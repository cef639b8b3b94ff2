// The topology digest: its byte layout round-trips, anything malformed is a typed error (fuzzed)
// and a counted `bad-digest` drop on the engine, and answers follow the merge order.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  GossipError, TOPOLOGY_CHANNEL, createGossipEngine, createTopology, decodeTopologyDigest, encodeDigestEntries,
  encodeDigestSummary, encodeDigestWants, encodeTopology, type GossipChannel, type TopologyState,
} from '../src/index.js'
import { ID_POOL, SELF, stateArb } from './helpers/arbitraries.js'
import { VirtualClock } from './helpers/virtual-clock.js'

const [A] = ID_POOL
const DIGEST = `${TOPOLOGY_CHANNEL}-digest`

function topology(state: TopologyState = new Map()) {
  const clock = new VirtualClock()
  const t = createTopology({ selfId: SELF, nickname: 's', restartId: '0123456789abcdef', udpPort: 1 }, { clock, publish: () => {} })
  t.merge(state, A)
  return t
}

function expectBadDigest(bytes: Uint8Array): void {
  let err: unknown
  try {
    decodeTopologyDigest(bytes)
  } catch (e) {
    err = e
  }
  expect(err).toBeInstanceOf(GossipError)
  expect((err as GossipError).code).toBe('ERR_BAD_PAYLOAD')
}

describe('topology digest codec', () => {
  it('round-trips entries, wants and summaries', () => {
    fc.assert(fc.property(stateArb(), (state) => {
      const entries = encodeDigestEntries(state.values())
      const decoded = decodeTopologyDigest(entries)
      expect(decoded.kind).toBe('entries')
      if (decoded.kind !== 'entries') return
      expect([...decoded.entries.keys()]).toEqual([...state.keys()].sort())
      for (const r of state.values()) expect(decoded.entries.get(r.id)).toEqual({ restartId: r.restartId, version: r.version })
      expect(decodeTopologyDigest(encodeDigestWants(state.keys()))).toEqual({ kind: 'wants', ids: [...state.keys()].sort() })
      const summary = decodeTopologyDigest(encodeDigestSummary(entries))
      expect(summary).toMatchObject({ kind: 'summary', count: state.size })
    }))
  })

  it('gives equal summaries exactly for equal (id, restartId, version) sets', () => {
    fc.assert(fc.property(stateArb(), stateArb(), (a, b) => {
      const key = (s: TopologyState): string => [...s.values()].map((r) => `${r.id}/${r.restartId}/${r.version}`).sort().join()
      const same = Buffer.from(encodeDigestSummary(encodeDigestEntries(a.values())))
        .equals(Buffer.from(encodeDigestSummary(encodeDigestEntries(b.values()))))
      expect(same).toBe(key(a) === key(b))
    }))
  })

  it('rejects short, lying, unsorted, oversized and unknown digests with ERR_BAD_PAYLOAD', () => {
    const entries = Buffer.from(encodeDigestEntries([...topology(new Map()).full().values()]))
    expectBadDigest(new Uint8Array(0))
    expectBadDigest(Buffer.from([2, 0, 0, 0]))
    expectBadDigest(Buffer.concat([entries, Buffer.from([0])])) // trailing byte
    expectBadDigest(Buffer.from([2, 0, 0, 0, 2, ...entries.subarray(5)])) // count says 2, holds 1
    expectBadDigest(Buffer.from([9, 0, 0, 0, 0])) // unknown kind
    expectBadDigest(Buffer.from([2, 0xff, 0xff, 0xff, 0xff])) // count over the limit
    const twice = Buffer.concat([Buffer.from([3, 0, 0, 0, 2]), Buffer.from(A, 'hex'), Buffer.from(A, 'hex')])
    expectBadDigest(twice) // ids not strictly ascending
    const hugeVersion = Buffer.from(entries)
    hugeVersion.writeBigUInt64BE(1n << 60n, 5 + 40)
    expectBadDigest(hugeVersion)
    expectBadDigest('text' as unknown as Uint8Array)
  })

  it('answers random bytes and mutated digests with a typed error or a valid digest, never anything else', () => {
    const valid = fc.oneof(
      stateArb().map((s) => encodeDigestEntries(s.values())),
      stateArb().map((s) => encodeDigestWants(s.keys())),
      stateArb().map((s) => encodeDigestSummary(encodeDigestEntries(s.values()))),
    )
    const mutated = fc.tuple(valid, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.nat({ max: 3 })).map(([bytes, at, value, cut]) => {
      const b = Buffer.from(bytes)
      if (b.length > 0) b[at % b.length] = value
      return b.subarray(0, Math.max(0, b.length - cut))
    })
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 120 }), mutated), (bytes) => {
      try {
        const d = decodeTopologyDigest(bytes)
        expect(['summary', 'entries', 'wants']).toContain(d.kind)
      } catch (err) {
        expect(err).toBeInstanceOf(GossipError)
        expect((err as GossipError).code).toBe('ERR_BAD_PAYLOAD')
      }
    }), { numRuns: 2000 })
  })
})

describe('digests on the engine', () => {
  it('drops and counts every malformed digest, answers nothing and leaves the state as it was', () => {
    fc.assert(fc.property(stateArb(), fc.array(fc.uint8Array({ maxLength: 60 }), { minLength: 1, maxLength: 10 }), (state, garbage) => {
      const clock = new VirtualClock()
      const sent: string[] = []
      const engine = createGossipEngine({ selfId: SELF }, { clock, random: () => 0.5, send: (_p, ch) => sent.push(ch) })
      const t = createTopology({ selfId: SELF, nickname: 's', restartId: '0123456789abcdef', udpPort: 1 },
        { clock, publish: (d) => engine.publish(TOPOLOGY_CHANNEL, d) })
      engine.registerChannel(t)
      engine.addNeighbour(A)
      engine.receive(A, TOPOLOGY_CHANNEL, encodeTopology(state))
      clock.advance(1)
      sent.length = 0
      const before = Buffer.from(encodeTopology(t.full())).toString('hex')
      const bad = garbage.filter((g) => { try { decodeTopologyDigest(g); return false } catch { return true } })
      for (const g of bad) engine.receive(A, DIGEST, g)
      clock.advance(1)
      expect(Buffer.from(encodeTopology(t.full())).toString('hex')).toBe(before)
      expect(engine.stats().drops['bad-digest']).toBe(bad.length)
      expect(sent).toEqual([])
      engine.close()
    }), { numRuns: 200 })
  })

  it('answers a summary that differs with entries, entries with what is newer and wants, wants with records', () => {
    const clock = new VirtualClock()
    const sent: Array<[string, Uint8Array]> = []
    const engine = createGossipEngine({ selfId: SELF }, { clock, random: () => 0.5, send: (_p, ch, b) => sent.push([ch, b]) })
    const t = createTopology({ selfId: SELF, nickname: 's', restartId: '0123456789abcdef', udpPort: 1 },
      { clock, publish: (d) => engine.publish(TOPOLOGY_CHANNEL, d) })
    engine.registerChannel(t)
    engine.addNeighbour(A) // SELF (00..) < A: our summary goes out
    clock.advance(1)
    expect(sent.map(([ch]) => ch)).toEqual([DIGEST])
    expect(decodeTopologyDigest(sent[0][1]).kind).toBe('summary')
    sent.length = 0
    // the same summary: no answer
    engine.receive(A, DIGEST, t.digest())
    clock.advance(1)
    expect(sent).toEqual([])
    // a different summary (A's, empty): our entries
    engine.receive(A, DIGEST, encodeDigestSummary(encodeDigestEntries([])))
    clock.advance(1)
    expect(sent.map(([ch, b]) => [ch, decodeTopologyDigest(b).kind])).toEqual([[DIGEST, 'entries']])
    sent.length = 0
    // entries of A holding a newer record of itself and not ours: our record, and wants for A's
    const aRecord = { ...t.self(), id: A, restartId: '00000000000000aa', version: 4 }
    engine.receive(A, DIGEST, encodeDigestEntries([aRecord]))
    clock.advance(1)
    expect(sent.map(([ch]) => ch).sort()).toEqual([TOPOLOGY_CHANNEL, DIGEST].sort())
    const records = t.decode(sent.find(([ch]) => ch === TOPOLOGY_CHANNEL)![1])
    expect([...records.keys()]).toEqual([SELF])
    expect(decodeTopologyDigest(sent.find(([ch]) => ch === DIGEST)![1])).toEqual({ kind: 'wants', ids: [A] })
    sent.length = 0
    // wants: the records we hold, nothing else
    engine.receive(A, DIGEST, encodeDigestWants([SELF, A]))
    clock.advance(1)
    expect(sent.map(([ch]) => ch)).toEqual([TOPOLOGY_CHANNEL])
    expect([...t.decode(sent[0][1]).keys()]).toEqual([SELF])
    engine.close()
  })

  it('refuses a channel with half a digest pair, or a name too long for its -digest twin', () => {
    const clock = new VirtualClock()
    const engine = createGossipEngine({ selfId: SELF }, { clock, random: () => 0.5, send: () => {} })
    const t = topology()
    const half: GossipChannel<TopologyState> = {
      name: 'half', encode: (d) => t.encode(d), decode: (b) => t.decode(b), full: () => t.full(), merge: () => null, digest: () => t.digest(),
    }
    expect(() => engine.registerChannel(half)).toThrow(GossipError)
    const long = { ...half, name: 'x'.repeat(26), answerDigest: (b: Uint8Array, from: string) => t.answerDigest(b, from) }
    expect(() => engine.registerChannel(long)).toThrow(/at most 25/)
    engine.close()
  })
})
