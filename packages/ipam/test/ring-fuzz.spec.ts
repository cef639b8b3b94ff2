// Random operations on replicas of one ring, against an invariant checker. Each replica is one
// peer: it edits only what it owns in its own view (donations of aligned blocks, free counts,
// handing everything over), and sends each write as a delta into a network that reorders and
// loses; anti-entropy sends whole states; a peer may die and be taken over (after its last
// messages are out). Checked after every step:
//
//   - no two live peers own the same address in their own views (the safety rule of the ring);
//   - every replica's entries lie in the range and start at 0.
// A replica that got a later write before an earlier one may hold a gap (space whose owner it has
// not heard of yet: nobody allocates there) or a stale entry reaching past a newer token (the
// view clips it): both are allowed on the way, and the fuzz must meet them. At the end, after full
// anti-entropy: every replica equal, and whole (`ringProblems`: no gap, no overlap).
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { mergeRing, parseCidr, ringProblems, seedRing, viewOf, type RingState } from '../src/index.js'
import { giveBlock, reassign, setFree } from '../src/ring-edit.js'
import { peerId } from './helpers/sim-clock.js'

// one fixed seed: every run explores the same cases (a failure prints its counterexample)
fc.configureGlobal({ seed: 20_261_124 })

const RANGE = parseCidr('10.0.0.0/24')

/** Entries of one replica outside the range, or no entry at 0. */
function rangeProblems(ring: RingState): string[] {
  const es = [...ring.entries.values()].sort((a, b) => a.start - b.start)
  const out: string[] = []
  if (es[0]?.start !== 0) out.push('no entry at 0')
  for (const e of es) if (e.start >= e.end || e.end > RANGE.size) out.push(`entry ${e.start} spans to ${e.end}`)
  return out
}

/** Whether a replica is out of order: a gap, or a stale entry reaching past the next token. */
function outOfOrder(ring: RingState): boolean {
  const es = [...ring.entries.values()].sort((a, b) => a.start - b.start)
  return es.some((e, i) => e.end !== (es[i + 1]?.start ?? RANGE.size))
}

/** Addresses two live replicas each think they own. */
function ownershipOverlaps(replicas: Map<string, RingState>, live: Set<string>): string[] {
  const owned: Array<[number, number, string]> = []
  for (const [id, ring] of replicas) if (live.has(id)) for (const x of viewOf(ring).ownedBy(id)) owned.push([x.start, x.end, id])
  owned.sort((a, b) => a[0] - b[0])
  const out: string[] = []
  for (let i = 1; i < owned.length; i++) if (owned[i][0] < owned[i - 1][1]) out.push(`${owned[i - 1][2].slice(0, 2)} and ${owned[i][2].slice(0, 2)} at ${owned[i][0]}`)
  return out
}

describe('ring under random operations', () => {
  it('never gives one address to two owners, and converges to one whole ring', () => {
    let unsettled = 0
    fc.assert(fc.property(fc.integer({ min: 2, max: 6 }), fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat()), { minLength: 20, maxLength: 300 }), (n, script) => {
      const ids = Array.from({ length: n }, (_, i) => peerId(i + 1))
      const seeds = ids.slice(0, Math.max(1, n - 1)) // the last peer starts with nothing
      const replicas = new Map(ids.map((id) => [id, seedRing(RANGE, seeds)]))
      const live = new Set(ids)
      const net: Array<{ to: string; from: string; ring: RingState }> = []
      const write = (from: string, delta: RingState): void => {
        replicas.set(from, mergeRing(replicas.get(from)!, delta).state)
        for (const to of ids) if (to !== from) net.push({ to, from, ring: delta })
      }
      const receive = (to: string, ring: RingState): void => {
        if (live.has(to)) replicas.set(to, mergeRing(replicas.get(to)!, ring).state)
      }
      for (const [op, a, b] of script) {
        const liveIds = ids.filter((id) => live.has(id))
        const p = liveIds[a % liveIds.length]
        const ring = replicas.get(p)!
        const own = viewOf(ring).ownedBy(p)
        switch (op % 8) {
          case 0: case 1: { // donate an aligned block of one of our extents
            if (own.length === 0) break
            const x = own[b % own.length]
            const size = 2 ** (Math.floor(Math.log2(x.end - x.start)) - (b % 3))
            const lo = Math.ceil(x.start / Math.max(1, size)) * Math.max(1, size)
            const s = Math.max(1, size)
            if (lo + s > x.end) break
            const to = ids[(a + 1 + (b % (n - 1))) % n]
            if (to === p) break
            write(p, giveBlock(ring, p, lo, lo + s, to, s, (u, v) => v - u))
            break
          }
          case 2: { // a new free count
            if (own.length === 0) break
            const x = own[b % own.length]
            write(p, setFree(ring, p, x.start, b % (x.end - x.start + 1)))
            break
          }
          case 3: { // hand everything to another live peer
            const to = liveIds[b % liveIds.length]
            if (to !== p && own.length > 0 && b % 4 === 0) write(p, reassign(ring, own, to, (x) => x.end - x.start))
            break
          }
          case 4: case 5: { // the network delivers, duplicates or loses something
            if (net.length === 0) break
            const i = b % net.length
            const m = net[i]
            if (op % 8 === 4 || b % 5 !== 0) net.splice(i, 1)
            if (b % 7 !== 0) receive(m.to, m.ring)
            break
          }
          case 6: { // anti-entropy: a full state to one peer
            const q = liveIds[b % liveIds.length]
            receive(q, replicas.get(p)!)
            break
          }
          case 7: { // p dies (rarely); once its last words are out, q takes it over
            if (liveIds.length < 3 || b % 6 !== 0) break
            live.delete(p)
            for (const id of ids) receive(id, replicas.get(p)!)
            const q = liveIds.find((id) => id !== p)!
            const theirs = viewOf(replicas.get(q)!).ownedBy(p)
            if (theirs.length > 0) write(q, reassign(replicas.get(q)!, theirs, q, (x) => x.end - x.start))
            break
          }
        }
        expect(ownershipOverlaps(replicas, live)).toEqual([])
        for (const id of live) {
          expect(rangeProblems(replicas.get(id)!)).toEqual([])
          if (outOfOrder(replicas.get(id)!)) unsettled++
        }
      }
      // full anti-entropy among the living: everyone equal and whole
      for (let round = 0; round < 2; round++) for (const a of live) for (const b of live) receive(b, replicas.get(a)!)
      const texts = new Set([...live].map((id) => [...replicas.get(id)!.entries.values()].sort((x, y) => x.start - y.start).map((e) => JSON.stringify(e)).join()))
      expect(texts.size).toBe(1)
      const final = replicas.get([...live][0])!
      expect(ringProblems(final)).toEqual([])
      expect(viewOf(final).shares().size).toBeGreaterThan(0)
    }), { numRuns: 300 })
    expect(unsettled).toBeGreaterThan(0) // the fuzz did reach out-of-order states
  })
})
