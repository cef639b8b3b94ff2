// Automatic reclamation (off unless `reclaimAfterMs` is set), the careful sibling of `takeOver`:
//
//   - a peer is a candidate once every check for `reclaimAfterMs` found it unreachable
//     (`isReachable`, wired to the topology's view);
//   - only its entries that it last reported wholly free are taken (used = 0: no container of
//     it can hold an address there as far as anyone was told); space with allocations is never
//     reclaimed automatically: that needs an operator's `takeOver` (rmpeer);
//   - only one peer acts: the reachable owner with the smallest id (itself included), so
//     concurrent reclaims are rare, and when views differ the ring's tie-break settles them.
//
// docs/IPAM.md gives the argument why a returning peer meets no duplicate, and its limits.

import type { Clock } from '@weft/gossip'
import { MAX_RECLAIM_CHECK_INTERVAL_MS } from './constants.js'
import { ipamState, type IpamState } from './ipam-state.js'
import { compareIds, shortId } from './ring-entry.js'
import { reassign } from './ring-edit.js'
import { viewOf } from './ring-view.js'
import type { RingState } from './ring.js'

export interface ReclaimerHost {
  readonly selfId: string
  readonly clock: Clock
  ring(): RingState | null
  reachable(peer: string): boolean
  /** Whether this peer may claim space now (not an observer, not waiting to resync). */
  mayClaim(): boolean
  write(delta: IpamState): void
  /** Told which extents (by start) it just claimed, so they settle before use. */
  claimed(starts: readonly number[]): void
  /** Runs the allocator's waiting operations (after a check). */
  wake(): void
  logger?: { warn(obj: object, msg: string): void } | undefined
}

export class Reclaimer {
  /** Addresses reclaimed. */
  reclaimed = 0
  private readonly since = new Map<string, number>()
  private timer: unknown = null

  /** Starts checking every quarter of `afterMs` (at most every MAX_RECLAIM_CHECK_INTERVAL_MS). */
  constructor(readonly afterMs: number, private readonly host: ReclaimerHost) {
    this.arm()
  }

  close(): void {
    if (this.timer !== null) this.host.clock.clearTimeout(this.timer)
    this.timer = null
  }

  private arm(): void {
    this.timer = this.host.clock.setTimeout(() => {
      this.check()
      this.host.wake()
      if (this.timer !== null) this.arm()
    }, Math.min(this.afterMs / 4, MAX_RECLAIM_CHECK_INTERVAL_MS))
  }

  /** One check: track unreachable owners, reclaim the wholly free space of those gone long enough. */
  check(): void {
    const ring = this.host.ring()
    if (ring === null) return
    const view = viewOf(ring)
    const now = this.host.clock.now()
    const owners = view.owners().filter((p) => p !== this.host.selfId)
    for (const peer of this.since.keys()) if (!owners.includes(peer)) this.since.delete(peer)
    const reachable = [this.host.selfId]
    for (const peer of owners) {
      if (this.host.reachable(peer)) {
        this.since.delete(peer)
        reachable.push(peer)
      } else if (!this.since.has(peer)) {
        this.since.set(peer, now)
      }
    }
    if (!this.host.mayClaim() || reachable.sort(compareIds)[0] !== this.host.selfId) return
    for (const [peer, since] of this.since) {
      if (now - since < this.afterMs) continue
      const current = this.host.ring()!
      const empty = viewOf(current).ownedBy(peer).filter((x) => x.end === x.entry.end && x.entry.free === x.end - x.start)
      if (empty.length === 0) continue
      this.host.write(ipamState({ ring: reassign(current, empty, this.host.selfId, (x) => x.end - x.start) }))
      this.host.claimed(empty.map((x) => x.start))
      const addresses = empty.reduce((n, x) => n + x.end - x.start, 0)
      this.reclaimed += addresses
      this.host.logger?.warn({ peer: shortId(peer), addresses, unreachableMs: now - since }, 'reclaimed the free ipam space of an unreachable peer')
    }
  }

  /** Owners unreachable now, with the time they were first found so. */
  unreachable(): ReadonlyMap<string, number> {
    return this.since
  }
}
