// The router's IPAM: the @weft/ipam allocator on the `ipam` gossip channel of the mesh, persisted
// in LMDB, answering the container manager (addresses of a new container, release of a removed
// one), the control API (`weft status ipam`, `weft rmpeer`) and `weft reset` (hand-over).

import type { IpamStatusResponse, IpamPeerInfo, RmpeerResult } from '@weft/api'
import type { GossipEngine, PeerRecord } from '@weft/gossip'
import { IPAM_CHANNEL, IpamError, createAllocator, formatCidr, parseAddress, type Allocation, type Allocator } from '@weft/ipam'
import type { Store } from '@weft/store'
import type { Logger } from 'pino'
import { DaemonError } from '../errors.js'
import { NODE_CLOCK } from '../mesh/node-clock.js'
import { ALLOCATE_TIMEOUT_MS, HANDOVER_FLUSH_MS, IP_PREFIX, NET_PREFIX } from './constants.js'
import type { IpamConfig } from './ipam-config.js'
import { LmdbIpamStore } from './lmdb-ipam-store.js'
import { resolvePeer } from './resolve-peer.js'

export interface IpamServiceInit {
  readonly config: IpamConfig
  readonly selfId: string
  readonly nickname: string
}

export interface IpamServiceComponents {
  store: Store
  gossip: GossipEngine
  logger: Logger
  /** `direct`, `relay via ...` or `unreachable` (the mesh's routes). */
  reach(peer: string): string
  knownPeers(): PeerRecord[]
}

/** Moves a container from a revoked address to a new one; false if it is gone. */
export type Readdress = (container: string, old: string, next: string) => Promise<boolean>

/** What the service counts beyond the allocator's own stats (for metrics). */
export interface IpamCounters {
  allocations: number
  allocationFailures: number
  readdressed: number
}

export class IpamService {
  readonly allocator: Allocator
  readonly counters: IpamCounters = { allocations: 0, allocationFailures: 0, readdressed: 0 }
  private closed = false
  private readdress: Readdress | null = null
  private pendingRevoked: Allocation[] = []

  constructor(private readonly init: IpamServiceInit, private readonly c: IpamServiceComponents) {
    const cfg = init.config
    this.allocator = createAllocator(
      {
        selfId: init.selfId, mode: cfg.mode, range: cfg.range, defaultSubnet: cfg.defaultSubnet, allocateTimeoutMs: ALLOCATE_TIMEOUT_MS,
        ...(cfg.reclaimAfterMs !== null ? { reclaimAfterMs: cfg.reclaimAfterMs } : {}),
      },
      {
        clock: NODE_CLOCK, random: Math.random, store: new LmdbIpamStore(c.store), logger: c.logger,
        publish: (delta) => c.gossip.publish(IPAM_CHANNEL, delta),
        isReachable: (peer) => this.reachable(peer),
        onRevoked: (allocations) => this.revoked(allocations),
      },
    )
    c.gossip.registerChannel(this.allocator)
    c.logger.info({ range: cfg.range, defaultSubnet: cfg.defaultSubnet, init: describeMode(cfg) }, 'ipam ready')
  }

  /**
   * The CIDRs of a new container from what `--ip` asked: nothing (one address in the default
   * subnet), `net:CIDR` (one in that subnet), `ip:ADDR[/len]` (that address) or a plain CIDR
   * (used as given outside the range; inside it, claimed like `ip:`). On failure nothing stays
   * allocated to `name`.
   */
  async addresses(name: string, requested: readonly string[]): Promise<string[]> {
    const wanted = requested.length === 0 ? [NET_PREFIX] : requested
    const out: string[] = []
    try {
      for (const r of wanted) {
        if (r === NET_PREFIX) out.push((await this.allocator.allocate(name)).cidr)
        else if (r.startsWith(NET_PREFIX)) out.push((await this.allocator.allocate(name, r)).cidr)
        else if (r.startsWith(IP_PREFIX)) out.push((await this.allocator.claim(name, r.slice(IP_PREFIX.length))).cidr)
        else out.push(await this.plain(name, r))
      }
    } catch (err) {
      this.counters.allocationFailures++
      await this.release(name)
      throw err
    }
    this.counters.allocations += this.allocator.lookup(name).length
    return out
  }

