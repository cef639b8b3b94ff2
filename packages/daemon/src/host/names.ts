/**
 * Checks on what host operations are given, run before any command so a bad argument never
 * leaves half-made links behind: interface names, namespace names, MTUs.
 */
import { IFNAME_MAX_CHARS, MTU_MAX_BYTES, NETNS_NAME_MAX_CHARS } from './constants.js'
import { HostError } from './host-error.js'

const IFNAME_RE = new RegExp(`^[A-Za-z0-9_.-]{1,${IFNAME_MAX_CHARS}}$`)
const NETNS_RE = new RegExp(`^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,${NETNS_NAME_MAX_CHARS - 1}}$`)

function shown (value: unknown): string {
  const s = typeof value === 'string' ? JSON.stringify(value) : String(value)
  return s.length > 80 ? `${s.slice(0, 77)}...` : s
}

/** Throws `ERR_NAME` unless `name` is a Linux interface name (1-15 of `[A-Za-z0-9_.-]`, not `.`/`..`). */
export function assertIfName (name: string, what = 'interface name'): void {
  if (typeof name !== 'string' || !IFNAME_RE.test(name) || name === '.' || name === '..') {
    throw new HostError('ERR_NAME', `${what} ${shown(name)} is not valid: use 1-${IFNAME_MAX_CHARS} of letters, digits, '_', '.', '-'`)
  }
}

/** Throws `ERR_NAME` unless `name` is a namespace name (1-128 of `[A-Za-z0-9_.-]`, not starting with '.'). */
export function assertNetnsName (name: string): void {
  if (typeof name !== 'string' || !NETNS_RE.test(name)) {
    throw new HostError('ERR_NAME', `network namespace name ${shown(name)} is not valid: use 1-${NETNS_NAME_MAX_CHARS} of letters, digits, '_', '.', '-', not starting with '.'`)
  }
}

/** Throws `ERR_BAD_MTU` unless `mtu` is an integer in 1-65535 (the kernel checks each device's minimum). */
export function assertMtu (mtu: number): void {
  if (!Number.isInteger(mtu) || mtu < 1 || mtu > MTU_MAX_BYTES) {
    throw new HostError('ERR_BAD_MTU', `MTU ${shown(mtu)} is not valid: give an integer number of bytes up to ${MTU_MAX_BYTES}`)
  }
}
