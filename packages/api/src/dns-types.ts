// Control API shapes of the weft DNS (docs/DNS.md): status, lookups, manual entries.

/** One live name entry. */
export interface DnsEntryInfo {
  /** Name without the domain, as registered (`web`, `host1.peers`). */
  name: string
  address: string
  /** Owner peer id (64 hex). */
  owner: string
  /** The owner's nickname, if the topology knows it, else its short id. */
  ownerNickname: string
  /** What registered it: `c:NAME` (a container), `manual` (dns-add), `peer` (an exposed address). */
  containerId: string
}

/** What the names hold of one peer. */
export interface DnsPeerInfo {
  peer: string
  nickname: string
  entries: number
  tombstones: number
  /** Every entry of the peer at this version or lower is gone (0: none). */
  floor: number
}

export interface DnsStatusResponse {
  /** The weft domain, with its trailing dot. */
  domain: string
  /** Where the DNS server listens; null if it does not (`--dns-address off`). */
  listen: { address: string; port: number } | null
  ttlSeconds: number
  /** The resolv.conf upstreams are read from; null when they were given with --dns-upstream. */
  resolvConf: string | null
  /** Upstream resolvers given with --dns-upstream, `ADDRESS:PORT` (IPv6 in brackets). */
  upstreams: string[]
  entries: DnsEntryInfo[]
  peers: DnsPeerInfo[]
  /** Figures of the name CRDT (`@weft/names` NamesStats). */
  names: Record<string, number>
  /** Figures of the DNS server (`@weft/dns` DnsStats); null if it does not run. */
  server: {
    queries: Record<string, Record<string, number>>
    drops: Record<string, number>
    truncated: number
    upstream: { queries: number; answers: number; ignored: number; failures: number; latencyMs: { count: number; sum: number } }
    cache: { hits: number; misses: number; entries: number }
    tcpConnections: number
  } | null
}

export interface DnsLookupResponse {
  /** The name asked, without the domain. */
  name: string
  addresses: string[]
}

/** `weft dns-add NAME IP...` / `weft dns-remove NAME [IP...]` (no addresses: all of NAME's). */
export interface DnsNameRequest {
  name: string
  addresses: string[]
}
