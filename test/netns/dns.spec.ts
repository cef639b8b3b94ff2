/*
 * Containers and peers find each other by name: three routers, the weft DNS on each bridge, real
 * resolvers (dig, getent) inside containers, and a stub upstream resolver on h3 so that no query
 * ever leaves the lab.
 *
 *   h1 198.18.0.11               h2 198.18.0.12               h3 198.18.0.13
 *  ┌──────────────────────┐     ┌──────────────────────┐     ┌──────────────────────────┐
 *  │ cli  10.45.1.1       │     │ web  10.45.2.1       │     │ api 10.45.3.3            │
 *  │ api  10.45.1.3       │     │ api  10.45.2.3       │     │ stub upstream DNS :5353  │
 *  │ (old 10.45.1.9, rm)  │     │ new  10.45.1.9       │     │  (outside.upstream.test) │
 *  │ bridge weft          │     │ dies 10.45.2.7       │     │ bridge weft              │
 *  │  169.254.53.53:53    │     │ bridge weft          │     │  169.254.53.53:53        │
 *  │ router ── eth0 ──────┼─ sw ┼── eth0 ── router     ┼─────┼── eth0 ── router         │
 *  └──────────────────────┘     └──────────────────────┘     └──────────────────────────┘
 *  every router: --dns-upstream 198.18.0.13:5353 (never the host's resolv.conf)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DnsStatusResponse } from '@weft/api'
import type { Lab, LabHost } from '@weft/testing'
import { createLab, waitFor } from '@weft/testing'
import { FIXTURES, container, inContainer, launch, waitEstablished } from './support.js'

const CIDR = (ip: string) => `${ip}/16`
const WAIT = { timeoutMs: 15_000, intervalMs: 200 }

/** `dig` inside a container, through the container's resolv.conf (the weft DNS). */
async function dig(h: LabHost, netns: string, args: string[]): Promise<string> {
  const r = await inContainer(h, netns, 'dig', ['+time=2', '+tries=1', ...args])
  return r.stdout
}

async function digShort(h: LabHost, netns: string, args: string[]): Promise<string[]> {
  return (await dig(h, netns, ['+short', ...args])).split('\n').map((l) => l.trim()).filter(Boolean).sort()
}

function statusOf(out: string): string | undefined {
  return /status: ([A-Z]+)/.exec(out)?.[1]
}

/** Waits until `+short` answers of `args` from `netns` on `h` are exactly `want` (sorted). */
async function waitAnswers(h: LabHost, netns: string, args: string[], want: string[]): Promise<void> {
  await waitFor(async () => {
    const got = await digShort(h, netns, args)
    return JSON.stringify(got) === JSON.stringify([...want].sort()) || undefined
  }, { ...WAIT, what: `dig ${args.join(' ')} on ${h.name} to answer ${want.join(' ') || 'nothing'}` })
}

async function dnsStatus(h: LabHost): Promise<DnsStatusResponse> {
  return JSON.parse((await h.weft(['status', 'dns', '--json'])).stdout) as DnsStatusResponse
}

