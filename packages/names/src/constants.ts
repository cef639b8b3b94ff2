// Every default, limit and format number of @weft/names, in one place. docs/DNS.md explains how
// they fit together.

/** Name of the gossip channel that carries the names. */
export const NAMES_CHANNEL = 'dns'
/** Version of the names message format (`v`); a message with any other is rejected. */
export const NAMES_FORMAT_VERSION = 1
/** Bytes of a peer id (an Ed25519 public key); 64 hex characters in a `NameEntry`. */
export const PEER_ID_BYTES = 32

/**
 * Versions of one epoch. A version is `epoch * EPOCH_SPAN + count`: `removePeer` raises a
 * peer's floor to the end of the newest epoch it knows of that peer, which removes even the
 * entries of that epoch it has not seen yet; the peer's next changes start a new epoch.
 */
export const EPOCH_SPAN = 2 ** 32

/** Longest name, in characters, without the DNS domain (which the DNS layer appends). */
export const MAX_NAME_CHARS = 200
/** Longest label of a name, in characters (RFC 1035). */
export const MAX_LABEL_CHARS = 63
/** Longest container id, in characters of printable ASCII. */
export const MAX_CONTAINER_ID_CHARS = 128

/** Most peers one names message may carry. */
export const MAX_NAMES_PEERS = 16_384
/** Most entries (live and tombstones) one peer may have in one message. */
export const MAX_NAMES_ENTRIES_PER_PEER = 65_536
/** Deepest msgpack nesting of a names message: message, peers, peer, entries, entry. */
export const MAX_NAMES_NESTING_DEPTH = 5

/**
 * A peer compacts its own tombstones (re-versions its live entries and raises its floor over
 * everything older) once it holds more than this many of them and more tombstones than live
 * entries.
 */
export const DEFAULT_COMPACT_THRESHOLD = 64
/**
 * How long `gc` keeps the floor of a peer that has no entries left (a removed peer), in
 * milliseconds of the injected clock: one day.
 */
export const DEFAULT_FLOOR_RETENTION_MS = 24 * 60 * 60 * 1000
