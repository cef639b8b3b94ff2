// The name CRDT: every peer's DNS entries, replicated on the `dns` gossip channel.
//
// Only the owner writes its entries (register, unregister, compact), numbering each change with
// its own logical clock, which it keeps above every version of itself it has ever seen. Anyone
// may raise a peer's floor with `removePeer` to the end of the peer's current epoch (the high
// bits of a version): that removes all its entries of that epoch and before, seen or not, and
// merges like everything else (the higher floor wins).
//
// The owner is the authority on its own entries, as in the topology. When it meets a copy of
// itself that it disagrees with (a live entry it never made or removed while it was down, a
// tombstone of something it holds, a floor over its live entries from an rmpeer), it re-issues
// its own view of that key at a version above everything seen, which wins everywhere. That is
// what stops a restarted peer's dead container from coming back on a third peer.
//
// Tombstone collection: the owner compacts its tombstones into its floor (re-versioning its
// live entries above it) once they outnumber its live entries and a threshold; that is part of
// the CRDT, safe at any moment. Floors of peers with no entries left (removed peers) are
// gossiped for `floorRetentionMs`, kept silently as long again, then forgotten (`gc`).

import { DEFAULT_COMPACT_THRESHOLD, DEFAULT_FLOOR_RETENTION_MS, EPOCH_SPAN, NAMES_CHANNEL } from './constants.js'
import { assertName, canonicalName, lookupKey } from './dns-name.js'
import { NamesError } from './errors.js'
import { canonicalAddress } from './ip-address.js'
import {
  assertPeerId, beats, compareEntries, entryKey, isContainerId, liveEntry, sameEntry, tombstoneOf, type NameEntry,
} from './name-entry.js'
import { decodeNames, encodeNames } from './names-codec.js'
import { joinStates, type NamesState, type PeerNames } from './names-state.js'
import { NameStore } from './name-store.js'
import type { NamesComponents, NamesInit, NamesListener, NamesStats } from './names-init.js'

export class Names {
  readonly name = NAMES_CHANNEL
  private readonly store: NameStore
  private readonly listeners = new Set<NamesListener>()
  private readonly selfId: string
  private readonly compactThreshold: number
  private readonly retentionMs: number
  private logical = 0
  private readonly counts = { reassertions: 0, compactions: 0, floorsForgotten: 0 }

  constructor(init: NamesInit, private readonly c: NamesComponents) {
    assertPeerId(init.selfId)
    this.selfId = init.selfId
    this.store = new NameStore(() => c.clock.now())
    this.compactThreshold = init.compactThreshold ?? DEFAULT_COMPACT_THRESHOLD
    this.retentionMs = init.floorRetentionMs ?? DEFAULT_FLOOR_RETENTION_MS
    if (!Number.isSafeInteger(this.compactThreshold) || this.compactThreshold < 0) {
      throw new NamesError('ERR_BAD_ARGUMENT', `compactThreshold must be a non-negative integer, got ${this.compactThreshold}`)
    }
    if (!(this.retentionMs >= 0)) throw new NamesError('ERR_BAD_ARGUMENT', `floorRetentionMs must be a non-negative number, got ${this.retentionMs}`)
  }

  // --- the gossip channel ---

  encode(data: NamesState): Uint8Array {
    return encodeNames(data)
  }

  decode(bytes: Uint8Array): NamesState {
    return decodeNames(bytes)
  }

  full(): NamesState {
    return this.store.full()
  }

  merge(incoming: NamesState, _from: string): NamesState | null {
    const delta = new Map<string, PeerNames>()
    const reasserted: NameEntry[] = []
    for (const [peer, part] of incoming) {
      const fresh = peer === this.selfId ? this.mergeOwn(part, reasserted) : this.mergeOther(peer, part)
      if (fresh !== null) delta.set(peer, fresh)
    }
    // to every neighbour, `from` included: the returned delta would skip `from`
    if (reasserted.length > 0) {
      this.counts.reassertions += reasserted.length
      this.publishOwn(reasserted)
    }
    this.notify()
    return delta.size > 0 ? delta : null
  }

  combine(a: NamesState, b: NamesState): NamesState {
    return joinStates(a, b)
  }

  // --- local changes ---

