// One scenario over every shape the simulated mesh can start in (30 routers each):
//
//   random-sparse  o-o-o     line  o-o-o-o-o     ring  o-o-o     star    o o
//                  |/ \|                               |   |          o-o-o
//                  o   o-o                             o-o-o            o o
//
// converge -> RTTs published -> every route is a shortest path by measured RTT plus hop cost (checked against
// a plain Dijkstra over the links the test asked for) and loop-free -> the busiest router
// restarts -> converge again -> everyone knows its new restartId and routes are shortest again.
import { HOP_COST_MS } from '@weft/gossip'
import type { SimMesh } from '@weft/testing'
import { SIM_MESH_SHAPES, createSimMesh, referenceDistances } from '@weft/testing'
import { describe, expect, it } from 'vitest'

const N = 30
const SECOND = 1000

/** Routes that are not shortest paths (by 2 x one-way delay plus the hop cost per link) or do not arrive. */
function badRoutes (mesh: SimMesh): string[] {
  const weight = (a: number, b: number): number => 2 * mesh.delayMs(a, b)! + HOP_COST_MS
  const bad: string[] = []
  for (let from = 0; from < N; from++) {
    const best = referenceDistances(N, mesh.edges(), (e) => weight(e.from, e.to), from)
    for (let to = 0; to < N; to++) {
      if (to === from) continue
      const route = mesh.route(from, to)
      let total = 0
      for (let h = 1; h < route.hops.length; h++) total += weight(route.hops[h - 1], route.hops[h])
      if (!route.reached || route.loop || total !== best[to]) bad.push(`r${from}->r${to}: ${route.hops.join(',')} weighs ${total}, best ${best[to]}`)
    }
  }
  return bad
}

describe.each(SIM_MESH_SHAPES)('a simulated %s mesh', (shape) => {
  it('converges, routes along shortest paths, and re-learns a restarted router', () => {
    const mesh = createSimMesh({ seed: 31, peers: N, topology: shape })
    const first = mesh.runUntilConverged({ maxMs: 60 * SECOND })
    expect(first.met).toBe(true)
    expect(mesh.runUntilConverged({ maxMs: 60 * SECOND, rtts: true }).met).toBe(true)
    expect(badRoutes(mesh)).toEqual([])

    const degree = mesh.routers.map((_, i) => mesh.edges().filter((e) => e.from === i || e.to === i).length)
    const k = degree.indexOf(Math.max(...degree))
    const fresh = mesh.restart(k)
    const again = mesh.runUntilConverged({ maxMs: 60 * SECOND, rtts: true })
    console.log(`sim: ${shape} x${N}: converged after ${first.elapsedMs.toFixed(0)} ms simulated; ` +
      `r${k} restarted, converged with RTTs ${again.elapsedMs.toFixed(0)} ms later`)
    expect(again.met).toBe(true)
    for (const router of mesh.routers) expect(router.topology.get(fresh.selfId)?.restartId).toBe(fresh.restartId)
    expect(badRoutes(mesh)).toEqual([])
  }, 120_000)
})
