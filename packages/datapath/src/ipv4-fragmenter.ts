// IPv4 fragmentation of frames too big for a peer's path, when the sender allowed it (DF clear),
// as a router on the path would (RFC 791 §3.2, RFC 815): a datagram or a fragment of one is cut
// into fragments whose data is a multiple of 8 bytes (all but the last), each with a copy of the
// Ethernet header and of the IPv4 header with its own total length, flags, offset and checksum.
//
//  in:   | eth 14 | IPv4 20, off o, MF m, len 20 + L |      data L                |
//  out:  | eth 14 | IPv4 20, off o,       MF 1      | data d (d = k*8 <= mtu - 20) |
//        | eth 14 | IPv4 20, off o + d/8, MF 1      | data d                       |
//        | eth 14 | IPv4 20, off ...,     MF m      | data rest                    |
//
// Not fragmented (0 returned; the caller drops the frame and sends ICMP where that applies):
// anything but IPv4, DF set, a header with options (only options with the copy flag may go into
// later fragments; containers practically never send options, so they are not worth it), a bad
// header checksum or lengths beyond the frame, a packet that already fits, or an MTU that leaves
// no room for 8 bytes of data. Data path: one scratch buffer, allocated once; never throws.

import { ETH_HEADER_BYTES, ETHERTYPE_IPV4, IPV4_HEADER_BYTES, etherType, internetChecksum } from '@weft/wire'

const IPV4_FLAG_DF = 0x4000
const IPV4_FLAG_MF = 0x2000
const IPV4_OFFSET_MASK = 0x1fff
/** Largest IPv4 packet (its total length is a u16). */
const IPV4_MAX_BYTES = 0xffff

/** Receives one fragment, a frame in the fragmenter's scratch buffer borrowed for the call. */
export type FragmentSink = (frame: Buffer, offset: number, length: number) => void

export class Ipv4Fragmenter {
  private readonly scratch = Buffer.alloc(ETH_HEADER_BYTES + IPV4_MAX_BYTES)

  /**
   * Cuts the IPv4 packet in the frame `buf[off, +len)` into fragments of at most `mtu` bytes of
   * IP packet and hands each to `sink`, in order. Returns how many, or 0 (nothing handed over)
   * when the packet may not or need not be fragmented (file comment).
   */
  fragment(buf: Buffer, off: number, len: number, mtu: number, sink: FragmentSink): number {
    if (len < ETH_HEADER_BYTES + IPV4_HEADER_BYTES || etherType(buf, off) !== ETHERTYPE_IPV4) return 0
    const ip = off + ETH_HEADER_BYTES
    if (buf[ip] !== 0x45) return 0 // version 4, a 20-byte header: no options
    const total = buf.readUInt16BE(ip + 2)
    if (total <= IPV4_HEADER_BYTES || total > len - ETH_HEADER_BYTES || total <= mtu) return 0
    const flags = buf.readUInt16BE(ip + 6)
    if ((flags & IPV4_FLAG_DF) !== 0) return 0
    if (internetChecksum(buf, ip, IPV4_HEADER_BYTES) !== 0) return 0
    const step = Math.floor((mtu - IPV4_HEADER_BYTES) / 8) * 8
    if (step < 8) return 0
    const baseOffset = (flags & IPV4_OFFSET_MASK) * 8
    const lastMore = flags & IPV4_FLAG_MF
    const out = this.scratch
    const dataLength = total - IPV4_HEADER_BYTES
    const dataAt = ip + IPV4_HEADER_BYTES
    const outIp = ETH_HEADER_BYTES
    buf.copy(out, 0, off, dataAt) // Ethernet and IPv4 headers, patched per fragment below
    let count = 0
    for (let pos = 0; pos < dataLength; pos += step) {
      const n = Math.min(step, dataLength - pos)
      const more = pos + n < dataLength ? IPV4_FLAG_MF : lastMore
      out.writeUInt16BE(IPV4_HEADER_BYTES + n, outIp + 2)
      out.writeUInt16BE(more | ((baseOffset + pos) / 8), outIp + 6)
      out.writeUInt16BE(0, outIp + 10)
      out.writeUInt16BE(internetChecksum(out, outIp, IPV4_HEADER_BYTES), outIp + 10)
      buf.copy(out, outIp + IPV4_HEADER_BYTES, dataAt + pos, dataAt + pos + n)
      sink(out, 0, ETH_HEADER_BYTES + IPV4_HEADER_BYTES + n)
      count++
    }
    return count
  }
}
