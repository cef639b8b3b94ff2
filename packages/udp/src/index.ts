/**
 * UDP for the data path: `UdpBind` (node:dgram), `FastBind` (the native fast path's socket) and
 * `SimBind` (in memory), one `Bind` interface; `CarrierBind` adds message channels to peers
 * that are not UDP (a Hyperswarm stream's datagrams) behind the same interface.
 *
 * @example
 * const bind = await openUdpBind({ port: 6783, dontFragment: true }) // DF on every datagram
 * bind.onDatagram((data, from) => console.log(data.length, from))
 * bind.send(buf, 0, len, { address: '198.18.0.11', port: 6783 })
 */
export type { Bind, DatagramHandler, Endpoint } from './bind.js'
export { endpointKey } from './bind.js'
export { UdpBind, openUdpBind } from './udp-bind.js'
export { socketFd } from './socket-fd.js'
export { FastBind } from './fast-bind.js'
export { CARRIER_PREFIX, CarrierBind, isCarrierEndpoint } from './carrier-bind.js'
export type { DatagramChannel } from './carrier-bind.js'
export { MemoryChannel, memoryChannelPair } from './memory-channel.js'
export type { UdpBindInit } from './udp-bind.js'
export { SimBind, SimNetwork } from './sim-bind.js'
export type { SimDatagram } from './sim-bind.js'
export { UdpError } from './errors.js'
export * from './constants.js'
