/*
 * IPAM consensus=3: the first allocation waits until three peers agree on the ring, and
 * `weft status ipam` says what it waits for; then every host allocates and the containers ping.
 *
 *   h1 198.18.0.11           h2 198.18.0.12           h3 198.18.0.13 (launched last)
 *  ┌──────────────────┐     ┌──────────────────┐     ┌──────────────────┐
 *  │ x1 (IPAM)        │     │ x2 (IPAM)        │     │ x3 (IPAM)        │
 *  │ router ─ eth0 ───┼─sw──┼─ eth0 ─ router   │     │ router ─ eth0 ───┼─ sw
 *  └──────────────────┘     └──────────────────┘     └──────────────────┘
 *  all: --ipalloc-init consensus=3; h2 and h3 connect to h1.
 */
import type { ContainerInfo, IpamStatusResponse } from '@weft/api'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Lab, LabHost } from '@weft/testing'
import { createLab, waitFor } from '@weft/testing'
import { SECRET, launch, waitEstablished, waitPing } from './support.js'

const INIT = ['--ipalloc-init', 'consensus=3']

async function ipam(h: LabHost): Promise<IpamStatusResponse> {
  return JSON.parse((await h.weft(['status', 'ipam', '--json'])).stdout) as IpamStatusResponse
}

async function address(h: LabHost, name: string): Promise<string> {
  const c = JSON.parse((await h.weft(['ps', '--json'])).stdout).find((x: ContainerInfo) => x.name === name) as ContainerInfo
  return c.cidrs[0].split('/')[0]
}

describe.sequential('IPAM consensus among three peers', () => {
  let lab: Lab
  let h1: LabHost, h2: LabHost, h3: LabHost

  beforeAll(async () => {
    lab = await createLab({ hosts: ['h1', 'h2', 'h3'] })
    ;[h1, h2, h3] = lab.hosts()
    await launch(h1, INIT)
    await launch(h2, [h1.address, ...INIT])
    await waitEstablished(h1, 1)
  })

  afterAll(async () => {
    await lab?.destroy()
  })

  it('blocks the first allocation until the third peer arrives, and says why', async () => {
    const pending = h1.spawnWeft(['run', 'x1', '-d', '--', 'sleep', 'infinity'], { env: { WEFT_PASSWORD: SECRET } })
    const s = await waitFor(async () => {
      const x = await ipam(h1)
      return x.waiting === 1 && x.blocked !== null ? x : undefined
    }, { timeoutMs: 10_000, what: 'h1 to wait for consensus' })
    expect(s.blocked).toMatch(/waiting for \d of 3 peers for consensus/)
    expect(s.ringId).toBeNull()
    expect((await h1.weft(['status', 'ipam'])).stdout).toMatch(/Blocked: waiting for \d of 3 peers for consensus/)
    expect(pending.exited()).toBe(false)
    await launch(h3, [h1.address, ...INIT])
    const exit = await pending.wait()
    expect(exit.code, pending.stderr()).toBe(0)
    expect((await ipam(h1)).ringId).not.toBeNull()
  })

  it('every peer allocates from the agreed ring; the containers ping each other', async () => {
    await h2.weft(['run', 'x2', '-d', '--', 'sleep', 'infinity'])
    await h3.weft(['run', 'x3', '-d', '--', 'sleep', 'infinity'])
    const ips = [await address(h1, 'x1'), await address(h2, 'x2'), await address(h3, 'x3')]
    expect(new Set(ips).size).toBe(3)
    const rings = new Set([(await ipam(h1)).ringId, (await ipam(h2)).ringId, (await ipam(h3)).ringId])
    expect(rings.size).toBe(1)
    const owners = (await ipam(h1)).peers.filter((p) => p.owned > 0)
    expect(owners).toHaveLength(3)
    await waitPing(h3, `${h3.containerPrefix}x3`, ips[0])
    await waitPing(h1, `${h1.containerPrefix}x1`, ips[1])
  })
})
