// One entry of the name CRDT: "`name` resolves to `address`", owned by the peer that registered
// it (only the owner changes it), versioned by the owner's logical clock. Removing an entry
// leaves a tombstone: the same key at a higher version, so a copy of the live entry still
// travelling the mesh is recognised as older and never brings the name back.
//
// An entry's key within its owner is (lowercase name, canonical address). Per key, the entry with
// the higher version wins; at an equal version (only after an owner lost its clock: two copies
// of one identity, or a restart before it learnt its old versions) a tombstone beats a live
// entry, then the larger container id, then the larger name. That is a total order, so every
// peer picks the same winner.

import { MAX_CONTAINER_ID_CHARS, PEER_ID_BYTES } from './constants.js'
import { NamesError, describeValue } from './errors.js'

/** An entry; frozen: replace it, never modify it. */
export interface NameEntry {
  /** The owning peer's id: 64 lowercase hex characters. */
  readonly owner: string
  /** The name as registered (its case kept for answers); lowercase in a tombstone. */
  readonly name: string
  /** Canonical IP address text (see `canonicalAddress`). */
  readonly address: string
  /** The container it was registered for ('' if none); '' in a tombstone. */
  readonly containerId: string
  /** The owner's logical clock when it last changed the entry, 1 to 2^53 - 1. */
  readonly version: number
  /** Whether the entry was removed. */
  readonly tombstone: boolean
}

const PEER_ID = new RegExp(`^[0-9a-f]{${PEER_ID_BYTES * 2}}$`)
const CONTAINER_ID = new RegExp(`^[\\x21-\\x7e]{0,${MAX_CONTAINER_ID_CHARS}}$`)

/** Whether `s` is a peer id: 64 lowercase hex characters. */
export function isPeerId(s: unknown): s is string {
  return typeof s === 'string' && PEER_ID.test(s)
}

/** Throws `ERR_BAD_PEER` unless `s` is a peer id. */
export function assertPeerId(s: unknown): asserts s is string {
  if (!isPeerId(s)) throw new NamesError('ERR_BAD_PEER', `peer ${describeValue(s)} is not a peer id (64 lowercase hex characters)`)
}

/** Whether `s` is a container id: 0-128 characters of printable ASCII. */
export function isContainerId(s: unknown): s is string {
  return typeof s === 'string' && CONTAINER_ID.test(s)
}

/** The key of an entry within its owner: lowercase name and address. */
export function entryKey(e: Pick<NameEntry, 'name' | 'address'>): string {
  return `${e.name.toLowerCase()} ${e.address}`
}

/** Whether `a` wins over `b`, two entries of one owner and key (see the file comment). */
export function beats(a: NameEntry, b: NameEntry): boolean {
  if (a.version !== b.version) return a.version > b.version
  if (a.tombstone !== b.tombstone) return a.tombstone
  if (a.containerId !== b.containerId) return a.containerId > b.containerId
  return a.name > b.name
}

/** Whether two entries have the same content. */
export function sameEntry(a: NameEntry, b: NameEntry): boolean {
  return a === b || (a.owner === b.owner && a.name === b.name && a.address === b.address &&
    a.containerId === b.containerId && a.version === b.version && a.tombstone === b.tombstone)
}

/** A live entry. Arguments must be valid (checked by the caller). */
export function liveEntry(owner: string, name: string, address: string, containerId: string, version: number): NameEntry {
  return Object.freeze({ owner, name, address, containerId, version, tombstone: false })
}

/** The tombstone of a key at `version`. */
export function tombstoneOf(e: Pick<NameEntry, 'owner' | 'name' | 'address'>, version: number): NameEntry {
  return Object.freeze({ owner: e.owner, name: e.name.toLowerCase(), address: e.address, containerId: '', version, tombstone: true })
}

/** Orders entries by name, address, then owner (for listings and canonical encodings). */
export function compareEntries(a: NameEntry, b: NameEntry): number {
  const ka = entryKey(a)
  const kb = entryKey(b)
  if (ka !== kb) return ka < kb ? -1 : 1
  return a.owner < b.owner ? -1 : a.owner > b.owner ? 1 : 0
}
