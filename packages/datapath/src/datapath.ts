import type { FastPathCounters } from '@weft/tap'
import type { Endpoint } from '@weft/udp'
import { AEAD_TAG_BYTES, DATA_HEADER_BYTES, PacketKind, macToString, writeDataHeader } from '@weft/wire'
import { DEFAULT_HOP_LIMIT, DEFAULT_UNDERLAY_MTU, MAX_DATAGRAM_BYTES, UNDERLAY_IPV4_UDP_BYTES } from './constants.js'
import type { ControlPacketHandler, TrafficCounters } from './datapath-core.js'
import { DatapathCore } from './datapath-core.js'
import type { DatapathRoutes } from './datapath-routes.js'
import { DatapathError } from './errors.js'
import { FastPublisher, NATIVE_SESSION_PARTS } from './fast-publisher.js'
import { Inside } from './inside.js'
import { Outside } from './outside.js'
import { PathLimits } from './path-limits.js'
import { PathProbes } from './path-probes.js'
import type { ProbeAckHandler } from './path-probes.js'
import { HOP_PAYLOAD_OFFSET } from './hop-header.js'
import { isPeerId, peerIdBytes } from './peer-id-index.js'
import type { SessionKeys } from './peer-session.js'
import { PeerSession, RELAYED_ENDPOINT } from './peer-session.js'
import { SENT, Sender } from './sender.js'

import type { DatapathComponents, DatapathInit, DirectLiveness, SessionStats } from './datapath-types.js'

export type { DatapathComponents, DatapathInit, DirectLiveness, SessionStats }

/**
 * The data path: frames between the TAP and peers. The control path talks to it only through
 * this object: add and retire sessions (after handshakes), move endpoints, swap in routes, send
 * and receive control packets (heartbeats, probes), and read counters.
 *
 * A direct session reaches a neighbour at its UDP endpoint. A relayed session (`addRelayedSession`)
 * reaches a peer end to end through the neighbour that `routes.nextHop` names; until the control
 * path calls `setRoutes`, there are no next hops and floods go to every neighbour as before.
 */
export class Datapath {
  private readonly core: DatapathCore
  private readonly sender: Sender
  private readonly inside: Inside
  private readonly outside: Outside
  private readonly probes: PathProbes
  private readonly publisher: FastPublisher | undefined
  /** Path MTUs and carriers (`setPeerMtu`, `setRelayedPeerMtu`, `setCarrier`), until `removePeer`. */
  private readonly limits: PathLimits
  private readonly control = Buffer.alloc(2048)
  private generation = 0

  constructor(private readonly init: DatapathInit, components: DatapathComponents) {
    if (!Number.isInteger(init.mtu) || init.mtu < 576 || init.mtu > 65_000) {
      throw new DatapathError('ERR_DATAPATH_CONFIG', `MTU ${init.mtu} is out of range: use 576..65000`)
    }
    const selfId = init.selfId ?? ''
    if (selfId !== '' && !isPeerId(selfId)) {
      throw new DatapathError('ERR_DATAPATH_CONFIG',
        `self id ${JSON.stringify(selfId)} is not a peer id: pass 64 lowercase hex digits`)
    }
    const hopLimit = init.hopLimit ?? DEFAULT_HOP_LIMIT
    if (!Number.isInteger(hopLimit) || hopLimit < 1 || hopLimit > 255) {
      throw new DatapathError('ERR_DATAPATH_CONFIG', `hop limit ${hopLimit} is out of range: use 1..255`)
    }
    this.core = new DatapathCore(components.tap, components.bind, components.now ?? Date.now, {
      datagramBudget: this.datagramBudget(), hopLimit, selfId, macLimit: init.macLimit,
    })
    this.core.reindex()
    this.sender = new Sender(this.core)
    this.inside = new Inside(this.core, this.sender, init.mtu)
    this.probes = new PathProbes(this.core, this.sender)
    this.outside = new Outside(this.core, this.sender, this.probes)
    this.limits = new PathLimits(this.core, this.inside)
    const fast = components.fast
    if (fast === undefined) {
      components.tap.onBatch(this.inside.onBatch)
      components.bind.onDatagram(this.outside.onDatagram)
      return
    }
    const publisher = new FastPublisher(this.core, fast)
    this.publisher = publisher
    components.tap.onBatch((batch) => {
      this.inside.onBatch(batch)
      publisher.sync()
    })
    components.bind.onDatagram((data, from) => {
      this.outside.onDatagram(data, from)
      publisher.sync()
    })
    fast.onPlain((localIndex, slab, offset, length) => {
      const s = this.core.table.byIndex.get(localIndex)
      if (s === undefined) return
      this.catchUp(s)
      this.outside.deliverBundle(s.peer, slab, offset, length)
      publisher.sync()
    })
  }

