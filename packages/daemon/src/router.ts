import { randomBytes } from 'node:crypto'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { networkInterfaces } from 'node:os'
import { join } from 'node:path'
import type {
  ConnectionInfo, ContainerInfo, CreateContainerRequest, DnsLookupResponse, DnsStatusResponse, IpamStatusResponse, JoinInfo, PathMtuInfo, RmpeerResult,
  StatusResponse,
} from '@weft/api'
import { SOCKET_NAME } from '@weft/api'
import type { Identity } from '@weft/crypto'
import { deriveNetworkKey, generateIdentity, generateSecret, identityFromSecretKey, shortId } from '@weft/crypto'
import { Datapath, REKEY_AFTER_PACKETS } from '@weft/datapath'
import type { Store } from '@weft/store'
import { openStore } from '@weft/store'
import type { NativeTap } from '@weft/tap'
import { openFastPath, openTap } from '@weft/tap'
import { CarrierBind, FastBind, openUdpBind } from '@weft/udp'
import type { Logger } from 'pino'
import { ApiServer } from './api-server.js'
import type { RouterApi } from './api-server.js'
import type { RouterConfig } from './config.js'
import { CONTAINER_SWEEP_INTERVAL_MS, HOUSEKEEPING_INTERVAL_MS, PID_FILE, WEFT_VERSION } from './constants.js'
import { ContainerManager } from './containers.js'
import { DnsService } from './dns/dns-service.js'
import { registerDnsMetrics } from './dns/dns-metrics.js'
import { registerFastPathMetrics } from './fast-path-metrics.js'
import { ConnectionManager, ENCRYPTION } from './control/connection-manager.js'
import { attachToBridge, deleteLink, ensureBridge, exposeOnBridge, hideOnBridge, parseCidr, setMtu, setUp } from './host/index.js'
import { IpamService } from './ipam/ipam-service.js'
import { registerIpamMetrics } from './ipam/ipam-metrics.js'
import { Mesh } from './mesh/mesh.js'
import { Metrics } from './metrics.js'
import type { PathMtuProber } from './pmtu/path-mtu-prober.js'
import { createPathMtuProber } from './pmtu/path-mtu-prober.js'
import { formatPeerAddress, parsePeerAddress } from './peer-address.js'
import { SwarmSource } from './swarm/swarm-source.js'

/**
 * One weft router: wires the store, identity, host plumbing, TAP, UDP, data path, control
 * connections, containers, the control API and metrics, and takes them down in reverse.
 */
export class Router implements RouterApi {
  private store!: Store
  private identity!: Identity
  private tap!: NativeTap
  private bind!: CarrierBind
  private datapath!: Datapath
  private conns!: ConnectionManager
  private swarm: SwarmSource | null = null
  private mesh!: Mesh
  private pmtu!: PathMtuProber
  private containers!: ContainerManager
  private api!: ApiServer
  private metrics!: Metrics
  private dns!: DnsService
  private ipam!: IpamService
  private housekeeping: NodeJS.Timeout | null = null
  private containerSweep: NodeJS.Timeout | null = null
  private generatedSecret: string | null = null
  private readonly restartId = randomBytes(8).toString('hex')
  private readonly startedAt = Date.now()
  private stopping = false

  constructor(private readonly config: RouterConfig, private readonly logger: Logger, private readonly onStopped: () => void) {}

