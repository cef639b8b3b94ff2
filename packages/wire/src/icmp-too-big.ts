// Synthesized "too big" replies, written back into the TAP so a sender learns the overlay's path
// MTU without a raw socket. The reply pretends to come from the original destination: MACs and
// IP addresses are swapped, so the sender's kernel accepts it as if a router on the way sent it.
//
// IPv4 reply (RFC 792 + RFC 1191), at most 14 + 576 bytes:
//   0      6      12   14                      34                     42
//   +------+------+----+-----------------------+----------------------+--------------------+
//   | dst  | src  |0800| IPv4, 20 bytes:       | ICMP: type 3 code 4, | original IP header |
//   | =old | =old |    | TOS 0xc0, TTL 64,     | checksum, unused(2), | and payload, up to |
//   | src  | dst  |    | proto 1, src=old dst, | next-hop MTU (u16)   | 548 bytes          |
//   |      |      |    | dst=old src, checksum |                      |                    |
//   +------+------+----+-----------------------+----------------------+--------------------+
//
// IPv6 reply (RFC 4443 3.2), at most 14 + 1280 bytes:
//   0      6      12   14                      54                     62
//   +------+------+----+-----------------------+----------------------+--------------------+
//   | dst  | src  |86dd| IPv6, 40 bytes: next  | ICMPv6: type 2 code  | original packet,   |
//   | =old | =old |    | header 58, hop limit  | 0, checksum (pseudo- | up to 1232 bytes   |
//   | src  | dst  |    | 64, src=old dst,      | header), MTU (u32)   |                    |
//   |      |      |    | dst=old src           |                      |                    |
//   +------+------+----+-----------------------+----------------------+--------------------+
//
// No reply (0) when: the frame is not IPv4/IPv6 or is malformed (short, bad IPv4 header checksum,
// lengths beyond the frame, broken IPv6 extension chain); it is not larger than `mtu`; IPv4
// without DF or a non-initial fragment; it is itself an ICMP error; either MAC is a group
// address; either IP address is unspecified, loopback, multicast or broadcast (the reply could
// not take the destination's address as its source); `mtu` is below the family's minimum
// (68 / 1280); or `out` lacks room.
//
// Data path: allocates nothing and never throws. `out` must not overlap the frame.

import {
  ETH_HEADER_BYTES, ETH_SOURCE_OFFSET, ETHERTYPE_IPV4, ETHERTYPE_IPV6, ICMP_ERROR_HEADER_BYTES, ICMP_ERROR_TTL,
  ICMPV4_ERROR_MAX_BYTES, ICMPV6_ERROR_MAX_BYTES, IPV4_HEADER_BYTES, IPV6_HEADER_BYTES,
  MIN_IPV4_MTU_BYTES, MIN_IPV6_MTU_BYTES,
} from './constants.js'
import { etherType, isMulticastMac } from './ethernet.js'
import { finishChecksum, onesComplementSum } from './internet-checksum.js'

const IP_PROTO_ICMP = 1
const IP_PROTO_ICMPV6 = 58
const IPV4_FLAG_DF = 0x4000
const IPV4_FRAGMENT_OFFSET_MASK = 0x1fff
const ICMPV4_DEST_UNREACHABLE = 3
const ICMPV4_CODE_FRAG_NEEDED = 4
const ICMPV6_PACKET_TOO_BIG = 2
/** ICMPv6 types below 128 are errors (RFC 4443 2.1). */
const ICMPV6_FIRST_INFORMATIONAL = 128
/** TOS of ICMP errors, as Linux sets it (IPTOS_PREC_INTERNETCONTROL). */
const ICMP_ERROR_TOS = 0xc0
/** IPv6 extension headers walked before giving up on finding the upper layer. */
const MAX_IPV6_EXTENSION_HEADERS = 8
const IPV6_HOP_BY_HOP = 0
const IPV6_ROUTING = 43
const IPV6_FRAGMENT = 44
const IPV6_AUTH = 51
const IPV6_DEST_OPTIONS = 60

function u16(buf: Buffer, at: number): number {
  return (buf[at] << 8) | buf[at + 1]
}

function putU16(buf: Buffer, at: number, value: number): void {
  buf[at] = value >>> 8
  buf[at + 1] = value & 0xff
}

/** ICMPv4 error types (RFC 1122 3.2.2): unreachable, quench, redirect, time exceeded, parameter. */
function isIcmpV4Error(type: number): boolean {
  return type === 3 || type === 4 || type === 5 || type === 11 || type === 12
}

/** A unicast IPv4 address: not 0/8, 127/8, 224/4 (multicast) or 240/4 (incl. broadcast). */
function isUnicastV4(buf: Buffer, at: number): boolean {
  const first = buf[at]
  return first !== 0 && first !== 127 && first < 224
}

/** A unicast IPv6 address: not ::, ::1 or ff00::/8 (multicast). */
function isUnicastV6(buf: Buffer, at: number): boolean {
  if (buf[at] === 0xff) return false
  for (let i = 0; i < 15; i++) if (buf[at + i] !== 0) return true
  return buf[at + 15] > 1
}

