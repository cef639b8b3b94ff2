// Donations, both sides.
//
//   requester  the allocator reports what its waiting operations need (a region, sometimes a set
//              donor: the owner of a claimed address). The broker keeps one request open at a time:
//              it asks the peer reporting the most free space in the region, and after a retry
//              period without space the next one (every candidate once, then round again). When
//              no operation needs the region any more it withdraws the request.
//   donor      for every request naming this peer that it has not answered, it gives the largest
//              aligned wholly free block of its own space in the region, at most half of its free
//              space (so two peers asking each other never ping-pong all of it), or nothing.
//
// The donor remembers the last request it answered per peer in memory only: after a restart it
// may answer a still-open request twice, which only gives a little more space away.

import type { Clock } from '@weft/gossip'
import { formatAddress, type Cidr } from './cidr.js'
import type { AllocationTable } from './allocation-table.js'
import { ipamState, type IpamState } from './ipam-state.js'
import { compareIds, shortId } from './ring-entry.js'
import { giveBlock } from './ring-edit.js'
import { viewOf, type Extent } from './ring-view.js'
import type { RingState } from './ring.js'
import { largestFreeBlock, spaceRequest, type SpaceRequest } from './space-request.js'

/** What one waiting operation needs: space in `[lo, hi)`, from `donor` if set. */
export interface SpaceNeed {
  readonly lo: number
  readonly hi: number
  readonly donor: string | null
}

export interface BrokerHost {
  readonly selfId: string
  readonly clock: Clock
  readonly range: Cidr
  readonly retryMs: number
  readonly table: AllocationTable
  ring(): RingState | null
  requests(): ReadonlyMap<string, SpaceRequest>
  write(delta: IpamState): void
  /** Whether `peer` is reachable now, if the allocator was told how to know. */
  reachable(peer: string): boolean
  /** This peer's extents it may allocate from or give away now (not settling after a takeover). */
  usable(ring: RingState): readonly Extent[]
  wake(): void
  logger?: { info(obj: object, msg: string): void } | undefined
}

interface OpenRequest {
  readonly lo: number
  readonly hi: number
  readonly donor: string
  readonly at: number
}

export class SpaceBroker {
  /** Addresses given away. */
  given = 0
  /** Requests published. */
  sent = 0
  private open: OpenRequest | null = null
  private noDonor: string | null = null
  private readonly tried = new Set<string>()
  private readonly answered = new Map<string, number>()
  private timer: unknown = null

  constructor(private readonly host: BrokerHost) {}

  /** Requester side: brings the open request in line with what waiting operations need. */
  sync(needs: readonly SpaceNeed[]): void {
    const open = this.open
    if (open !== null) {
      const still = needs.find((n) => n.lo === open.lo && n.hi === open.hi)
      if (still === undefined) {
        this.publish(null, 0, 0)
        this.open = null
        this.tried.clear()
      } else if (this.host.clock.now() - open.at >= this.host.retryMs) {
        this.tried.add(open.donor)
        this.ask(still)
      }
    }
    if (this.open === null && needs.length > 0) this.ask(needs[0])
    if (needs.length === 0) this.noDonor = null
  }

  /** Donor side: answers every request to this peer not answered yet. */
  answer(): void {
    for (const r of this.host.requests().values()) {
      if (r.donor !== this.host.selfId || r.peer === this.host.selfId) continue
      if ((this.answered.get(r.peer) ?? -1) >= r.seq) continue
      this.answered.set(r.peer, r.seq)
      const ring = this.host.ring()
      if (ring !== null) this.donate(ring, r)
    }
  }

  /** What the requester is waiting for, or null. */
  describe(): string | null {
    if (this.open !== null) {
      const ago = this.host.clock.now() - this.open.at
      return `waiting for a donation from peer ${shortId(this.open.donor)} of space in ${this.region(this.open)} (asked ${Math.round(ago)} ms ago)`
    }
    return this.noDonor
  }

  /** The open request, for status. */
  current(): OpenRequest | null {
    return this.open
  }

  close(): void {
    if (this.timer !== null) this.host.clock.clearTimeout(this.timer)
    this.timer = null
  }

  private ask(need: SpaceNeed): void {
    let donor = need.donor ?? this.pickDonor(need)
    if (donor === null && this.tried.size > 0) {
      this.tried.clear()
      donor = this.pickDonor(need)
    }
    if (donor === null) {
      this.open = null
      this.noDonor = `no known peer reports free space in ${this.region(need)}: waiting for one to (release addresses, or widen the range)`
      this.arm()
      return
    }
    this.noDonor = null
    this.open = { lo: need.lo, hi: need.hi, donor, at: this.host.clock.now() }
    this.publish(donor, need.lo, need.hi)
    this.sent++
    this.arm()
  }

  /** The peer reporting the most free space in the region (ties: smallest id), skipping tried ones. */
  private pickDonor(need: SpaceNeed): string | null {
    const ring = this.host.ring()
    if (ring === null) return null
    let best: { peer: string; free: number } | null = null
    for (const [peer, share] of viewOf(ring).shares(need.lo, need.hi)) {
      if (peer === this.host.selfId || share.free <= 0 || this.tried.has(peer) || !this.host.reachable(peer)) continue
      if (best === null || share.free > best.free || (share.free === best.free && compareIds(peer, best.peer) < 0)) best = { peer, free: share.free }
    }
    return best?.peer ?? null
  }

  private donate(ring: RingState, r: SpaceRequest): void {
    const self = this.host.selfId
    const table = this.host.table
    const own = this.host.usable(ring)
    let totalFree = 0
    for (const x of own) totalFree += x.end - x.start - table.countIn(x.start, x.end)
    const lo = Math.max(0, r.start)
    const hi = Math.min(this.host.range.size, r.end)
    const max = Math.floor(totalFree / 2)
    let block = largestFreeBlock(own, lo, hi, table.usedOffsets(), max)
    // a region of a subnet: a lone network or broadcast address would be no use to the requester
    if (block !== null && hi - lo >= 4 && block.end - block.start === 1 && (block.start === lo || block.start === hi - 1)) {
      const used = [...table.usedOffsets(), lo, hi - 1].sort((x, y) => x - y)
      block = largestFreeBlock(own, lo, hi, used, max)
    }
    if (block === null) return
    const size = block.end - block.start
    const freeIn = (a: number, b: number): number => b - a - table.countIn(a, b)
    this.host.write(ipamState({ ring: giveBlock(ring, self, block.start, block.end, r.peer, size, freeIn) }))
    this.given += size
    this.host.logger?.info({ peer: shortId(r.peer), first: formatAddress(this.host.range.base + block.start), addresses: size }, 'donated ipam space')
  }

  private publish(donor: string | null, lo: number, hi: number): void {
    const own = this.host.requests().get(this.host.selfId)
    const seq = (own?.seq ?? 0) + 1
    this.host.write(ipamState({ requests: new Map([[this.host.selfId, spaceRequest(this.host.selfId, seq, donor, lo, hi)]]) }))
  }

  private region(r: { lo: number; hi: number }): string {
    const base = this.host.range.base
    return r.hi - r.lo === 1 ? formatAddress(base + r.lo) : `${formatAddress(base + r.lo)}-${formatAddress(base + r.hi - 1)}`
  }

  private arm(): void {
    this.close()
    this.timer = this.host.clock.setTimeout(() => {
      this.timer = null
      this.host.wake()
    }, this.host.retryMs)
  }
}