  /** What the native fast path counted, or undefined without one. */
  fastPathCounters(): FastPathCounters | undefined {
    return this.publisher?.fast.counters()
  }

  /** Brings `lastReceivedAt` up to date with what the fast path received on `s` since last time. */
  private catchUp(s: PeerSession): void {
    const received = s.fastStats[2]
    if (received === s.fastReceivedSeen) return
    s.fastReceivedSeen = received
    s.lastReceivedAt = Math.max(s.lastReceivedAt, this.core.now())
    s.udpReceivedAt = s.lastReceivedAt  // the fast path receives from its UDP socket only
  }

  /**
   * Installs a session for `peer`. With `sendNow` (default) it becomes the one used to send to
   * that peer at once; without, it only receives until the peer's first authenticated datagram
   * on it arrives (the answering side of a rekey), and is promoted then.
   */
  addSession(peer: string, keys: SessionKeys, endpoint: Endpoint, mtu = this.init.mtu, sendNow = true): PeerSession {
    return this.install(peer, keys, endpoint, mtu, sendNow, undefined)
  }

  /**
   * Installs an end-to-end session with `peer`, a peer we have no direct path to: its datagrams
   * are sealed with these keys and travel inside Relay datagrams through `routes.nextHop(peer)`
   * (dropped as `no_route` while there is none). Its MTU is smaller than a direct session's by
   * the Relay's overhead. `peer` must be a peer id (64 lowercase hex digits); `sendNow` as in
   * `addSession`. Replacing it later with a direct session (or the reverse) is `addSession`
   * (or this) with new keys; the old one keeps receiving until removed.
   */
  addRelayedSession(peer: string, keys: SessionKeys, mtu = this.init.mtu, sendNow = true): PeerSession {
    if (!isPeerId(peer)) {
      throw new DatapathError('ERR_DATAPATH_SESSION',
        `peer id ${JSON.stringify(peer)} cannot be relayed to: pass 64 lowercase hex digits`)
    }
    return this.install(peer, keys, RELAYED_ENDPOINT, mtu, sendNow, peerIdBytes(peer))
  }

  /**
   * Swaps in the routes beyond our neighbours, as one object the control path never changes
   * afterwards. From the first call on, our broadcasts and unknown-unicast frames follow
   * `routes.broadcast(selfId)` as Broadcast datagrams instead of a Data copy to every neighbour.
   * `nextHop` is read for relayed sessions and for Relay datagrams passing through (a destination
   * missing from it that is a neighbour is sent to directly); a peer whose sending session is
   * direct is always sent to directly. Needs `DatapathInit.selfId`; every id in `nextHop` must be
   * a peer id.
   */
  setRoutes(routes: DatapathRoutes): void {
    if (this.core.selfId === '') {
      throw new DatapathError('ERR_DATAPATH_CONFIG', 'routes need our own peer id: pass DatapathInit.selfId')
    }
    if (typeof routes?.broadcast !== 'function' || typeof routes.nextHop?.get !== 'function') {
      throw new DatapathError('ERR_DATAPATH_ROUTES', 'routes need a nextHop map and a broadcast function')
    }
    for (const [to, via] of routes.nextHop) {
      if (!isPeerId(to) || !isPeerId(via)) {
        throw new DatapathError('ERR_DATAPATH_ROUTES',
          `route to ${JSON.stringify(to)} via ${JSON.stringify(via)} is not between peer ids: use 64 lowercase hex digits`)
      }
    }
    this.core.routes = routes
    this.core.routed = true
    this.core.reindex()
    this.limits.fitAll()
    this.publisher?.sync()
  }

