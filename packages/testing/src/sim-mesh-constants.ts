// Defaults of the simulated mesh. The timing constants mirror the real router's
// (packages/daemon/src/constants.ts and mesh/mesh.ts) so that a simulated router behaves on the
// virtual clock as a real one does on Node's timers; keep them in step by hand.

/** Port every simulated router accepts control streams on (the daemon's `DEFAULT_PORT`). */
export const SIM_CONTROL_PORT = 6783
/** Data-path UDP port each simulated router advertises in its record and `hello`. */
export const SIM_UDP_PORT = 6783
/** Self-record refresh and topology gc period (ms): the daemon's `MESH_REFRESH_INTERVAL_MS`. */
export const SIM_REFRESH_INTERVAL_MS = 5_000
/** Heartbeat (ping) period per established link (ms): the daemon's `HEARTBEAT_INTERVAL_MS`. */
export const SIM_HEARTBEAT_INTERVAL_MS = 1_000
/** A link that has heard nothing for this long is closed (ms): `CONNECTION_IDLE_TIMEOUT_MS`. */
export const SIM_IDLE_TIMEOUT_MS = 6_000
/** A link whose `hello` has not arrived by then is abandoned (ms): `HANDSHAKE_TIMEOUT_MS`. */
export const SIM_HANDSHAKE_TIMEOUT_MS = 10_000
/** First redial delay of a failed target (ms), doubling with jitter: `RETRY_INITIAL_MS`. */
export const SIM_RETRY_INITIAL_MS = 250
/** Longest redial delay (ms): `RETRY_MAX_MS`. */
export const SIM_RETRY_MAX_MS = 30_000
/** Largest frame body a simulated link accepts (bytes): `MAX_CONTROL_MESSAGE_BYTES`. */
export const SIM_MAX_FRAME_BYTES = 1024 * 1024
/** Mean degree of a `random-sparse` mesh when `SimMeshInit.degree` is not given. */
export const DEFAULT_SIM_DEGREE = 4
/** One-way delay of each link, drawn uniformly per link from this inclusive range (whole ms). */
export const DEFAULT_SIM_LINK_DELAY_MS: readonly [number, number] = Object.freeze([1, 20] as [number, number])
