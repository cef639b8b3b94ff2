import { DEFAULT_DELAY_MS, DEFAULT_MTU_BYTES, DEFAULT_REORDER_DELAY_MS } from './constants.js'
import { NetsimError } from './errors.js'

/**
 * What one hop does to a datagram: a hop joins two nodes (hosts or NATs) of the same realm, and
 * a datagram from a NATed host crosses several (host -> NAT -> ... -> host). Links are symmetric.
 * Streams feel only `delayMs` and `jitterMs` (TCP hides loss, duplicates, reordering and MTU).
 */
export interface LinkProps {
  /** One-way delay (ms). Default `DEFAULT_DELAY_MS` (1). */
  readonly delayMs: number
  /** Extra delay drawn uniformly from [0, jitterMs) per datagram (ms); reorders datagrams. Default 0. */
  readonly jitterMs: number
  /** Probability a datagram is lost (0..1). Default 0. */
  readonly loss: number
  /** Probability a datagram arrives twice (0..1). Default 0. */
  readonly duplicate: number
  /** Probability a datagram is held back by `reorderDelayMs` (0..1). Default 0. */
  readonly reorder: number
  /** Extra delay of a held-back datagram (ms). Default `DEFAULT_REORDER_DELAY_MS` (10). */
  readonly reorderDelayMs: number
  /** Largest IP packet (payload + IP/UDP headers, bytes); bigger datagrams are dropped. Default 1500. */
  readonly mtu: number
}

export const DEFAULT_LINK: LinkProps = Object.freeze({
  delayMs: DEFAULT_DELAY_MS,
  jitterMs: 0,
  loss: 0,
  duplicate: 0,
  reorder: 0,
  reorderDelayMs: DEFAULT_REORDER_DELAY_MS,
  mtu: DEFAULT_MTU_BYTES,
})

/** `base` overlaid with `patch`, validated and frozen. */
export function resolveLinkProps(patch: Partial<LinkProps>, base: LinkProps = DEFAULT_LINK): LinkProps {
  const p: LinkProps = { ...base, ...stripUndefined(patch) }
  for (const key of ['delayMs', 'jitterMs', 'reorderDelayMs'] as const) {
    if (!(p[key] >= 0) || !Number.isFinite(p[key])) invalid(key, p[key], 'a finite number >= 0')
  }
  for (const key of ['loss', 'duplicate', 'reorder'] as const) {
    if (!(p[key] >= 0 && p[key] <= 1)) invalid(key, p[key], 'a probability in [0, 1]')
  }
  if (!Number.isInteger(p.mtu) || p.mtu < 1) invalid('mtu', p.mtu, 'a positive integer')
  return Object.freeze(p)
}

function stripUndefined(patch: Partial<LinkProps>): Partial<LinkProps> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<LinkProps>
}

function invalid(key: string, value: number, wanted: string): never {
  throw new NetsimError('ERR_INVALID_ARGUMENT', `link ${key} must be ${wanted}, got ${value}`)
}
