import type { Datapath } from '@weft/datapath'
import { SWARM_DATAGRAM_MAX_BYTES } from '@weft/swarm'
import type { Endpoint } from '@weft/udp'
import { PacketKind } from '@weft/wire'

/** Heartbeats on each neighbour's direct data session, this often (ms). */
export const DATA_HEARTBEAT_INTERVAL_MS = 200
/** A direct data path that has carried nothing for this long is down (ms). */
export const DATA_DEAD_AFTER_MS = 900

/**
 * Watches the direct data path to every neighbour. Every DATA_HEARTBEAT_INTERVAL_MS it sends a
 * Heartbeat on the neighbour's direct session over UDP (even while traffic goes another way, so
 * recovery is seen), and over the neighbour's carrier too when its control connection is a
 * swarm stream with datagrams. A Heartbeat's one byte says whether we hear the peer's UDP.
 *
 * UDP to a neighbour works when something authenticated came over it within DATA_DEAD_AFTER_MS
 * and the peer does not say it stopped hearing ours (so both ends see a one-way path the same
 * way). When UDP does not work but the carrier does (heard within DATA_DEAD_AFTER_MS), the
 * neighbour's traffic goes over the carrier (`Datapath.setCarrier`) and the link stays up; when
 * neither works, the link is down: the control connection may stay up meanwhile (only UDP
 * blocked), but routing must not use it, so the topology reports it as not established.
 */
export class LinkMonitor {
  private readonly down = new Set<string>()
  private readonly timer: NodeJS.Timeout
  private readonly beat = Buffer.alloc(1)

  constructor(
    private readonly datapath: Datapath,
    private readonly neighbours: () => readonly string[],
    private readonly onChange: (peer: string, up: boolean) => void,
    private readonly now: () => number = Date.now,
    /** The carrier endpoint of a neighbour's swarm stream, if it has one. */
    private readonly carrierOf: (peer: string) => Endpoint | undefined = () => undefined,
    /** Logs a neighbour's traffic moving onto its carrier (true) or back to UDP (false). */
    private readonly onCarrier: (peer: string, carried: boolean) => void = () => {},
  ) {
    this.timer = setInterval(() => this.tick(), DATA_HEARTBEAT_INTERVAL_MS)
    this.timer.unref()
  }

  /** Whether the direct data path to `peer` works, over UDP or a carrier (unknown neighbours count as up). */
  isUp(peer: string): boolean {
    return !this.down.has(peer)
  }

  forget(peer: string): void {
    this.down.delete(peer)
  }

  close(): void {
    clearInterval(this.timer)
  }

  tick(): void {
    const now = this.now()
    for (const peer of this.neighbours()) {
      const live = this.datapath.directLiveness(peer)
      const carrier = this.carrierOf(peer)
      const fresh = (at: number) => live !== undefined && now - Math.max(live.createdAt, at) <= DATA_DEAD_AFTER_MS
      this.beat[0] = live !== undefined && now - live.lastReceivedAt <= DATA_DEAD_AFTER_MS ? 1 : 0
      this.datapath.sendControlPacket(peer, PacketKind.Heartbeat, this.beat, true)
      if (carrier !== undefined) this.datapath.sendControlPacket(peer, PacketKind.Heartbeat, this.beat, true, carrier)
      if (!live) continue
      // the peer's "I do not hear you" counts once its first heartbeats had time to hear ours
      const unheard = live.peerHearsUdp === 0 && now - live.createdAt > DATA_DEAD_AFTER_MS
      const udpUp = fresh(live.lastReceivedAt) && !unheard
      const carried = !udpUp && carrier !== undefined && fresh(live.carrierReceivedAt)
      if (carried !== (this.datapath.carrierOf(peer) !== undefined)) {
        this.datapath.setCarrier(peer, carried ? carrier : undefined, SWARM_DATAGRAM_MAX_BYTES)
        this.onCarrier(peer, carried)
      }
      const up = udpUp || carried
      if (up === !this.down.has(peer)) continue
      if (up) this.down.delete(peer)
      else this.down.add(peer)
      this.onChange(peer, up)
    }
  }
}