describe.sequential('weft DNS on three hosts', () => {
  let lab: Lab
  let h1: LabHost, h2: LabHost, h3: LabHost
  let cli: string
  let upstream: string

  beforeAll(async () => {
    lab = await createLab({ hosts: ['h1', 'h2', 'h3'] })
    ;[h1, h2, h3] = lab.hosts()
    upstream = `${h3.address}:5353`
    const stub = h3.spawn(process.execPath, [`${FIXTURES}stub-dns.mjs`, h3.address, '5353'])
    await waitFor(async () => stub.stderr().includes('listening') || undefined, { timeoutMs: 10_000, intervalMs: 50, what: 'the stub upstream to listen' })
    const dnsFlags = ['--dns-upstream', upstream]
    await launch(h1, dnsFlags)
    await launch(h2, [h1.address, ...dnsFlags])
    await launch(h3, [h1.address, ...dnsFlags])
    cli = await container(h1, 'cli', CIDR('10.45.1.1'))
    await container(h2, 'web', CIDR('10.45.2.1'))
    await waitEstablished(h1, 2)
  })

  afterAll(async () => {
    await lab?.destroy()
  })

  it('writes the container a resolv.conf that points at the weft DNS with the search domain', async () => {
    const r = await inContainer(h1, cli, 'cat', ['/etc/resolv.conf'])
    expect(r.stdout).toContain('nameserver 169.254.53.53')
    expect(r.stdout).toContain('search weft.local')
  })

  it('answers only the DNS server\'s packets to local containers: the host itself reaches none unexposed', async () => {
    expect((await h1.exec('ip', ['rule', 'show'])).stdout).toMatch(/from 169\.254\.53\.53 lookup 53053/)
    expect((await h1.exec('ip', ['route', 'show', 'table', '53053'])).stdout).toContain('10.45.1.1 dev weft')
    expect((await h1.exec('ping', ['-c', '1', '-W', '1', '10.45.1.1'], { allowFail: true })).code).not.toBe(0)
  })

  it('resolves a container on another host by its full name', async () => {
    await waitAnswers(h1, cli, ['web.weft.local'], ['10.45.2.1'])
  })

  it('resolves unqualified names through the search domain (getent and dig +search)', async () => {
    const r = await inContainer(h1, cli, 'getent', ['hosts', 'web'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^10\.45\.2\.1\s+web\.weft\.local/)
    expect(await digShort(h1, cli, ['+search', 'web'])).toEqual(['10.45.2.1'])
  })

  it('answers NXDOMAIN for a missing name and NOERROR with no answer for a missing type', async () => {
    const missing = await dig(h1, cli, ['nope.weft.local', 'A'])
    expect(statusOf(missing)).toBe('NXDOMAIN')
    const aaaa = await dig(h1, cli, ['web.weft.local', 'AAAA'])
    expect(statusOf(aaaa)).toBe('NOERROR')
    expect(aaaa).toContain('ANSWER: 0')
    expect(aaaa).toMatch(/weft\.local\.\s+\d+\s+IN\s+SOA/)
    expect((await h1.weft(['dns-lookup', 'nope'], { allowFail: true })).code).toBe(1)
  })

  it('answers a name registered on three hosts with every address', async () => {
    await container(h1, 'api', CIDR('10.45.1.3'))
    await container(h2, 'api', CIDR('10.45.2.3'))
    await container(h3, 'api', CIDR('10.45.3.3'))
    await waitAnswers(h1, cli, ['api.weft.local'], ['10.45.1.3', '10.45.2.3', '10.45.3.3'])
    expect((await h2.weft(['dns-lookup', 'api.weft.local'])).stdout.trim().split('\n').sort()).toEqual(['10.45.1.3', '10.45.2.3', '10.45.3.3'])
    const text = (await h1.weft(['status', 'dns'])).stdout
    expect(text).toMatch(/Listen: 169\.254\.53\.53:53/)
    expect(text).toMatch(/^api\s+10\.45\.2\.3\s+h2\s+c:api$/m)
    const s = await dnsStatus(h1)
    expect(s.entries.filter((e) => e.name === 'api').map((e) => e.ownerNickname).sort()).toEqual(['h1', 'h2', 'h3'])
  })

  it('removes the name of a container whose process died', async () => {
    await container(h2, 'dies', CIDR('10.45.2.7'))
    await waitAnswers(h1, cli, ['dies.weft.local'], ['10.45.2.7'])
    const pid = JSON.parse((await h2.weft(['ps', '--json'])).stdout).find((c: { name: string }) => c.name === 'dies').pid as number
    process.kill(pid, 'SIGKILL')
    await waitFor(async () => statusOf(await dig(h1, cli, ['dies.weft.local'])) === 'NXDOMAIN' || undefined, { ...WAIT, what: 'dies.weft.local to be NXDOMAIN on h1' })
    const own = (await dnsStatus(h2)).peers.find((p) => p.nickname === 'h2')
    expect(own?.tombstones).toBeGreaterThanOrEqual(1)
  })

  it('reverse lookup of a reused address names only the live container, not the tombstone', async () => {
    await container(h1, 'old', CIDR('10.45.1.9'))
    await waitAnswers(h1, cli, ['-x', '10.45.1.9'], ['old.weft.local.'])
    await h1.weft(['rm', 'old'])
    await container(h2, 'new', CIDR('10.45.1.9'))
    await waitAnswers(h1, cli, ['-x', '10.45.1.9'], ['new.weft.local.'])
    expect(statusOf(await dig(h1, cli, ['old.weft.local']))).toBe('NXDOMAIN')
    expect(statusOf(await dig(h1, cli, ['-x', '10.45.77.77']))).toBe('NXDOMAIN')
  })

  it('sends 50 addresses truncated over UDP, then whole over TCP', async () => {
    const ips = Array.from({ length: 50 }, (_, i) => `10.45.9.${i + 1}`)
    await h1.weft(['dns-add', 'many', ...ips])
    const udp = await dig(h1, cli, ['+noedns', '+ignore', 'many.weft.local'])
    expect(udp).toMatch(/flags: [a-z ]*\btc\b/)
    expect(udp).toContain('ANSWER: 0')
    const retried = await dig(h1, cli, ['+noedns', 'many.weft.local'])
    expect(retried).toContain('Truncated, retrying in TCP mode')
    expect(retried).toContain('ANSWER: 50')
    expect(await digShort(h1, cli, ['+tcp', 'many.weft.local'])).toEqual([...ips].sort())
    await waitAnswers(h3, `${h3.containerPrefix}api`, ['+tcp', 'many.weft.local'], ips)
    expect((await h1.weft(['dns-remove', 'many', '10.45.9.50'])).code).toBe(0)
    await waitAnswers(h1, cli, ['+tcp', 'many.weft.local'], ips.slice(0, 49))
  })

  it('forwards other names to the upstream resolver and counts it', async () => {
    expect(await digShort(h1, cli, ['outside.upstream.test'])).toEqual(['192.0.2.80'])
    expect(statusOf(await dig(h1, cli, ['gone.upstream.test']))).toBe('NXDOMAIN')
    const s = await dnsStatus(h1)
    expect(s.upstreams).toEqual([upstream])
    expect(s.server?.upstream.answers).toBeGreaterThanOrEqual(2)
    expect(s.server?.queries.A?.forwarded).toBeGreaterThanOrEqual(1)
    const metrics = (await h1.exec('curl', ['-sS', 'http://127.0.0.1:6784/metrics'])).stdout
    expect(metrics).toMatch(/^weft_dns_queries_total\{type="A",result="forwarded"\} [1-9]/m)
    expect(metrics).toMatch(/^weft_dns_upstream_latency_seconds_count [1-9]/m)
  })

  it('names peers by nickname under peers.weft.local, to their exposed addresses', async () => {
    await h2.weft(['expose', '10.45.0.252/16'])
    await waitAnswers(h1, cli, ['h2.peers.weft.local'], ['10.45.0.252'])
    await h2.weft(['hide', '10.45.0.252/16'])
    await waitFor(async () => statusOf(await dig(h1, cli, ['h2.peers.weft.local'])) === 'NXDOMAIN' || undefined, { ...WAIT, what: 'h2.peers to be gone' })
  })

  it('gives a container the name of --dns-name, and removes the resolv.conf with the container', async () => {
    await h1.weft(['run', 'svc1', '--ip', CIDR('10.45.1.20'), '--dns-name', 'db', '-d', '--', 'sleep', 'infinity'])
    await waitAnswers(h3, `${h3.containerPrefix}api`, ['db.weft.local'], ['10.45.1.20'])
    await h1.weft(['rm', 'svc1'])
    const ls = await h1.exec('ls', ['/etc/netns'], { allowFail: true })
    expect(ls.stdout).not.toContain(`${h1.containerPrefix}svc1`)
    await waitFor(async () => statusOf(await dig(h3, `${h3.containerPrefix}api`, ['db.weft.local'])) === 'NXDOMAIN' || undefined, { ...WAIT, what: 'db to be gone on h3' })
  })

  it('keeps dns-add entries across a router restart', async () => {
    await h3.weft(['dns-add', 'kept', '10.45.8.8'])
    await h3.weft(['stop'])
    await waitFor(async () => (await h3.weft(['status'], { allowFail: true })).code !== 0 || undefined, { ...WAIT, what: 'h3 to stop' })
    await launch(h3, [h1.address, '--dns-upstream', upstream])
    expect((await h3.weft(['dns-lookup', 'kept'])).stdout.trim()).toBe('10.45.8.8')
    await waitAnswers(h1, cli, ['kept.weft.local'], ['10.45.8.8'])
    await waitAnswers(h3, `${h3.containerPrefix}api`, ['api.weft.local'], ['10.45.1.3', '10.45.2.3', '10.45.3.3'])
  })

  it('reset takes away the rule, the table and the containers\' resolv.conf files', async () => {
    await h2.weft(['reset'])
    expect((await h2.exec('ip', ['rule', 'show'])).stdout).not.toContain('53053')
    expect((await h2.exec('ip', ['route', 'show', 'table', '53053'], { allowFail: true })).stdout.trim()).toBe('')
    const ls = await h2.exec('ls', ['/etc/netns'], { allowFail: true })
    expect(ls.stdout).not.toContain(h2.containerPrefix)
  })
})
