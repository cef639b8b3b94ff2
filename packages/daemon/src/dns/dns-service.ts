/**
 * The router's DNS: the name CRDT on the `dns` gossip channel, this router's own entries kept in
 * the store, the DNS server on the bridge, and the plumbing that points containers at it.
 *
 *   container added   -> register NAME (or --dns-name) -> every address; route + neighbour +
 *                        resolv.conf to the DNS address
 *   container removed -> unregister its entries (tombstones); host route and resolv.conf gone
 *   weft expose/hide  -> NICKNAME.peers -> this router's exposed addresses
 *   dns-add/-remove   -> entries of this router with container id `manual`
 *   a peer the topology forgot (or `removePeer`, for rmpeer) -> its names go (a floor)
 *
 * Start order (docs/DNS.md): own entries restored from the store and the channel registered
 * before the router dials or accepts anyone, so a restart never tombstones a live name.
 */
import type { DnsEntryInfo, DnsLookupResponse, DnsPeerInfo, DnsStatusResponse } from '@weft/api'
import { createDnsServer, type DnsServer, type DnsStats } from '@weft/dns'
import type { GossipEngine, Topology } from '@weft/gossip'
import { canonicalAddress, createNames, isName, NAMES_CHANNEL, type Names, type NameEntry } from '@weft/names'
import type { ContainerRecord, Store } from '@weft/store'
import type { Logger } from 'pino'
import type { ContainerEvent } from '../containers.js'
import { DaemonError } from '../errors.js'
import { NODE_CLOCK } from '../mesh/node-clock.js'
import {
  CONTAINER_ENTRY_PREFIX, DNS_GC_INTERVAL_MS, DNS_LISTEN_PORT, DNS_OWN_ENTRIES_META_KEY, MANUAL_ENTRY_ID,
  MAX_STORED_OWN_ENTRIES, NETNS_ETC_DIR, PEER_ENTRY_ID, PEERS_SUBDOMAIN,
} from './constants.js'
import type { DnsConfig } from './dns-config.js'
import {
  containerResolvConf, ensureDnsAddress, ipv4Of, removeDnsRouting, removeNetnsResolvConf, routeContainerToDns, unrouteContainer,
  writeNetnsResolvConf,
} from './dns-plumbing.js'
import { OwnEntries } from './own-entries.js'

export interface DnsServiceInit {
  selfId: string
  nickname: string
  bridge: string
  config: DnsConfig
  /** Where per-namespace resolv.conf files go. Default `/etc/netns`. */
  netnsEtcDir?: string
}

export interface DnsServiceComponents {
  gossip: GossipEngine
  topology: Topology
  store: Store
  logger: Logger
}

export class DnsService {
  readonly names: Names
  private server: DnsServer | null = null
  private bridgeMac: string | null = null
  private readonly own: OwnEntries
  private readonly etcDir: string
  private readonly dnsNames = new Map<string, string>()
  private knownPeers = new Set<string>()
  private gcTimer: NodeJS.Timeout | null = null
  private savedClock = -1

  constructor(private readonly init: DnsServiceInit, private readonly c: DnsServiceComponents) {
    this.etcDir = init.netnsEtcDir ?? NETNS_ETC_DIR
    this.names = createNames({ selfId: init.selfId }, { clock: NODE_CLOCK, publish: (delta) => c.gossip.publish(NAMES_CHANNEL, delta) })
    this.own = new OwnEntries(c.store, DNS_OWN_ENTRIES_META_KEY, c.logger)
  }

