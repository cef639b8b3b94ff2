// The allocator: this peer's IPAM, and the `ipam` gossip channel. It is where the parts meet; each
// part lives in its own file:
//
//   1. state      DurableState (durable-state.ts): working vs saved; publish only what is saved
//   2. ring       created lazily (seed, or consensus.ts), or adopted from a peer (`merge`)
//   3. operations OperationQueue (operation-queue.ts): allocate / claim wait until they can finish;
//                 `pump` retries them after every change and collects the space they lack
//   4. space      SpaceBroker (space-broker.ts): asks donors, answers requests
//   5. leaving    transferTo / takeOver, and Reclaimer (reclaimer.ts) for unreachable peers
//   6. the rule   an allocation lies in this peer's own space, or it is revoked (revocation.ts)
//
// Nothing a peer sends makes `merge` throw; local calls reject with `IpamError`.

import type { GossipChannel } from '@weft/gossip'
import { AllocationTable, type Allocation, type Held } from './allocation-table.js'
import { parseClaim, parseOptions, type AllocatorOptions } from './allocator-options.js'
import type { AllocatorComponents, AllocatorInit, IpamStats, IpamStatus } from './allocator-status.js'
import { formatAddress, formatCidr, parseSubnet, type Cidr } from './cidr.js'
import { Consensus } from './consensus.js'
import { IPAM_CHANNEL, MAX_REVOKED_SHOWN, TAKEOVER_VERSION_STEP } from './constants.js'
import { DurableState } from './durable-state.js'
import { IpamError, check } from './errors.js'
import { decodeIpam, encodeIpam } from './ipam-codec.js'
import { combineIpam, ipamState, type IpamState } from './ipam-state.js'
import { OperationQueue } from './operation-queue.js'
import { Reclaimer } from './reclaimer.js'
import { revokeOutside } from './revocation.js'
import { RingAdmission } from './ring-admission.js'
import { isPeerId, shortId } from './ring-entry.js'
import { reassign, setFree } from './ring-edit.js'
import { viewOf, type Extent, type RingView } from './ring-view.js'
import { ringDelta, seedRing, type RingState } from './ring.js'
import { restoreSnapshot, snapshotOf } from './snapshot-restore.js'
import { isContainerId } from './snapshot-codec.js'
import { SpaceBroker } from './space-broker.js'
import { SpaceGuard } from './space-guard.js'

export class Allocator implements GossipChannel<IpamState> {
  readonly name = IPAM_CHANNEL
  readonly selfId: string
  readonly range: Cidr
  readonly defaultSubnet: Cidr
  private readonly o: AllocatorOptions
  private readonly state: DurableState
  private readonly table: AllocationTable
  private readonly queue: OperationQueue
  private readonly consensus: Consensus | null = null
  private readonly broker: SpaceBroker
  private readonly reclaimer: Reclaimer | null = null
  private readonly notes: string[] = []
  private readonly revoked: Allocation[] = []
  private readonly counts = { conflicts: 0, donationsReceived: 0, takenOver: 0, saveFailures: 0, revoked: 0 }
  private readonly admission: RingAdmission
  private readonly space: SpaceGuard
  private pumping = false
  private closed = false

