import { MAC_MAX_AGE_MS, MAC_TABLE_LIMIT } from './constants.js'

/** Owner of a MAC learnt on the local bridge (as opposed to a peer's id). */
export const LOCAL = ''

/**
 * MAC learning: which side of the mesh a unicast MAC lives on, `LOCAL` for frames read from our
 * TAP, or the id of the peer whose frames carried it. Keys are 48-bit MACs as numbers.
 */
export class MacTable {
  private readonly owners = new Map<number, string>()
  private readonly seen = new Map<number, number>()
  /** Bumped whenever a MAC is added, changes owner or goes: the fast path republishes then. */
  version = 0

  constructor(private readonly limit = MAC_TABLE_LIMIT) {}

  /** Records `mac` as owned by `owner`; false when the table is full and the MAC is new. */
  learn(mac: number, owner: string, now: number): boolean {
    if (!this.owners.has(mac) && this.owners.size >= this.limit) return false
    if (this.owners.get(mac) !== owner) {
      this.owners.set(mac, owner)
      this.version++
    }
    this.seen.set(mac, now)
    return true
  }

  /** Marks a known MAC as seen at `now` (traffic the native fast path carried); false if unknown. */
  touch(mac: number, now: number): boolean {
    if (!this.seen.has(mac)) return false
    this.seen.set(mac, now)
    return true
  }

  forEach(fn: (owner: string, mac: number) => void): void {
    this.owners.forEach(fn)
  }

  lookup(mac: number): string | undefined {
    return this.owners.get(mac)
  }

  /** Forgets every MAC learnt from `owner` (a peer that went away). */
  forgetOwner(owner: string): number {
    let n = 0
    for (const [mac, o] of this.owners) {
      if (o === owner) {
        this.owners.delete(mac)
        this.seen.delete(mac)
        n++
      }
    }
    if (n > 0) this.version++
    return n
  }

  /** Drops entries not seen for `maxAgeMs`; returns how many. */
  expire(now: number, maxAgeMs = MAC_MAX_AGE_MS): number {
    let n = 0
    for (const [mac, t] of this.seen) {
      if (now - t > maxAgeMs) {
        this.seen.delete(mac)
        this.owners.delete(mac)
        n++
      }
    }
    if (n > 0) this.version++
    return n
  }

  get size(): number {
    return this.owners.size
  }

  entries(): Array<{ mac: number; owner: string; seenAt: number }> {
    return [...this.owners].map(([mac, owner]) => ({ mac, owner, seenAt: this.seen.get(mac) ?? 0 }))
  }
}
