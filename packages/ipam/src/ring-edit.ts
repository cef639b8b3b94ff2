// Writes to the ring. Each function returns the delta to apply (entries with their new versions),
// computed from the writer's current state; the allocator joins it into its state, saves, and
// only then publishes it. A write always works on extents (ring-view.ts), and always writes the
// extent's end into the entry, so an entry a peer writes never reaches past a token it knows.
//
//   giveBlock   the owner hands [lo, hi) of one of its extents to another peer (a donation):
//               the extent's entry is rewritten (version + 1) and the new tokens lo and hi, if
//               any, start at version 0
//   setFree     the owner reports a new free count (version + 1)
//   reassign    extents change owner: transfer and reclamation (version + 1), takeover (version
//               + TAKEOVER_VERSION_STEP, so it outranks what the dead peer wrote unseen)

import { IpamError } from './errors.js'
import { entry, type RingEntry } from './ring-entry.js'
import { viewOf, type Extent } from './ring-view.js'
import { ringDelta, type RingState } from './ring.js'

/** Counts the free addresses of `[a, b)` as the writer knows them. */
export type FreeIn = (a: number, b: number) => number

function nextVersion(ring: RingState, start: number): number {
  const had = ring.entries.get(start)
  return had === undefined ? 0 : had.version + 1
}

/** The extent of `self` holding all of `[lo, hi)`, or a programming error. */
function ownExtent(ring: RingState, self: string, lo: number, hi: number): Extent {
  const x = viewOf(ring).at(lo)
  if (x === undefined || x.owner !== self || hi > x.end || lo >= hi) {
    throw new IpamError('ERR_BAD_ARGUMENT', `[${lo}, ${hi}) is not within one extent owned by ${self.slice(0, 12)}`)
  }
  return x
}

/**
 * `self` gives `[lo, hi)` to `to`. `blockFree` is the block's free count as handed over (all of
 * it, for a donation); `freeIn` counts what `self` keeps.
 */
export function giveBlock(ring: RingState, self: string, lo: number, hi: number, to: string, blockFree: number, freeIn: FreeIn): RingState {
  const x = ownExtent(ring, self, lo, hi)
  const out: RingEntry[] = []
  const v = nextVersion(ring, x.start)
  if (lo > x.start) {
    out.push(entry(x.start, lo, self, v, freeIn(x.start, lo)))
    out.push(entry(lo, hi, to, nextVersion(ring, lo), blockFree))
  } else {
    out.push(entry(lo, hi, to, v, blockFree))
  }
  if (hi < x.end) out.push(entry(hi, x.end, self, nextVersion(ring, hi), freeIn(hi, x.end)))
  return ringDelta(ring, out)
}

/** `self` reports `free` addresses free in its extent starting at `start`. */
export function setFree(ring: RingState, self: string, start: number, free: number): RingState {
  const x = viewOf(ring).at(start)
  if (x === undefined || x.start !== start || x.owner !== self) {
    throw new IpamError('ERR_BAD_ARGUMENT', `no extent of ${self.slice(0, 12)} starts at ${start}`)
  }
  return ringDelta(ring, [entry(start, x.end, self, x.version + 1, free)])
}

/**
 * The extents in `extents` change owner to `to`, each with the free count `free(extent)` and its
 * version raised by `step` (1; TAKEOVER_VERSION_STEP for a takeover).
 */
export function reassign(ring: RingState, extents: readonly Extent[], to: string, free: (x: Extent) => number, step = 1): RingState {
  return ringDelta(ring, extents.map((x) => entry(x.start, x.end, to, Math.min(x.version + step, Number.MAX_SAFE_INTEGER), free(x))))
}
