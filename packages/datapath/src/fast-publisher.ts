import type { FastPath, FastSessionEntry } from '@weft/tap'
import { createNativeDataCipher, createNativeReplayWindow } from '@weft/tap'
import type { Endpoint } from '@weft/udp'
import type { DatapathCore } from './datapath-core.js'
import type { ForwardingTable } from './forwarding-table.js'
import { LOCAL } from './mac-table.js'
import type { PeerSession, SessionParts } from './peer-session.js'

/** Sessions made for the fast path: the addon's ciphers and replay window, shared with it. */
export const NATIVE_SESSION_PARTS: SessionParts = {
  cipher: (key) => createNativeDataCipher(key),
  replay: () => createNativeReplayWindow(),
}

const IPV4 = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/

interface Published {
  endpoint: Endpoint
  mtu: number
  bundleCapacity: number
}

/**
 * Keeps the native fast path's table (@weft/tap `FastPath.publish`) in step with the data
 * path's: its sessions that send straight to an IPv4 UDP endpoint (which one sends for each
 * peer, endpoint, MTU, bundle size, ciphers, replay window, counter cells) and the learnt MACs,
 * local or a peer's. Those sessions are the direct ones not on a carrier, and the relayed ones
 * on a hole-punched path: the same datagrams either way (sealed with the session's keys, no
 * Relay around them), so the native loop needs nothing new for punched paths. Control path
 * and JS data path call `sync` after anything that may have changed them; it republishes the
 * whole table only when the forwarding table, the MAC table or a session's endpoint, MTU or
 * bundle size changed. Peers become small numbers (slots) for the native side.
 */
export class FastPublisher {
  private readonly slots = new Map<string, number>()
  private nextSlot = 1
  private table: ForwardingTable | undefined
  private macVersion = -1
  private readonly published = new Map<PeerSession, Published>()
  publishes = 0

  constructor(private readonly core: DatapathCore, readonly fast: FastPath) {}

  /** `force`: republish even if nothing it watches changed (a session left or joined a carrier). */
  sync(force = false): void {
    if (this.fast.closed) return
    if (!force && this.core.table === this.table && this.core.macs.version === this.macVersion && !this.moved()) return
    this.publish()
  }

  /** Refreshes the age of the MACs the fast path used (they would expire otherwise). */
  refreshMacs(now: number): void {
    if (this.fast.closed) return
    const seen = this.fast.takeSeen()
    for (let i = 0; i < seen.length; i++) this.core.macs.touch(seen[i], now)
  }

  private moved(): boolean {
    for (const [s, p] of this.published) {
      if (wireEndpoint(s) !== p.endpoint || s.mtu !== p.mtu || s.bundleCapacity !== p.bundleCapacity) return true
    }
    return false
  }

  private publish(): void {
    const core = this.core
    this.refreshMacs(core.now())  // a new table starts with no MAC seen
    this.published.clear()
    const sessions: FastSessionEntry[] = []
    for (const s of core.table.byIndex.values()) {
      const e = wireEndpoint(s)
      if (e === undefined || !IPV4.test(e.address) || e.port === 0) continue
      sessions.push({
        localIndex: s.localIndex, remoteIndex: s.remoteIndex, peer: this.slot(s.peer),
        sending: core.table.byPeer.get(s.peer) === s, address: e.address, port: e.port, mtu: s.mtu,
        bundleCapacity: s.bundleCapacity, sender: s.sender as FastSessionEntry['sender'],
        receiver: s.receiver as FastSessionEntry['receiver'], replay: s.replay as FastSessionEntry['replay'],
        counter: s.counterCell, stats: s.fastStats,
      })
      this.published.set(s, { endpoint: e, mtu: s.mtu, bundleCapacity: s.bundleCapacity })
    }
    const macs: number[] = []
    core.macs.forEach((owner, mac) => {
      if (owner === LOCAL) macs.push(mac, 0)
      else if (this.slots.has(owner)) macs.push(mac, this.slots.get(owner) as number)
    })
    this.fast.publish(sessions, Float64Array.from(macs))
    this.table = core.table
    this.macVersion = core.macs.version
    this.publishes++
  }

  private slot(peer: string): number {
    let n = this.slots.get(peer)
    if (n === undefined) {
      n = this.nextSlot++
      this.slots.set(peer, n)
    }
    return n
  }
}

/**
 * Where `s`'s datagrams go as plain UDP, if they do: a direct session's endpoint (unless a
 * carrier takes them), a relayed session's punched endpoint.
 */
function wireEndpoint(s: PeerSession): Endpoint | undefined {
  if (s.relayedTo !== undefined) return s.punchedTo
  return s.carrier === undefined ? s.endpoint : undefined
}
