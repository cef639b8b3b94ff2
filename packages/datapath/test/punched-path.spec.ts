import { describe, expect, it } from 'vitest'
import { PacketKind } from '@weft/wire'
import { frame, openDatagram, recordDatagrams, relayLine, settle } from './sim-mesh.js'

//   a ───────── b ───────── c        direct sessions: a-b, b-c
//   └──── end to end, via b ────┘    relayed sessions a-c; then a hole-punched path a-c

describe('a hole-punched path for a relayed session', () => {
  it('sends punch probes straight from the data socket, sealed end to end; the peer notes where they came from', async () => {
    const { mesh, a, c } = relayLine()
    const seen = recordDatagrams(mesh)
    expect(a.dp.punch(c.id, c.bind.endpoint, false)).toBe(true)
    await settle()
    expect(seen.map((d) => `${d.from.address}>${d.to.address}`)).toEqual(['10.0.0.1>10.0.0.3'])
    expect(seen[0].data[1]).toBe(PacketKind.Heartbeat)
    expect(openDatagram(mesh.keys.get('a>c')!.sendKey, seen[0].data)).toEqual(Buffer.of(0))
    expect(c.dp.punchedFrom(a.id)).toMatchObject({ endpoint: a.bind.endpoint, ackedAt: 0 })
    // once a hears c directly its probes say so, and c notes that its direct datagrams arrive
    a.dp.punch(c.id, c.bind.endpoint, true)
    await settle()
    expect(openDatagram(mesh.keys.get('a>c')!.sendKey, seen[1].data)).toEqual(Buffer.of(1))
    expect(c.dp.punchedFrom(a.id)!.ackedAt).toBeGreaterThan(0)
    // a neighbour's session is not punched: its traffic is direct already
    expect(a.dp.punch(mesh.nodes[1].id, c.bind.endpoint, false)).toBe(false)
  })

  it('carries traffic on the punched endpoint once chosen, and through the relay again once cleared', async () => {
    const { mesh, a, b, c } = relayLine()
    c.tap.inject(frame('ffffffffffff', c.mac)) // a learns c's MAC
    await settle()
    const seen = recordDatagrams(mesh)
    a.dp.setPunched(c.id, c.bind.endpoint)
    const sent = frame(c.mac, a.mac, 100)
    a.tap.inject(sent)
    await settle()
    expect(seen.map((d) => `${d.from.address}>${d.to.address}`)).toEqual(['10.0.0.1>10.0.0.3'])
    expect(seen[0].data[1]).toBe(PacketKind.Data)
    expect(c.tap.written.at(-1)!.equals(sent)).toBe(true)
    expect(b.dp.traffic().relayedPackets).toBe(1) // only c's broadcast went through b
    seen.length = 0
    a.dp.setPunched(c.id, undefined)
    a.tap.inject(sent)
    await settle()
    expect(seen.map((d) => `${d.from.address}>${d.to.address}`)).toEqual(['10.0.0.1>10.0.0.2', '10.0.0.2>10.0.0.3'])
    expect(c.tap.written).toHaveLength(2)
  })

  it('drops a forged or replayed datagram on the punched path without noting its address', async () => {
    const { mesh, a, c } = relayLine()
    const seen = recordDatagrams(mesh)
    a.dp.punch(c.id, c.bind.endpoint, false)
    await settle()
    const probe = seen[0].data
    const stranger = { address: '10.9.9.9', port: 9 }
    c.bind.deliver(Buffer.from(probe), stranger) // replay
    const forged = Buffer.from(probe)
    forged[forged.length - 1] ^= 1
    forged.writeBigUInt64LE(77n, 8)
    c.bind.deliver(forged, stranger)
    await settle()
    expect(c.dp.drops()).toMatchObject({ replay: 1, bad_tag: 1 })
    expect(c.dp.punchedFrom(a.id)?.endpoint).toEqual(a.bind.endpoint)
  })
})
