import { Packr, Unpackr } from 'msgpackr'

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
