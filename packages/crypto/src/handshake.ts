import sodium from 'sodium-native'
import type { CipherState } from './cipher-state.js'
import {
  CIPHER_KEY_BYTES,
  DATA_KEYS_INFO,
  DH_KEY_BYTES,
  NETWORK_KEY_BYTES,
  PROLOGUE,
  PUBLIC_KEY_BYTES,
} from './constants.js'
import type { DhKeyPair } from './dh-key-pair.js'
import { CryptoError, isCryptoError } from './errors.js'
import { hkdf } from './hkdf.js'
import { dhPublicOf, type Identity } from './identity.js'
import { NoiseHandshakeState } from './noise-handshake-state.js'

// weft's handshake: Noise_XXpsk0_25519_ChaChaPoly_BLAKE2b, prologue "weft/1", psk = network key.
//
//   -> psk, e                  payload: app data
//   <- e, ee, s, es            payload: responder's Ed25519 public key (32) || app data
//   -> s, se                   payload: initiator's Ed25519 public key (32) || app data
//
// The receiver of messages 2 and 3 checks that the Ed25519 key converts to the X25519 static key
// the sender just proved, then strips it. See docs/CRYPTO.md for byte layouts.

const PATTERN = 'XXpsk0'
const PROLOGUE_BYTES = Buffer.from(PROLOGUE, 'utf8')
const EMPTY = Buffer.alloc(0)
/** Index of the first message that carries an identity (messages 2 and 3 do). */
const FIRST_IDENTITY_MESSAGE = 1

export interface HandshakeInitiatorInit {
  identity: Identity
  /** The network key (`deriveNetworkKey`) used as the Noise psk. */
  networkKey: Uint8Array
  /** Testing only: a fixed ephemeral key pair. Never in production. */
  ephemeral?: DhKeyPair
}

export interface HandshakeResponderInit {
  identity: Identity
  /** Accepted network keys, tried in order on message 1 (rotation: new key first). */
  networkKeys: readonly Uint8Array[]
  /** Testing only: a fixed ephemeral key pair. Never in production. */
  ephemeral?: DhKeyPair
}

export interface HandshakeResult {
  /** Control channel, our direction (Noise Split). */
  send: CipherState
  /** Control channel, the peer's direction (Noise Split). */
  receive: CipherState
  /** Noise handshake hash h (64 bytes): identical on both sides, a channel binding. */
  handshakeHash: Buffer
  /** Data-path keys (32 bytes each): HKDF(ck, "weft data keys"); our send = the peer's receive. */
  dataKeys: { send: Buffer; receive: Buffer }
}

/**
 * One side of a weft handshake. Three messages; after an error the handshake is failed and
 * every later call throws `ERR_HANDSHAKE_FAILED`.
 */
export class Handshake {
  readonly initiator: boolean
  readonly #identity: Identity
  readonly #networkKeys: Buffer[]
  readonly #ephemeral: DhKeyPair | undefined
  /** Null only on a responder before message 1 picked the network key. */
  #noise: NoiseHandshakeState | null = null
  #messageIndex = 0
  #matchedKeyIndex = -1
  #remotePublicKey: Buffer | null = null
  #failed = false
  #splitDone = false

  private constructor(initiator: boolean, identity: Identity, networkKeys: Buffer[], ephemeral?: DhKeyPair) {
    checkIdentity(identity)
    this.initiator = initiator
    this.#identity = identity
    this.#networkKeys = networkKeys
    this.#ephemeral = ephemeral
    if (initiator) {
      this.#noise = this.#createNoise(networkKeys[0])
      this.#matchedKeyIndex = 0
    }
  }

  static initiator(init: HandshakeInitiatorInit): Handshake {
    return new Handshake(true, init.identity, [copyNetworkKey(init.networkKey)], init.ephemeral)
  }

  static responder(init: HandshakeResponderInit): Handshake {
    if (init.networkKeys.length === 0) {
      throw new CryptoError('ERR_BAD_ARGUMENT', 'a responder needs at least one network key; derive one from the network secret')
    }
    return new Handshake(false, init.identity, init.networkKeys.map(copyNetworkKey), init.ephemeral)
  }

  /** True once all three messages went through and the peer's identity checked out. */
  get complete(): boolean {
    return !this.#failed && (this.#noise?.complete ?? false)
  }

  /** The peer's Ed25519 public key, known once its identity message (2 or 3) was read. */
  get remotePublicKey(): Buffer | null {
    return this.#remotePublicKey === null ? null : Buffer.from(this.#remotePublicKey)
  }

  /** Which network key the handshake uses: always 0 on an initiator; -1 on a responder before message 1. */
  get matchedKeyIndex(): number {
    return this.#matchedKeyIndex
  }

  /** Writes the next message carrying `payload` (our identity is prepended to messages 2 and 3). */
  writeMessage(payload: Uint8Array = EMPTY): Buffer {
    this.#checkUsable()
    const noise = this.#noise
    if (noise === null || !noise.isWriteTurn || noise.complete) {
      throw new CryptoError(
        'ERR_HANDSHAKE_STATE',
        noise?.complete === true ? 'the handshake is complete; use split()' : 'writeMessage() called while a peer message is expected',
      )
    }
    const body = this.#messageIndex >= FIRST_IDENTITY_MESSAGE ? Buffer.concat([this.#identity.publicKey, payload]) : payload
    const message = this.#guard(() => noise.writeMessage(body))
    this.#messageIndex++
    return message
  }