  constructor(init: AllocatorInit, private readonly c: AllocatorComponents) {
    const o = (this.o = parseOptions(init))
    this.selfId = o.selfId
    this.range = o.range
    this.defaultSubnet = o.defaultSubnet
    check(o.reclaimAfterMs === null || c.isReachable !== undefined, 'reclaimAfterMs needs the isReachable component')
    const restored = restoreSnapshot(c.store.load(), this.selfId, this.range)
    this.table = new AllocationTable(this.range)
    for (const a of restored.allocations) this.table.add(a.containerId, a.subnet, a.offset)
    for (const note of restored.notes) {
      this.notes.push(note)
      c.logger?.warn({ reason: note }, 'ipam state at start')
    }
    this.state = new DurableState(restored.state, {
      store: c.store,
      clock: c.clock,
      publish: (delta) => c.publish(delta),
      snapshot: (working) => snapshotOf(this.selfId, this.range, working, this.table),
      saveFailed: (err) => {
        this.counts.saveFailures++
        c.logger?.warn({ err: err instanceof Error ? err.message : String(err) }, 'saving the ipam state failed')
      },
    })
    const host = { selfId: this.selfId, clock: c.clock, random: c.random, wake: () => this.pump() }
    const write = (delta: IpamState): void => void this.state.local(delta)
    this.queue = new OperationQueue({
      clock: c.clock, timeoutMs: o.allocateTimeoutMs, wake: host.wake,
      flush: () => this.state.flush(),
      undo: (held) => {
        if (this.table.remove(held)) this.refreshFree([held.offset])
      },
      why: (lo, hi) => this.blockedReason({ lo, hi }),
    })
    const ring = this.ring()
    this.admission = new RingAdmission(this.range, o.mode, c.logger)
    this.space = new SpaceGuard(this.selfId, c.clock, o.takeoverSettleMs, o.resyncWindowMs, () => this.pump(),
      ring !== null && viewOf(ring).owners().some((p) => p !== this.selfId))
    if (o.mode.kind === 'consensus' && ring === null) {
      this.consensus = new Consensus(o.mode.quorum, o.consensusRetryMs, {
        ...host, records: () => this.state.working.paxos, write: (r) => write(ipamState({ paxos: new Map([[r.peer, r]]) })),
      })
    }
    this.broker = new SpaceBroker({
      ...host, range: this.range, retryMs: o.donationRetryMs, table: this.table, write, logger: c.logger,
      ring: () => this.ring(), requests: () => this.state.working.requests, reachable: (p) => this.reachable(p),
      usable: (ring) => this.space.usable(ring),
    })
    if (o.reclaimAfterMs !== null) {
      this.reclaimer = new Reclaimer(o.reclaimAfterMs, {
        ...host, write, logger: c.logger, ring: () => this.ring(), reachable: (p) => this.reachable(p),
        mayClaim: () => o.mode.kind !== 'observer' && !this.space.syncing, claimed: (starts) => this.space.settle(starts),
      })
    }
    if (ring !== null && this.revoke(viewOf(ring)) > 0) this.state.touch()
  }

  // --- the gossip channel ---

  encode(data: IpamState): Uint8Array {
    return encodeIpam(data)
  }

  decode(bytes: Uint8Array): IpamState {
    return decodeIpam(bytes)
  }

  full(): IpamState {
    return this.state.durable
  }

  combine(a: IpamState, b: IpamState): IpamState {
    return combineIpam(a, b)
  }

  merge(incoming: IpamState, from: string): IpamState | null {
    if (this.closed) return null
    const before = this.ring()
    const { join, relay } = this.state.remote(this.admission.admit(incoming, before))
    this.counts.conflicts += join.conflicts
    try {
      if (join.delta !== null) this.react(before, join.delta)
      if (from !== this.selfId) this.space.heard()
      this.pump()
    } catch (err) {
      // a bug of ours, not the peer's: the state is merged; say so and carry on
      this.c.logger?.warn({ err: (err as Error).message, peer: shortId(from) }, 'ipam could not act on a merged gossip message')
    }
    return relay
  }

  // --- operations ---

