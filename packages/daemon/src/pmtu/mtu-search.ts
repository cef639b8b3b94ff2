import { DaemonError } from '../errors.js'

/**
 * One path-MTU measurement as pure state: which datagram size (whole UDP payload) to probe next,
 * given which sizes got through. The largest size goes first (most paths carry it: one step);
 * otherwise bisection finds the largest acknowledged size in [min, max], on the assumption that
 * a size gets through exactly when it is at most the path's limit. About 1 + log2(max - min)
 * steps: 11 for 576..1472. A size lost to bad luck reads as too big, so a result may come out
 * below the path's real limit, never above it.
 */
export class MtuSearch {
  /** Smallest size not yet known to be too big... */
  private lo: number
  /** ...and the largest: the answer lies in [lo - 1, hi] (lo - 1 only if acknowledged). */
  private hi: number
  /** Largest size acknowledged so far; 0 while none was. */
  largestAcked = 0
  /** Sizes recorded so far. */
  steps = 0
  /** The size to probe now; undefined once the search is over. */
  next: number | undefined

  constructor(readonly min: number, readonly max: number) {
    if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max < min) {
      throw new DaemonError('ERR_CONFIG', `path MTU search range ${min}..${max} is empty: pass integers with 1 <= min <= max`)
    }
    this.lo = min
    this.hi = max
    this.next = max
  }

  get done(): boolean {
    return this.next === undefined
  }

  /** Records whether the probe of `next` was acknowledged, and picks the next size. */
  record(acked: boolean): void {
    const size = this.next
    if (size === undefined) return
    this.steps++
    if (acked) {
      this.largestAcked = Math.max(this.largestAcked, size)
      this.lo = size + 1
    } else {
      this.hi = size - 1
    }
    this.next = this.lo <= this.hi ? Math.floor((this.lo + this.hi) / 2) : undefined
  }
}
