// A virtual clock for tests: netsim's VirtualClock with the few helpers these tests use.
import { VirtualClock as NetsimClock } from '@weft/netsim'

export class VirtualClock extends NetsimClock {
  /** When the next live timer is due, or Infinity. */
  nextDue(): number {
    return this.nextAt() ?? Infinity
  }

  /** Runs the next live timer (moving time to it); false if there is none. */
  step(): boolean {
    return this.runNext()
  }

  /**
   * Runs timers until `done()` holds (checked before each), but not past `maxMs` from now.
   * Returns whether `done()` held.
   */
  runUntil(done: () => boolean, maxMs: number): boolean {
    const limit = this.now() + maxMs
    for (;;) {
      if (done()) return true
      if (this.nextDue() > limit) return false
      this.step()
    }
  }
}

/** A seeded PRNG (mulberry32), uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** `n` random bytes as lowercase hex. */
export function randomHex(random: () => number, n: number): string {
  let s = ''
  for (let i = 0; i < n; i++) s += Math.floor(random() * 256).toString(16).padStart(2, '0')
  return s
}