  /**
   * An address for `containerId` in the default subnet, or in `subnet` (`net:a.b.c.d/len` or
   * `a.b.c.d/len`, within the range). The same container and subnet always get the same address.
   * Resolves once the allocation is saved; rejects with `ERR_TIMEOUT` (naming why) if no ring,
   * consensus or donation came in time.
   */
  allocate(containerId: string, subnet?: string): Promise<Allocation> {
    return this.guard(() => {
      check(isContainerId(containerId), 'containerId must be 1 to 256 printable characters')
      const sub = subnet === undefined ? this.defaultSubnet : parseSubnet(subnet, this.range)
      const lo = sub.base - this.range.base + 1
      const hi = lo + sub.size - 2
      return this.enqueue(containerId, sub, lo, hi, ({ ack }) => {
        const held = this.table.get(containerId, sub)
        if (held !== undefined) return ack(held)
        if (this.prepare() !== null) return false
        const offset = this.table.lowestFree(this.space.usable(this.ring()!), lo, hi)
        if (offset !== undefined) return ack(this.take(containerId, sub, offset))
        // space is asked for in the whole subnet: its network and broadcast addresses go along
        return { lo: lo - 1, hi: hi + 1, donor: null }
      })
    })
  }

  /**
   * Gives `containerId` the address `address` (`a.b.c.d` in the default subnet, or `a.b.c.d/len`).
   * Ours and free: taken at once. Another peer's, in a block it reports wholly free: asked for as
   * a donation. Otherwise rejects: `ERR_ADDRESS_IN_USE`, `ERR_CLAIMED_ELSEWHERE`,
   * `ERR_CONTAINER_HAS_ADDRESS`.
   */
  claim(containerId: string, address: string): Promise<Allocation> {
    return this.guard(() => {
      check(isContainerId(containerId), 'containerId must be 1 to 256 printable characters')
      const { ip, sub } = parseClaim(address, this.o)
      const offset = ip - this.range.base
      return this.enqueue(containerId, sub, offset, offset + 1, ({ ack, fail }) => {
        const held = this.table.get(containerId, sub)
        if (held !== undefined) {
          if (held.offset === offset) return ack(held)
          return fail('ERR_CONTAINER_HAS_ADDRESS', `container ${containerId} already has ${held.allocation.address} in ${held.allocation.subnet}; release it first`)
        }
        const holder = this.table.holder(offset)
        if (holder !== undefined) return fail('ERR_ADDRESS_IN_USE', `${formatAddress(ip)} is in use by container ${holder.allocation.containerId}`)
        if (this.prepare() !== null) return false
        const x = this.view()!.at(offset)
        if (x === undefined) return false
        if (x.owner === this.selfId) return this.space.usable(this.ring()!).includes(x) ? ack(this.take(containerId, sub, offset)) : false
        if (x.entry.free === x.entry.end - x.entry.start && x.end === x.entry.end) return { lo: offset, hi: offset + 1, donor: x.owner }
        return fail('ERR_CLAIMED_ELSEWHERE', `${formatAddress(ip)} belongs to peer ${shortId(x.owner)}, which has addresses in use there; claim it on that peer or pick another`)
      })
    })
  }

  /** Releases every address of `containerId`; resolves with them once saved ([] if none). */
  release(containerId: string): Promise<Allocation[]> {
    return this.guard(async () => {
      check(isContainerId(containerId), 'containerId must be 1 to 256 printable characters')
      const held = this.table.ofContainer(containerId)
      if (held.length === 0) return []
      for (const h of held) this.table.remove(h)
      this.refreshFree(held.map((h) => h.offset))
      await this.state.flush()
      this.pump()
      return held.map((h) => h.allocation)
    })
  }

  /** The addresses of `containerId`. */
  lookup(containerId: string): Allocation[] {
    return this.table.ofContainer(containerId).map((h) => h.allocation)
  }

  /** Every allocation of this peer, by address. */
  list(): Allocation[] {
    return this.table.all().map((h) => h.allocation)
  }

