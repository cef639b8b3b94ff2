// A frame bundle: the plaintext of a Data datagram, one or more Ethernet frames back to back.
//
//  0               2                        2+n             4+n
//  +---------------+------------------------+---------------+-------------------- ...
//  | length n (u16 | frame (n bytes, an      | length m      | frame (m bytes) ...
//  |  big-endian)  | Ethernet header first) |               |
//  +---------------+------------------------+---------------+-------------------- ...
//
// Rules: at least one frame; every length is 14 (ETH_HEADER_BYTES) .. 65535; the last frame ends
// exactly at the end of the plaintext (no padding, no trailing bytes). A bundle that breaks any
// rule is malformed as a whole and none of its frames is delivered.
//
// Data path: the writer copies into a caller buffer, the reader hands out views of the caller's
// buffer; neither allocates nor throws per packet.

import { BUNDLE_LENGTH_PREFIX_BYTES, ETH_HEADER_BYTES, MAX_BUNDLE_FRAME_BYTES } from './constants.js'
import { WireError } from './errors.js'

/** Packs frames into `buf[offset .. offset + capacity)`, e.g. the plaintext area of a datagram. */
export class BundleWriter {
  private readonly buf: Buffer
  private readonly offset: number
  private readonly capacity: number
  private used = 0
  private frames = 0

  /** Throws WireError ERR_BAD_ARGUMENT if the area does not lie inside `buf`. */
  constructor(buf: Buffer, offset: number, capacity: number) {
    if (!(Number.isInteger(offset) && Number.isInteger(capacity) && offset >= 0 && capacity >= 0 &&
        offset + capacity <= buf.length)) {
      throw new WireError('ERR_BAD_ARGUMENT',
        `bundle area [${offset}, +${capacity}) does not fit a ${buf.length}-byte buffer: pass an area inside the buffer`)
    }
    this.buf = buf
    this.offset = offset
    this.capacity = capacity
  }

  /** Bytes written so far (the bundle's length once done). */
  get length(): number {
    return this.used
  }

  /** Frames written so far. */
  get count(): number {
    return this.frames
  }

  /** Empties the bundle to reuse the writer for the next datagram. */
  reset(): void {
    this.used = 0
    this.frames = 0
  }

  /** Whether a frame of `frameLength` bytes is valid and fits in the space left. */
  fits(frameLength: number): boolean {
    return frameLength >= ETH_HEADER_BYTES && frameLength <= MAX_BUNDLE_FRAME_BYTES &&
      this.used + BUNDLE_LENGTH_PREFIX_BYTES + frameLength <= this.capacity
  }

  /**
   * Appends the frame `src[srcOffset .. srcOffset + length)`. Returns false, writing nothing,
   * if it does not fit, is not a valid frame length, or runs past `src`.
   */
  add(src: Buffer, srcOffset: number, length: number): boolean {
    if (!this.fits(length) || !(srcOffset >= 0 && srcOffset + length <= src.length)) return false
    const at = this.offset + this.used
    this.buf[at] = length >>> 8
    this.buf[at + 1] = length & 0xff
    src.copy(this.buf, at + BUNDLE_LENGTH_PREFIX_BYTES, srcOffset, srcOffset + length)
    this.used += BUNDLE_LENGTH_PREFIX_BYTES + length
    this.frames++
    return true
  }
}

/** Called once per frame with a view of the caller's buffer, borrowed until the call returns. */
export type FrameVisitor = (buf: Buffer, frameOffset: number, frameLength: number) => void

/**
 * Validates the whole bundle `buf[offset .. offset + length)` first, then visits its frames in
 * order. Returns the number of frames visited, or -1 (visiting nothing) if the bundle is
 * malformed or the range runs past `buf`.
 */
export function forEachFrame(buf: Buffer, offset: number, length: number, visit: FrameVisitor): number {
  const count = countFrames(buf, offset, length)
  if (count <= 0) return -1
  const end = offset + length
  let at = offset
  while (at < end) {
    const frameLength = (buf[at] << 8) | buf[at + 1]
    visit(buf, at + BUNDLE_LENGTH_PREFIX_BYTES, frameLength)
    at += BUNDLE_LENGTH_PREFIX_BYTES + frameLength
  }
  return count
}

/** Number of frames in a well-formed bundle, or -1 if it is malformed. Allocates nothing. */
export function countFrames(buf: Buffer, offset: number, length: number): number {
  if (!(offset >= 0 && length > 0 && offset + length <= buf.length)) return -1
  const end = offset + length
  let at = offset
  let count = 0
  while (at < end) {
    if (end - at < BUNDLE_LENGTH_PREFIX_BYTES) return -1
    const frameLength = (buf[at] << 8) | buf[at + 1]
    if (frameLength < ETH_HEADER_BYTES) return -1
    at += BUNDLE_LENGTH_PREFIX_BYTES + frameLength
    if (at > end) return -1
    count++
  }
  return count
}
