import type { ConnectionInfo, ConnectionState } from '@weft/api'
import type { DhKeyPair, DirectionalKeys } from '@weft/crypto'
import { shortId } from '@weft/crypto'
import type { DatagramChannel } from '@weft/udp'
import type { ControlMessage } from '@weft/wire'

type HelloMessage = Extract<ControlMessage, { t: 'hello' }>
import type { ControlConnection } from './control-connection.js'

/** Ping samples the reported RTT is the minimum of (one ping a second: the last 10 s). */
export const RTT_WINDOW = 10

/** What the router knows of one control connection, from dial/accept to close. */
export class PeerLink {
  state: ConnectionState = 'handshake'
  info = ''
  peerId: string | null = null
  hello: HelloMessage | null = null
  /** Our data-session index for this link, once the session is installed. */
  localIndex: number | null = null
  helloSent = false
  /** The link's round-trip time: the smallest of the last RTT_WINDOW ping samples (ms). */
  rttMs: number | null = null
  private readonly rttSamples: number[] = []
  /** What carries the control connection: 'tcp', or 'swarm' for a Hyperswarm stream. */
  via = 'tcp'
  /** The swarm stream's datagrams: the data path's carrier when UDP to the peer does not work. */
  datagrams: DatagramChannel | null = null
  establishedAt: number | null = null
  lastHeardAt: number
  udpEndpoint: string | null = null
  mtu: number | null = null
  /** Data keys of the current session, by control-connection direction. */
  keys: DirectionalKeys | null = null
  sessionStartedAt = 0
  rekeys = 0
  /** Our half of a rekey we asked for and the peer has not answered yet. */
  rekeyPending: { pair: DhKeyPair; index: number } | null = null

  constructor(
    readonly conn: ControlConnection,
    readonly address: string,
    readonly direction: 'outbound' | 'inbound',
    /** The target this outbound link was dialled for. */
    readonly target: string | null,
    now: number,
  ) {
    this.lastHeardAt = now
  }

  /**
   * Records one ping's round trip. A sample also holds the time each end's event loop took to
   * answer (a busy host adds tens of ms); the smallest recent sample is the path's own RTT, so
   * routes weighted by it do not move on scheduling noise.
   */
  addRttSample(ms: number): void {
    this.rttSamples.push(ms)
    if (this.rttSamples.length > RTT_WINDOW) this.rttSamples.shift()
    this.rttMs = Math.min(...this.rttSamples)
  }

  /** `carried`: the data path sends to the peer over this stream's datagrams (UDP does not work). */
  toInfo(encryption: string, stats?: { bytesSent: number; bytesReceived: number; packetsSent: number; packetsReceived: number }, carried = false): ConnectionInfo {
    return {
      peer: this.peerId ? { id: this.peerId, shortId: shortId(Buffer.from(this.peerId, 'hex')), nickname: this.hello?.nickname ?? '' } : null,
      address: this.address,
      direction: this.direction,
      state: this.state,
      info: this.info,
      encryption: this.state === 'established' ? encryption : '',
      path: this.path(carried),
      udpEndpoint: this.udpEndpoint,
      mtu: this.mtu,
      rttMs: this.rttMs,
      establishedAt: this.establishedAt,
      bytesSent: stats?.bytesSent ?? 0,
      bytesReceived: stats?.bytesReceived ?? 0,
      packetsSent: stats?.packetsSent ?? 0,
      packetsReceived: stats?.packetsReceived ?? 0,
    }
  }

  private path(carried: boolean): string {
    if (this.state !== 'established' || !this.udpEndpoint) return '-'
    if (carried) return `direct over ${this.via} datagrams: UDP to ${this.udpEndpoint} unanswered`
    return `direct ${this.udpEndpoint}${this.via === 'tcp' ? '' : ` (control over ${this.via})`}`
  }
}