  async start(): Promise<void> {
    const cfg = this.config
    mkdirSync(cfg.home, { recursive: true, mode: 0o700 })
    this.store = openStore({ home: cfg.home }, { onCorrupt: (db, key, reason) => this.logger.warn({ db, key, reason }, 'skipped a corrupt stored record') })
    this.identity = await this.loadIdentity()
    const networkKeys = (await this.loadSecrets()).map((s) => deriveNetworkKey(s))

    await ensureBridge(cfg.bridge, cfg.mtu)
    await deleteLink(cfg.tap)
    this.tap = openTap({ name: cfg.tap })
    await setMtu(cfg.tap, cfg.mtu)
    await attachToBridge(cfg.tap, cfg.bridge)
    await setUp(cfg.tap)
    for (const cidr of this.store.listExposed()) await exposeOnBridge(cfg.bridge, cidr)

    // The fast path owns the UDP socket and JS sends through it: same port, same wire.
    // WEFT_FAST_PATH_GSO=1: experimental UDP GSO on the fast path's sends (docs/PERFORMANCE.md)
    const gso = process.env.WEFT_FAST_PATH_GSO === '1'
    const fast = cfg.fastPath ? openFastPath({ port: cfg.port, rekeyAfter: REKEY_AFTER_PACKETS, dontFragment: true, gso }) : undefined
    const udp = fast ? new FastBind(fast, true) : await openUdpBind({ port: cfg.port, address: '0.0.0.0', dontFragment: true })
    if (udp.dontFragmentProblem) this.logger.warn({ reason: udp.dontFragmentProblem }, 'cannot set DF on the data socket: datagrams may be fragmented')
    // swarm streams' datagrams: a neighbour's data path when UDP to it does not work
    this.bind = new CarrierBind(udp)
    if (fast) this.tap.attachFastPath(fast)
    const selfId = this.identity.publicKey.toString('hex')
    this.datapath = new Datapath({ mtu: cfg.mtu, underlayMtu: cfg.underlayMtu, selfId }, { tap: this.tap, bind: this.bind, fast })
    this.pmtu = createPathMtuProber({ mtu: cfg.mtu }, { datapath: this.datapath, logger: this.logger })
    this.metrics = new Metrics(() => this.status())
    this.conns = new ConnectionManager(
      { nickname: cfg.nickname, port: cfg.port, mtu: cfg.mtu, restartId: this.restartId, connectionLimit: cfg.connectionLimit },
      {
        identity: this.identity, networkKeys, datapath: this.datapath, logger: this.logger, carriers: this.bind,
        count: (event, reason) => {
          if (event === 'handshake_failure') this.metrics.handshakeFailures.inc({ reason: reason ?? 'unknown' })
          else if (event === 'bad_message') this.metrics.badControlMessages.inc()
          else if (event === 'established') this.metrics.connectionsEstablished.inc()
          else if (event === 'rekey') this.metrics.rekeys.inc()
          else this.metrics.duplicateConnections.inc()
        },
      },
    )
    this.mesh = new Mesh(
      { selfId, nickname: cfg.nickname, restartId: this.restartId, port: cfg.port, mtu: cfg.mtu, discovery: cfg.discovery },
      {
        identity: this.identity, networkKeys, connections: this.conns, datapath: this.datapath, logger: this.logger,
        count: (event) => (event === 'route_change' ? this.metrics.routeChanges.inc() : this.metrics.badRoutedMessages.inc()),
      },
    )
    this.dns = new DnsService({ selfId, nickname: cfg.nickname, bridge: cfg.bridge, config: cfg.dns }, { gossip: this.mesh.gossip, topology: this.mesh.topology, store: this.store, logger: this.logger })
    this.dns.restore()
    registerFastPathMetrics(this.metrics.registry, () => this.datapath.fastPathCounters())
    registerDnsMetrics(this.metrics.registry, () => ({ server: this.dns.serverStats(), names: this.dns.names.stats() }))
    this.ipam = new IpamService({ config: cfg.ipam, selfId, nickname: cfg.nickname }, {
      store: this.store, gossip: this.mesh.gossip, logger: this.logger, reach: (p) => this.mesh.reach(p), knownPeers: () => this.mesh.knownPeers(),
    })
    registerIpamMetrics(this.metrics.registry, this.ipam)
    await this.conns.listen()
    this.containers = new ContainerManager(
      { bridge: cfg.bridge, mtu: cfg.mtu, netnsPrefix: cfg.netnsPrefix, vethSalt: this.identity.publicKey.toString('hex') },
      this.store, this.logger, this.ipam,
    )
    this.containers.onEvent((event) => this.dns.onContainer(event))
    this.containers.onEvent((e) => (e.kind === 'removed' ? this.ipam.release(e.container.name) : undefined))
    this.ipam.readdressWith((name, old, next) => this.containers.readdress(name, old, next))
    await this.dns.serve()
    await this.containers.sweep()
    await this.ipam.reconcile(this.store.listContainers().map((r) => r.name))
    await this.dns.reconcile(this.store.listContainers())
    this.dns.syncExposed(this.store.listExposed())
    for (const p of cfg.peers) await this.store.addTarget(p)
    for (const t of this.store.listTargets()) this.conns.addTarget(t)
    if (cfg.swarm) this.swarm = new SwarmSource(cfg.swarm, { identity: this.identity, networkKey: networkKeys[0], connections: this.conns, logger: this.logger })
    this.swarm?.start()

    this.api = new ApiServer(this, this.logger)
    await this.api.listen(join(cfg.home, SOCKET_NAME))
    if (cfg.metrics) await this.metrics.listen(cfg.metrics.host, cfg.metrics.port, this.logger)
    writeFileSync(join(cfg.home, PID_FILE), `${process.pid}\n`)
    this.housekeeping = setInterval(() => this.datapath.expireMacs(), HOUSEKEEPING_INTERVAL_MS)
    this.housekeeping.unref()
    this.containerSweep = setInterval(() => {
      this.containers.sweep().catch((err: Error) => this.logger.error({ err: err.message }, 'checking containers failed'))
    }, CONTAINER_SWEEP_INTERVAL_MS)
    this.containerSweep.unref()
    this.logger.info({ peer: shortId(this.identity.publicKey), port: cfg.port, bridge: cfg.bridge, tap: this.tap.name, mtu: cfg.mtu }, 'router started')
  }

