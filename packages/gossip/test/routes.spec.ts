// Routing checked against a slow reference (Floyd–Warshall) on random graphs, and the broadcast
// trees checked by running every peer's own routes over the same topology.
//
//   a small example:    a --1-- b
//                       |       |
//                       3       1      c-d reports no RTT: the default 10 ms
//                       |       |
//                       c --10- d      tree rooted at a: a -> b -> d, a -> c
//                                      d reaches c through b and a (5 < 10)
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  DEFAULT_LINK_WEIGHT_MS, HOP_COST_MS, computeRoutes, createRouteTable, linkWeight, type PeerConnection, type PeerRecord, type Routes,
} from '../src/index.js'
import { peerId } from './helpers/arbitraries.js'

/** One side's report of a pair: absent, listed but not established, or established with an RTT. */
type Side = { listed: boolean; established: boolean; rttMs: number | null }
interface Graph {
  ids: string[]
  /** sides[i][j]: what i reports about its connection to j */
  sides: Side[][]
}

const sideArb: fc.Arbitrary<Side> = fc.record({
  listed: fc.boolean(),
  established: fc.boolean(),
  rttMs: fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 30 }), fc.double({ min: 0, max: 30, noNaN: true })),
})

const graphArb: fc.Arbitrary<Graph> = fc.integer({ min: 1, max: 10 }).chain((n) =>
  fc.tuple(
    fc.shuffledSubarray(Array.from({ length: 40 }, (_, i) => peerId(i + 1)), { minLength: n, maxLength: n }),
    fc.array(fc.array(sideArb, { minLength: n, maxLength: n }), { minLength: n, maxLength: n }),
  ).map(([ids, sides]) => ({ ids, sides })))

function recordsOf(g: Graph): PeerRecord[] {
  return g.ids.map((id, i) => ({
    id, nickname: 'n', restartId: '0000000000000001', version: 1, addresses: [], udpPort: 6783,
    connections: g.ids.flatMap((peer, j): PeerConnection[] => {
      const s = g.sides[i][j]
      return i !== j && s.listed ? [{ peer, address: '192.0.2.1:6783', outbound: i < j, established: s.established, rttMs: s.rttMs }] : []
    }),
  }))
}

/** The reference: link weights straight from the rules, all-pairs distances by Floyd–Warshall. */
function reference(g: Graph) {
  const n = g.ids.length
  const w: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(Infinity))
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const a = g.sides[i][j]
      const b = g.sides[j][i]
      if (i === j || !(a.listed && a.established && b.listed && b.established)) continue
      const rtts = [a.rttMs, b.rttMs].filter((x): x is number => x !== null)
      w[i][j] = (rtts.length === 0 ? DEFAULT_LINK_WEIGHT_MS : Math.max(1, Math.round(Math.max(...rtts)))) + HOP_COST_MS
    }
  }
  const d = w.map((row, i) => row.map((x, j) => (i === j ? 0 : x)))
  for (let k = 0; k < n; k++) for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    if (d[i][k] + d[k][j] < d[i][j]) d[i][j] = d[i][k] + d[k][j]
  }
  return { w, d }
}

