/**
 * @weft/tap: the host side of the overlay, a Linux TAP device read in batches.
 *
 * `openTap` opens a real TAP through the weft_tap N-API addon; `ChannelTap` is an in-memory
 * double with the same `TapDevice` interface for tests. Frames arrive as a `FrameBatch`: views
 * into one preallocated slab, borrowed until the handler returns.
 *
 * @example
 * ```ts
 * import { openTap } from '@weft/tap'
 *
 * const tap = openTap({ name: 'weft0' })  // then: ip link set weft0 mtu 1376 up
 * tap.onBatch(({ count, slab, offsets, lengths }) => {
 *   for (let i = 0; i < count; i++) {
 *     const frame = slab.subarray(offsets[i], offsets[i] + lengths[i])  // copy it to keep it
 *     // ...
 *   }
 * })
 * const ok = tap.write(frame, 0, frame.length)  // false (and counted) when the kernel refuses it
 * console.log(tap.stats())  // { framesRead, framesWritten, writeDrops, readErrors }
 * tap.close()
 * ```
 *
 * The addon also carries `setDontFragment(fd, family)`, for the data path's UDP socket (DF on
 * every datagram; see `dont-fragment.ts`), and the native fast path's building blocks:
 * `createNativeDataCipher` (the data AEAD in C++, byte-identical to @weft/crypto's DataCipher)
 * and `createNativeReplayWindow` (the same replay window as @weft/crypto's), and `openFastPath`,
 * the native loop for established unicast traffic that a NativeTap hands its batches to first.
 */
export type { BatchHandler, FrameBatch, TapDevice, TapStats } from './tap-device.js'
export { NativeTap, openTap, type TapInit } from './native-tap.js'
export { ChannelTap, createChannelTapPair, type ChannelTapInit } from './channel-tap.js'
export { TapError, type TapErrorCode } from './errors.js'
export { tapNameProblem } from './tap-name.js'
export { createNativeDataCipher, createNativeReplayWindow, type NativeDataCipherHandle, type NativeReplayWindowHandle } from './native-data-cipher.js'
export { getMtuDiscover, setDontFragment, type SocketFamily } from './dont-fragment.js'
export {
  FastPath, openFastPath, type FastPathCounters, type FastPathInit, type FastPlainHandler, type FastRawHandler,
  type FastSessionEntry,
} from './fast-path.js'
export * from './constants.js'