/** Swaps the MACs of the frame at `frameOffset` into the reply's header and sets its EtherType. */
function writeReplyEthernet(frame: Buffer, frameOffset: number, out: Buffer, outOffset: number, type: number): void {
  frame.copy(out, outOffset, frameOffset + ETH_SOURCE_OFFSET, frameOffset + ETH_SOURCE_OFFSET + 6)
  frame.copy(out, outOffset + ETH_SOURCE_OFFSET, frameOffset, frameOffset + 6)
  putU16(out, outOffset + 12, type)
}

/**
 * Writes into `out[outOffset]` the Ethernet frame that tells the sender of `frame` its packet
 * exceeds `mtu` (the largest IP packet the overlay carries). Returns the reply's length, or 0
 * when no reply applies (see the file comment). At most TOO_BIG_REPLY_MAX_BYTES are written.
 */
export function writeTooBig(frame: Buffer, frameOffset: number, frameLength: number, mtu: number,
  out: Buffer, outOffset: number): number {
  if (!(Number.isInteger(frameOffset) && Number.isInteger(frameLength) && Number.isInteger(outOffset) &&
      Number.isInteger(mtu))) return 0
  if (!(frameOffset >= 0 && frameLength >= ETH_HEADER_BYTES && frameOffset + frameLength <= frame.length)) return 0
  if (!(mtu <= 0xffff && outOffset >= 0)) return 0
  if (isMulticastMac(frame, frameOffset) || isMulticastMac(frame, frameOffset + ETH_SOURCE_OFFSET)) return 0
  const type = etherType(frame, frameOffset)
  if (type === ETHERTYPE_IPV4) return tooBigV4(frame, frameOffset, frameLength, mtu, out, outOffset)
  if (type === ETHERTYPE_IPV6) return tooBigV6(frame, frameOffset, frameLength, mtu, out, outOffset)
  return 0
}

function tooBigV4(frame: Buffer, frameOffset: number, frameLength: number, mtu: number,
  out: Buffer, outOffset: number): number {
  // 1. Validate the original IPv4 header.
  const ip = frameOffset + ETH_HEADER_BYTES
  const available = frameLength - ETH_HEADER_BYTES
  if (available < IPV4_HEADER_BYTES || frame[ip] >> 4 !== 4) return 0
  const headerLength = (frame[ip] & 0x0f) * 4
  if (headerLength < IPV4_HEADER_BYTES || headerLength > available) return 0
  const totalLength = u16(frame, ip + 2)
  if (totalLength < headerLength || totalLength > available) return 0
  if (finishChecksum(onesComplementSum(frame, ip, ip + headerLength)) !== 0) return 0
  // 2. Decide whether a reply applies.
  if (totalLength <= mtu || mtu < MIN_IPV4_MTU_BYTES) return 0
  const flags = u16(frame, ip + 6)
  if ((flags & IPV4_FLAG_DF) === 0 || (flags & IPV4_FRAGMENT_OFFSET_MASK) !== 0) return 0
  if (!isUnicastV4(frame, ip + 12) || !isUnicastV4(frame, ip + 16)) return 0
  if (frame[ip + 9] === IP_PROTO_ICMP) {
    if (totalLength <= headerLength || isIcmpV4Error(frame[ip + headerLength])) return 0
  }
  // 3. Size the reply: quote as much of the original as fits in 576 bytes.
  const quote = Math.min(totalLength, ICMPV4_ERROR_MAX_BYTES - IPV4_HEADER_BYTES - ICMP_ERROR_HEADER_BYTES)
  const replyIpLength = IPV4_HEADER_BYTES + ICMP_ERROR_HEADER_BYTES + quote
  const replyLength = ETH_HEADER_BYTES + replyIpLength
  if (outOffset + replyLength > out.length) return 0
  // 4. Ethernet and IPv4 headers, addresses swapped.
  writeReplyEthernet(frame, frameOffset, out, outOffset, ETHERTYPE_IPV4)
  const rip = outOffset + ETH_HEADER_BYTES
  out[rip] = 0x45
  out[rip + 1] = ICMP_ERROR_TOS
  putU16(out, rip + 2, replyIpLength)
  putU16(out, rip + 4, 0) // identification
  putU16(out, rip + 6, 0) // flags, fragment offset
  out[rip + 8] = ICMP_ERROR_TTL
  out[rip + 9] = IP_PROTO_ICMP
  putU16(out, rip + 10, 0)
  frame.copy(out, rip + 12, ip + 16, ip + 20)
  frame.copy(out, rip + 16, ip + 12, ip + 16)
  putU16(out, rip + 10, finishChecksum(onesComplementSum(out, rip, rip + IPV4_HEADER_BYTES)))
  // 5. ICMP "fragmentation needed" with the next-hop MTU, then the quote and its checksum.
  const icmp = rip + IPV4_HEADER_BYTES
  out[icmp] = ICMPV4_DEST_UNREACHABLE
  out[icmp + 1] = ICMPV4_CODE_FRAG_NEEDED
  putU16(out, icmp + 2, 0)
  putU16(out, icmp + 4, 0)
  putU16(out, icmp + 6, mtu)
  frame.copy(out, icmp + ICMP_ERROR_HEADER_BYTES, ip, ip + quote)
  const icmpLength = ICMP_ERROR_HEADER_BYTES + quote
  putU16(out, icmp + 2, finishChecksum(onesComplementSum(out, icmp, icmp + icmpLength)))
  return replyLength
}