  /** Retires one session (e.g. the old one after a rekey). */
  removeSession(localIndex: number): void {
    this.core.table = this.core.table.withoutSession(localIndex)
    this.publisher?.sync()
  }

  /** Removes every session of `peer` and forgets the MACs learnt from it. */
  removePeer(peer: string): void {
    this.core.table = this.core.table.withoutPeer(peer)
    this.limits.forget(peer)
    this.core.macs.forgetOwner(peer)
    this.limits.fitAll()
    this.publisher?.sync()
  }

  /** Our index of the session used to send to `peer`, if any. */
  sendingIndex(peer: string): number | undefined {
    return this.core.table.byPeer.get(peer)?.localIndex
  }

  hasIndex(localIndex: number): boolean {
    return this.core.table.byIndex.has(localIndex)
  }

  onControlPacket(handler: ControlPacketHandler): void {
    this.core.onControlPacket = handler
  }

  /**
   * Sends an encrypted control packet (heartbeat, probe) to `peer`; false if no session (or, for
   * a relayed session, no next hop). Data, Relay and Broadcast are not control kinds. With
   * `direct`, it goes on the newest direct session even when a relayed one carries the traffic;
   * to its UDP endpoint, or to `to` (a carrier) when given.
   */
  sendControlPacket(peer: string, kind: PacketKind, payload: Uint8Array, direct = false, to?: Endpoint): boolean {
    const s = direct ? this.directSession(peer) : this.core.table.byPeer.get(peer)
    if (!s || kind === PacketKind.Data || kind === PacketKind.Relay || kind === PacketKind.Broadcast) return false
    if (s.relayedTo !== undefined) {
      const at = s.innerOffset + DATA_HEADER_BYTES
      if (at + payload.length + 2 * AEAD_TAG_BYTES > this.control.length) return false
      this.control.set(payload, at)
      return this.sender.send(s, kind, this.control, payload.length, false) === SENT
    }
    if (payload.length + DATA_HEADER_BYTES + 16 > this.control.length) return false
    const buf = this.control
    const counter = s.sendCounter++
    writeDataHeader(buf, 0, kind, s.remoteIndex, counter)
    buf.set(payload, DATA_HEADER_BYTES)
    const ct = s.sender.seal(buf, DATA_HEADER_BYTES, payload.length, buf, 0, DATA_HEADER_BYTES, counter)
    this.core.bind.send(buf, 0, DATA_HEADER_BYTES + ct, to ?? s.endpoint)
    s.packetsSent++
    s.bytesSent += DATA_HEADER_BYTES + ct
    return true
  }

  /**
   * The newest direct session with `peer`, even while traffic to it goes through a relay: the
   * control path keeps heartbeating it to notice when the direct path works again.
   */
  private directSession(peer: string): PeerSession | undefined {
    return this.core.newestDirect(peer)
  }

  /**
   * Hole punching: sends a Heartbeat sealed with `peer`'s relayed sending session straight to
   * `to` (no Relay), from our data socket. Its one byte of plaintext is 1 when `hearing` (we get
   * the peer's direct datagrams: the path works towards us), else 0. False when traffic to
   * `peer` is not relayed.
   */
  punch(peer: string, to: Endpoint, hearing: boolean): boolean {
    const s = this.core.table.byPeer.get(peer)
    if (s === undefined || s.relayedTo === undefined) return false
    this.control[HOP_PAYLOAD_OFFSET + DATA_HEADER_BYTES] = hearing ? 1 : 0
    return this.sender.sendDirect(s, PacketKind.Heartbeat, this.control, 1, to, false) === SENT
  }

