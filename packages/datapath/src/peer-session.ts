import { DataCipher, ReplayWindow } from '@weft/crypto'
import type { Endpoint } from '@weft/udp'
import { AEAD_TAG_BYTES, BundleWriter, DATA_HEADER_BYTES } from '@weft/wire'
import { BUNDLE_FRAME_PREFIX_BYTES, MAX_DATAGRAM_BYTES } from './constants.js'

/** What the control path hands over after a handshake: indexes and the two data keys. */
export interface SessionKeys {
  /** Our index: the peer puts it in the header of every datagram it sends us. */
  localIndex: number
  /** The peer's index: we put it in the header of every datagram we send. */
  remoteIndex: number
  sendKey: Uint8Array
  receiveKey: Uint8Array
}

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
}

/**
 * One encrypted session with one peer: ciphers, send counter, replay window, the pending
 * outgoing bundle and per-session counters. Owned by the data path; the control path only
 * creates it and reads its counters.
 */
export class PeerSession {
  readonly peer: string
  readonly localIndex: number
  readonly remoteIndex: number
  readonly createdAt: number
  readonly generation: number
  endpoint: Endpoint
  mtu: number
  readonly bundleCapacity: number
  readonly sender: DataCipher
  readonly receiver: DataCipher
  readonly replay = new ReplayWindow()
  /** Next counter to send. */
  sendCounter = 0n
  /** Datagram under construction: header space, then the bundle, then room for the tag. */
  readonly tx: Buffer
  readonly bundle: BundleWriter
  pending = false
  packetsSent = 0
  bytesSent = 0
  packetsReceived = 0
  bytesReceived = 0
  lastReceivedAt = 0

  constructor(init: PeerSessionInit) {
    this.peer = init.peer
    this.localIndex = init.localIndex
    this.remoteIndex = init.remoteIndex
    this.createdAt = init.createdAt
    this.generation = init.generation
    this.endpoint = init.endpoint
    const budget = Math.min(init.datagramBudget, MAX_DATAGRAM_BYTES)
    this.bundleCapacity = budget - DATA_HEADER_BYTES - AEAD_TAG_BYTES
    this.mtu = Math.min(init.mtu, this.bundleCapacity - BUNDLE_FRAME_PREFIX_BYTES - 14)
    this.sender = new DataCipher(init.sendKey)
    this.receiver = new DataCipher(init.receiveKey)
    this.tx = Buffer.alloc(budget)
    this.bundle = new BundleWriter(this.tx, DATA_HEADER_BYTES, this.bundleCapacity)
  }
}
