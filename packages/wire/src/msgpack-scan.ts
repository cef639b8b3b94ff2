// A strict structural check of untrusted msgpack, run before msgpackr decodes it. msgpackr is
// fast but built for trusted data: it has extensions that define records (compiled to code),
// rebuild Sets, Errors, typed arrays and object references, a never-used 0xC1 token it decodes to
// a marker object, and it recurses once per nesting level. The scan (iterative, linear in the
// input, no allocation beyond a few small arrays) accepts only plain msgpack:
//
//   - nil, booleans, integers, floats, str, bin, arrays, and maps whose keys are all strings;
//   - no ext types (0xC7-0xC9, 0xD4-0xD8) and no 0xC1;
//   - nesting at most `maxDepth` containers deep;
//   - no container declaring more elements than bytes remain (each element takes at least one
//     byte), so no huge allocation from a lying length;
//   - exactly one value, ending at the last byte;
//   - no duplicate key in the top-level map (no "last one wins" smuggling).

/** Returns null if `bytes` is acceptable, else what is wrong with it. */
export function scanMsgpack(bytes: Uint8Array, maxDepth: number): string | null {
  const end = bytes.length
  // remaining[d]: values still expected in the container at depth d (depth 0: the root slot).
  const remaining: number[] = new Array<number>(maxDepth + 1).fill(0)
  const isMap: boolean[] = new Array<boolean>(maxDepth + 1).fill(false)
  const topKeys = new Set<string>()
  let depth = 0
  remaining[0] = 1
  let pos = 0
  for (;;) {
    while (depth > 0 && remaining[depth] === 0) depth--
    if (remaining[depth] === 0) break
    remaining[depth]--
    // A map of n entries expects 2n values, counting down: keys are the values left odd.
    const isKey = isMap[depth] && remaining[depth] % 2 === 1
    if (pos >= end) return 'truncated msgpack'
    const token = bytes[pos++]
    let skip = 0 // payload bytes after the token and its length field
    let children = -1 // values in a container, -1 for a scalar
    let childIsMap = false
    let isString = false
    let sizeBytes = 0 // width of a big-endian length field after the token
    let fixedBytes = 0 // width of a fixed-size scalar payload
    if (token <= 0x7f || token >= 0xe0) {
      // positive or negative fixint
    } else if (token <= 0x8f) {
      children = (token - 0x80) * 2
      childIsMap = true
    } else if (token <= 0x9f) {
      children = token - 0x90
    } else if (token <= 0xbf) {
      skip = token - 0xa0
      isString = true
    } else {
      switch (token) {
        case 0xc0: case 0xc2: case 0xc3: break
        case 0xc4: sizeBytes = 1; break
        case 0xc5: sizeBytes = 2; break
        case 0xc6: sizeBytes = 4; break
        case 0xca: fixedBytes = 4; break
        case 0xcb: fixedBytes = 8; break
        case 0xcc: case 0xd0: fixedBytes = 1; break
        case 0xcd: case 0xd1: fixedBytes = 2; break
        case 0xce: case 0xd2: fixedBytes = 4; break
        case 0xcf: case 0xd3: fixedBytes = 8; break
        case 0xd9: sizeBytes = 1; isString = true; break
        case 0xda: sizeBytes = 2; isString = true; break
        case 0xdb: sizeBytes = 4; isString = true; break
        case 0xdc: sizeBytes = 2; children = 0; break
        case 0xdd: sizeBytes = 4; children = 0; break
        case 0xde: sizeBytes = 2; children = 0; childIsMap = true; break
        case 0xdf: sizeBytes = 4; children = 0; childIsMap = true; break
        default:
          return token === 0xc1
            ? 'the never-used msgpack token 0xc1'
            : `a msgpack extension (token 0x${token.toString(16)}), which control messages never use`
      }
    }
    if (sizeBytes > 0) {
      if (end - pos < sizeBytes) return 'truncated msgpack'
      let size = 0
      for (let i = 0; i < sizeBytes; i++) size = size * 256 + bytes[pos + i]
      pos += sizeBytes
      if (children === 0) children = childIsMap ? size * 2 : size
      else skip = size
    }
    skip += fixedBytes
    if (isKey && !isString) return 'a map key that is not a string'
    if (skip > end - pos) return 'truncated msgpack'
    if (isKey && depth === 1) {
      const key = Buffer.from(bytes.buffer, bytes.byteOffset + pos, skip).toString('latin1')
      if (topKeys.has(key)) return `the key ${JSON.stringify(key.slice(0, 40))} twice`
      topKeys.add(key)
    }
    pos += skip
    if (children > 0) {
      if (depth === maxDepth) return `msgpack nested deeper than ${maxDepth} levels`
      if (children > end - pos) return 'a container declaring more elements than bytes remain'
      depth++
      remaining[depth] = children
      isMap[depth] = childIsMap
    }
  }
  return pos === end ? null : 'bytes after the end of the message'
}
