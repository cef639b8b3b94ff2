import { DataCipher, ReplayWindow } from '@weft/crypto'
import type { Endpoint } from '@weft/udp'
import { AEAD_TAG_BYTES, BundleWriter, DATA_HEADER_BYTES, ETH_HEADER_BYTES } from '@weft/wire'
import { BUNDLE_FRAME_PREFIX_BYTES, MAX_DATAGRAM_BYTES } from './constants.js'
import { HOP_PAYLOAD_OFFSET } from './hop-header.js'

/** What the control path hands over after a handshake: indexes and the two data keys. */
export interface SessionKeys {
  /** Our index: the peer puts it in the header of every datagram it sends us. */
  localIndex: number
  /** The peer's index: we put it in the header of every datagram we send. */
  remoteIndex: number
  sendKey: Uint8Array
  receiveKey: Uint8Array
}

/** The data AEAD of one direction: @weft/crypto's DataCipher or the addon's, same calls and bytes. */
export interface SessionCipher {
  seal(buf: Uint8Array, msgOffset: number, msgLength: number, ad: Uint8Array, adOffset: number, adLength: number, counter: bigint): number
  open(buf: Uint8Array, ctOffset: number, ctLength: number, ad: Uint8Array, adOffset: number, adLength: number, counter: bigint): number
}

/** A replay window: @weft/crypto's ReplayWindow or the addon's. */
export interface SessionReplay {
  check(counter: bigint): boolean
  accept(counter: bigint): boolean
}

/**
 * Makes a session's ciphers and replay window. The default builds the JS ones; the fast path
 * (fast-publisher.ts) builds native ones, so that it can seal, open and record with the very
 * objects JS uses for the same session.
 */
export interface SessionParts {
  cipher(key: Uint8Array): SessionCipher
  replay(): SessionReplay
}

export const JS_SESSION_PARTS: SessionParts = {
  cipher: (key) => new DataCipher(key),
  replay: () => new ReplayWindow(),
}

/** The endpoint a relayed session reports: it has none of its own (its datagrams take routes). */
export const RELAYED_ENDPOINT: Endpoint = Object.freeze({ address: '', port: 0 })

export interface PeerSessionInit extends SessionKeys {
  peer: string
  endpoint: Endpoint
  /** Largest datagram payload (after IP+UDP) the path to this peer carries. */
  datagramBudget: number
  /** Largest IP packet (overlay MTU) accepted for this peer. */
  mtu: number
  createdAt: number
  /** Order of creation: a newer session replaces an older one as the sending session. */
  generation: number
  /**
   * The raw 32-byte peer id when the session is relayed: its datagrams travel inside Relay
   * datagrams through the next hop, which costs HOP_OVERHEAD_BYTES of the budget.
   */
  relayedTo?: Buffer
  /** Where the ciphers and the replay window come from (default JS_SESSION_PARTS). */
  parts?: SessionParts
}

/**
 * One encrypted session with one peer: ciphers, send counter, replay window, the pending
 * outgoing bundle and per-session counters. Owned by the data path; the control path only
 * creates it and reads its counters.
 *
 * A direct session talks to a neighbour at `endpoint`. A relayed session talks end to end to a
 * peer we have no direct path to: its datagrams are built at `innerOffset` of `tx`, so that the
 * Relay header of the next hop fits in front without a copy.
 * Counters count the datagrams sealed or opened with this session's keys (for a relayed session,
 * the inner datagrams); `relayed*` count transit datagrams sent to this neighbour for others.
 */
