// The `--dns-*` flags of `weft launch`, parsed once into a frozen DnsConfig.

import { isIP } from 'node:net'
import { DEFAULT_DNS_DOMAIN, DEFAULT_DNS_TTL_S, DEFAULT_RESOLV_CONF_PATH, parseResolvConf, type Upstream } from '@weft/dns'
import { DaemonError } from '../errors.js'
import { DEFAULT_DNS_LISTEN_ADDRESS } from './constants.js'

export interface DnsConfig {
  /** The weft domain, with its trailing dot (`weft.local.`). */
  readonly domain: string
  readonly ttlSeconds: number
  /** IPv4 address of the bridge the server listens on; null: no DNS server (names still gossiped). */
  readonly address: string | null
  /** Upstreams given with --dns-upstream; null: read `resolvConfPath`. */
  readonly upstreams: readonly Upstream[] | null
  readonly resolvConfPath: string
}

export const DNS_LAUNCH_USAGE = `  --dns-domain NAME      domain of container names (default ${DEFAULT_DNS_DOMAIN})
  --dns-ttl SECONDS      TTL of weft DNS answers (default ${DEFAULT_DNS_TTL_S})
  --dns-address IP|off   link-local IPv4 address given to the bridge, where the DNS server
                         listens for containers (default ${DEFAULT_DNS_LISTEN_ADDRESS}); 'off': none
  --dns-upstream IP[:PORT]  resolver for other names (repeat for more); default: the
                         nameservers of --dns-resolv-conf
  --dns-resolv-conf FILE where upstream resolvers are read from (default ${DEFAULT_RESOLV_CONF_PATH})`

/** The parseArgs options of the `--dns-*` flags. */
export const DNS_LAUNCH_OPTIONS = {
  'dns-domain': { type: 'string' },
  'dns-ttl': { type: 'string' },
  'dns-address': { type: 'string' },
  'dns-upstream': { type: 'string', multiple: true },
  'dns-resolv-conf': { type: 'string' },
} as const

export interface DnsFlagValues {
  'dns-domain'?: string
  'dns-ttl'?: string
  'dns-address'?: string
  'dns-upstream'?: string[]
  'dns-resolv-conf'?: string
}

const LABEL = /^[A-Za-z0-9_-]{1,63}$/

function bad(message: string): never {
  throw new DaemonError('ERR_CONFIG', message)
}

/** Checks the `--dns-*` flags; throws ERR_CONFIG naming the flag. */
export function parseDnsFlags(v: DnsFlagValues): DnsConfig {
  let domain = v['dns-domain'] ?? DEFAULT_DNS_DOMAIN
  if (!domain.endsWith('.')) domain += '.'
  const bare = domain.slice(0, -1)
  if (bare.length === 0 || bare.length > 200 || !bare.split('.').every((l) => LABEL.test(l))) {
    bad(`--dns-domain '${domain.slice(0, 80)}' is not a DNS name like weft.local.`)
  }
  const ttlText = v['dns-ttl'] ?? String(DEFAULT_DNS_TTL_S)
  const ttlSeconds = Number(ttlText)
  if (!/^\d{1,7}$/.test(ttlText) || ttlSeconds > 86_400) bad(`--dns-ttl must be a whole number of seconds from 0 to 86400, not '${ttlText.slice(0, 40)}'`)
  const addressText = v['dns-address'] ?? DEFAULT_DNS_LISTEN_ADDRESS
  let address: string | null = null
  if (addressText !== 'off') {
    if (isIP(addressText) !== 4) bad(`--dns-address must be an IPv4 address (e.g. ${DEFAULT_DNS_LISTEN_ADDRESS}) or 'off', not '${addressText.slice(0, 60)}'`)
    address = addressText
  }
  const upstreams = v['dns-upstream'] === undefined ? null : v['dns-upstream'].map((u) => {
    const [parsed] = parseResolvConf(`nameserver ${u}`, 53)
    if (parsed === undefined || /\s/.test(u)) bad(`--dns-upstream '${u.slice(0, 60)}' is not IP, IPV4:PORT or [IPV6]:PORT`)
    return Object.freeze(parsed)
  })
  const resolvConfPath = v['dns-resolv-conf'] ?? DEFAULT_RESOLV_CONF_PATH
  if (resolvConfPath.length === 0 || resolvConfPath.includes('\0')) bad('--dns-resolv-conf must be a file path')
  return Object.freeze({ domain, ttlSeconds, address, upstreams: upstreams && Object.freeze(upstreams), resolvConfPath })
}
