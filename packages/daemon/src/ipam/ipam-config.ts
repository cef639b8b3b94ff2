// The `--ipalloc-*` flags of `weft launch`, parsed into a frozen IpamConfig. Every rejection is a
// DaemonError `ERR_CONFIG` naming the flag and saying what is accepted.

import { DEFAULT_RANGE, IpamError, MAX_SEEDS, formatCidr, normalizeSeeds, parseCidr, parseSubnet, type Cidr, type InitMode } from '@weft/ipam'
import { DaemonError } from '../errors.js'
import { MAX_RECLAIM_AFTER_S } from './constants.js'

export interface IpamConfig {
  /** The allocation range, canonical `a.b.c.d/len`. */
  readonly range: string
  /** Where `weft run` without `--ip` allocates, canonical; inside the range. */
  readonly defaultSubnet: string
  readonly mode: InitMode
  /** True when `--ipalloc-init` was not given and `mode` was derived from the peer count. */
  readonly modeDerived: boolean
  /** Reclaim the free space of peers unreachable this long (ms); null: never (the default). */
  readonly reclaimAfterMs: number | null
}

export interface IpamFlags {
  'ipalloc-range'?: string
  'ipalloc-default-subnet'?: string
  'ipalloc-init'?: string
  'ipalloc-reclaim-after'?: string
}

export const IPAM_USAGE = `  --ipalloc-range CIDR   range containers get addresses from (default ${DEFAULT_RANGE})
  --ipalloc-default-subnet CIDR
                         subnet of 'weft run' without --ip (default: the whole range)
  --ipalloc-init MODE    how the range is first shared out: seed=PEERID,... (the full
                         ids of 'weft status'), consensus=N, or observer. Default:
                         consensus with N = floor(P/2)+1, P = this peer plus the PEERs
                         given here (a lone 'weft launch' allocates at once)
  --ipalloc-reclaim-after SECONDS
                         take back the unused space of peers unreachable this long
                         (default: never; 'weft rmpeer' is the safe way)`

const flagError = (flag: string, what: string): DaemonError => new DaemonError('ERR_CONFIG', `--${flag} ${what}`)

function wrap<T>(flag: string, value: string, body: () => T): T {
  try {
    return body()
  } catch (err) {
    if (err instanceof IpamError) throw flagError(flag, `'${value.slice(0, 80)}' is not valid: ${err.message}`)
    throw err
  }
}

/** The default quorum: a majority of the peers named at launch, this one included. */
export function defaultQuorum(peersGiven: number): number {
  return Math.floor((peersGiven + 1) / 2) + 1
}

/** Parses `--ipalloc-init`. */
export function parseInitMode(text: string, range: Cidr): InitMode {
  const flag = 'ipalloc-init'
  if (text === 'observer') return Object.freeze({ kind: 'observer' })
  const eq = text.indexOf('=')
  const kind = eq < 0 ? text : text.slice(0, eq)
  const arg = eq < 0 ? '' : text.slice(eq + 1)
  if (kind === 'consensus') {
    if (!/^[0-9]{1,5}$/.test(arg) || Number(arg) < 1 || Number(arg) > MAX_SEEDS) {
      throw flagError(flag, `consensus=N needs N, the number of peers that must agree, from 1 to ${MAX_SEEDS}; got '${text.slice(0, 80)}'`)
    }
    return Object.freeze({ kind: 'consensus', quorum: Number(arg) })
  }
  if (kind === 'seed') {
    if (arg === '') throw flagError(flag, 'seed=PEERID,... needs the full peer ids (64 hex digits, from \'weft status\') of every seed')
    return Object.freeze({ kind: 'seed', peers: Object.freeze(wrap(flag, text, () => normalizeSeeds(arg.split(',').map((p) => p.trim().toLowerCase()), range))) })
  }
  throw flagError(flag, `must be seed=PEERID,..., consensus=N or observer, not '${text.slice(0, 80)}'`)
}

/** Parses the `--ipalloc-*` flags; `peersGiven` is the number of PEERs on the command line. */
export function parseIpamFlags(v: IpamFlags, peersGiven: number): IpamConfig {
  const rangeText = v['ipalloc-range'] ?? DEFAULT_RANGE
  const range = wrap('ipalloc-range', rangeText, () => parseCidr(rangeText))
  const rangeCanon = formatCidr(range)
  const subnetText = v['ipalloc-default-subnet']
  const defaultSubnet = subnetText === undefined ? rangeCanon : wrap('ipalloc-default-subnet', subnetText, () => formatCidr(parseSubnet(subnetText, range)))
  const init = v['ipalloc-init']
  const mode = init === undefined ? Object.freeze({ kind: 'consensus' as const, quorum: defaultQuorum(peersGiven) }) : parseInitMode(init, range)
  let reclaimAfterMs: number | null = null
  const reclaim = v['ipalloc-reclaim-after']
  if (reclaim !== undefined) {
    if (!/^[0-9]{1,9}$/.test(reclaim) || Number(reclaim) < 1 || Number(reclaim) > MAX_RECLAIM_AFTER_S) {
      throw flagError('ipalloc-reclaim-after', `must be a whole number of seconds from 1 to ${MAX_RECLAIM_AFTER_S}, not '${reclaim.slice(0, 80)}'`)
    }
    reclaimAfterMs = Number(reclaim) * 1000
  }
  return Object.freeze({ range: rangeCanon, defaultSubnet, mode, modeDerived: init === undefined, reclaimAfterMs })
}
