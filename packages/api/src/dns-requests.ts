import { ApiError } from './errors.js'
import type { DnsNameRequest } from './dns-types.js'

/** Longest DNS name the API takes, with its domain, in characters. */
const MAX_DNS_NAME = 253
/** Most addresses in one request. */
const MAX_ADDRESSES = 64

function bad(message: string): never {
  throw new ApiError('ERR_BAD_REQUEST', message, 400)
}

/**
 * Checks the shape of a `/dns/add` or `/dns/remove` body: `{ name, addresses? }`. Whether the
 * name and addresses are valid is the router's (the name CRDT's) to say.
 */
export function parseDnsNameRequest(body: unknown, addressesRequired: boolean): DnsNameRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) bad('the request body must be a JSON object')
  const r = body as Record<string, unknown>
  const name = parseDnsName(r.name)
  const list = r.addresses ?? []
  if (!Array.isArray(list) || list.length > MAX_ADDRESSES) bad(`'addresses' must be a list of at most ${MAX_ADDRESSES} IP addresses`)
  const addresses = list.map((a, i) => {
    if (typeof a !== 'string' || a.length === 0 || a.length > 64) bad(`'addresses[${i}]' must be an IP address`)
    return a
  })
  if (addressesRequired && addresses.length === 0) bad(`give at least one address in 'addresses'`)
  return { name, addresses }
}

/** A DNS name as text: 1-253 printable ASCII characters without spaces. */
export function parseDnsName(v: unknown): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > MAX_DNS_NAME || !/^[\x21-\x7e]+$/.test(v)) {
    bad(`'name' must be a DNS name of 1-${MAX_DNS_NAME} characters`)
  }
  return v
}
