import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { PacketKind } from '@weft/wire'
import { DatapathError, MIN_PROBE_DATAGRAM_BYTES, PATH_OVERHEAD_BYTES } from '../src/index.js'
import { SimMesh, ipv4Frame, learnMac, openDatagram, recordDatagrams, settle } from './sim-mesh.js'

//   a ───────── b         direct sessions a-b over a simulated UDP network (underlay MTU 1500:
//                          datagrams of at most 1472 bytes); Probes and ProbeAcks between them

function pair(init = {}) {
  const mesh = new SimMesh(['a', 'b'], init)
  mesh.link(0, 1)
  const [a, b] = mesh.nodes
  return { mesh, a, b }
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (err) {
    return err instanceof DatapathError ? err.code : 'not a DatapathError'
  }
  return undefined
}

describe('Probe and ProbeAck', () => {
  it('pads a Probe to exactly the size asked for and gets a ProbeAck with its id and size', async () => {
    const { mesh, a, b } = pair()
    expect(a.dp.maxProbeSize).toBe(1472)
    const acks: Array<[string, number, number]> = []
    a.dp.onProbeAck((peer, id, size) => acks.push([peer, id, size]))
    const control: number[] = []
    a.dp.onControlPacket((_, kind) => control.push(kind))
    b.dp.onControlPacket((_, kind) => control.push(kind))
    await fc.assert(fc.asyncProperty(fc.integer({ min: MIN_PROBE_DATAGRAM_BYTES, max: 1472 }), fc.nat(), async (size, id) => {
      const seen = recordDatagrams(mesh)
      acks.length = 0
      expect(a.dp.sendProbe(b.id, id >>> 0, size)).toBe(true)
      await settle()
      expect(seen.map((d) => d.data.length)).toEqual([size, 40]) // the probe, exactly; the ack
      expect(seen[0].data[1]).toBe(PacketKind.Probe)
      expect(seen[1].data[1]).toBe(PacketKind.ProbeAck)
      const plain = openDatagram(mesh.keys.get('a>b')!.sendKey, seen[0].data)!
      expect([plain.readUInt32LE(0), plain.readUInt32LE(4)]).toEqual([id >>> 0, size])
      expect(plain.subarray(8).every((x) => x === 0)).toBe(true)
      expect(acks).toEqual([[b.id, id >>> 0, size]])
    }), { numRuns: 40 })
    expect(control).toEqual([]) // probes never reach the control handler
  })

  it('refuses a probe with no direct session or outside the sizes it can build', () => {
    const { a, b } = pair()
    expect(a.dp.sendProbe('nobody', 1, 1000)).toBe(false)
    expect(a.dp.sendProbe(b.id, 1, MIN_PROBE_DATAGRAM_BYTES - 1)).toBe(false)
    expect(a.dp.sendProbe(b.id, 1, 1473)).toBe(false)
    expect(a.dp.sendProbe(b.id, 1, 1000.5)).toBe(false)
  })

  it('drops and counts a Probe too short to carry an id and a size, answering nothing', async () => {
    const { mesh, a, b } = pair()
    const seen = recordDatagrams(mesh)
    expect(a.dp.sendControlPacket(b.id, PacketKind.Probe, Buffer.alloc(7))).toBe(true)
    await settle()
    expect(seen).toHaveLength(1)
    expect(b.dp.drops().short).toBe(1)
  })

  it('answers a Probe that came end to end through a relay, on the relayed session', async () => {
    const mesh = new SimMesh(['a', 'b', 'c'])
    mesh.link(0, 1)
    mesh.link(1, 2)
    mesh.relay(0, 2)
    mesh.routeByBfs()
    const [a, , c] = mesh.nodes
    const acks: Array<[string, number, number]> = []
    a.dp.onProbeAck((peer, id, size) => acks.push([peer, id, size]))
    const probe = Buffer.alloc(100)
    probe.writeUInt32LE(77, 0)
    expect(a.dp.sendProbe(c.id, 1, 600)).toBe(false) // probes measure direct paths only
    expect(a.dp.sendControlPacket(c.id, PacketKind.Probe, probe)).toBe(true)
    await settle()
    expect(acks).toEqual([[c.id, 77, 16 + 100 + 16]]) // the inner datagram's length
  })

  it('lets the ack of a lost-size probe never arrive: a path that drops big datagrams', async () => {
    const { mesh, a, b } = pair()
    const acks: number[] = []
    a.dp.onProbeAck((_, __, size) => acks.push(size))
    recordDatagrams(mesh, (d) => d.data.length > 800)
    a.dp.sendProbe(b.id, 1, 800)
    a.dp.sendProbe(b.id, 2, 801)
    await settle()
    expect(acks).toEqual([800])
  })
})