  /** Reads the peer's next message and returns its app payload. */
  readMessage(message: Uint8Array): Buffer {
    this.#checkUsable()
    if (this.#noise === null) return this.#readFirstMessage(message)
    const noise = this.#noise
    if (noise.isWriteTurn || noise.complete) {
      throw new CryptoError(
        'ERR_HANDSHAKE_STATE',
        noise.complete ? 'the handshake is complete; use the receive cipher state' : 'readMessage() called while it is our turn to write',
      )
    }
    const payload = this.#guard(() => noise.readMessage(message))
    const app = this.#messageIndex >= FIRST_IDENTITY_MESSAGE ? this.#checkIdentityPayload(payload) : payload
    this.#messageIndex++
    return app
  }

  /** The session keys; once, after the handshake completed. */
  split(): HandshakeResult {
    this.#checkUsable()
    const noise = this.#noise
    if (noise === null || !noise.complete || this.#splitDone) {
      throw new CryptoError(
        'ERR_HANDSHAKE_STATE',
        this.#splitDone ? 'split() was already called; keep its result' : 'split() before the handshake completed',
      )
    }
    this.#splitDone = true
    const [toResponder, toInitiator] = noise.split()
    const chainingKey = noise.chainingKey
    const [k1, k2] = hkdf(chainingKey, Buffer.from(DATA_KEYS_INFO, 'utf8'), 2)
    const toResponderKey = Buffer.from(k1.subarray(0, CIPHER_KEY_BYTES))
    const toInitiatorKey = Buffer.from(k2.subarray(0, CIPHER_KEY_BYTES))
    const handshakeHash = noise.handshakeHash
    for (const secret of [chainingKey, k1, k2]) sodium.sodium_memzero(secret)
    noise.destroy()
    return this.initiator
      ? { send: toResponder, receive: toInitiator, handshakeHash, dataKeys: { send: toResponderKey, receive: toInitiatorKey } }
      : { send: toInitiator, receive: toResponder, handshakeHash, dataKeys: { send: toInitiatorKey, receive: toResponderKey } }
  }

  /** Responder, message 1: try each network key on a fresh state until one authenticates. */
  #readFirstMessage(message: Uint8Array): Buffer {
    for (let index = 0; index < this.#networkKeys.length; index++) {
      const noise = this.#createNoise(this.#networkKeys[index])
      try {
        const payload = noise.readMessage(message)
        this.#noise = noise
        this.#matchedKeyIndex = index
        this.#messageIndex++
        return payload
      } catch (err) {
        if (isCryptoError(err, 'ERR_HANDSHAKE_DECRYPT')) continue
        this.#failed = true
        throw err
      }
    }
    this.#failed = true
    throw new CryptoError(
      'ERR_HANDSHAKE_DECRYPT',
      `handshake message 1 did not authenticate under any of ${this.#networkKeys.length} accepted network keys: the peer uses another network secret (or the message was altered)`,
    )
  }

  /** Checks that the payload starts with an Ed25519 key matching the static key; returns the rest. */
  #checkIdentityPayload(payload: Buffer): Buffer {
    const remoteStatic = this.#noise!.remoteStaticKey
    const claimed = payload.subarray(0, PUBLIC_KEY_BYTES)
    const claimedDh = payload.byteLength < PUBLIC_KEY_BYTES ? null : dhPublicOf(claimed)
    if (claimedDh === null || remoteStatic === null || !claimedDh.equals(remoteStatic)) {
      this.#failed = true
      throw new CryptoError(
        'ERR_IDENTITY_MISMATCH',
        'the peer\'s Ed25519 identity does not match the static key it proved in the handshake; it is misconfigured or impersonating another peer: drop it',
      )
    }
    this.#remotePublicKey = Buffer.from(claimed)
    return Buffer.from(payload.subarray(PUBLIC_KEY_BYTES))
  }

  #createNoise(networkKey: Buffer): NoiseHandshakeState {
    return new NoiseHandshakeState({
      pattern: PATTERN,
      initiator: this.initiator,
      prologue: PROLOGUE_BYTES,
      staticKeyPair: { publicKey: this.#identity.dhPublic, secretKey: this.#identity.dhSecret },
      psks: [networkKey],
      ephemeralKeyPair: this.#ephemeral,
    })
  }

  /** Runs a Noise step; any error other than misuse fails the handshake. */
  #guard<T>(step: () => T): T {
    try {
      return step()
    } catch (err) {
      if (!isCryptoError(err, 'ERR_HANDSHAKE_STATE') && !isCryptoError(err, 'ERR_MESSAGE_TOO_LARGE')) this.#failed = true
      throw err
    }
  }

  #checkUsable(): void {
    if (this.#failed) throw new CryptoError('ERR_HANDSHAKE_FAILED', 'this handshake already failed; start a new one')
  }
}

function copyNetworkKey(key: Uint8Array): Buffer {
  if (key.byteLength !== NETWORK_KEY_BYTES) {
    throw new CryptoError(
      'ERR_BAD_KEY',
      `a network key is ${NETWORK_KEY_BYTES} bytes, got ${key.byteLength}; derive it with deriveNetworkKey()`,
    )
  }
  return Buffer.from(key)
}

function checkIdentity(identity: Identity): void {
  const ok =
    identity.publicKey?.byteLength === PUBLIC_KEY_BYTES &&
    identity.dhPublic?.byteLength === DH_KEY_BYTES &&
    identity.dhSecret?.byteLength === DH_KEY_BYTES
  if (!ok) {
    throw new CryptoError('ERR_BAD_KEY', 'the identity is incomplete; load it with identityFromSecretKey() or generateIdentity()')
  }
}
