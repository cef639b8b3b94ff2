import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  DEFAULT_SELF_PUBLISH_DELAY_MS, DEFAULT_UNREACHABLE_GRACE_MS, GossipError, TOPOLOGY_CHANNEL, createTopology, encodeTopology,
  type PeerRecord, type Topology, type TopologyState,
} from '../src/index.js'
import { ID_POOL, SELF, peerId, recordArb, stateArb } from './helpers/arbitraries.js'
import { VirtualClock } from './helpers/virtual-clock.js'

const SELF_RESTART = '0123456789abcdef'

function topology(clock = new VirtualClock()) {
  const published: TopologyState[] = []
  const t = createTopology({ selfId: SELF, nickname: 'self', restartId: SELF_RESTART, udpPort: 6783, selfPublishDelayMs: 0 },
    { clock, publish: (d) => published.push(d) })
  return { t, published, clock }
}

/** The state as canonical bytes (hex), for comparisons. */
const canon = (s: TopologyState | Topology): string =>
  Buffer.from(encodeTopology('full' in s && typeof s.full === 'function' ? s.full() : (s as TopologyState))).toString('hex')

const empty: TopologyState = new Map()

function record(id: string, version: number, links: Array<[string, boolean, (number | null)?]> = [], restartId = '00000000000000aa'): PeerRecord {
  return Object.freeze({
    id, nickname: `n-${id.slice(0, 4)}`, restartId, version, addresses: ['192.0.2.1'], udpPort: 6783,
    connections: links.map(([peer, established, rttMs]) => ({ peer, address: '192.0.2.9:6783', outbound: true, established, rttMs: rttMs ?? null })),
  })
}

const stateOf = (...records: PeerRecord[]): TopologyState => new Map(records.map((r) => [r.id, r]))

describe('topology CRDT merge laws', () => {
  it('is commutative', () => {
    fc.assert(fc.property(stateArb(), stateArb(), (a, b) => {
      const x = topology().t
      x.merge(a, 'p')
      x.merge(b, 'p')
      const y = topology().t
      y.merge(b, 'p')
      y.merge(a, 'p')
      expect(canon(x)).toBe(canon(y))
    }), { numRuns: 300 })
  })

  it('is associative', () => {
    fc.assert(fc.property(stateArb(), stateArb(), stateArb(), (a, b, c) => {
      const left = topology().t
      left.merge(a, 'p')
      left.merge(b, 'p')
      left.merge(c, 'p')
      const bc = topology().t
      bc.merge(b, 'p')
      bc.merge(c, 'p')
      const right = topology().t
      right.merge(a, 'p')
      right.merge(bc.full(), 'p')
      expect(canon(left)).toBe(canon(right))
      const t = topology().t
      expect(canon(t.combine(t.combine(a, b), c))).toBe(canon(t.combine(a, t.combine(b, c))))
    }), { numRuns: 300 })
  })

  it('is idempotent: merging the same thing again returns null and changes nothing', () => {
    fc.assert(fc.property(stateArb(), stateArb(), (a, b) => {
      const x = topology().t
      x.merge(a, 'p')
      const first = x.merge(b, 'p')
      const before = canon(x)
      expect(x.merge(b, 'p')).toBeNull()
      expect(x.merge(a, 'p')).toBeNull()
      expect(x.merge(x.full(), 'p')).toBeNull()
      expect(canon(x)).toBe(before)
      if (first !== null) expect(first.size).toBeGreaterThan(0)
    }), { numRuns: 300 })
  })

  it('returns exactly the new part: its delta merged into the old state gives the same state', () => {
    fc.assert(fc.property(stateArb(), stateArb(), (a, b) => {
      const x = topology().t
      const y = topology().t
      x.merge(a, 'p')
      y.merge(a, 'p')
      const before = x.full()
      const delta = x.merge(b, 'p')
      y.merge(delta ?? empty, 'p')
      expect(canon(y)).toBe(canon(x))
      // the delta holds exactly the records that changed, each taken from the incoming state
      const changed = x.peers().filter((r) => before.get(r.id) !== r).map((r) => r.id)
      expect([...(delta ?? empty).keys()].sort()).toEqual(changed)
      for (const r of (delta ?? empty).values()) expect(b.get(r.id)).toBe(r)
    }), { numRuns: 300 })
  })

  it('combines two deltas into one equal to applying both', () => {
    fc.assert(fc.property(stateArb(), stateArb(), stateArb(), (base, a, b) => {
      const x = topology().t
      const y = topology().t
      x.merge(base, 'p')
      y.merge(base, 'p')
      x.merge(a, 'p')
      x.merge(b, 'p')
      y.merge(y.combine(a, b), 'p')
      expect(canon(y)).toBe(canon(x))
    }), { numRuns: 300 })
  })

  it('splits a state into two non-empty parts that together are the state, or not at all if it is one record', () => {
    fc.assert(fc.property(stateArb(), (state) => {
      const t = topology().t
      const parts = t.split(state)
      if (state.size < 2) {
        expect(parts).toBeNull()
        return
      }
      const [a, b] = parts!
      expect(a.size).toBeGreaterThan(0)
      expect(b.size).toBeGreaterThan(0)
      expect(a.size + b.size).toBe(state.size)
      expect(canon(t.combine(a, b))).toBe(canon(state))
    }), { numRuns: 200 })
  })

  it('keeps the higher version, and on a tie picks the same record everywhere and counts a conflict', () => {
    const a = ID_POOL[0]
    const older = record(a, 1)
    const newer = record(a, 2)
    const x = topology().t
    x.merge(stateOf(newer), 'p')
    expect(x.merge(stateOf(older), 'p')).toBeNull()
    expect(x.get(a)).toBe(newer)
    const twinA = record(a, 5, [], '1111111111111111')
    const twinB = record(a, 5, [], '2222222222222222')
    const y = topology().t
    const z = topology().t
    y.merge(stateOf(twinA), 'p')
    y.merge(stateOf(twinB), 'p')
    z.merge(stateOf(twinB), 'p')
    z.merge(stateOf(twinA), 'p')
    expect(y.get(a)).toBe(z.get(a))
    expect(y.get(a)).toBe(twinB) // the larger encoding: its restart id bytes are larger
    expect(y.stats().conflicts).toBe(1)
    expect(z.stats().conflicts).toBe(1)
  })
})

