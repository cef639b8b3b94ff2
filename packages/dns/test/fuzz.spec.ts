// Fuzzing: random bytes and mutated valid queries, straight into the query handler (many) and
// over UDP and TCP into a running server (fewer). Nothing throws, every reply is a well-formed
// DNS response carrying the query's id, and the server keeps answering real queries.
import dnsPacket, { type RecordType } from 'dns-packet'
import fc from 'fast-check'
import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AnswerCache } from '../src/answer-cache.js'
import { DnsCounters } from '../src/dns-stats.js'
import { LocalZone } from '../src/local-zone.js'
import { QueryHandler } from '../src/query-handler.js'
import { UpstreamForwarder } from '../src/upstream-forwarder.js'
import { UpstreamList } from '../src/upstream-list.js'
import { DEADLINE_MS, queryPacket, queryTcp, queryUdp, rcodeOf, tcpExchange } from './helpers/dns-client.js'
import { FakeNames } from './helpers/fake-names.js'
import { startServer, type TestServer } from './helpers/server.js'
import { StubUpstream } from './helpers/stub-upstream.js'

const names = new FakeNames().add('web', '10.32.0.5', 'fd00::5').add('many', ...Array.from({ length: 60 }, (_, i) => `10.32.3.${i}`))

const NAMES = ['web.weft.local', 'WEB.weft.local', 'many.weft.local', 'weft.local', 'nope.weft.local', 'web', 'example.test',
  '5.0.32.10.in-addr.arpa', `5.${'0.'.repeat(29)}d.f.ip6.arpa`, '.', 'a.b.c.d.e.f']
const TYPES = ['A', 'AAAA', 'PTR', 'MX', 'TXT', 'ANY', 'SOA', 'NS', 'SRV', 'CNAME'] as const

/** A valid query from the pools, encoded. */
const validQuery = fc.record({
  name: fc.constantFrom(...NAMES),
  type: fc.constantFrom(...TYPES),
  id: fc.integer({ min: 0, max: 0xffff }),
  edns: fc.option(fc.integer({ min: 0, max: 0xffff }), { nil: undefined }),
}).map(({ name, type, id, edns }) => dnsPacket.encode(queryPacket({ name, type: type as RecordType }, { id, edns })))

/** A valid query, then damaged: bytes overwritten, cut short, extended, header bits flipped. */
const mutatedQuery = fc.tuple(validQuery, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
  fc.option(fc.nat(), { nil: undefined }), fc.uint8Array({ maxLength: 8 })).map(([bytes, flips, cut, tail]) => {
  const out = Buffer.from(bytes)
  for (const [at, value] of flips) out[at % out.length] = value
  const cutAt = cut === undefined ? out.length : cut % (out.length + 1)
  return Buffer.concat([out.subarray(0, cutAt), Buffer.from(tail)])
})

const anyBytes = fc.oneof(fc.uint8Array({ maxLength: 600 }).map((b) => Buffer.from(b)), mutatedQuery, validQuery)

/** Checks a reply: a response, the query's id, decodable by dns-packet. */
function checkReply(query: Buffer, reply: Buffer | null): void {
  if (reply === null) return
  expect(reply.length).toBeGreaterThanOrEqual(12)
  expect(reply[2] & 0x80).toBe(0x80)
  expect(reply.readUInt16BE(0)).toBe(query.readUInt16BE(0))
  expect(() => dnsPacket.decode(reply)).not.toThrow()
}

describe('fuzzing the query handler', () => {
  it('never throws, and answers every query-shaped input with a well-formed response', async () => {
    const counters = new DnsCounters()
    const now = (): number => 0
    const handler = new QueryHandler(
      new LocalZone({ domain: 'weft.local', ttl: 1, overlay: new net.BlockList() }, names, Math.random),
      new AnswerCache(100, 30, now),
      new UpstreamForwarder(100, { now, setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) }, counters),
      new UpstreamList('/nonexistent', 53, now, []),
      counters,
    )
    await fc.assert(fc.asyncProperty(anyBytes, fc.constantFrom('udp' as const, 'tcp' as const), async (bytes, transport) => {
      const reply = await handler.handle(bytes, transport)
      checkReply(bytes, reply)
      if (reply !== null && transport === 'udp') expect(reply.length).toBeLessThanOrEqual(1232)
      if (bytes.length >= 12 && (bytes[2] & 0x80) === 0) expect(reply).not.toBeNull()
    }), { numRuns: 20_000 })
  })
})

describe('fuzzing the server over UDP and TCP', () => {
  let s: TestServer
  let up: StubUpstream

  beforeAll(async () => {
    up = new StubUpstream() // outside names go to a stub on loopback, never further
    await up.start()
    s = await startServer({ upstreamTimeoutMs: 200 }, { names }, `nameserver 127.0.0.1:${up.port}\n`)
  })

  afterAll(async () => {
    await s?.close()
    await up?.close()
  })

  it('survives random and mutated datagrams and keeps answering', async () => {
    const inputs = fc.sample(anyBytes, { numRuns: 3000, seed: 42 })
    const sock = (await import('node:dgram')).createSocket('udp4')
    const replies: Buffer[] = []
    sock.on('message', (m) => replies.push(m))
    await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', () => resolve()))
    for (let i = 0; i < inputs.length; i += 100) {
      await Promise.all(inputs.slice(i, i + 100).map((b) => new Promise<void>((resolve) => sock.send(b, s.port, '127.0.0.1', () => resolve()))))
      expect(rcodeOf(await queryUdp(s.port, { name: 'web.weft.local', type: 'A' }))).toBe('NOERROR')
    }
    sock.close()
    for (const r of replies) expect(() => dnsPacket.decode(r)).not.toThrow()
    expect(replies.length).toBeGreaterThan(1000)
    expect(s.server.stats().drops.internal).toBe(0)
  })

  it('survives random frames and broken framing over TCP and keeps answering', async () => {
    const inputs = fc.sample(anyBytes, { numRuns: 600, seed: 7 })
    for (let i = 0; i < inputs.length; i += 20) {
      const frames = inputs.slice(i, i + 20)
      const answers = await tcpExchange(s.port, frames, frames.filter((b) => b.length >= 12 && (b[2] & 0x80) === 0).length)
      for (const a of answers) expect(() => dnsPacket.decode(a)).not.toThrow()
    }
    // raw bytes that are no framing at all: a length promising more than ever comes, junk
    for (const raw of fc.sample(fc.uint8Array({ minLength: 1, maxLength: 300 }), { numRuns: 100, seed: 3 })) {
      await new Promise<void>((resolve) => {
        const c = net.connect({ host: '127.0.0.1', port: s.port }, () => { c.end(Buffer.from(raw)); setTimeout(() => { c.destroy(); resolve() }, 5) })
        c.on('error', () => resolve())
        setTimeout(resolve, DEADLINE_MS)
      })
    }
    expect(rcodeOf(await queryTcp(s.port, { name: 'web.weft.local', type: 'A' }))).toBe('NOERROR')
    expect(rcodeOf(await queryUdp(s.port, { name: 'web.weft.local', type: 'A' }))).toBe('NOERROR')
    expect(s.server.stats().drops.internal).toBe(0)
  })
})
