import { TAP_DEFAULT_SLOT_SIZE_BYTES } from './constants.js'
import { batchShape } from './batch-shape.js'
import { TapError } from './errors.js'
import type { FastPath } from './fast-path.js'
import { loadTapBinding, type TapHandle } from './native-binding.js'
import type { BatchHandler, TapDevice, TapStats } from './tap-device.js'
import { assertTapName } from './tap-name.js'

export interface TapInit {
  /**
   * Interface name, at most 15 bytes. Default '': the kernel picks `tapN`. A '%d' in the name is
   * replaced by the kernel with the first free number ("weft%d" -> "weft0").
   */
  name?: string
  /** Most frames delivered per batch, 1..1024. Default 64 (TAP_DEFAULT_BATCH_SIZE). */
  batchSize?: number
  /**
   * Bytes per slab slot: the largest frame read whole; the kernel truncates longer ones.
   * Default 65536 (TAP_DEFAULT_SLOT_SIZE_BYTES).
   */
  slotSize?: number
  /**
   * A network namespace file (`/run/netns/NAME`, `/proc/PID/ns/net`) to create the TAP in; only
   * the opening thread visits it, the process stays where it is. Needs CAP_SYS_ADMIN.
   * Default: the process's own namespace.
   */
  netns?: string
  /** Whether the device keeps the process alive from `onBatch` until `close`. Default true. */
  ref?: boolean
}

interface MutableBatch {
  count: number
  readonly slab: Buffer
  readonly offsets: Uint32Array
  readonly lengths: Uint32Array
}

/**
 * A kernel TAP device through the weft_tap addon. Reads arrive as batches from the event loop
 * (see src/native/tap.cc); `write` is one non-blocking write(2). MTU, addresses and link state
 * are not its business: configure them with `ip link`.
 */
export class NativeTap implements TapDevice {
  readonly name: string
  readonly #handle: TapHandle
  readonly #batch: MutableBatch
  #handler: BatchHandler | undefined
  #started = false
  #closed = false

  /** Wraps an open addon handle; use `openTap`. */
  constructor(handle: TapHandle) {
    this.#handle = handle
    this.name = handle.name
    this.#batch = { count: 0, slab: handle.slab, offsets: handle.offsets, lengths: handle.lengths }
  }

  /** Starts (or replaces) delivery. Batches are borrowed until the handler returns. */
  onBatch(handler: BatchHandler): void {
    if (this.#closed) throw new TapError('ERR_TAP_CLOSED', `TAP ${this.name} is closed: open a new one with openTap`)
    this.#handler = handler
    if (!this.#started) {
      this.#handle.start(this.#deliver)
      this.#started = true
    }
  }

  /** Writes `buf[offset, offset + length)` as one frame. False, counted as a drop, on a full
   *  queue, a kernel error, arguments out of range or a closed device; never throws. */
  write(buf: Buffer, offset: number, length: number): boolean {
    return this.#handle.write(buf, offset, length)
  }

  stats(): TapStats {
    const c = this.#handle.counters
    return { framesRead: c[0], framesWritten: c[1], writeDrops: c[2], readErrors: c[3] }
  }

  /** Closes the fd, which deletes the interface. Idempotent; fine inside a handler. */
  close(): void {
    if (this.#closed) return
    this.#closed = true
    this.#handler = undefined
    this.#handle.close()
  }

  /**
   * Puts the native fast path in front of `onBatch`: frames it takes (established unicast) are
   * sealed and sent without reaching JS, and it writes the frames it receives to this TAP.
   * `null` detaches it. A closed device ignores the call.
   */
  attachFastPath(fastPath: FastPath | null): void {
    if (this.#closed) return
    this.#handle.attachFastPath(fastPath === null ? null : fastPath.handle)
  }

  /** Lets the device keep the process alive again (the default). */
  ref(): void {
    this.#handle.ref()
  }

  /** Lets the process exit while the device is open. */
  unref(): void {
    this.#handle.unref()
  }

  readonly #deliver = (count: number): void => {
    const batch = this.#batch
    batch.count = count
    this.#handler?.(batch)
  }
}

/**
 * Opens a TAP device (IFF_TAP | IFF_NO_PI, non-blocking). Throws a TapError: ERR_TAP_NAME,
 * ERR_TAP_NO_DEVICE, ERR_TAP_PERMISSION, ERR_TAP_BUSY, ERR_TAP_NETNS, ERR_TAP_OPEN or
 * ERR_TAP_ADDON; a RangeError for batchSize/slotSize out of range.
 */
export function openTap(init: TapInit = {}): NativeTap {
  const name = init.name ?? ''
  assertTapName(name)
  const { batchSize, slotSize } = batchShape(init.batchSize, init.slotSize, TAP_DEFAULT_SLOT_SIZE_BYTES)
  const netns = init.netns ?? ''
  const { TapHandle } = loadTapBinding()
  let handle: TapHandle
  try {
    handle = new TapHandle(name, batchSize, slotSize, netns)
  } catch (cause) {
    throw openError(cause, name === '' ? '(kernel-chosen name)' : name, netns)
  }
  const tap = new NativeTap(handle)
  if (init.ref === false) tap.unref()
  return tap
}

/** Turns the addon's errno error into a TapError that says what to do. */
function openError(cause: unknown, label: string, netns: string): TapError {
  const { code, syscall } = (cause ?? {}) as { code?: unknown; syscall?: unknown }
  const detail = cause instanceof Error ? cause.message : String(cause)
  if (syscall === 'open netns' || syscall === 'setns') {
    return new TapError('ERR_TAP_NETNS', `cannot enter network namespace ${netns} to open TAP ${label} (${detail}): check the path, and run as root`, { cause })
  }
  if (code === 'EPERM' || code === 'EACCES') {
    return new TapError('ERR_TAP_PERMISSION', `opening TAP ${label} needs CAP_NET_ADMIN: run as root`, { cause })
  }
  if (syscall === 'open' && (code === 'ENOENT' || code === 'ENODEV' || code === 'ENXIO')) {
    return new TapError('ERR_TAP_NO_DEVICE', `cannot open TAP ${label}: /dev/net/tun is missing (${detail}): load the tun module (modprobe tun) or give the container /dev/net/tun`, { cause })
  }
  if (code === 'EBUSY') {
    return new TapError('ERR_TAP_BUSY', `TAP ${label} is taken: a device that is not a TAP has this name, or another process holds the TAP; pick another name`, { cause })
  }
  return new TapError('ERR_TAP_OPEN', `cannot open TAP ${label}: ${detail}`, { cause })
}
