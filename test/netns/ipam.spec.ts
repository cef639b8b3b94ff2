/*
 * IPAM end to end: containers get addresses from the 10.32.0.0/12 range without --ip; space
 * moves by donation, `weft reset` hand-over and `weft rmpeer` takeover; addresses survive a
 * kill -9 of the router; a peer taken over while down re-addresses its container on return.
 *
 *   h1 198.18.0.11               h2 198.18.0.12               h3 198.18.0.13
 *  ┌──────────────────────┐     ┌──────────────────────┐     ┌──────────────────────┐
 *  │ a1  (IPAM)           │     │ b1, b2 (IPAM)        │     │ c1 (IPAM, after      │
 *  │ owns the range first │     │ space by donation    │     │  rmpeer h1)          │
 *  │ router ── eth0 ──────┼─sw──┼── eth0 ── router     │     │ router ── eth0 ──────┼─ sw
 *  └──────────────────────┘     └──────────────────────┘     └──────────────────────┘
 *  h1: lone launch (consensus=1 by default); h2 and h3: launch h1 (consensus=2, adopt h1's ring).
 */
import type { ContainerInfo, IpamStatusResponse } from '@weft/api'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Lab, LabHost } from '@weft/testing'
import { createLab, waitFor } from '@weft/testing'
import { launch, status, waitEstablished, waitPing } from './support.js'

const RANGE_SIZE = 2 ** 20

async function ipam(h: LabHost): Promise<IpamStatusResponse> {
  return JSON.parse((await h.weft(['status', 'ipam', '--json'])).stdout) as IpamStatusResponse
}

/** Runs a detached IPAM container; returns its namespace and address (without the prefix). */
async function run(h: LabHost, name: string, ...ip: string[]): Promise<{ ns: string; ip: string; cidr: string }> {
  await h.weft(['run', name, ...ip.flatMap((i) => ['--ip', i]), '-d', '--', 'sleep', 'infinity'])
  const c = JSON.parse((await h.weft(['ps', '--json'])).stdout).find((x: ContainerInfo) => x.name === name) as ContainerInfo
  return { ns: `${h.containerPrefix}${name}`, ip: c.cidrs[0].split('/')[0], cidr: c.cidrs[0] }
}

/** The router's weft_ipam_* metrics (unlabelled), by name. */
async function metrics(h: LabHost): Promise<Record<string, number>> {
  const r = await h.exec('node', ['-e', `
    require('node:http').get('http://127.0.0.1:6784/metrics', (res) => {
      let t = ''; res.on('data', (c) => t += c); res.on('end', () => console.log(t))
    })`])
  const out: Record<string, number> = {}
  for (const line of r.stdout.split('\n')) {
    const m = /^(weft_ipam_\w+) (\S+)$/.exec(line)
    if (m) out[m[1]] = Number(m[2])
  }
  return out
}

async function killRouter(h: LabHost): Promise<void> {
  process.kill((await status(h)).router.pid, 'SIGKILL')
  await waitFor(async () => ((await h.weft(['status'], { allowFail: true })).code !== 0) || undefined, { timeoutMs: 5000, what: `${h.name} router to die` })
}

