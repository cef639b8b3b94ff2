// Every default, limit and format number of @weft/gossip, in one place. docs/GOSSIP.md explains
// how they fit together.

import { MAX_GOSSIP_PAYLOAD_BYTES } from '@weft/wire'

// --- engine ---

/** Default period of full-state anti-entropy, in milliseconds (each period is jittered). */
export const DEFAULT_ANTI_ENTROPY_INTERVAL_MS = 10_000
/** Jitter of each anti-entropy period, as a fraction of it: ±20 %. */
export const ANTI_ENTROPY_JITTER_FRACTION = 0.2
/** Default bound on the deltas waiting for one neighbour, in bytes (1 MiB). */
export const DEFAULT_MAX_QUEUE_BYTES_PER_NEIGHBOUR = 1024 * 1024
/**
 * After merging an over-full queue with `combine`, the queue is kept only if it holds at most
 * this fraction of the bound, so merging happens at most once per half a bound of new deltas.
 */
export const QUEUE_COMPACTED_FILL_FRACTION = 0.5
/**
 * Default largest gossip message, in bytes: what one `gossip` control message can carry. A state
 * or delta encoded larger is split (`GossipChannel.split`) into parts under it.
 */
export const DEFAULT_MAX_MESSAGE_BYTES = MAX_GOSSIP_PAYLOAD_BYTES
/** Longest channel name, in characters of `[a-z0-9-]` (as `@weft/wire` allows). */
export const MAX_CHANNEL_NAME_CHARS = 32
/**
 * Digest messages of a channel that has digests travel as gossip of the channel named
 * `<name>-digest`, so such a channel's name has at most 32 - 7 characters.
 */
export const DIGEST_CHANNEL_SUFFIX = '-digest'

// --- topology ---

/** Name of the topology channel. */
export const TOPOLOGY_CHANNEL = 'topology'
/** Version of the topology message format (`v`); a message with any other is rejected. */
export const TOPOLOGY_FORMAT_VERSION = 1
/** Bytes of a peer id (an Ed25519 public key); 64 hex characters in a `PeerRecord`. */
export const PEER_ID_BYTES = 32
/** Bytes of a restart id (64 random bits); 16 hex characters in a `PeerRecord`. */
export const RESTART_ID_BYTES = 8
/** Longest peer nickname, in UTF-16 code units (as in `hello`). */
export const MAX_NICKNAME_CHARS = 64
/** Most underlay addresses one peer record may list (as in `hello`). */
export const MAX_PEER_ADDRESSES = 16
/** Most connections one peer record may list. */
export const MAX_PEER_CONNECTIONS = 1024
/** Most peer records one topology message may carry. */
export const MAX_TOPOLOGY_RECORDS = 16_384
/** Largest round-trip time a connection may report, in milliseconds (one hour). */
export const MAX_RTT_MS = 3_600_000
/** Deepest msgpack nesting of a topology message: map, records, record, connections, connection. */
export const MAX_TOPOLOGY_NESTING_DEPTH = 5
/** Bytes of the SHA-256 prefix in a topology `summary` digest. */
export const TOPOLOGY_DIGEST_HASH_BYTES = 16
/**
 * Default delay before a change of a peer's own record is published, in milliseconds. Changes
 * within it (links coming up one by one at start, a link change and the refresh after it) go out
 * as one version: bytes to converge grow with the versions that are published, each crossing
 * every link. The delay is counted from the first change, so none waits longer than this.
 * 0 (publish every change at once) by default: with 100 ms the first RTT reports of the 5 s
 * refresh kept a 1000-peer mesh from ever agreeing before the refresh round ended (6.1 s instead
 * of 0.28 s); docs/GOSSIP.md "Coalesced own-record publishes: root cause".
 */
export const DEFAULT_SELF_PUBLISH_DELAY_MS = 0
/** Default time a peer must stay unreachable from self before `gc` forgets it, in milliseconds. */
export const DEFAULT_UNREACHABLE_GRACE_MS = 60_000

// --- routing ---

/** A link's reported RTT changes only when a measurement differs by more than this (ms)... */
export const RTT_REPORT_MIN_CHANGE_MS = 2
/** ...and by more than this fraction of the reported value (`reportedRtt`). */
export const RTT_REPORT_MIN_CHANGE_FRACTION = 0.25

/** Weight of a link whose ends report no round-trip time, in milliseconds. */
export const DEFAULT_LINK_WEIGHT_MS = 10
/** Smallest link weight, in milliseconds (weights are whole milliseconds). */
export const MIN_LINK_WEIGHT_MS = 1
/**
 * Added to every link's weight: the cost of one more hop. A relay receives, re-wraps and sends
 * each packet in another router's event loop, which the neighbours' ping RTT does not measure;
 * so a path through a relay wins over a direct link only when it is this much faster per hop.
 * Without it, links of equal RTT tie a direct link against two relayed hops of half the RTT.
 */
export const HOP_COST_MS = 5
