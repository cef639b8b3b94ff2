// Asking for space. A peer that needs addresses it does not own publishes one request record,
// owned by it and gossiped with the ring: "donor D, please give me space in [start, end)". Each
// new request (or withdrawal) bumps `seq`, so the record merges as a peer-owned record. The donor
// answers with a ring write (a donation, ring-edit.ts `giveBlock`), which reaches the requester
// like any other ring change; a donor that cannot help stays silent and the requester asks the
// next one after a while. No unicast is needed: everything rides on the `ipam` channel.

import type { OwnedRecord } from './owned-records.js'
import { compareIds } from './ring-entry.js'

/** One peer's current request for space (or its withdrawal: `donor` null). */
export interface SpaceRequest extends OwnedRecord {
  readonly peer: string
  /** Bumped by every new request or withdrawal. */
  readonly seq: number
  /** The peer asked, or null when nothing is asked. */
  readonly donor: string | null
  /** Offsets `[start, end)` within the range the space should come from (0, 0 when withdrawn). */
  readonly start: number
  readonly end: number
}

export function compareRequests(a: SpaceRequest, b: SpaceRequest): number {
  return a.seq - b.seq
}

/** Tie-break at one seq (a restored backup): the larger donor id, then the larger region. */
export function tieRequests(a: SpaceRequest, b: SpaceRequest): number {
  return compareIds(a.donor ?? '', b.donor ?? '') || a.start - b.start || a.end - b.end
}

export function sameRequest(a: SpaceRequest, b: SpaceRequest): boolean {
  return a.peer === b.peer && a.seq === b.seq && a.donor === b.donor && a.start === b.start && a.end === b.end
}

export function spaceRequest(peer: string, seq: number, donor: string | null, start: number, end: number): SpaceRequest {
  return Object.freeze({ peer, seq, donor, start: donor === null ? 0 : start, end: donor === null ? 0 : end })
}

/**
 * Where a donation for a request should come from: the largest block aligned to its own size
 * (relative to the range) that is wholly free, within the donor's extents clipped to `[lo, hi)`,
 * and no larger than `maxSize`; the highest such block, so the donor's low addresses (where it
 * allocates first) stay together. `used` is the donor's allocated offsets, sorted.
 */
export function largestFreeBlock(
  extents: ReadonlyArray<{ readonly start: number; readonly end: number }>,
  lo: number, hi: number, used: readonly number[], maxSize: number,
): { start: number; end: number } | null {
  let best: { start: number; end: number } | null = null
  const consider = (a: number, b: number): void => {
    // the largest power of two that fits an aligned block inside [a, b)
    for (let size = 2 ** Math.floor(Math.log2(Math.max(1, Math.min(b - a, maxSize)))); size >= 1; size /= 2) {
      if (best !== null && size < best.end - best.start) return
      const start = Math.floor((b - size) / size) * size // highest aligned start
      if (start >= a && start + size <= b) {
        if (best === null || size > best.end - best.start || start > best.start) best = { start, end: start + size }
        return
      }
    }
  }
  let u = 0
  for (const x of extents) {
    const a = Math.max(lo, x.start)
    const b = Math.min(hi, x.end)
    if (a >= b || maxSize < 1) continue
    while (u < used.length && used[u] < a) u++
    let runStart = a
    for (; u < used.length && used[u] < b; u++) {
      if (used[u] > runStart) consider(runStart, used[u])
      runStart = used[u] + 1
    }
    if (runStart < b) consider(runStart, b)
  }
  return best
}