  /**
   * Restores this router's entries, joins the `dns` channel and follows the topology. Call it
   * before the router connects to anyone; then `serve()`.
   */
  restore(): void {
    for (const e of this.own.load(MAX_STORED_OWN_ENTRIES)) {
      try {
        this.names.register(e.name, e.address, e.containerId)
      } catch (err) {
        this.c.logger.warn({ name: e.name, address: e.address, err: (err as Error).message }, 'skipped a stored dns entry')
      }
    }
    this.c.gossip.registerChannel(this.names)
    // own entries change exactly when this peer's logical clock moves: skip the merges of others
    this.names.onChange(() => {
      const clock = this.names.stats().clock
      if (clock === this.savedClock) return
      this.savedClock = clock
      this.own.save(this.ownEntries())
    })
    this.knownPeers = new Set(this.c.topology.peers().map((p) => p.id))
    this.c.topology.onChange(() => this.followTopology())
    this.gcTimer = setInterval(() => this.names.gc(), DNS_GC_INTERVAL_MS)
    this.gcTimer.unref()
  }

  /** Gives the bridge the DNS address and starts the server there (unless `--dns-address off`). */
  async serve(): Promise<void> {
    const cfg = this.init.config
    if (cfg.address === null) return
    this.bridgeMac = await ensureDnsAddress(this.init.bridge, cfg.address)
    this.server = createDnsServer({
      domain: cfg.domain, address: cfg.address, port: DNS_LISTEN_PORT, ttlSeconds: cfg.ttlSeconds,
      resolvConfPath: cfg.resolvConfPath, ...(cfg.upstreams === null ? {} : { upstreams: cfg.upstreams }),
    }, { names: this.names, logger: { warn: (obj, msg) => this.c.logger.warn(obj, msg) } })
    try {
      const bound = await this.server.start()
      this.c.logger.info({ address: bound.address, port: bound.port, domain: cfg.domain }, 'dns server started')
    } catch (err) {
      // the mesh and the names work without it; `weft status dns` shows it is not listening
      this.server = null
      this.c.logger.error({ address: cfg.address, err: (err as Error).message }, 'cannot start the dns server: is port 53 of that address taken? choose another with --dns-address, or --dns-address off')
    }
  }

  /**
   * Brings names and plumbing in line with the containers that exist (after the start-up sweep):
   * entries of containers that are gone are removed, every live container is (re)registered and
   * (re)routed. Idempotent.
   */
  async reconcile(containers: readonly ContainerRecord[]): Promise<void> {
    const live = new Set(containers.map((r) => CONTAINER_ENTRY_PREFIX + r.name))
    for (const e of this.ownEntries()) {
      if (e.containerId.startsWith(CONTAINER_ENTRY_PREFIX) && !live.has(e.containerId)) this.names.unregisterContainer(e.containerId)
    }
    for (const r of containers) await this.containerAdded(r)
  }

  /** The container manager's listener. */
  async onContainer(event: ContainerEvent): Promise<void> {
    if (event.kind === 'added') await this.containerAdded(event.container)
    else if (event.kind === 'readdressed') await this.containerReaddressed(event.container, event.old)
    else await this.containerRemoved(event.container)
  }

  /**
   * `weft run --dns-name`: the name the container called `container` registers when it is
   * added. Throws ERR_BAD_REQUEST for a name that is not a DNS name. Call `forgetName` after
   * the create, whether it worked or not.
   */
  expectName(container: string, dnsName: string): void {
    const rel = this.relative(dnsName)
    const shown = rel.slice(0, 80)
    if (!isName(rel)) throw new DaemonError('ERR_BAD_REQUEST', `--dns-name '${shown}' is not a DNS name: labels of letters, digits, '_' and '-' joined by dots`)
    this.dnsNames.set(container, rel)
  }

  forgetName(container: string): void {
    this.dnsNames.delete(container)
  }

  /** Registers NICKNAME.peers for each exposed address (CIDRs), removing stale ones. */
  syncExposed(cidrs: readonly string[]): void {
    const name = `${this.init.nickname}.${PEERS_SUBDOMAIN}`
    const wanted = new Set(cidrs.map((c) => c.split('/')[0]))
    for (const e of this.ownEntries()) {
      if (e.containerId === PEER_ENTRY_ID && (e.name !== name || !wanted.has(e.address))) this.names.unregister(e.name, e.address)
    }
    for (const address of wanted) {
      try {
        this.names.register(name, address, PEER_ENTRY_ID)
      } catch (err) {
        this.c.logger.warn({ name, address, err: (err as Error).message }, 'cannot name this peer by its nickname')
      }
    }
  }

