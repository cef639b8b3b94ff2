// Strict textual IP addresses, as peers announce them in `hello.addresses`: dotted-quad IPv4
// without leading zeros, and RFC 4291 IPv6 (with `::` and a trailing dotted quad), no zone id,
// no brackets, no prefix length. Pure string checks, so the result is the same on every Node.

/** The longest IPv6 text form: `ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255`. */
const MAX_IP_LITERAL_CHARS = 45

const IPV4_OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])'
const IPV4_LITERAL = new RegExp(`^${IPV4_OCTET}(?:\\.${IPV4_OCTET}){3}$`)
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/

/** Whether `s` is an IPv4 address in dotted-quad form (`10.32.0.1`). */
export function isIpv4Literal(s: string): boolean {
  return s.length <= 15 && IPV4_LITERAL.test(s)
}

/** Whether `s` is an IPv6 address in RFC 4291 text form (`fd00::1`, `::ffff:10.0.0.1`). */
export function isIpv6Literal(s: string): boolean {
  if (s.length < 2 || s.length > MAX_IP_LITERAL_CHARS) return false
  const halves = s.split('::')
  if (halves.length > 2) return false
  const compressed = halves.length === 2
  const head = halves[0] === '' ? [] : halves[0].split(':')
  const tail = compressed && halves[1] !== '' ? halves[1].split(':') : []
  const groups = head.concat(tail)
  // A dotted quad may only end the address, never stand before a trailing `::`.
  const quadAllowed = !compressed || tail.length > 0
  let sixteenBitGroups = 0
  for (let i = 0; i < groups.length; i++) {
    const group = groups[i]
    if (HEX_GROUP.test(group)) {
      sixteenBitGroups += 1
    } else if (i === groups.length - 1 && quadAllowed && isIpv4Literal(group)) {
      sixteenBitGroups += 2
    } else {
      return false
    }
  }
  // `::` stands for at least one group of zeros.
  return compressed ? sixteenBitGroups <= 7 : sixteenBitGroups === 8
}

/** Whether `s` is an IPv4 or IPv6 address literal (see the file comment for the accepted forms). */
export function isIpLiteral(s: string): boolean {
  return isIpv4Literal(s) || isIpv6Literal(s)
}

const PORT = /^[1-9][0-9]{0,4}$/

/** Whether `s` is an endpoint `ipv4:port` or `[ipv6]:port`, port 1-65535 without leading zeros. */
export function isEndpointLiteral(s: string): boolean {
  const colon = s.lastIndexOf(':')
  if (colon < 0) return false
  const port = s.slice(colon + 1)
  if (!PORT.test(port) || Number(port) > 0xffff) return false
  const host = s.slice(0, colon)
  if (host.startsWith('[') && host.endsWith(']')) return isIpv6Literal(host.slice(1, -1))
  return isIpv4Literal(host)
}