  /**
   * Hands all of this peer's space to `peer` (a live one), e.g. before `weft reset`; resolves
   * with the number of addresses once saved. With allocations still held it rejects
   * `ERR_HAS_ALLOCATIONS`, unless `dropAllocations` (they go with the space, forgotten here).
   */
  transferTo(peer: string, options: { dropAllocations?: boolean } = {}): Promise<number> {
    return this.guard(async () => {
      check(isPeerId(peer) && peer !== this.selfId, 'transferTo needs another peer id')
      check(this.reachable(peer), `peer ${shortId(peer)} is not reachable; hand the space to a live peer`)
      const ring = this.ring()
      if (ring === null) return 0
      if (this.table.size > 0 && options.dropAllocations !== true) {
        throw new IpamError('ERR_HAS_ALLOCATIONS', `${this.table.size} addresses are still allocated here; release them, or pass dropAllocations`)
      }
      this.table.clear()
      const own = viewOf(ring).ownedBy(this.selfId)
      if (own.length > 0) this.state.local(ipamState({ ring: reassign(ring, own, peer, (x) => x.end - x.start) }))
      else this.state.touch()
      await this.state.flush()
      const addresses = own.reduce((n, x) => n + x.end - x.start, 0)
      this.c.logger?.info({ peer: shortId(peer), addresses }, 'handed all ipam space to a peer')
      return addresses
    })
  }

  /**
   * Takes over every entry `deadPeer` owns (rmpeer): idempotent, and two peers doing it at once
   * end with one owner per entry (the ring's tie-break). Only for a peer that is gone with its
   * containers: their addresses become free here. Resolves with the number of addresses once saved.
   */
  takeOver(deadPeer: string): Promise<number> {
    return this.guard(async () => {
      check(isPeerId(deadPeer) && deadPeer !== this.selfId, 'takeOver needs another peer id')
      if (this.o.mode.kind === 'observer') throw new IpamError('ERR_OBSERVER', 'an observer never owns space; run rmpeer on a peer that does')
      const ring = this.ring()
      if (ring === null) return 0
      const theirs = viewOf(ring).ownedBy(deadPeer)
      if (theirs.length === 0) return 0
      const free = (x: Extent): number => x.end - x.start - this.table.countIn(x.start, x.end)
      this.state.local(ipamState({ ring: reassign(ring, theirs, this.selfId, free, TAKEOVER_VERSION_STEP) }))
      const addresses = theirs.reduce((n, x) => n + x.end - x.start, 0)
      this.counts.takenOver += addresses
      this.space.settle(theirs.map((x) => x.start))
      this.c.logger?.warn({ peer: shortId(deadPeer), addresses }, 'took over the ipam space of a dead peer')
      await this.state.flush()
      this.pump()
      return addresses
    })
  }

  // --- status ---

  status(): IpamStatus {
    const ring = this.ring()
    const shares: Map<string, { owned: number; free: number }> = ring === null ? new Map() : viewOf(ring).shares()
    const notes = [...this.notes]
    notes.push(...this.admission.notes())
    if (this.counts.conflicts > 0) notes.push(`${this.counts.conflicts} conflicting ring updates were settled by tie-break (concurrent takeovers, or a restored backup)`)
    if (this.counts.revoked > 0) notes.push(`${this.counts.revoked} allocations were revoked: another peer took their space over`)
    let free = 0
    for (const x of ring === null ? [] : viewOf(ring).ownedBy(this.selfId)) free += x.end - x.start - this.table.countIn(x.start, x.end)
    return {
      range: formatCidr(this.range),
      defaultSubnet: formatCidr(this.defaultSubnet),
      mode: this.o.mode.kind,
      quorum: this.o.mode.kind === 'consensus' ? this.o.mode.quorum : null,
      ringId: ring?.ringId ?? null,
      self: { peer: this.selfId, owned: shares.get(this.selfId)?.owned ?? 0, used: this.table.size, free },
      peers: [...shares].sort(([a], [b]) => (a < b ? -1 : 1)).map(([peer, s]) => ({ peer, owned: s.owned, free: s.free })),
      syncing: this.space.syncing,
      blocked: this.blockedReason(),
      waiting: this.queue.size,
      revoked: [...this.revoked],
      notes,
    }
  }

