// Per-peer records that only their peer writes (consensus acceptor state, space requests): a map
// peer -> record where each record only grows in its own total order, so the merge keeps the
// greater record per peer. Equal order with different content is a conflict, counted and settled
// by the order's own tie-break, the same on every peer.

/** A peer-owned record. */
export interface OwnedRecord {
  readonly peer: string
}

/** Result of merging `incoming` into `current`. */
export interface OwnedMerge<R extends OwnedRecord> {
  /** The merged map (`current` itself if nothing changed). */
  readonly state: ReadonlyMap<string, R>
  /** The records of `incoming` that won: exactly what was new. */
  readonly delta: ReadonlyMap<string, R>
  /** Records that tied in order with different content. */
  readonly conflicts: number
}

/**
 * Merges two record maps. `compare` is a total order on one peer's records (positive: `a` is
 * newer); `same` says whether two records are identical, and `tie` is consulted only when the
 * order is equal and they differ (positive: `a` wins).
 */
export function mergeOwned<R extends OwnedRecord>(
  current: ReadonlyMap<string, R>,
  incoming: ReadonlyMap<string, R>,
  compare: (a: R, b: R) => number,
  same: (a: R, b: R) => boolean,
  tie: (a: R, b: R) => number,
): OwnedMerge<R> {
  let state: Map<string, R> | null = null
  const delta = new Map<string, R>()
  let conflicts = 0
  for (const [peer, r] of incoming) {
    const had = current.get(peer)
    if (had !== undefined) {
      if (same(r, had)) continue
      const order = compare(r, had)
      if (order < 0) continue
      if (order === 0) {
        conflicts++
        if (tie(r, had) <= 0) continue
      }
    }
    state ??= new Map(current)
    state.set(peer, r)
    delta.set(peer, r)
  }
  return { state: state ?? current, delta, conflicts }
}
