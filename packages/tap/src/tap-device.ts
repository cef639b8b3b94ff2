/**
 * The seam between the data path and a TAP-like device. `NativeTap` is the real one (an N-API
 * addon over /dev/net/tun); `ChannelTap` is the in-memory double used by tests.
 */

/**
 * Frames read from a device in one readiness callback. Frame i is
 * `slab.subarray(offsets[i], offsets[i] + lengths[i])`. Borrowed: the slab and the arrays are
 * reused for the next batch, so a handler copies whatever it keeps past its return.
 */
export interface FrameBatch {
  readonly count: number
  readonly slab: Buffer
  readonly offsets: Uint32Array
  readonly lengths: Uint32Array
}

export type BatchHandler = (batch: FrameBatch) => void

export interface TapDevice {
  /** Interface name as the kernel knows it. */
  readonly name: string
  /** Starts (or replaces) delivery of read batches to `handler`. */
  onBatch(handler: BatchHandler): void
  /** Writes one frame; false when the device would block or refused it (counted as a drop). */
  write(buf: Buffer, offset: number, length: number): boolean
  /** Frames read, written and dropped so far. */
  stats(): TapStats
  close(): void
}

export interface TapStats {
  readonly framesRead: number
  readonly framesWritten: number
  readonly writeDrops: number
  readonly readErrors: number
}
