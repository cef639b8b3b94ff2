// The server over real sockets on loopback, asked by dns-packet clients: local answers over UDP
// and TCP, truncation, the protocol's error cases, and forwarding to stub upstreams (on
// 127.0.0.1, named in a test resolv.conf) with its cache. The names are a fake, and once the
// real CRDT of @weft/names.
import { writeFile } from 'node:fs/promises'
import dnsPacket from 'dns-packet'
import { createNames } from '@weft/names'
import { afterEach, describe, expect, it } from 'vitest'
import { createDnsServer, DnsError } from '../src/index.js'
import { dataOf, queryPacket, queryTcp, queryUdp, rcodeOf, tcpExchange, udpExchange } from './helpers/dns-client.js'
import { FakeNames } from './helpers/fake-names.js'
import { startServer, type TestServer } from './helpers/server.js'
import { StubUpstream } from './helpers/stub-upstream.js'

const cleanup: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

async function server(names: FakeNames, resolvConf?: string, init = {}): Promise<TestServer> {
  const s = await startServer(init, { names }, resolvConf)
  cleanup.push(() => s.close())
  return s
}

async function stub(): Promise<StubUpstream> {
  const u = new StubUpstream()
  await u.start()
  cleanup.push(() => u.close())
  return u
}

const names = (): FakeNames => new FakeNames()
  .add('Web', '10.32.0.5', '10.32.0.6', 'fd00::5')
  .add('many', ...Array.from({ length: 50 }, (_, i) => `10.32.1.${i}`))

