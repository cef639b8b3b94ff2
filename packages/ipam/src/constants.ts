// Every default, limit and format number of @weft/ipam, in one place. docs/IPAM.md explains how
// they fit together.

// --- the range ---

/** Name of the IPAM gossip channel. */
export const IPAM_CHANNEL = 'ipam'
/** Default allocation range (Weave Net's). */
export const DEFAULT_RANGE = '10.32.0.0/12'
/** Shortest prefix a range may have (IPv4). */
export const MIN_RANGE_PREFIX = 1
/** Longest prefix a range or subnet may have: 4 addresses, 2 of them usable. */
export const MAX_RANGE_PREFIX = 30

// --- wire and snapshot formats ---

/** Version of the `ipam` gossip message format (`v`); a message with any other is rejected. */
export const IPAM_FORMAT_VERSION = 1
/** Version of the persisted snapshot format. */
export const SNAPSHOT_FORMAT_VERSION = 1
/** Bytes of a peer id (an Ed25519 public key); 64 hex characters in memory. */
export const PEER_ID_BYTES = 32
/** Bytes of a ring id (a SHA-256 prefix of the range and the seed list); 32 hex characters. */
export const RING_ID_BYTES = 16
/** Most ring entries one message may carry. */
export const MAX_RING_ENTRIES = 65_536
/** Most peers a seed list (or a consensus value) may name. */
export const MAX_SEEDS = 4_096
/** Most per-peer records (consensus or space requests) one message may carry. */
export const MAX_PEER_RECORDS = 16_384
/** Deepest msgpack nesting of a message: map, ring map, entry list, entry. */
export const MAX_IPAM_NESTING_DEPTH = 4
/** Longest container id, in UTF-16 code units. */
export const MAX_CONTAINER_ID_CHARS = 256
/** Most revoked allocations `status()` lists (the latest). */
export const MAX_REVOKED_SHOWN = 32
/** Most allocations one snapshot may hold. */
export const MAX_SNAPSHOT_ALLOCATIONS = 1_048_576

// --- timing (all on the injected clock) ---

/** Default time an allocation may wait for a ring, a consensus or a donation, in milliseconds. */
export const DEFAULT_ALLOCATE_TIMEOUT_MS = 30_000
/** Default time to wait for a donor before asking another one, in milliseconds. */
export const DEFAULT_DONATION_RETRY_MS = 2_000
/** Default time a consensus ballot may run without a decision before a new one, in milliseconds. */
export const DEFAULT_CONSENSUS_RETRY_MS = 3_000
/** Each consensus retry waits this fraction more, at random: 0 to +50 %. */
export const CONSENSUS_RETRY_JITTER_FRACTION = 0.5
/**
 * Default time space gained by `takeOver` or reclamation waits before this peer allocates from it
 * or gives it away, in milliseconds: long enough for gossip to bring what the dead peer did last
 * (a donation this peer had not heard of) or a concurrent takeover elsewhere.
 */
export const DEFAULT_TAKEOVER_SETTLE_MS = 15_000
/**
 * How far a takeover raises each entry's version: it outranks up to this many writes the dead peer
 * made that the taker never saw (its last allocations, cut off by a partition before it died), so
 * an operator's rmpeer is never undone by a peer that comes back from the dead.
 */
export const TAKEOVER_VERSION_STEP = 2 ** 20
/**
 * Default time a restarted peer keeps listening after the first gossip it hears before it
 * allocates, in milliseconds: every neighbour sends its full state on connect, and one of them
 * may be as cut off as it was, so it waits to hear them all, not just the first.
 */
export const DEFAULT_RESYNC_WINDOW_MS = 3_000
/** Delay before retrying a failed `IpamStore.save`, in milliseconds. */
export const STORE_RETRY_MS = 1_000
/** Longest period between two automatic-reclamation checks, in milliseconds. */
export const MAX_RECLAIM_CHECK_INTERVAL_MS = 10_000
