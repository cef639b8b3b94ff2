import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { Packr, pack } from 'msgpackr'
import {
  MAX_CONTROL_MESSAGE_BYTES, MAX_CONTROL_PLAINTEXT_BYTES, MAX_GOSSIP_PAYLOAD_BYTES, WireError, decodeControl,
  encodeControl, encodeFrame, type BadMessageReason, type ControlMessage, type HelloMessage,
} from '../src/index.js'

/** Plain msgpack for crafting inputs, independent of the codec under test. */
const plain = new Packr({ useRecords: false, variableMapSize: true })
const mp = (value: unknown): Buffer => plain.pack(value)

const hello: HelloMessage = {
  t: 'hello', version: 1, nickname: 'host-a', restartId: '0123456789abcdef', udpPort: 6784,
  sessionIndex: 0xdeadbeef, mtu: 1424, addresses: ['192.0.2.1', '2001:db8::1'],
}

function rejection(bytes: Uint8Array): WireError {
  try {
    decodeControl(bytes)
  } catch (error) {
    expect(error).toBeInstanceOf(WireError)
    expect((error as WireError).code).toBe('ERR_BAD_MESSAGE')
    return error as WireError
  }
  return expect.fail('expected ERR_BAD_MESSAGE')
}

function expectRejected(bytes: Uint8Array, reason: BadMessageReason, message?: RegExp): void {
  const error = rejection(bytes)
  expect(error.reason).toBe(reason)
  if (message) expect(error.message).toMatch(message)
}

// --- arbitraries of valid messages ---

const u32 = fc.nat({ max: 0xffffffff })
const ipv4 = fc.ipV4()
const ipv6 = fc.ipV6()
const helloArb = fc.record({
  t: fc.constant('hello' as const),
  version: fc.nat({ max: 0xffff }),
  nickname: fc.string({ minLength: 1, maxLength: 64 }).filter((s) => !/[\p{Cc}\p{Cs}]/u.test(s)),
  restartId: fc.stringMatching(/^[0-9a-f]{16}$/),
  udpPort: fc.integer({ min: 1, max: 65535 }),
  sessionIndex: u32,
  mtu: fc.integer({ min: 576, max: 65535 }),
  addresses: fc.array(fc.oneof(ipv4, ipv6), { maxLength: 16 }),
})
// msgpack (as msgpackr writes it) has no -0: it travels as the integer 0.
const finite = fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => (x === 0 ? 0 : x))
const messageArb: fc.Arbitrary<ControlMessage> = fc.oneof(
  helloArb,
  fc.record({ t: fc.constant('ping' as const), id: u32, sentAt: finite }),
  fc.record({ t: fc.constant('pong' as const), id: u32, sentAt: finite }),
  fc.record({
    t: fc.constant('gossip' as const),
    channel: fc.stringMatching(/^[a-z0-9-]{1,32}$/),
    payload: fc.uint8Array({ maxLength: 500 }),
  }),
  fc.record({
    t: fc.constant('rekey' as const),
    ephemeral: fc.uint8Array({ minLength: 32, maxLength: 32 }),
    sessionIndex: u32,
    reply: fc.boolean(),
  }),
  fc.record({ t: fc.constant('goodbye' as const), reason: fc.string({ maxLength: 256 }).filter((s) => !/[\p{Cc}\p{Cs}]/u.test(s)) }),
)

/** Byte fields come back as Buffers: compare contents, not classes. */
function normalise(msg: ControlMessage): Record<string, unknown> {
  return Object.fromEntries(Object.entries(msg).map(([k, v]) => [k, v instanceof Uint8Array ? [...v] : v]))
}

