// Merge laws of the name CRDT, on random states from small pools (so keys, equal versions and
// floors collide): the join is commutative, associative and idempotent; `Names.merge` computes
// the same join in any delivery order, and returns exactly what was new.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { joinStates, type NamesState } from '../src/index.js'
import { SELF, stateArb } from './helpers/arbitraries.js'
import { bytesOf, namesNode } from './helpers/names-node.js'

const join = (...states: NamesState[]): NamesState => states.reduce<NamesState>((a, b) => joinStates(a, b), new Map())

describe('joinStates', () => {
  it('is commutative, associative and idempotent', () => {
    fc.assert(fc.property(stateArb(), stateArb(), stateArb(), (a, b, c) => {
      expect(bytesOf(joinStates(a, b))).toBe(bytesOf(joinStates(b, a)))
      expect(bytesOf(joinStates(joinStates(a, b), c))).toBe(bytesOf(joinStates(a, joinStates(b, c))))
      expect(bytesOf(joinStates(a, a))).toBe(bytesOf(join(a)))
      const ab = joinStates(a, b)
      expect(bytesOf(joinStates(ab, b))).toBe(bytesOf(ab))
    }), { numRuns: 500 })
  })

  it('never keeps an entry at or below its peer\'s floor', () => {
    fc.assert(fc.property(stateArb(), stateArb(), (a, b) => {
      for (const part of joinStates(a, b).values()) for (const e of part.entries) expect(e.version).toBeGreaterThan(part.floor)
    }))
  })
})

describe('Names.merge', () => {
  it('reaches the join of everything, whatever the order of delivery', () => {
    fc.assert(fc.property(fc.array(stateArb(), { minLength: 1, maxLength: 5 }), fc.integer(), (states, seed) => {
      const forward = namesNode(SELF)
      for (const s of states) forward.names.merge(s, 'x')
      const shuffled = [...states]
      let r = seed
      for (let i = shuffled.length - 1; i > 0; i--) {
        r = (Math.imul(r, 1103515245) + 12345) | 0
        const j = Math.abs(r) % (i + 1)
        ;[shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]]
      }
      const backward = namesNode(SELF)
      for (const s of shuffled) backward.names.merge(s, 'x')
      // and twice: idempotent
      for (const s of states) expect(backward.names.merge(s, 'x')).toBeNull()
      const expected = bytesOf(join(...states))
      expect(bytesOf(forward.names.full())).toBe(expected)
      expect(bytesOf(backward.names.full())).toBe(expected)
      expect(forward.published).toEqual([]) // nothing of self in the states: nothing to re-assert
    }), { numRuns: 300 })
  })

  it('returns exactly what was new: local + delta = local + incoming, and null when nothing was', () => {
    fc.assert(fc.property(stateArb(), stateArb(), (local, incoming) => {
      const node = namesNode(SELF)
      node.names.merge(local, 'x')
      const before = node.names.full()
      const delta = node.names.merge(incoming, 'y')
      const after = bytesOf(node.names.full())
      expect(after).toBe(bytesOf(joinStates(before, incoming)))
      if (delta === null) {
        expect(after).toBe(bytesOf(before))
      } else {
        expect(bytesOf(joinStates(before, delta))).toBe(after)
        // every entry of the delta is one the local state did not have
        const old = bytesOf(before)
        for (const [peer, part] of delta) {
          for (const e of part.entries) {
            const single = new Map([[peer, { floor: 0, entries: [e] }]])
            expect(bytesOf(joinStates(before, single))).not.toBe(old)
          }
        }
        // merging the delta again changes nothing
        expect(node.names.merge(delta, 'z')).toBeNull()
      }
    }), { numRuns: 500 })
  })

  it('combine(a, b) merged is a then b merged', () => {
    fc.assert(fc.property(stateArb(), stateArb(), stateArb(), (local, a, b) => {
      const one = namesNode(SELF)
      const two = namesNode(SELF)
      for (const n of [one, two]) n.names.merge(local, 'x')
      one.names.merge(a, 'x')
      one.names.merge(b, 'x')
      two.names.merge(two.names.combine(a, b), 'x')
      expect(bytesOf(two.names.full())).toBe(bytesOf(one.names.full()))
    }), { numRuns: 300 })
  })
})
