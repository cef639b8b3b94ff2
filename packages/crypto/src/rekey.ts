import { CIPHER_KEY_BYTES } from './constants.js'
import { dh } from './dh-key-pair.js'
import type { DhKeyPair } from './dh-key-pair.js'
import { hash, hkdf } from './hkdf.js'

/** Data-path keys by direction: initiator (of the control connection) to responder and back. */
export interface DirectionalKeys {
  initiatorToResponder: Buffer
  responderToInitiator: Buffer
}

const REKEY_INFO = Buffer.from('weft rekey v1')

/**
 * New data keys for a rekey: a fresh X25519 exchange (forward secrecy for the new session)
 * chained with the previous keys (so the new keys also depend on everything the handshake
 * proved). Both ends call it with their own ephemeral key pair and the other's public key and
 * get the same result. The exchange itself travels on the authenticated control channel.
 */
export function rekeyDataKeys(previous: DirectionalKeys, ours: DhKeyPair, theirPublic: Uint8Array): DirectionalKeys {
  const chainingKey = hash(REKEY_INFO, previous.initiatorToResponder, previous.responderToInitiator)
  const shared = dh(ours.secretKey, theirPublic)
  const [k1, k2] = hkdf(chainingKey, shared, 2)
  return {
    initiatorToResponder: Buffer.from(k1.subarray(0, CIPHER_KEY_BYTES)),
    responderToInitiator: Buffer.from(k2.subarray(0, CIPHER_KEY_BYTES)),
  }
}