export class PeerSession {
  readonly peer: string
  readonly localIndex: number
  readonly remoteIndex: number
  readonly createdAt: number
  readonly generation: number
  /** Set for a relayed session: the peer's raw id, the destination of its Relay datagrams. */
  readonly relayedTo: Buffer | undefined
  /** Where the datagram starts in `tx`: 0, or HOP_PAYLOAD_OFFSET for a relayed session. */
  readonly innerOffset: number
  endpoint: Endpoint
  /** Largest IP packet sent to the peer: the installed MTU, or less once `limitPath` ran. */
  mtu: number
  /** Plaintext bytes of a bundle: what the budget leaves, or less once `limitPath` ran. */
  bundleCapacity: number
  /** `mtu` and `bundleCapacity` as installed, the most `limitPath` gives back. */
  readonly installedMtu: number
  readonly installedBundleCapacity: number
  readonly sender: SessionCipher
  readonly receiver: SessionCipher
  readonly replay: SessionReplay
  /** [0]: the next counter to send; a cell the native fast path shares (`sendCounter`). */
  readonly counterCell = new BigUint64Array(1)
  /** What the native fast path added: packetsSent, bytesSent, packetsReceived, bytesReceived. */
  readonly fastStats = new Float64Array(4)
  /** fastStats[2] when `lastReceivedAt` was last brought up to date from it. */
  fastReceivedSeen = 0
  /** Datagram under construction: header space, then the bundle, then room for the tag(s). */
  readonly tx: Buffer
  /** Replaced (same area of `tx`, another capacity) by `limitPath`, never while it holds frames. */
  bundle: BundleWriter
  pending = false
  packetsSent = 0
  bytesSent = 0
  packetsReceived = 0
  bytesReceived = 0
  lastReceivedAt = 0
  relayedPackets = 0
  relayedBytes = 0
  /**
   * Relayed session only: a hole-punched UDP endpoint of the peer the control path chose
   * (`Datapath.setPunched`); while set, datagrams go there directly, sealed with this session's
   * keys and without a Relay around them.
   */
  punchedTo: Endpoint | undefined = undefined
  /** Relayed session only: where its last authenticated datagram sent directly (no Relay) came from. */
  directFrom: Endpoint | undefined = undefined
  /** When that datagram came (ms); 0: never. */
  directFromAt = 0
  /** When a direct Heartbeat came saying the peer hears our direct datagrams too (ms); 0: never. */
  directAckAt = 0
  /**
   * Direct session only: a carrier endpoint (@weft/udp `isCarrierEndpoint`: a Hyperswarm
   * stream's datagrams) the control path chose while UDP to the peer does not work
   * (`Datapath.setCarrier`); while set, datagrams go there instead of to `endpoint`.
   */
  carrier: Endpoint | undefined = undefined
  /** When the last authenticated datagram came over UDP, and over a carrier (ms); 0: never. */
  udpReceivedAt = 0
  carrierReceivedAt = 0
  /**
   * What the peer's last Heartbeat with a payload said of our UDP datagrams: 1 it hears them,
   * 0 it does not, -1 no such Heartbeat yet.
   */
  peerHearsUdp = -1

  constructor(init: PeerSessionInit) {
    this.peer = init.peer
    this.localIndex = init.localIndex
    this.remoteIndex = init.remoteIndex
    this.createdAt = init.createdAt
    this.generation = init.generation
    this.relayedTo = init.relayedTo
    this.endpoint = init.endpoint
    const budget = Math.min(init.datagramBudget, MAX_DATAGRAM_BYTES)
    // relayed: [outer header][hop header][inner header][bundle][inner tag][outer tag]
    this.innerOffset = init.relayedTo ? HOP_PAYLOAD_OFFSET : 0
    const outerTag = init.relayedTo ? AEAD_TAG_BYTES : 0
    this.bundleCapacity = budget - this.innerOffset - DATA_HEADER_BYTES - AEAD_TAG_BYTES - outerTag
    this.mtu = Math.min(init.mtu, this.bundleCapacity - BUNDLE_FRAME_PREFIX_BYTES - 14)
    this.installedMtu = this.mtu
    this.installedBundleCapacity = this.bundleCapacity
    const parts = init.parts ?? JS_SESSION_PARTS
    this.sender = parts.cipher(init.sendKey)
    this.receiver = parts.cipher(init.receiveKey)
    this.replay = parts.replay()
    this.tx = Buffer.alloc(budget)
    this.bundle = new BundleWriter(this.tx, this.innerOffset + DATA_HEADER_BYTES, this.bundleCapacity)
  }

  /**
   * Fits this session's datagrams to a path whose largest overlay IP packet is `pathMtu` bytes
   * (path-MTU discovery): `mtu` becomes at most that, and a bundle at most one such packet's
   * frame, so no datagram outgrows the path however frames are bundled. A larger value gives
   * back up to what the session was installed with. Control path only: the data path flushes
   * every bundle before its batch returns, so the replaced bundle writer is always empty.
   */
  limitPath(pathMtu: number): void {
    const capacity = Math.min(this.installedBundleCapacity, pathMtu + ETH_HEADER_BYTES + BUNDLE_FRAME_PREFIX_BYTES)
    this.mtu = Math.min(this.installedMtu, pathMtu)
    if (capacity === this.bundleCapacity) return
    this.bundleCapacity = capacity
    this.bundle = new BundleWriter(this.tx, this.innerOffset + DATA_HEADER_BYTES, capacity)
  }

  /** Next counter to send. */
  get sendCounter(): bigint {
    return this.counterCell[0]
  }

  set sendCounter(value: bigint) {
    this.counterCell[0] = value
  }

  /** Whether this session's datagrams travel through other peers. */
  get relayed(): boolean {
    return this.relayedTo !== undefined
  }
}