  /**
   * Chooses the path of `peer`'s relayed sessions: a punched UDP endpoint to send to directly,
   * or undefined to go back to relays. Sessions installed later (rekeys) start relayed.
   */
  setPunched(peer: string, to: Endpoint | undefined): void {
    for (const s of this.core.table.byIndex.values()) if (s.peer === peer && s.relayedTo !== undefined) s.punchedTo = to
    this.publisher?.sync(true)
  }

  /**
   * The address and time (ms) of the newest authenticated datagram that came from `peer`
   * directly on a relayed session (a punched path), and when the peer last said it hears our
   * direct datagrams (`ackedAt`, 0: never), if anything came directly.
   */
  punchedFrom(peer: string): { endpoint: Endpoint; at: number; ackedAt: number } | undefined {
    let best: PeerSession | undefined
    let ackedAt = 0
    for (const s of this.core.table.byIndex.values()) {
      if (s.peer !== peer || s.directFrom === undefined) continue
      if (best === undefined || s.directFromAt > best.directFromAt) best = s
      ackedAt = Math.max(ackedAt, s.directAckAt)
    }
    return best && { endpoint: best.directFrom!, at: best.directFromAt, ackedAt }
  }

  /** The UDP endpoint of `peer`'s newest direct session: where its datagrams come from now. */
  directEndpoint(peer: string): Endpoint | undefined {
    return this.core.newestDirect(peer)?.endpoint
  }

  /** The UDP endpoint and packets sent of one session, by our index (direct sessions only). */
  directSessionInfo(localIndex: number): { endpoint: Endpoint; packetsSent: number } | undefined {
    const s = this.core.table.byIndex.get(localIndex)
    return s && s.relayedTo === undefined ? { endpoint: s.endpoint, packetsSent: s.packetsSent + s.fastStats[0] } : undefined
  }

  /**
   * The newest direct session with `peer`, if any: when it was created, last heard from over UDP
   * and over a carrier (ms, 0: never), and whether the peer's last word was that it hears our
   * UDP datagrams (1, 0, or -1: it said nothing yet).
   */
  directLiveness(peer: string): DirectLiveness | undefined {
    const s = this.directSession(peer)
    if (s) this.catchUp(s)
    return s && { createdAt: s.createdAt, lastReceivedAt: s.udpReceivedAt, carrierReceivedAt: s.carrierReceivedAt, peerHearsUdp: s.peerHearsUdp }
  }

  /**
   * Sends `peer`'s direct traffic through carrier `to` (@weft/udp CarrierBind) instead of UDP,
   * or over UDP again with undefined; for its direct sessions now and later, until `removePeer`.
   * The carrier takes datagrams of at most `maxDatagramBytes`; the sessions' MTU shrinks to fit.
   * Sessions on a carrier are left to JS (the fast path sends UDP only).
   */
  setCarrier(peer: string, to: Endpoint | undefined, maxDatagramBytes = MAX_DATAGRAM_BYTES): void {
    if (to === undefined) this.limits.carriers.delete(peer)
    else this.limits.carriers.set(peer, { to, maxDatagramBytes })
    this.limits.fitPeer(peer)
    this.limits.fitAll()
    this.publisher?.sync(true)
  }

  /** The carrier `setCarrier` chose for `peer`, if any. */
  carrierOf(peer: string): Endpoint | undefined {
    return this.limits.carriers.get(peer)?.to
  }

