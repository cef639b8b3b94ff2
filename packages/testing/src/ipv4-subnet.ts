import { LabError } from './errors.js'

/** A parsed IPv4 subnet `a.b.c.d/len`. */
export interface Ipv4Subnet {
  /** Network address as an unsigned 32-bit integer. */
  readonly network: number
  readonly prefixLength: number
}

function parseAddress (text: string): number | undefined {
  const parts = text.split('.')
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0)
}

/** Parses `a.b.c.d/len` (host bits must be zero); rejects anything else with ERR_LAB_INIT. */
export function parseIpv4Subnet (text: string): Ipv4Subnet {
  const m = /^([0-9.]+)\/(\d{1,2})$/.exec(text)
  const network = m === null ? undefined : parseAddress(m[1])
  const prefixLength = m === null ? NaN : Number(m[2])
  if (network === undefined || !(prefixLength >= 8 && prefixLength <= 30)) {
    throw new LabError('ERR_LAB_INIT', `subnet "${text}" is not an IPv4 CIDR like 198.18.0.0/24 (prefix length 8..30)`)
  }
  const hostBits = 2 ** (32 - prefixLength)
  if (network % hostBits !== 0) {
    throw new LabError('ERR_LAB_INIT', `subnet "${text}" has host bits set; use its network address`)
  }
  return { network, prefixLength }
}

/** Number of usable host addresses (excluding network and broadcast). */
export function subnetCapacity (s: Ipv4Subnet): number {
  return 2 ** (32 - s.prefixLength) - 2
}

/** The address `offset` above the network address, dotted. */
export function subnetAddress (s: Ipv4Subnet, offset: number): string {
  if (offset < 1 || offset > subnetCapacity(s)) {
    throw new LabError('ERR_LAB_INIT', `host offset ${offset} does not fit in a /${s.prefixLength}`)
  }
  const n = s.network + offset
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.')
}