  /**
   * A plain `--ip a.b.c.d/len`: outside the range, IPAM has no say and it is used as given; inside
   * it, it is claimed through IPAM when this peer owns it or its owner's block is wholly free (and
   * refused, saying why, if it is in use here); inside another peer's block in use, only that peer
   * knows whether it is free, so it is used as given with a warning (use `ip:ADDR` to insist). Anything that is not
   * an IPv4 CIDR goes on as given, for the container manager to accept or refuse.
   */
  private async plain(name: string, cidr: string): Promise<string> {
    const slash = cidr.indexOf('/')
    if (slash < 0) return cidr
    let ip: number
    try {
      ip = parseAddress(cidr.slice(0, slash))
    } catch {
      return cidr
    }
    const range = this.allocator.range
    if (ip < range.base || ip >= range.base + range.size) return cidr
    if (this.allocator.status().ringId === null) {
      // No ring here yet (e.g. waiting for consensus): a claim would wait for it, and the
      // operator chose this address; it is used as given, untracked, as for another peer's block.
      this.c.logger.warn({ container: name, cidr }, 'plain --ip in the IPAM range before this peer has a ring: used as given, not tracked by IPAM')
      return cidr
    }
    try {
      return (await this.allocator.claim(name, cidr)).cidr
    } catch (err) {
      if (!(err instanceof IpamError)) throw err
      if (err.code === 'ERR_CLAIMED_ELSEWHERE') {
        // Another peer owns the address and hands addresses out of that block: whether this one is
        // free there is only known to that peer, so the operator's explicit choice stands, untracked.
        this.c.logger.warn({ container: name, cidr, reason: err.message }, 'plain --ip in the IPAM range owned by another peer: used as given, not tracked by IPAM')
        return cidr
      }
      throw new IpamError(err.code, `--ip ${cidr.slice(0, 40)} lies in the IPAM range ${formatCidr(range)}, so it is claimed through IPAM: ${err.message}`)
    }
  }

  /**
   * From now on, containers whose addresses are revoked get new ones through `readdress`
   * (revocations seen before, e.g. at start, are handled now).
   */
  readdressWith(readdress: Readdress): void {
    this.readdress = readdress
    this.revoked(this.pendingRevoked.splice(0))
  }

  /** Frees every address of container `name` (none: nothing happens). */
  async release(name: string): Promise<void> {
    if (this.closed || this.allocator.lookup(name).length === 0) return
    const freed = await this.allocator.release(name)
    this.c.logger.info({ container: name, addresses: freed.map((a) => a.address) }, 'released container addresses')
  }

  /** At start: frees the allocations of containers that no longer exist. */
  async reconcile(existing: readonly string[]): Promise<void> {
    const live = new Set(existing)
    const stale = [...new Set(this.allocator.list().map((a) => a.containerId))].filter((id) => !live.has(id))
    for (const id of stale) await this.release(id)
    if (stale.length > 0) this.c.logger.info({ containers: stale }, 'released the addresses of containers that are gone')
  }

  status(): IpamStatusResponse {
    const s = this.allocator.status()
    const names = this.nicknames()
    const peers: IpamPeerInfo[] = s.peers.map((p) => ({
      id: p.peer, shortId: p.peer.slice(0, 12), nickname: names.get(p.peer) ?? '', owned: p.owned, free: p.free,
      reach: p.peer === this.init.selfId ? 'self' : this.c.reach(p.peer),
    }))
    return {
      range: s.range, defaultSubnet: s.defaultSubnet, mode: s.mode, quorum: s.quorum, ringId: s.ringId,
      self: { id: s.self.peer, shortId: s.self.peer.slice(0, 12), nickname: this.init.nickname, owned: s.self.owned, used: s.self.used, free: s.self.free },
      peers,
      unreachable: peers.filter((p) => p.reach === 'unreachable').map((p) => p.id),
      syncing: s.syncing, blocked: s.blocked, waiting: s.waiting,
      allocations: this.allocator.list().map((a) => ({ container: a.containerId, address: a.address, subnet: a.subnet, cidr: a.cidr })),
      revoked: s.revoked.map((a) => ({ container: a.containerId, address: a.address, subnet: a.subnet, cidr: a.cidr })),
      notes: [...s.notes],
      stats: { ...this.allocator.stats() },
    }
  }