  /**
   * Sends a Probe (path-probes.ts) of exactly `size` bytes of UDP payload, `id` in it, to `peer`
   * on its newest direct session, whether or not traffic to it goes that way. False when there is
   * no direct session or `size` is outside MIN_PROBE_DATAGRAM_BYTES..`maxProbeSize`. The peer's
   * data path answers with a ProbeAck, which goes to the `onProbeAck` handler.
   */
  sendProbe(peer: string, id: number, size: number, relayed = false): boolean {
    return this.probes.send(peer, id, size, relayed)
  }

  /** Largest Probe: the datagram budget of the configured underlay MTU (underlay MTU - 28). */
  get maxProbeSize(): number {
    return this.probes.maxSize
  }

  /** Largest relayed Probe (`sendProbe(..., true)`, the inner datagram): maxProbeSize - 65. */
  get maxRelayedProbeSize(): number {
    return this.probes.maxRelayedSize
  }

  /** Largest IP packet our own Broadcasts carry now (see `setPeerMtu`). */
  get broadcastMtu(): number {
    return this.inside.broadcastMtu
  }

  /**
   * Receives every authenticated ProbeAck: the peer, the probe's id and the datagram size the
   * peer saw. Probes and ProbeAcks never reach the `onControlPacket` handler (the data path
   * answers Probes itself). A handler that throws is ignored.
   */
  onProbeAck(handler: ProbeAckHandler): void {
    this.probes.onAck = handler
  }

  /**
   * Sets the path MTU to neighbour `peer` as path-MTU discovery measured it: the largest overlay
   * IP packet one datagram to it may carry (largest acknowledged Probe - PATH_OVERHEAD_BYTES).
   * Applies to its direct sessions now and to those installed later (rekeys) until `removePeer`;
   * never raises a session above the MTU it was installed with (a larger value gives back up to
   * that). It also bounds the relayed sessions whose next hop is `peer` (by HOP_OVERHEAD_BYTES
   * less) and our Broadcasts when `peer` is a child in our tree (by HOP_HEADER_BYTES less):
   * each goes out in a datagram that must fit this path too. Larger frames get ICMP "too big"
   * or, for IPv4 without DF, are fragmented. Returns the MTU of the peer's newest direct session afterwards, or
   * undefined when it has none (the value is kept for the next one). Throws ERR_DATAPATH_CONFIG
   * for an MTU outside 68..65000.
   */
  setPeerMtu(peer: string, mtu: number): number | undefined {
    if (!Number.isInteger(mtu) || mtu < 68 || mtu > 65_000) {
      throw new DatapathError('ERR_DATAPATH_CONFIG', `path MTU ${mtu} is out of range: use 68..65000`)
    }
    this.limits.pathMtus.set(peer, mtu)
    this.limits.fitPeer(peer)
    this.limits.fitAll()
    this.publisher?.sync()
    return this.core.newestDirect(peer)?.mtu
  }

  /**
   * Sets the path MTU to `peer` through relays as measured end to end (relayed Probes): the
   * largest overlay IP packet one relayed datagram carries (largest acknowledged inner Probe -
   * PATH_OVERHEAD_BYTES). Applies to its relayed sessions now and later until `removePeer`, with
   * the first hop's path MTU as a further bound. Returns the MTU of its relayed sending session
   * afterwards, or undefined without one. Throws ERR_DATAPATH_CONFIG outside 68..65000.
   */
  setRelayedPeerMtu(peer: string, mtu: number): number | undefined {
    if (!Number.isInteger(mtu) || mtu < 68 || mtu > 65_000) {
      throw new DatapathError('ERR_DATAPATH_CONFIG', `path MTU ${mtu} is out of range: use 68..65000`)
    }
    this.limits.relayedPathMtus.set(peer, mtu)
    this.limits.fitAll()
    const s = this.core.table.byPeer.get(peer)
    return s?.relayedTo !== undefined ? s.mtu : undefined
  }

  /** The path MTU `setRelayedPeerMtu` set for `peer`, until `removePeer` forgets it. */
  relayedPeerMtu(peer: string): number | undefined {
    return this.limits.relayedPathMtus.get(peer)
  }

