import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { REJECT_AFTER_MESSAGES, REPLAY_WINDOW_COUNTERS, ReplayWindow } from '../src/index.js'

const WINDOW = BigInt(REPLAY_WINDOW_COUNTERS)

/** The slow reference: every accepted counter in a Set, plus the highest one. */
class SlowReplayWindow {
  readonly seen = new Set<bigint>()
  highest = 0n

  check(counter: bigint): boolean {
    if (counter < 0n || counter >= REJECT_AFTER_MESSAGES) return false
    if (this.seen.has(counter)) return false
    return counter > this.highest || this.highest - counter < WINDOW
  }

  accept(counter: bigint): boolean {
    if (!this.check(counter)) return false
    this.seen.add(counter)
    if (counter > this.highest) this.highest = counter
    return true
  }
}

/**
 * Counter sequences with reordering, duplicates, exact window edges and jumps, starting from a
 * base that may sit near 2^32, 2^53 (where the window switches to bigint) or 2^64 - 2^13.
 */
const stepArb = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -40, max: 40 }).map(BigInt) },
  { weight: 2, arbitrary: fc.constantFrom(-WINDOW, -WINDOW + 1n, -WINDOW - 1n, WINDOW, WINDOW - 1n, WINDOW + 1n, 0n) },
  { weight: 1, arbitrary: fc.bigInt({ min: -5000n, max: 5000n }) },
  { weight: 1, arbitrary: fc.bigInt({ min: 0n, max: 1n << 20n }) },
  { weight: 1, arbitrary: fc.constantFrom(32n, 31n, 33n, 4096n, 4095n, 4097n, 2048n * 3n) },
)
const baseArb = fc.constantFrom(
  0n,
  1000n,
  2n ** 32n - 100n,
  2n ** 53n - 3000n,
  2n ** 53n - 10n,
  REJECT_AFTER_MESSAGES - 3000n,
  REJECT_AFTER_MESSAGES - 5n,
)

function walk(base: bigint, steps: bigint[]): bigint[] {
  const counters: bigint[] = []
  let position = base
  for (const step of steps) {
    position += step
    if (position < 0n) position = 0n
    counters.push(position)
  }
  return counters
}

describe('ReplayWindow', () => {
  it('agrees with a slow reference on random reordered sequences', () => {
    fc.assert(
      fc.property(baseArb, fc.array(stepArb, { minLength: 1, maxLength: 300 }), (base, steps) => {
        const fast = new ReplayWindow()
        const slow = new SlowReplayWindow()
        for (const counter of walk(base, steps)) {
          expect(fast.check(counter), `check ${counter}`).toBe(slow.check(counter))
          expect(fast.accept(counter), `accept ${counter}`).toBe(slow.accept(counter))
          // check changes nothing: a second accept of the same counter is a replay.
          expect(fast.check(counter)).toBe(false)
        }
      }),
      { numRuns: 400 },
    )
  })

  it('accepts each counter once, in any order within the window', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray([...Array(REPLAY_WINDOW_COUNTERS).keys()], { minLength: 1 }), (order) => {
        const window = new ReplayWindow()
        for (const n of order) expect(window.accept(BigInt(n))).toBe(true)
        for (const n of order) expect(window.accept(BigInt(n))).toBe(false)
      }),
      { numRuns: 30 },
    )
  })

  it('has an exact edge: 2047 behind is accepted, 2048 behind is not', () => {
    const window = new ReplayWindow()
    expect(window.accept(10_000n)).toBe(true)
    expect(window.check(10_000n - WINDOW)).toBe(false)
    expect(window.accept(10_000n - WINDOW)).toBe(false)
    expect(window.accept(10_000n - WINDOW + 1n)).toBe(true)
    expect(window.accept(10_000n - WINDOW + 1n)).toBe(false)
  })

  it('forgets everything on a large jump but still rejects replays of the new highest', () => {
    const window = new ReplayWindow()
    for (let n = 0n; n < 100n; n++) expect(window.accept(n)).toBe(true)
    expect(window.accept(1n << 40n)).toBe(true)
    expect(window.accept(1n << 40n)).toBe(false)
    expect(window.accept(99n)).toBe(false)
    expect(window.accept((1n << 40n) - 1n)).toBe(true)
  })

  it('crosses 2^53 exactly and rejects at REJECT_AFTER_MESSAGES', () => {
    const window = new ReplayWindow()
    const big = 2n ** 53n
    expect(window.accept(big - 1n)).toBe(true)
    expect(window.accept(big + 1n)).toBe(true)
    expect(window.accept(big)).toBe(true)
    expect(window.accept(big)).toBe(false)
    expect(window.accept(big - 1n)).toBe(false)
    expect(window.accept(big - 2n)).toBe(true)
    expect(window.accept(REJECT_AFTER_MESSAGES - 1n)).toBe(true)
    expect(window.accept(REJECT_AFTER_MESSAGES)).toBe(false)
    expect(window.check(2n ** 64n - 1n)).toBe(false)
    expect(window.accept(2n ** 64n)).toBe(false)
    expect(window.accept(-1n)).toBe(false)
  })

  it('starts over after reset', () => {
    const window = new ReplayWindow()
    expect(window.accept(5n)).toBe(true)
    expect(window.accept(2n ** 60n)).toBe(true)
    window.reset()
    expect(window.accept(5n)).toBe(true)
    expect(window.accept(0n)).toBe(true)
    expect(window.accept(5n)).toBe(false)
  })

  it('never throws for non-bigint input', () => {
    const window = new ReplayWindow()
    for (const bad of [1, '1', null, undefined, NaN] as unknown[]) {
      expect(window.check(bad as bigint)).toBe(false)
      expect(window.accept(bad as bigint)).toBe(false)
    }
  })
})
