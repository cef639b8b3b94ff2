// The options, collaborators and figures of the name CRDT (`Names`), apart from its logic.

import type { NamesState } from './names-state.js'

export interface NamesInit {
  /** This peer's id (64 lowercase hex). */
  selfId: string
  /**
   * Own tombstones kept before compacting (see the file comment). Default
   * `DEFAULT_COMPACT_THRESHOLD` (64); 0 compacts at every removal.
   */
  compactThreshold?: number
  /**
   * How long the floor of a removed peer is gossiped, then kept silently, in milliseconds of the
   * injected clock. Default `DEFAULT_FLOOR_RETENTION_MS` (one day).
   */
  floorRetentionMs?: number
}

export interface NamesComponents {
  /** Only times floor retention (`gc`); never orders anything. Monotonic milliseconds. */
  clock: { now(): number }
  /** Receives every change that starts here: `(delta) => engine.publish(NAMES_CHANNEL, delta)`. */
  publish(delta: NamesState): void
}

/** Called with the lowercase names whose entries changed. Must not throw. */
export type NamesListener = (names: ReadonlySet<string>) => void

export interface NamesStats {
  /** Live entries, every owner. */
  entries: number
  tombstones: number
  /** Peers with entries or a floor. */
  peers: number
  /** Peers with a floor above 0. */
  floors: number
  ownEntries: number
  ownTombstones: number
  /** This peer's logical clock. */
  clock: number
  /** Times this peer re-issued its own view over a copy of itself it disagreed with. */
  reassertions: number
  compactions: number
  /** Floors of removed peers forgotten by `gc`. */
  floorsForgotten: number
}
