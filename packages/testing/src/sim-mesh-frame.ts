/**
 * Frames of the simulated control protocol, carried on a netsim `SimStream`. It stands in for the
 * real one (Noise XXpsk0, then AEAD-sealed msgpack control messages in `[u32 len]` frames) with
 * the same messages and framing but no cryptography: a real frame is 16 bytes longer (the AEAD
 * tag) and its msgpack envelope adds a few bytes; the gossip payloads are byte for byte the ones
 * the real engine sends.
 *
 *    0        4      5
 *   +--------+------+--------------------------------+
 *   | length | kind | body (length - 1 bytes)        |
 *   | u32 BE | u8   |                                |
 *   +--------+------+--------------------------------+
 *
 *   hello   (1)  id [32] | restartId [8] | udpPort u16 | seenAs len u8 | seenAs ascii | nickname utf8 (rest)
 *   ping    (2)  id u32 | sentAt f64
 *   pong    (3)  id u32 | sentAt f64
 *   gossip  (4)  channel len u8 | channel ascii | payload (rest)
 *   goodbye (5)  (empty)
 *
 * `hello` carries the sender's id because there is no handshake to prove it; `seenAs` is the
 * receiver's address as the sender sees it (the real `hello.addresses[0]`).
 */
import { SIM_MAX_FRAME_BYTES } from './sim-mesh-constants.js'
import { SimMeshError } from './sim-mesh-error.js'

export enum SimFrameKind {
  Hello = 1,
  Ping = 2,
  Pong = 3,
  Gossip = 4,
  Goodbye = 5,
}

export type SimFrame =
  | { readonly kind: SimFrameKind.Hello; readonly id: string; readonly restartId: string; readonly udpPort: number; readonly seenAs: string; readonly nickname: string }
  | { readonly kind: SimFrameKind.Ping | SimFrameKind.Pong; readonly id: number; readonly sentAt: number }
  | { readonly kind: SimFrameKind.Gossip; readonly channel: string; readonly payload: Uint8Array }
  | { readonly kind: SimFrameKind.Goodbye }

const HEADER_BYTES = 5

/** Encodes one frame, length prefix included. */
export function encodeSimFrame(frame: SimFrame): Buffer {
  switch (frame.kind) {
    case SimFrameKind.Hello: {
      const seenAs = Buffer.from(frame.seenAs, 'latin1')
      const nickname = Buffer.from(frame.nickname, 'utf8')
      const out = header(frame.kind, 32 + 8 + 2 + 1 + seenAs.length + nickname.length)
      let at = HEADER_BYTES
      at += out.write(frame.id, at, 32, 'hex')
      at += out.write(frame.restartId, at, 8, 'hex')
      at = out.writeUInt16BE(frame.udpPort, at)
      at = out.writeUInt8(seenAs.length, at)
      at += seenAs.copy(out, at)
      nickname.copy(out, at)
      return out
    }
    case SimFrameKind.Ping:
    case SimFrameKind.Pong: {
      const out = header(frame.kind, 4 + 8)
      out.writeUInt32BE(frame.id >>> 0, HEADER_BYTES)
      out.writeDoubleBE(frame.sentAt, HEADER_BYTES + 4)
      return out
    }
    case SimFrameKind.Gossip: {
      const channel = Buffer.from(frame.channel, 'latin1')
      const out = header(frame.kind, 1 + channel.length + frame.payload.length)
      out.writeUInt8(channel.length, HEADER_BYTES)
      channel.copy(out, HEADER_BYTES + 1)
      out.set(frame.payload, HEADER_BYTES + 1 + channel.length)
      return out
    }
    case SimFrameKind.Goodbye:
      return header(frame.kind, 0)
  }
}

function header(kind: SimFrameKind, bodyBytes: number): Buffer {
  const out = Buffer.allocUnsafe(HEADER_BYTES + bodyBytes)
  out.writeUInt32BE(1 + bodyBytes, 0)
  out.writeUInt8(kind, 4)
  return out
}

/** Reassembles frames from stream chunks. `push` throws `ERR_SIM_MESH_FRAME` on anything malformed. */
export class SimFrameReader {
  private pending: Buffer = Buffer.alloc(0)

  push(chunk: Buffer): SimFrame[] {
    const buf = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk])
    const frames: SimFrame[] = []
    let at = 0
    while (buf.length - at >= 4) {
      const length = buf.readUInt32BE(at)
      if (length < 1 || length > SIM_MAX_FRAME_BYTES) throw bad(`a frame of ${length} bytes`)
      if (buf.length - at - 4 < length) break
      frames.push(decodeBody(buf.subarray(at + 4, at + 4 + length)))
      at += 4 + length
    }
    this.pending = at === buf.length ? Buffer.alloc(0) : Buffer.from(buf.subarray(at))
    return frames
  }
}

function decodeBody(body: Buffer): SimFrame {
  const kind = body[0]
  switch (kind) {
    case SimFrameKind.Hello: {
      if (body.length < 44) throw bad('a short hello')
      const seenAsLength = body[43]
      if (body.length < 44 + seenAsLength + 1) throw bad('a hello without nickname')
      return {
        kind,
        id: body.toString('hex', 1, 33),
        restartId: body.toString('hex', 33, 41),
        udpPort: body.readUInt16BE(41),
        seenAs: body.toString('latin1', 44, 44 + seenAsLength),
        nickname: body.toString('utf8', 44 + seenAsLength),
      }
    }
    case SimFrameKind.Ping:
    case SimFrameKind.Pong:
      if (body.length !== 13) throw bad(`a ${kind === SimFrameKind.Ping ? 'ping' : 'pong'} of ${body.length} bytes`)
      return { kind, id: body.readUInt32BE(1), sentAt: body.readDoubleBE(5) }
    case SimFrameKind.Gossip: {
      const channelLength = body.length > 1 ? body[1] : 0
      if (body.length < 2 + channelLength) throw bad('a short gossip frame')
      return { kind, channel: body.toString('latin1', 2, 2 + channelLength), payload: body.subarray(2 + channelLength) }
    }
    case SimFrameKind.Goodbye:
      return { kind }
    default:
      throw bad(`frame kind ${kind}`)
  }
}

function bad(what: string): SimMeshError {
  return new SimMeshError('ERR_SIM_MESH_FRAME', `a simulated link received ${what}; the sender is broken`)
}
