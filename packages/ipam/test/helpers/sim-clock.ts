// netsim's virtual clock, driven from async tests: between two timers the drivers let pending
// promise callbacks run (saves resolve in microtasks), so "run until" sees their effects.
import { VirtualClock } from '@weft/netsim'

export { VirtualClock }

/** Lets every queued promise callback run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

/**
 * Runs timers until `done()` holds (checked before each, after letting promises settle), but not
 * past `maxMs` of virtual time from now. Returns whether `done()` held.
 */
export async function runUntil(clock: VirtualClock, done: () => boolean, maxMs: number): Promise<boolean> {
  const limit = clock.now() + maxMs
  for (;;) {
    await settle()
    if (done()) return true
    const next = clock.nextAt()
    if (next === undefined || next > limit) return false
    clock.runNext()
  }
}

/** Runs every timer within `ms` of virtual time, letting promises settle between them. */
export async function runFor(clock: VirtualClock, ms: number): Promise<void> {
  const limit = clock.now() + ms
  await runUntil(clock, () => false, ms)
  if (clock.now() < limit) clock.advance(limit - clock.now())
  await settle()
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

/** A peer id made of one byte repeated: `peerId(1)` = '0101...01'. */
export const peerId = (n: number): string => n.toString(16).padStart(2, '0').repeat(32)

/** `n` random peer ids from `random`, sorted. */
export function randomIds(random: () => number, n: number): string[] {
  const ids = new Set<string>()
  while (ids.size < n) {
    let s = ''
    for (let i = 0; i < 32; i++) s += Math.floor(random() * 256).toString(16).padStart(2, '0')
    ids.add(s)
  }
  return [...ids].sort()
}
