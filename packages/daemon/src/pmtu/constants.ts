/** Smallest datagram (UDP payload) path-MTU probing tries: what any IPv4 path must carry (bytes). */
export const PMTU_MIN_DATAGRAM_BYTES = 576
/** How long the last probe of a size waits for its ProbeAck before the size counts as too big (ms). */
export const PMTU_PROBE_TIMEOUT_MS = 300
/** Probes sent for one size (an ack of any of them counts). */
export const PMTU_PROBES_PER_STEP = 3
/** Time between the probes of one size, unless an ack came first (ms). */
export const PMTU_PROBE_SPACING_MS = 100
/** A discovered path MTU is measured again this long after (ms). */
export const PMTU_REPROBE_INTERVAL_MS = 10 * 60_000
/** A search that found nothing (no ProbeAck at any size) is tried again this long after (ms). */
export const PMTU_RETRY_AFTER_FAILURE_MS = 60_000
/** How often the prober looks for neighbours that came or went (ms). */
export const PMTU_SCAN_INTERVAL_MS = 1_000
