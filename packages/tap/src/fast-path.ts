import { TapError } from './errors.js'
import { loadTapBinding, type FastPathHandle, type FastSessionEntry } from './native-binding.js'

export interface FastPathInit {
  /** UDP port to bind; 0 picks a free one. */
  port: number
  /** IPv4 address to bind (default '0.0.0.0'). */
  address?: string
  /** Datagrams per recvmmsg/sendmmsg, 1..1024 (default 32). */
  batchSize?: number
  /** Largest datagram it builds (UDP payload bytes, default 65535). */
  datagramBudget?: number
  /** A session's send counter at which it stops sealing (the rekey limit). */
  rekeyAfter: bigint
  /** DF on every datagram, never fragmented here (IP_PMTUDISC_PROBE). Default false. */
  dontFragment?: boolean
  /**
   * Send runs of datagrams to one endpoint as one UDP GSO message (UDP_SEGMENT, Linux 4.18+).
   * Same datagrams on the wire. Default false (docs/PERFORMANCE.md "UDP GSO").
   */
  gso?: boolean
}

/** A datagram the fast path did not handle, for JS (`data` is a fresh copy, owned by the handler). */
export type FastRawHandler = (data: Buffer, address: string, port: number) => void
/**
 * An authenticated, recorded Data bundle of session `localIndex` carrying a MAC the fast path
 * does not know: `slab[offset, +length)` is borrowed until the handler returns.
 */
export type FastPlainHandler = (localIndex: number, slab: Buffer, offset: number, length: number) => void

export interface FastPathCounters {
  framesIn: number
  datagramsSent: number
  bytesSent: number
  sendDrops: number
  datagramsIn: number
  bytesIn: number
  framesOut: number
  tapDrops: number
  upRaw: number
  upPlain: number
  replay: number
  badTag: number
  badBundle: number
  counterExhausted: number
  recvErrors: number
  /** UDP GSO messages sent (`gso`), each carrying 2 or more of `datagramsSent`. */
  gsoSends: number
}

const COUNTER_NAMES: ReadonlyArray<keyof FastPathCounters> = [
  'framesIn', 'datagramsSent', 'bytesSent', 'sendDrops', 'datagramsIn', 'bytesIn', 'framesOut', 'tapDrops',
  'upRaw', 'upPlain', 'replay', 'badTag', 'badBundle', 'counterExhausted', 'recvErrors',
  'gsoSends',
]

/**
 * The native fast path (src/native/fast-path.h): owns the data path's UDP socket and, once a
 * NativeTap is attached to it (`tap.attachFastPath`), carries established unicast traffic
 * between the TAP and that socket without entering JS. What it does not handle comes up through
 * `onRaw` (datagrams, as a Bind would deliver them) and `onPlain` (bundles with MACs to learn).
 * JS tells it what it may handle with `publish`, a whole table at a time.
 */
export class FastPath {
  readonly port: number
  #raw: FastRawHandler = () => {}
  #plain: FastPlainHandler = () => {}
  #closed = false

  /** Wraps an addon handle; use `openFastPath`. */
  constructor(readonly handle: FastPathHandle) {
    this.port = handle.port
    handle.start(this.#deliver)
  }

  onRaw(handler: FastRawHandler): void {
    this.#raw = handler
  }

  onPlain(handler: FastPlainHandler): void {
    this.#plain = handler
  }

  /** Swaps in a new table; throws a TypeError naming a bad field (the old table stays). */
  publish(sessions: FastSessionEntry[], macs: Float64Array): void {
    this.handle.publish(sessions, macs)
  }

  /** One datagram from JS through the same socket; false when it was not sent. Never throws. */
  send(buf: Buffer, offset: number, length: number, address: string, port: number): boolean {
    return this.handle.send(buf, offset, length, address, port)
  }

  /** The MACs (48-bit numbers) the fast path used since the last call. */
  takeSeen(): Float64Array {
    return this.handle.takeSeen()
  }

  counters(): FastPathCounters {
    const c = this.handle.counters
    const out = {} as FastPathCounters
    for (let i = 0; i < COUNTER_NAMES.length; i++) out[COUNTER_NAMES[i]] = c[i]
    return out
  }

  get closed(): boolean {
    return this.#closed
  }

  close(): void {
    if (this.#closed) return
    this.#closed = true
    this.handle.close()
  }

  ref(): void {
    this.handle.ref()
  }

  unref(): void {
    this.handle.unref()
  }

  readonly #deliver = (count: number): void => {
    const { kinds, offsets, lengths, indexes, addresses, ports } = this.handle.up
    const slab = this.handle.slab
    for (let i = 0; i < count; i++) {
      const off = offsets[i]
      const len = lengths[i]
      if (kinds[i] === 1) {
        this.#plain(indexes[i], slab, off, len)
      } else {
        const a = addresses[i]
        this.#raw(Buffer.from(slab.subarray(off, off + len)), `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`, ports[i])
      }
    }
  }
}

/** Opens the fast path's UDP socket. Throws a TapError: ERR_TAP_ADDON, or ERR_FAST_PATH_BIND. */
export function openFastPath(init: FastPathInit): FastPath {
  const { FastPath: Handle } = loadTapBinding()
  const address = init.address ?? '0.0.0.0'
  try {
    return new FastPath(new Handle(address, init.port, init.batchSize ?? 32, init.datagramBudget ?? 65_535, init.rekeyAfter, init.dontFragment === true, init.gso === true))
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause)
    throw new TapError('ERR_FAST_PATH_BIND', `cannot open the fast path's UDP socket ${address}:${init.port} (${detail}); is another weft router running?`, { cause })
  }
}

export type { FastSessionEntry }
