/*
 * Discovery and failover on a full underlay. h1 and h3 are only told about h2; gossip makes them
 * dial each other. Cutting the h1–h3 path moves their traffic through h2; restoring it moves it
 * back; stopping h2 leaves h1–h3 flowing directly. Targets persist across a restart.
 *
 *   h1 198.18.0.11 ───────── h2 198.18.0.12 ───────── h3 198.18.0.13
 *   └ c1 10.42.0.1 ╲                                 ╱ └ c3 10.42.0.3
 *                   ╲──────── discovered ───────────╱   (cut, then restored)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Lab, LabHost } from '@weft/testing'
import { createLab, waitFor } from '@weft/testing'
import { container, launch, ping, status, waitEstablished, waitPing } from './support.js'

describe.sequential('discovery, failover through a relay, persisted targets', () => {
  let lab: Lab
  let h1: LabHost, h2: LabHost, h3: LabHost
  let c1: string, c3: string
  let id2: string, id3: string

  const userTargets = async (h: LabHost) => (await status(h)).targets.filter((t) => !t.discovered).map((t) => t.address).sort()
  const pathTo = async (h: LabHost, id: string) => (await status(h)).connections.find((c) => c.peer?.id === id && c.state === 'established')?.path

  beforeAll(async () => {
    lab = await createLab({ hosts: ['h1', 'h2', 'h3'] })
    ;[h1, h2, h3] = lab.hosts()
    await launch(h2)
    await launch(h1, [h2.address])
    await launch(h3, [h2.address])
    c1 = await container(h1, 'c1', '10.42.0.1/16')
    c3 = await container(h3, 'c3', '10.42.0.3/16')
    id2 = (await status(h2)).router.id
    id3 = (await status(h3)).router.id
  })

  afterAll(async () => {
    await lab?.destroy()
  })

  it('dials a peer learnt by gossip: h1 and h3 connect directly', async () => {
    await waitEstablished(h1, 2, 20_000)
    // until both ends report the new link, routes (and so traffic) may still go through h2
    await waitFor(async () => ((await pathTo(h1, id3)) === `direct ${h3.address}:6783` || undefined),
      { timeoutMs: 10_000, intervalMs: 100, what: 'h1 to use its direct link to h3' })
    const s1 = await status(h1)
    expect(await userTargets(h1)).toEqual([h2.address])
    // h3 was discovered: dialled, shown, not persisted; our own address is never a target
    expect(s1.targets.filter((t) => t.discovered).map((t) => t.address)).not.toContain(`${h1.address}:6783`)
    await waitPing(h1, c1, '10.42.0.3')
  })

  it('moves h1–h3 traffic through h2 when their path is cut, and back when restored', async () => {
    await lab.blockAll(h1, h3)
    const via = await waitFor(async () => {
      const p = await pathTo(h1, id3)
      return p?.startsWith('relay via') ? p : undefined
    }, { timeoutMs: 10_000, intervalMs: 100, what: 'h1 to route to h3 through h2' })
    expect(via).toMatch(new RegExp(`^relay via ${id2.slice(0, 12)}: `)) // and why it is not punched
    await waitPing(h1, c1, '10.42.0.3', 10_000)
    expect(await ping(h3, c3, '10.42.0.1', 3)).toBe(true)
    await lab.unblock(h1, h3)
    await waitFor(async () => ((await pathTo(h1, id3))?.startsWith('direct') ? true : undefined),
      { timeoutMs: 30_000, intervalMs: 200, what: 'h1 to reach h3 directly again' })
    await waitPing(h1, c1, '10.42.0.3', 10_000)
  })

  it('keeps h1–h3 traffic flowing when the middle host stops', async () => {
    await h2.weft(['stop'])
    await waitFor(async () => ((await status(h1)).peers.length <= 2 ? true : undefined), { timeoutMs: 5000, what: 'h1 to notice' })
    expect(await ping(h1, c1, '10.42.0.3', 3)).toBe(true)
    expect(await pathTo(h1, id3)).toBe(`direct ${h3.address}:6783`)
  })

  it('keeps targets across a restart; forget removes one for good', async () => {
    await h1.weft(['connect', h3.address])
    expect(await userTargets(h1)).toEqual([h2.address, h3.address].sort())
    await h1.weft(['stop'])
    await launch(h1)
    expect(await userTargets(h1)).toEqual([h2.address, h3.address].sort())
    await h1.weft(['forget', h2.address])
    await h1.weft(['stop'])
    await launch(h1)
    expect(await userTargets(h1)).toEqual([h3.address])
    await waitPing(h1, c1, '10.42.0.3', 15_000)
  })
})
