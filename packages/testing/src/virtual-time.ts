// Drives netsim's virtual clock from async code (tests and benchmarks): between two timers the
// drivers let pending promise callbacks run (saves and other awaited work resolve in microtasks
// and immediates), so "run until" sees their effects. netsim's own `runUntil` is synchronous and
// suits code that never awaits; these suit code that does (the IPAM allocator awaits its store).

import type { VirtualClock } from '@weft/netsim'

/** Lets every queued promise callback run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

/**
 * Runs timers until `done()` holds (checked before each, after letting promises settle), but not
 * past `maxMs` of virtual time from now. Returns whether `done()` held.
 */
export async function runUntilAsync(clock: VirtualClock, done: () => boolean, maxMs: number): Promise<boolean> {
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
export async function runForAsync(clock: VirtualClock, ms: number): Promise<void> {
  const limit = clock.now() + ms
  await runUntilAsync(clock, () => false, ms)
  if (clock.now() < limit) clock.advance(limit - clock.now())
  await settle()
}