/**
 * Whether the IPv6 packet `frame[ip .. end)` is an ICMPv6 error, walking its extension headers:
 * 1 yes, 0 no, -1 malformed (a header runs past the packet, or too many headers).
 */
function icmpV6ErrorState(frame: Buffer, ip: number, end: number): number {
  let next = frame[ip + 6]
  let at = ip + IPV6_HEADER_BYTES
  for (let i = 0; i <= MAX_IPV6_EXTENSION_HEADERS; i++) {
    switch (next) {
      case IPV6_HOP_BY_HOP:
      case IPV6_ROUTING:
      case IPV6_DEST_OPTIONS:
      case IPV6_AUTH:
      case IPV6_FRAGMENT: {
        if (end - at < 8) return -1
        // A non-initial fragment does not start with the upper-layer header: not an error message.
        if (next === IPV6_FRAGMENT && (u16(frame, at + 2) & 0xfff8) !== 0) return 0
        const length = next === IPV6_FRAGMENT ? 8 : next === IPV6_AUTH ? (frame[at + 1] + 2) * 4 : (frame[at + 1] + 1) * 8
        next = frame[at]
        at += length
        if (at > end) return -1
        break
      }
      case IP_PROTO_ICMPV6:
        if (end - at < 1) return -1
        return frame[at] < ICMPV6_FIRST_INFORMATIONAL ? 1 : 0
      default:
        return 0
    }
  }
  return -1
}

function tooBigV6(frame: Buffer, frameOffset: number, frameLength: number, mtu: number,
  out: Buffer, outOffset: number): number {
  // 1. Validate the original IPv6 header.
  const ip = frameOffset + ETH_HEADER_BYTES
  const available = frameLength - ETH_HEADER_BYTES
  if (available < IPV6_HEADER_BYTES || frame[ip] >> 4 !== 6) return 0
  const totalLength = IPV6_HEADER_BYTES + u16(frame, ip + 4)
  if (totalLength > available) return 0
  // 2. Decide whether a reply applies.
  if (totalLength <= mtu || mtu < MIN_IPV6_MTU_BYTES) return 0
  if (!isUnicastV6(frame, ip + 8) || !isUnicastV6(frame, ip + 24)) return 0
  if (icmpV6ErrorState(frame, ip, ip + totalLength) !== 0) return 0
  // 3. Size the reply: quote as much of the original as fits in 1280 bytes.
  const quote = Math.min(totalLength, ICMPV6_ERROR_MAX_BYTES - IPV6_HEADER_BYTES - ICMP_ERROR_HEADER_BYTES)
  const icmpLength = ICMP_ERROR_HEADER_BYTES + quote
  const replyLength = ETH_HEADER_BYTES + IPV6_HEADER_BYTES + icmpLength
  if (outOffset + replyLength > out.length) return 0
  // 4. Ethernet and IPv6 headers, addresses swapped.
  writeReplyEthernet(frame, frameOffset, out, outOffset, ETHERTYPE_IPV6)
  const rip = outOffset + ETH_HEADER_BYTES
  out[rip] = 0x60
  out[rip + 1] = 0
  out[rip + 2] = 0
  out[rip + 3] = 0
  putU16(out, rip + 4, icmpLength)
  out[rip + 6] = IP_PROTO_ICMPV6
  out[rip + 7] = ICMP_ERROR_TTL
  frame.copy(out, rip + 8, ip + 24, ip + 40)
  frame.copy(out, rip + 24, ip + 8, ip + 24)
  // 5. ICMPv6 "packet too big" with the MTU, the quote, and the checksum over the pseudo-header
  //    (source, destination, upper-layer length, next header).
  const icmp = rip + IPV6_HEADER_BYTES
  out[icmp] = ICMPV6_PACKET_TOO_BIG
  out[icmp + 1] = 0
  putU16(out, icmp + 2, 0)
  out.writeUInt32BE(mtu, icmp + 4)
  frame.copy(out, icmp + ICMP_ERROR_HEADER_BYTES, ip, ip + quote)
  let sum = onesComplementSum(out, rip + 8, rip + 40)
  sum += icmpLength + IP_PROTO_ICMPV6
  sum = onesComplementSum(out, icmp, icmp + icmpLength, sum)
  putU16(out, icmp + 2, finishChecksum(sum))
  return replyLength
}
