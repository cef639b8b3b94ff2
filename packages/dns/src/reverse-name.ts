// Reverse lookup names: `5.0.32.10.in-addr.arpa` for 10.32.0.5 (RFC 1035 section 3.5) and 32
// nibbles under `ip6.arpa` for an IPv6 address (RFC 3596 section 2.5), least significant first.
// Names that do not spell out one whole address (a zone cut like `32.10.in-addr.arpa`) are not
// addresses: they go upstream like any other name.

const IN_ADDR = '.in-addr.arpa'
const IP6 = '.ip6.arpa'
const OCTET = /^(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$/
const NIBBLE = /^[0-9a-f]$/

/** Whether the lowercase `name` is under in-addr.arpa or ip6.arpa. */
export function isReverseName(name: string): boolean {
  return name.endsWith(IN_ADDR) || name.endsWith(IP6)
}

/** The address a lowercase reverse name (no trailing dot) spells out, or null. */
export function addressOfReverseName(name: string): string | null {
  if (name.endsWith(IN_ADDR)) {
    const labels = name.slice(0, -IN_ADDR.length).split('.')
    if (labels.length !== 4 || !labels.every((l) => OCTET.test(l))) return null
    return labels.reverse().join('.')
  }
  if (name.endsWith(IP6)) {
    const labels = name.slice(0, -IP6.length).split('.')
    if (labels.length !== 32 || !labels.every((l) => NIBBLE.test(l))) return null
    const hex = labels.reverse().join('')
    const groups: string[] = []
    for (let i = 0; i < 32; i += 4) groups.push(hex.slice(i, i + 4))
    // compressed, lowercase: one spelling (the names accept any, a fake may not)
    return new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1)
  }
  return null
}

/** The reverse name of an IPv4 or IPv6 address given as bytes (4 or 16), without a trailing dot. */
export function reverseNameOf(bytes: Uint8Array): string {
  if (bytes.length === 4) return `${bytes[3]}.${bytes[2]}.${bytes[1]}.${bytes[0]}${IN_ADDR}`
  const nibbles: string[] = []
  for (let i = bytes.length - 1; i >= 0; i--) nibbles.push((bytes[i] & 0xf).toString(16), (bytes[i] >> 4).toString(16))
  return `${nibbles.join('.')}${IP6}`
}
