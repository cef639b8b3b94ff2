// The ring CRDT and the channel state built on it: merge laws (commutative, associative,
// idempotent, and `merge` returns exactly what was new), seeding, and the view's ownership rules.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { encodeIpam, joinIpam, mergeRing, parseCidr, ringProblems, seedRing, viewOf, type IpamState } from '../src/index.js'
import { BASE_RING, OWNERS, RANGE, ringArb, stateArb } from './helpers/arbitraries.js'
import { peerId } from './helpers/sim-clock.js'

// one fixed seed: every run explores the same cases (a failure prints its counterexample)
fc.configureGlobal({ seed: 20_261_124 })

/** Canonical bytes of a state, for equality. */
const bytes = (s: IpamState): string => Buffer.from(encodeIpam(s)).toString('hex')
const join = (a: IpamState, b: IpamState): IpamState => joinIpam(a, b).state

describe('ring merge laws', () => {
  it('is commutative, associative and idempotent', () => {
    fc.assert(fc.property(stateArb, stateArb, stateArb, (a, b, c) => {
      expect(bytes(join(a, b))).toBe(bytes(join(b, a)))
      expect(bytes(join(join(a, b), c))).toBe(bytes(join(a, join(b, c))))
      expect(bytes(join(a, a))).toBe(bytes(a))
      expect(joinIpam(join(a, b), b).delta).toBeNull()
    }), { numRuns: 500 })
  })

  it('returns exactly what was new: applying the delta gives the same state, and nothing in it was known', () => {
    fc.assert(fc.property(stateArb, stateArb, (a, b) => {
      const { state, delta } = joinIpam(a, b)
      if (delta === null) {
        expect(bytes(state)).toBe(bytes(a))
        return
      }
      expect(bytes(join(a, delta))).toBe(bytes(state))
      // every part of the delta came from b and changed a
      for (const e of delta.ring?.entries.values() ?? []) {
        expect(b.ring?.entries.get(e.start)).toEqual(e)
        expect(a.ring?.entries.get(e.start)).not.toEqual(e)
      }
      for (const [peer, r] of delta.paxos) {
        expect(b.paxos.get(peer)).toEqual(r)
        expect(a.paxos.get(peer)).not.toEqual(r)
      }
      for (const [peer, r] of delta.requests) {
        expect(b.requests.get(peer)).toEqual(r)
        expect(a.requests.get(peer)).not.toEqual(r)
      }
      // and nothing new was left out
      expect(joinIpam(state, b).delta).toBeNull()
    }), { numRuns: 500 })
  })

  it('counts a conflict when one token holds two entries at one version, and settles it the same everywhere', () => {
    const a = BASE_RING
    const take = (owner: string) => ({ ...a, seeds: null, entries: new Map([[0, { ...a.entries.get(0)!, owner, version: 1 }]]) })
    const x = mergeRing(mergeRing(a, take(OWNERS[2])).state, take(OWNERS[1]))
    const y = mergeRing(mergeRing(a, take(OWNERS[1])).state, take(OWNERS[2]))
    expect(x.conflicts).toBe(1)
    expect(y.conflicts).toBe(1)
    expect(x.state.entries.get(0)!.owner).toBe(OWNERS[1]) // the smaller id wins
    expect(y.state.entries.get(0)!.owner).toBe(OWNERS[1])
  })

  it('prefers, at one version, the entry with fewer free addresses (it keeps containers)', () => {
    fc.assert(fc.property(ringArb, ringArb, (a, b) => {
      const m = mergeRing(a, b).state
      for (const e of m.entries.values()) {
        for (const other of [a.entries.get(e.start), b.entries.get(e.start)]) {
          if (other === undefined) continue
          expect(e.version).toBeGreaterThanOrEqual(other.version)
          if (e.version === other.version) expect(e.free).toBeLessThanOrEqual(other.free)
        }
      }
    }))
  })
})

describe('seedRing', () => {
  it('gives the same ring from the same peers in any order, covering the range exactly', () => {
    fc.assert(fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 255 }), { minLength: 1, maxLength: 40 }), fc.integer({ min: 8, max: 30 }), (ns, prefix) => {
      const range = parseCidr(`10.0.0.0/${prefix}`)
      const ids = ns.map(peerId)
      if (ids.length > range.size) return
      const a = seedRing(range, ids)
      const b = seedRing(range, [...ids].reverse())
      expect(a.ringId).toBe(b.ringId)
      expect([...a.entries.values()]).toEqual([...b.entries.values()])
      expect(ringProblems(a)).toEqual([])
      const shares = viewOf(a).shares()
      expect(shares.size).toBe(ids.length)
      const sizes = [...shares.values()].map((s) => s.owned)
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1)
    }))
  })

  it('gives different ring ids for different peer lists or ranges', () => {
    expect(seedRing(RANGE, OWNERS).ringId).not.toBe(seedRing(RANGE, OWNERS.slice(1)).ringId)
    expect(seedRing(RANGE, OWNERS).ringId).not.toBe(seedRing(parseCidr('10.32.0.0/23'), OWNERS).ringId)
  })
})

describe('ring view', () => {
  it('clips an entry at the next token it knows, and reports a gap as unowned', () => {
    const [p, q] = OWNERS
    const ring = { ...BASE_RING, entries: new Map([
      [0, { start: 0, end: 128, owner: p, version: 0, free: 128 }], // older entry, not yet split here
      [64, { start: 64, end: 100, owner: q, version: 0, free: 36 }],
      [128, { start: 128, end: 256, owner: q, version: 0, free: 128 }],
    ]) }
    const v = viewOf(ring)
    expect(v.at(63)?.owner).toBe(p)
    expect(v.at(64)?.owner).toBe(q)
    expect(v.at(100)).toBeUndefined()
    expect(v.at(128)?.owner).toBe(q)
    expect(v.ownedBy(p).map((x) => [x.start, x.end])).toEqual([[0, 64]])
    expect(ringProblems(ring).join(' ')).toMatch(/overlaps.*gap/)
  })
})