  /** `weft dns-add`: resolves to how many entries were new. */
  add(name: string, addresses: readonly string[]): { added: number } {
    const rel = this.relative(name)
    let added = 0
    this.checked(() => {
      const shown = rel.slice(0, 80)
      if (!isName(rel)) throw new DaemonError('ERR_BAD_REQUEST', `'${shown}' is not a DNS name`)
      const bad = addresses.find((a) => canonicalAddress(a) === null)
      if (bad !== undefined) throw new DaemonError('ERR_BAD_REQUEST', `'${bad.slice(0, 64)}' is not an IPv4 or IPv6 address`)
      for (const a of addresses) if (this.names.register(rel, a, MANUAL_ENTRY_ID)) added++
    })
    return { added }
  }

  /** `weft dns-remove`: this router's entries of `name` (at `addresses` only, if any). */
  remove(name: string, addresses: readonly string[]): { removed: number } {
    const rel = this.relative(name)
    let removed = 0
    this.checked(() => {
      if (addresses.length === 0) removed = this.names.unregister(rel)
      else for (const a of addresses) removed += this.names.unregister(rel, a)
    })
    return { removed }
  }

  lookup(name: string): DnsLookupResponse {
    const rel = this.relative(name)
    return { name: rel, addresses: this.names.lookup(rel) }
  }

  /**
   * Removes every name of `peer` (for `weft rmpeer`, and for peers the topology forgot).
   * Returns the live entries removed here.
   */
  removePeer(peer: string): number {
    const n = this.names.removePeer(peer)
    if (n > 0) this.c.logger.info({ peer: peer.slice(0, 12), entries: n }, 'removed the names of a departed peer')
    return n
  }

  serverStats(): DnsStats | null {
    return this.server?.stats() ?? null
  }

  status(): DnsStatusResponse {
    const nick = new Map(this.c.topology.peers().map((p) => [p.id, p.nickname]))
    const nickOf = (id: string): string => nick.get(id) || id.slice(0, 12)
    const entries: DnsEntryInfo[] = this.names.entries().map((e) => ({
      name: e.name, address: e.address, owner: e.owner, ownerNickname: nickOf(e.owner), containerId: e.containerId,
    }))
    const peers: DnsPeerInfo[] = [...this.names.full()].map(([peer, part]) => {
      const live = part.entries.filter((e) => !e.tombstone).length
      return { peer, nickname: nickOf(peer), entries: live, tombstones: part.entries.length - live, floor: part.floor }
    }).sort((a, b) => a.nickname.localeCompare(b.nickname) || a.peer.localeCompare(b.peer))
    const s = this.server?.stats()
    const bound = this.server?.boundAddress() ?? null
    return {
      domain: this.init.config.domain,
      listen: bound,
      ttlSeconds: this.init.config.ttlSeconds,
      resolvConf: this.init.config.upstreams === null ? this.init.config.resolvConfPath : null,
      upstreams: (this.init.config.upstreams ?? []).map((u) => (u.address.includes(':') ? `[${u.address}]:${u.port}` : `${u.address}:${u.port}`)),
      entries,
      peers,
      names: { ...this.names.stats() },
      server: s === undefined ? null : {
        queries: s.queries as Record<string, Record<string, number>>,
        drops: { ...s.drops },
        truncated: s.truncated,
        upstream: { ...s.upstream, latencyMs: { count: s.upstream.latencyMs.count, sum: s.upstream.latencyMs.sum } },
        cache: s.cache,
        tcpConnections: s.tcpConnections,
      },
    }
  }

