// Ring initialisation by consensus (`consensus=N`), over real gossip engines on a virtual clock:
//
//     a --- b --- c          N = 3: nothing is allocated until three peers take part; then one
//           |                ring, the same everywhere. With up to 2N - 1 participants, racing
//           d --- e          proposers and a proposer that dies, still exactly one ring.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ringProblems, type InitMode } from '../src/index.js'
import { IpamMesh, randomGraph } from './helpers/ipam-mesh.js'
import { randomIds } from './helpers/sim-clock.js'

// one fixed seed: every run explores the same cases (a failure prints its counterexample)
fc.configureGlobal({ seed: 20_261_124 })

const SECOND = 1000
const consensus = (quorum: number): InitMode => ({ kind: 'consensus', quorum })

describe('consensus initialisation', () => {
  it('blocks until the third of N = 3 peers arrives, and status says why', async () => {
    const mesh = new IpamMesh({ seed: 7, init: { range: '10.32.0.0/24', allocateTimeoutMs: 60 * SECOND } })
    const [a, b, c] = randomIds(mesh.random, 3)
    mesh.add(a, consensus(3))
    mesh.add(b, consensus(3))
    mesh.add(c, consensus(3))
    expect(mesh.peer(a).ipam.status().blocked).toMatch(/consensus among 3 peers: not started/)
    const first = mesh.allocate(a, 'web')
    await mesh.runUntil(() => false, 5 * SECOND)
    expect(mesh.peer(a).ipam.status().blocked).toMatch(/waiting for 2 of 3 peers for consensus: 1 known/)
    mesh.connect(a, b)
    await mesh.runUntil(() => false, 10 * SECOND)
    expect(first.result).toBeUndefined()
    expect(first.error).toBeUndefined()
    const blocked = mesh.peer(a).ipam.status().blocked!
    expect(blocked).toMatch(/waiting for 1 of 3 peers for consensus: 2 known/)
    expect(blocked).toContain(b.slice(0, 12))
    expect(mesh.peer(b).ipam.status().blocked).toMatch(/waiting for 1 of 3 peers/)
    mesh.connect(b, c)
    expect(await mesh.runUntil(() => first.result !== undefined, 10 * SECOND)).toBe(true)
    expect(await mesh.runUntil(() => mesh.converged(), 10 * SECOND)).toBe(true)
    const ring = mesh.peer(c).ipam.full().ring!
    expect(ring.seeds).toEqual([a, b, c])
    expect(ringProblems(ring)).toEqual([])
    for (const id of [a, b, c]) expect(mesh.peer(id).ipam.status().blocked).toBeNull()
  })

  it('a late allocation times out with the consensus status in its message', async () => {
    const mesh = new IpamMesh({ seed: 8, init: { range: '10.32.0.0/24', allocateTimeoutMs: 5 * SECOND } })
    const [a] = randomIds(mesh.random, 1)
    mesh.add(a, consensus(2))
    const o = mesh.allocate(a, 'web')
    await mesh.runUntil(() => o.error !== undefined, 10 * SECOND)
    expect(o.error?.message).toMatch(/no address after 5000 ms: waiting for 1 of 2 peers for consensus/)
  })

  it('decides exactly one ring among up to 2N - 1 participants with racing proposers', async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 4 }), async (seed, quorum) => {
      const mesh = new IpamMesh({ seed, init: { range: '10.32.0.0/22', allocateTimeoutMs: 120 * SECOND } })
      const n = 2 * quorum - 1
      const ids = randomIds(mesh.random, n)
      for (const id of ids) mesh.add(id, consensus(quorum))
      for (const [x, y] of randomGraph(ids, mesh.random, n)) mesh.connect(x, y)
      // several peers want addresses at once: each may propose
      const outcomes = ids.filter(() => mesh.random() < 0.7).map((id) => mesh.allocate(id, `c-${id.slice(0, 4)}`))
      if (outcomes.length === 0) outcomes.push(mesh.allocate(ids[0], 'c'))
      expect(await mesh.runUntil(() => outcomes.every((o) => o.result !== undefined), 60 * SECOND)).toBe(true)
      expect(await mesh.runUntil(() => mesh.converged(), 60 * SECOND)).toBe(true)
      const ringIds = new Set(ids.map((id) => mesh.peer(id).ipam.full().ring?.ringId))
      expect(ringIds.size).toBe(1)
      expect(mesh.peer(ids[0]).ipam.full().ring!.seeds).toHaveLength(quorum)
      expect(mesh.duplicates()).toEqual([])
      for (const id of ids) expect(mesh.peer(id).ipam.stats().foreignRings).toBe(0)
    }), { numRuns: 12 })
  })

  it('still decides when the first proposer dies mid-ballot', async () => {
    const mesh = new IpamMesh({ seed: 11, init: { range: '10.32.0.0/24', allocateTimeoutMs: 120 * SECOND } })
    const ids = randomIds(mesh.random, 4)
    for (const id of ids) mesh.add(id, consensus(3))
    for (let i = 1; i < ids.length; i++) mesh.connect(ids[0], ids[i])
    for (let i = 2; i < ids.length; i++) mesh.connect(ids[1], ids[i])
    mesh.allocate(ids[0], 'doomed')
    // run until the proposer's ballot is out, then kill it before a decision
    expect(await mesh.runUntil(() => [...mesh.peer(ids[1]).ipam.full().paxos.values()].some((r) => r.promised.round > 0), 10 * SECOND)).toBe(true)
    mesh.kill(ids[0])
    expect(mesh.peer(ids[1]).ipam.full().ring).toBeNull()
    const o = mesh.allocate(ids[2], 'survivor')
    expect(await mesh.runUntil(() => o.result !== undefined, 60 * SECOND)).toBe(true)
    expect(await mesh.runUntil(() => mesh.converged(), 30 * SECOND)).toBe(true)
    expect(new Set(ids.slice(1).map((id) => mesh.peer(id).ipam.full().ring?.ringId)).size).toBe(1)
  })

  it('observers never take part, adopt the ring, and get space by donation', async () => {
    const mesh = new IpamMesh({ seed: 12, init: { range: '10.32.0.0/24' } })
    const [a, b, o] = randomIds(mesh.random, 3)
    mesh.add(a, consensus(2))
    mesh.add(b, consensus(2))
    mesh.add(o, { kind: 'observer' })
    mesh.connect(a, o)
    mesh.connect(o, b)
    const x = mesh.allocate(o, 'from-observer')
    await mesh.runUntil(() => false, 5 * SECOND)
    expect(mesh.peer(o).ipam.status().blocked).toMatch(/observer/)
    const y = mesh.allocate(a, 'from-a')
    expect(await mesh.runUntil(() => x.result !== undefined && y.result !== undefined, 60 * SECOND)).toBe(true)
    expect(mesh.peer(a).ipam.full().ring!.seeds).toEqual([a, b].sort())
    expect(mesh.peer(a).ipam.full().paxos.has(o)).toBe(false)
    expect(mesh.peer(o).ipam.stats().donationsReceived).toBeGreaterThan(0)
    expect(mesh.duplicates()).toEqual([])
  })
})
