import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { PacketKind, countFrames } from '@weft/wire'
import { SimMesh, sealDatagram, totalDrops } from './sim-mesh.js'

//   a ───── b ───── c     routes by BFS; b receives authenticated Relay and Broadcast datagrams
//                         from a whose plaintext is anything at all

function line() {
  const mesh = new SimMesh(['a', 'b', 'c'], { sync: true })
  mesh.link(0, 1)
  mesh.link(1, 2)
  mesh.relay(0, 2)
  mesh.routeByBfs()
  return mesh
}

/** Plaintexts from raw noise to well-formed hop headers around noise or valid bundles. */
function plaintexts(ids: string[]) {
  const id = fc.oneof(fc.constantFrom(...ids), fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex')))
  const bundle = fc.array(fc.uint8Array({ minLength: 14, maxLength: 80 }), { minLength: 1, maxLength: 4 })
    .map((frames) => Buffer.concat(frames.flatMap((f) => [Buffer.from([f.length >> 8, f.length & 0xff]), Buffer.from(f)])))
  const body = fc.oneof(fc.uint8Array({ maxLength: 120 }), fc.uint8Array({ minLength: 32, maxLength: 120 }))
    .map((b) => Buffer.from(b))
  const payload = fc.oneof(body, bundle)
  return fc.oneof(
    fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
    fc.tuple(id, fc.nat({ max: 255 }), payload).map(([to, ttl, rest]) => Buffer.concat([Buffer.from(to, 'hex'), Buffer.of(ttl), rest])),
  )
}

describe('hop header fuzzing: any authenticated plaintext', () => {
  it('a Relay is dropped and counted exactly once along its way, never delivered', () => {
    const mesh = line()
    const [a, b, c] = mesh.nodes
    const ab = mesh.keys.get('a>b')!
    let counter = 0n
    fc.assert(fc.property(plaintexts(mesh.nodes.map((x) => x.id)), (plain) => {
      const before = mesh.nodes.map((x) => totalDrops(x.dp))
      b.bind.deliver(sealDatagram(ab.sendKey, PacketKind.Relay, ab.remoteIndex, counter++, plain), a.bind.endpoint)
      const after = mesh.nodes.map((x) => totalDrops(x.dp))
      expect(after.reduce((x, y) => x + y) - before.reduce((x, y) => x + y)).toBe(1)
    }), { numRuns: 3000 })
    for (const x of [a, b, c]) expect(x.tap.written).toHaveLength(0)
    expect(b.dp.drops().bad_hop_header).toBeGreaterThan(0)
    expect(b.dp.drops().no_route).toBeGreaterThan(0)
    expect(b.dp.traffic().relayedPackets).toBeGreaterThan(0) // some were for a or c: forwarded, then dropped there
  })

  it('a Broadcast is either one counted drop, or its frames on b\'s TAP', () => {
    const mesh = line()
    const [a, b] = mesh.nodes
    const ab = mesh.keys.get('a>b')!
    let counter = 0n
    let delivered = 0
    fc.assert(fc.property(plaintexts(mesh.nodes.map((x) => x.id)), (plain) => {
      const drops = totalDrops(b.dp)
      const written = b.tap.written.length
      b.bind.deliver(sealDatagram(ab.sendKey, PacketKind.Broadcast, ab.remoteIndex, counter++, plain), a.bind.endpoint)
      const frames = b.tap.written.length - written
      if (frames === 0) {
        expect(totalDrops(b.dp) - drops).toBe(1)
      } else {
        delivered++
        expect(frames).toBe(countFrames(plain, 33, plain.length - 33))
        expect(b.tap.written[written].equals(plain.subarray(35, 35 + plain.readUInt16BE(33)))).toBe(true)
      }
    }), { numRuns: 3000 })
    expect(delivered).toBeGreaterThan(0)
    expect(b.dp.drops().bad_bundle).toBeGreaterThan(0)
    expect(b.dp.drops().looped).toBeGreaterThan(0)
  })

  it('a relayed peer drops any inner datagram it is handed, once', () => {
    const mesh = line()
    const [a, b, c] = mesh.nodes
    const bc = mesh.keys.get('b>c')!
    let counter = 0n
    const noise = fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ minLength: 32, maxLength: 200 }))
    fc.assert(fc.property(noise, fc.boolean(), (bytes, aimed) => {
      const inner = Buffer.from(bytes)
      if (aimed && inner.length >= 8) {
        inner[0] = 1
        inner[1] = PacketKind.Data
        inner[2] = inner[3] = 0
        inner.writeUInt32LE(mesh.keys.get('c>a')!.localIndex, 4) // c's relayed session for a
      }
      const drops = totalDrops(c.dp)
      const plain = Buffer.concat([Buffer.from(c.id, 'hex'), Buffer.of(1), inner])
      c.bind.deliver(sealDatagram(bc.sendKey, PacketKind.Relay, bc.remoteIndex, counter++, plain), b.bind.endpoint)
      expect(totalDrops(c.dp) - drops).toBe(1)
    }), { numRuns: 2000 })
    expect(c.tap.written).toHaveLength(0)
    expect(c.dp.drops().bad_tag).toBeGreaterThan(0)
    // and the session is intact: real traffic still flows (b's counters moved past the fuzz's)
    mesh.sessions.get('b>c')!.sendCounter = counter
    expect(a.dp.sendControlPacket(c.id, PacketKind.Heartbeat, Buffer.alloc(4))).toBe(true)
    expect(c.dp.sessionStats().find((s) => s.peer === a.id)!.packetsReceived).toBe(1)
  })
})
