import sodium from 'sodium-native'
import type { CipherState } from './cipher-state.js'
import { AEAD_TAG_BYTES, CIPHER_KEY_BYTES, DH_KEY_BYTES, MAX_MESSAGE_BYTES } from './constants.js'
import { dh, generateDhKeyPair, type DhKeyPair } from './dh-key-pair.js'
import { CryptoError } from './errors.js'
import { parseNoisePattern, type NoisePattern, type NoiseToken } from './noise-pattern.js'
import { SymmetricState } from './symmetric-state.js'

export interface NoiseHandshakeInit {
  /** Pattern with modifiers, as in the protocol name: `XXpsk0` (weft), `XX`, `NN`, `XXpsk0+psk2`. */
  pattern: string
  initiator: boolean
  /** Mixed into h before the first message; both sides must agree. Default: empty. */
  prologue?: Uint8Array
  /** Our static X25519 key pair; required when the pattern sends `s`. */
  staticKeyPair?: DhKeyPair
  /** Pre-shared keys (32 bytes each), one per psk token, in order. */
  psks?: Uint8Array[]
  /** Testing only: a fixed ephemeral key pair instead of a fresh random one. Never in production. */
  ephemeralKeyPair?: DhKeyPair
}

type Phase = 'running' | 'complete' | 'failed'

/**
 * A Noise HandshakeState (spec rev 34, section 5.3) for `Noise_<pattern>_25519_ChaChaPoly_BLAKE2b`
 * with raw payloads. weft's `Handshake` wraps it with identity binding and secret rotation;
 * this class is public so that the implementation can be checked against Noise test vectors.
 * After any error the state is failed: every later call throws `ERR_HANDSHAKE_FAILED`.
 */
export class NoiseHandshakeState {
  readonly protocolName: string
  readonly initiator: boolean
  readonly #pattern: NoisePattern
  readonly #symmetric: SymmetricState
  readonly #s: DhKeyPair | null
  readonly #psks: Buffer[]
  #e: DhKeyPair | null
  #rs: Buffer | null = null
  #re: Buffer | null = null
  #messageIndex = 0
  #pskIndex = 0
  #phase: Phase = 'running'

  constructor(init: NoiseHandshakeInit) {
    this.#pattern = parseNoisePattern(init.pattern)
    this.protocolName = `Noise_${this.#pattern.name}_25519_ChaChaPoly_BLAKE2b`
    this.initiator = init.initiator
    this.#s = init.staticKeyPair ?? null
    const e = init.ephemeralKeyPair
    this.#e = e === undefined ? null : { publicKey: Buffer.from(e.publicKey), secretKey: Buffer.from(e.secretKey) }
    const psks = init.psks ?? []
    if (psks.length !== this.#pattern.psks || psks.some((psk) => psk.byteLength !== CIPHER_KEY_BYTES)) {
      throw new CryptoError(
        'ERR_BAD_ARGUMENT',
        `${this.protocolName} needs ${this.#pattern.psks} pre-shared keys of ${CIPHER_KEY_BYTES} bytes, got ${psks.length}`,
      )
    }
    this.#psks = psks.map((psk) => Buffer.from(psk))
    if (this.#s === null && this.#sendsStatic()) {
      throw new CryptoError('ERR_BAD_ARGUMENT', `${this.protocolName} needs our static key pair`)
    }
    this.#symmetric = new SymmetricState(this.protocolName)
    this.#symmetric.mixHash(init.prologue ?? Buffer.alloc(0))
  }

  get complete(): boolean {
    return this.#phase === 'complete'
  }

  get failed(): boolean {
    return this.#phase === 'failed'
  }

  /** True when the next call must be `writeMessage` (false when it must be `readMessage`). */
  get isWriteTurn(): boolean {
    return this.#messageIndex % 2 === (this.initiator ? 0 : 1)
  }

  /** The peer's static X25519 key, once received. */
  get remoteStaticKey(): Buffer | null {
    return this.#rs === null ? null : Buffer.from(this.#rs)
  }

  /** The handshake hash h (a channel binding once complete). */
  get handshakeHash(): Buffer {
    return this.#symmetric.handshakeHash
  }

  /** A copy of the chaining key; after the last message, input for extra key derivations. */
  get chainingKey(): Buffer {
    return this.#symmetric.chainingKey
  }

