// Defaults of the router's DNS integration (docs/DNS.md, "Running it"). The server's own
// defaults (domain, TTL, cache, timeouts) live in @weft/dns.

/**
 * Address the router gives its bridge and serves DNS on: link-local, so it never collides with
 * an overlay or host address, and the same on every host (each host's bridge is its own, and
 * containers reach it by a host route and a permanent neighbour entry, never by ARP over the
 * mesh).
 */
export const DEFAULT_DNS_LISTEN_ADDRESS = '169.254.53.53'
/** Port the DNS server listens on (UDP and TCP). */
export const DNS_LISTEN_PORT = 53
/** Where `ip netns exec` looks for per-namespace files (it bind-mounts `<dir>/<ns>/resolv.conf`). */
export const NETNS_ETC_DIR = '/etc/netns'
/** Meta key under which this router's own name entries are kept in the store. */
export const DNS_OWN_ENTRIES_META_KEY = 'dns.own'
/** How often floors of removed peers are aged (`Names.gc`), in milliseconds. */
export const DNS_GC_INTERVAL_MS = 60_000
/** Sub-domain under which peers are named by nickname (`NICK.peers.weft.local.`). */
export const PEERS_SUBDOMAIN = 'peers'
/** Container id of entries for a peer's exposed addresses. */
export const PEER_ENTRY_ID = 'peer'
/** Container id of entries made with `weft dns-add`. */
export const MANUAL_ENTRY_ID = 'manual'
/** Prefix of the container id of a container's entries (`c:NAME`). */
export const CONTAINER_ENTRY_PREFIX = 'c:'
/** Most stored own entries restored at start. */
export const MAX_STORED_OWN_ENTRIES = 65_536
/**
 * Routing table of the DNS server's answers: a /32 to each local container through the bridge,
 * used only for packets from the DNS address (an `ip rule`), so the host itself still reaches
 * containers only through `weft expose`.
 */
export const DNS_ROUTE_TABLE = 53_053
/** Priority of that rule (before `main` at 32766). */
export const DNS_RULE_PRIORITY = 5_353
