/**
 * @weft/crypto: identity keys, the network key, weft's Noise_XXpsk0_25519_ChaChaPoly_BLAKE2b
 * handshake, the data-path AEAD and the replay window. Data-path safe: imports only
 * sodium-native; `DataCipher` and `ReplayWindow` never throw per packet. See docs/CRYPTO.md.
 *
 * @example
 * ```ts
 * import { Handshake, DataCipher, ReplayWindow, deriveNetworkKey, generateIdentity } from '@weft/crypto'
 *
 * const networkKey = deriveNetworkKey(process.env.WEFT_PASSWORD!) // once per launch (~80 ms)
 * const a = Handshake.initiator({ identity: generateIdentity(), networkKey })
 * const b = Handshake.responder({ identity: generateIdentity(), networkKeys: [networkKey] })
 * b.readMessage(a.writeMessage())
 * a.readMessage(b.writeMessage())
 * b.readMessage(a.writeMessage())
 * const { send, dataKeys } = a.split() // control channel + data keys; b.split() mirrors them
 *
 * // Data path: in place, -1 instead of a throw.
 * const sealer = new DataCipher(dataKeys.send)
 * const ctLength = sealer.seal(packet, 16, payloadLength, packet, 0, 16, counter)
 * const opener = new DataCipher(b.split().dataKeys.receive)
 * const replay = new ReplayWindow()
 * if (replay.check(counter) && opener.open(packet, 16, ctLength, packet, 0, 16, counter) >= 0) {
 *   replay.accept(counter)
 * }
 * ```
 */

export * from './constants.js'
export { CryptoError, isCryptoError, type CryptoErrorCode } from './errors.js'
export {
  generateIdentity,
  identityFromSecretKey,
  identityFromSeed,
  shortId,
  sign,
  verify,
  dhPublicOf,
  type Identity,
} from './identity.js'
export { generateDhKeyPair, dhKeyPairFromSecret, type DhKeyPair } from './dh-key-pair.js'
export { rekeyDataKeys, type DirectionalKeys } from './rekey.js'
export { deriveNetworkKey, generateSecret, topicFromNetworkKey } from './network-key.js'
export { CipherState } from './cipher-state.js'
export {
  Handshake,
  type HandshakeInitiatorInit,
  type HandshakeResponderInit,
  type HandshakeResult,
} from './handshake.js'
export { NoiseHandshakeState, type NoiseHandshakeInit } from './noise-handshake-state.js'
export { DataCipher } from './data-cipher.js'
export { ReplayWindow } from './replay-window.js'
