import { AEAD_TAG_BYTES, DATA_HEADER_BYTES, ETH_HEADER_BYTES, PEER_ID_BYTES } from '@weft/wire'

/** Underlay MTU assumed when none is given (bytes, IP packet). */
export const DEFAULT_UNDERLAY_MTU = 1500
/** IPv4 + UDP headers in front of every datagram on the underlay (bytes). */
export const UNDERLAY_IPV4_UDP_BYTES = 28
/** Bytes in front of each frame inside a bundle (its u16 length). */
export const BUNDLE_FRAME_PREFIX_BYTES = 2
/** Largest datagram the data path builds (bytes). */
export const MAX_DATAGRAM_BYTES = 65_535
/** A learnt MAC not seen for this long is forgotten (ms). */
export const MAC_MAX_AGE_MS = 5 * 60_000
/** Largest number of learnt MACs; past it, new MACs are flooded rather than learnt. */
export const MAC_TABLE_LIMIT = 65_536
/** Stop sending on a session after this many packets: the control path must rekey first. */
export const REKEY_AFTER_PACKETS = 2n ** 60n
/** Bytes of the hop header (peer id, ttl) at the start of a Relay or Broadcast plaintext. */
export const HOP_HEADER_BYTES = PEER_ID_BYTES + 1
/**
 * Hops a Relay or Broadcast datagram may take, the ttl its originator writes (default of
 * `DatapathInit.hopLimit`). Each forwarder decrements it and drops the datagram instead of
 * sending it on with 0.
 */
export const DEFAULT_HOP_LIMIT = 16
/** Bytes of a Probe or ProbeAck plaintext before any padding: probe id (u32), size (u32). */
export const PROBE_HEADER_BYTES = 8
/** Smallest Probe datagram (UDP payload): header, probe id and size, tag. */
export const MIN_PROBE_DATAGRAM_BYTES = DATA_HEADER_BYTES + PROBE_HEADER_BYTES + AEAD_TAG_BYTES
/**
 * Bytes a direct Data datagram adds around one overlay IP packet: data header (16), tag (16),
 * bundle length prefix (2), Ethernet header (14). A path that carries datagrams (UDP payloads)
 * of N bytes carries overlay IP packets of N - PATH_OVERHEAD_BYTES.
 */
export const PATH_OVERHEAD_BYTES = DATA_HEADER_BYTES + AEAD_TAG_BYTES + BUNDLE_FRAME_PREFIX_BYTES + ETH_HEADER_BYTES