describe('topology: the own record', () => {
  it('starts at version 0 and bumps the version on every real change, publishing it', () => {
    const { t, published } = topology()
    expect(t.self()).toMatchObject({ id: SELF, version: 0, restartId: SELF_RESTART, connections: [] })
    expect(t.name).toBe(TOPOLOGY_CHANNEL)
    const changes: string[][] = []
    t.onChange((ids) => changes.push([...ids]))
    expect(t.updateSelf({ addresses: ['192.0.2.1'] })).toBe(true)
    expect(t.updateSelf({ addresses: ['192.0.2.1'] })).toBe(false)
    expect(t.self().version).toBe(1)
    expect(published.map((d) => [...d.values()].map((r) => r.version))).toEqual([[1]])
    expect(changes).toEqual([[SELF]])
  })

  it('by default publishes every change at once (DEFAULT_SELF_PUBLISH_DELAY_MS is 0: docs/GOSSIP.md)', () => {
    const clock = new VirtualClock()
    const published: TopologyState[] = []
    const t = createTopology({ selfId: SELF, nickname: 'self', restartId: SELF_RESTART, udpPort: 6783 },
      { clock, publish: (d) => published.push(d) })
    expect(DEFAULT_SELF_PUBLISH_DELAY_MS).toBe(0)
    t.updateSelf({ udpPort: 7000 })
    t.updateSelf({ udpPort: 7001 })
    expect(published.map((d) => [...d.values()].map((r) => r.version))).toEqual([[1], [2]])
    expect(t.publishPending).toBe(false)
  })

  it('with selfPublishDelayMs publishes the changes of a short while as one version, none later than the delay', () => {
    const DELAY = 100
    const clock = new VirtualClock()
    const published: TopologyState[] = []
    const t = createTopology({ selfId: SELF, nickname: 'self', restartId: SELF_RESTART, udpPort: 6783, selfPublishDelayMs: DELAY },
      { clock, publish: (d) => published.push(d) })
    const versions = () => published.map((d) => [...d.values()].map((r) => r.version))
    for (let i = 0; i < 5; i++) {
      t.updateSelf({ udpPort: 7000 + i })
      clock.advance(DELAY / 10)
    }
    expect(t.self().version).toBe(5) // the record changes at once...
    expect(published).toEqual([]) // ...and is published once, when the delay from the first change is up
    clock.advance(DELAY / 2)
    expect(versions()).toEqual([[5]])
    expect(published[0].get(SELF)?.udpPort).toBe(7004)
    clock.advance(10 * DELAY)
    expect(published).toHaveLength(1) // nothing changed since
    t.updateSelf({ udpPort: 8000 })
    t.flushSelf() // at once, when asked
    expect(versions()).toEqual([[5], [6]])
    clock.advance(10 * DELAY)
    expect(published).toHaveLength(2)
  })

  it('rejects a bad update and keeps the record as it was', () => {
    const { t, published } = topology()
    const before = t.self()
    const bad: unknown[] = [
      { addresses: ['not-an-ip'] }, { addresses: ['192.0.2.1', '192.0.2.1'] }, { udpPort: 0 }, { nickname: '' },
      { connections: [{ peer: SELF, address: '192.0.2.1:1', outbound: true, established: true, rttMs: null }] },
      { connections: [{ peer: ID_POOL[0], address: '192.0.2.1', outbound: true, established: true, rttMs: null }] },
      { connections: [{ peer: ID_POOL[0], address: '192.0.2.1:1', outbound: true, established: true, rttMs: -1 }] },
    ]
    for (const update of bad) {
      expect(() => t.updateSelf(update as never), JSON.stringify(update)).toThrow(expect.objectContaining({ code: 'ERR_BAD_RECORD' }))
    }
    expect(t.self()).toBe(before)
    expect(published).toEqual([])
    expect(() => createTopology({ selfId: 'short', nickname: 'x', restartId: SELF_RESTART, udpPort: 1 },
      { clock: new VirtualClock(), publish: () => {} })).toThrow(GossipError)
  })

  it('after a restart, outbids the old record of itself it learns, and publishes that to everyone', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 40 }), fc.boolean(), (oldVersion, sameVersion) => {
      const { t, published } = topology()
      // the previous incarnation's record: another restart id, some version
      const old = { ...record(SELF, oldVersion, [], 'ffffffffffffffff') }
      if (sameVersion) {
        for (let v = 0; v < Math.min(oldVersion, 3); v++) t.updateSelf({ udpPort: 1000 + v })
      }
      const own = t.self()
      const incoming = stateOf(record(ID_POOL[0], 1), old)
      const delta = t.merge(incoming, 'p')
      // the merge delta (relayed to all but `from`) never carries self; the bump goes through publish
      expect([...(delta ?? empty).keys()]).toEqual([ID_POOL[0]])
      if (old.version >= own.version) {
        expect(t.self()).toMatchObject({ version: old.version + 1, restartId: SELF_RESTART, udpPort: own.udpPort })
        const last = published[published.length - 1]
        expect([...last.values()]).toEqual([t.self()])
        expect(t.stats().selfBumps).toBe(1)
      } else {
        expect(t.self()).toBe(own)
      }
      // its own record echoed back changes nothing
      const count = published.length
      expect(t.merge(stateOf(t.self()), 'p')).toBeNull()
      expect(published.length).toBe(count)
      expect(t.self().restartId).toBe(SELF_RESTART)
    }))
  })

  it('updateSelf after a bump continues above the learnt version', () => {
    const { t } = topology()
    t.merge(stateOf(record(SELF, 41, [], 'ffffffffffffffff')), 'p')
    t.updateSelf({ udpPort: 7000 })
    expect(t.self().version).toBe(43)
  })
})

