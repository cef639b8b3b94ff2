/**
 * The weft data path: Ethernet frames read from the TAP go out to peers as encrypted datagrams
 * (`inside`), datagrams from peers go into the TAP (`outside`). MAC learning decides which peer
 * a frame is for; unknown and broadcast frames are flooded, along the control path's broadcast
 * trees once it has set routes. Peers without a direct path are reached end to end through
 * relays (Relay datagrams). Never imports the control path.
 *
 * @example
 * const dp = createDatapath({ mtu: 1376, selfId }, { tap, bind })
 * dp.addSession(peerId, { localIndex, remoteIndex, sendKey, receiveKey }, { address, port: 6783 })
 * dp.addRelayedSession(farPeerId, farKeys)         // end to end, through a next hop
 * dp.setRoutes({ nextHop: new Map([[farPeerId, peerId]]), broadcast: (source) => trees.get(source) ?? [] })
 *
 * // path-MTU discovery: the data path answers Probes itself; the control path searches sizes
 * dp.onProbeAck((peer, id, size) => console.log(peer, id, size)) // a probe got through
 * dp.sendProbe(peerId, 1, 1472)                    // exactly 1472 bytes of UDP payload
 * dp.setPeerMtu(peerId, 1472 - PATH_OVERHEAD_BYTES) // once the largest acked size is known
 */
export { Datapath, createDatapath } from './datapath.js'
export type { DatapathComponents, DatapathInit, DirectLiveness, SessionStats } from './datapath.js'
export type { ControlPacketHandler, TrafficCounters } from './datapath-core.js'
export { NO_ROUTES } from './datapath-routes.js'
export type { DatapathRoutes } from './datapath-routes.js'
export { DropReason, DROP_REASON_NAMES } from './drop-counters.js'
export { ForwardingTable } from './forwarding-table.js'
export {
  BROADCAST_MIN_PAYLOAD_BYTES, HOP_OVERHEAD_BYTES, HOP_PAYLOAD_OFFSET, HOP_TTL_OFFSET, HopDecodeResult,
  HopHeaderView, RELAY_MIN_PAYLOAD_BYTES, writeHopHeader,
} from './hop-header.js'
export { LOCAL, MacTable } from './mac-table.js'
export { PeerIdIndex, isPeerId, peerIdBytes } from './peer-id-index.js'
export { PeerSession, RELAYED_ENDPOINT } from './peer-session.js'
export type { ProbeAckHandler } from './path-probes.js'
export { Ipv4Fragmenter } from './ipv4-fragmenter.js'
export type { FragmentSink } from './ipv4-fragmenter.js'
export type { SessionKeys } from './peer-session.js'
export { DatapathError } from './errors.js'
export type { DatapathErrorCode } from './errors.js'
export * from './constants.js'
