import { NetsimError } from './errors.js'
import type { VirtualClock } from './virtual-clock.js'

/** Anything with a virtual clock: a `SimNetwork`, or `{ clock }` alone. */
export interface Runnable {
  readonly clock: VirtualClock
}

export interface RunUntilQuietInit {
  /** Give up after this much virtual time (ms). */
  readonly maxMs: number
  /**
   * With periodic timers (intervals) still running, quiet means no one-shot timer (no datagram,
   * segment or timeout) pending for this long (ms). Default 0: quiet as soon as only intervals
   * remain. With no timer at all the run is quiet at once.
   */
  readonly quietMs?: number
}

export interface QuietResult {
  readonly elapsedMs: number
  readonly quiet: boolean
}

export interface RunUntilInit {
  /** Give up after this much virtual time (ms). */
  readonly maxMs: number
  /**
   * Check the predicate every `stepMs` of virtual time. Default: after every timer callback,
   * which is exact (nothing changes between callbacks).
   */
  readonly stepMs?: number
}

export interface RunUntilResult {
  readonly elapsedMs: number
  readonly met: boolean
}

/**
 * Runs timers in order until nothing one-shot is pending (see `quietMs`) or `maxMs` passed.
 * Never goes past `maxMs`; on giving up the clock stands exactly `maxMs` later.
 */
export function runUntilQuiet(net: Runnable, init: RunUntilQuietInit): QuietResult {
  const clock = net.clock
  const quietMs = init.quietMs ?? 0
  checkMs('maxMs', init.maxMs)
  checkMs('quietMs', quietMs)
  const start = clock.now()
  const deadline = start + init.maxMs
  const result = (quiet: boolean): QuietResult => ({ elapsedMs: clock.now() - start, quiet })
  let quietSince: number | undefined
  for (;;) {
    const now = clock.now()
    if (clock.pending('timeout') > 0) {
      quietSince = undefined
    } else {
      if (clock.pending('interval') === 0) return result(true)
      quietSince ??= now
      if (now - quietSince >= quietMs) return result(true)
    }
    const quietAt = quietSince === undefined ? Infinity : quietSince + quietMs
    const limit = Math.min(deadline, quietAt)
    const next = clock.nextAt()
    if (next === undefined || next > limit) {
      clock.advance(limit - now)
      return result(limit === quietAt)
    }
    clock.runNext()
  }
}

/** Runs timers until `predicate()` holds (checked first, then per `stepMs`) or `maxMs` passed. */
export function runUntil(net: Runnable, predicate: () => boolean, init: RunUntilInit): RunUntilResult {
  const clock = net.clock
  checkMs('maxMs', init.maxMs)
  const start = clock.now()
  const deadline = start + init.maxMs
  const result = (met: boolean): RunUntilResult => ({ elapsedMs: clock.now() - start, met })
  if (predicate()) return result(true)
  if (init.stepMs !== undefined) {
    if (!(init.stepMs > 0) || !Number.isFinite(init.stepMs)) throw new NetsimError('ERR_INVALID_ARGUMENT', `stepMs must be a finite number > 0, got ${init.stepMs}`)
    const steps = Math.ceil(init.maxMs / init.stepMs)
    for (let i = 1; i <= steps; i++) {
      clock.advance(Math.min(init.stepMs, deadline - clock.now()))
      if (predicate()) return result(true)
    }
    return result(false)
  }
  for (;;) {
    const next = clock.nextAt()
    if (next === undefined || next > deadline) {
      clock.advance(deadline - clock.now())
      return result(predicate())
    }
    clock.runNext()
    if (predicate()) return result(true)
  }
}

function checkMs(name: string, ms: number): void {
  if (!(ms >= 0) || !Number.isFinite(ms)) throw new NetsimError('ERR_INVALID_ARGUMENT', `${name} must be a finite number >= 0, got ${ms}`)
}
