// One entry of the ring: a block of the range `[start, end)` (offsets from the range's first
// address), owned by one peer. The entry is keyed by `start` (its token); tokens are never
// removed, so the set of tokens only grows. Everything else is written only by the entry's owner
// (or by a peer taking over a dead owner), each write with a higher `version`.
//
// Merge per token: the higher version wins. Two different entries at one version should never
// exist; if they do (a takeover race, a restored backup) that is a conflict, counted, and settled
// the same way everywhere: fewer free addresses wins (it keeps the containers that hold them),
// then the smaller owner id. That is a max under a total order, so the merge is a join.

/** A block of the range owned by one peer. Offsets are from the range's first address. */
export interface RingEntry {
  /** First offset of the block (the token). */
  readonly start: number
  /** One past the last offset. Only ever lowered by its owner (when it gives part away). */
  readonly end: number
  /** Owner's peer id (64 lowercase hex). */
  readonly owner: string
  /** Bumped by every write; only the owner writes (see the file comment for takeovers). */
  readonly version: number
  /** Addresses of `[start, end)` the owner has not allocated, as it last reported. */
  readonly free: number
}

const PEER_ID = /^[0-9a-f]{64}$/

/** Whether `id` is a peer id: 64 lowercase hex characters (an Ed25519 public key). */
export function isPeerId(id: unknown): id is string {
  return typeof id === 'string' && PEER_ID.test(id)
}

/** Orders peer ids as strings (the same on every peer). */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/**
 * The merge order of two entries for one token: positive if `a` wins, negative if `b` wins, 0 if
 * they are the same entry.
 */
export function compareEntries(a: RingEntry, b: RingEntry): number {
  if (a.version !== b.version) return a.version - b.version
  if (a.free !== b.free) return b.free - a.free
  if (a.owner !== b.owner) return -compareIds(a.owner, b.owner)
  return b.end - a.end
}

/** Whether two entries are identical. */
export function sameEntry(a: RingEntry, b: RingEntry): boolean {
  return a.start === b.start && a.end === b.end && a.owner === b.owner && a.version === b.version && a.free === b.free
}

/** A frozen entry. */
export function entry(start: number, end: number, owner: string, version: number, free: number): RingEntry {
  return Object.freeze({ start, end, owner, version, free })
}

/** Short form of a peer id for messages and logs (first 12 hex characters). */
export function shortId(id: string): string {
  return id.slice(0, 12)
}
