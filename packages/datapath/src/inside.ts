import type { FrameBatch } from '@weft/tap'
import {
  AEAD_TAG_BYTES, BundleWriter, DATA_HEADER_BYTES, ETH_HEADER_BYTES, PacketKind, isMulticastMac, macToNumber,
  writeTooBig,
} from '@weft/wire'
import { BUNDLE_FRAME_PREFIX_BYTES, HOP_HEADER_BYTES } from './constants.js'
import type { DatapathCore } from './datapath-core.js'
import { DropReason } from './drop-counters.js'
import { HOP_PAYLOAD_OFFSET, writeHopHeader } from './hop-header.js'
import { Ipv4Fragmenter } from './ipv4-fragmenter.js'
import { LOCAL } from './mac-table.js'
import type { PeerSession } from './peer-session.js'
import { SENT } from './sender.js'
import type { Sender } from './sender.js'

/**
 * Inside: frames read from the TAP, out to peers as encrypted datagrams.
 *
 *  1. onBatch      for each frame of a TAP batch (borrowed until onBatch returns)
 *  2. classify     drop runts; learn the source MAC as local; find the destination:
 *                  a peer with a session -> that peer, local -> drop (the bridge already
 *                  delivered it), multicast/unknown -> flood: until routes are set, to every
 *                  neighbour (a copy in each one's bundle); once set, into our broadcast bundle
 *  3. enqueue      a relayed peer without a next hop -> drop; too big for the path's MTU -> IPv4
 *                  without DF is cut into fragments that fit (ipv4-fragmenter.ts), anything else
 *                  gets ICMP "too big" back into the TAP; else append to the peer's pending
 *                  bundle (or the broadcast bundle), sending that first when full
 *  4. flush        after the batch, send each pending bundle (Sender): the broadcast bundle as a
 *                  Broadcast to each neighbour of our own tree; a direct peer's as a Data
 *                  datagram; a relayed peer's sealed end to end inside a Relay for its next hop
 */
export class Inside {
  /** Sessions with a bundle pending, flushed at the end of each batch. */
  private readonly dirty: PeerSession[] = []
  private readonly reply = Buffer.alloc(2048)
  /** Our broadcast datagram under construction: [header][hop header][bundle][tag]. */
  private readonly broadcastTx: Buffer
  private broadcastBundle: BundleWriter
  /** Largest IP packet a Broadcast carries: the hop header comes out of the budget too. */
  private broadcastMtuNow: number
  /** `broadcastMtuNow` and the bundle capacity with no path limit: the most `limitBroadcast` gives. */
  private readonly broadcastMtuMax: number
  private readonly broadcastCapacityMax: number
  private broadcastCapacity: number
  private readonly fragmenter = new Ipv4Fragmenter()
  /** The session the fragments being made are for (set around `fragmenter.fragment`). */
  private fragmentFor: PeerSession | undefined

  constructor(private readonly core: DatapathCore, private readonly sender: Sender, mtu: number) {
    this.broadcastTx = Buffer.alloc(core.datagramBudget)
    const capacity = core.datagramBudget - HOP_PAYLOAD_OFFSET - AEAD_TAG_BYTES
    this.broadcastBundle = new BundleWriter(this.broadcastTx, HOP_PAYLOAD_OFFSET, capacity)
    this.broadcastMtuNow = Math.min(mtu, capacity - BUNDLE_FRAME_PREFIX_BYTES - ETH_HEADER_BYTES)
    this.broadcastMtuMax = this.broadcastMtuNow
    this.broadcastCapacityMax = capacity
    this.broadcastCapacity = capacity
  }

  /** Largest IP packet our Broadcasts carry now. */
  get broadcastMtu(): number {
    return this.broadcastMtuNow
  }

