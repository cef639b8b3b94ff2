/**
 * The native replay window (@weft/tap's addon) against @weft/crypto's ReplayWindow, which its
 * own spec checks against a Set-based reference: on random walks with reordering, duplicates,
 * window edges, jumps and the 2^53 / 2^64 - 2^13 boundaries, both answer every check and accept
 * alike. Counters outside [0, 2^64) and values that are not bigints are refused, not thrown at.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { REJECT_AFTER_MESSAGES, REPLAY_WINDOW_COUNTERS, ReplayWindow } from '@weft/crypto'
import { createNativeReplayWindow } from '@weft/tap'

const W = BigInt(REPLAY_WINDOW_COUNTERS)
const steps = fc.array(
  fc.oneof(
    fc.bigInt({ min: -64n, max: 64n }),
    fc.constantFrom(-W - 1n, -W, -W + 1n, W - 1n, W, W + 1n, 4096n, 4097n, 2n ** 30n),
    fc.bigInt({ min: -6000n, max: 6000n }),
  ),
  { minLength: 1, maxLength: 300 },
)
const bases = fc.constantFrom(0n, 5000n, 2n ** 32n - 50n, 2n ** 53n - 2100n, REJECT_AFTER_MESSAGES - 2500n, REJECT_AFTER_MESSAGES - 3n)

describe('NativeReplayWindow', () => {
  it('answers like ReplayWindow on random reordered sequences', () => {
    fc.assert(
      fc.property(bases, steps, (base, moves) => {
        const js = new ReplayWindow()
        const native = createNativeReplayWindow()
        let c = base
        for (const move of moves) {
          c = c + move < 0n ? 0n : c + move
          expect(native.check(c), `check ${c}`).toBe(js.check(c))
          expect(native.accept(c), `accept ${c}`).toBe(js.accept(c))
          expect(native.check(c)).toBe(false)
        }
        native.reset()
        js.reset()
        expect(native.accept(base)).toBe(js.accept(base))
      }),
      { numRuns: 400 },
    )
  })

  it('refuses counters out of range and values of other types', () => {
    const native = createNativeReplayWindow()
    for (const bad of [-1n, 2n ** 64n, REJECT_AFTER_MESSAGES, 2n ** 64n - 1n, 5, '5', undefined, null, {}]) {
      expect(native.accept(bad as bigint)).toBe(false)
      expect(native.check(bad as bigint)).toBe(false)
    }
    expect(native.accept(REJECT_AFTER_MESSAGES - 1n)).toBe(true)
  })
})
