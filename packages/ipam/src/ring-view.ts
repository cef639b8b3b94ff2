// Reading a ring: who owns which addresses. A peer's view may be behind (a token it has not heard
// of yet) or hold an entry older than its neighbour's split; the view settles both the same way:
// each entry owns `[start, min(end, next start))`. Splits only add tokens inside a block, so the
// later token is always the more specific. A gap (an entry whose end falls short of the next
// token it knows) is space whose owner this peer has not heard of yet.
//
// Views are computed once per ring state (states are immutable) and cached.

import type { RingEntry } from './ring-entry.js'
import type { RingState } from './ring.js'

/** The part of the range an entry owns in this view. */
export interface Extent {
  readonly start: number
  readonly end: number
  readonly owner: string
  readonly version: number
  /** Free addresses as the owner reported them, at most the extent's size. */
  readonly free: number
  /** The entry itself (its `end` may reach past the extent). */
  readonly entry: RingEntry
}

/** Addresses a peer owns in this view, and how many of them it reports free. */
export interface Share {
  readonly owned: number
  readonly free: number
}

export class RingView {
  /** Every extent, sorted by start; extents never overlap. */
  readonly extents: readonly Extent[]
  private readonly byOwner = new Map<string, Extent[]>()

  constructor(readonly ring: RingState) {
    const entries = [...ring.entries.values()].sort((a, b) => a.start - b.start)
    const extents: Extent[] = []
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]
      const end = Math.min(e.end, i + 1 < entries.length ? entries[i + 1].start : ring.range.size)
      const x: Extent = Object.freeze({ start: e.start, end, owner: e.owner, version: e.version, free: Math.min(e.free, end - e.start), entry: e })
      extents.push(x)
      let list = this.byOwner.get(e.owner)
      if (list === undefined) this.byOwner.set(e.owner, (list = []))
      list.push(x)
    }
    this.extents = extents
  }

  /** The extent holding `offset`, or undefined in a gap or outside the range. */
  at(offset: number): Extent | undefined {
    const xs = this.extents
    let lo = 0
    let hi = xs.length - 1
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      if (xs[mid].start <= offset) lo = mid + 1
      else hi = mid - 1
    }
    const x = hi >= 0 ? xs[hi] : undefined
    return x !== undefined && offset < x.end ? x : undefined
  }

  /** The extents `peer` owns, sorted by start. */
  ownedBy(peer: string): readonly Extent[] {
    return this.byOwner.get(peer) ?? []
  }

  /** Peers owning any space. */
  owners(): string[] {
    return [...this.byOwner.keys()]
  }

  /** Owned and reported-free addresses per peer, within `[lo, hi)` (default: everything). */
  shares(lo = 0, hi = this.ring.range.size): Map<string, Share> {
    const out = new Map<string, Share>()
    for (const [peer, xs] of this.byOwner) {
      let owned = 0
      let free = 0
      for (const x of xs) {
        const a = Math.max(lo, x.start)
        const b = Math.min(hi, x.end)
        if (a >= b) continue
        owned += b - a
        free += Math.min(x.free, b - a)
      }
      if (owned > 0) out.set(peer, { owned, free })
    }
    return out
  }
}

const cache = new WeakMap<RingState, RingView>()

/** The (cached) view of a ring state. */
export function viewOf(ring: RingState): RingView {
  let v = cache.get(ring)
  if (v === undefined) cache.set(ring, (v = new RingView(ring)))
  return v
}

/**
 * What is wrong with a ring that should be complete and settled: empty, a start outside the
 * range, an entry past the range, a gap, an overlap (an entry reaching past the next token), or
 * a free count above the entry's size. Empty list if none.
 */
export function ringProblems(ring: RingState): string[] {
  const problems: string[] = []
  const entries = [...ring.entries.values()].sort((a, b) => a.start - b.start)
  if (entries.length === 0) return ['no entries']
  if (entries[0].start !== 0) problems.push(`the first entry starts at ${entries[0].start}, not 0`)
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]
    const next = i + 1 < entries.length ? entries[i + 1].start : ring.range.size
    if (e.start < 0 || e.end > ring.range.size || e.start >= e.end) problems.push(`entry ${e.start} spans [${e.start}, ${e.end})`)
    if (e.end < next) problems.push(`gap [${e.end}, ${next}) after entry ${e.start}`)
    if (e.end > next) problems.push(`entry ${e.start} (${e.owner.slice(0, 8)}) overlaps entry ${next} up to ${e.end}`)
    if (e.free > e.end - e.start || e.free < 0) problems.push(`entry ${e.start} reports ${e.free} free of ${e.end - e.start}`)
  }
  return problems
}
