import type { TapDevice } from '@weft/tap'
import type { Bind, Endpoint } from '@weft/udp'
import { DropCounters } from './drop-counters.js'
import { ForwardingTable } from './forwarding-table.js'
import { MacTable } from './mac-table.js'

/** A packet of a control kind (heartbeat, probe) received on an established session. */
export type ControlPacketHandler = (peer: string, kind: number, payload: Buffer, from: Endpoint) => void

/** Totals across all sessions. */
export interface TrafficCounters {
  framesFromTap: number
  framesToTap: number
  datagramsSent: number
  datagramsReceived: number
  bytesSent: number
  bytesReceived: number
  floods: number
  tooBigReplies: number
}

/** State shared by the two directions of the data path. */
export class DatapathCore {
  table: ForwardingTable = ForwardingTable.EMPTY
  readonly macs: MacTable
  readonly drops = new DropCounters()
  readonly traffic: TrafficCounters = {
    framesFromTap: 0, framesToTap: 0, datagramsSent: 0, datagramsReceived: 0,
    bytesSent: 0, bytesReceived: 0, floods: 0, tooBigReplies: 0,
  }
  onControlPacket: ControlPacketHandler = () => {}

  constructor(
    readonly tap: TapDevice,
    readonly bind: Bind,
    readonly now: () => number,
    macLimit?: number,
  ) {
    this.macs = new MacTable(macLimit)
  }
}
