/**
 * @weft/wire: the byte layouts and codecs of weft's wire formats (docs/WIRE.md). Pure: no I/O,
 * no other @weft package. The data-path codecs (header, bundle, Ethernet, ICMP) allocate nothing
 * per packet and never throw on what a peer sent; the control-path codecs (stream framing,
 * control messages) throw `WireError` with a stable `code`.
 *
 * @example
 * ```ts
 * import { BundleWriter, DataHeaderView, DecodeResult, PacketKind, forEachFrame, writeDataHeader,
 *   DATA_HEADER_BYTES } from '@weft/wire'
 *
 * // send: header, then frames packed into the plaintext area (encrypted in place afterwards)
 * const datagram = Buffer.alloc(1500)
 * writeDataHeader(datagram, 0, PacketKind.Data, peerIndex, counter)
 * const bundle = new BundleWriter(datagram, DATA_HEADER_BYTES, 1500 - DATA_HEADER_BYTES - 16)
 * bundle.add(frame, 0, frame.length)
 *
 * // receive: one view per loop, reused for every datagram
 * const header = new DataHeaderView()
 * if (header.decode(received, 0, received.length) === DecodeResult.Ok) {
 *   // ... decrypt, then:
 *   forEachFrame(plaintext, 0, plainLength, (buf, offset, length) => tap.write(buf, offset, length))
 * }
 * ```
 */

export * from './constants.js'
export { WireError, type WireErrorCode, type BadMessageReason } from './errors.js'
export { PacketKind, DecodeResult, DataHeaderView, writeDataHeader, plaintextLength } from './data-header.js'
export { BundleWriter, forEachFrame, countFrames, type FrameVisitor } from './frame-bundle.js'
export { StreamFramer, encodeFrame } from './stream-framer.js'
export {
  encodeControl, decodeControl,
  type ControlMessage, type ControlMessageType, type ControlMessageOf,
  type HelloMessage, type PingMessage, type PongMessage, type GossipMessage, type RekeyMessage,
  type GoodbyeMessage,
} from './control-message.js'
export { macToNumber, writeMac, isMulticastMac, etherType, macToString, parseMac } from './ethernet.js'
export { isEndpointLiteral, isIpLiteral, isIpv4Literal, isIpv6Literal } from './ip-literal.js'
export { scanMsgpack } from './msgpack-scan.js'
export { safePackr, safeUnpackr, unpackUntrusted } from './safe-msgpack.js'
export { describeValue } from './errors.js'
export { internetChecksum, onesComplementSum, finishChecksum } from './internet-checksum.js'
export { writeTooBig } from './icmp-too-big.js'
export { overlayIpMtu, type UnderlayFamily } from './overlay-mtu.js'