  stats(): IpamStats {
    return {
      allocations: this.table.size,
      conflicts: this.counts.conflicts,
      foreignRings: this.admission.foreign,
      revoked: this.counts.revoked,
      donationsGiven: this.broker.given,
      donationsReceived: this.counts.donationsReceived,
      requestsSent: this.broker.sent,
      takenOver: this.counts.takenOver,
      reclaimed: this.reclaimer?.reclaimed ?? 0,
      saveFailures: this.counts.saveFailures,
    }
  }

  /** Stops the timers and rejects waiting operations with `ERR_CLOSED`. */
  close(): void {
    if (this.closed) return
    this.closed = true
    this.queue.close(new IpamError('ERR_CLOSED', 'the allocator closed'))
    this.reclaimer?.close()
    this.consensus?.close()
    this.broker.close()
    this.state.close()
  }

  // --- internals ---

  private ring(): RingState | null {
    return this.state.working.ring
  }

  private view(): RingView | null {
    const ring = this.ring()
    return ring === null ? null : viewOf(ring)
  }

  private reachable(peer: string): boolean {
    return this.c.isReachable === undefined || this.c.isReachable(peer)
  }

  /** Runs `body`, turning a throw into a rejection. */
  private guard<T>(body: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new IpamError('ERR_CLOSED', 'the allocator is closed'))
    try {
      return body()
    } catch (err) {
      return Promise.reject(err)
    }
  }

  private enqueue(containerId: string, sub: Cidr, lo: number, hi: number, attempt: Parameters<OperationQueue['add']>[3]): Promise<Allocation> {
    const p = this.queue.add(`${containerId}\n${formatCidr(sub)}`, lo, hi, attempt)
    this.pump()
    return p
  }

  /** Runs waiting operations until none makes progress; hands what they lack to the broker. */
  private pump(): void {
    if (this.pumping || this.closed) return
    this.pumping = true
    try {
      for (let round = 0; round < 8; round++) {
        if (this.consensus !== null && this.ring() === null) {
          const value = this.consensus.step()
          if (value !== null) this.seed(value)
        }
        if (this.ring() !== null) this.broker.answer()
        const { settled, needs } = this.queue.runOnce()
        if (this.ring() !== null && !this.space.syncing) this.broker.sync(needs)
        if (!settled) break
      }
    } finally {
      this.pumping = false
    }
  }

  /** Makes sure the ring is on its way; returns why allocation must wait, or null if it need not. */
  private prepare(): string | null {
    if (this.ring() === null) {
      if (this.o.mode.kind === 'seed') this.seed(this.o.mode.peers)
      else if (this.consensus !== null) {
        this.consensus.join(true)
        const value = this.consensus.step()
        if (value !== null) this.seed(value)
      }
    }
    return this.waitReason()
  }

  /** Why allocation must wait before even looking for space, or null. */
  private waitReason(): string | null {
    const ring = this.ring()
    if (ring === null) {
      if (this.consensus !== null) return this.consensus.describe()
      if (this.o.mode.kind === 'observer') return 'observer: waiting to receive the ring from a peer that owns space'
      return 'no ring yet'
    }
    return this.space.describeResync(ring)
  }

  /** Why an allocation (in the default subnet, or in `op`'s region) cannot complete now, or null. */
  private blockedReason(op?: { lo: number; hi: number }): string | null {
    const ring = this.ring()
    const mode = this.o.mode
    if (ring === null && mode.kind === 'seed') {
      return mode.peers.includes(this.selfId) ? null : 'this peer is not in the seed list: it owns no space and asks other peers for some'
    }
    const wait = this.waitReason()
    if (wait !== null) return wait
    const lo = op?.lo ?? this.defaultSubnet.base - this.range.base + 1
    const hi = op?.hi ?? lo + this.defaultSubnet.size - 2
    if (this.table.lowestFree(this.space.usable(ring!), lo, hi) !== undefined) return null
    const until = this.space.settlingFor()
    if (until !== null && this.table.lowestFree(viewOf(ring!).ownedBy(this.selfId), lo, hi) !== undefined) {
      return `the free space here was taken over from a dead peer and settles for ${Math.ceil(until)} ms more (so a donation it made unseen, or a concurrent takeover, can arrive)`
    }
    return this.broker.describe() ??
      `this peer owns no free space in ${formatAddress(this.range.base + lo)}-${formatAddress(this.range.base + hi - 1)}: an allocation asks a peer with free space for a donation`
  }

  /** Seeds the ring from a peer list (seed mode, or a consensus decision). */
  private seed(peers: readonly string[]): void {
    const ring = seedRing(this.range, peers)
    this.state.local(ipamState({ ring }))
    const early = this.admission.takeEarly(ring.ringId)
    if (early !== null) this.state.remote(ipamState({ ring: early }))
    this.consensus?.close()
    this.c.logger?.info({ peers: peers.length }, 'ipam ring initialised')
  }

  /** Gives `offset` to the container and reports the extent's new free count. */
  private take(containerId: string, subnet: Cidr, offset: number): Held {
    const held = this.table.add(containerId, subnet, offset)
    this.refreshFree([offset])
    return held
  }

  /** Rewrites the free count of our extents holding `offsets` (or just saves, if none is ours). */
  private refreshFree(offsets: readonly number[]): void {
    const ring = this.ring()
    const view = ring === null ? null : viewOf(ring)
    const starts = new Set<number>()
    for (const o of offsets) {
      const x = view?.at(o)
      if (x !== undefined && x.owner === this.selfId) starts.add(x.start)
    }
    if (starts.size === 0 || ring === null || view === null) return this.state.touch()
    const entries = [...starts].flatMap((s) => {
      const x = view.at(s)!
      return [...setFree(ring, this.selfId, s, x.end - x.start - this.table.countIn(x.start, x.end)).entries.values()]
    })
    this.state.local(ipamState({ ring: ringDelta(ring, entries) }))
  }

  /** Reacts to what a merge changed. */
  private react(before: RingState | null, delta: IpamState): void {
    let save = delta.paxos.has(this.selfId) || delta.requests.has(this.selfId)
    if (delta.ring !== null) {
      if (before?.ringId !== delta.ring.ringId) {
        save = true
        this.consensus?.close()
        this.c.logger?.info({ ring: delta.ring.ringId.slice(0, 8) }, 'ipam ring received')
      }
      for (const e of delta.ring.entries.values()) {
        const same = before?.ringId === delta.ring.ringId
        const was = same ? before!.entries.get(e.start)?.owner : undefined
        if (same && e.owner === this.selfId && was !== this.selfId) {
          this.counts.donationsReceived += e.end - e.start
          save = true
        } else if (was === this.selfId && e.owner !== this.selfId) {
          save = true
        }
      }
      if (this.revoke(viewOf(this.ring()!)) > 0) save = true
    }
    if (this.consensus !== null && this.ring() === null && delta.paxos.size > 0 && !this.consensus.joined()) this.consensus.join(false)
    if (save) this.state.touch()
  }

  /** The rule that keeps addresses unique (revocation.ts); returns how many were revoked. */
  private revoke(view: RingView): number {
    const gone = revokeOutside(this.table, view, this.selfId, this.c.logger)
    if (gone.length === 0) return 0
    this.counts.revoked += gone.length
    this.revoked.push(...gone)
    this.revoked.splice(0, Math.max(0, this.revoked.length - MAX_REVOKED_SHOWN))
    this.c.onRevoked?.(gone)
    return gone.length
  }
}

/** Creates an allocator: loads the store; the ring comes at the first allocation (or from a peer). */
export function createAllocator(init: AllocatorInit, components: AllocatorComponents): Allocator {
  return new Allocator(init, components)
}
