// The DNS server as the router sees it: options checked once, parts wired, start and close.

import { BlockList, isIP } from 'node:net'
import { AnswerCache } from './answer-cache.js'
import {
  DEFAULT_CACHE_MAX_ENTRIES, DEFAULT_CACHE_MAX_TTL_S, DEFAULT_DNS_ADDRESS, DEFAULT_DNS_DOMAIN, DEFAULT_DNS_PORT,
  DEFAULT_DNS_TTL_S, DEFAULT_OVERLAY_RANGES, DEFAULT_RESOLV_CONF_PATH, DEFAULT_UPSTREAM_PORT, DEFAULT_UPSTREAM_TIMEOUT_MS,
} from './constants.js'
import { DnsListener, type DnsLogger } from './dns-listener.js'
import { DnsCounters, type DnsStats } from './dns-stats.js'
import { DnsError } from './errors.js'
import { LocalZone } from './local-zone.js'
import type { NameSource } from './name-source.js'
import { QueryHandler } from './query-handler.js'
import { canonicalIp, type Upstream } from './resolv-conf.js'
import { UpstreamForwarder, type ForwarderClock } from './upstream-forwarder.js'
import { UpstreamList } from './upstream-list.js'

export interface DnsServerInit {
  /** The domain answered from the names. Default `DEFAULT_DNS_DOMAIN` ('weft.local.'). */
  domain?: string
  /** Address to listen on (UDP and TCP). Default '127.0.0.1'. */
  address?: string
  /** Port (UDP and TCP); 0 picks a free one. Default 53. */
  port?: number
  /** TTL of local answers, in seconds. Default 1. */
  ttlSeconds?: number
  /** Where the upstream resolvers are read from. Default '/etc/resolv.conf'. */
  resolvConfPath?: string
  /** Upstreams to use instead of the resolv.conf (`{ address, port }`). Default: read the file. */
  upstreams?: readonly Upstream[]
  /** Port of a resolv.conf nameserver given without one. Default 53. */
  upstreamPort?: number
  /** Time to wait for upstreams, in milliseconds. Default 2000. */
  upstreamTimeoutMs?: number
  /** Cap on the time an upstream answer is cached, in seconds (0: no cache). Default 30. */
  cacheMaxTtlSeconds?: number
  /** Upstream answers cached at most. Default 1000. */
  cacheMaxEntries?: number
  /** CIDRs whose reverse lookups are answered here only. Default ['10.32.0.0/12']. */
  overlayRanges?: readonly string[]
  /** TCP connections at once. Default 128. */
  maxTcpConnections?: number
  /** Idle TCP connections are closed after this, in milliseconds. Default 10 000. */
  tcpIdleTimeoutMs?: number
}

export interface DnsServerComponents {
  /** Local names (`@weft/names`' `Names`, or a fake). */
  names: NameSource
  /** Uniform in [0, 1): shuffles answers. Default `Math.random`. (Upstream ids use crypto.) */
  random?: () => number
  /** Times upstreams and ages the cache. Default: Node's timers and `performance.now()`. */
  clock?: ForwarderClock
  logger?: DnsLogger
}

export class DnsServer {
  private readonly counters = new DnsCounters()
  private readonly cache: AnswerCache
  private readonly upstreams: UpstreamList
  private readonly listener: DnsListener
  private readonly address: string
  private readonly port: number
  private readonly maxTcpConnections: number | undefined
  private readonly tcpIdleTimeoutMs: number | undefined
  private state: 'new' | 'starting' | 'running' | 'closed' = 'new'
  private bound: { address: string, port: number } | null = null

