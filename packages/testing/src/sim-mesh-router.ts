import type { GossipEngine, RouteTable, Topology } from '@weft/gossip'
import { createGossipEngine, createRouteTable, createTopology, reportedRtt, TOPOLOGY_CHANNEL } from '@weft/gossip'
import type { Prng, SimHost, SimListener, SimStream, TimerHandle, VirtualClock } from '@weft/netsim'
import {
  SIM_CONTROL_PORT, SIM_HEARTBEAT_INTERVAL_MS, SIM_IDLE_TIMEOUT_MS, SIM_REFRESH_INTERVAL_MS, SIM_RETRY_INITIAL_MS,
  SIM_RETRY_MAX_MS, SIM_UDP_PORT,
} from './sim-mesh-constants.js'
import type { SimFrame } from './sim-mesh-frame.js'
import { SimFrameKind } from './sim-mesh-frame.js'
import type { SimLinkEvents, SimTrafficCounters } from './sim-mesh-link.js'
import { SimLink } from './sim-mesh-link.js'

export interface SimRouterInit {
  /** 64 lowercase hex characters. */
  readonly selfId: string
  readonly nickname: string
  /** 16 lowercase hex characters, new at every (re)start. */
  readonly restartId: string
  /** Passed to the gossip engine; default the engine's (10 000 ms). */
  readonly antiEntropyIntervalMs?: number
}

export interface SimRouterComponents {
  readonly host: SimHost
  readonly clock: VirtualClock
  /** This router's own stream: the engine's `random`, timer phases, backoff jitter, ping ids. */
  readonly prng: Prng
  readonly counters: SimTrafficCounters
  /** After any change of this router's topology (the ids that changed). */
  readonly topologyChanged?: (ids: ReadonlySet<string>) => void
  /** After a link came up or went down. */
  readonly linksChanged?: () => void
}

interface Target {
  attempts: number
  timer: TimerHandle | null
  link: SimLink | null
}

/**
 * One simulated weft router: the real `@weft/gossip` engine, `Topology` and `RouteTable`, wired
 * as `packages/daemon/src/mesh/mesh.ts` wires them, behind a connection manager that mirrors the
 * daemon's (targets redialled with jittered exponential backoff, `hello` on both ends, heartbeat
 * pings and an idle timeout, the self record republished on every link change and every refresh,
 * gc at every refresh) over netsim streams on the virtual clock. Two differences from the daemon:
 * no handshake or encryption (see sim-mesh-frame.ts), and routes are recomputed lazily (on
 * `routes.current()`) since there is no data path to push them into; neither changes what gossip
 * does. Discovery (dialling peers learnt by gossip) is off: the mesh keeps the links it is given.
 */
export class SimRouter {
  readonly selfId: string
  readonly nickname: string
  readonly restartId: string
  readonly gossip: GossipEngine
  readonly topology: Topology
  readonly routes: RouteTable
  private readonly links = new Set<SimLink>()
  /** The established link of each peer. */
  private readonly byPeer = new Map<string, SimLink>()
  /** Our address as each neighbour sees it (from its `hello`). */
  private readonly observed = new Map<string, string>()
  private readonly targets = new Map<string, Target>()
  private readonly listener: SimListener
  private readonly timers: TimerHandle[] = []
  private readonly linkEvents: SimLinkEvents
  private stopped = false