  /** The peer our traffic to relayed `peer` goes to next, if any. */
  nextHopOf(peer: string): string | undefined {
    const s = this.core.table.byPeer.get(peer)
    return s?.relayedTo !== undefined ? this.core.nextHop(peer)?.peer : undefined
  }

  /** The path MTU `setPeerMtu` set for neighbour `peer`, until `removePeer` forgets it. */
  peerPathMtu(peer: string): number | undefined {
    return this.limits.pathMtus.get(peer)
  }

  /** Forgets MACs not seen for a while; the control path calls this periodically. */
  expireMacs(maxAgeMs?: number): number {
    this.publisher?.refreshMacs(this.core.now())
    const n = this.core.macs.expire(this.core.now(), maxAgeMs)
    this.publisher?.sync()
    return n
  }

  sessionStats(): SessionStats[] {
    for (const s of this.core.table.byPeer.values()) this.catchUp(s)
    return [...this.core.table.byPeer.values()].map((s) => ({
      peer: s.peer,
      localIndex: s.localIndex,
      endpoint: s.endpoint,
      mtu: s.mtu,
      packetsSent: s.packetsSent + s.fastStats[0],
      bytesSent: s.bytesSent + s.fastStats[1],
      packetsReceived: s.packetsReceived + s.fastStats[2],
      bytesReceived: s.bytesReceived + s.fastStats[3],
      lastReceivedAt: s.lastReceivedAt,
      relayed: s.relayed,
      relayedPackets: s.relayedPackets,
      relayedBytes: s.relayedBytes,
    }))
  }

  traffic(): Readonly<TrafficCounters> {
    return this.core.traffic
  }

  /** Drops by reason, the fast path's included (it counts replays, forgeries, bad bundles itself). */
  drops(): Record<string, number> {
    const out = this.core.drops.toJSON()
    const c = this.fastPathCounters()
    if (c !== undefined) {
      out.replay += c.replay
      out.bad_tag += c.badTag
      out.bad_bundle += c.badBundle
      out.counter_exhausted += c.counterExhausted
      out.tap_write += c.tapDrops
    }
    return out
  }

  macEntries(): Array<{ mac: string; owner: string; seenAt: number }> {
    return this.core.macs.entries().map((e) => ({ mac: macToString(e.mac), owner: e.owner, seenAt: e.seenAt }))
  }

  /** Effective MTU for a peer (or the configured one when there is no session). */
  mtuFor(peer: string): number {
    return this.core.table.byPeer.get(peer)?.mtu ?? this.init.mtu
  }

  private install(
    peer: string, keys: SessionKeys, endpoint: Endpoint, mtu: number, sendNow: boolean, relayedTo: Buffer | undefined,
  ): PeerSession {
    if (this.core.table.byIndex.has(keys.localIndex)) {
      throw new DatapathError('ERR_DATAPATH_SESSION', `session index ${keys.localIndex} is already in use`)
    }
    const s = new PeerSession({
      ...keys,
      peer,
      endpoint,
      mtu: Math.min(mtu, this.init.mtu),
      datagramBudget: this.datagramBudget(),
      createdAt: this.core.now(),
      generation: ++this.generation,
      relayedTo,
      parts: this.publisher === undefined ? undefined : NATIVE_SESSION_PARTS,
    })
    if (relayedTo === undefined) this.limits.fitDirect(s)
    this.core.table = sendNow ? this.core.table.withSession(s) : this.core.table.withReceiveOnly(s)
    this.core.reindex()
    this.limits.fitAll()
    this.publisher?.sync()
    return s
  }

  private datagramBudget(): number {
    return (this.init.underlayMtu ?? DEFAULT_UNDERLAY_MTU) - UNDERLAY_IPV4_UDP_BYTES
  }
}

export function createDatapath(init: DatapathInit, components: DatapathComponents): Datapath {
  return new Datapath(init, components)
}