  /**
   * Registers `name` (without the DNS domain) at `address` for `containerId`, owned by this
   * peer. Returns false if that exact live entry exists. Throws `ERR_BAD_NAME`,
   * `ERR_BAD_ADDRESS` or `ERR_BAD_CONTAINER_ID`, changing nothing.
   */
  register(name: string, address: string, containerId = ''): boolean {
    assertName(name)
    const canonical = this.address(address)
    if (!isContainerId(containerId)) {
      throw new NamesError('ERR_BAD_CONTAINER_ID', `container id must be 0-128 printable ASCII characters, got ${JSON.stringify(String(containerId)).slice(0, 40)}`)
    }
    const own = this.store.slot(this.selfId)
    const current = own.entries.get(entryKey({ name, address: canonical }))
    if (current !== undefined && !current.tombstone && current.name === name && current.containerId === containerId) return false
    const e = liveEntry(this.selfId, name, canonical, containerId, this.tick())
    this.store.put(own, e)
    this.publishOwn([e])
    this.notify()
    return true
  }

  /** Removes this peer's entries of `name` (at `address` only, if given). Returns how many. */
  unregister(name: string, address?: string): number {
    assertName(name)
    const lower = canonicalName(name)
    const canonical = address === undefined ? undefined : this.address(address)
    return this.removeOwn((e) => canonicalName(e.name) === lower && (canonical === undefined || e.address === canonical))
  }

  /** Removes this peer's entries registered for `containerId`. Returns how many. */
  unregisterContainer(containerId: string): number {
    return this.removeOwn((e) => e.containerId === containerId)
  }

  /**
   * Removes every entry of `peer`, whoever owns them, for a peer that left or was rmpeer'd (for
   * this peer itself: all its own). It raises the peer's floor to the end of the newest epoch
   * known of it, so entries of that epoch still travelling are removed too; entries the peer
   * makes later (in a new epoch) stay. A live peer that learns of it re-issues its live entries.
   * Returns the live entries removed here. Throws `ERR_BAD_PEER` for a malformed id.
   */
  removePeer(peer: string): number {
    assertPeerId(peer)
    const known = this.store.slots.get(peer)
    if (known !== undefined && known.entries.size === 0 && (known.floor + 1) % EPOCH_SPAN === 0) return 0 // removed already
    let top = Math.max(known?.floor ?? 0, peer === this.selfId ? this.logical : 0)
    let live = 0
    for (const e of known?.entries.values() ?? []) {
      top = Math.max(top, e.version)
      if (!e.tombstone) live++
    }
    const floor = Math.min(Number.MAX_SAFE_INTEGER, (Math.floor(top / EPOCH_SPAN) + 1) * EPOCH_SPAN - 1)
    this.store.raiseFloor(this.store.slot(peer), floor)
    if (peer === this.selfId) this.logical = Math.max(this.logical, floor)
    this.c.publish(new Map([[peer, { floor, entries: [] }]]))
    this.notify()
    return live
  }

  /**
   * Folds this peer's tombstones into its floor: re-versions its live entries above the floor
   * and publishes them with it. Runs by itself (see `compactThreshold`); returns false if there
   * were no tombstones.
   */
  compact(): boolean {
    const own = this.store.slot(this.selfId)
    const live = [...own.entries.values()].filter((e) => !e.tombstone)
    if (live.length === own.entries.size) return false
    const floor = this.logical
    this.store.raiseFloor(own, floor)
    const again = live.map((e) => liveEntry(e.owner, e.name, e.address, e.containerId, this.tick()))
    for (const e of again) this.store.put(own, e)
    this.c.publish(new Map([[this.selfId, { floor, entries: again }]]))
    this.counts.compactions++
    this.notify()
    return true
  }

  /**
   * Ages the floors of removed peers (no entries left): gossiped until `floorRetentionMs` after
   * they last rose, kept silently as long again, then forgotten. Call it periodically. Returns
   * the peers forgotten.
   */
  gc(now: number = this.c.clock.now()): string[] {
    const forgotten = this.store.ageFloors(now, this.retentionMs, this.selfId)
    this.counts.floorsForgotten += forgotten.length
    return forgotten
  }

  // --- queries ---

  /** Every live address of `name` (any case, without the domain), sorted; [] for an invalid name. */
  lookup(name: string): string[] {
    const key = lookupKey(name)
    return key === null ? [] : this.store.index.addresses(key)
  }

  /** Every name with a live entry at `address` (any IP text form), as registered; [] if none. */
  reverse(address: string): string[] {
    const canonical = canonicalAddress(address)
    return canonical === null ? [] : this.store.index.names(canonical)
  }

  /** Every live entry, sorted by name, address and owner. */
  entries(): NameEntry[] {
    const out: NameEntry[] = []
    for (const slot of this.store.slots.values()) for (const e of slot.entries.values()) if (!e.tombstone) out.push(e)
    return out.sort(compareEntries)
  }

