/**
 * Checks for the keys and fields the store keeps. Each returns `undefined` when the value is
 * acceptable, else a short reason ("name is 70 characters, at most 64 allowed") that callers put
 * into a StoreError or an `onCorrupt` report. None of them throws, whatever it is given.
 */
import { isIP } from 'node:net'
import {
  STORE_IFNAME_MAX_CHARS, STORE_META_MAX_DEPTH, STORE_NAME_MAX_CHARS, STORE_NETNS_MAX_CHARS,
  STORE_SECRET_MAX_CHARS, STORE_TARGET_MAX_CHARS,
} from './constants.js'

const NAME_RE = new RegExp(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,${STORE_NAME_MAX_CHARS - 1}}$`)
const META_KEY_RE = new RegExp(`^[\\x21-\\x7e]{1,${STORE_NAME_MAX_CHARS}}$`)
const TARGET_RE = new RegExp(`^[\\x21-\\x7e]{1,${STORE_TARGET_MAX_CHARS}}$`)
const NETNS_RE = new RegExp(`^[\\x21-\\x7e]{1,${STORE_NETNS_MAX_CHARS}}$`)
const IFNAME_RE = new RegExp(`^[A-Za-z0-9_.-]{1,${STORE_IFNAME_MAX_CHARS}}$`)
const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/
const PREFIX_RE = /^(0|[1-9][0-9]{0,2})$/

/** A short, printable rendering of an offending value for messages. */
export function describe (value: unknown): string {
  let s: string
  try {
    s = typeof value === 'string' ? JSON.stringify(value) : String(value)
  } catch {
    s = Object.prototype.toString.call(value)
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s
}

function checkPattern (what: string, value: unknown, re: RegExp, rule: string): string | undefined {
  if (typeof value !== 'string') return `${what} is ${typeof value}, not a string`
  if (!re.test(value)) return `${what} ${describe(value)} is not ${rule}`
  return undefined
}

/** A container name: 1-64 of `[A-Za-z0-9_.-]`, starting with a letter or digit. */
export function checkName (value: unknown): string | undefined {
  return checkPattern('name', value, NAME_RE, `1-${STORE_NAME_MAX_CHARS} of [A-Za-z0-9_.-] starting with a letter or digit`)
}

/** A meta key: 1-64 printable ASCII characters, no spaces. */
export function checkMetaKey (value: unknown): string | undefined {
  return checkPattern('meta key', value, META_KEY_RE, `1-${STORE_NAME_MAX_CHARS} printable ASCII characters without spaces`)
}

/** A target address (`host`, `host:port`, `[v6]:port`): printable ASCII, no spaces. */
export function checkTarget (value: unknown): string | undefined {
  return checkPattern('target', value, TARGET_RE, `1-${STORE_TARGET_MAX_CHARS} printable ASCII characters without spaces`)
}

/** A network namespace reference (a name under /run/netns, a PID or a path). */
export function checkNetns (value: unknown): string | undefined {
  return checkPattern('netns', value, NETNS_RE, `1-${STORE_NETNS_MAX_CHARS} printable ASCII characters without spaces`)
}

/** A Linux interface name. */
export function checkIfName (what: string, value: unknown): string | undefined {
  return checkPattern(what, value, IFNAME_RE, `1-${STORE_IFNAME_MAX_CHARS} of [A-Za-z0-9_.-]`)
}

/** A MAC address in `ip`'s lowercase colon form. */
export function checkMac (value: unknown): string | undefined {
  return checkPattern('mac', value, MAC_RE, 'a lowercase MAC address like 02:42:0a:20:00:01')
}

/** An interface address with prefix, IPv4 or IPv6 (`10.32.1.1/12`, `fd00::1/64`); no zone ids. */
export function checkCidr (value: unknown): string | undefined {
  if (typeof value !== 'string') return `cidr is ${typeof value}, not a string`
  const slash = value.indexOf('/')
  const bad = `cidr ${describe(value)} is not an address/prefix like 10.32.1.1/12`
  if (slash < 0 || value.includes('%')) return bad
  const family = isIP(value.slice(0, slash))
  const prefixText = value.slice(slash + 1)
  if (family === 0 || !PREFIX_RE.test(prefixText)) return bad
  if (Number(prefixText) > (family === 4 ? 32 : 128)) return bad
  return undefined
}

/** The network secret: a non-empty string of at most 4096 characters. */
export function checkSecret (value: unknown): string | undefined {
  if (typeof value !== 'string') return `secret is ${typeof value}, not a string`
  if (value.length === 0 || value.length > STORE_SECRET_MAX_CHARS) {
    return `secret is ${value.length} characters, 1-${STORE_SECRET_MAX_CHARS} allowed`
  }
  return undefined
}

/**
 * A value msgpack stores and gives back unchanged: null, booleans, numbers, strings, byte
 * arrays, dates, arrays and plain objects of those (undefined allowed inside objects only).
 */
export function checkStorable (value: unknown, depth = 0): string | undefined {
  if (depth > STORE_META_MAX_DEPTH) return `value nests deeper than ${STORE_META_MAX_DEPTH} levels`
  if (value === null) return undefined
  switch (typeof value) {
    case 'boolean': case 'number': case 'string': return undefined
    case 'object': break
    default: return `a ${typeof value} cannot be stored`
  }
  if (value instanceof Uint8Array || value instanceof Date) return undefined
  if (Array.isArray(value)) {
    for (const item of value) {
      if (item === undefined) return 'arrays cannot hold undefined'
      const reason = checkStorable(item, depth + 1)
      if (reason !== undefined) return reason
    }
    return undefined
  }
  const proto = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) return 'only plain objects can be stored'
  for (const item of Object.values(value as Record<string, unknown>)) {
    if (item === undefined) continue
    const reason = checkStorable(item, depth + 1)
    if (reason !== undefined) return reason
  }
  return undefined
}
