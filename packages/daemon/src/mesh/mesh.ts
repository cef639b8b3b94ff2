import type { ConnectionInfo } from '@weft/api'
import type { Identity } from '@weft/crypto'
import { shortId } from '@weft/crypto'
import type { Datapath } from '@weft/datapath'
import type { GossipEngine, PeerRecord, RouteTable, Topology } from '@weft/gossip'
import { createGossipEngine, createRouteTable, createTopology, reportedRtt } from '@weft/gossip'
import type { ControlMessage } from '@weft/wire'
import type { Logger } from 'pino'
import { OLD_SESSION_GRACE_MS, REKEY_AFTER_MS } from '../constants.js'
import type { ConnectionManager, MeshHooks } from '../control/connection-manager.js'
import { ENCRYPTION } from '../control/connection-manager.js'
import { E2E_KINDS, EndToEndSessions } from './end-to-end-sessions.js'
import type { E2eKind } from './end-to-end-sessions.js'
import { HolePuncher, formatEndpoint } from './hole-puncher.js'
import { LinkMonitor } from './link-monitor.js'
import { NODE_CLOCK } from './node-clock.js'

/** How often the self record is refreshed (RTTs, addresses) and dead records collected (ms). */
export const MESH_REFRESH_INTERVAL_MS = 5_000
/** Hops a routed control message may take. */
export const ROUTED_TTL = 16

export interface MeshInit {
  selfId: string
  nickname: string
  restartId: string
  port: number
  mtu: number
  /** Dial peers learnt by gossip (default true). */
  discovery: boolean
  /** Replace end-to-end sessions after this long (ms, default REKEY_AFTER_MS). */
  rekeyAfterMs?: number
}

export interface MeshComponents {
  identity: Identity
  networkKeys: readonly Buffer[]
  connections: ConnectionManager
  datapath: Datapath
  logger: Logger
  count?: (event: 'bad_routed' | 'route_change') => void
}

/**
 * The mesh layer: the gossip engine with the topology channel, routes computed from it and
 * swapped into the data path, discovery of peers learnt by gossip, and end-to-end sessions with
 * peers reachable only through relays.
 */
export class Mesh implements MeshHooks {
  readonly gossip: GossipEngine
  readonly topology: Topology
  private readonly routes: RouteTable
  private readonly e2e: EndToEndSessions
  private readonly links: LinkMonitor
  private readonly puncher: HolePuncher
  /** The neighbour the last routed message from each peer came through. */
  private readonly replyVia = new Map<string, string>()
  private readonly timer: NodeJS.Timeout
  private routeVersion = -1
  routeChanges = 0

  constructor(private readonly init: MeshInit, private readonly c: MeshComponents) {
    const conns = c.connections
    this.gossip = createGossipEngine({ selfId: init.selfId }, {
      clock: NODE_CLOCK,
      random: Math.random,
      send: (peer, channel, payload) => {
        conns.sendTo(peer, { t: 'gossip', channel, payload })
      },
      logger: { warn: (obj, msg) => c.logger.warn(obj, msg) },
    })
    this.topology = createTopology(
      { selfId: init.selfId, nickname: init.nickname, restartId: init.restartId, udpPort: init.port },
      { clock: NODE_CLOCK, publish: (delta) => this.gossip.publish('topology', delta) },
    )
    this.gossip.registerChannel(this.topology)
    this.routes = createRouteTable({ selfId: init.selfId }, { records: () => this.recordsMap() })
    this.e2e = new EndToEndSessions(init.selfId, {
      identity: c.identity,
      networkKeys: c.networkKeys,
      logger: c.logger,
      sendRouted: (to, kind, payload) => this.sendRouted(to, kind, payload),
      install: (peer, keys) => {
        c.datapath.addRelayedSession(peer, keys, init.mtu)
      },
      uninstall: (localIndex) => c.datapath.removeSession(localIndex),
      newIndex: () => conns.newIndex(),
      rekeyAfterMs: init.rekeyAfterMs ?? REKEY_AFTER_MS,
      graceMs: OLD_SESSION_GRACE_MS,
    })
    this.links = new LinkMonitor(c.datapath, () => conns.neighbours().map((n) => n.peer), (peer, up) => {
      c.logger.warn({ peer: peer.slice(0, 12) }, up ? 'direct data path up' : 'direct data path down')
      // traffic must move to a relayed session newer than the dead direct one: an older one
      // (from before the direct link) is replaced; one the peer just set up is kept
      if (!up && this.e2e.sessionIndex(peer) !== c.datapath.sendingIndex(peer)) this.e2e.drop(peer)
      this.publishSelf()
    }, undefined, (peer) => conns.carrierOf(peer), (peer, carried) => {
      c.logger.warn({ peer: peer.slice(0, 12) }, carried ? 'direct data path over swarm datagrams: UDP unanswered' : 'direct data path back on UDP')
    })
    this.puncher = new HolePuncher({
      datapath: c.datapath, logger: c.logger, selfId: init.selfId, port: init.port,
      relayedPeers: () => this.e2e.peers(), records: () => this.topology.peers(),
    })
    this.topology.onChange(() => this.refreshRoutes())
    this.timer = setInterval(() => this.refresh(), MESH_REFRESH_INTERVAL_MS)
    this.timer.unref()
    conns.hooks = this
  }

