import { createRequire } from 'node:module'
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
})

