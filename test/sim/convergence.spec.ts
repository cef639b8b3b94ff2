// 200 simulated routers, each the real gossip engine + topology + route table on netsim's
// virtual clock, in a random sparse mesh (a random recursive tree plus extra links, mean degree 4),
// all started at the same instant:
//
//     r7 ---- r2 ---- r0 ---- r1        every router dials its links at t = 0 over netsim streams
//      |       |     /  \      |        (1-20 ms one way), says hello, publishes its own record at
//     r9      r4 - r3    r5 -- r8       every link change and relays what is new. Checks: every
//              ...          ...         router holds every current record, sees exactly the links
//                                       asked for, and its next hops reach everyone without loops.
import { createSimMesh } from '@weft/testing'
import { describe, expect, it } from 'vitest'

const PEERS = 200
const SEED = 20261124

describe('a simulated mesh of 200 routers', () => {
  it('converges on one topology, and next hops lead from every router to every other without loops', () => {
    const mesh = createSimMesh({ seed: SEED, peers: PEERS, topology: 'random-sparse' })
    expect(mesh.converged()).toBe(false)
    const { met, elapsedMs } = mesh.runUntilConverged({ maxMs: 60_000 })
    const sent = mesh.routers.map((_, i) => mesh.bytesSent(i))
    console.log(`sim: ${PEERS} routers, random-sparse, ${mesh.edges().length} links: converged after ${elapsedMs.toFixed(0)} ms ` +
      `simulated; bytes sent per router mean ${Math.round(sent.reduce((a, b) => a + b, 0) / PEERS)}, max ${Math.max(...sent)}`)
    expect(met).toBe(true)

    // every router's view is the mesh that was asked for: the wanted links, reported by both ends
    const wanted = new Map(mesh.ids.map((id) => [id, new Set<string>()]))
    for (const e of mesh.edges()) {
      wanted.get(mesh.ids[e.from])!.add(mesh.ids[e.to])
      wanted.get(mesh.ids[e.to])!.add(mesh.ids[e.from])
    }
    for (const router of mesh.routers) {
      const records = router.topology.peers()
      expect(records).toHaveLength(PEERS)
      for (const rec of records) {
        const owner = mesh.routers[mesh.ids.indexOf(rec.id)]
        expect(rec.restartId).toBe(owner.restartId)
        expect(new Set(rec.connections.filter((c) => c.established).map((c) => c.peer))).toEqual(wanted.get(rec.id))
      }
    }

    // unicast: from every router to every other, along established links, no loops
    const failures: string[] = []
    for (let from = 0; from < PEERS; from++) {
      for (let to = 0; to < PEERS; to++) {
        if (from === to) continue
        const route = mesh.route(from, to)
        if (!route.reached || route.loop) failures.push(`r${from} -> r${to}: ${route.loop ? 'loop' : 'dead end'} ${route.hops.join(',')}`)
      }
    }
    expect(failures.slice(0, 5)).toEqual([])
  }, 300_000)

  it('runs the same way twice from the same seed, and differently from another', () => {
    const run = (seed: number) => {
      const mesh = createSimMesh({ seed, peers: 20 })
      const { met, elapsedMs } = mesh.runUntilConverged({ maxMs: 60_000 })
      mesh.clock.advance(25_000) // refreshes, heartbeats and anti-entropy rounds too
      return { met, elapsedMs, ids: mesh.ids, restartIds: mesh.routers.map((r) => r.restartId), sent: mesh.routers.map((_, i) => mesh.traffic(i)) }
    }
    const a = run(7)
    const b = run(7)
    const c = run(8)
    expect(a.met).toBe(true)
    expect(b).toEqual(a)
    expect(c.ids).not.toEqual(a.ids)
    expect(c.sent).not.toEqual(a.sent)
  })
})
