// IP addresses in one canonical text form, so that a name registered as `2001:DB8:0::1` is found
// by a reverse lookup of `2001:db8::1`, and in bytes for the wire (4 or 16, canonical by
// construction). The text form: IPv4 as a dotted quad; IPv6 as RFC 5952 says (lowercase, no
// leading zeros, the longest run of two or more zero groups compressed, the first on a tie, and
// IPv4-mapped addresses `::ffff:a.b.c.d` with a dotted tail).

import { isIpv4Literal, isIpv6Literal } from '@weft/wire'

/** The 4 or 16 bytes of an IP literal (forms as `@weft/wire`'s `isIpLiteral`), or null. */
export function parseIp(s: string): Uint8Array | null {
  if (typeof s !== 'string') return null
  if (isIpv4Literal(s)) return Uint8Array.from(s.split('.'), Number)
  if (!isIpv6Literal(s)) return null
  const out = new Uint8Array(16)
  let text = s
  const lastColon = s.lastIndexOf(':')
  const dotted = s.includes('.', lastColon)
  if (dotted) {
    // a dotted-quad tail: the last 4 bytes; it stands for two groups of the text
    out.set(Uint8Array.from(s.slice(lastColon + 1).split('.'), Number), 12)
    text = `${s.slice(0, lastColon + 1)}0:0`
  }
  const halves = text.split('::')
  const head = halves[0] === '' ? [] : halves[0].split(':')
  const tail = halves.length === 2 && halves[1] !== '' ? halves[1].split(':') : []
  const groups = [...head, ...new Array<string>(8 - head.length - tail.length).fill('0'), ...tail]
  for (let i = 0; i < (dotted ? 6 : 8); i++) {
    const g = parseInt(groups[i], 16)
    out[2 * i] = g >> 8
    out[2 * i + 1] = g & 0xff
  }
  return out
}

/** The canonical text of 4 or 16 address bytes. */
export function formatIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`
  if (bytes.length !== 16) throw new RangeError(`an IP address is 4 or 16 bytes, got ${bytes.length}`)
  let mapped = bytes[10] === 0xff && bytes[11] === 0xff
  for (let i = 0; i < 10 && mapped; i++) mapped = bytes[i] === 0
  if (mapped) return `::ffff:${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`
  const groups: number[] = []
  for (let i = 0; i < 8; i++) groups.push((bytes[2 * i] << 8) | bytes[2 * i + 1])
  // the longest run of at least two zero groups, the first one on a tie
  let bestStart = -1
  let bestLength = 1
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && groups[j] === 0) j++
    if (j - i > bestLength) {
      bestStart = i
      bestLength = j - i
    }
    i = j
  }
  const hex = groups.map((g) => g.toString(16))
  if (bestStart < 0) return hex.join(':')
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`
}

/** The canonical text of an IP literal, or null if `s` is not one. */
export function canonicalAddress(s: string): string | null {
  const bytes = parseIp(s)
  return bytes === null ? null : formatIp(bytes)
}
