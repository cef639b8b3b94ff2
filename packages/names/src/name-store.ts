// What one peer holds of the name CRDT: per owner a slot (floor and entries by key), and the
// index of live entries. Every change goes through `put` and `raiseFloor`, which keep the index
// right and note the names touched, for `Names` to tell its listeners.

import { canonicalName } from './dns-name.js'
import { NameIndex } from './name-index.js'
import { entryKey, type NameEntry } from './name-entry.js'
import type { NamesState, PeerNames } from './names-state.js'

/** One owner's part. */
export interface Slot {
  floor: number
  /** Clock reading when the floor last rose (or the slot was made). */
  floorAt: number
  /** Left out of `full()`: a removed peer's floor past its gossip period. */
  silent: boolean
  readonly entries: Map<string, NameEntry>
}

export class NameStore {
  readonly slots = new Map<string, Slot>()
  readonly index = new NameIndex()
  /** Lowercase names changed since the last `takeTouched`. */
  private touched = new Set<string>()

  constructor(private readonly now: () => number) {}

  /** The slot of `owner`, made empty if there is none. */
  slot(owner: string): Slot {
    let slot = this.slots.get(owner)
    if (slot === undefined) {
      slot = { floor: 0, floorAt: this.now(), silent: false, entries: new Map() }
      this.slots.set(owner, slot)
    }
    return slot
  }

  /** Forgets the slot of `owner` if it holds nothing. */
  tidy(owner: string): void {
    const slot = this.slots.get(owner)
    if (slot !== undefined && slot.floor === 0 && slot.entries.size === 0) this.slots.delete(owner)
  }

  /** Stores `e` in `slot` (which must be its owner's), replacing the entry of its key. */
  put(slot: Slot, e: NameEntry): NameEntry {
    const key = entryKey(e)
    const old = slot.entries.get(key)
    if (old !== undefined) this.index.remove(old)
    slot.entries.set(key, e)
    slot.silent = false
    this.index.add(e)
    this.touched.add(canonicalName(e.name))
    return e
  }

  /** Raises the floor of `slot` to `floor`, dropping every entry at or below it. */
  raiseFloor(slot: Slot, floor: number): void {
    slot.floor = floor
    slot.floorAt = this.now()
    slot.silent = false
    for (const [key, e] of slot.entries) {
      if (e.version > floor) continue
      this.index.remove(e)
      slot.entries.delete(key)
      this.touched.add(canonicalName(e.name))
    }
  }

  /** Every slot but the silent and the empty ones, as a state. */
  full(): NamesState {
    const out = new Map<string, PeerNames>()
    for (const [owner, slot] of this.slots) {
      if (slot.silent || (slot.floor === 0 && slot.entries.size === 0)) continue
      out.set(owner, { floor: slot.floor, entries: [...slot.entries.values()] })
    }
    return out
  }

  /**
   * Ages the floors of owners with no entries left (but `keep`): silent once older than
   * `retentionMs`, forgotten once older than twice that. Returns the owners forgotten.
   */
  ageFloors(now: number, retentionMs: number, keep: string): string[] {
    const forgotten: string[] = []
    for (const [owner, slot] of this.slots) {
      if (owner === keep || slot.entries.size > 0) continue
      const age = now - slot.floorAt
      if (age > 2 * retentionMs) {
        this.slots.delete(owner)
        forgotten.push(owner)
      } else if (age > retentionMs) {
        slot.silent = true
      }
    }
    return forgotten
  }

  /** Live and tombstone counts of one slot (of none: zeros). */
  static counts(slot: Slot | undefined): { live: number, tombstones: number } {
    let live = 0
    if (slot !== undefined) for (const e of slot.entries.values()) if (!e.tombstone) live++
    return { live, tombstones: (slot?.entries.size ?? 0) - live }
  }

  /** The names touched since the last call, and a fresh start. */
  takeTouched(): ReadonlySet<string> {
    const names = this.touched
    this.touched = new Set()
    return names
  }
}
