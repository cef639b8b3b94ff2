/**
 * @weft/netsim: a deterministic simulated network for tests. One seeded PRNG, one virtual clock,
 * hosts and RFC 4787 NATs joined by links with delay, jitter, loss, duplication, reordering and
 * MTU; partitions; a per-datagram intercept hook; UDP binds with the data path's `Bind` shape;
 * reliable ordered streams for control connections; drivers that run the clock until the network
 * is quiet or a predicate holds.
 *
 * - Topology: hosts and NATs live in realms (address spaces): the internet and the inside of each
 *   NAT (NATs may nest). A datagram crosses one link per hop (host -> NAT -> NAT -> host); link
 *   properties, blocks and partitions name the nodes at the ends, and a partition between two
 *   hosts also stops traffic between them through NATs.
 * - Time: nothing happens until the clock moves (`net.clock.advance`, `runUntilQuiet`,
 *   `runUntil`); `send`, `write` and `connect` never call back synchronously. Inject
 *   `net.clock` wherever the code under test takes a clock (`{ now, setTimeout, clearTimeout }`).
 * - Randomness: everything derives from `seed`; each link direction, NAT, host and stream owns a
 *   fork, so adding traffic in one place does not change what happens in another. The same seed
 *   and program give the same `trace()`, byte for byte.
 *
 * @example
 * import { createSimNetwork, runUntil, runUntilQuiet } from '@weft/netsim'
 *
 * const net = createSimNetwork({ seed: 42, link: { delayMs: 5, loss: 0.01 } })
 * net.trace(true)
 * net.addNat('home', { publicAddress: '203.0.113.1', mapping: 'endpoint-independent', filtering: 'address-and-port-dependent' })
 * const laptop = net.addHost('laptop', { address: '192.168.1.2', behind: 'home' })
 * const server = net.addHost('server', { address: '198.51.100.7' })
 *
 * const s = server.bind(6783) // a Bind for the data path
 * s.onDatagram((data, from) => s.send(data, 0, data.length, from)) // echo to the NAT's mapping
 * const c = laptop.bind(6783)
 * c.onDatagram((data, from) => console.log('echo from', from, data.toString()))
 * c.send(Buffer.from('hi'), 0, 2, { address: '198.51.100.7', port: 6783 })
 * runUntilQuiet(net, { maxMs: 1_000 })
 *
 * server.listen(6784, (stream) => stream.on('data', (d) => stream.write(d)))
 * const control = laptop.connect({ address: '198.51.100.7', port: 6784 })
 * runUntil(net, () => control.state === 'open', { maxMs: 1_000 })
 *
 * net.partition(['laptop'], ['server']) // datagrams dropped; the stream closes after streamTimeoutMs
 * runUntilQuiet(net, { maxMs: 60_000 })
 * console.log(net.counters().dropped, net.trace())
 */
export { VirtualClock, TimerHandle } from './virtual-clock.js'
export { Prng, createPrng } from './prng.js'
export type { Bind, DatagramHandler, Endpoint } from './endpoint.js'
export { endpointKey } from './endpoint.js'
export type { LinkProps } from './link-props.js'
export { DEFAULT_LINK } from './link-props.js'
export { SimNetwork, createSimNetwork } from './sim-network.js'
export type { SimNetworkInit } from './sim-network.js'
export { SimHost } from './sim-host.js'
export type { SimHostInit } from './sim-host.js'
export { SimNat, NAT_BEHAVIORS } from './sim-nat.js'
export type { NatBehavior, SimNatInit, SimNatMapping, SimProto } from './sim-nat.js'
export { SimUdpBind } from './sim-udp-bind.js'
export { SimStream, SimListener } from './sim-stream.js'
export type { SimStreamCloseReason, SimStreamEvents, SimStreamState } from './sim-stream.js'
export type { Intercept, InterceptedDatagram, InterceptVerdict } from './intercept.js'
export { DROP_REASONS } from './sim-counters.js'
export type { DropReason, SimCounters } from './sim-counters.js'
export { runUntil, runUntilQuiet } from './drivers.js'
export type { QuietResult, Runnable, RunUntilInit, RunUntilQuietInit, RunUntilResult } from './drivers.js'
export { NetsimError } from './errors.js'
export type { NetsimErrorCode } from './errors.js'
export * from './constants.js'
