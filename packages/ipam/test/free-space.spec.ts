// The fast structures against slow references on random input: the allocation table's lowest
// free offset (with its hints) and used counts, and the donor's choice of block.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseCidr } from '../src/index.js'
import { AllocationTable } from '../src/allocation-table.js'
import { largestFreeBlock } from '../src/space-request.js'

// one fixed seed: every run explores the same cases (a failure prints its counterexample)
fc.configureGlobal({ seed: 20_261_124 })

const RANGE = parseCidr('10.0.0.0/24')

/** Sorted, non-overlapping extents cut from [0, 256) at the given points. */
const extentsArb = fc.uniqueArray(fc.integer({ min: 1, max: 255 }), { maxLength: 6 }).chain((cuts) => {
  const points = [0, ...cuts.sort((a, b) => a - b), 256]
  const all = points.slice(0, -1).map((start, i) => ({ start, end: points[i + 1] }))
  return fc.subarray(all, { minLength: 1 })
})

describe('AllocationTable', () => {
  it('finds the lowest free offset and counts used ones like a plain scan, through adds and removes', () => {
    fc.assert(fc.property(extentsArb, fc.array(fc.tuple(fc.boolean(), fc.nat(255), fc.nat(255), fc.nat(255)), { maxLength: 120 }), (extents, ops) => {
      const table = new AllocationTable(RANGE)
      const used = new Set<number>()
      const subnet = RANGE
      let n = 0
      for (const [add, x, y, z] of ops) {
        const lo = Math.min(x, y)
        const hi = Math.max(x, y) + 1
        if (add) {
          let expected: number | undefined
          for (const e of extents) for (let o = Math.max(lo, e.start); o < Math.min(hi, e.end) && expected === undefined; o++) if (!used.has(o)) expected = o
          const got = table.lowestFree(extents, lo, hi)
          expect(got).toBe(expected)
          if (got !== undefined) {
            table.add(`c${n++}`, subnet, got)
            used.add(got)
          }
        } else {
          const held = table.holder(z)
          if (held !== undefined) {
            table.remove(held)
            used.delete(z)
          }
        }
        let count = 0
        for (const o of used) if (o >= lo && o < hi) count++
        expect(table.countIn(lo, hi)).toBe(count)
        expect(table.usedOffsets()).toEqual([...used].sort((a, b) => a - b))
      }
    }), { numRuns: 300 })
  })
})

describe('largestFreeBlock', () => {
  it('picks the largest, then highest, aligned wholly free block within the limit, like brute force', () => {
    fc.assert(fc.property(extentsArb, fc.uniqueArray(fc.nat(255)), fc.nat(255), fc.nat(255), fc.integer({ min: 0, max: 300 }), (extents, usedList, x, y, maxSize) => {
      const used = new Set(usedList)
      const lo = Math.min(x, y)
      const hi = Math.max(x, y) + 1
      const inside = (o: number): boolean => o >= lo && o < hi && extents.some((e) => o >= e.start && o < e.end)
      let expected: { start: number; end: number } | null = null
      for (let size = 256; size >= 1 && expected === null; size /= 2) {
        if (size > maxSize) continue
        for (let start = 256 - size; start >= 0 && expected === null; start -= size) {
          let ok = true
          for (let o = start; o < start + size && ok; o++) ok = inside(o) && !used.has(o) && extents.some((e) => start >= e.start && start + size <= e.end)
          if (ok) expected = { start, end: start + size }
        }
      }
      expect(largestFreeBlock(extents, lo, hi, [...used].sort((a, b) => a - b), maxSize)).toEqual(expected)
    }), { numRuns: 500 })
  })
})
