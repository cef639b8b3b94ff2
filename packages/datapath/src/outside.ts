import type { Endpoint } from '@weft/udp'
import {
  DATA_HEADER_BYTES, DataHeaderView, DecodeResult, PacketKind, forEachFrame, isMulticastMac,
  macToNumber,
} from '@weft/wire'
import type { DatapathCore } from './datapath-core.js'
import { DropReason } from './drop-counters.js'
import type { PeerSession } from './peer-session.js'

const HEADER_DROPS: Partial<Record<DecodeResult, DropReason>> = {
  [DecodeResult.Short]: DropReason.Short,
  [DecodeResult.BadVersion]: DropReason.BadVersion,
  [DecodeResult.BadKind]: DropReason.BadKind,
  [DecodeResult.BadReserved]: DropReason.BadKind,
}

/**
 * Outside: encrypted datagrams from peers, into the TAP.
 *
 *  1. onDatagram   parse the header (version, kind, our session index, counter)
 *  2. authenticate find the session by index; reject replays before decrypting; decrypt in
 *                  place (header as associated data); only then mark the counter seen,
 *                  promote a newer session (rekey) to be the sending one, and follow the
 *                  peer to the address it now sends from (roaming)
 *  3. deliver      data: validate the bundle, learn each frame's source MAC as the peer's, write
 *                  each frame to the TAP; control kinds go to the control path's handler
 */
export class Outside {
  private readonly header = new DataHeaderView()
  private current: PeerSession | undefined

  constructor(private readonly core: DatapathCore) {}

  // 1. onDatagram (data is owned by us: node:dgram hands over a fresh buffer)
  readonly onDatagram = (data: Buffer, from: Endpoint): void => {
    const core = this.core
    core.traffic.datagramsReceived++
    core.traffic.bytesReceived += data.length
    const h = this.header
    const r = h.decode(data, 0, data.length)
    if (r !== DecodeResult.Ok) {
      core.drops.count(HEADER_DROPS[r] ?? DropReason.Short)
      return
    }
    const s = core.table.byIndex.get(h.receiverIndex)
    if (!s) {
      core.drops.count(DropReason.UnknownSession)
      return
    }
    this.authenticate(s, data, from)
  }

  // 2. authenticate
  private authenticate(s: PeerSession, data: Buffer, from: Endpoint): void {
    const core = this.core
    const counter = this.header.counter
    if (!s.replay.check(counter)) {
      core.drops.count(DropReason.Replay)
      return
    }
    const ctLen = data.length - DATA_HEADER_BYTES
    const plainLen = s.receiver.open(data, DATA_HEADER_BYTES, ctLen, data, 0, DATA_HEADER_BYTES, counter)
    if (plainLen < 0) {
      core.drops.count(DropReason.BadTag)
      return
    }
    if (!s.replay.accept(counter)) {
      core.drops.count(DropReason.Replay)
      return
    }
    s.packetsReceived++
    s.bytesReceived += data.length
    const sending = core.table.byPeer.get(s.peer)
    if (sending !== s && (!sending || s.generation > sending.generation)) core.table = core.table.withSession(s)
    s.lastReceivedAt = core.now()
    if (s.endpoint.port !== from.port || s.endpoint.address !== from.address) s.endpoint = from
    this.deliver(s, data, plainLen)
  }

  // 3. deliver
  private deliver(s: PeerSession, data: Buffer, plainLen: number): void {
    const kind = this.header.kind
    if (kind !== PacketKind.Data) {
      this.core.onControlPacket(s.peer, kind, data.subarray(DATA_HEADER_BYTES, DATA_HEADER_BYTES + plainLen), s.endpoint)
      return
    }
    this.current = s
    if (forEachFrame(data, DATA_HEADER_BYTES, plainLen, this.writeFrame) < 0) this.core.drops.count(DropReason.BadBundle)
    this.current = undefined
  }

  private readonly writeFrame = (buf: Buffer, off: number, len: number): void => {
    const core = this.core
    if (!isMulticastMac(buf, off + 6)) {
      if (!core.macs.learn(macToNumber(buf, off + 6), this.current!.peer, core.now())) core.drops.count(DropReason.MacTableFull)
    }
    if (core.tap.write(buf, off, len)) core.traffic.framesToTap++
    else core.drops.count(DropReason.TapWrite)
  }
}
