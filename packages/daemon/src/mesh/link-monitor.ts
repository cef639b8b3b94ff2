import type { Datapath } from '@weft/datapath'
import { PacketKind } from '@weft/wire'

/** Heartbeats on each neighbour's direct data session, this often (ms). */
export const DATA_HEARTBEAT_INTERVAL_MS = 200
/** A direct data path that has carried nothing for this long is down (ms). */
export const DATA_DEAD_AFTER_MS = 900

const EMPTY = new Uint8Array(0)

/**
 * Watches the direct data path to every neighbour: a heartbeat on its direct session every
 * DATA_HEARTBEAT_INTERVAL_MS (even while traffic goes through a relay, so recovery is seen),
 * and "down" once nothing authenticated arrived on it for DATA_DEAD_AFTER_MS. The control
 * connection may stay up meanwhile (only UDP blocked): routing must not use a link whose data
 * path is down, so the topology reports it as not established.
 */
export class LinkMonitor {
  private readonly down = new Set<string>()
  private readonly timer: NodeJS.Timeout

  constructor(
    private readonly datapath: Datapath,
    private readonly neighbours: () => readonly string[],
    private readonly onChange: (peer: string, up: boolean) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.timer = setInterval(() => this.tick(), DATA_HEARTBEAT_INTERVAL_MS)
    this.timer.unref()
  }

  /** Whether the direct data path to `peer` works (unknown neighbours count as up). */
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
      this.datapath.sendControlPacket(peer, PacketKind.Heartbeat, EMPTY, true)
      const live = this.datapath.directLiveness(peer)
      if (!live) continue
      const up = now - Math.max(live.createdAt, live.lastReceivedAt) <= DATA_DEAD_AFTER_MS
      if (up === !this.down.has(peer)) continue
      if (up) this.down.delete(peer)
      else this.down.add(peer)
      this.onChange(peer, up)
    }
  }
}
