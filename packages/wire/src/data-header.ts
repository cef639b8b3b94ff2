// The header of every data-plane UDP datagram, modelled on WireGuard's transport header.
//
//  0       1       2               4                               8
//  +-------+-------+---------------+-------------------------------+
//  |version| kind  |  reserved (0) | receiver session index (u32)  |
//  +-------+-------+---------------+-------------------------------+
//  |              counter (u64, the AEAD nonce)                    |
//  +---------------------------------------------------------------+
//  16: ciphertext (a frame bundle for Data) ...  | 16-byte Poly1305 tag
//
// Relay and Broadcast datagrams carry a 33-byte hop header (peer id, ttl) in front of their
// payload inside the ciphertext; its codec is `hop-header.ts` in @weft/datapath (docs/WIRE.md §1,
// "Relay and Broadcast").
//
// All integers little-endian. The whole 16-byte header is the AEAD's associated data, so a
// tampered header fails authentication. The receiver index selects the receiving session (chosen
// by the receiver during the handshake); the counter is the 64-bit nonce and feeds the replay
// window. Data path: nothing here allocates (except the counter's bigint) or throws per packet.

import { AEAD_TAG_BYTES, DATA_HEADER_BYTES, MIN_DATAGRAM_BYTES, WIRE_VERSION } from './constants.js'

/** What a datagram carries. Every kind is encrypted the same way. */
export enum PacketKind {
  /** A frame bundle: Ethernet frames for the overlay. */
  Data = 1,
  /** A liveness probe on an established session (control path). */
  Heartbeat = 2,
  /** The answer to a Heartbeat. */
  HeartbeatAck = 3,
  /** A path/MTU probe (control path). */
  Probe = 4,
  /** The answer to a Probe. */
  ProbeAck = 5,
  /**
   * A datagram for a peer that is not a neighbour, sealed hop by hop: the plaintext is the
   * destination's peer id, a ttl and a complete data datagram sealed end to end for it.
   */
  Relay = 6,
  /**
   * A frame bundle flooded along the source's broadcast spanning tree, sealed hop by hop: the
   * plaintext is the source's peer id, a ttl and the bundle.
   */
  Broadcast = 7,
}

const MIN_KIND = PacketKind.Data
const MAX_KIND = PacketKind.Broadcast

/** Outcome of `DataHeaderView.decode`; anything but `Ok` is a counted drop by that reason. */
export enum DecodeResult {
  Ok = 0,
  /** Fewer than header + tag bytes (or the length runs past the buffer). */
  Short = 1,
  /** A version byte other than WIRE_VERSION. */
  BadVersion = 2,
  /** A kind byte that is not a PacketKind. */
  BadKind = 3,
  /** The reserved bytes are not zero. */
  BadReserved = 4,
}

/**
 * Writes a 16-byte header at `buf[offset]`. The caller guarantees the room (DATA_HEADER_BYTES),
 * a u32 `receiverIndex` and a u64 `counter`; Node's own range checks throw a RangeError on a
 * programming error, never on anything a peer sent.
 */
export function writeDataHeader(
  buf: Buffer,
  offset: number,
  kind: PacketKind,
  receiverIndex: number,
  counter: bigint,
): void {
  buf[offset] = WIRE_VERSION
  buf[offset + 1] = kind
  buf[offset + 2] = 0
  buf[offset + 3] = 0
  buf.writeUInt32LE(receiverIndex, offset + 4)
  buf.writeBigUInt64LE(counter, offset + 8)
}

/**
 * A reusable decoder: one instance per receive loop, `decode` fills its fields in place.
 * After a result other than `Ok`, only `version` and `kind` are meaningful (for logs), and only
 * once `Short` was ruled out.
 */
export class DataHeaderView {
  version = 0
  kind: PacketKind = PacketKind.Data
  receiverIndex = 0
  counter = 0n

  /**
   * Decodes the header of the datagram `buf[offset .. offset + length)`, checking that it is
   * long enough to hold a tag after the header.
   */
  decode(buf: Buffer, offset: number, length: number): DecodeResult {
    if (!(offset >= 0 && length >= MIN_DATAGRAM_BYTES && offset + length <= buf.length)) {
      return DecodeResult.Short
    }
    const version = buf[offset]
    const kind = buf[offset + 1]
    this.version = version
    this.kind = kind
    if (version !== WIRE_VERSION) return DecodeResult.BadVersion
    if (kind < MIN_KIND || kind > MAX_KIND) return DecodeResult.BadKind
    if (buf[offset + 2] !== 0 || buf[offset + 3] !== 0) return DecodeResult.BadReserved
    this.receiverIndex = buf.readUInt32LE(offset + 4)
    this.counter = buf.readBigUInt64LE(offset + 8)
    return DecodeResult.Ok
  }
}

/** Bytes of plaintext (what lies between header and tag) in a datagram of `datagramLength` bytes. */
export function plaintextLength(datagramLength: number): number {
  return datagramLength - DATA_HEADER_BYTES - AEAD_TAG_BYTES
}