describe('DNS server, local answers', () => {
  it('answers A, AAAA and PTR over UDP and TCP, case-insensitively, in the case asked', async () => {
    const { port } = await server(names())
    for (const ask of [queryUdp, queryTcp]) {
      const a = await ask(port, { name: 'wEB.weft.local', type: 'A' })
      expect(rcodeOf(a)).toBe('NOERROR')
      expect(a.flag_aa).toBe(true)
      expect(a.id).toBe(4242)
      expect(dataOf(a)).toEqual(['10.32.0.5', '10.32.0.6'])
      expect(a.answers!.every((r) => r.name === 'wEB.weft.local' && (r as { ttl: number }).ttl === 1)).toBe(true)
      expect(dataOf(await ask(port, { name: 'web.weft.local', type: 'AAAA' }), 'AAAA')).toEqual(['fd00::5'])
      expect(dataOf(await ask(port, { name: '5.0.32.10.in-addr.arpa', type: 'PTR' }), 'PTR')).toEqual(['Web.weft.local'])
    }
  })

  it('tells NXDOMAIN from NOERROR with no answer', async () => {
    const { port } = await server(names())
    const nx = await queryUdp(port, { name: 'nope.weft.local', type: 'A' })
    expect(rcodeOf(nx)).toBe('NXDOMAIN')
    const mx = await queryUdp(port, { name: 'web.weft.local', type: 'MX' })
    expect(rcodeOf(mx)).toBe('NOERROR')
    expect(mx.answers).toEqual([])
    expect(mx.authorities!.map((r) => r.type)).toEqual(['SOA'])
    expect(rcodeOf(await queryUdp(port, { name: '9.9.32.10.in-addr.arpa', type: 'PTR' }))).toBe('NXDOMAIN')
  })

  it('truncates a UDP answer over 512 bytes (or the EDNS size) and gives it whole over TCP', async () => {
    const s = await server(names())
    const udp = await queryUdp(s.port, { name: 'many.weft.local', type: 'A' })
    expect(udp.flag_tc).toBe(true)
    expect(udp.answers).toEqual([])
    const big = await queryUdp(s.port, { name: 'many.weft.local', type: 'A' }, { edns: 4096 }) // still over 1232
    expect(big.flag_tc).toBe(true)
    const small = await queryUdp(s.port, { name: 'web.weft.local', type: 'A' }, { edns: 4096 })
    expect(small.flag_tc).toBe(false)
    expect(small.additionals!.find((r) => r.type === 'OPT')).toMatchObject({ udpPayloadSize: 1232 })
    const tcp = await queryTcp(s.port, { name: 'many.weft.local', type: 'A' })
    expect(tcp.flag_tc).toBe(false)
    expect(dataOf(tcp)).toHaveLength(50)
    expect(s.server.stats().truncated).toBe(2)
  })

  it('answers FORMERR, NOTIMP and BADVERS, and drops what is no query', async () => {
    const s = await server(names())
    const two = dnsPacket.encode({ id: 5, type: 'query', questions: [{ name: 'a.weft.local', type: 'A' }, { name: 'b.weft.local', type: 'A' }] })
    expect(rcodeOf(dnsPacket.decode((await udpExchange(s.port, two))!))).toBe('FORMERR')
    const garbage = Buffer.concat([Buffer.from([0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0]), Buffer.from([0xff, 0xff])])
    const formerr = dnsPacket.decode((await udpExchange(s.port, garbage))!)
    expect([formerr.id, rcodeOf(formerr)]).toEqual([0x1234, 'FORMERR'])
    const notify = dnsPacket.encode({ ...queryPacket({ name: 'web.weft.local', type: 'A' }), flags: 4 << 11 })
    expect(rcodeOf(dnsPacket.decode((await udpExchange(s.port, notify))!))).toBe('NOTIMP')
    const v1 = dnsPacket.encode({ ...queryPacket({ name: 'web.weft.local', type: 'A' }, { edns: 1232 }), additionals: [{ name: '.', type: 'OPT', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 1, flags: 0, flag_do: false, options: [] }] })
    const badvers = dnsPacket.decode((await udpExchange(s.port, v1))!)
    expect(badvers.additionals!.find((r) => r.type === 'OPT')).toMatchObject({ extendedRcode: 1 })
    // a label of bytes that are not UTF-8: dns-packet could not write it back as it came
    const binary = Buffer.concat([Buffer.from([0x43, 0x21, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 63]), Buffer.alloc(63, 0xff), Buffer.from([0, 0, 1, 0, 1])])
    const refused = dnsPacket.decode((await udpExchange(s.port, binary))!)
    expect([refused.id, rcodeOf(refused), refused.questions]).toEqual([0x4321, 'FORMERR', []])
    const response = dnsPacket.encode({ id: 1, type: 'response', questions: [{ name: 'web.weft.local', type: 'A' }] })
    expect(await udpExchange(s.port, response, 300)).toBeNull()
    expect(await udpExchange(s.port, Buffer.from([1, 2, 3]), 300)).toBeNull()
    expect(s.server.stats()).toMatchObject({ drops: { 'not-a-query': 1, short: 1 } })
    expect(rcodeOf(await queryUdp(s.port, { name: 'web.weft.local', type: 'A' }))).toBe('NOERROR')
  })

  it('answers SERVFAIL when the names throw', async () => {
    const broken = names()
    broken.broken = true
    const { port } = await server(broken)
    expect(rcodeOf(await queryUdp(port, { name: 'web.weft.local', type: 'A' }))).toBe('SERVFAIL')
  })

  it('answers several pipelined TCP queries on one connection', async () => {
    const { port } = await server(names())
    const frames = ['web', 'nope', 'many'].map((n, i) => dnsPacket.encode(queryPacket({ name: `${n}.weft.local`, type: 'A' }, { id: i + 1 })))
    const answers = (await tcpExchange(port, frames)).map((b) => dnsPacket.decode(b))
    expect(answers.map((a) => [a.id, rcodeOf(a), a.answers!.length]).sort()).toEqual([[1, 'NOERROR', 2], [2, 'NXDOMAIN', 0], [3, 'NOERROR', 50]])
  })

  it('serves the real name CRDT of @weft/names', async () => {
    const crdt = createNames({ selfId: 'ab'.repeat(32) }, { clock: { now: () => 0 }, publish: () => {} })
    crdt.register('Api', '10.32.0.9', 'c1')
    const s = await startServer({}, { names: crdt })
    cleanup.push(() => s.close())
    expect(dataOf(await queryUdp(s.port, { name: 'API.weft.local', type: 'A' }))).toEqual(['10.32.0.9'])
    expect(dataOf(await queryUdp(s.port, { name: '9.0.32.10.in-addr.arpa', type: 'PTR' }), 'PTR')).toEqual(['Api.weft.local'])
    crdt.unregisterContainer('c1')
    expect(rcodeOf(await queryUdp(s.port, { name: 'api.weft.local', type: 'A' }))).toBe('NXDOMAIN')
    expect(rcodeOf(await queryUdp(s.port, { name: '9.0.32.10.in-addr.arpa', type: 'PTR' }))).toBe('NXDOMAIN')
  })

  it('rejects bad options and a second start with stable codes', async () => {
    const code = (fn: () => unknown): string | undefined => {
      try { fn() } catch (err) { expect(err).toBeInstanceOf(DnsError); return (err as DnsError).code }
      return undefined
    }
    const n = names()
    expect(code(() => createDnsServer({ domain: 'bad domain.' }, { names: n }))).toBe('ERR_BAD_CONFIG')
    expect(code(() => createDnsServer({ address: 'localhost' }, { names: n }))).toBe('ERR_BAD_CONFIG')
    expect(code(() => createDnsServer({ overlayRanges: ['10.32.0.0/33'] }, { names: n }))).toBe('ERR_BAD_CONFIG')
    expect(code(() => createDnsServer({ ttlSeconds: -1 }, { names: n }))).toBe('ERR_BAD_CONFIG')
    const s = await server(n)
    await expect(s.server.start()).rejects.toMatchObject({ code: 'ERR_STATE' })
    const taken = createDnsServer({ address: '127.0.0.1', port: s.port, upstreams: [] }, { names: n })
    await expect(taken.start()).rejects.toMatchObject({ code: 'ERR_LISTEN' })
  })
})

