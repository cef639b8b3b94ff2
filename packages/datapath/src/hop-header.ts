// The hop header: the first 33 bytes of the plaintext of Relay and Broadcast datagrams, the two
// kinds that travel through intermediate peers (docs/WIRE.md §1, "Relay and Broadcast"). Both
// are sealed hop by hop, each hop with the direct session between its two ends; a Relay's
// payload is itself a complete datagram sealed end to end, which the peers on the way cannot open.
//
//  Relay (PacketKind 6): a datagram for `destination`, forwarded along unicast next hops
//   0        16                                 48  49              65
//   +--------+----------------------------------+---+---------------+-------- ... --+-----+-----+
//   | header | destination peer id (32 bytes)   |ttl| inner header  | inner         |inner|outer|
//   | (hop)  |                                  |u8 | (end to end)  | ciphertext    | tag | tag |
//   +--------+----------------------------------+---+---------------+-------- ... --+-----+-----+
//            |<-------------- outer plaintext (sealed with this hop's session) ---->|
//                                                   |<-- inner datagram, opaque to relays -->|
//
//  Broadcast (PacketKind 7): a frame bundle from `source`, flooded along its spanning tree
//   0        16                                 48  49
//   +--------+----------------------------------+---+------------------------- ... --+-----+
//   | header | source peer id (32 bytes)        |ttl| frame bundle (WIRE.md §2)        | tag |
//   +--------+----------------------------------+---+------------------------- ... --+-----+
//
// The peer id is the 32 raw bytes behind the 64-hex-digit id. The ttl counts the hops left: the
// originator writes the hop limit, every forwarder decrements it and drops the datagram rather
// than send it on with 0, so a ttl of 0 is never valid on the wire. The payload must at least
// hold an empty datagram (Relay: header and tag, 32 bytes) or one frame (Broadcast: 16 bytes);
// the payload itself is checked where it is used (the inner datagram by its receiver, the bundle
// before any frame is delivered). Nothing here allocates or throws per packet.

import {
  AEAD_TAG_BYTES, BUNDLE_LENGTH_PREFIX_BYTES, DATA_HEADER_BYTES, ETH_HEADER_BYTES, MIN_DATAGRAM_BYTES, PEER_ID_BYTES,
  PacketKind,
} from '@weft/wire'
import { HOP_HEADER_BYTES } from './constants.js'

/** Offset of the ttl inside the hop header. */
export const HOP_TTL_OFFSET = PEER_ID_BYTES
/** Offset of the payload (inner datagram or bundle) in a Relay or Broadcast datagram: 49. */
export const HOP_PAYLOAD_OFFSET = DATA_HEADER_BYTES + HOP_HEADER_BYTES
/** Bytes a Relay or Broadcast adds around its payload: outer header, hop header, outer tag (65). */
export const HOP_OVERHEAD_BYTES = HOP_PAYLOAD_OFFSET + AEAD_TAG_BYTES
/** Smallest payload of a Relay: an inner datagram with an empty ciphertext. */
export const RELAY_MIN_PAYLOAD_BYTES = MIN_DATAGRAM_BYTES
/** Smallest payload of a Broadcast: a bundle of one bare Ethernet header. */
export const BROADCAST_MIN_PAYLOAD_BYTES = BUNDLE_LENGTH_PREFIX_BYTES + ETH_HEADER_BYTES

/** Outcome of `HopHeaderView.decode`; anything but `Ok` is a counted drop (`bad_hop_header`). */
export enum HopDecodeResult {
  Ok = 0,
  /** The plaintext cannot hold the hop header and the smallest payload, or runs past the buffer. */
  Short = 1,
  /** A ttl of 0: no sender writes one. */
  ZeroTtl = 2,
  /** The datagram kind does not carry a hop header. */
  BadKind = 3,
}

/** Writes the hop header at `buf[offset]`; the caller guarantees 33 bytes of room and a 32-byte id. */
export function writeHopHeader(buf: Buffer, offset: number, peerId: Buffer, ttl: number): void {
  peerId.copy(buf, offset, 0, PEER_ID_BYTES)
  buf[offset + HOP_TTL_OFFSET] = ttl
}

/**
 * A reusable decoder, one per receive loop: `decode` fills its fields in place. The peer id is
 * not copied: it stays at `buf[peerOffset, +32)`, borrowed like the rest of the datagram.
 */
export class HopHeaderView {
  peerOffset = 0
  ttl = 0
  payloadOffset = 0
  payloadLength = 0

  /** Decodes the plaintext `buf[offset, +length)` of a datagram of kind `kind`. */
  decode(buf: Buffer, offset: number, length: number, kind: PacketKind): HopDecodeResult {
    const min = kind === PacketKind.Relay ? RELAY_MIN_PAYLOAD_BYTES
      : kind === PacketKind.Broadcast ? BROADCAST_MIN_PAYLOAD_BYTES : -1
    if (min < 0) return HopDecodeResult.BadKind
    if (!(offset >= 0 && length >= HOP_HEADER_BYTES + min && offset + length <= buf.length)) {
      return HopDecodeResult.Short
    }
    const ttl = buf[offset + HOP_TTL_OFFSET]
    if (ttl === 0) return HopDecodeResult.ZeroTtl
    this.peerOffset = offset
    this.ttl = ttl
    this.payloadOffset = offset + HOP_HEADER_BYTES
    this.payloadLength = length - HOP_HEADER_BYTES
    return HopDecodeResult.Ok
  }
}