  constructor (init: SimRouterInit, private readonly c: SimRouterComponents) {
    this.selfId = init.selfId
    this.nickname = init.nickname
    this.restartId = init.restartId
    const clock = c.clock
    this.gossip = createGossipEngine({ selfId: init.selfId, antiEntropyIntervalMs: init.antiEntropyIntervalMs }, {
      clock,
      random: () => c.prng.next(),
      send: (peer, channel, payload) => {
        this.sendTo(peer, { kind: SimFrameKind.Gossip, channel, payload })
      },
    })
    this.topology = createTopology(
      { selfId: init.selfId, nickname: init.nickname, restartId: init.restartId, udpPort: SIM_UDP_PORT },
      { clock, publish: (delta) => this.gossip.publish(TOPOLOGY_CHANNEL, delta) },
    )
    this.gossip.registerChannel(this.topology)
    this.routes = createRouteTable({ selfId: init.selfId }, { records: () => new Map(this.topology.peers().map((r) => [r.id, r])) })
    this.topology.onChange((ids) => {
      this.routes.markDirty()
      c.topologyChanged?.(ids)
    })
    this.linkEvents = {
      open: (link) => this.onOpen(link),
      frame: (link, frame) => this.onFrame(link, frame),
      closed: (link, reason) => this.onClosed(link, reason),
    }
    this.listener = c.host.listen(SIM_CONTROL_PORT, (stream) => this.adopt(stream, 'inbound', null))
    this.every(SIM_HEARTBEAT_INTERVAL_MS, () => this.tick())
    this.every(SIM_REFRESH_INTERVAL_MS, () => this.refresh())
  }

  /** Keeps dialling `address` (`ip:port`) until `removeTarget`. */
  addTarget (address: string): void {
    if (this.stopped || this.targets.has(address)) return
    this.targets.set(address, { attempts: 0, timer: null, link: null })
    this.schedule(address, 0)
  }

  /** Stops dialling `address` and closes the link dialled for it. */
  removeTarget (address: string): void {
    const t = this.targets.get(address)
    if (t === undefined) return
    this.targets.delete(address)
    if (t.timer !== null) this.c.clock.clearTimeout(t.timer)
    t.link?.close('target removed')
  }

  /** Whether `peer` has an established link. */
  isNeighbour (peer: string): boolean {
    return this.byPeer.get(peer)?.state === 'established'
  }

  /** Peers with an established link, in the order they came up. */
  neighbours (): string[] {
    return [...this.byPeer.keys()]
  }

  /** Says goodbye on every link, closes them and stops every timer; the router is dead after. */
  stop (): void {
    if (this.stopped) return
    this.stopped = true
    for (const h of this.timers) this.c.clock.clearInterval(h)
    for (const t of this.targets.values()) if (t.timer !== null) this.c.clock.clearTimeout(t.timer)
    this.targets.clear()
    this.listener.close()
    for (const link of [...this.links]) {
      link.send({ kind: SimFrameKind.Goodbye })
      link.close('router stopping')
    }
    this.gossip.close()
  }

  // connections

  private dial (address: string): void {
    const t = this.targets.get(address)
    if (t === undefined) return
    const colon = address.lastIndexOf(':')
    const stream = this.c.host.connect({ address: address.slice(0, colon), port: Number(address.slice(colon + 1)) })
    t.link = this.adopt(stream, 'outbound', address)
  }

  private adopt (stream: SimStream, direction: 'outbound' | 'inbound', target: string | null): SimLink {
    const link = new SimLink(stream, direction, target, this.c.clock, this.c.counters, this.linkEvents)
    this.links.add(link)
    return link
  }

  private onOpen (link: SimLink): void {
    link.send({
      kind: SimFrameKind.Hello, id: this.selfId, restartId: this.restartId, udpPort: SIM_UDP_PORT,
      seenAs: link.stream.remoteEndpoint.address, nickname: this.nickname,
    })
  }

  private onFrame (link: SimLink, frame: SimFrame): void {
    switch (frame.kind) {
      case SimFrameKind.Hello:
        return this.onHello(link, frame)
      case SimFrameKind.Ping:
        return link.send({ kind: SimFrameKind.Pong, id: frame.id, sentAt: frame.sentAt })
      case SimFrameKind.Pong:
        link.rttMs = Math.max(0, this.c.clock.now() - frame.sentAt)
        return
      case SimFrameKind.Gossip:
        if (link.state === 'established' && link.peerId !== null) this.gossip.receive(link.peerId, frame.channel, frame.payload)
        return
      case SimFrameKind.Goodbye:
        return link.close('peer said goodbye')
    }
  }

