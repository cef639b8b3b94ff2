import { CHANNEL_TAP_DEFAULT_SLOT_SIZE_BYTES, CHANNEL_TAP_QUEUE_FRAMES, TAP_MIN_FRAME_BYTES } from './constants.js'
import { batchShape } from './batch-shape.js'
import { TapError } from './errors.js'
import type { BatchHandler, TapDevice, TapStats } from './tap-device.js'

export interface ChannelTapInit {
  /** Interface name reported by `name`. Default 'chtap0'. */
  name?: string
  /** Most frames per batch. Default 64 (TAP_DEFAULT_BATCH_SIZE). */
  batchSize?: number
  /** Bytes per slab slot, the largest frame `inject` accepts. Default 9216 (CHANNEL_TAP_DEFAULT_SLOT_SIZE_BYTES). */
  slotSize?: number
  /** Called with a copy of every frame `write` accepts. Default: none. */
  onWrite?: (frame: Buffer) => void
  /** Whether `written` keeps those copies. Default true. */
  keepWritten?: boolean
}

interface MutableBatch {
  count: number
  readonly slab: Buffer
  readonly offsets: Uint32Array
  readonly lengths: Uint32Array
}

/**
 * An in-memory TapDevice for tests, shaped like NativeTap: frames reach the handler as batches
 * in one preallocated slab, borrowed until the handler returns.
 *
 * Delivery is asynchronous, on microtasks: `inject` queues a copy, and each microtask delivers
 * one batch of at most `batchSize` queued frames (as a level-triggered fd would, one batch per
 * turn). `flush()` delivers everything queued synchronously instead. Nothing is delivered before
 * `onBatch`. `write` keeps the kernel's rules: arguments in range and at least 14 bytes, or false.
 */
export class ChannelTap implements TapDevice {
  readonly name: string
  /** Copies of the frames written, oldest first (when `keepWritten`). Clear it at will. */
  readonly written: Buffer[] = []
  readonly #onWrite: ((frame: Buffer) => void) | undefined
  readonly #keepWritten: boolean
  readonly #batch: MutableBatch
  readonly #slotSize: number
  readonly #queue: Buffer[] = []
  readonly #stats = { framesRead: 0, framesWritten: 0, writeDrops: 0, readErrors: 0 }
  #handler: BatchHandler | undefined
  #scheduled = false
  #delivering = false
  #closed = false

  constructor(init: ChannelTapInit = {}) {
    const { batchSize, slotSize } = batchShape(init.batchSize, init.slotSize, CHANNEL_TAP_DEFAULT_SLOT_SIZE_BYTES)
    this.name = init.name ?? 'chtap0'
    this.#onWrite = init.onWrite
    this.#keepWritten = init.keepWritten ?? true
    this.#slotSize = slotSize
    const offsets = new Uint32Array(batchSize)
    for (let i = 0; i < batchSize; i++) offsets[i] = i * slotSize
    this.#batch = { count: 0, slab: Buffer.alloc(batchSize * slotSize), offsets, lengths: new Uint32Array(batchSize) }
  }

  /** Frames injected and not yet delivered. */
  get pending(): number {
    return this.#queue.length
  }

  /**
   * Queues a copy of `frame` for reading. False when closed or the queue holds
   * CHANNEL_TAP_QUEUE_FRAMES frames; false and a counted read error when the frame is empty or
   * longer than `slotSize`.
   */
  inject(frame: Buffer): boolean {
    if (this.#closed || this.#queue.length >= CHANNEL_TAP_QUEUE_FRAMES) return false
    if (frame.length === 0 || frame.length > this.#slotSize) {
      this.#stats.readErrors++
      return false
    }
    this.#queue.push(Buffer.from(frame))
    this.#schedule()
    return true
  }

  /**
   * Delivers every queued frame now, in batches, and returns how many. Does nothing without a
   * handler, after `close`, or when called from inside a handler.
   */
  flush(): number {
    let delivered = 0
    while (this.#queue.length > 0 && this.#handler !== undefined && !this.#delivering) {
      delivered += this.#deliverOne()
    }
    return delivered
  }

  onBatch(handler: BatchHandler): void {
    if (this.#closed) throw new TapError('ERR_TAP_CLOSED', `TAP ${this.name} is closed: create a new ChannelTap`)
    this.#handler = handler
    this.#schedule()
  }

  write(buf: Buffer, offset: number, length: number): boolean {
    if (this.#closed || !frameInRange(buf, offset, length) || length < TAP_MIN_FRAME_BYTES) {
      this.#stats.writeDrops++
      return false
    }
    this.#stats.framesWritten++
    const copy = Buffer.from(buf.subarray(offset, offset + length))
    if (this.#keepWritten) this.written.push(copy)
    this.#onWrite?.(copy)
    return true
  }

  stats(): TapStats {
    return { ...this.#stats }
  }

  /** Drops queued frames and stops delivery. Idempotent; fine inside a handler. */
  close(): void {
    this.#closed = true
    this.#handler = undefined
    this.#queue.length = 0
  }

  #schedule(): void {
    if (this.#scheduled || this.#handler === undefined || this.#queue.length === 0) return
    this.#scheduled = true
    queueMicrotask(() => {
      this.#scheduled = false
      if (this.#delivering) return
      this.#deliverOne()
      this.#schedule()
    })
  }

  /** Copies up to batchSize queued frames into the slab and hands them to the handler. */
  #deliverOne(): number {
    const handler = this.#handler
    if (handler === undefined || this.#queue.length === 0) return 0
    const batch = this.#batch
    const frames = this.#queue.splice(0, batch.lengths.length)
    for (let i = 0; i < frames.length; i++) {
      frames[i].copy(batch.slab, batch.offsets[i])
      batch.lengths[i] = frames[i].length
    }
    batch.count = frames.length
    this.#stats.framesRead += frames.length
    this.#delivering = true
    try {
      handler(batch)
    } finally {
      this.#delivering = false
    }
    return frames.length
  }
}

/** Two ChannelTaps joined like a cable: a frame written to one is injected into the other. */
export function createChannelTapPair(init: Omit<ChannelTapInit, 'name' | 'onWrite'> = {}): [ChannelTap, ChannelTap] {
  const a: ChannelTap = new ChannelTap({ ...init, name: 'chtap0', onWrite: (frame) => b.inject(frame) })
  const b: ChannelTap = new ChannelTap({ ...init, name: 'chtap1', onWrite: (frame) => a.inject(frame) })
  return [a, b]
}

/** The same rule as the addon: integral offset and length inside `buf`. */
function frameInRange(buf: Buffer, offset: number, length: number): boolean {
  return buf instanceof Uint8Array && Number.isInteger(offset) && Number.isInteger(length) &&
    offset >= 0 && length >= 0 && offset + length <= buf.length
}
