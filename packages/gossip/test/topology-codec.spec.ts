import fc from 'fast-check'
import { Packr } from 'msgpackr'
import { describe, expect, it } from 'vitest'
import {
  GossipError, MAX_PEER_ADDRESSES, createGossipEngine, createTopology, decodeTopology, encodeTopology,
  type PeerRecord, type TopologyState,
} from '../src/index.js'
import { ID_POOL, SELF, stateArb } from './helpers/arbitraries.js'
import { VirtualClock } from './helpers/virtual-clock.js'

// Encodes test messages field by field, bypassing the codec's checks (Date and the like become
// msgpack extensions, as a hostile peer could send them).
const raw = new Packr({ useRecords: false, variableMapSize: true })

const hex = (s: string): Buffer => Buffer.from(s, 'hex')

function wireRecord(r: PeerRecord): Record<string, unknown> {
  return {
    i: hex(r.id), n: r.nickname, s: hex(r.restartId), v: r.version, a: [...r.addresses], u: r.udpPort,
    c: r.connections.map((c) => ({ p: hex(c.peer), a: c.address, o: c.outbound, e: c.established, t: c.rttMs })),
  }
}

const [A, B] = ID_POOL
const sample: PeerRecord = {
  id: A, nickname: 'alpha', restartId: '0011223344556677', version: 3, addresses: ['192.0.2.1', '2001:db8::1'], udpPort: 6783,
  connections: [{ peer: B, address: '[2001:db8::2]:6783', outbound: true, established: true, rttMs: 2.5 }],
}

const canon = (s: TopologyState): string => Buffer.from(encodeTopology(s)).toString('hex')

function expectBadPayload(bytes: Uint8Array, reason?: string): void {
  let error: unknown
  try {
    decodeTopology(bytes)
  } catch (e) {
    error = e
  }
  expect(error).toBeInstanceOf(GossipError)
  expect((error as GossipError).code).toBe('ERR_BAD_PAYLOAD')
  if (reason !== undefined) expect((error as GossipError).reason, (error as Error).message).toBe(reason)
}