describe('DNS server, forwarding', () => {
  it('forwards names outside the domain, and reverse lookups of other addresses, to the resolv.conf upstream', async () => {
    const up = await stub()
    up.add('example.test', 'A', { name: 'example.test', type: 'A', ttl: 60, data: '192.0.2.10' })
    up.add('1.2.0.192.in-addr.arpa', 'PTR', { name: '1.2.0.192.in-addr.arpa', type: 'PTR', ttl: 60, data: 'outside.example.test' })
    const s = await server(names(), `nameserver 127.0.0.1:${up.port}\n`)
    const a = await queryUdp(s.port, { name: 'Example.Test', type: 'A' })
    expect([rcodeOf(a), a.id, dataOf(a)]).toEqual(['NOERROR', 4242, ['192.0.2.10']])
    expect(a.questions![0].name).toBe('Example.Test')
    expect(dataOf(await queryUdp(s.port, { name: '1.2.0.192.in-addr.arpa', type: 'PTR' }), 'PTR')).toEqual(['outside.example.test'])
    expect(rcodeOf(await queryUdp(s.port, { name: 'nothing.test', type: 'A' }))).toBe('NXDOMAIN')
    expect(up.asked.map((q) => q.name)).toEqual(['Example.Test', '1.2.0.192.in-addr.arpa', 'nothing.test'])
    // the same again: from the cache (the stub is not asked), with the new spelling
    const again = await queryUdp(s.port, { name: 'EXAMPLE.test', type: 'A' }, { id: 77 })
    expect([again.id, again.questions![0].name, dataOf(again)]).toEqual([77, 'EXAMPLE.test', ['192.0.2.10']])
    expect(up.asked).toHaveLength(3)
    expect(s.server.stats()).toMatchObject({ cache: { hits: 1 }, upstream: { queries: 3, answers: 3 } })
    expect(s.server.stats().queries.A).toMatchObject({ forwarded: 2, cached: 1 })
  })

  it('asks every upstream at once and takes the first good answer', async () => {
    const failing = await stub()
    failing.behaviour = { rcode: 'SERVFAIL' }
    const slow = await stub()
    slow.behaviour = { delayMs: 50 }
    slow.add('example.test', 'A', { name: 'example.test', type: 'A', ttl: 60, data: '192.0.2.20' })
    const silent = await stub()
    silent.behaviour = { silent: true }
    const s = await server(names(), [failing, silent, slow].map((u) => `nameserver 127.0.0.1:${u.port}`).join('\n'))
    const a = await queryUdp(s.port, { name: 'example.test', type: 'A' })
    expect(dataOf(a)).toEqual(['192.0.2.20'])
    for (const u of [failing, slow, silent]) expect(u.asked).toHaveLength(1)
  })

  it('answers SERVFAIL when no upstream answers well in time, and passes on an upstream\'s error when all fail', async () => {
    const silent = await stub()
    silent.behaviour = { silent: true }
    const s = await server(names(), `nameserver 127.0.0.1:${silent.port}\n`, { upstreamTimeoutMs: 100 })
    expect(rcodeOf(await queryUdp(s.port, { name: 'example.test', type: 'A' }))).toBe('SERVFAIL')
    silent.behaviour = { rcode: 'REFUSED' }
    expect(rcodeOf(await queryUdp(s.port, { name: 'other.test', type: 'A' }))).toBe('REFUSED')
    expect(s.server.stats().upstream.failures).toBe(2)
  })

  it('ignores a forged answer with the wrong id', async () => {
    const forger = await stub()
    forger.behaviour = { wrongId: true }
    forger.add('example.test', 'A', { name: 'example.test', type: 'A', ttl: 60, data: '192.0.2.66' })
    const s = await server(names(), `nameserver 127.0.0.1:${forger.port}\n`, { upstreamTimeoutMs: 200 })
    expect(rcodeOf(await queryUdp(s.port, { name: 'example.test', type: 'A' }))).toBe('SERVFAIL')
    expect(s.server.stats().upstream.ignored).toBe(1)
  })

  it('passes a truncated upstream answer on, and forwards the TCP retry over TCP', async () => {
    const up = await stub()
    up.behaviour = { truncateUdp: true }
    up.add('big.test', 'A', { name: 'big.test', type: 'A', ttl: 60, data: '192.0.2.30' })
    const s = await server(names(), `nameserver 127.0.0.1:${up.port}\n`)
    expect((await queryUdp(s.port, { name: 'big.test', type: 'A' })).flag_tc).toBe(true)
    expect(dataOf(await queryTcp(s.port, { name: 'big.test', type: 'A' }))).toEqual(['192.0.2.30'])
    expect(up.asked.map((q) => q.transport)).toEqual(['udp', 'tcp'])
  })

  it('truncates an upstream answer too large for the client, whose TCP retry gets it whole', async () => {
    const up = await stub()
    up.add('big.test', 'A', ...Array.from({ length: 40 }, (_, i) => ({ name: 'big.test', type: 'A' as const, ttl: 60, data: `192.0.2.${i + 1}` })))
    const s = await server(names(), `nameserver 127.0.0.1:${up.port}\n`, { cacheMaxTtlSeconds: 0 })
    const udp = await queryUdp(s.port, { name: 'big.test', type: 'A' })
    expect([udp.flag_tc, udp.answers]).toEqual([true, []])
    expect(dataOf(await queryTcp(s.port, { name: 'big.test', type: 'A' }))).toHaveLength(40)
  })

  it('never forwards to itself, and picks up a changed resolv.conf', async () => {
    const up = await stub()
    up.add('example.test', 'A', { name: 'example.test', type: 'A', ttl: 60, data: '192.0.2.40' })
    const s = await server(names(), '', { upstreamTimeoutMs: 200 })
    await writeFile(s.resolvConf, `nameserver 127.0.0.1:${s.port}\n`)
    expect(await s.server.reloadUpstreams()).toEqual([])
    expect(rcodeOf(await queryUdp(s.port, { name: 'example.test', type: 'A' }))).toBe('SERVFAIL')
    await writeFile(s.resolvConf, `nameserver 127.0.0.1:${s.port}\nnameserver 127.0.0.1:${up.port}\n`)
    expect(await s.server.reloadUpstreams()).toEqual([{ address: '127.0.0.1', port: up.port }])
    expect(dataOf(await queryUdp(s.port, { name: 'example.test', type: 'A' }))).toEqual(['192.0.2.40'])
  })
})