describe.sequential('IPAM across three hosts', () => {
  let lab: Lab
  let h1: LabHost, h2: LabHost, h3: LabHost
  let a1: { ns: string; ip: string; cidr: string }
  let b1: { ns: string; ip: string; cidr: string }

  beforeAll(async () => {
    lab = await createLab({ hosts: ['h1', 'h2', 'h3'] })
    ;[h1, h2, h3] = lab.hosts()
    await launch(h1)
  })

  afterAll(async () => {
    await lab?.destroy()
  })

  it('a lone router allocates at once from the default range', async () => {
    a1 = await run(h1, 'a1')
    expect(a1.cidr).toBe('10.32.0.1/12')
    const s = await ipam(h1)
    expect(s).toMatchObject({ range: '10.32.0.0/12', mode: 'consensus', quorum: 1, blocked: null, self: { owned: RANGE_SIZE, used: 1 } })
    expect(s.allocations).toEqual([{ container: 'a1', address: '10.32.0.1', subnet: '10.32.0.0/12', cidr: '10.32.0.1/12' }])
    expect((await h1.weft(['status', 'ipam'])).stdout).toMatch(/This peer: \w+ \(h1\) owns 1048576, 1 used/)
    const m = await metrics(h1)
    expect(m).toMatchObject({ weft_ipam_allocated_addresses: 1, weft_ipam_owned_addresses: RANGE_SIZE, weft_ipam_free_addresses: RANGE_SIZE - 1, weft_ipam_allocations_total: 1, weft_ipam_revoked_total: 0 })
  })

  it('a second router gets space by donation; its container pings the first', async () => {
    await launch(h2, [h1.address])
    await waitEstablished(h2, 1)
    b1 = await run(h2, 'b1')
    expect(b1.ip).not.toBe(a1.ip)
    expect(b1.cidr).toMatch(/^10\.(3[2-9]|4[0-7])\.\d+\.\d+\/12$/)
    await waitPing(h2, b1.ns, a1.ip)
    await waitPing(h1, a1.ns, b1.ip)
    const s2 = await ipam(h2)
    expect(s2.self.owned).toBeGreaterThan(0)
    expect(s2.peers.map((p) => p.owned).reduce((a, b) => a + b, 0)).toBe(RANGE_SIZE)
  })

  it('allocates in another subnet with net:, claims with ip:, refuses an address in use; attach allocates too', async () => {
    const n = await run(h1, 'n1', 'net:10.33.0.0/16')
    expect(n.cidr).toBe('10.33.0.1/16')
    const c = await run(h1, 'claimed', 'ip:10.32.0.9')
    expect(c.cidr).toBe('10.32.0.9/12')
    const dup = await h1.weft(['run', 'dup', '--ip', 'ip:10.32.0.9', '-d', '--', 'sleep', '1'], { allowFail: true })
    expect(dup.code).not.toBe(0)
    expect(dup.stderr).toMatch(/10\.32\.0\.9.*(in use|allocated)/)
    // a plain CIDR inside the range goes through IPAM too
    const plain = await h1.weft(['run', 'plain', '--ip', '10.32.0.9/12', '-d', '--', 'sleep', '1'], { allowFail: true })
    expect(plain.code).not.toBe(0)
    expect(plain.stderr).toMatch(/--ip 10\.32\.0\.9\/12 lies in the IPAM range 10\.32\.0\.0\/12, so it is claimed through IPAM: .*in use by container claimed/)
    const out = await h1.weft(['run', 'out', '--ip', 'net:10.64.0.0/16', '-d', '--', 'sleep', '1'], { allowFail: true })
    expect(out.stderr).toMatch(/not within the allocation range 10\.32\.0\.0\/12/)
    const ext = `${h1.containerPrefix}ext`
    await h1.exec('ip', ['netns', 'add', ext])
    expect((await h1.weft(['attach', ext])).stdout).toMatch(/^\S+ 10\.32\.0\.2\/12 /)
    expect((await ipam(h1)).allocations.map((a) => `${a.container}=${a.address}`)).toContain(`${ext}=10.32.0.2`)
    await h1.weft(['detach', ext])
    await h1.weft(['rm', 'n1', 'claimed'])
    const s = await ipam(h1)
    expect(s.allocations.map((a) => a.container)).toEqual(['a1'])
  })

  it('keeps addresses across kill -9 of the router; rm releases', async () => {
    const b2 = await run(h2, 'b2')
    await killRouter(h2)
    await launch(h2, [h1.address])
    const s = await ipam(h2)
    expect(s.allocations.map((a) => `${a.container}=${a.cidr}`).sort()).toEqual([`b1=${b1.cidr}`, `b2=${b2.cidr}`])
    const ps = JSON.parse((await h2.weft(['ps', '--json'])).stdout) as ContainerInfo[]
    expect(ps.map((c) => c.cidrs[0]).sort()).toEqual([b1.cidr, b2.cidr].sort())
    await waitPing(h2, b2.ns, a1.ip, 20_000)
    const b3 = await run(h2, 'b3')
    expect([b1.ip, b2.ip]).not.toContain(b3.ip)
    await h2.weft(['rm', 'b2', 'b3'])
    expect((await ipam(h2)).self.used).toBe(1)
  })

  it('a peer taken over while down re-addresses its container when it comes back', async () => {
    const h2id = (await status(h2)).router.id
    await killRouter(h2)
    await waitFor(async () => (await ipam(h1)).unreachable.includes(h2id) || undefined, { timeoutMs: 15_000, what: 'h1 to see h2 unreachable' })
    expect((await h1.weft(['rmpeer', h2id.slice(0, 12)])).stdout).toMatch(/took over [1-9]\d* addresses/)
    await launch(h2, [h1.address])
    const moved = await waitFor(async () => {
      const c = JSON.parse((await h2.weft(['ps', '--json'])).stdout).find((x: ContainerInfo) => x.name === 'b1') as ContainerInfo
      return c.cidrs[0] !== b1.cidr ? c.cidrs[0] : undefined
    }, { timeoutMs: 20_000, what: 'b1 on h2 to get a new address' })
    const s2 = await ipam(h2)
    expect(s2.revoked.map((a) => `${a.container}=${a.cidr}`)).toEqual([`b1=${b1.cidr}`])
    expect(s2.allocations.map((a) => `${a.container}=${a.cidr}`)).toEqual([`b1=${moved}`])
    const onLink = (await h2.exec('ip', ['-n', b1.ns, '-o', '-4', 'addr', 'show', 'ethwe'])).stdout
    expect(onLink).toContain(moved)
    expect(onLink).not.toContain(b1.cidr)
    b1 = { ...b1, ip: moved.split('/')[0], cidr: moved }
    // its name follows the new address, here and on the peer
    expect((await h2.weft(['dns-lookup', 'b1'])).stdout.trim()).toBe(b1.ip)
    await waitFor(async () => (await h1.weft(['dns-lookup', 'b1'], { allowFail: true })).stdout.trim() === b1.ip || undefined, { timeoutMs: 10_000, what: 'h1 to resolve b1 to its new address' })
    await waitPing(h2, b1.ns, a1.ip, 20_000)
  }, 60_000)

  it('weft reset hands the space over to a live peer', async () => {
    const h2id = (await status(h2)).router.id
    await h2.weft(['reset'])
    await waitFor(async () => {
      const s = await ipam(h1)
      return s.self.owned === RANGE_SIZE && !s.peers.some((p) => p.id === h2id && p.owned > 0) ? s : undefined
    }, { timeoutMs: 10_000, what: 'h1 to own the whole range after h2 reset' })
  })

  it('after the owner of all space dies, rmpeer on another peer lets it allocate', async () => {
    await launch(h3, [h1.address])
    await waitEstablished(h3, 1)
    const h1id = (await status(h1)).router.id
    await waitFor(async () => ((await ipam(h3)).ringId !== null) || undefined, { timeoutMs: 10_000, what: 'h3 to learn the ring' })
    await killRouter(h1)
    const s = await waitFor(async () => {
      const x = await ipam(h3)
      return x.unreachable.includes(h1id) ? x : undefined
    }, { timeoutMs: 15_000, what: 'h3 to see h1 unreachable' })
    expect(s.self.owned).toBe(0)
    expect((await h3.weft(['status', 'ipam'])).stdout).toMatch(/Unreachable: .*weft rmpeer/)
    const first = await h3.weft(['rmpeer', 'h1'])
    expect(first.stdout).toMatch(/took over 1048576 addresses/)
    const again = await h3.weft(['rmpeer', h1id.slice(0, 12)])
    expect(again.stdout).toMatch(/took over 0 addresses/)
    const c1 = await run(h3, 'c1')
    expect(c1.cidr).toMatch(/^10\.(3[2-9]|4[0-7])\.\d+\.\d+\/12$/)
    expect((await ipam(h3)).self).toMatchObject({ owned: RANGE_SIZE, used: 1 })
  }, 60_000)
})