  /** Stops the server; with `reset`, also removes the DNS routing rule and table. */
  async close(reset = false): Promise<void> {
    if (this.gcTimer) clearInterval(this.gcTimer)
    await this.server?.close()
    await this.own.flush()
    if (reset && this.init.config.address !== null) await removeDnsRouting()
  }

  // --- helpers ---

  private async containerAdded(r: ContainerRecord): Promise<void> {
    const id = CONTAINER_ENTRY_PREFIX + r.name
    // a --dns-name given now, else the name it has already (a restart), else the container's
    const name = this.dnsNames.get(r.name) ?? this.ownEntries().find((e) => e.containerId === id)?.name ?? r.name
    this.dnsNames.delete(r.name)
    const addresses = r.cidrs.map((c) => c.split('/')[0])
    try {
      for (const e of this.ownEntries()) if (e.containerId === id && (e.name !== name || !addresses.includes(e.address))) this.names.unregister(e.name, e.address)
      for (const a of addresses) this.names.register(name, a, id)
    } catch (err) {
      this.c.logger.warn({ container: r.name, name, err: (err as Error).message }, 'cannot register the container in dns: give it a valid name with --dns-name')
    }
    const cfg = this.init.config
    if (cfg.address === null || this.bridgeMac === null) return
    const v4 = ipv4Of(r.cidrs)
    const target = r.netns.startsWith('pid:') ? { kind: 'pid' as const, value: r.netns.slice(4) } : { kind: 'name' as const, value: r.netns }
    await routeContainerToDns({ target, ifName: r.ifName, bridge: this.init.bridge, dnsAddress: cfg.address, bridgeMac: this.bridgeMac, addresses: v4 })
    if (r.ownsNetns && v4.length > 0) await writeNetnsResolvConf(this.etcDir, r.netns, containerResolvConf(cfg.address, cfg.domain))
  }

  /** IPAM gave it a new address: the name follows (same name), and so do the DNS routes. */
  private async containerReaddressed(r: ContainerRecord, old: string): Promise<void> {
    if (this.init.config.address !== null) await unrouteContainer(this.init.bridge, ipv4Of([old]))
    await this.containerAdded(r)
  }

  private async containerRemoved(r: ContainerRecord): Promise<void> {
    if (this.init.config.address !== null) {
      if (r.ownsNetns) await removeNetnsResolvConf(this.etcDir, r.netns)
      await unrouteContainer(this.init.bridge, ipv4Of(r.cidrs))
    }
    this.names.unregisterContainer(CONTAINER_ENTRY_PREFIX + r.name)
  }

  /** Peers that were in the topology and are no longer (its gc forgot them) lose their names. */
  private followTopology(): void {
    const now = new Set(this.c.topology.peers().map((p) => p.id))
    for (const peer of this.knownPeers) if (!now.has(peer) && peer !== this.init.selfId) this.removePeer(peer)
    this.knownPeers = now
  }

  private ownEntries(): NameEntry[] {
    return this.names.entries().filter((e) => e.owner === this.init.selfId)
  }

  /** `web`, `web.weft.local` and `web.weft.local.` all mean `web`. */
  private relative(name: string): string {
    const lower = name.toLowerCase()
    const domain = this.init.config.domain.toLowerCase()
    const full = lower.endsWith('.') ? lower : `${lower}.`
    if (full.endsWith(`.${domain}`)) return name.slice(0, full.length - domain.length - 1)
    return name.endsWith('.') ? name.slice(0, -1) : name
  }

  private checked(fn: () => void): void {
    try {
      fn()
    } catch (err) {
      const e = err as Error & { code?: string }
      if (e.code === 'ERR_BAD_NAME' || e.code === 'ERR_BAD_ADDRESS') throw new DaemonError('ERR_BAD_REQUEST', `${e.message}; names are labels of letters, digits, '_' and '-' joined by dots`)
      throw err
    }
  }
}