  // MeshHooks: called by the connection manager

  linkUp(peer: string): void {
    this.gossip.addNeighbour(peer)
    this.links.forget(peer)
    this.publishSelf()
  }

  linkDown(peer: string): void {
    this.gossip.removeNeighbour(peer)
    for (const [origin, via] of this.replyVia) if (via === peer) this.replyVia.delete(origin)
    this.links.forget(peer)
    // the data path dropped every session of the peer: any relayed one must be set up again
    this.e2e.forget(peer)
    this.publishSelf()
  }

  gossipReceived(peer: string, channel: string, payload: Uint8Array): void {
    this.gossip.receive(peer, channel, payload)
  }

  routed(from: string, msg: Extract<ControlMessage, { t: 'routed' }>): void {
    const to = Buffer.from(msg.to).toString('hex')
    if (to !== this.init.selfId) {
      if (msg.ttl <= 1 || !this.forward(to, { ...msg, ttl: msg.ttl - 1 })) this.c.count?.('bad_routed')
      return
    }
    const origin = Buffer.from(msg.from).toString('hex')
    // answers go back the way the question came: our routes may not yet know what the
    // sender's do (a link it just found dead)
    this.replyVia.set(origin, from)
    if (!(E2E_KINDS as readonly string[]).includes(msg.kind)) {
      this.c.count?.('bad_routed')
      return
    }
    try {
      this.e2e.onRouted(origin, msg.kind, Buffer.from(msg.payload))
    } catch (err) {
      this.c.count?.('bad_routed')
      this.c.logger.warn({ peer: origin.slice(0, 12), reason: (err as Error).message }, 'dropped a routed message')
    }
  }

  /** Status entries for peers reached through relays. */
  relayedConnections(): ConnectionInfo[] {
    const routes = this.routes.current()
    return this.e2e.peers().map((peer) => {
      const via = routes.unicast.get(peer)
      const rec = this.topology.get(peer)
      const punched = this.puncher.punched(peer)
      return {
        peer: { id: peer, shortId: shortId(Buffer.from(peer, 'hex')), nickname: rec?.nickname ?? '' },
        address: '-',
        direction: 'relayed',
        state: 'established',
        info: '',
        encryption: ENCRYPTION,
        path: punched ? `direct (punched) ${formatEndpoint(punched)}` : `${via ? `relay via ${via.slice(0, 12)}` : 'relay (no route)'}: ${this.puncher.reason(peer)}`,
        udpEndpoint: punched ? formatEndpoint(punched) : null,
        mtu: this.c.datapath.mtuFor(peer),
        rttMs: null,
        establishedAt: null,
        bytesSent: 0,
        bytesReceived: 0,
        packetsSent: 0,
        packetsReceived: 0,
      } satisfies ConnectionInfo
    })
  }

  /** How traffic to `peer` goes: `direct`, `direct (punched)`, `relay via SHORTID` or `unreachable`. */
  reach(peer: string): string {
    const hop = this.routes.current().unicast.get(peer)
    if (hop === undefined) return 'unreachable'
    if (hop !== peer && this.puncher.punched(peer) !== undefined) return 'direct (punched)'
    return hop === peer ? 'direct' : `relay via ${hop.slice(0, 12)}`
  }

  /** Every peer the topology knows, with nicknames. */
  knownPeers(): PeerRecord[] {
    return this.topology.peers()
  }

  close(): void {
    clearInterval(this.timer)
    this.links.close()
    this.puncher.close()
    this.gossip.close()
  }

