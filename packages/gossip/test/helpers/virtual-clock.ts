// A virtual clock for tests: timers in a priority queue, time moves only when a test runs them.
import type { Clock } from '../../src/index.js'

interface Timer {
  due: number
  seq: number
  fn: () => void
}

export class VirtualClock implements Clock {
  private time = 0
  private seq = 0
  private readonly heap: Timer[] = []
  private readonly live = new Set<number>()

  now(): number {
    return this.time
  }

  setTimeout(fn: () => void, ms: number): number {
    const seq = ++this.seq
    this.live.add(seq)
    this.push({ due: this.time + Math.max(0, ms), seq, fn })
    return seq
  }

  clearTimeout(handle: unknown): void {
    this.live.delete(handle as number)
  }

  /** Timers set and not yet run or cleared. */
  pending(): number {
    return this.live.size
  }

  /** When the next live timer is due, or Infinity. */
  nextDue(): number {
    this.dropCleared()
    return this.heap.length > 0 ? this.heap[0].due : Infinity
  }

  /** Runs the next live timer (moving time to it); false if there is none. */
  step(): boolean {
    this.dropCleared()
    const t = this.pop()
    if (t === undefined) return false
    this.live.delete(t.seq)
    this.time = t.due
    t.fn()
    return true
  }

  /** Runs every timer due within `ms` from now, then sets the time to now + `ms`. */
  advance(ms: number): void {
    const until = this.time + ms
    while (this.nextDue() <= until) this.step()
    this.time = until
  }

  /**
   * Runs timers until `done()` holds (checked before each), but not past `maxMs` from now.
   * Returns whether `done()` held.
   */
  runUntil(done: () => boolean, maxMs: number): boolean {
    const limit = this.time + maxMs
    for (;;) {
      if (done()) return true
      if (this.nextDue() > limit) return false
      this.step()
    }
  }

  private dropCleared(): void {
    while (this.heap.length > 0 && !this.live.has(this.heap[0].seq)) this.pop()
  }

  private less(a: Timer, b: Timer): boolean {
    return a.due < b.due || (a.due === b.due && a.seq < b.seq)
  }

  private push(t: Timer): void {
    const h = this.heap
    h.push(t)
    let i = h.length - 1
    while (i > 0) {
      const p = (i - 1) >> 1
      if (!this.less(h[i], h[p])) break
      ;[h[i], h[p]] = [h[p], h[i]]
      i = p
    }
  }

  private pop(): Timer | undefined {
    const h = this.heap
    if (h.length === 0) return undefined
    const top = h[0]
    const last = h.pop()!
    if (h.length > 0) {
      h[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < h.length && this.less(h[l], h[m])) m = l
        if (r < h.length && this.less(h[r], h[m])) m = r
        if (m === i) break
        ;[h[i], h[m]] = [h[m], h[i]]
        i = m
      }
    }
    return top
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
