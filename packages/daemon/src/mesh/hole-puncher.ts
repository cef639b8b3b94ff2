import { isIP } from 'node:net'
import type { Datapath } from '@weft/datapath'
import type { PeerRecord } from '@weft/gossip'
import type { Endpoint } from '@weft/udp'
import type { Logger } from 'pino'
import { parsePeerAddress } from '../peer-address.js'

/** Punch probes to a relayed peer's candidate endpoints, and keepalives on a punched path, this often (ms). */
export const PUNCH_INTERVAL_MS = 1_000
/** A punched path that carried nothing authenticated for this long is down: traffic goes back to the relay (ms). */
export const PUNCH_DEAD_AFTER_MS = 3_500
/** Rounds of probes without an answer before status gives a reason rather than "punching". */
export const PUNCH_ROUNDS_BEFORE_REASON = 3
/** Most candidate endpoints probed per peer and round. */
export const MAX_PUNCH_CANDIDATES = 8

export interface HolePuncherComponents {
  datapath: Datapath
  logger: Logger
  selfId: string
  /** Our data socket's port. */
  port: number
  /** Peers traffic goes to through relays (end-to-end sessions). */
  relayedPeers: () => readonly string[]
  /** Every topology record. */
  records: () => readonly PeerRecord[]
  now?: () => number
}

interface PunchState {
  rounds: number
  /** The punched endpoint in use, if any. */
  via: Endpoint | undefined
}

/**
 * Hole punching between our data socket and a relayed peer's, coordinated over the mesh.
 *
 * Candidates: a peer's UDP endpoints as the peers that get its datagrams see them (their
 * topology records list each neighbour at the address its datagrams come from). Every
 * PUNCH_INTERVAL_MS both ends send each other's candidates a Heartbeat sealed with their
 * end-to-end session, from the data socket: a simultaneous open that opens a mapping in each
 * NAT for the other's endpoint; a probe says whether its sender hears the other directly. Once we
 * hear the peer directly and it says it hears us, the source of its datagrams is the punched path
 * (`Datapath.setPunched`), kept open by the same heartbeats; once nothing (or no "I hear you")
 * arrives on it for PUNCH_DEAD_AFTER_MS (a flushed NAT mapping, a roaming host) traffic goes back
 * to the relay and punching starts over.
 */
export class HolePuncher {
  private readonly state = new Map<string, PunchState>()
  private readonly timer: NodeJS.Timeout
  private readonly now: () => number

  constructor(private readonly c: HolePuncherComponents) {
    this.now = c.now ?? Date.now
    this.timer = setInterval(() => this.tick(), PUNCH_INTERVAL_MS)
    this.timer.unref()
  }

  close(): void {
    clearInterval(this.timer)
  }

  /** The punched endpoint traffic to `peer` uses, if any. */
  punched(peer: string): Endpoint | undefined {
    return this.state.get(peer)?.via
  }

  /** Why traffic to relayed `peer` is not on a punched path, for status. */
  reason(peer: string): string {
    const st = this.state.get(peer)
    const candidates = this.candidates(peer)
    if (candidates.length === 0) return 'no UDP endpoint of the peer known (no peer sees its datagrams)'
    if (st === undefined || st.rounds < PUNCH_ROUNDS_BEFORE_REASON) return 'hole punching'
    const heard = this.c.datapath.punchedFrom(peer)?.endpoint
    if (heard !== undefined && !candidates.some((e) => sameEndpoint(e, heard))) {
      return `peer's NAT maps per destination (symmetric): its probe came from ${formatEndpoint(heard)}, others see it at ${candidates.map(formatEndpoint).join(', ')}; our answers do not get through`
    }
    const rec = this.c.records().find((r) => r.id === peer)
    const peerRemapped = rec !== undefined && candidates.every((e) => e.port !== rec.udpPort)
    const selfRemapped = this.candidates(this.c.selfId).some((e) => e.port !== this.c.port)
    if (peerRemapped && selfRemapped) return 'both behind symmetric NATs (likely: both ports remapped), hole punch unanswered'
    if (peerRemapped) return 'peer behind symmetric NAT (likely: its port remapped), hole punch unanswered'
    if (selfRemapped) return 'this host behind symmetric NAT (likely: our port remapped), hole punch unanswered'
    return `hole punch unanswered by ${candidates.map(formatEndpoint).join(', ')}`
  }

  tick(): void {
    const now = this.now()
    const relayed = new Set(this.c.relayedPeers())
    for (const peer of this.state.keys()) if (!relayed.has(peer)) this.state.delete(peer)
    for (const peer of relayed) {
      let st = this.state.get(peer)
      if (st === undefined) this.state.set(peer, (st = { rounds: 0, via: undefined }))
      // hearing the peer directly proves the path towards us; it is usable once the peer says
      // it hears us too (NATs may pass one direction only)
      const from = this.c.datapath.punchedFrom(peer)
      const heard = from !== undefined && now - from.at <= PUNCH_DEAD_AFTER_MS ? from.endpoint : undefined
      const live = heard !== undefined && now - from!.ackedAt <= PUNCH_DEAD_AFTER_MS ? heard : undefined
      if (!sameEndpoint(live, st.via)) {
        this.c.logger.warn({ peer: peer.slice(0, 12), endpoint: live ? formatEndpoint(live) : undefined }, live ? 'hole-punched path up' : 'hole-punched path down')
        st.via = live
        if (live === undefined) st.rounds = 0
      }
      // set every round: a rekey installs a new relayed session
      this.c.datapath.setPunched(peer, live)
      if (live !== undefined) {
        this.c.datapath.punch(peer, live, true)
        continue
      }
      st.rounds++
      const targets = this.candidates(peer)
      if (heard !== undefined && !targets.some((e) => sameEndpoint(e, heard))) targets.push(heard)
      for (const e of targets) this.c.datapath.punch(peer, e, heard !== undefined)
    }
  }

  /** UDP endpoints of `peer` as the peers that receive its datagrams see them. */
  private candidates(peer: string): Endpoint[] {
    const out = new Map<string, Endpoint>()
    for (const rec of this.c.records()) {
      if (rec.id === peer) continue
      for (const conn of rec.connections) {
        if (conn.peer !== peer || !conn.established || out.size >= MAX_PUNCH_CANDIDATES) continue
        try {
          const { host, port } = parsePeerAddress(conn.address)
          // IP literals only: never a name to resolve (gossip allows none either)
          if (isIP(host) !== 0) out.set(`${host}|${port}`, { address: host, port })
        } catch {
          // a record's address is validated by gossip; an odd one is skipped
        }
      }
    }
    return [...out.values()]
  }
}

function sameEndpoint(a: Endpoint | undefined, b: Endpoint | undefined): boolean {
  return a?.address === b?.address && a?.port === b?.port
}

export function formatEndpoint(e: Endpoint): string {
  return e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`
}