  /** Writes the next message with `payload`. Throws `ERR_MESSAGE_TOO_LARGE` without changing state. */
  writeMessage(payload: Uint8Array = Buffer.alloc(0)): Buffer {
    this.#checkTurn(true)
    const tokens = this.#pattern.messages[this.#messageIndex]
    const size = this.#messageBytes(tokens, payload.byteLength)
    if (size > MAX_MESSAGE_BYTES) {
      throw new CryptoError(
        'ERR_MESSAGE_TOO_LARGE',
        `handshake message ${this.#messageIndex + 1} would be ${size} bytes, over ${MAX_MESSAGE_BYTES}; send a smaller payload`,
      )
    }
    const parts: Buffer[] = []
    try {
      for (const token of tokens) this.#writeToken(token, parts)
      parts.push(this.#symmetric.encryptAndHash(payload))
    } catch (err) {
      this.#fail()
      throw err
    }
    this.#advance()
    return Buffer.concat(parts)
  }

  /**
   * Reads the peer's next message and returns its payload. Throws `ERR_HANDSHAKE_MALFORMED` for
   * a wrong length or an invalid key and `ERR_HANDSHAKE_DECRYPT` when authentication fails.
   */
  readMessage(message: Uint8Array): Buffer {
    this.#checkTurn(false)
    const tokens = this.#pattern.messages[this.#messageIndex]
    const minimum = this.#messageBytes(tokens, 0)
    if (message.byteLength < minimum || message.byteLength > MAX_MESSAGE_BYTES) {
      this.#fail()
      throw new CryptoError(
        'ERR_HANDSHAKE_MALFORMED',
        `handshake message ${this.#messageIndex + 1} has ${message.byteLength} bytes, outside [${minimum}, ${MAX_MESSAGE_BYTES}]; the peer is not a compatible weft router`,
      )
    }
    const input = Buffer.from(message)
    let offset = 0
    let payload: Buffer
    try {
      for (const token of tokens) offset = this.#readToken(token, input, offset)
      payload = this.#symmetric.decryptAndHash(input.subarray(offset))
    } catch (err) {
      this.#fail()
      throw err
    }
    this.#advance()
    return payload
  }

  /** Split(): [initiator-to-responder, responder-to-initiator] cipher states. */
  split(): [CipherState, CipherState] {
    if (this.#phase === 'failed') throw failedError()
    if (this.#phase !== 'complete') {
      throw new CryptoError('ERR_HANDSHAKE_STATE', 'split() before the handshake completed; finish the handshake first')
    }
    return this.#symmetric.split()
  }

  /** Zeroes secrets held by this state (the static key pair belongs to the caller). */
  destroy(): void {
    this.#symmetric.destroy()
    if (this.#e !== null) sodium.sodium_memzero(this.#e.secretKey)
    for (const psk of this.#psks) sodium.sodium_memzero(psk)
  }

  #writeToken(token: NoiseToken, parts: Buffer[]): void {
    switch (token) {
      case 'e': {
        this.#e ??= generateDhKeyPair()
        parts.push(Buffer.from(this.#e.publicKey))
        this.#symmetric.mixHash(this.#e.publicKey)
        if (this.#pattern.psks > 0) this.#symmetric.mixKey(this.#e.publicKey)
        return
      }
      case 's':
        parts.push(this.#symmetric.encryptAndHash(this.#s!.publicKey))
        return
      case 'psk':
        this.#symmetric.mixKeyAndHash(this.#psks[this.#pskIndex++])
        return
      default:
        this.#mixDh(token)
    }
  }

  #readToken(token: NoiseToken, input: Buffer, offset: number): number {
    switch (token) {
      case 'e': {
        this.#re = input.subarray(offset, offset + DH_KEY_BYTES)
        this.#symmetric.mixHash(this.#re)
        if (this.#pattern.psks > 0) this.#symmetric.mixKey(this.#re)
        return offset + DH_KEY_BYTES
      }
      case 's': {
        const length = DH_KEY_BYTES + (this.#symmetric.hasKey ? AEAD_TAG_BYTES : 0)
        this.#rs = this.#symmetric.decryptAndHash(input.subarray(offset, offset + length))
        return offset + length
      }
      case 'psk':
        this.#symmetric.mixKeyAndHash(this.#psks[this.#pskIndex++])
        return offset
      default:
        this.#mixDh(token)
        return offset
    }
  }

  /** ee, es, se, ss: MixKey(DH(...)) with the roles of spec section 5.3. */
  #mixDh(token: 'ee' | 'es' | 'se' | 'ss'): void {
    const localIsE = token === 'ee' || (token === 'es' && this.initiator) || (token === 'se' && !this.initiator)
    const remoteIsE = token === 'ee' || (token === 'es' && !this.initiator) || (token === 'se' && this.initiator)
    const local = localIsE ? this.#e : this.#s
    const remote = remoteIsE ? this.#re : this.#rs
    if (local === null || remote === null) {
      throw new CryptoError('ERR_BAD_ARGUMENT', `token ${token} of ${this.protocolName} lacks a key`)
    }
    const shared = dh(local.secretKey, remote)
    this.#symmetric.mixKey(shared)
    sodium.sodium_memzero(shared)
  }

  /** Bytes of a message of `tokens` with a payload of `payloadBytes`, given the current key state. */
  #messageBytes(tokens: readonly NoiseToken[], payloadBytes: number): number {
    let keyed = this.#symmetric.hasKey
    let bytes = 0
    for (const token of tokens) {
      if (token === 'e') {
        bytes += DH_KEY_BYTES
        if (this.#pattern.psks > 0) keyed = true
      } else if (token === 's') {
        bytes += DH_KEY_BYTES + (keyed ? AEAD_TAG_BYTES : 0)
      } else {
        keyed = true
      }
    }
    return bytes + payloadBytes + (keyed ? AEAD_TAG_BYTES : 0)
  }

  #sendsStatic(): boolean {
    return this.#pattern.messages.some(
      (tokens, index) => index % 2 === (this.initiator ? 0 : 1) && tokens.includes('s'),
    )
  }

  #checkTurn(write: boolean): void {
    if (this.#phase === 'failed') throw failedError()
    if (this.#phase === 'complete') {
      throw new CryptoError('ERR_HANDSHAKE_STATE', 'the handshake is complete; use the cipher states from split()')
    }
    if (this.isWriteTurn !== write) {
      throw new CryptoError(
        'ERR_HANDSHAKE_STATE',
        write ? 'writeMessage() called while a peer message is expected' : 'readMessage() called while it is our turn to write',
      )
    }
  }

  #advance(): void {
    this.#messageIndex++
    if (this.#messageIndex === this.#pattern.messages.length) this.#phase = 'complete'
  }

  #fail(): void {
    this.#phase = 'failed'
    this.#symmetric.destroy()
  }
}

function failedError(): CryptoError {
  return new CryptoError('ERR_HANDSHAKE_FAILED', 'this handshake already failed; start a new one')
}
