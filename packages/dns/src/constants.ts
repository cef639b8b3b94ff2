// Every default, limit and number of @weft/dns, in one place. docs/DNS.md explains how they fit
// together.

/** The domain answered from the names. */
export const DEFAULT_DNS_DOMAIN = 'weft.local.'
/** Default listening address: loopback (the router passes its bridge address). */
export const DEFAULT_DNS_ADDRESS = '127.0.0.1'
/** Default UDP and TCP port. */
export const DEFAULT_DNS_PORT = 53
/** Default TTL of local answers, in seconds: short, since containers come and go. */
export const DEFAULT_DNS_TTL_S = 1
/** Where upstream resolvers are read from by default. */
export const DEFAULT_RESOLV_CONF_PATH = '/etc/resolv.conf'
/** Port of a resolv.conf `nameserver` given without one. */
export const DEFAULT_UPSTREAM_PORT = 53
/** Most upstreams used (resolv.conf lines after these are ignored). */
export const MAX_UPSTREAMS = 8
/** How often the resolv.conf file is checked for a change, at most, in milliseconds. */
export const RESOLV_CONF_CHECK_INTERVAL_MS = 5_000
/** Default time to wait for any upstream to answer, in milliseconds. */
export const DEFAULT_UPSTREAM_TIMEOUT_MS = 2_000
/** Forwarded queries in flight at once; past this, queries get SERVFAIL at once. */
export const MAX_PENDING_FORWARDS = 1_024
/** Default cap on how long an upstream answer is cached, in seconds, whatever its TTL. */
export const DEFAULT_CACHE_MAX_TTL_S = 30
/** Default number of upstream answers cached (least recently used go first). */
export const DEFAULT_CACHE_MAX_ENTRIES = 1_000
/** Reverse lookups of addresses in these ranges are answered here only (the IPAM default range). */
export const DEFAULT_OVERLAY_RANGES: readonly string[] = ['10.32.0.0/12']

/** Largest UDP response to a client without EDNS (RFC 1035). */
export const CLASSIC_UDP_PAYLOAD_BYTES = 512
/** Largest UDP payload we advertise and honour with EDNS (the DNS flag day 2020 value). */
export const MAX_EDNS_UDP_PAYLOAD_BYTES = 1_232
/** The EDNS version we speak; a query with a higher one gets BADVERS. */
export const EDNS_VERSION = 0

/** Default TCP connections served at once. */
export const DEFAULT_MAX_TCP_CONNECTIONS = 128
/** Default idle time before a client's TCP connection is closed, in milliseconds (RFC 7766). */
export const DEFAULT_TCP_IDLE_TIMEOUT_MS = 10_000
/** Queries one TCP connection may have in progress; past this it is closed. */
export const MAX_TCP_PIPELINE = 32
/** Times `start` tries to find a port free for both UDP and TCP when given port 0. */
export const PORT_ATTEMPTS = 20

/** Bucket bounds of the upstream latency histogram, in milliseconds. */
export const UPSTREAM_LATENCY_BUCKETS_MS: readonly number[] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000]
/** Query types counted by name; every other type is counted as `OTHER`. */
export const COUNTED_QUERY_TYPES: readonly string[] = ['A', 'AAAA', 'PTR', 'ANY', 'SOA', 'NS', 'CNAME', 'MX', 'TXT', 'SRV']
