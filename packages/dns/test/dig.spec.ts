// The server as `dig` sees it (the real tool, on loopback only): A, PTR, NXDOMAIN vs NOERROR,
// 50 records truncated over UDP and retried over TCP, and a name outside the domain served by a
// stub upstream on 127.0.0.1 named in a test resolv.conf.
import { execFileSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dig } from './helpers/dig.js'
import { FakeNames } from './helpers/fake-names.js'
import { startServer, type TestServer } from './helpers/server.js'
import { StubUpstream } from './helpers/stub-upstream.js'

let hasDig = true
try {
  execFileSync('dig', ['-v'], { stdio: 'ignore' })
} catch {
  hasDig = false
}

describe.runIf(hasDig)('DNS server, asked by dig', () => {
  let s: TestServer
  let up: StubUpstream

  beforeAll(async () => {
    up = new StubUpstream()
    await up.start()
    up.add('outside.test', 'A', { name: 'outside.test', type: 'A', ttl: 60, data: '192.0.2.55' })
    const names = new FakeNames()
      .add('Web', '10.32.0.5')
      .add('fifty', ...Array.from({ length: 50 }, (_, i) => `10.32.2.${i + 1}`))
    s = await startServer({}, { names }, `nameserver 127.0.0.1:${up.port}\n`)
  })

  afterAll(async () => {
    await s?.close()
    await up?.close()
  })

  it('answers A, case-insensitively, with the 1 s TTL', async () => {
    const r = await dig(s.port, ['WEB.weft.local', 'A'])
    expect(r.status).toBe('NOERROR')
    expect(r.flags).toContain('aa')
    expect(r.answers).toEqual([['WEB.weft.local.', '1', 'IN', 'A', '10.32.0.5']])
  })

  it('answers PTR with the registered case', async () => {
    const r = await dig(s.port, ['-x', '10.32.0.5'])
    expect(r.status).toBe('NOERROR')
    expect(r.answers).toEqual([['5.0.32.10.in-addr.arpa.', '1', 'IN', 'PTR', 'Web.weft.local.']])
  })

  it('tells NXDOMAIN from NOERROR with no answer', async () => {
    const nx = await dig(s.port, ['nope.weft.local', 'A'])
    expect(nx.status).toBe('NXDOMAIN')
    expect(nx.answers).toEqual([])
    const nodata = await dig(s.port, ['web.weft.local', 'TXT'])
    expect(nodata.status).toBe('NOERROR')
    expect(nodata.answers).toEqual([])
  })

  it('truncates 50 records over UDP; dig retries over TCP and gets all 50', async () => {
    const udp = await dig(s.port, ['fifty.weft.local', 'A', '+noedns'])
    expect(udp.truncatedRetry).toBe(true)
    expect(udp.answers).toHaveLength(50)
    const tcp = await dig(s.port, ['fifty.weft.local', 'A', '+tcp'])
    expect(tcp.truncatedRetry).toBe(false)
    expect(new Set(tcp.answers.map((a) => a[4])).size).toBe(50)
    const ignored = await dig(s.port, ['fifty.weft.local', 'A', '+noedns', '+ignore'])
    expect(ignored.flags).toContain('tc')
    expect(ignored.answers).toEqual([])
  })

  it('forwards a name outside the domain to the stub upstream', async () => {
    const r = await dig(s.port, ['outside.test', 'A'])
    expect(r.status).toBe('NOERROR')
    expect(r.flags).not.toContain('aa')
    expect(r.answers).toEqual([['outside.test.', '60', 'IN', 'A', '192.0.2.55']])
    expect(up.asked.some((q) => q.name === 'outside.test')).toBe(true)
    const nx = await dig(s.port, ['missing.test', 'A'])
    expect(nx.status).toBe('NXDOMAIN')
  })
})