describe('topology codec', () => {
  it('round-trips any state, with canonical bytes', () => {
    fc.assert(fc.property(stateArb(), (state) => {
      const bytes = encodeTopology(state)
      const back = decodeTopology(bytes)
      expect([...back.keys()].sort()).toEqual([...state.keys()].sort())
      for (const [id, r] of state) expect(back.get(id)).toEqual(r)
      expect(Buffer.from(encodeTopology(back)).equals(Buffer.from(bytes))).toBe(true)
    }), { numRuns: 300 })
  })

  it('matches the documented layout', () => {
    const bytes = raw.pack({ v: 1, r: [wireRecord(sample)] })
    expect(decodeTopology(bytes).get(A)).toEqual(sample)
    expect(Buffer.from(encodeTopology(new Map([[A, sample]]))).equals(bytes)).toBe(true)
  })

  it('rejects random bytes with a typed error', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      expectBadPayload(bytes)
    }), { numRuns: 2000 })
  })

  it('rejects mutated valid messages with a typed error, or decodes them to valid records', () => {
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), value: fc.constant(0) }),
      fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
    )
    fc.assert(fc.property(stateArb(), fc.array(mutation, { minLength: 1, maxLength: 4 }), (state, mutations) => {
      let bytes = Buffer.from(encodeTopology(state))
      for (const m of mutations) {
        const at = bytes.length === 0 ? 0 : m.at % bytes.length
        if (m.kind === 'flip') bytes[at] = m.value
        else if (m.kind === 'cut') bytes = bytes.subarray(0, at)
        else bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from([m.value]), bytes.subarray(at)])
      }
      let decoded: TopologyState
      try {
        decoded = decodeTopology(bytes)
      } catch (e) {
        expect(e).toBeInstanceOf(GossipError)
        expect((e as GossipError).code).toBe('ERR_BAD_PAYLOAD')
        return
      }
      // a mutation that kept the message valid: what came out must be valid records
      expect(canon(decodeTopology(encodeTopology(decoded)))).toBe(canon(decoded))
      for (const r of decoded.values()) expect(Object.isFrozen(r) && Object.isFrozen(r.connections)).toBe(true)
    }), { numRuns: 2000 })
  })

  // Each entry breaks one field of the second record; the whole message must be rejected.
  const breakages: Array<[string, (w: Record<string, unknown>) => void]> = [
    ['id of 31 bytes', (w) => { w.i = Buffer.alloc(31) }],
    ['id as hex text', (w) => { w.i = A }],
    ['empty nickname', (w) => { w.n = '' }],
    ['nickname of 65', (w) => { w.n = 'x'.repeat(65) }],
    ['nickname a number', (w) => { w.n = 7 }],
    ['restartId of 7 bytes', (w) => { w.s = Buffer.alloc(7) }],
    ['version -1', (w) => { w.v = -1 }],
    ['version 1.5', (w) => { w.v = 1.5 }],
    ['version 2^53', (w) => { w.v = 2 ** 53 }],
    ['version as text', (w) => { w.v = '3' }],
    ['version nil', (w) => { w.v = null }],
    ['address not an IP', (w) => { w.a = ['example.com'] }],
    ['address with a zone', (w) => { w.a = ['fe80::1%eth0'] }],
    ['address repeated', (w) => { w.a = ['192.0.2.1', '192.0.2.1'] }],
    ['too many addresses', (w) => { w.a = Array.from({ length: MAX_PEER_ADDRESSES + 1 }, (_, i) => `192.0.2.${i}`) }],
    ['addresses a map', (w) => { w.a = { x: 1 } }],
    ['udpPort 0', (w) => { w.u = 0 }],
    ['udpPort 65536', (w) => { w.u = 65536 }],
    ['connections a string', (w) => { w.c = 'none' }],
    ['connection to itself', (w) => { (w.c as Array<Record<string, unknown>>)[0].p = w.i }],
    ['connection twice', (w) => { const c = w.c as unknown[]; c.push(c[0]) }],
    ['connection address without port', (w) => { (w.c as Array<Record<string, unknown>>)[0].a = '192.0.2.1' }],
    ['connection address port 0', (w) => { (w.c as Array<Record<string, unknown>>)[0].a = '192.0.2.1:0' }],
    ['connection established as 1', (w) => { (w.c as Array<Record<string, unknown>>)[0].e = 1 }],
    ['rtt negative', (w) => { (w.c as Array<Record<string, unknown>>)[0].t = -1 }],
    ['rtt NaN', (w) => { (w.c as Array<Record<string, unknown>>)[0].t = NaN }],
    ['rtt infinite', (w) => { (w.c as Array<Record<string, unknown>>)[0].t = Infinity }],
    ['rtt as text', (w) => { (w.c as Array<Record<string, unknown>>)[0].t = '2' }],
    ['connection field missing', (w) => { delete (w.c as Array<Record<string, unknown>>)[0].o }],
    ['connection field extra', (w) => { (w.c as Array<Record<string, unknown>>)[0].z = 1 }],
    ['record field missing', (w) => { delete w.u }],
    ['record field extra', (w) => { w.extra = 1 }],
    ['__proto__ field', (w) => { Object.defineProperty(w, '__proto__', { value: { polluted: true }, enumerable: true }) }],
    ['record a list', (w) => { for (const k of Object.keys(w)) delete w[k]; Object.assign(w, { 0: 1 }) }],
  ]

  it.each(breakages)('rejects the whole message for one bad field: %s', (_name, breakIt) => {
    const first = wireRecord({ ...sample, id: B, connections: [] })
    const second = wireRecord(sample)
    breakIt(second)
    expectBadPayload(raw.pack({ v: 1, r: [first, second] }), 'bad-field')
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('rejects duplicate ids, unknown format versions and malformed envelopes', () => {
    expectBadPayload(raw.pack({ v: 1, r: [wireRecord(sample), wireRecord(sample)] }), 'bad-field')
    expectBadPayload(raw.pack({ v: 2, r: [] }), 'bad-version')
    expectBadPayload(raw.pack({ r: [] }), 'bad-field')
    expectBadPayload(raw.pack({ v: 1, r: [], x: 0 }), 'bad-field')
    expectBadPayload(raw.pack({ v: 1, r: {} }), 'bad-field')
    expectBadPayload(raw.pack([1, []]), 'bad-field')
    expectBadPayload(raw.pack(null), 'bad-field')
  })

  it('rejects msgpack extensions, deep nesting, lying lengths and trailing bytes before decoding', () => {
    expectBadPayload(raw.pack({ v: 1, r: [{ ...wireRecord(sample), n: new Date(0) }] }), 'not-msgpack')
    expectBadPayload(raw.pack({ v: 1, r: [{ ...wireRecord(sample), c: [{ p: [[[[]]]] }] }] }), 'not-msgpack')
    expectBadPayload(Buffer.from([0x82, 0xa1, 0x76, 0x01, 0xa1, 0x72, 0xdd, 0xff, 0xff, 0xff, 0xff]), 'not-msgpack')
    expectBadPayload(Buffer.concat([raw.pack({ v: 1, r: [] }), Buffer.from([0])]), 'not-msgpack')
    expectBadPayload(Buffer.from([0xc1]), 'not-msgpack')
    expectBadPayload(Buffer.alloc(0), 'not-msgpack')
    expectBadPayload('text' as unknown as Uint8Array, 'not-msgpack')
    expect(decodeTopology(raw.pack({ v: 1, r: [] })).size).toBe(0)
  })
})

describe('topology channel on the engine: garbage never changes the state', () => {
  it('drops and counts every undecodable message, and the topology stays as it was', () => {
    fc.assert(fc.property(stateArb(), fc.array(fc.uint8Array({ maxLength: 200 }), { minLength: 1, maxLength: 10 }), (state, garbage) => {
      const clock = new VirtualClock()
      const engine = createGossipEngine({ selfId: SELF }, { clock, random: () => 0.5, send: () => {} })
      const topology = createTopology({ selfId: SELF, nickname: 's', restartId: '0123456789abcdef', udpPort: 1 },
        { clock, publish: (d) => engine.publish('topology', d) })
      engine.registerChannel(topology)
      engine.receive(A, 'topology', encodeTopology(state))
      const before = canon(topology.full())
      for (const g of garbage) engine.receive(A, 'topology', g)
      expect(canon(topology.full())).toBe(before)
      expect(engine.stats().drops['bad-payload']).toBe(garbage.length)
      engine.close()
    }), { numRuns: 200 })
  })
})
