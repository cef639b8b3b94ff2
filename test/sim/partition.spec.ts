// A simulated mesh cut in two and healed. The halves are the two sides of one edge of a spanning
// tree, so each half stays connected on its own:
//
//         side A                      side B
//     r0 --- r3 --- r5   ╳ ╳ ╳   r9 --- r12 --- r14
//      |      |       \  ╳ ╳ ╳  /        |
//     r1     r4 ------ r7 ╳ ╳ r11 ---- r13        links across stall, their heartbeats stop,
//                                                  both ends drop them after 6 s and each side
//                                                  settles on its own view; heal: they redial.
import type { SimMesh } from '@weft/testing'
import { createSimMesh, treeBisection } from '@weft/testing'
import { describe, expect, it } from 'vitest'

const SECOND = 1000

function crossing (mesh: SimMesh, a: readonly number[]): number[] {
  const inA = new Set(a)
  return mesh.edges().filter((e) => inA.has(e.from) !== inA.has(e.to)).map((e) => (inA.has(e.from) ? e.to : e.from))
}

describe('a partitioned simulated mesh', () => {
  it('settles on one view per side, and on one view again after the heal', () => {
    const n = 60
    const mesh = createSimMesh({ seed: 11, peers: n })
    expect(mesh.runUntilConverged({ maxMs: 60 * SECOND }).met).toBe(true)
    const [a, b] = treeBisection(n, mesh.edges())
    const bAcross = crossing(mesh, a) // routers of B with a link into A
    expect(bAcross.length).toBeGreaterThan(0)

    mesh.partition(a, b)
    expect(mesh.converged(a)).toBe(false) // routes still cross: nothing noticed yet
    const cut = mesh.runUntilConverged({ maxMs: 60 * SECOND, groups: [a, b] })
    console.log(`sim: ${n} routers cut ${a.length}/${b.length}: each side settled after ${cut.elapsedMs.toFixed(0)} ms simulated`)
    expect(cut.met).toBe(true)
    expect(mesh.converged()).toBe(false)
    const bIds = new Set(b.map((i) => mesh.ids[i]))
    for (const i of a) {
      const router = mesh.routers[i]
      expect([...router.routes.current().unicast.keys()].filter((id) => bIds.has(id))).toEqual([])
      // A still holds what B looked like before the cut: older than what B now says of itself
      for (const j of bAcross) expect(router.topology.get(mesh.ids[j])!.version).toBeLessThan(mesh.routers[j].topology.self().version)
    }

    mesh.heal()
    const healed = mesh.runUntilConverged({ maxMs: 60 * SECOND })
    console.log(`sim: healed, whole mesh converged after ${healed.elapsedMs.toFixed(0)} ms simulated`)
    expect(healed.met).toBe(true)
    for (const i of a) for (const j of b) expect(mesh.route(i, j).reached).toBe(true)
  }, 120_000)

  it('forgets the other side during a long partition, and re-learns it after the heal', () => {
    // A router of the other side whose record did not change meanwhile is still held as a
    // tombstone (same restartId and version): it must be taken back as soon as it is reachable
    // again, not only once the tombstone expires 60 s later.
    const n = 30
    const mesh = createSimMesh({ seed: 12, peers: n })
    expect(mesh.runUntilConverged({ maxMs: 60 * SECOND, rtts: true }).met).toBe(true)
    const [a, b] = treeBisection(n, mesh.edges())
    mesh.partition(a, b)
    mesh.clock.advance(80 * SECOND) // > 6 s to notice + 60 s grace + one 5 s gc period
    for (const [side, other] of [[a, b], [b, a]]) {
      for (const i of side) {
        const stats = mesh.routers[i].topology.stats()
        expect(stats.records).toBe(side.length)
        expect(stats.tombstones).toBe(other.length)
      }
    }
    mesh.heal()
    // the redial backoff grew during the partition: wait for every link across to be up again
    const across = mesh.edges().filter((e) => a.includes(e.from) !== a.includes(e.to))
    const linksUp = (): boolean => across.every((e) =>
      mesh.routers[e.from].isNeighbour(mesh.ids[e.to]) && mesh.routers[e.to].isNeighbour(mesh.ids[e.from]))
    let waitedMs = 0
    while (!linksUp() && waitedMs < 60 * SECOND) {
      mesh.clock.advance(100)
      waitedMs += 100
    }
    expect(linksUp()).toBe(true)
    // then the mesh must agree within a few gossip round trips, not once the tombstones expire
    const healed = mesh.runUntilConverged({ maxMs: 3 * SECOND })
    console.log(`sim: after an 80 s partition, links across were up ${waitedMs} ms after the heal and the whole mesh converged ${healed.elapsedMs.toFixed(0)} ms later`)
    expect(healed.met).toBe(true)
    for (const i of a) for (const j of b) expect(mesh.route(i, j).reached).toBe(true)
  }, 120_000)
})
