/** The word that selects Hyperswarm's public bootstrap nodes; never a default. */
export const PUBLIC_BOOTSTRAP = 'public'
/** Most entries in a `--swarm-bootstrap` list. */
export const MAX_BOOTSTRAP_NODES = 16
/** Longest `--swarm-bootstrap` value accepted (characters). */
export const MAX_BOOTSTRAP_TEXT_CHARS = 4096
/** Most swarm connections Hyperswarm keeps open at once. */
export const SWARM_MAX_PEERS = 64
/** How long `SwarmRendezvous.start` waits for the first announce to finish (ms). */
export const SWARM_ANNOUNCE_TIMEOUT_MS = 30_000
/** How often to announce and look the topic up again while no swarm peer is connected (ms; plus up to as much again at random). */
export const SWARM_LOOKUP_IDLE_MS = 3_000
/** How often to announce and look the topic up again once some peer is connected (ms): finds newcomers. */
export const SWARM_LOOKUP_MS = 30_000
/** How often the lookup timer checks whether a lookup is due (ms). */
export const SWARM_LOOKUP_TICK_MS = 250
/**
 * Largest weft datagram sent as one swarm stream message: UDX's base MTU (1200 bytes, what every
 * UDX path carries before its MTU probing) less IPv4 (20), UDP (8), UDX (20) and the stream's
 * message box (8-byte counter, 16-byte tag).
 */
export const SWARM_DATAGRAM_MAX_BYTES = 1200 - 20 - 8 - 20 - 24
