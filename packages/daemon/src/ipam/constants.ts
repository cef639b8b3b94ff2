// Numbers of the router's IPAM integration (the library's own are in @weft/ipam constants.ts).

/** Longest `--ipalloc-reclaim-after`, seconds (about 31 days). */
export const MAX_RECLAIM_AFTER_S = 2_678_400
/** Meta key of the whole IPAM snapshot as older weft wrote it (loaded once, then replaced by records: lmdb-ipam-store.ts). */
export const IPAM_SNAPSHOT_KEY = 'ipam-snapshot'
/** How long `weft reset` waits for the transfer of this peer's space to be sent to peers (ms). */
export const HANDOVER_FLUSH_MS = 500
/** Prefix of a `--ip` value that allocates in a subnet. */
export const NET_PREFIX = 'net:'
/** Prefix of a `--ip` value that claims one address. */
export const IP_PREFIX = 'ip:'
/**
 * How long an allocation may wait for a ring, a consensus or a donation before the API answers
 * with the reason (ms); below the CLI's 30 s request timeout so the user sees why.
 */
export const ALLOCATE_TIMEOUT_MS = 20_000
/** Shortest peer id prefix `weft rmpeer` accepts. */
export const MIN_PEER_PREFIX_CHARS = 4
