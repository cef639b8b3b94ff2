// The state of the name CRDT, and its join. The state (and a delta: just a small state) holds,
// per owning peer, a floor and entries:
//
//   peer -> { floor: F, entries: { (name, address) -> entry } }
//
// The floor says "every entry of this peer at version F or lower is gone": one number that
// stands for any number of tombstones. It is raised by `removePeer` (anyone, for a peer that
// left) and by the owner when it compacts its tombstones. A state never holds an entry at or
// below its peer's floor.
//
// Join, per peer: the higher floor; per key, the entry that `beats` the other; then drop the
// entries at or below the floor. Each part is a max under a total order and dropping is the same
// on both sides of any merge, so the join is commutative, associative and idempotent. A part
// with no floor and no entries says nothing and is left out.

import { beats, compareEntries, entryKey, type NameEntry } from './name-entry.js'

/** One peer's part of a state: its floor and entries above it. */
export interface PeerNames {
  /** Every entry of the peer at this version or lower is gone; 0 for none. */
  readonly floor: number
  /** Entries (live and tombstones), unique by (lowercase name, address), each above `floor`. */
  readonly entries: readonly NameEntry[]
}

/** A state or delta of the name CRDT: each peer's part, by peer id. */
export type NamesState = ReadonlyMap<string, PeerNames>

/** The join of two states (or deltas), as a new state. */
export function joinStates(a: NamesState, b: NamesState): NamesState {
  const out = new Map<string, PeerNames>()
  for (const peer of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(peer)
    const y = b.get(peer)
    if (x === undefined || y === undefined) {
      const only = (x ?? y)!
      if (!isEmpty(only)) out.set(peer, only)
      continue
    }
    const floor = Math.max(x.floor, y.floor)
    const byKey = new Map<string, NameEntry>()
    for (const e of [...x.entries, ...y.entries]) {
      if (e.version <= floor) continue
      const key = entryKey(e)
      const current = byKey.get(key)
      if (current === undefined || beats(e, current)) byKey.set(key, e)
    }
    const part = Object.freeze({ floor, entries: Object.freeze([...byKey.values()]) })
    if (!isEmpty(part)) out.set(peer, part)
  }
  return out
}

/** A part that says nothing: no floor, no entries. */
function isEmpty(part: PeerNames): boolean {
  return part.floor === 0 && part.entries.length === 0
}

/** A state in its canonical order: peers by id, entries by name then address. */
export function sortedState(state: NamesState): Array<[string, PeerNames]> {
  return [...state.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([peer, part]) => [peer, { floor: part.floor, entries: [...part.entries].sort(compareEntries) }])
}
