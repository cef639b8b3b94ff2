// Fifty allocators on gossip engines over a fake network with partitions, on one virtual clock:
//
//     group 1          group 2          peers allocate everywhere at once, mostly on peers that
//   o---o---o   ||   o---o---o          own nothing (so space moves by donation), while the mesh
//    \  |  /    ||    \  |              splits and heals; a peer dies inside a partition, is taken
//     o-o-o     ||     o-o              over, and comes back. Checked all along: no address held
//                                       twice, no space owned twice; at the end, one ring, whole.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ringProblems } from '../src/index.js'
import { IpamMesh, randomGraph, type Outcome } from './helpers/ipam-mesh.js'
import { randomIds } from './helpers/sim-clock.js'

// one fixed seed: every run explores the same cases (a failure prints its counterexample)
fc.configureGlobal({ seed: 20_261_124 })

const SECOND = 1000

/** Runs the mesh, checking the safety invariants before every timer; returns the first violation. */
async function runChecked(mesh: IpamMesh, ms: number, done: () => boolean = () => false): Promise<string[]> {
  let bad: string[] = []
  await mesh.runUntil(() => {
    bad = [...mesh.duplicates(), ...mesh.ownershipOverlaps()]
    return bad.length > 0 || done()
  }, ms)
  return bad
}

function build(seed: number, n: number, seeds: number) {
  const mesh = new IpamMesh({ seed, init: { range: '10.32.0.0/20', allocateTimeoutMs: 60 * SECOND, donationRetryMs: 2 * SECOND } })
  const ids = randomIds(mesh.random, n)
  const seedList = ids.slice(0, seeds)
  for (const id of ids) mesh.add(id, { kind: 'seed', peers: seedList })
  for (const [a, b] of randomGraph(ids, mesh.random, n / 2)) mesh.connect(a, b)
  return { mesh, ids }
}

