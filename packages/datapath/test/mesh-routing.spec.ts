import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BROADCAST_MAC, SimMesh, bfsParents, frame, settle, totalDrops } from './sim-mesh.js'

// Random connected graphs of 4 or 5 routers: direct sessions on the links, relayed sessions
// between every other pair, routes from breadth-first search (next hops and per-source trees).
// Whatever the graph, every broadcast reaches every other router exactly once and every unicast
// reaches exactly its destination, exactly once.

const graphs = fc.integer({ min: 4, max: 5 }).chain((n) => fc.record({
  n: fc.constant(n),
  // node k + 1 hangs off an earlier node: connected whatever the extra links are
  parents: fc.tuple(...Array.from({ length: n - 1 }, (_, k) => fc.nat({ max: k }))),
  extra: fc.array(fc.tuple(fc.nat({ max: n - 1 }), fc.nat({ max: n - 1 })), { maxLength: 6 }),
}))

/** The frame's payload names its sender and receiver, so each arrival can be told apart. */
const tagged = (dst: string, src: string, from: number, to: number) => frame(dst, src, Buffer.from(`from ${from} to ${to}`.padEnd(46, '.')))

describe('relaying and broadcast on random graphs', () => {
  it('delivers every broadcast and every unicast exactly once', async () => {
    await fc.assert(fc.asyncProperty(graphs, async ({ n, parents, extra }) => {
      const mesh = new SimMesh(Array.from({ length: n }, (_, i) => `n${i}`))
      parents.forEach((p, k) => mesh.link(p, k + 1))
      for (const [i, j] of extra) if (i !== j && !mesh.links[i].has(j)) mesh.link(i, j)
      mesh.relayTheRest()
      mesh.routeByBfs()
      const nodes = mesh.nodes

      // every router broadcasts once (this also teaches everyone where each MAC lives)
      for (const x of nodes) x.tap.inject(tagged(BROADCAST_MAC, x.mac, x.index, -1))
      await settle()
      for (const x of nodes) {
        const got = x.tap.written.map((f) => f.subarray(14).toString().replace(/\.+$/, '')).sort()
        const want = nodes.filter((y) => y !== x).map((y) => `from ${y.index} to -1`).sort()
        expect(got).toEqual(want)
        x.tap.written.length = 0
      }

      // every router sends one unicast to every other
      for (const x of nodes) for (const y of nodes) if (x !== y) x.tap.inject(tagged(y.mac, x.mac, x.index, y.index))
      await settle()
      for (const y of nodes) {
        const got = y.tap.written.map((f) => f.toString('hex')).sort()
        const want = nodes.filter((x) => x !== y).map((x) => tagged(y.mac, x.mac, x.index, y.index).toString('hex')).sort()
        expect(got).toEqual(want)
      }
      for (const x of nodes) expect(totalDrops(x.dp)).toBe(0)
      // transit datagrams: a unicast is forwarded once per hop after the first, a broadcast once
      // per tree link not leaving its source (one datagram each: every batch fits one bundle)
      let transit = 0
      for (const x of nodes) {
        const depth = depths(mesh.links, x.index)
        for (const y of nodes) if (y !== x) transit += depth[y.index] - 1
        transit += n - 1 - mesh.links[x.index].size
      }
      expect(nodes.reduce((sum, x) => sum + x.dp.traffic().relayedPackets, 0)).toBe(transit)
    }), { numRuns: 40 })
  })
})

/** Hops from `root` to each node over `links`. */
function depths(links: ReadonlyArray<ReadonlySet<number>>, root: number): number[] {
  const parent = bfsParents(links, root)
  return parent.map((_, i) => {
    let d = 0
    for (let at = i; at !== root; at = parent[at]) d++
    return d
  })
}
