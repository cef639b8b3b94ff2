import type { FrameBatch } from '@weft/tap'
import {
  DATA_HEADER_BYTES, ETH_HEADER_BYTES, PacketKind, isMulticastMac, macToNumber, writeDataHeader,
  writeTooBig,
} from '@weft/wire'
import { REKEY_AFTER_PACKETS } from './constants.js'
import type { DatapathCore } from './datapath-core.js'
import { DropReason } from './drop-counters.js'
import { LOCAL } from './mac-table.js'
import type { PeerSession } from './peer-session.js'

/**
 * Inside: frames read from the TAP, out to peers as encrypted datagrams.
 *
 *  1. onBatch      for each frame of a TAP batch (borrowed until onBatch returns)
 *  2. classify     drop runts; learn the source MAC as local; find the destination:
 *                  multicast/unknown -> flood to every peer, a peer -> that peer,
 *                  local -> drop (the bridge already delivered it)
 *  3. enqueue      too big for the peer's MTU -> ICMP "too big" back into the TAP;
 *                  else append to the peer's pending bundle (sealing it first when full)
 *  4. flush        after the batch: seal each pending bundle in place and send it
 */
export class Inside {
  /** Sessions with a bundle pending, flushed at the end of each batch. */
  private readonly dirty: PeerSession[] = []
  private readonly reply = Buffer.alloc(2048)

  constructor(private readonly core: DatapathCore) {}

  // 1. onBatch
  readonly onBatch = (batch: FrameBatch): void => {
    const { slab, offsets, lengths } = batch
    for (let i = 0; i < batch.count; i++) this.classify(slab, offsets[i], lengths[i])
    this.flush()
  }

  // 2. classify
  private classify(buf: Buffer, off: number, len: number): void {
    const core = this.core
    core.traffic.framesFromTap++
    if (len < ETH_HEADER_BYTES) {
      core.drops.count(DropReason.Runt)
      return
    }
    const now = core.now()
    if (!isMulticastMac(buf, off + 6)) {
      if (!core.macs.learn(macToNumber(buf, off + 6), LOCAL, now)) core.drops.count(DropReason.MacTableFull)
    }
    const table = core.table
    if (isMulticastMac(buf, off)) {
      this.flood(buf, off, len)
      return
    }
    const owner = core.macs.lookup(macToNumber(buf, off))
    if (owner === LOCAL) {
      core.drops.count(DropReason.LocalDestination)
      return
    }
    const session = owner === undefined ? undefined : table.byPeer.get(owner)
    if (session) this.enqueue(session, buf, off, len, true)
    else this.flood(buf, off, len)
  }

  private flood(buf: Buffer, off: number, len: number): void {
    const peers = this.core.table.peers
    if (peers.length === 0) {
      this.core.drops.count(DropReason.NoRoute)
      return
    }
    this.core.traffic.floods++
    for (let i = 0; i < peers.length; i++) this.enqueue(peers[i], buf, off, len, false)
  }

  // 3. enqueue
  private enqueue(s: PeerSession, buf: Buffer, off: number, len: number, unicast: boolean): void {
    if (len - ETH_HEADER_BYTES > s.mtu) {
      this.core.drops.count(DropReason.TooBig)
      // one ICMP answer per frame, not one per flooded copy
      if (unicast || s === this.core.table.peers[0]) this.tooBig(buf, off, len, s.mtu)
      return
    }
    if (!s.bundle.fits(len)) this.seal(s)
    s.bundle.add(buf, off, len)
    if (!s.pending) {
      s.pending = true
      this.dirty.push(s)
    }
  }

  private tooBig(buf: Buffer, off: number, len: number, mtu: number): void {
    const n = writeTooBig(buf, off, len, mtu, this.reply, 0)
    if (n > 0 && this.core.tap.write(this.reply, 0, n)) this.core.traffic.tooBigReplies++
  }

  // 4. flush
  private flush(): void {
    const dirty = this.dirty
    for (let i = 0; i < dirty.length; i++) {
      const s = dirty[i]
      s.pending = false
      if (s.bundle.count > 0) this.seal(s)
    }
    dirty.length = 0
  }

  /** Seals the session's pending bundle in place and sends it; the bundle is empty afterwards. */
  private seal(s: PeerSession): void {
    const core = this.core
    const frames = s.bundle.count
    const plainLen = s.bundle.length
    s.bundle.reset()
    if (s.sendCounter >= REKEY_AFTER_PACKETS) {
      for (let i = 0; i < frames; i++) core.drops.count(DropReason.CounterExhausted)
      return
    }
    const counter = s.sendCounter++
    writeDataHeader(s.tx, 0, PacketKind.Data, s.remoteIndex, counter)
    const ctLen = s.sender.seal(s.tx, DATA_HEADER_BYTES, plainLen, s.tx, 0, DATA_HEADER_BYTES, counter)
    const total = DATA_HEADER_BYTES + ctLen
    core.bind.send(s.tx, 0, total, s.endpoint)
    s.packetsSent++
    s.bytesSent += total
    core.traffic.datagramsSent++
    core.traffic.bytesSent += total
  }
}
