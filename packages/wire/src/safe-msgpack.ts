import { Packr, Unpackr } from 'msgpackr'
import { scanMsgpack } from './msgpack-scan.js'

// msgpackr set up for data from peers: no records or structures (which compile code from the
// input), no extension types, maps as plain objects, 64-bit integers as numbers, buffers
// copied out of the input. Run `scanMsgpack` on untrusted bytes before `safeUnpackr.unpack`.

/** Encoder producing plain msgpack that `scanMsgpack` accepts. */
export const safePackr = new Packr({ useRecords: false, moreTypes: false, variableMapSize: true })

/** Decoder for plain msgpack only; see the file comment. */
export const safeUnpackr = new Unpackr({
  useRecords: false,
  mapsAsObjects: true,
  moreTypes: false,
  structuredClone: false,
  bundleStrings: false,
  sequential: false,
  int64AsType: 'number',
  copyBuffers: true,
})

/**
 * Decodes untrusted bytes: `scanMsgpack` first (plain msgpack only, nesting at most `maxDepth`),
 * then `safeUnpackr`. Returns the value, or the reason the bytes are not acceptable msgpack.
 */
export function unpackUntrusted(bytes: Uint8Array, maxDepth: number): { ok: true; value: unknown } | { ok: false; problem: string } {
  const problem = scanMsgpack(bytes, maxDepth)
  if (problem !== null) return { ok: false, problem }
  try {
    // a fresh view: msgpackr caches a DataView on the object it is given
    return { ok: true, value: safeUnpackr.unpack(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)) }
  } catch (error) {
    return { ok: false, problem: `msgpack decoding failed (${(error as Error).message.slice(0, 80)})` }
  }
}
