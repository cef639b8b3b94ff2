/**
 * @weft/dns: the DNS server each router runs for its containers (docs/DNS.md). It answers the
 * weft domain (`weft.local.` by default: A, AAAA, PTR, shuffled, 1 s TTL, NXDOMAIN vs NOERROR,
 * case-insensitive, truncation with TCP retry) from a `NameSource` (`@weft/names`), and forwards
 * everything else to the host's upstream resolvers (from resolv.conf: all at once, first good
 * answer wins, a short cache). Malformed queries get FORMERR or are dropped and counted; nothing
 * a client sends crashes it.
 *
 * @example
 * ```ts
 * import { createDnsServer } from '@weft/dns'
 *
 * const dns = createDnsServer({ address: bridgeAddress, port: 53, domain: 'weft.local.' }, { names, logger })
 * const { address, port } = await dns.start()
 * // ... `dig @address -p port web.weft.local` answers every address of `web`
 * dns.stats()         // queries by type and result, upstream latency, cache, drops
 * await dns.close()
 * ```
 */

export * from './constants.js'
export { DnsError, type DnsErrorCode } from './errors.js'
export type { NameSource } from './name-source.js'
export { DnsServer, createDnsServer, type DnsServerInit, type DnsServerComponents } from './dns-server.js'
export type { DnsLogger } from './dns-listener.js'
export type { ForwarderClock } from './upstream-forwarder.js'
export { DNS_RESULTS, DNS_DROP_REASONS, type DnsStats, type DnsResult, type DnsDropReason } from './dns-stats.js'
export { parseResolvConf, type Upstream } from './resolv-conf.js'
export { addressOfReverseName, reverseNameOf } from './reverse-name.js'
