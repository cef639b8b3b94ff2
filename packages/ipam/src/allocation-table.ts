// This peer's allocations: container -> address per subnet, address -> container, and the sorted
// list of used offsets (for free counts and donations). Lookups of the lowest free offset keep a
// hint per extent ("every offset from the extent's start up to the hint is in use"), so a loop
// of allocations does not rescan what it just filled.

import { formatAddress, formatCidr, type Cidr } from './cidr.js'

/** One address given to a container. */
export interface Allocation {
  readonly containerId: string
  /** `a.b.c.d` */
  readonly address: string
  /** The subnet it came from, `a.b.c.d/len`. */
  readonly subnet: string
  /** The address with the subnet's prefix length, `a.b.c.d/len`: what the interface gets. */
  readonly cidr: string
}

/** An allocation as the table holds it. */
export interface Held {
  readonly allocation: Allocation
  /** Offset from the range's first address. */
  readonly offset: number
  readonly subnet: Cidr
}

export class AllocationTable {
  private readonly byKey = new Map<string, Held>()
  private readonly byContainer = new Map<string, Set<Held>>()
  private readonly byOffset = new Map<number, Held>()
  /** Used offsets, ascending. */
  private readonly used: number[] = []
  private readonly hints = new Map<number, number>()

  constructor(private readonly range: Cidr) {}

  get size(): number {
    return this.byOffset.size
  }

  get(containerId: string, subnet: Cidr): Held | undefined {
    return this.byKey.get(key(containerId, subnet))
  }

  ofContainer(containerId: string): Held[] {
    return [...(this.byContainer.get(containerId) ?? [])]
  }

  holder(offset: number): Held | undefined {
    return this.byOffset.get(offset)
  }

  all(): Held[] {
    return [...this.byOffset.values()].sort((a, b) => a.offset - b.offset)
  }

  /** Used offsets, ascending (borrowed: do not modify). */
  usedOffsets(): readonly number[] {
    return this.used
  }

  /** Used offsets in `[a, b)`. */
  countIn(a: number, b: number): number {
    return lowerBound(this.used, b) - lowerBound(this.used, a)
  }

  add(containerId: string, subnet: Cidr, offset: number): Held {
    const address = formatAddress(this.range.base + offset)
    const held: Held = Object.freeze({
      allocation: Object.freeze({ containerId, address, subnet: formatCidr(subnet), cidr: `${address}/${subnet.prefixLength}` }),
      offset,
      subnet,
    })
    this.byKey.set(key(containerId, subnet), held)
    let set = this.byContainer.get(containerId)
    if (set === undefined) this.byContainer.set(containerId, (set = new Set()))
    set.add(held)
    this.byOffset.set(offset, held)
    this.used.splice(lowerBound(this.used, offset), 0, offset)
    return held
  }

  /** Removes `held` if the table still has it; returns whether it did. */
  remove(held: Held): boolean {
    if (this.byOffset.get(held.offset) !== held) return false
    this.byKey.delete(key(held.allocation.containerId, held.subnet))
    const set = this.byContainer.get(held.allocation.containerId)!
    set.delete(held)
    if (set.size === 0) this.byContainer.delete(held.allocation.containerId)
    this.byOffset.delete(held.offset)
    this.used.splice(lowerBound(this.used, held.offset), 1)
    for (const [start, hint] of this.hints) if (start <= held.offset && held.offset < hint) this.hints.set(start, held.offset)
    return true
  }

  clear(): void {
    this.byKey.clear()
    this.byContainer.clear()
    this.byOffset.clear()
    this.used.length = 0
    this.hints.clear()
  }

  /** The lowest unused offset in `[lo, hi)` within `extents` (sorted, non-overlapping), if any. */
  lowestFree(extents: ReadonlyArray<{ readonly start: number; readonly end: number }>, lo: number, hi: number): number | undefined {
    for (const x of extents) {
      const a = Math.max(lo, x.start)
      const b = Math.min(hi, x.end)
      if (a >= b) continue
      const hint = this.hints.get(x.start) ?? x.start
      for (let o = Math.max(a, hint); o < b; o++) {
        if (this.byOffset.has(o)) continue
        // everything in [max(a, hint), o) is used; it extends the hint only if it starts at it
        if (a <= hint) this.hints.set(x.start, o)
        return o
      }
      if (a <= hint && b === x.end) this.hints.set(x.start, x.end)
    }
    return undefined
  }
}

function key(containerId: string, subnet: Cidr): string {
  return `${containerId}\n${subnet.base}/${subnet.prefixLength}`
}

/** First index of `xs` (ascending) whose value is >= `v`. */
function lowerBound(xs: readonly number[], v: number): number {
  let lo = 0
  let hi = xs.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (xs[mid] < v) lo = mid + 1
    else hi = mid
  }
  return lo
}
