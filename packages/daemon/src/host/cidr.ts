/**
 * Strict parsing of interface addresses with prefix (`10.32.1.1/12`, `fd00::1/64`), the form
 * every host operation takes. Host bits may be set (it is an interface address, not a route).
 *
 * IPv4: four decimal octets without leading zeros, prefix 0-32.
 * IPv6: RFC 4291 text form (one `::`, an optional dotted IPv4 tail), no zone id, prefix 0-128;
 * the address comes back in RFC 5952 form (lowercase, longest zero run compressed), so
 * `formatCidr(parseCidr(s))` is canonical and parsing it again gives the same value.
 */
import { HostError } from './host-error.js'

export interface Cidr {
  /** The address, canonical text form. */
  address: string
  /** Prefix length in bits. */
  prefix: number
  family: 4 | 6
}

const CIDR_MAX_CHARS = 64
const DECIMAL_RE = /^(0|[1-9][0-9]{0,2})$/
const HEX_GROUP_RE = /^[0-9A-Fa-f]{1,4}$/

function badCidr (text: unknown): HostError {
  let shown = typeof text === 'string' ? JSON.stringify(text) : String(text)
  if (shown.length > 80) shown = `${shown.slice(0, 77)}...`
  return new HostError('ERR_BAD_CIDR', `${shown} is not an address/prefix like 10.32.1.1/12 or fd00::1/64: give the address and its prefix length`)
}

function parseIpv4 (text: string): number[] | undefined {
  const parts = text.split('.')
  if (parts.length !== 4) return undefined
  const bytes: number[] = []
  for (const part of parts) {
    if (!DECIMAL_RE.test(part)) return undefined
    const n = Number(part)
    if (n > 255) return undefined
    bytes.push(n)
  }
  return bytes
}

/** The 8 16-bit groups of an IPv6 address, or undefined. */
function parseIpv6 (text: string): number[] | undefined {
  const double = text.indexOf('::')
  if (double !== text.lastIndexOf('::')) return undefined
  const split = (s: string): string[] => (s === '' ? [] : s.split(':'))
  const head = double < 0 ? split(text) : split(text.slice(0, double))
  const tail = double < 0 ? [] : split(text.slice(double + 2))
  const groups = (list: string[], mayEndDotted: boolean): number[] | undefined => {
    const out: number[] = []
    for (let i = 0; i < list.length; i++) {
      const piece = list[i]
      if (HEX_GROUP_RE.test(piece)) {
        out.push(parseInt(piece, 16))
      } else if (mayEndDotted && i === list.length - 1) {
        const v4 = parseIpv4(piece)
        if (v4 === undefined) return undefined
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3])
      } else {
        return undefined
      }
    }
    return out
  }
  const front = groups(head, double < 0)
  const back = groups(tail, true)
  if (front === undefined || back === undefined) return undefined
  const count = front.length + back.length
  if (double < 0) return count === 8 ? front : undefined
  if (count > 7) return undefined
  return [...front, ...new Array<number>(8 - count).fill(0), ...back]
}

function formatIpv6 (groups: number[]): string {
  let bestStart = -1
  let bestLen = 0
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue }
    let j = i
    while (j < 8 && groups[j] === 0) j++
    if (j - i > bestLen) { bestStart = i; bestLen = j - i }
    i = j
  }
  const hex = groups.map((g) => g.toString(16))
  if (bestLen < 2) return hex.join(':')
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`
}

/** Parses `address/prefix`; throws HostError `ERR_BAD_CIDR` naming the text otherwise. */
export function parseCidr (s: string): Cidr {
  if (typeof s !== 'string' || s.length > CIDR_MAX_CHARS) throw badCidr(s)
  const slash = s.indexOf('/')
  if (slash < 0 || slash !== s.lastIndexOf('/')) throw badCidr(s)
  const addressText = s.slice(0, slash)
  const prefixText = s.slice(slash + 1)
  if (!DECIMAL_RE.test(prefixText)) throw badCidr(s)
  const prefix = Number(prefixText)
  if (addressText.includes(':')) {
    const groups = parseIpv6(addressText)
    if (groups === undefined || prefix > 128) throw badCidr(s)
    return { address: formatIpv6(groups), prefix, family: 6 }
  }
  const bytes = parseIpv4(addressText)
  if (bytes === undefined || prefix > 32) throw badCidr(s)
  return { address: bytes.join('.'), prefix, family: 4 }
}

/** `address/prefix` text of a parsed CIDR. */
export function formatCidr (c: Cidr): string {
  return `${c.address}/${c.prefix}`
}

/** The network a CIDR lies in (host bits cleared), e.g. `10.32.1.1/12` -> `10.32.0.0/12`. */
export function cidrNetwork (c: Cidr): Cidr {
  if (c.family === 4) {
    const bytes = c.address.split('.').map(Number)
    const masked = bytes.map((b, i) => b & maskByte(c.prefix, i))
    return { address: masked.join('.'), prefix: c.prefix, family: 4 }
  }
  const groups = parseIpv6(c.address) as number[]
  const masked = groups.map((g, i) => g & ((maskByte(c.prefix, 2 * i) << 8) | maskByte(c.prefix, 2 * i + 1)))
  return { address: formatIpv6(masked), prefix: c.prefix, family: 6 }
}

function maskByte (prefix: number, index: number): number {
  const bits = Math.max(0, Math.min(8, prefix - 8 * index))
  return (0xff << (8 - bits)) & 0xff
}
