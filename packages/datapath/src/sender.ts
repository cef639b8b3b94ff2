import { AEAD_TAG_BYTES, DATA_HEADER_BYTES, PacketKind, writeDataHeader } from '@weft/wire'
import { HOP_HEADER_BYTES, MAX_DATAGRAM_BYTES, REKEY_AFTER_PACKETS } from './constants.js'
import type { DatapathCore } from './datapath-core.js'
import { DropReason } from './drop-counters.js'
import { HOP_PAYLOAD_OFFSET, writeHopHeader } from './hop-header.js'
import type { Endpoint } from '@weft/udp'
import type { PeerSession } from './peer-session.js'

/** What `Sender.send` and `Sender.forward` return when the datagram went out. */
export const SENT = -1
/** `SENT`, or why nothing was sent (for the caller to count, once per frame it carried). */
export type SendResult = DropReason | typeof SENT

/**
 * The last step of both directions: seal a plaintext already in place and send it.
 *
 *  - send     to a peer: direct -> one datagram to its endpoint, or to its carrier once the
 *             control path set one; relayed -> sealed end to end at HOP_PAYLOAD_OFFSET, then
 *             wrapped in a Relay sealed for the next hop (no copy), or, once the control path
 *             set a punched endpoint, sent there as it is (no Relay)
 *  - sendDirect  a relayed session's datagram straight to an endpoint (hole punching)
 *  - forward  a hop-by-hop plaintext (Relay, Broadcast) to one neighbour
 *  - fanOut   one Broadcast plaintext to several neighbours: a copy each, sealed in place for
 *             the last one
 *
 * Buffers are the caller's, borrowed for the call and overwritten with ciphertext. Nothing
 * allocates per packet (one scratch buffer at construction) and nothing throws.
 */
export class Sender {
  private readonly scratch = Buffer.alloc(MAX_DATAGRAM_BYTES)

  constructor(private readonly core: DatapathCore) {}

  /**
   * Sends the plaintext `buf[s.innerOffset + 16, +plainLen)` of `kind` to `s`'s peer. `traffic`
   * false keeps it out of the totals (control packets, as before relaying existed). `udp`: a
   * direct session's datagram goes to its UDP endpoint even while a carrier takes its traffic.
   */
  send(s: PeerSession, kind: PacketKind, buf: Buffer, plainLen: number, traffic = true, udp = false): SendResult {
    if (s.relayedTo === undefined) {
      const n = this.seal(s, kind, buf, 0, plainLen)
      if (n < 0) return DropReason.CounterExhausted
      this.transmit(s, buf, n, traffic, udp)
      return SENT
    }
    if (s.punchedTo !== undefined) return this.sendDirect(s, kind, buf, plainLen, s.punchedTo, traffic)
    const hop = this.core.nextHop(s.peer)
    if (hop === undefined) return DropReason.NoRoute
    const inner = this.seal(s, kind, buf, HOP_PAYLOAD_OFFSET, plainLen)
    if (inner < 0) return DropReason.CounterExhausted
    writeHopHeader(buf, DATA_HEADER_BYTES, s.relayedTo, this.core.hopLimit)
    const n = this.seal(hop, PacketKind.Relay, buf, 0, HOP_HEADER_BYTES + inner)
    if (n < 0) return DropReason.CounterExhausted
    this.transmit(hop, buf, n, traffic)
    return SENT
  }

  /**
   * Sends the plaintext `buf[HOP_PAYLOAD_OFFSET + 16, +plainLen)` of relayed session `s` to
   * `to` as one datagram sealed end to end, without a Relay: a hole-punch probe, or traffic on
   * a punched path.
   */
  sendDirect(s: PeerSession, kind: PacketKind, buf: Buffer, plainLen: number, to: Endpoint, traffic = true): SendResult {
    const n = this.seal(s, kind, buf, HOP_PAYLOAD_OFFSET, plainLen)
    if (n < 0) return DropReason.CounterExhausted
    this.core.bind.send(buf, HOP_PAYLOAD_OFFSET, n, to)
    if (traffic) {
      this.core.traffic.datagramsSent++
      this.core.traffic.bytesSent += n
    }
    return SENT
  }