describe('computeRoutes against the reference', () => {
  it('routes every reachable destination over a shortest path, and no other', () => {
    fc.assert(fc.property(graphArb, (g) => {
      const { w, d } = reference(g)
      const records = recordsOf(g)
      g.ids.forEach((self, s) => {
        const routes = computeRoutes(self, records)
        const expected = g.ids.filter((_, v) => v !== s && d[s][v] < Infinity).sort()
        expect([...routes.unicast.keys()].sort()).toEqual(expected)
        for (const [dest, hop] of routes.unicast) {
          const v = g.ids.indexOf(dest)
          const h = g.ids.indexOf(hop)
          expect(w[s][h], 'the next hop is a neighbour over a two-sided link').toBeLessThan(Infinity)
          expect(w[s][h] + d[h][v]).toBe(d[s][v])
        }
      })
    }), { numRuns: 500 })
  })

  it('broadcasts reach every peer reachable from the source exactly once, along shortest paths', () => {
    fc.assert(fc.property(graphArb, (g) => {
      const { w, d } = reference(g)
      const records = recordsOf(g)
      // every peer computes its own routes from the same records
      const routesOf = new Map<string, Routes>(g.ids.map((id) => [id, computeRoutes(id, records)]))
      g.ids.forEach((source, s) => {
        const reached = new Set([source])
        const queue = [source]
        while (queue.length > 0) {
          const x = queue.shift()!
          for (const child of routesOf.get(x)!.broadcast(source)) {
            const i = g.ids.indexOf(x)
            const c = g.ids.indexOf(child)
            expect(w[i][c], 'forwarded over a two-sided link').toBeLessThan(Infinity)
            expect(reached.has(child), 'no peer gets a broadcast twice').toBe(false)
            expect(d[s][i] + w[i][c]).toBe(d[s][c])
            reached.add(child)
            queue.push(child)
          }
        }
        const reachable = g.ids.filter((_, v) => d[s][v] < Infinity)
        expect([...reached].sort()).toEqual(reachable.sort())
      })
    }), { numRuns: 500 })
  })

  it('does not depend on the order of the records', () => {
    fc.assert(fc.property(graphArb, fc.integer(), (g, seed) => {
      const records = recordsOf(g)
      const shuffled = [...records].sort((a, b) => ((a.id.charCodeAt(0) * 31 + seed) % 7) - ((b.id.charCodeAt(0) * 31 + seed) % 7) || (a.id < b.id ? 1 : -1))
      for (const self of g.ids) {
        const x = computeRoutes(self, records)
        const y = computeRoutes(self, new Map(shuffled.map((r) => [r.id, r])))
        expect([...y.unicast].sort()).toEqual([...x.unicast].sort())
        for (const source of g.ids) expect(y.broadcast(source)).toEqual(x.broadcast(source))
      }
    }), { numRuns: 200 })
  })
})