  /** Calls `listener` after every change; returns a function that stops it. */
  onChange(listener: NamesListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  stats(): NamesStats {
    let total = 0
    let floors = 0
    for (const slot of this.store.slots.values()) {
      total += slot.entries.size
      if (slot.floor > 0) floors++
    }
    const own = NameStore.counts(this.store.slots.get(this.selfId))
    const live = this.store.index.size
    return {
      entries: live, tombstones: total - live, peers: this.store.slots.size, floors,
      ownEntries: own.live, ownTombstones: own.tombstones, clock: this.logical, ...this.counts,
    }
  }

  // --- merging ---

  private mergeOther(peer: string, part: PeerNames): PeerNames | null {
    const slot = this.store.slot(peer)
    const raised = part.floor > slot.floor
    if (raised) this.store.raiseFloor(slot, part.floor)
    const fresh: NameEntry[] = []
    for (const e of part.entries) {
      if (e.version <= slot.floor || e.owner !== peer) continue
      const current = slot.entries.get(entryKey(e))
      if (current !== undefined && !beats(e, current)) continue
      this.store.put(slot, e)
      fresh.push(e)
    }
    this.store.tidy(peer)
    return raised || fresh.length > 0 ? { floor: slot.floor, entries: fresh } : null
  }

  /** Copies of this peer's own entries: adopt what agrees with it, out-version what does not. */
  private mergeOwn(part: PeerNames, reasserted: NameEntry[]): PeerNames | null {
    const own = this.store.slot(this.selfId)
    this.logical = Math.max(this.logical, part.floor)
    const raised = part.floor > own.floor
    if (raised) {
      // an rmpeer of this peer (or a floor from before a restart): what is live here stays live
      const live = [...own.entries.values()].filter((e) => !e.tombstone && e.version <= part.floor)
      this.store.raiseFloor(own, part.floor)
      for (const e of live) reasserted.push(this.store.put(own, liveEntry(e.owner, e.name, e.address, e.containerId, this.tick())))
    }
    const fresh: NameEntry[] = []
    for (const e of part.entries) {
      if (e.version <= own.floor || e.owner !== this.selfId) continue
      this.logical = Math.max(this.logical, e.version)
      const current = own.entries.get(entryKey(e))
      if (current !== undefined && (e.version < current.version || sameEntry(e, current))) continue
      const agrees = current === undefined || current.tombstone
        ? e.tombstone
        : !e.tombstone && e.name === current.name && e.containerId === current.containerId
      if (agrees) {
        fresh.push(this.store.put(own, e))
      } else if (current !== undefined && !current.tombstone) {
        reasserted.push(this.store.put(own, liveEntry(this.selfId, current.name, current.address, current.containerId, this.tick())))
      } else {
        reasserted.push(this.store.put(own, tombstoneOf(e, this.tick())))
      }
    }
    return raised || fresh.length > 0 ? { floor: own.floor, entries: fresh } : null
  }

  // --- helpers ---

  private removeOwn(match: (e: NameEntry) => boolean): number {
    const own = this.store.slot(this.selfId)
    const removed: NameEntry[] = []
    for (const e of [...own.entries.values()]) {
      if (!e.tombstone && match(e)) removed.push(this.store.put(own, tombstoneOf(e, this.tick())))
    }
    if (removed.length === 0) return 0
    this.publishOwn(removed)
    const { live, tombstones } = NameStore.counts(own)
    if (tombstones > this.compactThreshold && tombstones > live) this.compact()
    this.notify()
    return removed.length
  }

  private address(address: string): string {
    const canonical = canonicalAddress(address)
    if (canonical === null) {
      throw new NamesError('ERR_BAD_ADDRESS', `address ${JSON.stringify(String(address)).slice(0, 50)} is not an IPv4 or IPv6 literal`)
    }
    return canonical
  }

  private tick(): number {
    if (this.logical >= Number.MAX_SAFE_INTEGER) {
      throw new NamesError('ERR_VERSION_EXHAUSTED', 'this peer\'s name clock reached 2^53 - 1; start it with a new identity')
    }
    return ++this.logical
  }

  private publishOwn(entries: NameEntry[]): void {
    this.c.publish(new Map([[this.selfId, { floor: this.store.slot(this.selfId).floor, entries }]]))
  }

  private notify(): void {
    const names = this.store.takeTouched()
    if (names.size === 0) return
    for (const listener of [...this.listeners]) listener(names)
  }
}

/** Creates the name CRDT of peer `selfId`, empty. */
export function createNames(init: NamesInit, components: NamesComponents): Names {
  return new Names(init, components)
}
