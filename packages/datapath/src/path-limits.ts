import type { Endpoint } from '@weft/udp'
import { HOP_HEADER_BYTES, PATH_OVERHEAD_BYTES } from './constants.js'
import type { DatapathCore } from './datapath-core.js'
import { HOP_OVERHEAD_BYTES } from './hop-header.js'
import type { Inside } from './inside.js'
import type { PeerSession } from './peer-session.js'

/** A carrier the control path chose for a neighbour, and the largest weft datagram it takes. */
export interface Carrier {
  to: Endpoint
  maxDatagramBytes: number
}

/** The largest overlay IP packet whose datagram (one frame in a bundle) is `bytes` long. */
function mtuOfDatagram(bytes: number): number {
  return bytes - PATH_OVERHEAD_BYTES
}

/**
 * What bounds the datagrams to each peer, as the control path set it: path MTUs measured to
 * neighbours and end to end through relays, and the carrier a neighbour's direct traffic takes
 * instead of UDP. Kept per peer until `forget`, and applied to sessions installed later.
 * Control path only (the data path reads the sessions' `mtu`, `bundle` and `carrier`).
 */
export class PathLimits {
  /** Path MTUs the control path measured, by neighbour. */
  readonly pathMtus = new Map<string, number>()
  /** Path MTUs measured end to end over a relay, by peer. */
  readonly relayedPathMtus = new Map<string, number>()
  readonly carriers = new Map<string, Carrier>()

  constructor(private readonly core: DatapathCore, private readonly inside: Inside) {}

  forget(peer: string): void {
    this.pathMtus.delete(peer)
    this.relayedPathMtus.delete(peer)
    this.carriers.delete(peer)
  }

  /** Fits direct session `s` to its path MTU and to its carrier's datagrams. */
  fitDirect(s: PeerSession): void {
    const c = this.carriers.get(s.peer)
    s.carrier = c?.to
    s.limitPath(Math.min(this.pathMtus.get(s.peer) ?? Infinity, c === undefined ? Infinity : mtuOfDatagram(c.maxDatagramBytes)))
  }

  /** `fitDirect` for every direct session of `peer`. */
  fitPeer(peer: string): void {
    for (const s of this.core.table.byIndex.values()) if (s.peer === peer && s.relayedTo === undefined) this.fitDirect(s)
  }

  /**
   * Fits every relayed session to the smaller of its end-to-end path MTU and its first hop's
   * (less the Relay's overhead), and our Broadcasts to the smallest path MTU of the neighbours
   * they go out to (less the hop header). Unknown path MTUs do not limit; a carrier does.
   */
  fitAll(): void {
    const core = this.core
    for (const s of core.table.byIndex.values()) {
      if (s.relayedTo === undefined) continue
      s.limitPath(Math.min(this.relayedPathMtus.get(s.peer) ?? Infinity, this.hopMtu(core.nextHop(s.peer)?.peer, HOP_OVERHEAD_BYTES)))
    }
    let broadcast = Infinity
    if (core.routed) for (const to of core.broadcastTo(core.selfId)) broadcast = Math.min(broadcast, this.hopMtu(to, HOP_HEADER_BYTES))
    this.inside.limitBroadcast(broadcast)
  }

  private hopMtu(peer: string | undefined, overhead: number): number {
    if (peer === undefined) return Infinity
    const c = this.carriers.get(peer)
    const m = Math.min(this.pathMtus.get(peer) ?? Infinity, c === undefined ? Infinity : mtuOfDatagram(c.maxDatagramBytes))
    return m - overhead
  }
}
