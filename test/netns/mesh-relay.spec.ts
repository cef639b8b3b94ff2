/*
 * The mesh: three hosts on one underlay where h1 and h3 cannot reach each other (nftables drops
 * everything between their underlay addresses). h1 and h3 only know h2; gossip tells each about
 * the other, routing sends their traffic through h2, and an end-to-end session keeps h2 from
 * reading it.
 *
 *   h1 198.18.0.11 ─────── h2 198.18.0.12 ─────── h3 198.18.0.13
 *   └ c1 10.41.0.1          (relay)                └ c3 10.41.0.3
 *          ╳━━━━━━━━━━━━ blocked ━━━━━━━━━━━━━━╳
 *
 * h3's underlay also drops UDP in IP packets over 800 bytes: the relayed path h1 -> h2 -> h3 is
 * as narrow as its h2-h3 hop, which h1 can only learn by probing end to end through h2.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Lab, LabHost } from '@weft/testing'
import { createLab, readPcap, waitFor } from '@weft/testing'
import { container, inContainer, launch, ping, status, waitEstablished, waitPing } from './support.js'

const LIMIT = 800
/** Largest overlay packet through the relay: IPv4+UDP 28, Relay 65, datagram 48. */
const RELAYED_MTU = LIMIT - 28 - 65 - 48

describe.sequential('relaying through a peer when two hosts cannot reach each other', () => {
  let lab: Lab
  let h1: LabHost, h2: LabHost, h3: LabHost
  let c1: string, c3: string

  beforeAll(async () => {
    lab = await createLab({ hosts: ['h1', 'h2', 'h3'] })
    ;[h1, h2, h3] = lab.hosts()
    await lab.blockAll(h1, h3)
    await lab.limitUdpSize(h3, LIMIT)
    await launch(h2)
    await launch(h1, [h2.address])
    await launch(h3, [h2.address])
    c1 = await container(h1, 'c1', '10.41.0.1/16')
    c3 = await container(h3, 'c3', '10.41.0.3/16')
    await waitEstablished(h2, 2)
  })

  afterAll(async () => {
    await lab?.destroy()
  })

  it('learns the far peer by gossip and shows the path through the relay', async () => {
    const s3 = await status(h3)
    const viaRelay = await waitFor(async () => {
      const s = await status(h1)
      const p = s.peers.find((x) => x.id === s3.router.id)
      const c = s.connections.find((x) => x.peer?.id === s3.router.id)
      return p && c && c.state === 'established' && c.path?.startsWith('relay') ? { s, c } : undefined
    }, { timeoutMs: 15_000, what: 'h1 to reach h3 through h2' })
    const id2 = (await status(h2)).router.shortId
    // with the reason it is not hole-punched (h1 and h3 cannot exchange UDP)
    expect(viaRelay.c.path).toMatch(new RegExp(`^relay via ${id2}: `))
    const far = viaRelay.s.peers.find((x) => x.id === s3.router.id)!
    expect(far).toMatchObject({ nickname: 'h3', reach: `relay via ${id2}`, connections: 1 })
    expect((await h1.weft(['status', 'peers'])).stdout).toMatch(new RegExp(`h3\\s+1\\s+relay via ${id2}`))
    const text = (await h1.weft(['status', 'connections'])).stdout
    expect(text).toMatch(/relay via/)
  })

  it('carries container traffic h1 <-> h3 through h2, end-to-end encrypted', async () => {
    const cap = await h2.capture('eth0', { filter: 'udp port 6783' })
    await waitPing(h1, c1, '10.41.0.3', 15_000)
    const pattern = Buffer.from('RELAYED-CANARY!!')
    expect(await ping(h3, c3, '10.41.0.1', 3)).toBe(true)
    await h1.exec('ip', ['netns', 'exec', c1, 'ping', '-c', '3', '-i', '0.2', '-p', pattern.toString('hex'), '10.41.0.3'])
    const pcap = readPcap(await cap.stop())
    expect(pcap.packets.length).toBeGreaterThan(6)
    expect(Buffer.concat(pcap.packets).includes(pattern)).toBe(false)
    const s2 = await status(h2)
    expect(s2.relayed.packets).toBeGreaterThan(6)
  })

  it('fits relayed traffic to the narrowest hop by probing end to end, and shows that MTU', async () => {
    const id3 = (await status(h3)).router.id
    const c = await waitFor(async () => {
      const x = (await status(h1)).connections.find((y) => y.peer?.id === id3 && y.direction === 'relayed')
      return x?.pmtu?.state === 'done' ? x : undefined
    }, { timeoutMs: 20_000, intervalMs: 200, what: 'h1 to discover the MTU through h2 to h3' })
    expect(c.mtu).toBeLessThanOrEqual(RELAYED_MTU)
    expect(c.mtu).toBeGreaterThanOrEqual(RELAYED_MTU - 8) // 3 tries per size: bad luck only lowers it a little
    expect(c.pmtu!.datagramBytes).toBe(c.mtu! + 48)
    const text = (await h1.weft(['status', 'connections'])).stdout
    expect(text).toMatch(new RegExp(`relay via \\S+(?:: [^\\n]*?)?\\s+-\\s+${c.mtu}\\s`))
    await waitPing(h1, c1, '10.41.0.3', 15_000)
    const r = await inContainer(h1, c1, 'ping', ['-c', '3', '-i', '0.2', '-W', '2', '-s', '3000', '10.41.0.3'])
    expect(r.stdout).toMatch(/3 received/)
  })
})
