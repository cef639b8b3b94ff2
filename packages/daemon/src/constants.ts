/** TCP (control) and UDP (data) port a router listens on. */
export const DEFAULT_PORT = 6783
/** Prometheus metrics listen address. */
export const DEFAULT_METRICS_ADDR = '127.0.0.1:6784'
/** Default WEFT_HOME. */
export const DEFAULT_HOME = '/var/lib/weft'
/** Linux bridge that containers and the router's TAP join. */
export const DEFAULT_BRIDGE = 'weft'
/** Name of the router's TAP device. */
export const DEFAULT_TAP = 'weft-tap'
/**
 * Overlay MTU (largest container IP packet, bytes). A 1500-byte IPv4 underlay carries 1424
 * (see docs/WIRE.md); 1376 leaves room for an IPv6 underlay or one more tunnel.
 */
export const DEFAULT_MTU = 1376
/** Underlay MTU assumed for the path to peers (bytes). */
export const DEFAULT_UNDERLAY_MTU = 1500
/** Prefix of the network namespaces `weft run` creates (`weft-NAME`). */
export const DEFAULT_NETNS_PREFIX = 'weft-'
/** Interface name of a container's end of its veth. */
export const CONTAINER_IFNAME = 'ethwe'
/** A handshake that has not finished by then is abandoned (ms). */
export const HANDSHAKE_TIMEOUT_MS = 10_000
/** Most control connections a router keeps at once (inbound and outbound together). */
export const DEFAULT_CONNECTION_LIMIT = 100
/** Control-path heartbeat period (ms). */
export const HEARTBEAT_INTERVAL_MS = 1_000
/** A connection that has sent nothing for this long is closed (ms). */
export const CONNECTION_IDLE_TIMEOUT_MS = 6_000
/** First retry delay for a target that failed (ms); doubles up to the max, with jitter. */
export const RETRY_INITIAL_MS = 250
export const RETRY_MAX_MS = 30_000
/** Largest control message after the handshake (bytes). */
export const MAX_CONTROL_MESSAGE_BYTES = 1024 * 1024
/** Largest handshake message (bytes). */
export const MAX_HANDSHAKE_MESSAGE_BYTES = 65_535
/** How long `weft launch` waits for the router to come up (ms). */
export const LAUNCH_TIMEOUT_MS = 20_000
/**
 * Node flags of the router process (`weft launch` starts it with them). V8's young generation
 * otherwise grows to 2 x 16 MiB of semi-spaces under the allocation of 100 connections and stays
 * resident: capped at 2 MiB each, a router with 100 peers measured 89 MiB RSS instead of 116 MiB
 * (bench/router-memory.mjs, docs/PERFORMANCE.md).
 */
export const ROUTER_NODE_FLAGS: readonly string[] = Object.freeze(['--max-semi-space-size=2'])
/** Period of housekeeping (MAC expiry) (ms). */
export const HOUSEKEEPING_INTERVAL_MS = 10_000
/** How often containers are checked for a dead process or a vanished namespace (ms). */
export const CONTAINER_SWEEP_INTERVAL_MS = 2_000
/** Rekey a data session after this long (ms). */
export const REKEY_AFTER_MS = 120_000
/** Rekey a data session after this many packets sent. */
export const REKEY_AFTER_PACKETS = 2n ** 40n
/** A replaced data session keeps receiving for this long after a rekey (ms). */
export const OLD_SESSION_GRACE_MS = 10_000
/** Names of the files kept in WEFT_HOME. */
export const PID_FILE = 'weft.pid'
export const LOG_FILE = 'weft.log'
/** Protocol version carried in `hello`. */
export const PROTOCOL_VERSION = 1
/** weft's own version. */
export const WEFT_VERSION = '0.1.0'