  private onHello (link: SimLink, hello: Extract<SimFrame, { kind: SimFrameKind.Hello }>): void {
    if (link.state !== 'handshake') return
    if (hello.id === this.selfId) return link.close('connected to ourselves')
    const existing = this.byPeer.get(hello.id)
    if (existing !== undefined) {
      // both ends dialled: keep the link the smaller id initiated, as the daemon does
      const initiator = (l: SimLink): string => (l.direction === 'outbound' ? this.selfId : hello.id)
      if (initiator(link) >= initiator(existing)) return link.close('duplicate connection')
      this.byPeer.delete(hello.id)
      existing.close('duplicate connection')
    }
    link.markEstablished(hello.id, hello.restartId, `${link.stream.remoteEndpoint.address}:${hello.udpPort}`)
    this.byPeer.set(hello.id, link)
    this.observed.set(hello.id, hello.seenAs)
    if (link.target !== null) {
      const t = this.targets.get(link.target)
      if (t !== undefined) t.attempts = 0
    }
    // Mesh.linkUp
    this.gossip.addNeighbour(hello.id)
    this.publishSelf()
    this.c.linksChanged?.()
  }

  private onClosed (link: SimLink, _reason: string): void {
    this.links.delete(link)
    if (this.stopped) return
    if (link.peerId !== null && this.byPeer.get(link.peerId) === link) {
      this.byPeer.delete(link.peerId)
      this.observed.delete(link.peerId)
      // Mesh.linkDown
      this.gossip.removeNeighbour(link.peerId)
      this.publishSelf()
      this.c.linksChanged?.()
    }
    const t = link.target === null ? undefined : this.targets.get(link.target)
    if (t !== undefined && t.link === link) {
      t.link = null
      t.attempts++
      const base = Math.min(SIM_RETRY_MAX_MS, SIM_RETRY_INITIAL_MS * 2 ** Math.min(t.attempts - 1, 20))
      this.schedule(link.target!, base / 2 + this.c.prng.next() * (base / 2))
    }
  }

  private schedule (address: string, delayMs: number): void {
    const t = this.targets.get(address)
    if (t === undefined) return
    if (t.timer !== null) this.c.clock.clearTimeout(t.timer)
    t.timer = this.c.clock.setTimeout(() => {
      t.timer = null
      this.dial(address)
    }, delayMs)
  }

  private sendTo (peer: string, frame: SimFrame): boolean {
    const link = this.byPeer.get(peer)
    if (link === undefined || link.state !== 'established') return false
    link.send(frame)
    return true
  }

  // timers

  /** Runs `fn` every `periodMs`, first at a random phase (routers do not start in lockstep). */
  private every (periodMs: number, fn: () => void): void {
    const clock = this.c.clock
    const first = clock.setTimeout(() => {
      if (this.stopped) return
      this.timers.push(clock.setInterval(fn, periodMs))
      fn()
    }, this.c.prng.next() * periodMs)
    this.timers.push(first)
  }

  /** ConnectionManager.tick: close silent links, ping the others. */
  private tick (): void {
    const now = this.c.clock.now()
    for (const link of [...this.links]) {
      if (link.state !== 'established') continue
      if (now - link.lastHeardAt > SIM_IDLE_TIMEOUT_MS) {
        link.close(`no heartbeat for ${SIM_IDLE_TIMEOUT_MS} ms`)
        continue
      }
      link.send({ kind: SimFrameKind.Ping, id: this.c.prng.uint32(), sentAt: now })
    }
  }

  /** Mesh.refresh: republish the self record (RTTs, addresses), collect dead records. */
  private refresh (): void {
    this.publishSelf()
    this.topology.gc()
  }

  /** Mesh.publishSelf. */
  private publishSelf (): void {
    const reported = new Map(this.topology.self().connections.map((c) => [c.peer, c.rttMs]))
    const connections = []
    for (const [peer, l] of this.byPeer) {
      if (l.state !== 'established' || l.udpEndpoint === null) continue
      connections.push({
        peer, address: l.udpEndpoint, outbound: l.direction === 'outbound', established: true,
        rttMs: reportedRtt(reported.get(peer), l.rttMs),
      })
    }
    this.topology.updateSelf({ addresses: [...new Set(this.observed.values())].slice(0, 16), connections })
  }
}
