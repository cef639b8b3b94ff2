import type { TapDevice } from '@weft/tap'
import type { Bind, Endpoint } from '@weft/udp'
import { DATA_HEADER_BYTES, PacketKind, macToString, writeDataHeader } from '@weft/wire'
import { DEFAULT_UNDERLAY_MTU, UNDERLAY_IPV4_UDP_BYTES } from './constants.js'
import type { ControlPacketHandler, TrafficCounters } from './datapath-core.js'
import { DatapathCore } from './datapath-core.js'
import { DatapathError } from './errors.js'
import { Inside } from './inside.js'
import { Outside } from './outside.js'
import type { SessionKeys } from './peer-session.js'
import { PeerSession } from './peer-session.js'

export interface DatapathInit {
  /** Overlay MTU: the largest IP packet a container may send (bytes). */
  mtu: number
  /** MTU of the underlay path (bytes, IP packet); default 1500. */
  underlayMtu?: number
  /** Learnt-MAC limit (default MAC_TABLE_LIMIT). */
  macLimit?: number
}

export interface DatapathComponents {
  tap: TapDevice
  bind: Bind
  /** Clock in ms (default Date.now). */
  now?: () => number
}

export interface SessionStats {
  peer: string
  localIndex: number
  endpoint: Endpoint
  mtu: number
  packetsSent: number
  bytesSent: number
  packetsReceived: number
  bytesReceived: number
  lastReceivedAt: number
}

/**
 * The data path: frames between the TAP and peers. The control path talks to it only through
 * this object: add and retire sessions (after handshakes), move endpoints, send and receive
 * control packets (heartbeats, probes), and read counters.
 */
export class Datapath {
  private readonly core: DatapathCore
  private readonly inside: Inside
  private readonly outside: Outside
  private readonly control = Buffer.alloc(2048)
  private generation = 0

  constructor(private readonly init: DatapathInit, components: DatapathComponents) {
    if (!Number.isInteger(init.mtu) || init.mtu < 576 || init.mtu > 65_000) {
      throw new DatapathError('ERR_DATAPATH_CONFIG', `MTU ${init.mtu} is out of range: use 576..65000`)
    }
    this.core = new DatapathCore(components.tap, components.bind, components.now ?? Date.now, init.macLimit)
    this.inside = new Inside(this.core)
    this.outside = new Outside(this.core)
    components.tap.onBatch(this.inside.onBatch)
    components.bind.onDatagram(this.outside.onDatagram)
  }

  /**
   * Installs a session for `peer`. With `sendNow` (default) it becomes the one used to send to
   * that peer at once; without, it only receives until the peer's first authenticated datagram
   * on it arrives (the answering side of a rekey), and is promoted then.
   */
  addSession(peer: string, keys: SessionKeys, endpoint: Endpoint, mtu = this.init.mtu, sendNow = true): PeerSession {
    if (this.core.table.byIndex.has(keys.localIndex)) {
      throw new DatapathError('ERR_DATAPATH_SESSION', `session index ${keys.localIndex} is already in use`)
    }
    const s = new PeerSession({
      ...keys,
      peer,
      endpoint,
      mtu: Math.min(mtu, this.init.mtu),
      datagramBudget: (this.init.underlayMtu ?? DEFAULT_UNDERLAY_MTU) - UNDERLAY_IPV4_UDP_BYTES,
      createdAt: this.core.now(),
      generation: ++this.generation,
    })
    this.core.table = sendNow ? this.core.table.withSession(s) : this.core.table.withReceiveOnly(s)
    return s
  }

  /** Retires one session (e.g. the old one after a rekey). */
  removeSession(localIndex: number): void {
    this.core.table = this.core.table.withoutSession(localIndex)
  }

  /** Removes every session of `peer` and forgets the MACs learnt from it. */
  removePeer(peer: string): void {
    this.core.table = this.core.table.withoutPeer(peer)
    this.core.macs.forgetOwner(peer)
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

  /** Sends an encrypted control packet (heartbeat, probe) to `peer`; false if no session. */
  sendControlPacket(peer: string, kind: PacketKind, payload: Uint8Array): boolean {
    const s = this.core.table.byPeer.get(peer)
    if (!s || kind === PacketKind.Data || payload.length + DATA_HEADER_BYTES + 16 > this.control.length) return false
    const buf = this.control
    const counter = s.sendCounter++
    writeDataHeader(buf, 0, kind, s.remoteIndex, counter)
    buf.set(payload, DATA_HEADER_BYTES)
    const ct = s.sender.seal(buf, DATA_HEADER_BYTES, payload.length, buf, 0, DATA_HEADER_BYTES, counter)
    this.core.bind.send(buf, 0, DATA_HEADER_BYTES + ct, s.endpoint)
    s.packetsSent++
    s.bytesSent += DATA_HEADER_BYTES + ct
    return true
  }

  /** Forgets MACs not seen for a while; the control path calls this periodically. */
  expireMacs(maxAgeMs?: number): number {
    return this.core.macs.expire(this.core.now(), maxAgeMs)
  }

  sessionStats(): SessionStats[] {
    return [...this.core.table.byPeer.values()].map((s) => ({
      peer: s.peer,
      localIndex: s.localIndex,
      endpoint: s.endpoint,
      mtu: s.mtu,
      packetsSent: s.packetsSent,
      bytesSent: s.bytesSent,
      packetsReceived: s.packetsReceived,
      bytesReceived: s.bytesReceived,
      lastReceivedAt: s.lastReceivedAt,
    }))
  }

  traffic(): Readonly<TrafficCounters> {
    return this.core.traffic
  }

  drops(): Record<string, number> {
    return this.core.drops.toJSON()
  }

  macEntries(): Array<{ mac: string; owner: string; seenAt: number }> {
    return this.core.macs.entries().map((e) => ({ mac: macToString(e.mac), owner: e.owner, seenAt: e.seenAt }))
  }

  /** Effective MTU for a peer (or the configured one when there is no session). */
  mtuFor(peer: string): number {
    return this.core.table.byPeer.get(peer)?.mtu ?? this.init.mtu
  }
}

export function createDatapath(init: DatapathInit, components: DatapathComponents): Datapath {
  return new Datapath(init, components)
}