  constructor(init: DnsServerInit, c: DnsServerComponents) {
    const domain = checkDomain(init.domain ?? DEFAULT_DNS_DOMAIN)
    this.address = init.address ?? DEFAULT_DNS_ADDRESS
    if (isIP(this.address) === 0) bad(`address ${JSON.stringify(this.address)} is not an IP literal`)
    this.port = init.port ?? DEFAULT_DNS_PORT
    if (!Number.isInteger(this.port) || this.port < 0 || this.port > 0xffff) bad(`port must be 0-65535, got ${this.port}`)
    const ttl = init.ttlSeconds ?? DEFAULT_DNS_TTL_S
    if (!Number.isInteger(ttl) || ttl < 0 || ttl > 2 ** 31 - 1) bad(`ttlSeconds must be an integer 0 to 2^31 - 1, got ${ttl}`)
    const timeoutMs = init.upstreamTimeoutMs ?? DEFAULT_UPSTREAM_TIMEOUT_MS
    if (!(timeoutMs > 0)) bad(`upstreamTimeoutMs must be positive, got ${timeoutMs}`)
    const upstreamPort = init.upstreamPort ?? DEFAULT_UPSTREAM_PORT
    if (!Number.isInteger(upstreamPort) || upstreamPort < 1 || upstreamPort > 0xffff) bad(`upstreamPort must be 1-65535, got ${upstreamPort}`)
    const fixed = init.upstreams?.map((u) => {
      if (isIP(u.address) === 0 || !Number.isInteger(u.port) || u.port < 1 || u.port > 0xffff) bad(`upstream ${JSON.stringify(u)} is not { address: IP literal, port: 1-65535 }`)
      return { address: canonicalIp(u.address), port: u.port }
    })
    this.maxTcpConnections = init.maxTcpConnections
    this.tcpIdleTimeoutMs = init.tcpIdleTimeoutMs
    const clock = c.clock ?? { now: () => performance.now(), setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) }
    const now = (): number => clock.now()
    this.cache = new AnswerCache(init.cacheMaxEntries ?? DEFAULT_CACHE_MAX_ENTRIES, init.cacheMaxTtlSeconds ?? DEFAULT_CACHE_MAX_TTL_S, now)
    this.upstreams = new UpstreamList(init.resolvConfPath ?? DEFAULT_RESOLV_CONF_PATH, upstreamPort, now, fixed)
    const zone = new LocalZone({ domain, ttl, overlay: overlayList(init.overlayRanges ?? DEFAULT_OVERLAY_RANGES) }, c.names, c.random ?? Math.random)
    const forwarder = new UpstreamForwarder(timeoutMs, clock, this.counters)
    const handler = new QueryHandler(zone, this.cache, forwarder, this.upstreams, this.counters)
    this.listener = new DnsListener(handler, this.counters, c.logger)
  }

  /**
   * Reads the upstreams and binds UDP and TCP. Resolves to the address and port bound. Throws
   * `ERR_LISTEN` if they cannot be bound, `ERR_STATE` if called twice.
   */
  async start(): Promise<{ address: string, port: number }> {
    if (this.state !== 'new') throw new DnsError('ERR_STATE', `the DNS server is ${this.state}; create a new one`)
    this.state = 'starting'
    await this.upstreams.reload()
    try {
      this.bound = await this.listener.listen({
        address: this.address, port: this.port, maxTcpConnections: this.maxTcpConnections, tcpIdleTimeoutMs: this.tcpIdleTimeoutMs,
      })
    } catch (err) {
      this.state = 'closed'
      throw err
    }
    const self = this.bound
    const anyAddress = self.address === '0.0.0.0' || self.address === '::'
    this.upstreams.exclude((u) => u.port === self.port && (anyAddress || u.address === canonicalIp(self.address)))
    this.state = 'running'
    return self
  }

  /** Where it listens, once started. */
  boundAddress(): { address: string, port: number } | null {
    return this.bound
  }

  /** Re-reads the resolv.conf now; resolves to the upstreams in use. */
  async reloadUpstreams(): Promise<readonly Upstream[]> {
    return await this.upstreams.reload()
  }

  stats(): DnsStats {
    return this.counters.snapshot(this.cache.size, this.listener.tcpConnections)
  }

  /** Closes the sockets and every TCP connection. Idempotent. */
  async close(): Promise<void> {
    if (this.state === 'closed') return
    this.state = 'closed'
    await this.listener.close()
  }
}

/** Creates a DNS server; `start()` binds it. Throws `ERR_BAD_CONFIG` on a bad option. */
export function createDnsServer(init: DnsServerInit, components: DnsServerComponents): DnsServer {
  return new DnsServer(init, components)
}

function bad(what: string): never {
  throw new DnsError('ERR_BAD_CONFIG', `bad DNS option: ${what}`)
}

const LABEL = /^[A-Za-z0-9_-]{1,63}$/

/** The domain without its trailing dot; throws unless it is 1-253 characters of labels. */
function checkDomain(domain: string): string {
  const bare = typeof domain === 'string' && domain.endsWith('.') ? domain.slice(0, -1) : domain
  if (typeof bare !== 'string' || bare.length === 0 || bare.length > 253 || !bare.split('.').every((l) => LABEL.test(l))) {
    bad(`domain ${JSON.stringify(domain)} is not a DNS name like 'weft.local.'`)
  }
  return bare
}

function overlayList(ranges: readonly string[]): BlockList {
  const list = new BlockList()
  for (const range of ranges) {
    const [net, bits, extra] = String(range).split('/')
    const family = isIP(net)
    const prefix = Number(bits)
    if (family === 0 || extra !== undefined || !/^[0-9]{1,3}$/.test(bits ?? '') || prefix > (family === 4 ? 32 : 128)) {
      bad(`overlay range ${JSON.stringify(range)} is not a CIDR like 10.32.0.0/12`)
    }
    list.addSubnet(net, prefix, family === 4 ? 'ipv4' : 'ipv6')
  }
  return list
}

