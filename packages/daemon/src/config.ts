import { readFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import {
  DEFAULT_BRIDGE, DEFAULT_CONNECTION_LIMIT, DEFAULT_HOME, DEFAULT_METRICS_ADDR, DEFAULT_MTU, DEFAULT_NETNS_PREFIX, DEFAULT_PORT, DEFAULT_TAP,
  DEFAULT_UNDERLAY_MTU,
} from './constants.js'
import { DNS_LAUNCH_OPTIONS, DNS_LAUNCH_USAGE, parseDnsFlags, type DnsConfig } from './dns/dns-config.js'
import { DaemonError } from './errors.js'
import { formatPeerAddress, parsePeerAddress } from './peer-address.js'
import type { SwarmConfig } from './swarm/swarm-config.js'
import { SWARM_USAGE, parseSwarmFlags } from './swarm/swarm-config.js'
import { IPAM_USAGE, parseIpamFlags, type IpamConfig } from './ipam/ipam-config.js'

/** A router's configuration, validated and frozen; every default lives in constants.ts. */
export interface RouterConfig {
  readonly home: string
  readonly nickname: string
  readonly port: number
  readonly peers: readonly string[]
  readonly mtu: number
  readonly underlayMtu: number
  readonly bridge: string
  readonly tap: string
  readonly metrics: { readonly host: string; readonly port: number } | null
  /** Secrets accepted from peers; the first is used when dialling. Empty: take the stored one. */
  readonly secrets: readonly string[]
  readonly netnsPrefix: string
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error'
  readonly foreground: boolean
  /** Dial peers learnt by gossip. */
  readonly discovery: boolean
  /** Most control connections at once. */
  readonly connectionLimit: number
  /** The `--dns-*` flags. */
  readonly dns: DnsConfig
  /** Find peers through Hyperswarm (`--swarm`); null when off. */
  readonly swarm: SwarmConfig | null
  /** IP address management (`--ipalloc-*`). */
  readonly ipam: IpamConfig
  /** Carry established unicast traffic in the native fast path (`--no-fast-path`: all in JS). */
  readonly fastPath: boolean
}

export const LAUNCH_USAGE = `usage: weft launch [PEER...] [options]
  PEER                   HOST, HOST:PORT or [IPV6]:PORT of a router to connect to
  --nickname NAME        name for people (default: the host name)
  --password-file FILE   network secret(s), one per line; the first is used to connect,
                         all are accepted (rotation). Default: $WEFT_PASSWORD, else the
                         stored secret, else a new one is generated and printed
  --port N               TCP control and UDP data port (default ${DEFAULT_PORT})
  --mtu N                overlay MTU for containers (default ${DEFAULT_MTU})
  --underlay-mtu N       MTU of the network between hosts (default ${DEFAULT_UNDERLAY_MTU})
  --bridge NAME          Linux bridge for containers (default ${DEFAULT_BRIDGE})
  --metrics-addr H:P     Prometheus metrics address, or 'off' (default ${DEFAULT_METRICS_ADDR})
  --log-level LEVEL      debug, info, warn or error (default info)
  --conn-limit N         most connections to other routers at once (default ${DEFAULT_CONNECTION_LIMIT})
  --no-discovery         only dial the peers given here and by 'weft connect', not the
                         ones learnt from other peers
  --no-fast-path         carry every packet in JavaScript, not established unicast
                         traffic in the native fast path (same wire either way)
${DNS_LAUNCH_USAGE}
${SWARM_USAGE}
${IPAM_USAGE}
  --foreground           stay attached instead of daemonizing`

const IFNAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/

function intFlag(v: string | undefined, name: string, def: number, min: number, max: number): number {
  if (v === undefined) return def
  const n = Number(v)
  if (!/^\d+$/.test(v) || n < min || n > max) throw new DaemonError('ERR_CONFIG', `--${name} must be a whole number from ${min} to ${max}, not '${v}'`)
  return n
}

function ifName(v: string | undefined, name: string, def: string): string {
  const s = v ?? def
  if (!IFNAME_RE.test(s)) throw new DaemonError('ERR_CONFIG', `--${name} '${s}' is not a valid interface name (1-15 letters, digits, '_', '.', '-')`)
  return s
}

function metricsAddr(v: string | undefined): RouterConfig['metrics'] {
  const s = v ?? DEFAULT_METRICS_ADDR
  if (s === 'off') return null
  const a = parsePeerAddress(s)
  return Object.freeze({ host: a.host, port: a.port })
}

/** Reads secrets: one per non-empty line. */
export function readSecretFile(path: string): string[] {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new DaemonError('ERR_CONFIG', `cannot read --password-file ${path}: ${(err as Error).message}`)
  }
  const secrets = text.split('\n').map((l) => l.trim()).filter((l) => l.length > 0)
  if (secrets.length === 0) throw new DaemonError('ERR_CONFIG', `--password-file ${path} holds no secret`)
  return secrets
}

