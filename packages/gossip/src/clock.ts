// The only source of time in @weft/gossip. The router passes a clock over Node's timers; tests and
// the simulator pass a virtual one, and everything here runs unchanged on it.

/** An opaque timer handle, whatever the clock's `setTimeout` returns. */
export type TimerHandle = unknown

/** Time and timers, injected. `now()` is monotonic milliseconds, never wall-clock time. */
export interface Clock {
  /** Milliseconds since an arbitrary origin; never decreases. */
  now(): number
  /** Runs `fn` once, `ms` milliseconds from now (0: after the current call stack, on this clock). */
  setTimeout(fn: () => void, ms: number): TimerHandle
  /** Cancels a timer that has not run yet; a no-op for one that has. */
  clearTimeout(handle: TimerHandle): void
}
