// Every size, label and limit of weft's cryptography. Changing any value here changes the wire
// protocol: peers that disagree cannot complete a handshake or open each other's packets.

// Identity (Ed25519) and Diffie-Hellman (X25519) keys.
export const PUBLIC_KEY_BYTES = 32
export const SECRET_KEY_BYTES = 64
export const SEED_BYTES = 32
export const SIGNATURE_BYTES = 64
export const DH_KEY_BYTES = 32
/** Hex characters of a public key shown to people (`shortId`). */
export const SHORT_ID_HEX_CHARS = 12

// Noise (revision 34) with X25519, ChaCha20-Poly1305 and BLAKE2b.
export const PROTOCOL_NAME = 'Noise_XXpsk0_25519_ChaChaPoly_BLAKE2b'
/** Mixed into the handshake hash before the first message: both sides must use the same. */
export const PROLOGUE = 'weft/1'
/** HASHLEN of BLAKE2b. */
export const HASH_BYTES = 64
/** BLOCKLEN of BLAKE2b, the HMAC block size. */
export const HASH_BLOCK_BYTES = 128
export const CIPHER_KEY_BYTES = 32
export const AEAD_TAG_BYTES = 16
export const AEAD_NONCE_BYTES = 12
/** A Noise message (handshake or transport) is at most this long, tag included. */
export const MAX_MESSAGE_BYTES = 65535
/**
 * A `CipherState` refuses to encrypt once its nonce reaches this value. Noise reserves 2^64-1;
 * weft stops at 2^53-1 so the counter stays an exact JS number (unreachable in practice).
 */
export const CIPHER_STATE_MAX_NONCE = Number.MAX_SAFE_INTEGER
/** HKDF input that derives the two data-path keys from the final chaining key. */
export const DATA_KEYS_INFO = 'weft data keys'

// Network key: the shared secret stretched once per launch.
export const NETWORK_KEY_BYTES = 32
/** Input of the fixed Argon2id salt: BLAKE2b-128 of this string. */
export const NETWORK_KEY_SALT_INFO = 'weft network key v1'
/** Argon2id passes (libsodium OPSLIMIT_INTERACTIVE). */
export const NETWORK_KEY_OPSLIMIT = 2
/** Argon2id memory in bytes (libsodium MEMLIMIT_INTERACTIVE, 64 MiB). */
export const NETWORK_KEY_MEMLIMIT_BYTES = 64 * 1024 * 1024
/** Shortest accepted secret, in Unicode code points. */
export const MIN_SECRET_CHARS = 8
/** Random bytes in a generated secret (base64url: 43 characters). */
export const GENERATED_SECRET_BYTES = 32
/** Context of the swarm topic: keyed BLAKE2b-256 of this string under the network key. */
export const TOPIC_CONTEXT = 'weft swarm topic v1'
export const TOPIC_BYTES = 32

// Data path.
/** A received counter this far or further behind the highest accepted one is too old. */
export const REPLAY_WINDOW_COUNTERS = 2048
/** Counters at or above 2^64 - 2^13 are never accepted (WireGuard's REJECT_AFTER_MESSAGES). */
export const REJECT_AFTER_MESSAGES = 2n ** 64n - 2n ** 13n
/** Largest counter a `DataCipher` puts in a nonce. */
export const MAX_COUNTER = 2n ** 64n - 1n
