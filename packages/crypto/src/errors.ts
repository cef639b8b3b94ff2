// Errors of the control-path crypto (keys, secrets, handshake, control channel). The data-path
// functions (`DataCipher.seal/open`, `ReplayWindow.check/accept`) never throw per packet: they
// return -1 or false.

/** Stable codes of `CryptoError`; match on these, never on messages. */
export type CryptoErrorCode =
  /** A key has the wrong length or is not a valid curve point: fix the key file or the caller. */
  | 'ERR_BAD_KEY'
  /** The network secret is empty or too short to resist guessing: choose a longer one. */
  | 'ERR_WEAK_SECRET'
  /** A handshake method was called out of turn (a programming error). */
  | 'ERR_HANDSHAKE_STATE'
  /** A handshake message failed authentication: wrong network secret, or tampered in transit. */
  | 'ERR_HANDSHAKE_DECRYPT'
  /** A handshake message has the wrong length or carries an invalid public key. */
  | 'ERR_HANDSHAKE_MALFORMED'
  /** The handshake already failed; start a new one. */
  | 'ERR_HANDSHAKE_FAILED'
  /** The peer's Ed25519 identity does not match the static key it proved in the handshake. */
  | 'ERR_IDENTITY_MISMATCH'
  /** A control-channel message failed authentication: close the connection. */
  | 'ERR_DECRYPT'
  /** A cipher state used its last nonce: rekey, or handshake again. */
  | 'ERR_NONCE_EXHAUSTED'
  /** A message would exceed the Noise limit of 65535 bytes: send less per message. */
  | 'ERR_MESSAGE_TOO_LARGE'
  /** An argument is outside its documented range (a programming error). */
  | 'ERR_BAD_ARGUMENT'

export class CryptoError extends Error {
  override readonly name = 'CryptoError'
  readonly code: CryptoErrorCode

  constructor(code: CryptoErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }
}

/** True for a `CryptoError` with the given code. */
export function isCryptoError(err: unknown, code?: CryptoErrorCode): err is CryptoError {
  return err instanceof CryptoError && (code === undefined || err.code === code)
}
