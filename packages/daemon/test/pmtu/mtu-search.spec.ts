import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DaemonError } from '../../src/errors.js'
import { MtuSearch } from '../../src/pmtu/mtu-search.js'

/** Runs a search against a path that carries sizes up to `limit`; returns it. */
function run(min: number, max: number, carries: (size: number) => boolean): MtuSearch {
  const s = new MtuSearch(min, max)
  while (!s.done) s.record(carries(s.next!))
  return s
}

describe('MtuSearch', () => {
  it('finds the largest size a threshold path carries, in about log2 steps', () => {
    fc.assert(fc.property(fc.integer({ min: 40, max: 9000 }), fc.integer({ min: 0, max: 9000 }), fc.integer({ min: 0, max: 10_000 }),
      (min, span, limit) => {
        const max = min + span
        const s = run(min, max, (size) => size <= limit)
        expect(s.largestAcked).toBe(limit >= max ? max : limit >= min ? limit : 0)
        expect(s.steps).toBeLessThanOrEqual(2 + Math.ceil(Math.log2(span + 1)))
        if (limit >= max) expect(s.steps).toBe(1)
      }))
  })

  it('never reports a size that was not acknowledged, whatever the answers', () => {
    fc.assert(fc.property(fc.integer({ min: 40, max: 2000 }), fc.integer({ min: 0, max: 2000 }), fc.infiniteStream(fc.boolean()),
      (min, span, answers) => {
        const acked = new Set<number>()
        const it = answers[Symbol.iterator]()
        const s = run(min, min + span, (size) => {
          const ok = it.next().value as boolean
          if (ok) acked.add(size)
          return ok
        })
        expect(s.largestAcked === 0 || acked.has(s.largestAcked)).toBe(true)
        expect(s.largestAcked === 0 ? acked.size : Math.max(...acked)).toBe(s.largestAcked)
      }))
  })

  it('refuses an empty range', () => {
    expect(() => new MtuSearch(600, 599)).toThrow(DaemonError)
    expect(() => new MtuSearch(0, 10)).toThrow(DaemonError)
    expect(() => new MtuSearch(1.5, 10)).toThrow(DaemonError)
  })
})
