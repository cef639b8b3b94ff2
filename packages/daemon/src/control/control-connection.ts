import { EventEmitter } from 'node:events'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import type { CipherState, Identity } from '@weft/crypto'
import { Handshake } from '@weft/crypto'
import type { ControlMessage } from '@weft/wire'
import { StreamFramer, decodeControl, encodeControl, encodeFrame } from '@weft/wire'
import { HANDSHAKE_TIMEOUT_MS, MAX_CONTROL_MESSAGE_BYTES, MAX_HANDSHAKE_MESSAGE_BYTES } from '../constants.js'

export type Role = 'initiator' | 'responder'

export interface ControlConnectionInit {
  /** A TCP socket, or any duplex byte stream (a swarm connection). */
  socket: Socket | Duplex
  /** The remote IP address (default: the socket's `remoteAddress`). */
  remoteHost?: string
  role: Role
  identity: Identity
  /** The first is used as initiator; a responder accepts any (secret rotation). */
  networkKeys: readonly Buffer[]
}

export interface ControlConnectionEvents {
  established: []
  message: [ControlMessage]
  /** A frame that decrypted but did not decode: counted and dropped, the connection stays. */
  badMessage: [Error]
  close: [reason: string, duringHandshake: boolean]
}

/**
 * One TCP control connection: the Noise XXpsk0 handshake over `[u32 length][bytes]` frames,
 * then AEAD-encrypted msgpack control messages. A peer that cannot complete the handshake
 * (wrong secret, garbage) is disconnected; a message that authenticates but fails to decode
 * is reported and dropped without closing anything.
 */
export class ControlConnection extends EventEmitter<ControlConnectionEvents> {
  readonly socket: Socket | Duplex
  readonly role: Role
  private readonly givenRemoteHost: string | undefined
  remotePublicKey: Buffer | null = null
  dataKeys: { send: Buffer; receive: Buffer } | null = null
  handshakeHash: Buffer | null = null
  bytesIn = 0
  bytesOut = 0
  private readonly handshake: Handshake
  private readonly framer = new StreamFramer(MAX_CONTROL_MESSAGE_BYTES)
  private tx: CipherState | null = null
  private rx: CipherState | null = null
  private closed = false
  private readonly timer: NodeJS.Timeout

  constructor(init: ControlConnectionInit) {
    super()
    this.socket = init.socket
    this.role = init.role
    this.handshake = init.role === 'initiator'
      ? Handshake.initiator({ identity: init.identity, networkKey: init.networkKeys[0] })
      : Handshake.responder({ identity: init.identity, networkKeys: [...init.networkKeys] })
    this.timer = setTimeout(() => this.close('handshake timed out'), HANDSHAKE_TIMEOUT_MS)
    this.givenRemoteHost = init.remoteHost
    if ('setNoDelay' in this.socket) {
      this.socket.setNoDelay(true)
      this.socket.setKeepAlive(true, 5_000)
    }
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk))
    this.socket.on('error', (err) => this.close(`socket error: ${err.message}`))
    this.socket.on('close', () => this.close(this.established ? 'connection closed by peer' : 'peer closed the connection during the handshake (wrong secret?)'))
    if (init.role === 'initiator') this.writeFrame(this.handshake.writeMessage())
  }

  /** The remote IP address as we see it ('' if unknown; a dialled socket knows it once connected). */
  get remoteHost(): string {
    return this.givenRemoteHost ?? ('remoteAddress' in this.socket ? this.socket.remoteAddress ?? '' : '')
  }

  get established(): boolean {
    return this.tx !== null
  }

  send(msg: ControlMessage): void {
    if (this.closed || !this.tx) return
    this.writeFrame(this.tx.encrypt(encodeControl(msg)))
  }

  close(reason: string): void {
    if (this.closed) return
    this.closed = true
    clearTimeout(this.timer)
    this.socket.destroy()
    this.emit('close', reason, !this.established)
  }

  private writeFrame(payload: Uint8Array): void {
    const frame = encodeFrame(payload)
    this.bytesOut += frame.length
    this.socket.write(frame)
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return
    this.bytesIn += chunk.length
    let frames: Buffer[]
    try {
      frames = this.framer.push(chunk)
    } catch (err) {
      this.close(`bad framing: ${(err as Error).message}`)
      return
    }
    for (const frame of frames) {
      if (this.closed) return
      if (this.established) this.onMessage(frame)
      else this.onHandshake(frame)
    }
  }

  private onHandshake(frame: Buffer): void {
    if (frame.length > MAX_HANDSHAKE_MESSAGE_BYTES) {
      this.close(`handshake message of ${frame.length} bytes is too large`)
      return
    }
    try {
      this.handshake.readMessage(frame)
      if (!this.handshake.complete) this.writeFrame(this.handshake.writeMessage())
    } catch (err) {
      this.close(`handshake failed: ${(err as Error).message}`)
      return
    }
    if (!this.handshake.complete) return
    const result = this.handshake.split()
    this.remotePublicKey = this.handshake.remotePublicKey
    this.dataKeys = result.dataKeys
    this.handshakeHash = result.handshakeHash
    this.tx = result.send
    this.rx = result.receive
    clearTimeout(this.timer)
    this.emit('established')
  }

  private onMessage(frame: Buffer): void {
    let plain: Buffer
    try {
      plain = this.rx!.decrypt(frame)
    } catch {
      this.close('a control message failed authentication')
      return
    }
    let msg: ControlMessage
    try {
      msg = decodeControl(plain)
    } catch (err) {
      this.emit('badMessage', err as Error)
      return
    }
    this.emit('message', msg)
  }
}
