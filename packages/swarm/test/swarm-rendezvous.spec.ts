import { createRequire } from 'node:module'
import HyperDHT from 'hyperdht'
import { afterEach, describe, expect, it } from 'vitest'
import { deriveNetworkKey, generateIdentity, topicFromNetworkKey } from '@weft/crypto'
import { SwarmRendezvous } from '@weft/swarm'
import type { SwarmConnection } from '@weft/swarm'

// A loopback-only DHT: createTestnet's first node gets `bootstrap: []` and the rest bootstrap
// from it on 127.0.0.1, so nothing leaves the machine.
const createTestnet = createRequire(import.meta.url)('hyperdht/testnet') as (
  size: number, opts: { host: string; bootstrap: [] },
) => Promise<{ bootstrap: Array<{ host: string; port: number }>; destroy(): Promise<void> }>

describe('SwarmRendezvous', () => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c()
  })

  it('two routers with the same topic find each other on a loopback DHT, and bytes flow both ways', async () => {
    const testnet = await createTestnet(3, { host: '127.0.0.1', bootstrap: [] })
    cleanups.push(() => testnet.destroy())
    const topic = topicFromNetworkKey(deriveNetworkKey('correct horse battery'))
    const bootstrap = { kind: 'nodes' as const, nodes: testnet.bootstrap }
    const ids = [generateIdentity(), generateIdentity()]
    const swarms = ids.map((id) => new SwarmRendezvous({ topic, bootstrap, keyPair: { publicKey: id.publicKey, secretKey: id.secretKey }, host: '127.0.0.1' }))
    for (const s of swarms) cleanups.push(() => s.close())
    // Both ends may dial at once and Hyperswarm may leave a stream whose other end it dropped:
    // weft's handshake weeds those out, so what matters is that some stream carries bytes both ways.
    const got: SwarmConnection[][] = [[], []]
    const heard = swarms.map((s, i) => new Promise<string>((resolve) => s.on('connection', (c) => {
      got[i].push(c)
      c.stream.on('data', (d: Buffer) => resolve(d.toString()))
      c.stream.write(`hello from ${i}`)
    })))
    await Promise.all(swarms.map((s) => s.start()))
    expect(await Promise.all(heard)).toEqual(['hello from 1', 'hello from 0'])
    for (const c of got[0]) expect(c.remotePublicKey.equals(ids[1].publicKey)).toBe(true)
    for (const c of got[1]) expect(c.remotePublicKey.equals(ids[0].publicKey)).toBe(true)
    expect(got[0][0].remoteAddress).toMatch(/^127\.0\.0\.1:\d+$/)
  }, 30_000)

  it('a lone router stays announced after its idle re-lookups, so a router joining later finds it', async () => {
    const testnet = await createTestnet(3, { host: '127.0.0.1', bootstrap: [] })
    cleanups.push(() => testnet.destroy())
    const topic = topicFromNetworkKey(deriveNetworkKey('correct horse battery'))
    const bootstrap = { kind: 'nodes' as const, nodes: testnet.bootstrap }
    const id = generateIdentity()
    const alone = new SwarmRendezvous({ topic, bootstrap, keyPair: { publicKey: id.publicKey, secretKey: id.secretKey }, host: '127.0.0.1' })
    cleanups.push(() => alone.close())
    const refreshes: Array<{ peersKnown: number; error?: string }> = []
    alone.on('refresh', (r) => refreshes.push(r))
    await alone.start()
    // the first idle refresh comes 3 to 6 s after start; a client-only refresh unannounced here
    await new Promise<void>((resolve) => alone.once('refresh', () => resolve()))
    expect(refreshes[0].error).toBeUndefined()
    // a plain DHT client (a router that joins now) looks the topic up and must see it
    const probe = new HyperDHT({ bootstrap: testnet.bootstrap, host: '127.0.0.1' } as ConstructorParameters<typeof HyperDHT>[0])
    cleanups.push(() => probe.destroy())
    const found = new Set<string>()
    for await (const reply of (probe as unknown as { lookup(t: Buffer): AsyncIterable<{ peers: Array<{ publicKey: Buffer }> }> }).lookup(topic)) {
      for (const p of reply.peers) found.add(p.publicKey.toString('hex'))
    }
    expect([...found]).toContain(id.publicKey.toString('hex'))
  }, 30_000)
})
