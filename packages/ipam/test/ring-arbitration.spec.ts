// Two groups launched with disjoint peer lists (the router's default: consensus with a majority
// of the peers on the launch line) each create a whole ring. No quorum a peer can derive from its
// own launch line stops that: each group only knows itself. What keeps addresses unique is what
// happens when they meet: the ring that outranks the other (more seeds, then the smaller id)
// replaces it everywhere, and the other group's peers revoke their allocations and get new ones.
//
//     a - b - c    d - e        then c --- d: one ring, no overlapping ownership, no duplicates
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { joinIpam, outranks, parseCidr, seedRing, type InitMode, type IpamState } from '../src/index.js'
import { ipamState } from '../src/ipam-state.js'
import { IpamMesh, type Outcome } from './helpers/ipam-mesh.js'
import { randomIds } from './helpers/sim-clock.js'

fc.configureGlobal({ seed: 20_261_206 })

const SECOND = 1000
// what `weft launch` derives for a peer naming P others: floor((P + 1) / 2) + 1
const derived = (others: number): InitMode => ({ kind: 'consensus', quorum: Math.floor((others + 1) / 2) + 1 })

async function launchGroup(mesh: IpamMesh, ids: readonly string[], tag: string): Promise<Outcome[]> {
  for (const id of ids) mesh.add(id, derived(ids.length - 1))
  for (let i = 1; i < ids.length; i++) mesh.connect(ids[i - 1], ids[i])
  const outcomes = ids.flatMap((id) => [1, 2, 3].map((k) => mesh.allocate(id, `${tag}-${id.slice(0, 4)}-${k}`)))
  expect(await mesh.runUntil(() => outcomes.every((o) => o.result !== undefined), 60 * SECOND)).toBe(true)
  return outcomes
}

describe('rings of groups initialised apart', () => {
  it('converge on one ring when the groups meet: no overlapping ownership, no duplicate address', async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 2, max: 3 }), fc.integer({ min: 2, max: 3 }), async (seed, n1, n2) => {
      const mesh = new IpamMesh({ seed, init: { range: '10.32.0.0/22', allocateTimeoutMs: 120 * SECOND } })
      const ids = randomIds(mesh.random, n1 + n2)
      const g1 = ids.filter((_, i) => i % 2 === 0).slice(0, n1)
      const g2 = ids.filter((id) => !g1.includes(id)).slice(0, n2)
      await launchGroup(mesh, g1, 'x')
      await launchGroup(mesh, g2, 'y')
      const r1 = mesh.peer(g1[0]).ipam.full().ring!
      const r2 = mesh.peer(g2[0]).ipam.full().ring!
      // the split this test is about: two whole rings, each group owning the whole range
      expect(r1.ringId).not.toBe(r2.ringId)
      const [losers, winner] = outranks(r1, r2) ? [g2, r1] : [g1, r2]
      const lost = losers.flatMap((id) => mesh.peer(id).ipam.list())

      mesh.connect(g1[g1.length - 1], g2[0])
      expect(await mesh.runUntil(() => mesh.converged(), 60 * SECOND)).toBe(true)
      for (const id of ids) expect(mesh.peer(id).ipam.full().ring!.ringId).toBe(winner.ringId)
      expect(mesh.ownershipOverlaps()).toEqual([])
      expect(mesh.duplicates()).toEqual([])
      for (const id of losers) {
        expect(mesh.peer(id).ipam.list()).toEqual([])
        expect(mesh.peer(id).ipam.status().notes.join()).toMatch(/switched to ring/)
      }
      expect(losers.reduce((n, id) => n + mesh.peer(id).ipam.stats().revoked, 0)).toBe(lost.length)

      // what the router does with revoked containers: new addresses, now by donation in the one ring
      const again = lost.map((a) => mesh.allocate(losers.find((id) => a.containerId.includes(id.slice(0, 4)))!, a.containerId))
      expect(await mesh.runUntil(() => again.every((o) => o.result !== undefined), 60 * SECOND)).toBe(true)
      expect(await mesh.runUntil(() => mesh.converged(), 60 * SECOND)).toBe(true)
      expect(mesh.ownershipOverlaps()).toEqual([])
      expect(mesh.duplicates()).toEqual([])
    }), { numRuns: 6 })
  })

  it('the ring of more seeds wins, also over seed mode; a ringless seed peer adopts a ring that outranks its own list', async () => {
    const mesh = new IpamMesh({ seed: 5, init: { range: '10.32.0.0/24', allocateTimeoutMs: 60 * SECOND } })
    const [a, b, c, d, e, f, g] = randomIds(mesh.random, 7)
    for (const id of [a, b, c]) mesh.add(id, { kind: 'seed', peers: [a, b, c] })
    for (const id of [d, e]) mesh.add(id, derived(1))
    mesh.add(f, { kind: 'seed', peers: [f, g] })
    mesh.connect(a, b)
    mesh.connect(b, c)
    mesh.connect(d, e)
    const first = [mesh.allocate(a, 'on-a'), mesh.allocate(d, 'on-d')]
    expect(await mesh.runUntil(() => first.every((o) => o.result !== undefined), 30 * SECOND)).toBe(true)
    mesh.connect(c, d)
    mesh.connect(e, f)
    expect(await mesh.runUntil(() => mesh.converged(), 30 * SECOND)).toBe(true)
    const ring = mesh.peer(f).ipam.full().ring!
    expect(ring.seeds).toEqual([a, b, c].sort())
    expect(mesh.peer(d).ipam.lookup('on-d')).toEqual([])
    expect(mesh.peer(a).ipam.lookup('on-a')).toHaveLength(1)
    const later = mesh.allocate(f, 'on-f')
    expect(await mesh.runUntil(() => later.result !== undefined, 30 * SECOND)).toBe(true)
    expect(mesh.ownershipOverlaps()).toEqual([])
    expect(mesh.duplicates()).toEqual([])
  })

  it('joins whole rings of one range as a CRDT: commutative, associative, idempotent', () => {
    const range = parseCidr('10.32.0.0/24')
    const id = fc.integer({ min: 1, max: 12 }).map((n) => n.toString(16).padStart(2, '0').repeat(32))
    const state = fc.uniqueArray(id, { minLength: 1, maxLength: 4 }).map((seeds) => ipamState({ ring: seedRing(range, seeds) }))
    const ringOf = (s: IpamState): string | undefined => s.ring?.ringId
    const j = (a: IpamState, b: IpamState): IpamState => joinIpam(a, b).state
    fc.assert(fc.property(state, state, state, (a, b, c) => {
      expect(ringOf(j(a, b))).toBe(ringOf(j(b, a)))
      expect(ringOf(j(j(a, b), c))).toBe(ringOf(j(a, j(b, c))))
      expect(ringOf(j(a, a))).toBe(ringOf(a))
      // the winner is the one that outranks every other
      const w = j(j(a, b), c).ring!
      for (const x of [a, b, c]) expect(x.ring!.ringId === w.ringId || outranks(w, x.ring!)).toBe(true)
    }), { numRuns: 200 })
  })
})