/** Parses `weft launch` arguments and environment into a frozen RouterConfig. */
export function parseLaunchArgs(argv: readonly string[], env: NodeJS.ProcessEnv): RouterConfig {
  let parsed
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        nickname: { type: 'string' },
        'password-file': { type: 'string' },
        port: { type: 'string' },
        mtu: { type: 'string' },
        'underlay-mtu': { type: 'string' },
        bridge: { type: 'string' },
        tap: { type: 'string' },
        'metrics-addr': { type: 'string' },
        'log-level': { type: 'string' },
        foreground: { type: 'boolean' },
        'no-discovery': { type: 'boolean' },
        'no-fast-path': { type: 'boolean' },
        'conn-limit': { type: 'string' },
        ...DNS_LAUNCH_OPTIONS,
        swarm: { type: 'boolean' },
        'swarm-bootstrap': { type: 'string' },
        'ipalloc-range': { type: 'string' },
        'ipalloc-default-subnet': { type: 'string' },
        'ipalloc-init': { type: 'string' },
        'ipalloc-reclaim-after': { type: 'string' },
      },
    })
  } catch (err) {
    throw new DaemonError('ERR_CONFIG', `${(err as Error).message}; see 'weft launch --help'`)
  }
  const v = parsed.values
  const nickname = v.nickname ?? (hostname() || 'weft')
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(nickname)) {
    throw new DaemonError('ERR_CONFIG', `--nickname '${nickname.slice(0, 80)}' must be 1-64 letters, digits, '_', '.', '-'`)
  }
  const level = v['log-level'] ?? 'info'
  if (!['debug', 'info', 'warn', 'error'].includes(level)) throw new DaemonError('ERR_CONFIG', `--log-level must be debug, info, warn or error`)
  const underlayMtu = intFlag(v['underlay-mtu'], 'underlay-mtu', DEFAULT_UNDERLAY_MTU, 1280, 65_535)
  const mtu = intFlag(v.mtu, 'mtu', DEFAULT_MTU, 576, 65_000)
  const secrets = v['password-file'] ? readSecretFile(v['password-file']) : env.WEFT_PASSWORD ? [env.WEFT_PASSWORD] : []
  const prefix = env.WEFT_NETNS_PREFIX ?? DEFAULT_NETNS_PREFIX
  if (!/^[A-Za-z0-9_.-]{0,40}$/.test(prefix)) throw new DaemonError('ERR_CONFIG', `WEFT_NETNS_PREFIX '${prefix}' may hold only letters, digits, '_', '.', '-'`)
  return Object.freeze({
    home: resolve(env.WEFT_HOME || DEFAULT_HOME),
    nickname,
    port: intFlag(v.port, 'port', DEFAULT_PORT, 1, 65_535),
    peers: Object.freeze(parsed.positionals.map((p) => formatPeerAddress(parsePeerAddress(p)))),
    mtu,
    underlayMtu,
    bridge: ifName(v.bridge, 'bridge', DEFAULT_BRIDGE),
    tap: ifName(v.tap, 'tap', DEFAULT_TAP),
    metrics: metricsAddr(v['metrics-addr']),
    secrets: Object.freeze(secrets),
    netnsPrefix: prefix,
    logLevel: level as RouterConfig['logLevel'],
    foreground: v.foreground ?? false,
    discovery: !(v['no-discovery'] ?? false),
    connectionLimit: intFlag(v['conn-limit'], 'conn-limit', DEFAULT_CONNECTION_LIMIT, 1, 10_000),
    dns: parseDnsFlags(v),
    swarm: parseSwarmFlags(v.swarm, v['swarm-bootstrap']),
    ipam: parseIpamFlags(v, parsed.positionals.length),
    fastPath: !(v['no-fast-path'] ?? false),
  })
}
