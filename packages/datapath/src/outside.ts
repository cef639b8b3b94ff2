import type { Endpoint } from '@weft/udp'
import { isCarrierEndpoint } from '@weft/udp'
import {
  DATA_HEADER_BYTES, DataHeaderView, DecodeResult, PacketKind, countFrames, forEachFrame, isMulticastMac,
  macToNumber,
} from '@weft/wire'
import type { DatapathCore } from './datapath-core.js'
import { DropReason } from './drop-counters.js'
import { HOP_TTL_OFFSET, HopDecodeResult, HopHeaderView } from './hop-header.js'
import type { PathProbes } from './path-probes.js'
import type { PeerSession } from './peer-session.js'
import { SENT } from './sender.js'
import type { Sender } from './sender.js'

const HEADER_DROPS: Partial<Record<DecodeResult, DropReason>> = {
  [DecodeResult.Short]: DropReason.Short,
  [DecodeResult.BadVersion]: DropReason.BadVersion,
  [DecodeResult.BadKind]: DropReason.BadKind,
  [DecodeResult.BadReserved]: DropReason.BadKind,
}

/**
 * Outside: encrypted datagrams from peers, into the TAP and on to other peers.
 *
 *  1. onDatagram   parse the header (version, kind, our session index, counter); the index names
 *                  a direct session, or a relayed one whose peer reached us on a hole-punched
 *                  path: once authenticated, its sender's address is noted for the control path
 *                  (`directFrom`; a Heartbeat starting with byte 1 also notes that the peer hears
 *                  us directly, `directAckAt`), never taken as the session's endpoint
 *  2. authenticate find the session by index; reject replays before decrypting; decrypt in
 *                  place (header as associated data); only then mark the counter seen and
 *                  promote a newer session (rekey) to be the sending one; for a direct session,
 *                  follow the peer to the address it now sends from (roaming), unless it came
 *                  over a carrier (a swarm stream's datagrams: noted, never roamed onto; a
 *                  relayed session's datagram there is dropped)
 *  3. dispatch     by kind: Data -> deliver; Relay, Broadcast -> 4, 5, only from a direct session
 *                  (an authenticated neighbour); Probe -> answered at once with a ProbeAck on the
 *                  same session; ProbeAck -> the prober's handler (path-probes.ts); other control
 *                  kinds -> the control path's handler
 *  4. relay        for us: the inner datagram goes through 2 and 3 with the relayed session its
 *                  index names (no roaming: the relay's address is not the peer's); for another
 *                  peer: ttl - 1 and re-sealed in place for the next hop's direct session
 *  5. broadcast    deliver the frames (their MACs learnt as the source's, not the neighbour's),
 *                  then send the same plaintext with ttl - 1 to the source tree's next
 *                  neighbours, except the one it came from
 *  6. deliver      validate the bundle, learn each frame's source MAC as `owner`'s, write each
 *                  frame to the TAP
 */
export class Outside {
  private readonly header = new DataHeaderView()
  private readonly hop = new HopHeaderView()
  /** The peer the frames being delivered come from (MAC learning). */
  private owner = ''

  constructor(private readonly core: DatapathCore, private readonly sender: Sender, private readonly probes: PathProbes) {}

  // 1. onDatagram (data is owned by us: node:dgram hands over a fresh buffer)
  readonly onDatagram = (data: Buffer, from: Endpoint): void => {
    const core = this.core
    core.traffic.datagramsReceived++
    core.traffic.bytesReceived += data.length
    const s = this.session(data, 0, data.length)
    if (s === undefined) return
    const carried = isCarrierEndpoint(from)
    if (carried && s.relayedTo !== undefined) {
      core.drops.count(DropReason.WrongPath)
      return
    }
    const plainLen = this.authenticate(s, data, 0, data.length)
    if (plainLen < 0) return
    if (s.relayedTo !== undefined) {
      s.directFrom = from
      s.directFromAt = s.lastReceivedAt
      // a punch Heartbeat whose first byte is 1: the peer hears our direct datagrams too
      if (this.header.kind === PacketKind.Heartbeat && plainLen >= 1 && data[DATA_HEADER_BYTES] === 1) s.directAckAt = s.lastReceivedAt
      this.dispatch(s, data, 0, plainLen)
      return
    }
    if (carried) {
      s.carrierReceivedAt = s.lastReceivedAt
    } else {
      s.udpReceivedAt = s.lastReceivedAt
      if (s.endpoint.port !== from.port || s.endpoint.address !== from.address) s.endpoint = from
    }
    // a link Heartbeat's first byte: whether the peer hears our UDP datagrams (link-monitor.ts)
    if (this.header.kind === PacketKind.Heartbeat && plainLen >= 1) s.peerHearsUdp = data[DATA_HEADER_BYTES] === 1 ? 1 : 0
    this.dispatch(s, data, 0, plainLen)
  }

  /** Decodes the header of the datagram `buf[off, +len)` and finds its session; counts a miss. */
  private session(buf: Buffer, off: number, len: number): PeerSession | undefined {
    const r = this.header.decode(buf, off, len)
    if (r !== DecodeResult.Ok) {
      this.core.drops.count(HEADER_DROPS[r] ?? DropReason.Short)
      return undefined
    }
    const s = this.core.table.byIndex.get(this.header.receiverIndex)
    if (s === undefined) this.core.drops.count(DropReason.UnknownSession)
    return s
  }