describe('ipam simulation', () => {
  it('50 peers allocating through partitions and heals never hold one address twice', async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), async (seed) => {
      const { mesh, ids } = build(seed, 50, 5)
      const outcomes: Outcome[] = []
      let next = 0
      const burst = (count: number): void => {
        for (let i = 0; i < count; i++) outcomes.push(mesh.allocate(ids[Math.floor(mesh.random() * ids.length)], `c${next++}`))
      }
      burst(60)
      expect(await runChecked(mesh, 5 * SECOND)).toEqual([])
      for (let round = 0; round < 3; round++) {
        const shuffled = [...ids].sort(() => mesh.random() - 0.5)
        const cut = 10 + Math.floor(mesh.random() * 30)
        mesh.partition([shuffled.slice(0, cut), shuffled.slice(cut)])
        burst(60)
        // some containers go away
        for (let k = 0; k < 10; k++) {
          const o = outcomes[Math.floor(mesh.random() * outcomes.length)]
          if (o.result !== undefined) void mesh.peer(o.peer).ipam.release(o.containerId).catch(() => {})
        }
        expect(await runChecked(mesh, 20 * SECOND)).toEqual([])
        mesh.partition(null)
        burst(20)
        expect(await runChecked(mesh, 20 * SECOND)).toEqual([])
      }
      expect(await runChecked(mesh, 120 * SECOND, () => outcomes.every((o) => o.result !== undefined || o.error !== undefined))).toEqual([])
      expect(outcomes.every((o) => o.result !== undefined || o.error !== undefined)).toBe(true)
      expect(await runChecked(mesh, 60 * SECOND, () => mesh.converged())).toEqual([])
      expect(mesh.converged()).toBe(true)
      const ring = mesh.peer(ids[0]).ipam.full().ring!
      expect(ringProblems(ring)).toEqual([])
      // most allocations succeed: the ones that did not waited out a partition with no donor
      const ok = outcomes.filter((o) => o.result !== undefined).length
      expect(ok).toBeGreaterThan(outcomes.length * 0.8)
      for (const o of outcomes) if (o.error !== undefined) expect((o.error as { code?: string }).code).toBe('ERR_TIMEOUT')
      const donated = ids.reduce((n, id) => n + mesh.peer(id).ipam.stats().donationsGiven, 0)
      expect(donated).toBeGreaterThan(0)
      for (const id of ids) {
        expect(mesh.peer(id).ipam.stats().conflicts).toBe(0)
        expect(mesh.peer(id).ipam.stats().revoked).toBe(0)
      }
    }), { numRuns: 2 })
  }, 120_000)

  it('a peer killed and taken over while partitioned comes back without duplicates', async () => {
    const { mesh, ids } = build(99, 12, 4)
    const dead = ids[0] // a seed: it owns space
    const taker = ids[1]
    const before = ids.slice(0, 6).map((id, i) => mesh.allocate(id, `early${i}`))
    expect(await runChecked(mesh, 10 * SECOND, () => before.every((o) => o.result !== undefined) && mesh.converged())).toEqual([])
    mesh.partition([[dead]])
    const late = [mesh.allocate(dead, 'cut-off-1'), mesh.allocate(dead, 'cut-off-2')]
    expect(await runChecked(mesh, 2 * SECOND, () => late.every((o) => o.result !== undefined))).toEqual([])
    mesh.kill(dead)
    expect(await mesh.peer(taker).ipam.takeOver(dead)).toBeGreaterThan(0)
    // the taker fills the dead peer's old space, which it now owns
    const taken = Array.from({ length: 40 }, (_, i) => mesh.allocate(taker, `taken${i}`))
    expect(await runChecked(mesh, 20 * SECOND, () => taken.every((o) => o.result !== undefined))).toEqual([])
    // it comes back, still cut off: it must not allocate from what it remembers
    const back = mesh.restart(dead)
    const early = mesh.allocate(dead, 'after-restart')
    expect(await runChecked(mesh, 5 * SECOND)).toEqual([])
    expect(early.result).toBeUndefined()
    expect(back.ipam.status().blocked).toMatch(/restarted .* waiting to hear from peers/)
    mesh.partition(null)
    expect(await runChecked(mesh, 60 * SECOND, () => early.result !== undefined && mesh.converged())).toEqual([])
    expect(early.result).toBeDefined()
    expect(mesh.duplicates()).toEqual([])
    // its addresses inside the taken space were revoked, loudly
    const revoked = back.ipam.status().revoked.map((a) => a.containerId)
    expect(revoked.length).toBeGreaterThan(0)
    expect(back.ipam.stats().revoked).toBe(revoked.length)
    expect(back.ipam.status().notes.join()).toMatch(/revoked/)
  })

  it('two peers taking over the same dead peer at once converge on one owner', async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), async (seed) => {
      const { mesh, ids } = build(seed, 10, 5)
      for (let i = 2; i < ids.length; i++) mesh.connect(ids[i - 1], ids[i]) // still connected without ids[0]
      await mesh.runUntil(() => false, SECOND)
      expect(mesh.allocate(ids[5], 'x')).toBeDefined()
      expect(await runChecked(mesh, 10 * SECOND, () => mesh.converged())).toEqual([])
      const dead = ids[0]
      mesh.kill(dead)
      const [p, q] = [ids[1], ids[2]]
      mesh.partition([[p], [q]]) // so neither hears of the other until both have acted
      const [tp, tq] = await Promise.all([mesh.peer(p).ipam.takeOver(dead), mesh.peer(q).ipam.takeOver(dead)])
      expect(tp).toBe(tq)
      // both own the space now, each in its own view: the documented limit of takeover under a
      // partition. Healed, the tie-break leaves one owner, and the other lets go.
      expect(mesh.ownershipOverlaps()).not.toEqual([])
      mesh.partition(null)
      expect(await mesh.runUntil(() => mesh.converged(), 60 * SECOND)).toBe(true)
      expect(mesh.ownershipOverlaps()).toEqual([])
      const ring = mesh.peer(ids[3]).ipam.full().ring!
      expect([...ring.entries.values()].some((e) => e.owner === dead)).toBe(false)
      expect(ringProblems(ring)).toEqual([])
      const winner = p < q ? p : q
      expect(mesh.peer(ids[3]).ipam.status().peers.find((s) => s.peer === winner)!.owned)
        .toBeGreaterThan(mesh.peer(ids[3]).ipam.status().peers.find((s) => s.peer === (winner === p ? q : p))!.owned)
      expect(ids.reduce((n, id) => n + (mesh.peer(id).alive ? mesh.peer(id).ipam.stats().conflicts : 0), 0)).toBeGreaterThan(0)
    }), { numRuns: 3 })
  })

  it('reclaims only the free space of a peer unreachable past the grace period', async () => {
    const mesh = new IpamMesh({ seed: 5, init: { range: '10.32.0.0/22', reclaimAfterMs: 60 * SECOND } })
    const ids = randomIds(mesh.random, 4)
    for (const id of ids) mesh.add(id, { kind: 'seed', peers: ids })
    for (let i = 1; i < ids.length; i++) mesh.connect(ids[i - 1], ids[i])
    const [busy, idle] = [ids[2], ids[3]]
    const o = mesh.allocate(busy, 'keeps-its-space')
    mesh.allocate(ids[0], 'start')
    expect(await runChecked(mesh, 10 * SECOND, () => o.result !== undefined && mesh.converged())).toEqual([])
    mesh.kill(busy)
    mesh.kill(idle)
    await runChecked(mesh, 30 * SECOND)
    const view = () => mesh.peer(ids[0]).ipam.status().peers
    expect(view().map((p) => p.peer)).toContain(idle) // not yet: the grace period runs
    expect(await runChecked(mesh, 60 * SECOND)).toEqual([])
    expect(view().map((p) => p.peer)).not.toContain(idle) // all free: reclaimed
    expect(view().find((p) => p.peer === busy)?.owned).toBeGreaterThan(0) // has an allocation: kept
    expect(mesh.peer(ids[0]).ipam.stats().reclaimed + mesh.peer(ids[1]).ipam.stats().reclaimed).toBe(256)
    // the idle peer comes back: it learns its space is gone before it can allocate from it
    const back = mesh.restart(idle)
    const a = mesh.allocate(idle, 'returning')
    expect(await runChecked(mesh, 60 * SECOND, () => a.result !== undefined)).toEqual([])
    expect(back.ipam.stats().revoked).toBe(0)
  })
})
