// The allocator's options, parsed once into a frozen, validated object: every default in one
// place (constants.ts), every rejection an `ERR_BAD_ARGUMENT` (or `ERR_BAD_CIDR`) naming the option.

import type { AllocatorInit, InitMode } from './allocator-status.js'
import { cidrContains, formatAddress, formatCidr, parseAddress, parseCidr, parseSubnet, type Cidr } from './cidr.js'
import {
  DEFAULT_ALLOCATE_TIMEOUT_MS, DEFAULT_CONSENSUS_RETRY_MS, DEFAULT_DONATION_RETRY_MS, DEFAULT_RANGE, DEFAULT_RESYNC_WINDOW_MS, DEFAULT_TAKEOVER_SETTLE_MS, MAX_SEEDS,
} from './constants.js'
import { IpamError, check } from './errors.js'
import { isPeerId } from './ring-entry.js'
import { normalizeSeeds } from './ring.js'

export interface AllocatorOptions {
  readonly selfId: string
  readonly range: Cidr
  readonly defaultSubnet: Cidr
  readonly mode: InitMode
  readonly allocateTimeoutMs: number
  readonly donationRetryMs: number
  readonly consensusRetryMs: number
  readonly reclaimAfterMs: number | null
  readonly takeoverSettleMs: number
  readonly resyncWindowMs: number
}

export function parseOptions(init: AllocatorInit): AllocatorOptions {
  check(typeof init === 'object' && init !== null, 'allocator options must be an object')
  check(isPeerId(init.selfId), 'selfId must be a peer id (64 lowercase hex)')
  const range = parseCidr(init.range ?? DEFAULT_RANGE)
  return Object.freeze({
    selfId: init.selfId,
    range,
    defaultSubnet: init.defaultSubnet === undefined ? range : parseSubnet(init.defaultSubnet, range),
    mode: checkMode(init.mode, range),
    allocateTimeoutMs: positive(init.allocateTimeoutMs, DEFAULT_ALLOCATE_TIMEOUT_MS, 'allocateTimeoutMs'),
    donationRetryMs: positive(init.donationRetryMs, DEFAULT_DONATION_RETRY_MS, 'donationRetryMs'),
    consensusRetryMs: positive(init.consensusRetryMs, DEFAULT_CONSENSUS_RETRY_MS, 'consensusRetryMs'),
    reclaimAfterMs: init.reclaimAfterMs === undefined ? null : positive(init.reclaimAfterMs, 0, 'reclaimAfterMs'),
    takeoverSettleMs: nonNegative(init.takeoverSettleMs, DEFAULT_TAKEOVER_SETTLE_MS, 'takeoverSettleMs'),
    resyncWindowMs: nonNegative(init.resyncWindowMs, DEFAULT_RESYNC_WINDOW_MS, 'resyncWindowMs'),
  })
}

function checkMode(mode: InitMode, range: Cidr): InitMode {
  check(typeof mode === 'object' && mode !== null, 'mode must be { kind: "seed" | "consensus" | "observer", ... }')
  switch (mode.kind) {
    case 'seed':
      return Object.freeze({ kind: 'seed', peers: Object.freeze(normalizeSeeds(mode.peers, range)) })
    case 'consensus':
      check(Number.isSafeInteger(mode.quorum) && mode.quorum >= 1 && mode.quorum <= MAX_SEEDS, `consensus quorum must be 1..${MAX_SEEDS}`)
      return Object.freeze({ kind: 'consensus', quorum: mode.quorum })
    case 'observer':
      return Object.freeze({ kind: 'observer' })
    default:
      throw new IpamError('ERR_BAD_ARGUMENT', 'mode.kind must be "seed", "consensus" or "observer"')
  }
}

function nonNegative(value: number | undefined, fallback: number, name: string): number {
  const v = value ?? fallback
  check(Number.isFinite(v) && v >= 0, `${name} must be a number of milliseconds >= 0, got ${String(value)}`)
  return v
}

function positive(value: number | undefined, fallback: number, name: string): number {
  const v = value ?? fallback
  check(Number.isFinite(v) && v > 0, `${name} must be a positive number of milliseconds, got ${String(value)}`)
  return v
}

/**
 * The address and subnet of a claim: `a.b.c.d` (in the default subnet) or `a.b.c.d/len` (in
 * the block of that length holding it, which must lie in the range). Never a subnet's network or
 * broadcast address.
 */
export function parseClaim(address: string, o: AllocatorOptions): { ip: number; sub: Cidr } {
  check(typeof address === 'string', 'address must be a string')
  const slash = address.indexOf('/')
  const ip = parseAddress(slash < 0 ? address : address.slice(0, slash))
  let sub = o.defaultSubnet
  if (slash >= 0) {
    const len = Number(address.slice(slash + 1))
    check(Number.isInteger(len) && len >= 0 && len <= 32, `${address} has a bad prefix length`)
    const size = 2 ** (32 - len)
    sub = parseSubnet(`${formatAddress(ip - (ip % size))}/${len}`, o.range)
  } else if (!(ip >= o.range.base && ip < o.range.base + o.range.size)) {
    throw new IpamError('ERR_OUT_OF_RANGE', `${address} is outside the allocation range ${formatCidr(o.range)}`)
  } else if (!cidrContains(o.defaultSubnet, { family: 4, base: ip, prefixLength: 32, size: 1 })) {
    throw new IpamError('ERR_BAD_ADDRESS', `${address} is outside the default subnet ${formatCidr(o.defaultSubnet)}; give it as a.b.c.d/len`)
  }
  if (ip === sub.base || ip === sub.base + sub.size - 1) {
    throw new IpamError('ERR_BAD_ADDRESS', `${address} is the network or broadcast address of ${formatCidr(sub)}`)
  }
  return { ip, sub }
}
