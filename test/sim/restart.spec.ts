// A router of a settled simulated mesh restarts: same identity, new restartId, empty state,
// version 0. Its neighbours send it their full state, in which it finds its own old record at a
// higher version; it takes that version + 1 so that its new record wins everywhere.
//
//     r3 --- r0 --- r5          r0 stops (goodbye on every link), a fresh r0 starts at once and
//     |     /  \     |          redials its links; the others redial the links they own.
//     r8 - r1    r2 - r6
import { createSimMesh } from '@weft/testing'
import { describe, expect, it } from 'vitest'

const SECOND = 1000

describe('a restarted router in a simulated mesh', () => {
  it('is re-learnt by every router with its new restartId, at a version above its old one', () => {
    const n = 50
    const mesh = createSimMesh({ seed: 21, peers: n })
    expect(mesh.runUntilConverged({ maxMs: 60 * SECOND, rtts: true }).met).toBe(true)
    // the busiest router: the most links to drop and re-form
    const degree = mesh.routers.map((_, i) => mesh.edges().filter((e) => e.from === i || e.to === i).length)
    const k = degree.indexOf(Math.max(...degree))
    const old = mesh.routers[k]
    const oldVersion = old.topology.self().version
    const sentBefore = mesh.bytesSent(k)
    expect(oldVersion).toBeGreaterThan(degree[k]) // a link change each, plus RTTs

    const fresh = mesh.restart(k)
    expect(fresh).not.toBe(old)
    expect(fresh.selfId).toBe(old.selfId)
    expect(fresh.restartId).not.toBe(old.restartId)
    expect(fresh.topology.self().version).toBe(0)
    expect(fresh.topology.peers()).toHaveLength(1)
    expect(mesh.converged()).toBe(false)

    const { met, elapsedMs } = mesh.runUntilConverged({ maxMs: 60 * SECOND })
    console.log(`sim: r${k} (${degree[k]} links) restarted, mesh converged again after ${elapsedMs.toFixed(0)} ms simulated`)
    expect(met).toBe(true)
    for (const router of mesh.routers) {
      const seen = router.topology.get(fresh.selfId)!
      expect(seen.restartId).toBe(fresh.restartId)
      expect(seen.version).toBeGreaterThan(oldVersion)
    }
    expect(fresh.topology.stats().selfBumps).toBeGreaterThan(0)
    expect(fresh.topology.peers()).toHaveLength(n)
    expect(mesh.bytesSent(k)).toBeGreaterThan(sentBefore) // counted per slot, across restarts
    for (let i = 0; i < n; i++) if (i !== k) expect(mesh.route(i, k).reached && mesh.route(k, i).reached).toBe(true)
  }, 120_000)
})
