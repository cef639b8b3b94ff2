// The overlay's effective MTU: what is left of the underlay MTU for an IP packet inside a
// container once every layer weft adds is paid for (docs/WIRE.md, "MTU"):
//
//   underlay MTU - IP (20 or 40) - UDP (8) - data header (16) - Poly1305 tag (16)
//                - bundle length prefix (2) - Ethernet header (14) = overlay IP MTU
//
// With a 1500-byte IPv4 underlay: 1500 - 20 - 8 - 16 - 16 - 2 - 14 = 1424.

import { IPV4_HEADER_BYTES, IPV6_HEADER_BYTES, OVERLAY_OVERHEAD_BYTES } from './constants.js'
import { WireError } from './errors.js'

/** The address family of the underlay path between two routers. */
export type UnderlayFamily = 'ipv4' | 'ipv6'

/**
 * The largest IP packet a container can send in one datagram over an underlay path of
 * `underlayMtu` bytes. Throws WireError ERR_BAD_ARGUMENT if nothing would fit.
 */
export function overlayIpMtu(underlayMtu: number, family: UnderlayFamily = 'ipv4'): number {
  const ipHeader = family === 'ipv6' ? IPV6_HEADER_BYTES : IPV4_HEADER_BYTES
  const mtu = underlayMtu - ipHeader - OVERLAY_OVERHEAD_BYTES
  if (!(Number.isInteger(underlayMtu) && mtu > 0)) {
    throw new WireError('ERR_BAD_ARGUMENT',
      `underlay MTU ${underlayMtu} leaves no room for an overlay packet: pass the path's MTU in bytes`)
  }
  return mtu
}