  private async loadIdentity(): Promise<Identity> {
    const sk = this.store.getIdentitySecretKey()
    if (sk) return identityFromSecretKey(sk)
    const id = generateIdentity()
    await this.store.putIdentitySecretKey(id.secretKey)
    return id
  }

  private async loadSecrets(): Promise<string[]> {
    if (this.config.secrets.length > 0) {
      if (this.store.getSecret() !== this.config.secrets[0]) await this.store.putSecret(this.config.secrets[0])
      return [...this.config.secrets]
    }
    const stored = this.store.getSecret()
    if (stored) return [stored]
    const secret = generateSecret()
    await this.store.putSecret(secret)
    this.generatedSecret = secret
    this.logger.warn({}, 'no network secret given: generated one (see weft launch output)')
    return [secret]
  }

  status(): StatusResponse {
    const cfg = this.config
    const id = this.identity.publicKey.toString('hex')
    return {
      router: {
        id, shortId: shortId(this.identity.publicKey), nickname: cfg.nickname, version: WEFT_VERSION,
        restartId: this.restartId, pid: process.pid, controlPort: cfg.port, udpPort: this.bind.port, mtu: cfg.mtu,
        bridge: cfg.bridge, tap: this.tap.name, home: cfg.home, startedAt: this.startedAt,
      },
      encryption: ENCRYPTION,
      peers: this.mesh.knownPeers().filter((p) => p.id !== id).map((p) => ({
        id: p.id, shortId: p.id.slice(0, 12), nickname: p.nickname,
        connections: p.connections.filter((c) => c.established).length, reach: this.mesh.reach(p.id),
      })),
      connections: [...this.conns.connections().map((c) => this.withPmtu(c)), ...this.mesh.relayedConnections().map((c) => this.withPmtu(c, true))],
      targets: this.conns.targets(),
      containers: this.store.listContainers().length,
      exposed: this.store.listExposed(),
      drops: this.datapath.drops(),
      relayed: { packets: this.datapath.traffic().relayedPackets, bytes: this.datapath.traffic().relayedBytes },
      routeChanges: this.mesh.routeChanges,
    }
  }

  /** Path-MTU discovery of `peer`'s direct path (or through relays), with the MTU it found; null if none runs. */
  pmtuFor(peer: string, relayed = false): (PathMtuInfo & { mtu: number | null }) | null {
    return this.pmtu?.pmtuFor(peer, relayed) ?? null
  }

  /**
   * A connection's entry with its discovery state and, for a direct one, its discovered MTU (a
   * relayed one shows the data path's: the end-to-end MTU bounded by the first hop's).
   */
  private withPmtu(c: ConnectionInfo, relayed = false): ConnectionInfo {
    const p = c.peer && c.state === 'established' ? this.pmtuFor(c.peer.id, relayed) : null
    if (!p) return c
    const { mtu, ...pmtu } = p
    return { ...c, mtu: relayed ? c.mtu : mtu ?? c.mtu, pmtu }
  }

  join(): JoinInfo {
    const addresses: string[] = []
    for (const [name, list] of Object.entries(networkInterfaces())) {
      if (name === this.config.bridge || name === this.config.tap || name.startsWith('vw') || name === 'lo') continue
      for (const a of list ?? []) if (!a.internal && a.family === 'IPv4') addresses.push(a.address)
    }
    return { generatedSecret: this.generatedSecret, addresses, port: this.config.port }
  }

