import type { TapDevice } from '@weft/tap'
import type { Bind, Endpoint } from '@weft/udp'
import type { DatapathRoutes } from './datapath-routes.js'
import { NO_ROUTES } from './datapath-routes.js'
import { DropCounters } from './drop-counters.js'
import { ForwardingTable } from './forwarding-table.js'
import { MacTable } from './mac-table.js'
import { PeerIdIndex, peerIdBytes } from './peer-id-index.js'
import type { PeerSession } from './peer-session.js'

const NO_NEIGHBOURS: readonly string[] = Object.freeze([])

/** A packet of a control kind (heartbeat, probe) received on an established session. */
export type ControlPacketHandler = (peer: string, kind: number, payload: Buffer, from: Endpoint) => void

/** Totals across all sessions. */
export interface TrafficCounters {
  framesFromTap: number
  framesToTap: number
  datagramsSent: number
  datagramsReceived: number
  bytesSent: number
  bytesReceived: number
  floods: number
  tooBigReplies: number
  /** Transit datagrams we sent on for other peers (Relay re-wrapped, Broadcast copies forwarded). */
  relayedPackets: number
  /** Bytes of those datagrams, as sent. */
  relayedBytes: number
  /** IPv4 packets (DF clear) cut into fragments to fit a peer's path MTU. */
  fragmentedPackets: number
}

export interface DatapathCoreInit {
  /** Largest datagram payload (after IP+UDP) the underlay carries. */
  datagramBudget: number
  /** Ttl written into Relay and Broadcast datagrams we originate. */
  hopLimit: number
  /** Our peer id (64 hex digits), or '' when not configured. */
  selfId: string
  macLimit?: number
}

/** State shared by the two directions of the data path. */
export class DatapathCore {
  table: ForwardingTable = ForwardingTable.EMPTY
  /** Routes beyond our neighbours; NO_ROUTES until the control path sets some. */
  routes: DatapathRoutes = NO_ROUTES
  /** Whether the control path has set routes: from then on our floods follow our broadcast tree. */
  routed = false
  /** Raw id bytes -> id string, for every peer of `table` and `routes`. */
  ids: PeerIdIndex = PeerIdIndex.EMPTY
  readonly macs: MacTable
  readonly drops = new DropCounters()
  readonly traffic: TrafficCounters = {
    framesFromTap: 0, framesToTap: 0, datagramsSent: 0, datagramsReceived: 0,
    bytesSent: 0, bytesReceived: 0, floods: 0, tooBigReplies: 0, relayedPackets: 0, relayedBytes: 0,
    fragmentedPackets: 0,
  }
  onControlPacket: ControlPacketHandler = () => {}
  readonly datagramBudget: number
  readonly hopLimit: number
  readonly selfId: string
  /** Our id's 32 raw bytes, when we have an id. */
  readonly selfRaw: Buffer | undefined

  constructor(
    readonly tap: TapDevice,
    readonly bind: Bind,
    readonly now: () => number,
    init: DatapathCoreInit,
  ) {
    this.macs = new MacTable(init.macLimit)
    this.datagramBudget = init.datagramBudget
    this.hopLimit = init.hopLimit
    this.selfId = init.selfId
    this.selfRaw = init.selfId === '' ? undefined : peerIdBytes(init.selfId)
  }

  /**
   * The direct session of the neighbour that traffic for `peer` goes through: its next hop in
   * the routes, else `peer` itself when it is a neighbour (a link newer than the routes).
   */
  nextHop(peer: string): PeerSession | undefined {
    const s = this.table.byPeer.get(this.routes.nextHop.get(peer) ?? peer)
    return s !== undefined && s.relayedTo === undefined ? s : undefined
  }

  /**
   * The newest direct session with `peer`, even while traffic to it goes through a relay (or
   * through an older session not retired yet).
   */
  newestDirect(peer: string): PeerSession | undefined {
    let best: PeerSession | undefined
    for (const s of this.table.byIndex.values()) {
      if (s.peer === peer && s.relayedTo === undefined && (!best || s.generation > best.generation)) best = s
    }
    return best
  }

  /**
   * The neighbours a broadcast from `source` goes to next. A routes object that throws or
   * returns no array counts as no neighbours: the data path never throws per packet.
   */
  broadcastTo(source: string): readonly string[] {
    try {
      const to = this.routes.broadcast(source)
      return Array.isArray(to) ? to : NO_NEIGHBOURS
    } catch {
      return NO_NEIGHBOURS
    }
  }

  /** Whether the 32 bytes at `buf[offset]` are our own id (the caller guarantees they are there). */
  isSelf(buf: Buffer, offset: number): boolean {
    return this.selfRaw !== undefined && this.selfRaw.compare(buf, offset, offset + this.selfRaw.length) === 0
  }

  /** Rebuilds `ids` after the set of known peers changed (control path). */
  reindex(): void {
    const ids: string[] = [this.selfId]
    for (const s of this.table.byIndex.values()) ids.push(s.peer)
    for (const [to, via] of this.routes.nextHop) ids.push(to, via)
    this.ids = PeerIdIndex.of(ids)
  }
}