describe('computeRoutes rules', () => {
  const [a, b, c, d] = [1, 2, 3, 4].map(peerId)
  const rec = (id: string, links: Array<[string, number | null, boolean?]>): PeerRecord => ({
    id, nickname: 'n', restartId: '0000000000000001', version: 1, addresses: [], udpPort: 6783,
    connections: links.map(([peer, rttMs, established]) => ({ peer, address: '192.0.2.1:6783', outbound: true, established: established ?? true, rttMs })),
  })

  it('ignores a link only one end reports established', () => {
    const routes = computeRoutes(a, [rec(a, [[b, 1]]), rec(b, [[a, 1, false]])])
    expect(routes.unicast.size).toBe(0)
    expect(routes.broadcast(a)).toEqual([])
    expect(computeRoutes(a, [rec(a, [[b, 1]]), rec(b, [])]).unicast.size).toBe(0)
  })

  it('weighs links by the larger reported RTT, at least 1 ms, else the default, plus the hop cost', () => {
    expect(linkWeight(null, null)).toBe(DEFAULT_LINK_WEIGHT_MS + HOP_COST_MS)
    expect(linkWeight(3.4, null)).toBe(3 + HOP_COST_MS)
    expect(linkWeight(null, 7)).toBe(7 + HOP_COST_MS)
    expect(linkWeight(2, 9.6)).toBe(10 + HOP_COST_MS)
    expect(linkWeight(0, 0.2)).toBe(1 + HOP_COST_MS)
    // the example at the top (a-c: only a reports an RTT)
    const records = [rec(a, [[b, 1], [c, 3]]), rec(b, [[a, 1], [d, 1]]), rec(c, [[a, null], [d, null]]), rec(d, [[b, 1], [c, null]])]
    const routes = computeRoutes(a, records)
    expect(Object.fromEntries(routes.unicast)).toEqual({ [b]: b, [c]: c, [d]: b })
    expect(routes.broadcast(a)).toEqual([b, c])
    expect(computeRoutes(b, records).broadcast(a)).toEqual([d])
    expect(computeRoutes(d, records).broadcast(a)).toEqual([])
    expect(computeRoutes(c, records).broadcast(a)).toEqual([])
    // d-c (10 + hop) beats d-b-a-c (1 + 1 + 3 + three hops): the hop cost keeps the direct link
    expect(computeRoutes(d, records).unicast.get(c)).toBe(c)
    expect(computeRoutes(c, records).broadcast(d)).toEqual([]) // d's tree: d -> c, d -> b -> a
    expect(computeRoutes(a, records).broadcast(d)).toEqual([])
    expect(computeRoutes(b, records).broadcast(d)).toEqual([a])
  })

  it('computes the trees drawn in docs/GOSSIP.md', () => {
    const [e] = [5].map(peerId)
    const links: Array<[string, string, number]> = [[a, b, 2], [a, c, 4], [b, c, 1], [b, d, 3], [c, d, 5], [d, e, 1]]
    const records = [a, b, c, d, e].map((id) => rec(id, links.flatMap(([x, y, w]): Array<[string, number]> => (x === id ? [[y, w]] : y === id ? [[x, w]] : []))))
    expect(Object.fromEntries(computeRoutes(a, records).unicast)).toEqual({ [b]: b, [c]: c, [d]: b, [e]: b })
    const children = (source: string): Record<string, readonly string[]> =>
      Object.fromEntries([a, b, c, d, e].map((id) => [id, computeRoutes(id, records).broadcast(source)]).filter(([, k]) => k.length > 0))
    expect(children(a)).toEqual({ [a]: [b, c], [b]: [d], [d]: [e] })
    expect(children(e)).toEqual({ [e]: [d], [d]: [b, c], [b]: [a] })
    // without the hop cost c would be reached through b (2 + 1 < 4): same RTT sum, one hop more
    expect(linkWeight(4, null)).toBeLessThan(linkWeight(2, null) + linkWeight(1, null))
  })

  it('breaks ties by the smaller peer id', () => {
    // a-b-d and a-c-d, all weights equal: both peers pick b
    const records = [rec(a, [[b, 1], [c, 1]]), rec(b, [[a, 1], [d, 1]]), rec(c, [[a, 1], [d, 1]]), rec(d, [[b, 1], [c, 1]])]
    expect(computeRoutes(a, records).unicast.get(d)).toBe(b)
    expect(computeRoutes(b, records).broadcast(a)).toEqual([d])
    expect(computeRoutes(c, records).broadcast(a)).toEqual([])
  })

  it('has no routes for a self or source outside the topology', () => {
    const records = [rec(a, [[b, 1]]), rec(b, [[a, 1]])]
    expect(computeRoutes(c, records).unicast.size).toBe(0)
    expect(computeRoutes(c, records).broadcast(a)).toEqual([])
    expect(computeRoutes(a, records).broadcast(c)).toEqual([])
    expect(computeRoutes(a, records).version).toBe(0)
  })
})

describe('RouteTable', () => {
  it('recomputes lazily, once per batch of changes', () => {
    const [a, b] = [1, 2].map(peerId)
    let reads = 0
    let records: PeerRecord[] = []
    const table = createRouteTable({ selfId: a }, { records: () => { reads++; return records } })
    expect(reads).toBe(0)
    const first = table.current()
    expect(table.current()).toBe(first)
    expect(reads).toBe(1)
    expect(first.version).toBe(1)
    records = [
      { id: a, nickname: 'a', restartId: '0000000000000001', version: 1, addresses: [], udpPort: 1, connections: [{ peer: b, address: '192.0.2.2:1', outbound: true, established: true, rttMs: null }] },
      { id: b, nickname: 'b', restartId: '0000000000000001', version: 1, addresses: [], udpPort: 1, connections: [{ peer: a, address: '192.0.2.1:1', outbound: false, established: true, rttMs: null }] },
    ]
    table.markDirty()
    table.markDirty()
    table.markDirty()
    expect(reads).toBe(1)
    const second = table.current()
    expect(reads).toBe(2)
    expect(second.version).toBe(2)
    expect(second.unicast.get(b)).toBe(b)
    expect(first.unicast.size).toBe(0) // an old table is never changed
  })
})
