// This peer's allocations: container -> address per subnet, address -> container, the sorted list
// of used offsets (for free counts and donations), and the persisted records as a plain array (a
// save copies it whole, so it stays an array, kept by swap-remove). Lookups of the lowest free
// offset keep a hint per extent, a run [from, to) known to be all in use, so a loop of
// allocations does not rescan what it just filled.

import { formatAddress, formatCidr, type Cidr } from './cidr.js'
import type { SnapshotAllocation } from './ipam-store.js'

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
  /** Its persisted form, made once. */
  readonly record: SnapshotAllocation
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
  /** Persisted records, in no order, and where each offset's record sits in it. */
  private readonly recordList: SnapshotAllocation[] = []
  private readonly recordAt = new Map<number, number>()
  /** Records put (or removed: null) since the last `drainChanges`, by address. */
  private changes = new Map<string, SnapshotAllocation | null>()
  /** Per extent start: offsets [from, to) are all in use. */
  private readonly hints = new Map<number, { from: number; to: number }>()

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

  /** Every allocation's persisted form, in no particular order (a fresh copy). */
  records(): SnapshotAllocation[] {
    return this.recordList.slice()
  }

  /** The records put (or removed: null) since the last call, by address; starts afresh. */
  drainChanges(): ReadonlyMap<string, SnapshotAllocation | null> {
    const changes = this.changes
    this.changes = new Map()
    return changes
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
    const subnetText = formatCidr(subnet)
    const held: Held = Object.freeze({
      allocation: Object.freeze({ containerId, address, subnet: subnetText, cidr: `${address}/${subnet.prefixLength}` }),
      record: Object.freeze({ containerId, address, subnet: subnetText }),
      offset,
      subnet,
    })
    this.byKey.set(key(containerId, subnet), held)
    let set = this.byContainer.get(containerId)
    if (set === undefined) this.byContainer.set(containerId, (set = new Set()))
    set.add(held)
    this.byOffset.set(offset, held)
    this.used.splice(lowerBound(this.used, offset), 0, offset)
    this.recordAt.set(offset, this.recordList.length)
    this.recordList.push(held.record)
    this.changes.set(address, held.record)
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
    const at = this.recordAt.get(held.offset)!
    const last = this.recordList.pop()!
    this.recordAt.delete(held.offset)
    this.changes.set(held.record.address, null)
    if (at < this.recordList.length) {
      this.recordList[at] = last
      this.recordAt.set(parseOffset(last.address, this.range), at)
    }
    for (const h of this.hints.values()) if (h.from <= held.offset && held.offset < h.to) h.to = held.offset
    return true
  }

  clear(): void {
    for (const r of this.recordList) this.changes.set(r.address, null)
    this.byKey.clear()
    this.byContainer.clear()
    this.byOffset.clear()
    this.used.length = 0
    this.recordList.length = 0
    this.recordAt.clear()
    this.hints.clear()
  }

  /** The lowest unused offset in `[lo, hi)` within `extents` (sorted, non-overlapping), if any. */
  lowestFree(extents: ReadonlyArray<{ readonly start: number; readonly end: number }>, lo: number, hi: number): number | undefined {
    for (const x of extents) {
      const a = Math.max(lo, x.start)
      const b = Math.min(hi, x.end)
      if (a >= b) continue
      // skip the known-used run if the search starts inside it; [from, o) is all used after the scan
      const h = this.hints.get(x.start)
      const inRun = h !== undefined && h.from <= a && a <= h.to
      const from = inRun ? h.from : a
      let o = inRun ? h.to : a
      while (o < b && this.byOffset.has(o)) o++
      this.hints.set(x.start, { from, to: o })
      if (o < b) return o
    }
    return undefined
  }
}

/** The offset of a persisted record's address. */
function parseOffset(address: string, range: Cidr): number {
  return address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0) - range.base
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