describe('topology garbage collection', () => {
  const [A, B, C] = ID_POOL
  const grace = DEFAULT_UNREACHABLE_GRACE_MS

  function line() {
    // SELF - A - B, and C with a one-sided link to A
    const env = topology()
    env.t.updateSelf({ connections: [{ peer: A, address: '192.0.2.2:6783', outbound: true, established: true, rttMs: 1 }] })
    env.t.merge(stateOf(record(A, 1, [[SELF, true], [B, true]]), record(B, 1, [[A, true]]), record(C, 1, [[A, true]])), 'p')
    return env
  }

  it('forgets a peer only after it stayed unreachable for longer than the grace period; never self', () => {
    const { t, clock } = line()
    const removed: string[][] = []
    t.onChange((ids) => removed.push([...ids]))
    expect(t.gc()).toEqual([])
    clock.advance(grace + 1)
    // C is unreachable (A does not report the link), A and B are reachable
    expect(t.gc()).toEqual([C])
    clock.advance(1000)
    // A drops its link to B: B unreachable from this change on
    t.merge(stateOf(record(A, 2, [[SELF, true]])), 'p')
    const cut = clock.now()
    clock.advance(5000)
    expect(t.gc()).toEqual([])
    clock.advance(grace - 5000)
    expect(t.gc(cut + grace)).toEqual([])
    expect(t.gc(cut + grace + 1)).toEqual([B])
    expect(t.peers().map((r) => r.id)).toEqual([A, SELF].sort())
    expect(removed).toContainEqual([B])
    expect(t.stats()).toMatchObject({ collected: 2, tombstones: 1 }) // C's has expired by now
    // self is never collected, even alone
    t.updateSelf({ connections: [] })
    clock.advance(10 * grace)
    expect(t.gc()).toEqual([A])
    expect(t.peers().map((r) => r.id)).toEqual([SELF])
  })

  it('keeps a peer that became reachable again', () => {
    const { t, clock } = line()
    t.merge(stateOf(record(A, 2, [[SELF, true]])), 'p')
    t.gc()
    clock.advance(grace / 2)
    t.merge(stateOf(record(A, 3, [[SELF, true], [B, true]])), 'p')
    clock.advance(grace)
    expect(t.gc()).not.toContain(B)
    expect(t.get(B)).toBeDefined()
  })

  it('does not take back a collected record, but does take a newer one or a new incarnation', () => {
    const { t, clock } = line()
    t.merge(stateOf(record(A, 2, [[SELF, true]])), 'p')
    t.gc()
    clock.advance(grace + 1)
    expect(t.gc()).toEqual(expect.arrayContaining([B, C]))
    expect(t.merge(stateOf(record(B, 1, [[A, true]])), 'p')).toBeNull()
    expect(t.get(B)).toBeUndefined()
    expect(t.merge(stateOf(record(B, 2, [[A, true]])), 'p')?.has(B)).toBe(true)
    expect(t.merge(stateOf(record(C, 0, [], '0000000000000bbb')), 'p')?.has(C)).toBe(true)
  })

  it('takes back a collected record of the same version as soon as it is reachable again (a healed partition)', () => {
    const { t, clock, published } = line()
    t.merge(stateOf(record(A, 2, [[SELF, true]])), 'p') // A loses B: B unreachable
    t.gc()
    clock.advance(grace + 1)
    expect(t.gc()).toEqual(expect.arrayContaining([B, C]))
    // B's unchanged record comes back while still unreachable: refused, parked
    expect(t.merge(stateOf(record(B, 1, [[A, true]])), 'p')).toBeNull()
    expect(t.get(B)).toBeUndefined()
    expect(t.stats()).toMatchObject({ tombstones: 2, parked: 1 })
    // A links to B again: B (parked, same version) is reachable and is taken back in that merge
    const delta = t.merge(stateOf(record(A, 3, [[SELF, true], [B, true]])), 'p')
    expect([...delta!.keys()].sort()).toEqual([A, B].sort())
    expect(t.get(B)?.version).toBe(1)
    expect(t.stats()).toMatchObject({ tombstones: 1, parked: 0 })
    // C parked too, made reachable by our own update: taken back and published
    expect(t.merge(stateOf(record(C, 1, [[SELF, true]])), 'p')).toBeNull()
    published.length = 0
    t.updateSelf({ connections: [...t.self().connections, { peer: C, address: '192.0.2.3:6783', outbound: true, established: true, rttMs: 1 }] })
    expect(t.get(C)?.version).toBe(1)
    expect(published.some((d) => d.has(C))).toBe(true)
    expect(t.stats()).toMatchObject({ tombstones: 0, parked: 0 })
  })

  it('lets tombstones expire after the grace period', () => {
    const { t, clock } = line()
    clock.advance(grace + 1)
    expect(t.gc()).toEqual([C])
    clock.advance(grace)
    t.gc()
    expect(t.stats().tombstones).toBe(0)
    expect(t.merge(stateOf(record(C, 1, [[A, true]])), 'p')?.has(C)).toBe(true)
  })
})

describe('topology records drawn at random', () => {
  it('are valid: the topology takes them and full() returns them', () => {
    fc.assert(fc.property(recordArb(peerId(200)), (r) => {
      const { t } = topology()
      expect(t.merge(stateOf(r), 'p')?.get(r.id)).toBe(r)
      expect(t.full().get(r.id)).toBe(r)
    }))
  })
})
