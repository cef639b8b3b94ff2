// Message framing of the control connection (TCP, or a swarm stream).
//
//  0                               4
//  +-------------------------------+--------------------------- ...
//  |  length n (u32, big-endian)   |  message (n bytes)
//  +-------------------------------+--------------------------- ...
//
// The first three messages are the Noise handshake (max MAX_HANDSHAKE_MESSAGE_BYTES each), every
// later one an AEAD-encrypted control message (max MAX_CONTROL_MESSAGE_BYTES, tag included).
// A length above the limit is fatal: a stream that lies about lengths cannot be resynchronised,
// so the connection must be closed.

import { MAX_CONTROL_MESSAGE_BYTES, STREAM_LENGTH_PREFIX_BYTES } from './constants.js'
import { WireError } from './errors.js'

/** The largest u32, the format's own limit on a message length. */
const MAX_U32 = 0xffffffff

function checkMax(maxMessageBytes: number): void {
  if (!(Number.isInteger(maxMessageBytes) && maxMessageBytes >= 0 && maxMessageBytes <= MAX_U32)) {
    throw new WireError('ERR_BAD_ARGUMENT',
      `maximum message size ${maxMessageBytes} is not an integer in 0..${MAX_U32}: pass a byte count`)
  }
}

function tooLarge(length: number, maxMessageBytes: number): WireError {
  return new WireError('ERR_FRAME_TOO_LARGE',
    `control frame of ${length} bytes exceeds the ${maxMessageBytes}-byte limit: close the connection ` +
    '(the stream cannot be resynchronised)')
}

/** Prefixes `payload` with its length. Throws ERR_FRAME_TOO_LARGE above `maxMessageBytes`. */
export function encodeFrame(payload: Uint8Array, maxMessageBytes: number = MAX_CONTROL_MESSAGE_BYTES): Buffer {
  checkMax(maxMessageBytes)
  if (payload.length > maxMessageBytes) throw tooLarge(payload.length, maxMessageBytes)
  const frame = Buffer.allocUnsafe(STREAM_LENGTH_PREFIX_BYTES + payload.length)
  frame.writeUInt32BE(payload.length, 0)
  frame.set(payload, STREAM_LENGTH_PREFIX_BYTES)
  return frame
}

/**
 * Reassembles messages from stream chunks split at any byte. Holds at most `maxMessageBytes + 4`
 * bytes: the partial length prefix and the one message in progress.
 */
export class StreamFramer {
  private max: number
  private readonly prefix = Buffer.alloc(STREAM_LENGTH_PREFIX_BYTES)
  private prefixFill = 0
  private message: Buffer | null = null
  private messageFill = 0
  private failure: WireError | null = null

  constructor(maxMessageBytes: number = MAX_CONTROL_MESSAGE_BYTES) {
    checkMax(maxMessageBytes)
    this.max = maxMessageBytes
  }

  /**
   * The limit on a message's length, in bytes. Raise it in place once the handshake is done
   * (bytes after the last handshake message may already be buffered, so keep the framer).
   */
  get maxMessageBytes(): number {
    return this.max
  }

  set maxMessageBytes(maxMessageBytes: number) {
    checkMax(maxMessageBytes)
    this.max = maxMessageBytes
  }

  /** Bytes received but not yet returned as a message (length prefix included), at most max + 4. */
  get buffered(): number {
    return this.message === null ? this.prefixFill : STREAM_LENGTH_PREFIX_BYTES + this.messageFill
  }

  /**
   * Consumes `chunk` and returns the messages it completes, in order; each is a buffer of its
   * own. Throws WireError ERR_FRAME_TOO_LARGE when a length exceeds the limit, and again on every
   * later call: close the connection.
   */
  push(chunk: Buffer): Buffer[] {
    if (this.failure !== null) throw this.failure
    const messages: Buffer[] = []
    let at = 0
    while (at < chunk.length) {
      if (this.message === null) {
        const take = Math.min(STREAM_LENGTH_PREFIX_BYTES - this.prefixFill, chunk.length - at)
        chunk.copy(this.prefix, this.prefixFill, at, at + take)
        this.prefixFill += take
        at += take
        if (this.prefixFill < STREAM_LENGTH_PREFIX_BYTES) break
        const length = this.prefix.readUInt32BE(0)
        if (length > this.max) {
          this.failure = tooLarge(length, this.max)
          throw this.failure
        }
        this.prefixFill = 0
        this.message = Buffer.allocUnsafe(length)
        this.messageFill = 0
      }
      const take = Math.min(this.message.length - this.messageFill, chunk.length - at)
      chunk.copy(this.message, this.messageFill, at, at + take)
      this.messageFill += take
      at += take
      if (this.messageFill === this.message.length) {
        messages.push(this.message)
        this.message = null
        this.messageFill = 0
      }
    }
    return messages
  }
}