  private sendRouted(to: string, kind: E2eKind, payload: Buffer): boolean {
    const msg = {
      t: 'routed' as const, to: Buffer.from(to, 'hex'), from: Buffer.from(this.init.selfId, 'hex'), ttl: ROUTED_TTL, kind, payload,
    }
    const via = this.replyVia.get(to)
    if (via !== undefined && this.links.isUp(via) && this.c.connections.sendTo(via, msg)) return true
    return this.forward(to, msg)
  }

  private forward(to: string, msg: Extract<ControlMessage, { t: 'routed' }>): boolean {
    const hop = this.routes.current().unicast.get(to)
    return hop !== undefined && this.c.connections.sendTo(hop, msg)
  }

  private publishSelf(): void {
    const reported = new Map(this.topology.self().connections.map((c) => [c.peer, c.rttMs]))
    this.topology.updateSelf({
      addresses: this.c.connections.observedAddresses().slice(0, 16),
      connections: this.c.connections.neighbours().map((n) => ({
        ...n, established: this.links.isUp(n.peer), rttMs: reportedRtt(reported.get(n.peer), n.rttMs),
      })),
    })
    this.refreshRoutes()
  }

  private refresh(): void {
    this.publishSelf()
    this.topology.gc()
    if (this.init.discovery) this.discover()
  }

  private recordsMap(): ReadonlyMap<string, PeerRecord> {
    return new Map(this.topology.peers().map((r) => [r.id, r]))
  }

  private refreshRoutes(): void {
    this.routes.markDirty()
    const routes = this.routes.current()
    if (routes.version !== this.routeVersion) {
      this.routeVersion = routes.version
      this.routeChanges++
      this.c.count?.('route_change')
      this.c.datapath.setRoutes({ nextHop: routes.unicast, broadcast: (source) => routes.broadcast(source) })
      this.logRoutes(routes.unicast)
    }
    // sessions can be lost without a route change (a closed connection takes every session of
    // its peer with it), so the end-to-end sessions are checked every time
    const relayed = new Set<string>()
    for (const [dest, hop] of routes.unicast) if (hop !== dest) relayed.add(dest)
    this.e2e.reconcile(relayed)
  }

  /** Debug: the next hops and the RTT every record reports for its established links (what weighted the routes). */
  private logRoutes(unicast: ReadonlyMap<string, string>): void {
    if (!this.c.logger.isLevelEnabled('debug')) return
    const hops = [...unicast].map(([dest, hop]) => `${dest.slice(0, 12)}${hop === dest ? '' : ` via ${hop.slice(0, 12)}`}`)
    const links = this.topology.peers().flatMap((r) => r.connections.filter((c) => c.established).map((c) => `${r.id.slice(0, 6)}-${c.peer.slice(0, 6)} ${c.rttMs ?? '-'}ms`))
    this.c.logger.debug({ hops, links }, 'routes changed')
  }

  /** Runs periodic work now (tests). */
  tick(): void {
    this.links.tick()
    this.refresh()
  }

  /** Dials peers the topology knows but we have no connection to, at addresses others use. */
  private discover(): void {
    const conns = this.c.connections
    const ours = new Set(conns.observedAddresses().map((ip) => (ip.includes(':') ? `[${ip}]:${this.init.port}` : `${ip}:${this.init.port}`)))
    const wanted = new Set<string>()
    for (const rec of this.topology.peers()) {
      if (rec.id === this.init.selfId || conns.isNeighbour(rec.id)) continue
      for (const a of candidateAddresses(rec, this.topology.peers())) if (!ours.has(a)) wanted.add(a)
    }
    for (const a of wanted) conns.addDiscovered(a)
    for (const a of conns.discoveredTargets()) if (!wanted.has(a)) conns.forgetDiscovered(a)
  }
}

/** Where to dial `rec`: its own addresses, and the IPs its neighbours see it at, on its port. */
function candidateAddresses(rec: PeerRecord, all: readonly PeerRecord[]): string[] {
  const ips = new Set(rec.addresses)
  for (const other of all) {
    for (const c of other.connections) {
      if (c.peer !== rec.id) continue
      const ip = c.address.startsWith('[') ? c.address.slice(1, c.address.indexOf(']')) : c.address.slice(0, c.address.lastIndexOf(':'))
      ips.add(ip)
    }
  }
  return [...ips].map((ip) => (ip.includes(':') ? `[${ip}]:${rec.udpPort}` : `${ip}:${rec.udpPort}`))
}
