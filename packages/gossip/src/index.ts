/**
 * @weft/gossip: the gossip engine with named channels, the topology CRDT and routing
 * (docs/GOSSIP.md). Pure logic: no sockets, and no time or randomness but the injected `Clock`
 * and `random`, so it runs unchanged on a virtual clock.
 *
 * @example
 * ```ts
 * import { createGossipEngine, createRouteTable, createTopology, TOPOLOGY_CHANNEL } from '@weft/gossip'
 *
 * const engine = createGossipEngine({ selfId }, {
 *   clock, random: Math.random,
 *   send: (peer, channel, payload) => links.get(peer)?.send({ t: 'gossip', channel, payload }),
 *   logger,
 * })
 * const topology = createTopology({ selfId, nickname, restartId, udpPort: 6784 },
 *   { clock, publish: (delta) => engine.publish(TOPOLOGY_CHANNEL, delta) })
 * engine.registerChannel(topology)
 * const routes = createRouteTable({ selfId }, { records: () => topology.full() })
 * topology.onChange(() => routes.markDirty())
 *
 * // a connection came up: tell the engine, then the topology
 * engine.addNeighbour(peer)
 * topology.updateSelf({ connections: [{ peer, address: '192.0.2.7:6783', outbound: true, established: true, rttMs: 3 }] })
 * // a gossip control message arrived (never throws)
 * engine.receive(peer, msg.channel, msg.payload)
 * // forwarding
 * routes.current().unicast.get(destination) // next hop
 * routes.current().broadcast(source)         // neighbours to pass a broadcast on to
 * ```
 */

export * from './constants.js'
export { GossipError, type GossipErrorCode, type BadPayloadReason } from './errors.js'
export type { Clock, TimerHandle } from './clock.js'
export { isChannelName, type GossipChannel, type DigestAnswer } from './gossip-channel.js'
export {
  createGossipEngine,
  type GossipEngine, type GossipInit, type GossipComponents, type GossipLogger,
} from './gossip-engine.js'
export { GOSSIP_DROP_REASONS, type GossipStats, type ChannelCounters, type GossipDropReason } from './gossip-stats.js'
export { isPeerId, type PeerRecord, type PeerConnection } from './peer-record.js'
export { encodeTopology, decodeTopology, encodePeerRecord, type TopologyState } from './topology-codec.js'
export {
  Topology, createTopology,
  type TopologyInit, type TopologyComponents, type SelfUpdate, type TopologyListener, type TopologyStats,
} from './topology.js'
export {
  decodeTopologyDigest, encodeDigestEntries, encodeDigestSummary, encodeDigestWants, type TopologyDigest, type DigestEntry,
} from './topology-digest.js'
export { linkWeight } from './link-graph.js'
export { reportedRtt } from './link-rtt.js'
export { computeRoutes, type Routes } from './routes.js'
export { RouteTable, createRouteTable, type RouteTableInit, type RouteTableComponents } from './route-table.js'
