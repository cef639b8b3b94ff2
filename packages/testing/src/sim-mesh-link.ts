import type { SimStream, SimStreamCloseReason, VirtualClock } from '@weft/netsim'
import { SIM_HANDSHAKE_TIMEOUT_MS } from './sim-mesh-constants.js'
import type { SimFrame } from './sim-mesh-frame.js'
import { SimFrameKind, SimFrameReader, encodeSimFrame } from './sim-mesh-frame.js'

/** Bytes and frames one simulated router wrote, kept across its restarts. */
export interface SimTrafficCounters {
  bytesSent: number
  messagesSent: number
  /** The part of the above that carried gossip (`gossip` frames). */
  gossipBytesSent: number
  gossipMessagesSent: number
}

/** What a link tells its router. */
export interface SimLinkEvents {
  /** The stream is usable: send `hello`. */
  open(link: SimLink): void
  frame(link: SimLink, frame: SimFrame): void
  /** Once, last. */
  closed(link: SimLink, reason: string): void
}

export type SimLinkState = 'handshake' | 'established' | 'closed'

/**
 * One simulated control connection, as the real `PeerLink` + `ControlConnection` pair: a stream,
 * frames, and what the router learnt from `hello` and heartbeats. A link that has not been told
 * `established` within `SIM_HANDSHAKE_TIMEOUT_MS` closes, as an unfinished handshake does.
 */
export class SimLink {
  state: SimLinkState = 'handshake'
  peerId: string | null = null
  /** The other router's restartId, from its `hello`. */
  peerRestartId: string | null = null
  /** `ip:udpPort` of the other end, once its `hello` arrived. */
  udpEndpoint: string | null = null
  rttMs: number | null = null
  lastHeardAt: number
  private readonly reader = new SimFrameReader()
  private handshakeTimer: unknown
  private done = false

  constructor (
    readonly stream: SimStream,
    readonly direction: 'outbound' | 'inbound',
    /** The target address this outbound link was dialled for. */
    readonly target: string | null,
    private readonly clock: VirtualClock,
    private readonly counters: SimTrafficCounters,
    private readonly events: SimLinkEvents,
  ) {
    this.lastHeardAt = clock.now()
    this.handshakeTimer = clock.setTimeout(() => this.close('handshake timed out'), SIM_HANDSHAKE_TIMEOUT_MS)
    stream.on('data', (chunk) => this.onData(chunk))
    stream.on('close', (reason) => this.onStreamClose(reason))
    if (direction === 'outbound') stream.on('connect', () => events.open(this))
    else clock.setTimeout(() => { if (!this.done) events.open(this) }, 0)
  }

  get closed (): boolean {
    return this.done
  }

  /** The other end's `hello` arrived: the handshake timer stops. */
  markEstablished (peerId: string, restartId: string, udpEndpoint: string): void {
    this.state = 'established'
    this.peerId = peerId
    this.peerRestartId = restartId
    this.udpEndpoint = udpEndpoint
    this.clock.clearTimeout(this.handshakeTimer)
  }

  send (frame: SimFrame): void {
    if (this.done) return
    const bytes = encodeSimFrame(frame)
    this.counters.bytesSent += bytes.length
    this.counters.messagesSent++
    if (frame.kind === SimFrameKind.Gossip) {
      this.counters.gossipBytesSent += bytes.length
      this.counters.gossipMessagesSent++
    }
    this.stream.write(bytes)
  }

  close (reason: string): void {
    if (this.done) return
    this.stream.close()
    this.finish(reason)
  }

  private onData (chunk: Buffer): void {
    if (this.done) return
    this.lastHeardAt = this.clock.now()
    let frames: SimFrame[]
    try {
      frames = this.reader.push(chunk)
    } catch (err) {
      this.close(`bad framing: ${(err as Error).message}`)
      return
    }
    for (const frame of frames) {
      if (this.done) return
      this.events.frame(this, frame)
    }
  }

  private onStreamClose (reason: SimStreamCloseReason): void {
    if (this.done) return
    const why = reason === 'remote'
      ? 'connection closed by peer'
      : reason === 'timeout' ? 'connection timed out' : reason === 'refused' ? 'connection refused' : 'closed'
    this.finish(why)
  }

  private finish (reason: string): void {
    this.done = true
    this.state = 'closed'
    this.clock.clearTimeout(this.handshakeTimer)
    this.events.closed(this, reason)
  }
}
