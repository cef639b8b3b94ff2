// The ring CRDT: the allocation range split into entries (see ring-entry.ts), plus the identity
// of the ring. A ring is born from a seed list of peers (`seedRing`): every peer that computes it
// from the same range and list gets the same entries and the same `ringId`, so rings from the
// `seed` mode, from a consensus decision, and from any later merge agree byte for byte.
//
// Merging two states of one ring (same `ringId`) is a per-token max (ring-entry.ts); two rings
// with different ids never merge: when two whole rings of one range meet, the one that `outranks`
// the other replaces it whole (the losing ring's peers revoke their allocations and ask for space).

import { createHash } from 'node:crypto'
import { MAX_SEEDS, RING_ID_BYTES } from './constants.js'
import { IpamError } from './errors.js'
import { compareEntries, compareIds, entry, isPeerId, sameEntry, type RingEntry } from './ring-entry.js'
import { formatCidr, type Cidr } from './cidr.js'

/** A ring, or a delta of one. */
export interface RingState {
  readonly range: Cidr
  /** 32 hex characters: a hash of the range and the seed list. */
  readonly ringId: string
  /** The sorted seed list, or null in a delta whose receiver already has the ring. */
  readonly seeds: readonly string[] | null
  /** Entries by start offset. */
  readonly entries: ReadonlyMap<number, RingEntry>
}

/** Result of `mergeRing`. */
export interface RingMerge {
  readonly state: RingState
  /** What `incoming` brought that was new (entries that won, seeds if they were missing), or null. */
  readonly delta: RingState | null
  /** Tokens where both sides held different entries at one version. */
  readonly conflicts: number
}

/** The ring id of `range` seeded with the sorted, unique `seeds`. */
export function ringIdOf(range: Cidr, seeds: readonly string[]): string {
  const h = createHash('sha256').update(`weft-ipam-ring\n${formatCidr(range)}\n${seeds.join(',')}`)
  return h.digest('hex').slice(0, RING_ID_BYTES * 2)
}

/** Sorts and checks a seed list; throws `ERR_BAD_ARGUMENT` on a bad or duplicate id. */
export function normalizeSeeds(peers: readonly string[], range: Cidr): string[] {
  if (!Array.isArray(peers) || peers.length === 0 || peers.length > MAX_SEEDS) {
    throw new IpamError('ERR_BAD_ARGUMENT', `a seed list must name 1 to ${MAX_SEEDS} peers`)
  }
  const sorted = [...peers].sort(compareIds)
  for (let i = 0; i < sorted.length; i++) {
    if (!isPeerId(sorted[i])) throw new IpamError('ERR_BAD_ARGUMENT', `seed ${JSON.stringify(String(sorted[i])).slice(0, 20)} is not a peer id (64 lowercase hex)`)
    if (i > 0 && sorted[i] === sorted[i - 1]) throw new IpamError('ERR_BAD_ARGUMENT', `seed ${sorted[i].slice(0, 12)} is listed twice`)
  }
  if (sorted.length > range.size) throw new IpamError('ERR_BAD_ARGUMENT', `${sorted.length} seeds cannot share ${range.size} addresses`)
  return sorted
}

/**
 * The initial ring of `range` among `peers`: peer i (in sorted order) owns
 * `[floor(i * size / n), floor((i + 1) * size / n))`, version 0, all free.
 */
export function seedRing(range: Cidr, peers: readonly string[]): RingState {
  const seeds = normalizeSeeds(peers, range)
  const n = seeds.length
  const entries = new Map<number, RingEntry>()
  for (let i = 0; i < n; i++) {
    const start = Math.floor((i * range.size) / n)
    const end = Math.floor(((i + 1) * range.size) / n)
    entries.set(start, entry(start, end, seeds[i], 0, end - start))
  }
  return Object.freeze({ range, ringId: ringIdOf(range, seeds), seeds: Object.freeze(seeds), entries })
}

/** A state of the same ring holding `entries` (and no seeds): a delta. */
export function ringDelta(ring: RingState, entries: Iterable<RingEntry>): RingState {
  return Object.freeze({ range: ring.range, ringId: ring.ringId, seeds: null, entries: new Map([...entries].map((e) => [e.start, e])) })
}

/**
 * Merges `incoming` into `current`; both must be states of one ring (same `ringId`: check before).
 * Returns `current` itself as the state when nothing was new.
 */
export function mergeRing(current: RingState, incoming: RingState): RingMerge {
  if (current.ringId !== incoming.ringId) {
    throw new IpamError('ERR_BAD_ARGUMENT', 'mergeRing: the two states belong to different rings')
  }
  let entries: Map<number, RingEntry> | null = null
  const won: RingEntry[] = []
  let conflicts = 0
  for (const e of incoming.entries.values()) {
    const had = current.entries.get(e.start)
    if (had !== undefined) {
      if (sameEntry(e, had)) continue
      if (e.version === had.version) conflicts++
      if (compareEntries(e, had) <= 0) continue
    }
    entries ??= new Map(current.entries)
    entries.set(e.start, e)
    won.push(e)
  }
  const newSeeds = current.seeds === null && incoming.seeds !== null
  if (entries === null && !newSeeds) return { state: current, delta: null, conflicts }
  const state: RingState = Object.freeze({
    range: current.range, ringId: current.ringId, seeds: current.seeds ?? incoming.seeds, entries: entries ?? current.entries,
  })
  const delta = ringDelta(current, won)
  return { state, delta: newSeeds ? Object.freeze({ ...delta, seeds: incoming.seeds }) : delta, conflicts }
}

/**
 * Whether whole ring `a` wins over whole ring `b`, another ring of the same range, when the two meet
 * (two groups that initialised apart, or with different quorums, connect): the ring of more seeds
 * wins, then the smaller ring id. Both are fixed at birth, so every peer ranks two rings alike and
 * the choice never flips. Deltas (no seeds) never win: a peer switches only to a whole ring.
 */
export function outranks(a: RingState, b: RingState): boolean {
  if (a.seeds === null || b.seeds === null || a.ringId === b.ringId || a.range.base !== b.range.base || a.range.size !== b.range.size) return false
  if (a.seeds.length !== b.seeds.length) return a.seeds.length > b.seeds.length
  return a.ringId < b.ringId
}

/** Whether two ring states hold the same entries and seeds. */
export function ringsEqual(a: RingState, b: RingState): boolean {
  if (a.ringId !== b.ringId || a.entries.size !== b.entries.size || (a.seeds === null) !== (b.seeds === null)) return false
  for (const e of a.entries.values()) {
    const f = b.entries.get(e.start)
    if (f === undefined || !sameEntry(e, f)) return false
  }
  return true
}
