import { MAX_NAME_LENGTH } from './constants.js'
import { parseDnsName } from './dns-requests.js'
import { ApiError } from './errors.js'
import type { AddressRequest, CidrRequest, CreateContainerRequest, NetnsTarget, PidRequest, RmpeerRequest } from './types.js'

/**
 * Shape checks for request bodies. Each parser takes the decoded JSON (`unknown`) and returns a
 * fresh, typed object holding only known fields, or throws ApiError ERR_BAD_REQUEST saying which
 * field is wrong. Semantic checks (is this CIDR valid, is the name free) are the router's.
 */

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/
const MAX_LIST = 32
const MAX_TEXT = 256

function bad(message: string): never {
  throw new ApiError('ERR_BAD_REQUEST', message, 400)
}

function record(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) bad('the request body must be a JSON object')
  return body as Record<string, unknown>
}

function text(v: unknown, field: string, max = MAX_TEXT): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > max) bad(`'${field}' must be a non-empty string of at most ${max} characters`)
  return v
}

export function parseContainerName(v: unknown, field = 'name'): string {
  const name = text(v, field, MAX_NAME_LENGTH)
  if (!NAME_RE.test(name)) bad(`'${field}' may hold letters, digits, '_', '.' and '-', starting with a letter or digit`)
  return name
}

function textList(v: unknown, field: string): string[] {
  if (v === undefined) return []
  if (!Array.isArray(v) || v.length > MAX_LIST) bad(`'${field}' must be a list of at most ${MAX_LIST} strings`)
  return v.map((x, i) => text(x, `${field}[${i}]`, 64))
}

function target(v: unknown): NetnsTarget | undefined {
  if (v === undefined) return undefined
  const r = record(v)
  if (r.kind !== 'name' && r.kind !== 'pid') bad(`'target.kind' must be 'name' or 'pid'`)
  const value = text(r.value, 'target.value', 255)
  if (r.kind === 'pid' && !/^[1-9][0-9]{0,9}$/.test(value)) bad(`'target.value' must be a process id`)
  if (r.kind === 'name' && (value.includes('/') || value === '.' || value === '..')) bad(`'target.value' must be a namespace name`)
  return { kind: r.kind, value }
}

export function parseCreateContainer(body: unknown): CreateContainerRequest {
  const r = record(body)
  const out: CreateContainerRequest = { name: parseContainerName(r.name), cidrs: textList(r.cidrs, 'cidrs') }
  const t = target(r.target)
  if (t) out.target = t
  if (r.dnsName !== undefined) out.dnsName = parseDnsName(r.dnsName)
  return out
}

export function parseAddressRequest(body: unknown): AddressRequest {
  return { address: text(record(body).address, 'address') }
}

export function parseCidrRequest(body: unknown): CidrRequest {
  return { cidr: text(record(body).cidr, 'cidr', 64) }
}

export function parsePidRequest(body: unknown): PidRequest {
  const pid = record(body).pid
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid < 1 || pid > 2 ** 31) bad(`'pid' must be a positive integer`)
  return { pid }
}

export function parseStopRequest(body: unknown): { reset: boolean } {
  if (body === null || body === undefined) return { reset: false }
  const reset = record(body).reset
  if (reset !== undefined && typeof reset !== 'boolean') bad(`'reset' must be true or false`)
  return { reset: reset === true }
}

export function parseRmpeerRequest(body: unknown): RmpeerRequest {
  const peer = text(record(body).peer, 'peer', 80)
  if (!/^[\x21-\x7e]+$/.test(peer)) bad(`'peer' must be a peer id, short id or nickname (printable, no spaces)`)
  return { peer }
}