  /**
   * Fits our Broadcasts to the smallest path they go out on: `pathMtu` is the largest overlay IP
   * packet a Broadcast bundle may carry (Infinity: no limit but the budget). Control path only:
   * the broadcast bundle is always empty between batches.
   */
  limitBroadcast(pathMtu: number): void {
    this.broadcastMtuNow = Math.min(this.broadcastMtuMax, pathMtu)
    const capacity = Math.min(this.broadcastCapacityMax, pathMtu + ETH_HEADER_BYTES + BUNDLE_FRAME_PREFIX_BYTES)
    if (capacity === this.broadcastCapacity) return
    this.broadcastCapacity = capacity
    this.broadcastBundle = new BundleWriter(this.broadcastTx, HOP_PAYLOAD_OFFSET, capacity)
  }

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
    if (this.core.routed) {
      this.enqueueBroadcast(buf, off, len)
      return
    }
    const peers = this.core.table.directPeers
    if (peers.length === 0) {
      this.core.drops.count(DropReason.NoRoute)
      return
    }
    this.core.traffic.floods++
    for (let i = 0; i < peers.length; i++) this.enqueue(peers[i], buf, off, len, false)
  }

  // 3. enqueue
  private enqueue(s: PeerSession, buf: Buffer, off: number, len: number, unicast: boolean): void {
    if (s.relayedTo !== undefined && this.core.nextHop(s.peer) === undefined) {
      this.core.drops.count(DropReason.NoRoute)
      return
    }
    if (len - ETH_HEADER_BYTES > s.mtu) {
      this.fragmentFor = s
      const fragments = this.fragmenter.fragment(buf, off, len, s.mtu, this.appendFragment)
      this.fragmentFor = undefined
      if (fragments > 0) {
        this.core.traffic.fragmentedPackets++
        return
      }
      this.core.drops.count(DropReason.TooBig)
      // one ICMP answer per frame, not one per flooded copy
      if (unicast || s === this.core.table.directPeers[0]) this.tooBig(buf, off, len, s.mtu)
      return
    }
    this.append(s, buf, off, len)
  }

  private readonly appendFragment = (buf: Buffer, off: number, len: number): void => {
    if (this.fragmentFor !== undefined) this.append(this.fragmentFor, buf, off, len)
  }

  /** Adds the frame to `s`'s pending bundle, sending that first when the frame does not fit. */
  private append(s: PeerSession, buf: Buffer, off: number, len: number): void {
    if (!s.bundle.fits(len)) this.seal(s)
    s.bundle.add(buf, off, len)
    if (!s.pending) {
      s.pending = true
      this.dirty.push(s)
    }
  }

  private enqueueBroadcast(buf: Buffer, off: number, len: number): void {
    this.core.traffic.floods++
    if (len - ETH_HEADER_BYTES > this.broadcastMtuNow) {
      this.core.drops.count(DropReason.TooBig)
      this.tooBig(buf, off, len, this.broadcastMtuNow)
      return
    }
    if (!this.broadcastBundle.fits(len)) this.sealBroadcast()
    this.broadcastBundle.add(buf, off, len)
  }

  private tooBig(buf: Buffer, off: number, len: number, mtu: number): void {
    const n = writeTooBig(buf, off, len, mtu, this.reply, 0)
    if (n > 0 && this.core.tap.write(this.reply, 0, n)) this.core.traffic.tooBigReplies++
  }

  // 4. flush
  private flush(): void {
    if (this.broadcastBundle.count > 0) this.sealBroadcast()
    const dirty = this.dirty
    for (let i = 0; i < dirty.length; i++) {
      const s = dirty[i]
      s.pending = false
      if (s.bundle.count > 0) this.seal(s)
    }
    dirty.length = 0
  }

  /** Sends the session's pending bundle (Sender.send); the bundle is empty afterwards. */
  private seal(s: PeerSession): void {
    const frames = s.bundle.count
    const plainLen = s.bundle.length
    s.bundle.reset()
    const r = this.sender.send(s, PacketKind.Data, s.tx, plainLen)
    if (r !== SENT) for (let i = 0; i < frames; i++) this.core.drops.count(r)
  }

  /** Sends the broadcast bundle to each neighbour of our own tree; it is empty afterwards. */
  private sealBroadcast(): void {
    const core = this.core
    const frames = this.broadcastBundle.count
    const plainLen = HOP_HEADER_BYTES + this.broadcastBundle.length
    this.broadcastBundle.reset()
    const to = core.broadcastTo(core.selfId)
    if (to.length === 0 || core.selfRaw === undefined) {
      for (let i = 0; i < frames; i++) core.drops.count(DropReason.NoRoute)
      return
    }
    writeHopHeader(this.broadcastTx, DATA_HEADER_BYTES, core.selfRaw, core.hopLimit)
    this.sender.fanOut(to, '', this.broadcastTx, plainLen, false)
  }
}
