import type { PeerSession } from './peer-session.js'

/**
 * The sessions the data path may use, as one immutable object: the control path builds a new
 * table and swaps it in whole; the data path reads whichever table is current.
 * `byPeer` is the session used to send to a peer; `byIndex` every session we accept, by our index
 * (a replaced session keeps receiving until the control path retires it).
 */
export class ForwardingTable {
  static readonly EMPTY = new ForwardingTable(new Map(), new Map())

  private constructor(
    readonly byPeer: ReadonlyMap<string, PeerSession>,
    readonly byIndex: ReadonlyMap<number, PeerSession>,
  ) {}

  /** Peers in a stable order, for flooding. */
  get peers(): readonly PeerSession[] {
    return this.list ??= [...this.byPeer.values()]
  }

  /** Peers whose sending session is direct (a neighbour's), in a stable order: today's flood. */
  get directPeers(): readonly PeerSession[] {
    return this.directList ??= this.peers.filter((s) => !s.relayed)
  }

  private list: PeerSession[] | undefined
  private directList: PeerSession[] | undefined

  withSession(s: PeerSession): ForwardingTable {
    const byPeer = new Map(this.byPeer)
    byPeer.set(s.peer, s)
    const byIndex = new Map(this.byIndex)
    byIndex.set(s.localIndex, s)
    return new ForwardingTable(byPeer, byIndex)
  }

  /** Accepts datagrams on `s` without sending on it yet (the receiving half of a rekey). */
  withReceiveOnly(s: PeerSession): ForwardingTable {
    const byIndex = new Map(this.byIndex)
    byIndex.set(s.localIndex, s)
    return new ForwardingTable(this.byPeer, byIndex)
  }

  withoutSession(localIndex: number): ForwardingTable {
    const s = this.byIndex.get(localIndex)
    if (!s) return this
    const byIndex = new Map(this.byIndex)
    byIndex.delete(localIndex)
    const byPeer = new Map(this.byPeer)
    if (byPeer.get(s.peer) === s) {
      byPeer.delete(s.peer)
      // fall back to another live session of the same peer, newest first
      let best: PeerSession | undefined
      for (const other of byIndex.values()) {
        if (other.peer === s.peer && (!best || other.generation > best.generation)) best = other
      }
      if (best) byPeer.set(s.peer, best)
    }
    return new ForwardingTable(byPeer, byIndex)
  }

  withoutPeer(peer: string): ForwardingTable {
    const byPeer = new Map(this.byPeer)
    byPeer.delete(peer)
    const byIndex = new Map([...this.byIndex].filter(([, s]) => s.peer !== peer))
    return new ForwardingTable(byPeer, byIndex)
  }
}