describe('control messages', () => {
  it('round-trips every type', () => {
    fc.assert(fc.property(messageArb, (msg) => {
      const decoded = decodeControl(encodeControl(msg))
      expect(normalise(decoded)).toEqual(normalise(msg))
      expect(Object.keys(decoded)).toEqual(Object.keys(msg))
    }), { numRuns: 500 })
  })

  it('narrows on t', () => {
    const msg = decodeControl(encodeControl({ t: 'rekey', ephemeral: new Uint8Array(32), sessionIndex: 3, reply: true }))
    if (msg.t !== 'rekey') return expect.fail('expected rekey')
    expect(msg.ephemeral.length + msg.sessionIndex).toBe(35)
  })

  it('encodes plain msgpack maps any decoder reads', () => {
    const bytes = encodeControl({ t: 'ping', id: 7, sentAt: 1.5 })
    expect(new Packr({ useRecords: false }).unpack(bytes)).toEqual({ t: 'ping', id: 7, sentAt: 1.5 })
    expect(bytes[0]).toBe(0x83) // a fixmap of three entries, no record extension
  })

  it('ignores unknown fields and never copies them', () => {
    const decoded = decodeControl(mp({ ...hello, future: { nested: [1, 2, { x: 'y' }] }, extra: 'z' }))
    expect(decoded).toEqual(hello)
    expect(Object.keys(decoded)).not.toContain('future')
    // The encoder drops them too.
    const withExtra = { ...hello, secret: 'do not send' } as HelloMessage
    expect(new Packr({ useRecords: false }).unpack(encodeControl(withExtra))).toEqual(hello)
  })

  it('never lets __proto__ or inherited names through', () => {
    const polluting = Buffer.concat([
      Buffer.from([0x83]), mp('t'), mp('ping'), mp('__proto__'), mp({ polluted: true, id: 1, sentAt: 2 }), mp('id'), mp(5),
    ])
    expectRejected(polluting, 'bad-field', /ping\.sentAt is missing/)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expectRejected(mp({ t: 'toString' }), 'unknown-type', /unknown type "toString"/)
    expectRejected(mp({ t: '__proto__' }), 'unknown-type')
    expectRejected(mp({ t: 'constructor' }), 'unknown-type')
    const ok = Buffer.concat([Buffer.from([0x84]), mp('t'), mp('ping'), mp('__proto__'), mp({ a: 1 }), mp('id'), mp(5),
      mp('sentAt'), mp(1)])
    const decoded = decodeControl(ok)
    expect(decoded).toEqual({ t: 'ping', id: 5, sentAt: 1 })
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype)
  })

  it('names the rule a field breaks', () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ ...hello, mtu: 575 }, /hello\.mtu must be an integer in 576\.\.65535, got 575/],
      [{ ...hello, mtu: 1400.5 }, /hello\.mtu must be an integer/],
      [{ ...hello, udpPort: 0 }, /hello\.udpPort must be an integer in 1\.\.65535/],
      [{ ...hello, version: 65536 }, /hello\.version must be an integer in 0\.\.65535/],
      [{ ...hello, sessionIndex: 2 ** 32 }, /hello\.sessionIndex must be an integer in 0\.\.4294967295/],
      [{ ...hello, sessionIndex: -1 }, /hello\.sessionIndex/],
      [{ ...hello, nickname: '' }, /hello\.nickname must be a string of 1\.\.64 chars/],
      [{ ...hello, nickname: 'x'.repeat(65) }, /hello\.nickname .* got a string of 65 chars/],
      [{ ...hello, nickname: 'bad\nname' }, /without control characters/],
      [{ ...hello, nickname: 7 }, /hello\.nickname must be a string/],
      [{ ...hello, restartId: '0123456789ABCDEF' }, /hello\.restartId must be a string of 16\.\.16 chars of lowercase hex/],
      [{ ...hello, restartId: '0123' }, /hello\.restartId/],
      [{ ...hello, addresses: Array(17).fill('10.0.0.1') }, /hello\.addresses must be an array of at most 16 IP address literals, got an array of 17/],
      [{ ...hello, addresses: ['10.0.0.256'] }, /hello\.addresses/],
      [{ ...hello, addresses: ['fe80::1%eth0'] }, /hello\.addresses/],
      [{ ...hello, addresses: '10.0.0.1' }, /hello\.addresses/],
      [{ t: 'ping', id: 1 }, /ping\.sentAt is missing \(expected a finite number\)/],
      [{ t: 'ping', id: 1, sentAt: null }, /ping\.sentAt must be a finite number, got null/],
      [{ t: 'ping', id: 1, sentAt: Number.NaN }, /ping\.sentAt must be a finite number, got NaN/],
      [{ t: 'pong', id: 1, sentAt: Number.POSITIVE_INFINITY }, /pong\.sentAt/],
      [{ t: 'gossip', channel: 'Topology', payload: Buffer.alloc(1) }, /gossip\.channel .* of \[a-z0-9-\]/],
      [{ t: 'gossip', channel: 'x'.repeat(33), payload: Buffer.alloc(1) }, /gossip\.channel/],
      [{ t: 'gossip', channel: 'ipam', payload: 'text' }, /gossip\.payload must be binary data of at most/],
      [{ t: 'rekey', ephemeral: Buffer.alloc(31), sessionIndex: 1, reply: false }, /rekey\.ephemeral must be binary data of exactly 32 bytes, got 31 bytes/],
      [{ t: 'rekey', ephemeral: Buffer.alloc(32), sessionIndex: 1, reply: 0 }, /rekey\.reply must be a boolean, got 0/],
      [{ t: 'goodbye', reason: 'x'.repeat(257) }, /goodbye\.reason/],
      [{ t: 7 }, /field 't' \(the message type\) must be a string, got 7/],
      [{ nothing: 1 }, /field 't'/],
    ]
    for (const [value, message] of cases) {
      expectRejected(mp(value), 'bad-field', message)
      // The encoder holds the caller to the same schema.
      expect(() => encodeControl(value as unknown as ControlMessage)).toThrow(message)
    }
    expect(rejection(mp({ ...hello, mtu: 575 })).message).toMatch(/drop it and count it/)
  })

  it('accepts the edges of every range', () => {
    const edges: ControlMessage[] = [
      { ...hello, version: 0, udpPort: 1, sessionIndex: 0, mtu: 576, nickname: 'x', addresses: [] },
      { ...hello, version: 65535, udpPort: 65535, sessionIndex: 0xffffffff, mtu: 65535, nickname: 'é'.repeat(64),
        addresses: Array(16).fill('::ffff:10.0.0.1') },
      { t: 'goodbye', reason: '' },
      { t: 'gossip', channel: '0-a', payload: new Uint8Array(0) },
      { t: 'ping', id: 0, sentAt: -1e300 },
    ]
    for (const msg of edges) expect(normalise(decodeControl(encodeControl(msg)))).toEqual(normalise(msg))
  })

  it('classifies the ways bytes are not a message', () => {
    expectRejected(new Uint8Array(0), 'not-msgpack', /truncated/)
    expectRejected(Buffer.from([0xc1]), 'not-msgpack', /0xc1/)
    expectRejected(Buffer.from([0x81, 0xa1, 0x74]), 'not-msgpack', /truncated/)
    expectRejected(Buffer.from([0xa5, 0x61]), 'not-msgpack', /truncated/)
    expectRejected(Buffer.from([0x81, 0xa1]), 'not-msgpack', /more elements than bytes remain/)
    expectRejected(Buffer.concat([mp({ t: 'goodbye', reason: '' }), Buffer.from([0])]), 'not-msgpack', /after the end/)
    expectRejected(pack({ t: 'goodbye', reason: '', at: new Date(0) }), 'not-msgpack', /extension/)
    expectRejected(new Packr().pack({ t: 'goodbye', reason: '' }), 'not-msgpack', /extension/) // record structures
    expectRejected(new Packr({ moreTypes: true, useRecords: false }).pack({ t: 'x', s: new Set([1]) }), 'not-msgpack', /extension/)
    expectRejected(Buffer.from([0x81, 0x01, 0x02]), 'not-msgpack', /map key that is not a string/)
    expectRejected(Buffer.from([0xdd, 0xff, 0xff, 0xff, 0xff, 0x00]), 'not-msgpack', /more elements than bytes remain/)
    expectRejected(Buffer.concat([Buffer.from([0x82]), mp('t'), mp('ping'), mp('t'), mp('hello')]), 'not-msgpack', /key "t" twice/)
    expectRejected(mp([1, 2]), 'not-a-map', /got an array of 2/)
    expectRejected(mp(5), 'not-a-map')
    expectRejected(mp(null), 'not-a-map')
    expectRejected(mp(Buffer.from([1])), 'not-a-map')
    expectRejected(mp({ t: 'hola' }), 'unknown-type', /unknown type "hola"/)
  })

  it('bounds nesting without recursing into it', () => {
    const deep = Buffer.alloc(MAX_CONTROL_MESSAGE_BYTES, 0x91) // a million nested one-element arrays
    deep[deep.length - 1] = 0
    expectRejected(deep, 'not-msgpack', /nested deeper than 8/)
    const nine = Buffer.concat([Buffer.from([0x82]), mp('t'), mp('ping'), mp('x'), Buffer.alloc(8, 0x91), mp(0)])
    expectRejected(nine, 'not-msgpack', /nested deeper/)
  })

  it('refuses inputs above MAX_CONTROL_MESSAGE_BYTES before parsing', () => {
    expectRejected(new Uint8Array(MAX_CONTROL_MESSAGE_BYTES + 1), 'too-large', /exceed the 1048576-byte limit/)
  })

  it('fits the largest gossip payload in one encrypted frame', () => {
    const msg: ControlMessage = { t: 'gossip', channel: 'x'.repeat(32), payload: new Uint8Array(MAX_GOSSIP_PAYLOAD_BYTES) }
    const bytes = encodeControl(msg)
    expect(bytes.length).toBeLessThanOrEqual(MAX_CONTROL_PLAINTEXT_BYTES)
    expect(() => encodeFrame(new Uint8Array(bytes.length + 16))).not.toThrow()
    expect(decodeControl(bytes).t).toBe('gossip')
    expect(() => encodeControl({ ...msg, payload: new Uint8Array(MAX_GOSSIP_PAYLOAD_BYTES + 1) })).toThrow(/gossip\.payload/)
  })

  it('returns byte fields that do not alias the input', () => {
    const bytes = encodeControl({ t: 'gossip', channel: 'dns', payload: Buffer.from('abc') })
    const decoded = decodeControl(bytes)
    bytes.fill(0)
    if (decoded.t !== 'gossip') return expect.fail('expected gossip')
    expect(Buffer.from(decoded.payload).toString()).toBe('abc')
  })

  it('keeps earlier encodings intact', () => {
    const first = encodeControl({ t: 'goodbye', reason: 'first' })
    const copy = Buffer.from(first)
    for (let i = 0; i < 2000; i++) encodeControl({ t: 'goodbye', reason: `message ${i}` })
    expect(first.equals(copy)).toBe(true)
  })

  it('decodes arbitrary bytes to a message or ERR_BAD_MESSAGE, nothing else', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      try {
        const msg = decodeControl(bytes)
        expect(() => encodeControl(msg)).not.toThrow()
      } catch (error) {
        expect((error as WireError).code).toBe('ERR_BAD_MESSAGE')
      }
    }), { numRuns: 5000 })
  })

  it('decodes arbitrary msgpack values and mutated messages safely', () => {
    const mutated = fc.tuple(messageArb, fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { minLength: 1, maxLength: 4 }))
      .map(([msg, edits]) => {
        const bytes = Buffer.from(encodeControl(msg))
        for (const [at, value] of edits) bytes[at % bytes.length] = value
        return bytes
      })
    const anything = fc.anything({ withBigInt: false, withMap: true, withSet: true, withDate: true, withTypedArray: true })
      .map((value) => new Packr({ useRecords: false, moreTypes: true }).pack(value))
    const valueFields = fc.tuple(messageArb, fc.string(), fc.anything()).map(([msg, key, value]) => {
      const fields = Object.keys(msg).filter((k) => k !== 't')
      const name = fields.length > 0 ? fields[key.length % fields.length] : key
      return mp({ ...msg, [name]: value })
    })
    fc.assert(fc.property(fc.oneof(mutated, anything, valueFields), (bytes) => {
      try {
        const msg = decodeControl(bytes)
        expect(normalise(decodeControl(encodeControl(msg)))).toEqual(normalise(msg))
      } catch (error) {
        expect(error).toBeInstanceOf(WireError)
        expect((error as WireError).code).toBe('ERR_BAD_MESSAGE')
      }
    }), { numRuns: 3000 })
  })
})
