/**
 * The weft data path: Ethernet frames read from the TAP go out to peers as encrypted datagrams
 * (`inside`), datagrams from peers go into the TAP (`outside`). MAC learning decides which peer
 * a frame is for; unknown and broadcast frames are flooded. Never imports the control path.
 *
 * @example
 * const dp = createDatapath({ mtu: 1376 }, { tap, bind })
 * dp.addSession(peerId, { localIndex, remoteIndex, sendKey, receiveKey }, { address, port: 6783 })
 */
export { Datapath, createDatapath } from './datapath.js'
export type { DatapathComponents, DatapathInit, SessionStats } from './datapath.js'
export type { ControlPacketHandler, TrafficCounters } from './datapath-core.js'
export { DropReason, DROP_REASON_NAMES } from './drop-counters.js'
export { ForwardingTable } from './forwarding-table.js'
export { LOCAL, MacTable } from './mac-table.js'
export { PeerSession } from './peer-session.js'
export type { SessionKeys } from './peer-session.js'
export { DatapathError } from './errors.js'
export * from './constants.js'