  // 2. authenticate: the datagram `buf[off, +len)`, decoded into `header`; -1 when dropped
  private authenticate(s: PeerSession, buf: Buffer, off: number, len: number): number {
    const core = this.core
    const counter = this.header.counter
    if (!s.replay.check(counter)) {
      core.drops.count(DropReason.Replay)
      return -1
    }
    const ctLen = len - DATA_HEADER_BYTES
    const plainLen = s.receiver.open(buf, off + DATA_HEADER_BYTES, ctLen, buf, off, DATA_HEADER_BYTES, counter)
    if (plainLen < 0) {
      core.drops.count(DropReason.BadTag)
      return -1
    }
    if (!s.replay.accept(counter)) {
      core.drops.count(DropReason.Replay)
      return -1
    }
    s.packetsReceived++
    s.bytesReceived += len
    const sending = core.table.byPeer.get(s.peer)
    if (sending !== s && (!sending || s.generation > sending.generation)) core.table = core.table.withSession(s)
    s.lastReceivedAt = core.now()
    return plainLen
  }

  // 3. dispatch: the plaintext is `buf[off + 16, +plainLen)`
  private dispatch(s: PeerSession, buf: Buffer, off: number, plainLen: number): void {
    const kind = this.header.kind
    const at = off + DATA_HEADER_BYTES
    if (kind === PacketKind.Data) {
      this.deliver(s.peer, buf, at, plainLen)
    } else if (kind === PacketKind.Relay || kind === PacketKind.Broadcast) {
      if (s.relayedTo !== undefined) this.core.drops.count(DropReason.NotDirect)
      else if (kind === PacketKind.Relay) this.relay(buf, plainLen)
      else this.broadcast(s, buf, plainLen)
    } else if (kind === PacketKind.Probe) {
      this.probes.answer(s, buf, at, plainLen)
    } else if (kind === PacketKind.ProbeAck) {
      this.probes.acked(s, buf, at, plainLen)
    } else {
      this.core.onControlPacket(s.peer, kind, buf.subarray(at, at + plainLen), s.endpoint)
    }
  }

  // 4. relay: a Relay from a neighbour, plaintext at data[16, +plainLen)
  private relay(data: Buffer, plainLen: number): void {
    const core = this.core
    const hop = this.hop
    if (hop.decode(data, DATA_HEADER_BYTES, plainLen, PacketKind.Relay) !== HopDecodeResult.Ok) {
      core.drops.count(DropReason.BadHopHeader)
      return
    }
    if (core.isSelf(data, hop.peerOffset)) {
      this.unwrap(data, hop.payloadOffset, hop.payloadLength)
      return
    }
    if (hop.ttl <= 1) {
      core.drops.count(DropReason.TtlExpired)
      return
    }
    const destination = core.ids.find(data, hop.peerOffset)
    const next = destination === undefined ? undefined : core.nextHop(destination)
    if (next === undefined) {
      core.drops.count(DropReason.NoRoute)
      return
    }
    data[hop.peerOffset + HOP_TTL_OFFSET] = hop.ttl - 1
    const r = this.sender.forward(next, PacketKind.Relay, data, plainLen, true)
    if (r !== SENT) core.drops.count(r)
  }

  /** The inner datagram `data[off, +len)` of a Relay for us: steps 2 and 3 with its own session. */
  private unwrap(data: Buffer, off: number, len: number): void {
    const s = this.session(data, off, len)
    if (s === undefined) return
    if (s.relayedTo === undefined) {
      this.core.drops.count(DropReason.WrongPath)
      return
    }
    const plainLen = this.authenticate(s, data, off, len)
    if (plainLen >= 0) this.dispatch(s, data, off, plainLen)
  }

  // 5. broadcast: a Broadcast from neighbour `from`, plaintext at data[16, +plainLen)
  private broadcast(from: PeerSession, data: Buffer, plainLen: number): void {
    const core = this.core
    const hop = this.hop
    if (hop.decode(data, DATA_HEADER_BYTES, plainLen, PacketKind.Broadcast) !== HopDecodeResult.Ok) {
      core.drops.count(DropReason.BadHopHeader)
      return
    }
    if (core.isSelf(data, hop.peerOffset)) {
      core.drops.count(DropReason.Looped)
      return
    }
    // validated whole before anything is delivered or forwarded
    if (countFrames(data, hop.payloadOffset, hop.payloadLength) < 0) {
      core.drops.count(DropReason.BadBundle)
      return
    }
    const ttl = hop.ttl
    const ttlAt = hop.peerOffset + HOP_TTL_OFFSET
    const source = core.ids.idAt(data, hop.peerOffset)
    this.deliver(source, data, hop.payloadOffset, hop.payloadLength)
    const to = core.broadcastTo(source)
    if (to.length === 0 || (to.length === 1 && to[0] === from.peer)) return
    if (ttl <= 1) {
      core.drops.count(DropReason.TtlExpired)
      return
    }
    data[ttlAt] = ttl - 1
    this.sender.fanOut(to, from.peer, data, plainLen, true)
  }

  /** Step 6 for a bundle the native fast path opened and recorded (it carries MACs to learn). */
  deliverBundle(owner: string, buf: Buffer, off: number, len: number): void {
    this.core.traffic.datagramsReceived++
    this.core.traffic.bytesReceived += len
    this.deliver(owner, buf, off, len)
  }

  // 6. deliver
  private deliver(owner: string, buf: Buffer, off: number, len: number): void {
    this.owner = owner
    if (forEachFrame(buf, off, len, this.writeFrame) < 0) this.core.drops.count(DropReason.BadBundle)
    this.owner = ''
  }

  private readonly writeFrame = (buf: Buffer, off: number, len: number): void => {
    const core = this.core
    if (!isMulticastMac(buf, off + 6)) {
      if (!core.macs.learn(macToNumber(buf, off + 6), this.owner, core.now())) core.drops.count(DropReason.MacTableFull)
    }
    if (core.tap.write(buf, off, len)) core.traffic.framesToTap++
    else core.drops.count(DropReason.TapWrite)
  }
}
