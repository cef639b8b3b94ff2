// Probe and ProbeAck: how the control path measures the underlay path MTU to a neighbour. Both
// are ordinary datagrams (docs/WIRE.md §1: header, ciphertext, tag) of kinds 4 and 5; this is
// their plaintext. Integers little-endian, like the header.
//
//  Probe (PacketKind.Probe = 4), plaintext = size - 32 bytes:
//  0               4               8
//  +---------------+---------------+---------------------------------------------- ...
//  | probe id (u32)| size (u32)    | zero padding, so the whole datagram is `size` bytes
//  +---------------+---------------+---------------------------------------------- ...
//  size: the UDP payload length the sender built (header 16 + plaintext + tag 16).
//
//  ProbeAck (PacketKind.ProbeAck = 5), plaintext 8 bytes (a 40-byte datagram):
//  +---------------+---------------+
//  | probe id (u32)| size (u32)    |   size: the length the Probe datagram arrived with
//  +---------------+---------------+
//
// The data path answers every authenticated Probe at once, on the session it arrived on, and
// hands every authenticated ProbeAck to the control path's `onProbeAck` handler; neither goes
// to the `onControlPacket` handler. A Probe whose plaintext is shorter than 8 bytes is dropped
// and counted as `short`. A Probe on a direct session measures the underlay path to a neighbour;
// one on a relayed session travels end to end inside a Relay, measuring the whole relayed path
// (every hop carries the inner datagram plus HOP_OVERHEAD_BYTES), and is answered the same way
// with the length of the inner datagram.

import { AEAD_TAG_BYTES, DATA_HEADER_BYTES, PacketKind } from '@weft/wire'
import { MIN_PROBE_DATAGRAM_BYTES, PROBE_HEADER_BYTES } from './constants.js'
import type { DatapathCore } from './datapath-core.js'
import { DropReason } from './drop-counters.js'
import { HOP_OVERHEAD_BYTES, HOP_PAYLOAD_OFFSET } from './hop-header.js'
import type { PeerSession } from './peer-session.js'
import { SENT } from './sender.js'
import type { Sender } from './sender.js'

/** A ProbeAck from `peer`: the probe's id and the datagram size the peer received. */
export type ProbeAckHandler = (peer: string, id: number, size: number) => void

/** Room for a ProbeAck sealed end to end inside a Relay: offsets, plaintext and two tags. */
const ACK_BUFFER_BYTES = HOP_PAYLOAD_OFFSET + DATA_HEADER_BYTES + PROBE_HEADER_BYTES + 2 * AEAD_TAG_BYTES

/**
 * Sends Probes for the control path and answers them for the peer. One padded-probe buffer of
 * the datagram budget and one ack buffer, allocated once; nothing throws per packet.
 */
export class PathProbes {
  onAck: ProbeAckHandler = () => {}
  private readonly tx: Buffer
  private readonly ack = Buffer.alloc(ACK_BUFFER_BYTES)

  constructor(private readonly core: DatapathCore, private readonly sender: Sender) {
    this.tx = Buffer.alloc(core.datagramBudget)
  }

  /** Largest Probe `send` builds: the datagram budget of the configured underlay MTU. */
  get maxSize(): number {
    return this.tx.length
  }

  /** Largest relayed Probe (the inner datagram): what is left of the budget around a Relay. */
  get maxRelayedSize(): number {
    return this.tx.length - HOP_OVERHEAD_BYTES
  }

  /**
   * Sends a Probe of exactly `size` bytes of UDP payload to `peer` on its newest direct session,
   * or with `relayed`, an inner datagram of `size` bytes on its relayed sending session (through
   * its next hop); false when there is none, `size` is out of MIN_PROBE_DATAGRAM_BYTES..maxSize
   * (maxRelayedSize), or a counter is used up.
   */
  send(peer: string, id: number, size: number, relayed = false): boolean {
    const sending = this.core.table.byPeer.get(peer)
    const s = relayed ? (sending?.relayedTo !== undefined ? sending : undefined) : this.core.newestDirect(peer)
    const max = relayed ? this.maxRelayedSize : this.tx.length
    if (s === undefined || !Number.isInteger(size) || size < MIN_PROBE_DATAGRAM_BYTES || size > max) return false
    const plainLen = size - DATA_HEADER_BYTES - AEAD_TAG_BYTES
    const at = s.innerOffset + DATA_HEADER_BYTES
    this.tx.writeUInt32LE(id >>> 0, at)
    this.tx.writeUInt32LE(size, at + 4)
    this.tx.fill(0, at + PROBE_HEADER_BYTES, at + plainLen)
    // a direct Probe measures UDP, also while the peer's traffic takes a carrier
    return this.sender.send(s, PacketKind.Probe, this.tx, plainLen, false, true) === SENT
  }

  /** Data path: a Probe on `s`, plaintext at `buf[at, +plainLen)` (the datagram: plainLen + 32). */
  answer(s: PeerSession, buf: Buffer, at: number, plainLen: number): void {
    if (plainLen < PROBE_HEADER_BYTES) {
      this.core.drops.count(DropReason.Short)
      return
    }
    const out = s.innerOffset + DATA_HEADER_BYTES
    buf.copy(this.ack, out, at, at + 4)
    this.ack.writeUInt32LE(DATA_HEADER_BYTES + plainLen + AEAD_TAG_BYTES, out + 4)
    const r = this.sender.send(s, PacketKind.ProbeAck, this.ack, PROBE_HEADER_BYTES, false, true)
    if (r !== SENT) this.core.drops.count(r)
  }

  /** Data path: a ProbeAck from `s`'s peer, plaintext at `buf[at, +plainLen)`. */
  acked(s: PeerSession, buf: Buffer, at: number, plainLen: number): void {
    if (plainLen < PROBE_HEADER_BYTES) {
      this.core.drops.count(DropReason.Short)
      return
    }
    try {
      this.onAck(s.peer, buf.readUInt32LE(at), buf.readUInt32LE(at + 4))
    } catch {
      // the control path's handler must not break the receive loop
    }
  }
}
