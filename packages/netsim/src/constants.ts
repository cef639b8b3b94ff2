/** Default one-way delay of a link hop (ms). */
export const DEFAULT_DELAY_MS = 1
/** Default largest IP packet a link hop carries (bytes, headers included). */
export const DEFAULT_MTU_BYTES = 1500
/** Extra delay a reordered datagram gets, by default (ms). */
export const DEFAULT_REORDER_DELAY_MS = 10
/** IPv4 (20) + UDP (8) header bytes counted against a link's MTU. */
export const IPV4_UDP_OVERHEAD_BYTES = 28
/** IPv6 (40) + UDP (8) header bytes counted against a link's MTU. */
export const IPV6_UDP_OVERHEAD_BYTES = 48
/** A NAT mapping without outbound traffic for this long expires (ms); RFC 4787 REQ-5 asks >= 2 min, home routers often use 30 s. */
export const DEFAULT_MAPPING_TIMEOUT_MS = 30_000
/** A stream whose path stays broken this long closes with reason `timeout`, as TCP keepalive would (ms). */
export const DEFAULT_STREAM_TIMEOUT_MS = 15_000
/** Lowest public port a NAT allocates. */
export const NAT_PORT_MIN = 1024
/** Highest port number. */
export const PORT_MAX = 65_535
/** Ephemeral ports hosts pick for `bind(0)` and outgoing streams (IANA range). */
export const EPHEMERAL_PORT_MIN = 49_152
/** Most NATs a datagram may traverse before it is dropped as a routing loop. */
export const MAX_HOPS = 16
