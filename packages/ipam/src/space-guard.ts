// When this peer may use the space it owns. Two waits, both for gossip to catch up:
//
//   re-sync   a peer restarted with a ring it shares with others allocates nothing until it has
//             heard from peers: from the first gossip on, it listens for `resyncWindowMs` (every
//             neighbour sends its full state on connect; the first may be as stale as it is), so
//             a takeover of its space done meanwhile reaches it before it allocates there;
//   settle    space gained by takeover or reclamation waits `takeoverSettleMs` before it is
//             allocated from or given away, so a donation the dead peer made unseen, or a
//             concurrent takeover elsewhere, can arrive first.
//
// Neither is a guarantee under a partition that outlasts it (docs/IPAM.md says what is).

import type { Clock } from '@weft/gossip'
import { viewOf, type Extent } from './ring-view.js'
import type { RingState } from './ring.js'

export class SpaceGuard {
  private resync: boolean
  private resyncEnds: number | null = null
  /** Extent starts gained by takeover or reclamation, and when they may be used. */
  private readonly settling = new Map<number, number>()

  constructor(
    private readonly selfId: string,
    private readonly clock: Clock,
    private readonly settleMs: number,
    private readonly windowMs: number,
    private readonly wake: () => void,
    restartedSharing: boolean,
  ) {
    this.resync = restartedSharing
  }

  /** Whether a restart still waits to re-sync. */
  get syncing(): boolean {
    return this.resync
  }

  /** Gossip from a peer arrived: the re-sync window starts (once). */
  heard(): void {
    if (!this.resync || this.resyncEnds !== null) return
    if (this.windowMs === 0) {
      this.resync = false
      return
    }
    this.resyncEnds = this.clock.now() + this.windowMs
    this.clock.setTimeout(() => {
      this.resync = false
      this.wake()
    }, this.windowMs)
  }

  /** Why a restarted peer still waits, or null. */
  describeResync(ring: RingState): string | null {
    if (!this.resync) return null
    if (this.resyncEnds !== null) {
      return `restarted: listening to peers for ${Math.ceil(this.resyncEnds - this.clock.now())} ms more before allocating (one of them may know the ring changed meanwhile)`
    }
    const others = viewOf(ring).owners().filter((p) => p !== this.selfId).slice(0, 5).map((p) => p.slice(0, 12)).join(', ')
    return `restarted with a ring shared with other peers (${others}): waiting to hear from peers before allocating`
  }

  /** Extents just gained by takeover or reclamation wait before use. */
  settle(starts: readonly number[]): void {
    if (this.settleMs === 0 || starts.length === 0) return
    const at = this.clock.now() + this.settleMs
    for (const s of starts) this.settling.set(s, at)
    this.clock.setTimeout(() => this.wake(), this.settleMs)
  }

  /** This peer's extents it may allocate from or give away now. */
  usable(ring: RingState): readonly Extent[] {
    const own = viewOf(ring).ownedBy(this.selfId)
    if (this.settling.size === 0) return own
    const now = this.clock.now()
    for (const [start, at] of this.settling) if (at <= now) this.settling.delete(start)
    return own.filter((x) => !this.settling.has(x.start))
  }

  /** Milliseconds until the last settling extent may be used, or null if none settles. */
  settlingFor(): number | null {
    let last = -Infinity
    for (const at of this.settling.values()) last = Math.max(last, at)
    return last === -Infinity ? null : Math.max(0, last - this.clock.now())
  }
}
