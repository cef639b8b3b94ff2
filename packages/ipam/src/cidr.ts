// Address blocks. Everything inside the package works on offsets: an address is its distance from
// the start of the allocation range, a safe integer. Only this file knows the address family, so
// IPv6 can come later by adding a family here (a 128-bit base kept as a bigint, offsets still
// numbers, ranges of at most 2^52 addresses) without touching the ring.
//
// Today: IPv4 only, dotted-quad without leading zeros (as `@weft/wire` accepts).

import { isIpv4Literal } from '@weft/wire'
import { MAX_RANGE_PREFIX, MIN_RANGE_PREFIX } from './constants.js'
import { IpamError } from './errors.js'

/** An aligned block of addresses: `base/prefixLength`, host bits zero. */
export interface Cidr {
  readonly family: 4
  /** First address, as an unsigned 32-bit number. */
  readonly base: number
  readonly prefixLength: number
  /** Number of addresses: 2^(32 - prefixLength). */
  readonly size: number
}

/** Parses `a.b.c.d` into an unsigned 32-bit number; throws `ERR_BAD_ADDRESS`. */
export function parseAddress(text: string): number {
  if (typeof text !== 'string' || !isIpv4Literal(text)) {
    throw new IpamError('ERR_BAD_ADDRESS', `${JSON.stringify(String(text)).slice(0, 50)} is not an IPv4 address (a.b.c.d); IPv6 is not supported yet`)
  }
  return text.split('.').reduce((n, octet) => n * 256 + Number(octet), 0)
}

/** Formats an unsigned 32-bit number as `a.b.c.d`. */
export function formatAddress(n: number): string {
  return `${Math.floor(n / 2 ** 24) % 256}.${Math.floor(n / 2 ** 16) % 256}.${Math.floor(n / 2 ** 8) % 256}.${n % 256}`
}

/**
 * Parses `a.b.c.d/len` (prefix `minPrefix`..30) with host bits zero; throws `ERR_BAD_CIDR`
 * naming what is wrong.
 */
export function parseCidr(text: string, minPrefix: number = MIN_RANGE_PREFIX): Cidr {
  const bad = (what: string): IpamError =>
    new IpamError('ERR_BAD_CIDR', `${JSON.stringify(String(text)).slice(0, 50)} is not a usable CIDR: ${what}`)
  if (typeof text !== 'string') throw bad('not a string')
  if (text.includes(':')) throw bad('IPv6 is not supported yet; give an IPv4 a.b.c.d/len')
  const slash = text.indexOf('/')
  if (slash < 0) throw bad('no /prefix-length')
  const prefixText = text.slice(slash + 1)
  if (!/^(0|[1-9][0-9]?)$/.test(prefixText)) throw bad('the prefix length is not a number')
  const prefixLength = Number(prefixText)
  if (prefixLength < minPrefix || prefixLength > MAX_RANGE_PREFIX) {
    throw bad(`the prefix length must be ${minPrefix} to ${MAX_RANGE_PREFIX}`)
  }
  let base: number
  try {
    base = parseAddress(text.slice(0, slash))
  } catch {
    throw bad('the address is not IPv4 (a.b.c.d); IPv6 is not supported yet')
  }
  const size = 2 ** (32 - prefixLength)
  if (base % size !== 0) throw bad(`host bits are set (did you mean ${formatAddress(base - (base % size))}/${prefixLength}?)`)
  return Object.freeze({ family: 4, base, prefixLength, size })
}

/** `a.b.c.d/len`. */
export function formatCidr(c: Cidr): string {
  return `${formatAddress(c.base)}/${c.prefixLength}`
}

/** Whether `inner` lies entirely within `outer`. */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  return inner.base >= outer.base && inner.base + inner.size <= outer.base + outer.size
}

/** Whether two blocks are the same. */
export function cidrEquals(a: Cidr, b: Cidr): boolean {
  return a.base === b.base && a.prefixLength === b.prefixLength
}

/**
 * Parses a subnet given to `allocate`: `net:a.b.c.d/len` or `a.b.c.d/len`, which must lie within
 * `range`; throws `ERR_BAD_CIDR` or `ERR_OUT_OF_RANGE`.
 */
export function parseSubnet(text: string, range: Cidr): Cidr {
  const cidr = parseCidr(typeof text === 'string' && text.startsWith('net:') ? text.slice(4) : text)
  if (!cidrContains(range, cidr)) {
    throw new IpamError('ERR_OUT_OF_RANGE', `subnet ${formatCidr(cidr)} is not within the allocation range ${formatCidr(range)}; pick a subnet inside it`)
  }
  return cidr
}
