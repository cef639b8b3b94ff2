// The data path's construction options and per-session statistics (the Datapath class is in
// datapath.ts).
import type { FastPath, TapDevice } from '@weft/tap'
import type { Bind, Endpoint } from '@weft/udp'

export interface DatapathInit {
  /** Overlay MTU: the largest IP packet a container may send (bytes). */
  mtu: number
  /** MTU of the underlay path (bytes, IP packet); default 1500. */
  underlayMtu?: number
  /** Learnt-MAC limit (default MAC_TABLE_LIMIT). */
  macLimit?: number
  /**
   * Our peer id, 64 lowercase hex digits (default '': none). Needed to receive Relay datagrams
   * and to send broadcasts along routes; `setRoutes` refuses to run without it.
   */
  selfId?: string
  /** Ttl of the Relay and Broadcast datagrams we originate, 1..255 (default DEFAULT_HOP_LIMIT). */
  hopLimit?: number
}

export interface DatapathComponents {
  tap: TapDevice
  bind: Bind
  /** Clock in ms (default Date.now). */
  now?: () => number
  /**
   * The native fast path (@weft/tap `openFastPath`) when `bind` is its `FastBind` and `tap` a
   * NativeTap attached to it: sessions then get the addon's ciphers and replay windows, and the
   * data path publishes its sessions and MACs to it. Default: none, everything in JS.
   */
  fast?: FastPath
}

export interface SessionStats {
  peer: string
  localIndex: number
  endpoint: Endpoint
  mtu: number
  packetsSent: number
  bytesSent: number
  packetsReceived: number
  bytesReceived: number
  lastReceivedAt: number
  /** Whether the session is relayed (its `endpoint` is then RELAYED_ENDPOINT). */
  relayed: boolean
  /** Transit datagrams sent to this neighbour for other peers, and their bytes. */
  relayedPackets: number
  relayedBytes: number
}

/** `Datapath.directLiveness`: what the newest direct session with a peer heard, and when (ms). */
export interface DirectLiveness {
  createdAt: number
  /** Last authenticated datagram over UDP (0: never). */
  lastReceivedAt: number
  /** Last authenticated datagram over a carrier (0: never). */
  carrierReceivedAt: number
  /** The peer's last Heartbeat said it hears our UDP datagrams: 1, or 0 not; -1: not said yet. */
  peerHearsUdp: number
}
