import { createRequire } from 'node:module'
import { TapError } from './errors.js'

/**
 * The addon's TapHandle (src/native/tap.cc). `slab`, `offsets`, `lengths` and `counters` are
 * created once per handle and written by native code; `counters` holds framesRead,
 * framesWritten, writeDrops and readErrors, in that order.
 */
export interface TapHandle {
  readonly name: string
  readonly slab: Buffer
  readonly offsets: Uint32Array
  readonly lengths: Uint32Array
  readonly counters: Float64Array
  start(callback: (count: number) => void): void
  write(buf: Buffer, offset: number, length: number): boolean
  close(): void
  ref(): void
  unref(): void
  /** Each batch read goes through the fast path first; null detaches it. */
  attachFastPath(fastPath: FastPathHandle | null): void
}

/** One session as `FastPathHandle.publish` takes it (src/native/fast-path-control.cc). */
export interface FastSessionEntry {
  localIndex: number
  remoteIndex: number
  /** Peer slot, 1..2^31 - 1: the same number as the MAC owners of that peer. */
  peer: number
  /** Whether this is the peer's sending session (the fast path only handles those). */
  sending: boolean
  address: string
  port: number
  mtu: number
  bundleCapacity: number
  sender: NativeDataCipherHandle
  receiver: NativeDataCipherHandle
  replay: NativeReplayWindowHandle
  /** [0] = the next send counter, shared with JS. */
  counter: BigUint64Array
  /** packetsSent, bytesSent, packetsReceived, bytesReceived: the fast path adds to them. */
  stats: Float64Array
}

/** The addon's FastPath (src/native/fast-path.cc). */
export interface FastPathHandle {
  readonly port: number
  readonly slab: Buffer
  readonly up: {
    readonly kinds: Uint32Array
    readonly offsets: Uint32Array
    readonly lengths: Uint32Array
    readonly indexes: Uint32Array
    readonly addresses: Uint32Array
    readonly ports: Uint32Array
  }
  readonly counters: Float64Array
  start(callback: (count: number) => void): void
  publish(sessions: FastSessionEntry[], macs: Float64Array): void
  send(buf: Buffer, offset: number, length: number, address: string, port: number): boolean
  takeSeen(): Float64Array
  close(): void
  ref(): void
  unref(): void
}

/**
 * The addon's ChaCha20-Poly1305-IETF (OpenSSL EVP, src/native/data-aead.cc), with the same
 * calls and results as @weft/crypto's DataCipher: a length, or -1 for any bad argument or a
 * failed tag (then the message bytes are zeroed). Never throws per packet.
 */
export interface NativeDataCipherHandle {
  seal(buf: Uint8Array, msgOffset: number, msgLength: number, ad: Uint8Array, adOffset: number, adLength: number, counter: bigint): number
  open(buf: Uint8Array, ctOffset: number, ctLength: number, ad: Uint8Array, adOffset: number, adLength: number, counter: bigint): number
  destroy(): void
}

/** The addon's replay window (src/native/replay-window.h): @weft/crypto's ReplayWindow in C++. */
export interface NativeReplayWindowHandle {
  check(counter: bigint): boolean
  accept(counter: bigint): boolean
  reset(): void
}

export interface TapBinding {
  /** Throws an Error with `code` (errno name) when the socket cannot be opened or bound. */
  FastPath: new (address: string, port: number, batchSize: number, datagramBudget: number, rekeyAfter: bigint, dontFragment: boolean, gso?: boolean) => FastPathHandle
  NativeReplayWindow: new () => NativeReplayWindowHandle
  /** Throws a TypeError unless `key` is a 32-byte Uint8Array. */
  NativeDataCipher: new (key: Uint8Array) => NativeDataCipherHandle
  TapHandle: new (name: string, batchSize: number, slotSize: number, netns: string) => TapHandle
  /** IP(V6)_MTU_DISCOVER = *_PMTUDISC_PROBE on a socket fd; throws an Error with `code` (errno name). */
  setDontFragment(fd: number, family: 4 | 6): void
  /** The socket's IP_MTU_DISCOVER (4) or IPV6_MTU_DISCOVER (6) value; throws like setDontFragment. */
  getMtuDiscover(fd: number, family: 4 | 6): number
}

/** Relative to this file, which sits one level below the package root in src/ and in dist/. */
const ADDON_PATH = '../build/Release/weft_tap.node'

let binding: TapBinding | undefined

/** Loads the addon once; throws `ERR_TAP_ADDON` when it is not built. */
export function loadTapBinding(): TapBinding {
  if (binding === undefined) {
    try {
      binding = createRequire(import.meta.url)(ADDON_PATH) as TapBinding
    } catch (cause) {
      throw new TapError('ERR_TAP_ADDON', `cannot load the TAP addon (${ADDON_PATH}): run \`npx node-gyp rebuild\` in packages/tap`, { cause })
    }
  }
  return binding
}