  /**
   * Seals the hop-by-hop plaintext `buf[16, +plainLen)` of `kind` for neighbour `hop` and sends
   * it; `transit` counts it as relayed for others.
   */
  forward(hop: PeerSession, kind: PacketKind, buf: Buffer, plainLen: number, transit: boolean): SendResult {
    const n = this.seal(hop, kind, buf, 0, plainLen)
    if (n < 0) return DropReason.CounterExhausted
    this.transmit(hop, buf, n, true)
    if (transit) {
      this.core.traffic.relayedPackets++
      this.core.traffic.relayedBytes += n
      hop.relayedPackets++
      hop.relayedBytes += n
    }
    return SENT
  }

  /**
   * Sends the Broadcast plaintext `buf[16, +plainLen)` to each neighbour of `to` but `except`
   * (and ourselves). A neighbour without a direct session is a counted `no_route`. Returns how
   * many copies went out. `buf` holds ciphertext afterwards.
   */
  fanOut(to: readonly string[], except: string, buf: Buffer, plainLen: number, transit: boolean): number {
    const core = this.core
    let last = -1
    for (let i = to.length - 1; i >= 0 && last < 0; i--) if (this.neighbour(to[i], except)) last = i
    let sent = 0
    for (let i = 0; i < to.length; i++) {
      const id = to[i]
      if (id === except || id === core.selfId) continue
      const s = this.neighbour(id, except)
      if (s === undefined) {
        core.drops.count(DropReason.NoRoute)
        continue
      }
      let out = buf
      if (i !== last) {
        // a received datagram fits: node:dgram never hands over more than MAX_DATAGRAM_BYTES
        if (DATA_HEADER_BYTES + plainLen + AEAD_TAG_BYTES > this.scratch.length) {
          core.drops.count(DropReason.TooBig)
          continue
        }
        buf.copy(this.scratch, DATA_HEADER_BYTES, DATA_HEADER_BYTES, DATA_HEADER_BYTES + plainLen)
        out = this.scratch
      }
      const r = this.forward(s, PacketKind.Broadcast, out, plainLen, transit)
      if (r === SENT) sent++
      else core.drops.count(r)
    }
    return sent
  }

  private neighbour(id: string, except: string): PeerSession | undefined {
    if (id === except || id === this.core.selfId) return undefined
    const s = this.core.table.byPeer.get(id)
    return s !== undefined && s.relayedTo === undefined ? s : undefined
  }

  /**
   * Writes `s`'s header for `kind` at `buf[offset]` and seals `buf[offset + 16, +plainLen)` in
   * place behind it. Returns the datagram's length, or -1 when the counter is used up.
   */
  private seal(s: PeerSession, kind: PacketKind, buf: Buffer, offset: number, plainLen: number): number {
    if (s.sendCounter >= REKEY_AFTER_PACKETS) return -1
    const counter = s.sendCounter++
    writeDataHeader(buf, offset, kind, s.remoteIndex, counter)
    const ct = s.sender.seal(buf, offset + DATA_HEADER_BYTES, plainLen, buf, offset, DATA_HEADER_BYTES, counter)
    if (ct < 0) return -1
    const total = DATA_HEADER_BYTES + ct
    s.packetsSent++
    s.bytesSent += total
    return total
  }

  private transmit(s: PeerSession, buf: Buffer, length: number, traffic: boolean, udp = false): void {
    this.core.bind.send(buf, 0, length, udp ? s.endpoint : s.carrier ?? s.endpoint)
    if (traffic) {
      this.core.traffic.datagramsSent++
      this.core.traffic.bytesSent += length
    }
  }
}
