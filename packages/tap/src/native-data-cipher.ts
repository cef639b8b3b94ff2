import { loadTapBinding, type NativeDataCipherHandle, type NativeReplayWindowHandle } from './native-binding.js'

/**
 * The data AEAD in native code (OpenSSL's ChaCha20-Poly1305 through the TAP addon): the cipher
 * the native fast path seals and opens with, byte-identical to @weft/crypto's DataCipher (same
 * key, counter nonce `00000000 | counter LE`, associated data and plaintext give the same bytes).
 * Throws `ERR_TAP_ADDON` when the addon is not built, a TypeError for a key that is not 32 bytes.
 */
export function createNativeDataCipher(key: Uint8Array): NativeDataCipherHandle {
  const { NativeDataCipher } = loadTapBinding()
  return new NativeDataCipher(key)
}

/** The replay window in native code, same rules as @weft/crypto's ReplayWindow. */
export function createNativeReplayWindow(): NativeReplayWindowHandle {
  const { NativeReplayWindow } = loadTapBinding()
  return new NativeReplayWindow()
}

export type { NativeDataCipherHandle, NativeReplayWindowHandle }