  async connect(address: string): Promise<{ address: string }> {
    const canonical = formatPeerAddress(parsePeerAddress(address))
    await this.store.addTarget(canonical)
    this.conns.addTarget(canonical)
    return { address: canonical }
  }

  async forget(address: string): Promise<{ removed: boolean }> {
    const canonical = formatPeerAddress(parsePeerAddress(address))
    const stored = await this.store.removeTarget(canonical)
    const live = this.conns.removeTarget(canonical)
    return { removed: stored || live }
  }

  listContainers(): ContainerInfo[] {
    return this.containers.list()
  }

  getContainer(name: string): ContainerInfo {
    return this.containers.get(name)
  }

  createContainer(req: CreateContainerRequest): Promise<ContainerInfo> {
    if (req.dnsName !== undefined) this.dns.expectName(req.name, req.dnsName)
    return this.containers.create(req).finally(() => this.dns.forgetName(req.name))
  }

  setContainerPid(name: string, pid: number): Promise<ContainerInfo> {
    return this.containers.setPid(name, pid)
  }

  removeContainer(name: string): Promise<{ removed: boolean }> {
    return this.containers.remove(name)
  }

  async expose(cidr: string): Promise<{ exposed: string[] }> {
    const p = parseCidr(cidr)
    const canonical = `${p.address}/${p.prefix}`
    await exposeOnBridge(this.config.bridge, canonical)
    await this.store.addExposed(canonical)
    this.dns.syncExposed(this.store.listExposed())
    return { exposed: this.store.listExposed() }
  }

  async hide(cidr: string): Promise<{ exposed: string[] }> {
    const p = parseCidr(cidr)
    const canonical = `${p.address}/${p.prefix}`
    await hideOnBridge(this.config.bridge, canonical)
    await this.store.removeExposed(canonical)
    this.dns.syncExposed(this.store.listExposed())
    return { exposed: this.store.listExposed() }
  }

  dnsStatus(): DnsStatusResponse {
    return this.dns.status()
  }

  dnsLookup(name: string): DnsLookupResponse {
    return this.dns.lookup(name)
  }

  dnsAdd(name: string, addresses: string[]): { added: number } {
    return this.dns.add(name, addresses)
  }

  dnsRemove(name: string, addresses: string[]): { removed: number } {
    return this.dns.remove(name, addresses)
  }

  /** Removes every name of `peer` (for `weft rmpeer`); returns the live entries removed here. */
  removePeerNames(peer: string): number {
    return this.dns.removePeer(peer)
  }

  ipamStatus(): IpamStatusResponse {
    return this.ipam.status()
  }

  /** Takes over a dead peer's IPAM space and removes its DNS names. */
  async rmpeer(peer: string): Promise<RmpeerResult> {
    const result = await this.ipam.rmpeer(peer)
    this.removePeerNames(result.peer)
    return result
  }

  /** Stops the router; with `reset`, also removes containers, the bridge and all stored state. */
  async stop(reset: boolean): Promise<void> {
    if (this.stopping) return
    this.stopping = true
    this.logger.info({ reset }, 'router stopping')
    if (this.housekeeping) clearInterval(this.housekeeping)
    if (this.containerSweep) clearInterval(this.containerSweep)
    if (reset) await this.ipam?.handOver().catch((err: Error) => this.logger.error({ err: err.message }, 'handing the ipam space over failed'))
    await this.api?.close().catch(() => undefined)
    await this.metrics?.close().catch(() => undefined)
    await this.dns?.close(reset).catch(() => undefined)
    this.mesh?.close()
    this.pmtu?.close()
    await this.swarm?.close().catch(() => undefined)
    await this.conns?.close().catch(() => undefined)
    await this.bind?.close().catch(() => undefined)
    this.tap?.close()
    if (reset) {
      await this.containers?.removeAll().catch((err: Error) => this.logger.error({ err: err.message }, 'removing containers failed'))
      await deleteLink(this.config.tap).catch(() => undefined)
      await deleteLink(this.config.bridge).catch(() => undefined)
    }
    this.ipam?.close()
    await this.store?.close().catch(() => undefined)
    if (reset) rmSync(join(this.config.home, 'db'), { recursive: true, force: true })
    rmSync(join(this.config.home, PID_FILE), { force: true })
    rmSync(join(this.config.home, SOCKET_NAME), { force: true })
    this.logger.info({}, 'router stopped')
    this.onStopped()
  }
}
