/*
 * A peer that leaves loses its names, and gets them back when it returns: h2 stops (its
 * container keeps running), h1's topology forgets it after the unreachable grace (60 s) and
 * raises its names' floor; h2 relaunches, restores its stored names, meets the floor and
 * re-issues them in a new epoch.
 *
 *   h1 198.18.0.11                      h2 198.18.0.12
 *  ┌─────────────────────────┐         ┌─────────────────────────┐
 *  │ cli 10.46.1.1           │         │ web 10.46.2.1           │
 *  │ bridge weft 169.254.53.53│         │ bridge weft 169.254.53.53│
 *  │ router ── eth0 ─────────┼── sw ───┼── eth0 ── router (stop,  │
 *  └─────────────────────────┘         │            relaunch)     │
 *                                      └─────────────────────────┘
 *  both routers: --dns-upstream 127.0.0.1:9 (nothing listens; never the host's resolv.conf)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DnsStatusResponse } from '@weft/api'
import type { Lab, LabHost } from '@weft/testing'
import { createLab, waitFor } from '@weft/testing'
import { container, inContainer, launch, waitEstablished } from './support.js'

const DNS_FLAGS = ['--dns-upstream', '127.0.0.1:9']

async function answers(h: LabHost, netns: string, name: string): Promise<{ status: string | undefined, addresses: string[] }> {
  const out = (await inContainer(h, netns, 'dig', ['+time=2', '+tries=1', name])).stdout
  const addresses = [...out.matchAll(/\sIN\s+A\s+(\S+)$/gm)].map((m) => m[1])
  return { status: /status: ([A-Z]+)/.exec(out)?.[1], addresses }
}

describe.sequential('names of a peer that leaves and comes back', () => {
  let lab: Lab
  let h1: LabHost, h2: LabHost
  let cli: string

  beforeAll(async () => {
    lab = await createLab({ hosts: ['h1', 'h2'] })
    ;[h1, h2] = lab.hosts()
    await launch(h1, DNS_FLAGS)
    await launch(h2, [h1.address, ...DNS_FLAGS])
    cli = await container(h1, 'cli', '10.46.1.1/16')
    await container(h2, 'web', '10.46.2.1/16')
    await waitEstablished(h1, 1)
  })

  afterAll(async () => {
    await lab?.destroy()
  })

  it('resolves the other host\'s container', async () => {
    await waitFor(async () => (await answers(h1, cli, 'web.weft.local')).addresses[0] === '10.46.2.1' || undefined,
      { timeoutMs: 15_000, intervalMs: 200, what: 'web on h1' })
  })

  it('drops the names of a peer the topology forgot', async () => {
    await h2.weft(['stop'])
    await waitFor(async () => (await answers(h1, cli, 'web.weft.local')).status === 'NXDOMAIN' || undefined,
      { timeoutMs: 120_000, intervalMs: 1000, what: 'web to be NXDOMAIN on h1 once h2 is forgotten' })
    const s = JSON.parse((await h1.weft(['status', 'dns', '--json'])).stdout) as DnsStatusResponse
    const gone = s.peers.find((p) => p.nickname !== 'h1')
    expect(gone?.entries).toBe(0)
    expect(gone?.floor).toBeGreaterThan(0)
  }, 150_000)

  it('gets them back when the peer returns with its container still running', async () => {
    await launch(h2, [h1.address, ...DNS_FLAGS])
    await waitFor(async () => (await answers(h1, cli, 'web.weft.local')).addresses[0] === '10.46.2.1' || undefined,
      { timeoutMs: 30_000, intervalMs: 300, what: 'web back on h1 after h2 relaunched' })
  })
})