describe('setPeerMtu', () => {
  it('lowers the MTU, answers bigger DF frames with ICMP and bundles no datagram past the path', async () => {
    const { mesh, a, b } = pair()
    await learnMac(b)
    expect(a.dp.setPeerMtu(b.id, 700)).toBe(700)
    expect(a.dp.mtuFor(b.id)).toBe(700)
    expect(a.dp.sessionStats()[0].mtu).toBe(700)
    expect(a.dp.peerPathMtu(b.id)).toBe(700)
    const seen = recordDatagrams(mesh)
    a.tap.inject(ipv4Frame(b.mac, a.mac, 701))
    await settle()
    expect(a.dp.drops().too_big).toBe(1)
    const reply = a.tap.written.at(-1)!
    expect([reply[34], reply[35], reply.readUInt16BE(40)]).toEqual([3, 4, 700]) // type, code, next-hop MTU
    for (let i = 0; i < 20; i++) a.tap.inject(ipv4Frame(b.mac, a.mac, 300))
    a.tap.inject(ipv4Frame(b.mac, a.mac, 700))
    await settle()
    expect(b.tap.written.slice(-21).map((f) => f.length - 14)).toEqual([...Array(20).fill(300), 700])
    expect(seen.length).toBeLessThan(21) // one batch: small frames shared datagrams...
    expect(Math.max(...seen.map((d) => d.data.length))).toBeLessThanOrEqual(700 + PATH_OVERHEAD_BYTES) // ...within the path
  })

  it('fragments IPv4 without DF to fit the path, and the fragments arrive', async () => {
    const { a, b } = pair()
    await learnMac(b)
    a.dp.setPeerMtu(b.id, 600)
    const before = b.tap.written.length
    a.tap.inject(ipv4Frame(b.mac, a.mac, 1376, false))
    await settle()
    const frags = b.tap.written.slice(before)
    expect(frags.map((f) => f.length - 14)).toEqual([596, 596, 224]) // 576 + 576 + 204 bytes of data
    expect(a.dp.traffic().fragmentedPackets).toBe(1)
    expect(a.dp.drops().too_big).toBe(0)
  })

  it('gives back up to the installed MTU, holds for later sessions of the peer, and goes with the peer', () => {
    const { mesh, a, b } = pair({ mtu: 1376 })
    a.dp.setPeerMtu(b.id, 800)
    expect(a.dp.setPeerMtu(b.id, 9000)).toBe(1376)
    a.dp.setPeerMtu(b.id, 800)
    // a rekey: a new session for the same peer keeps the path's MTU
    const k = mesh.keys.get('a>b')!
    a.dp.addSession(b.id, { ...k, localIndex: 999, remoteIndex: 998 }, b.bind.endpoint)
    expect(a.dp.sendingIndex(b.id)).toBe(999)
    expect(a.dp.mtuFor(b.id)).toBe(800)
    a.dp.removePeer(b.id)
    expect(a.dp.peerPathMtu(b.id)).toBeUndefined()
    a.dp.addSession(b.id, { ...k, localIndex: 1001, remoteIndex: 1000 }, b.bind.endpoint)
    expect(a.dp.mtuFor(b.id)).toBe(1376)
  })

  it('leaves relayed sessions alone and refuses an impossible MTU with a stable code', () => {
    const mesh = new SimMesh(['a', 'b', 'c'])
    mesh.link(0, 1)
    mesh.relay(0, 2)
    const [a, , c] = mesh.nodes
    expect(a.dp.setPeerMtu(c.id, 600)).toBeUndefined()
    expect(a.dp.mtuFor(c.id)).toBe(1359) // 1472 - 49 - 16 - 16 - 16 - 2 - 14, as before
    for (const bad of [67, 65_001, 1000.5, Number.NaN]) expect(codeOf(() => a.dp.setPeerMtu(c.id, bad))).toBe('ERR_DATAPATH_CONFIG')
  })
})
