// netsim's virtual clock, driven from async tests by the shared drivers of @weft/testing
// (between two timers they let pending promise callbacks run: saves resolve in microtasks), and
// the seeded ids and randomness of the IPAM tests.
import { VirtualClock } from '@weft/netsim'
import { runForAsync, runUntilAsync, settle } from '@weft/testing'

export { VirtualClock, settle, runUntilAsync as runUntil, runForAsync as runFor }

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
