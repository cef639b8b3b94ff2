/**
 * @weft/names: the name CRDT behind weft's DNS (docs/DNS.md), carried by the gossip engine on
 * the `dns` channel. Each entry says "name resolves to address", is owned by the peer that
 * registered it and versioned by that peer's logical clock; removals leave tombstones; a peer
 * that left is removed by raising its floor. Pure logic: no sockets, no wall clock (an injected
 * clock only ages the floors of removed peers).
 *
 * Names are held without the DNS domain (`web`, not `web.weft.local.`), matched
 * case-insensitively and answered in the case they were registered in. `Names` has the
 * `lookup`/`reverse` pair the DNS server (`@weft/dns`, `NameSource`) asks.
 *
 * @example
 * ```ts
 * import { createNames, NAMES_CHANNEL } from '@weft/names'
 *
 * const names = createNames({ selfId }, { clock, publish: (delta) => engine.publish(NAMES_CHANNEL, delta) })
 * engine.registerChannel(names) // a GossipChannel<NamesState>
 *
 * names.register('web', '10.32.0.5', containerId)   // `weft run web`
 * names.lookup('WEB')                               // ['10.32.0.5'], on every peer once gossiped
 * names.reverse('10.32.0.5')                        // ['web']
 * names.unregisterContainer(containerId)            // the container died: a tombstone
 * names.removePeer(peerThatLeft)                    // rmpeer, or the topology forgot a peer
 * setInterval(() => names.gc(), 60_000)             // ages the floors of removed peers
 * ```
 */

export * from './constants.js'
export { NamesError, type NamesErrorCode, type BadPayloadReason } from './errors.js'
export { isName, canonicalName } from './dns-name.js'
export { canonicalAddress, parseIp, formatIp } from './ip-address.js'
export { isPeerId, isContainerId, type NameEntry } from './name-entry.js'
export { joinStates, type NamesState, type PeerNames } from './names-state.js'
export { encodeNames, decodeNames } from './names-codec.js'
export { Names, createNames } from './names.js'
export type { NamesInit, NamesComponents, NamesListener, NamesStats } from './names-init.js'
