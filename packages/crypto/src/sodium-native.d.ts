// Minimal ambient types for the parts of sodium-native 5 this package uses. sodium-native ships
// no TypeScript types. The wrappers in `index.js` check their arguments and throw an Error on
// failure; the raw addon (`binding.js`) is typed where it is loaded (`data-cipher.ts`).

declare module 'sodium-native' {
  type Bytes = Uint8Array

  interface SodiumNative {
    readonly crypto_sign_PUBLICKEYBYTES: number
    readonly crypto_sign_SECRETKEYBYTES: number
    readonly crypto_sign_SEEDBYTES: number
    readonly crypto_sign_BYTES: number
    readonly crypto_pwhash_ALG_ARGON2ID13: number
    readonly crypto_pwhash_OPSLIMIT_INTERACTIVE: number
    readonly crypto_pwhash_MEMLIMIT_INTERACTIVE: number
    readonly crypto_aead_chacha20poly1305_ietf_ABYTES: number
    readonly crypto_aead_chacha20poly1305_ietf_KEYBYTES: number
    readonly crypto_aead_chacha20poly1305_ietf_NPUBBYTES: number

    crypto_sign_keypair(publicKey: Bytes, secretKey: Bytes): void
    crypto_sign_seed_keypair(publicKey: Bytes, secretKey: Bytes, seed: Bytes): void
    crypto_sign_detached(signature: Bytes, message: Bytes, secretKey: Bytes): void
    crypto_sign_verify_detached(signature: Bytes, message: Bytes, publicKey: Bytes): boolean
    crypto_sign_ed25519_pk_to_curve25519(x25519Public: Bytes, ed25519Public: Bytes): void
    crypto_sign_ed25519_sk_to_curve25519(x25519Secret: Bytes, ed25519Secret: Bytes): void

    crypto_box_keypair(publicKey: Bytes, secretKey: Bytes): void
    crypto_scalarmult(shared: Bytes, secretKey: Bytes, publicKey: Bytes): void
    crypto_scalarmult_base(publicKey: Bytes, secretKey: Bytes): void

    crypto_generichash(output: Bytes, input: Bytes, key?: Bytes): void
    crypto_generichash_batch(output: Bytes, inputs: Bytes[], key?: Bytes): void

    crypto_pwhash(
      output: Bytes,
      password: Bytes,
      salt: Bytes,
      opslimit: number,
      memlimit: number,
      algorithm: number,
    ): void

    crypto_aead_chacha20poly1305_ietf_encrypt(
      ciphertext: Bytes,
      message: Bytes,
      ad: Bytes | null,
      nsec: null,
      nonce: Bytes,
      key: Bytes,
    ): number
    crypto_aead_chacha20poly1305_ietf_decrypt(
      message: Bytes,
      nsec: null,
      ciphertext: Bytes,
      ad: Bytes | null,
      nonce: Bytes,
      key: Bytes,
    ): number
    crypto_aead_chacha20poly1305_ietf_encrypt_detached(
      ciphertext: Bytes,
      mac: Bytes,
      message: Bytes,
      ad: Bytes | null | undefined,
      nsec: null,
      nonce: Bytes,
      key: Bytes,
    ): number
    /** Throws when the tag does not verify. */
    crypto_aead_chacha20poly1305_ietf_decrypt_detached(
      message: Bytes,
      nsec: null,
      ciphertext: Bytes,
      mac: Bytes,
      ad: Bytes | null | undefined,
      nonce: Bytes,
      key: Bytes,
    ): void

    randombytes_buf(buffer: Bytes): void
    sodium_memzero(buffer: Bytes): void
    sodium_memcmp(a: Bytes, b: Bytes): boolean
    sodium_is_zero(buffer: Bytes, length?: number): boolean
  }

  const sodium: SodiumNative
  export default sodium
}

declare module 'sodium-native/binding.js' {
  const binding: Record<string, unknown>
  export default binding
}
