import { NetsimError } from './errors.js'

/**
 * A timer of a `VirtualClock`. Opaque: pass it back to `clearTimeout`/`clearInterval`.
 * `ref`/`unref` exist so code written for Node timers runs unchanged; they do nothing here.
 */
export class TimerHandle {
  /** @internal */ at: number
  /** @internal */ seq: number
  /** @internal */ active = true

  /** @internal */
  constructor(
    readonly id: number,
    at: number,
    seq: number,
    /** @internal */ readonly fn: () => void,
    /** Repeat period (ms) for an interval, undefined for a one-shot timeout. */
    readonly intervalMs: number | undefined,
  ) {
    this.at = at
    this.seq = seq
  }

  ref(): this {
    return this
  }

  unref(): this {
    return this
  }

  hasRef(): boolean {
    return true
  }
}

/**
 * Time that only moves when told to. Timers run in (due time, scheduling order): two timers due
 * at the same instant run first-scheduled first, so a program and its seed fix the whole run.
 *
 * `{ now, setTimeout, clearTimeout }` is the `Clock` shape other packages accept as a component.
 * Callbacks never run inside `setTimeout`; only `advance`, `runNext` (and the drivers) run them.
 */
export class VirtualClock {
  private time: number
  private seq = 0
  private nextId = 1
  private readonly heap: TimerHandle[] = []
  private timeouts = 0
  private intervals = 0
  private running = false

  /** @param startMs the initial reading of `now()` (default 0). */
  constructor(startMs = 0) {
    if (!Number.isFinite(startMs)) throw new NetsimError('ERR_INVALID_ARGUMENT', `clock start must be a finite number, got ${startMs}`)
    this.time = startMs
  }

  now(): number {
    return this.time
  }

  /** Runs `fn` once, `ms` from now (negative or NaN count as 0). */
  setTimeout(fn: () => void, ms: number): TimerHandle {
    this.timeouts++
    return this.schedule(fn, ms, undefined)
  }

  /** Runs `fn` every `ms` (at least 1 ms, as in Node), first `ms` from now. */
  setInterval(fn: () => void, ms: number): TimerHandle {
    const period = Number.isFinite(ms) && ms >= 1 ? ms : 1
    this.intervals++
    return this.schedule(fn, period, period)
  }

  /** Cancels a timer; anything that is not a live timer of this clock is ignored, like Node's. */
  clearTimeout(handle: unknown): void {
    if (!(handle instanceof TimerHandle) || !handle.active) return
    handle.active = false
    if (handle.intervalMs === undefined) this.timeouts--
    else this.intervals--
    // The heap entry stays and is skipped when it surfaces.
  }

  clearInterval(handle: unknown): void {
    this.clearTimeout(handle)
  }

  /**
   * Moves time forward by `ms`, running every timer due up to the new time in order, including
   * timers that callbacks schedule within the window. Returns how many callbacks ran.
   */
  advance(ms: number): number {
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new NetsimError('ERR_INVALID_ARGUMENT', `advance needs a finite ms >= 0, got ${ms}`)
    const target = this.time + ms
    let ran = 0
    this.enter()
    try {
      for (let t = this.peek(); t !== undefined && t.at <= target; t = this.peek()) {
        this.fire(t)
        ran++
      }
    } finally {
      this.running = false
    }
    this.time = target
    return ran
  }

  /** Advances to the earliest pending timer and runs it alone. False when no timer is pending. */
  runNext(): boolean {
    this.enter()
    try {
      const t = this.peek()
      if (t === undefined) return false
      this.fire(t)
      return true
    } finally {
      this.running = false
    }
  }

  /** Due time of the earliest pending timer, or undefined when none is pending. */
  nextAt(): number | undefined {
    return this.peek()?.at
  }

  /** Live timers: all of them, or only one-shot `timeout`s, or only `interval`s. */
  pending(kind?: 'timeout' | 'interval'): number {
    if (kind === 'timeout') return this.timeouts
    if (kind === 'interval') return this.intervals
    return this.timeouts + this.intervals
  }

  private schedule(fn: () => void, ms: number, intervalMs: number | undefined): TimerHandle {
    const delay = Number.isFinite(ms) && ms > 0 ? ms : 0
    const handle = new TimerHandle(this.nextId++, this.time + delay, this.seq++, fn, intervalMs)
    this.push(handle)
    return handle
  }

  private enter(): void {
    if (this.running) throw new NetsimError('ERR_CLOCK_REENTRANT', 'the clock was advanced from inside a timer callback; schedule a timer instead')
    this.running = true
  }

  private fire(t: TimerHandle): void {
    this.pop()
    this.time = t.at
    if (t.intervalMs === undefined) {
      t.active = false
      this.timeouts--
    } else {
      // Rescheduled before the callback runs so the callback can clear it.
      t.at += t.intervalMs
      t.seq = this.seq++
      this.push(t)
    }
    t.fn()
  }

  /** Earliest live timer, dropping cancelled ones from the top of the heap. */
  private peek(): TimerHandle | undefined {
    while (this.heap.length > 0 && !this.heap[0].active) this.pop()
    return this.heap[0]
  }

  // Binary min-heap on (at, seq).

  private static before(a: TimerHandle, b: TimerHandle): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq)
  }

  private push(t: TimerHandle): void {
    const h = this.heap
    h.push(t)
    let i = h.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!VirtualClock.before(h[i], h[parent])) break
      ;[h[i], h[parent]] = [h[parent], h[i]]
      i = parent
    }
  }

  private pop(): void {
    const h = this.heap
    const last = h.pop()
    if (last === undefined || h.length === 0) return
    h[0] = last
    let i = 0
    for (;;) {
      const l = 2 * i + 1
      const r = l + 1
      let m = i
      if (l < h.length && VirtualClock.before(h[l], h[m])) m = l
      if (r < h.length && VirtualClock.before(h[r], h[m])) m = r
      if (m === i) break
      ;[h[i], h[m]] = [h[m], h[i]]
      i = m
    }
  }
}