  /** `weft rmpeer`: takes over the space of a dead peer named by id, short id or nickname. */
  async rmpeer(spec: string): Promise<RmpeerResult> {
    const owners = this.allocator.status().peers.map((p) => p.peer)
    const peer = resolvePeer(spec, owners, this.c.knownPeers(), this.init.selfId)
    if (this.reachable(peer)) {
      throw new DaemonError('ERR_CONFLICT', `peer ${peer.slice(0, 12)} is reachable, so it is not dead: stop it with 'weft reset' on its host (that hands its space over), or wait until it is gone`)
    }
    const addresses = await this.allocator.takeOver(peer)
    this.c.logger.warn({ peer: peer.slice(0, 12), addresses }, 'took over the ipam space of a removed peer')
    return { peer, addresses }
  }

  /** `weft reset`: hands all of this peer's space to a reachable peer, then lets gossip send it. */
  async handOver(): Promise<void> {
    const owned = this.allocator.status().self.owned
    if (owned === 0) return
    const to = this.allocator.status().peers.map((p) => p.peer).concat(this.c.knownPeers().map((p) => p.id))
      .filter((p) => p !== this.init.selfId && this.reachable(p)).sort()[0]
    if (to === undefined) {
      this.c.logger.warn({ addresses: owned }, "no reachable peer to hand this peer's ipam space to: run 'weft rmpeer' for it on another peer")
      return
    }
    const addresses = await this.allocator.transferTo(to, { dropAllocations: true })
    await new Promise((r) => setTimeout(r, HANDOVER_FLUSH_MS))
    this.c.logger.info({ to: to.slice(0, 12), addresses }, 'handed ipam space over')
  }

  close(): void {
    this.closed = true
    this.allocator.close()
  }

  private reachable(peer: string): boolean {
    return peer === this.init.selfId || this.c.reach(peer) !== 'unreachable'
  }

  private nicknames(): Map<string, string> {
    const m = new Map(this.c.knownPeers().map((p) => [p.id, p.nickname] as const))
    m.set(this.init.selfId, this.init.nickname)
    return m
  }

  /**
   * The space holding these addresses now belongs to another peer, which may give them out: each
   * container gets a new address in the same subnet in place of the old one.
   */
  private revoked(allocations: readonly Allocation[]): void {
    if (allocations.length === 0) return
    this.c.logger.warn({ allocations: allocations.map((a) => `${a.containerId}=${a.address}`) }, 'ipam revoked addresses (their space went to another peer): re-addressing their containers')
    if (this.readdress === null) {
      this.pendingRevoked.push(...allocations)
      return
    }
    const readdress = this.readdress
    for (const a of allocations) {
      void (async () => {
        const next = await this.allocator.allocate(a.containerId, a.subnet)
        if (await readdress(a.containerId, a.cidr, next.cidr)) this.counters.readdressed++
        else await this.release(a.containerId)
      })().catch((err: Error) => {
        if (this.closed) return
        this.c.logger.error({ container: a.containerId, address: a.address, err: err.message },
          "could not re-address a container whose address was revoked: re-create it ('weft rm' and 'weft run')")
      })
    }
  }
}

function describeMode(cfg: IpamConfig): string {
  const m = cfg.mode
  const text = m.kind === 'seed' ? `seed=${m.peers.map((p) => p.slice(0, 12)).join(',')}` : m.kind === 'consensus' ? `consensus=${m.quorum}` : 'observer'
  return cfg.modeDerived ? `${text} (default)` : text
}
