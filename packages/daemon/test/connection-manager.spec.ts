import { describe, expect, it } from 'vitest'
import { deriveNetworkKey } from '@weft/crypto'
import { SimNetwork } from '@weft/udp'
import type { TestRouter } from './helpers/loopback-routers.js'
import { frame, testRouter, until } from './helpers/loopback-routers.js'

// Two or three routers' control paths on loopback TCP, their data paths on a simulated UDP
// network: handshake, hello, data sessions, duplicate connections, rekey.
const KEY = deriveNetworkKey('loopback test secret')

type Router = TestRouter
const router = (sim: SimNetwork, name: string, opts: { rekeyAfterMs?: number; connectionLimit?: number } = {}) =>
  testRouter(sim, name, { networkKey: KEY, oldSessionGraceMs: 200, ...opts })

const established = (r: Router) => r.cm.connections().filter((c) => c.state === 'established').length

describe('ConnectionManager', () => {
  it('connects to a target, installs data sessions both ways, and carries frames', async () => {
    const sim = new SimNetwork()
    const a = await router(sim, 'a')
    const b = await router(sim, 'b')
    b.cm.addTarget(`127.0.0.1:${a.port}`)
    await until('both established', () => established(a) === 1 && established(b) === 1)
    expect(b.cm.peers()[0].nickname).toBe('a')
    expect(b.cm.targets()[0].state).toBe('connected')
    a.tap.inject(frame('020000000b01', '020000000a01'))
    await until('b receives', () => b.tap.written.length === 1)
    b.tap.inject(frame('020000000a01', '020000000b01'))
    await until('a receives', () => a.tap.written.length === 1)
  })

  it('refuses connections past its limit and counts them', async () => {
    const sim = new SimNetwork()
    const a = await router(sim, 'a', { connectionLimit: 1 })
    const b = await router(sim, 'b')
    const c = await router(sim, 'c')
    b.cm.addTarget(`127.0.0.1:${a.port}`)
    await until('b connected', () => established(a) === 1)
    c.cm.addTarget(`127.0.0.1:${a.port}`)
    await until('c refused', () => a.events.includes('handshake_failure'))
    expect(established(a)).toBe(1)
    expect(established(c)).toBe(0)
    expect(c.cm.targets()[0].state).not.toBe('connected')
  })

  it('keeps exactly one connection when both ends dial each other', async () => {
    const sim = new SimNetwork()
    const a = await router(sim, 'a')
    const b = await router(sim, 'b')
    a.cm.addTarget(`127.0.0.1:${b.port}`)
    b.cm.addTarget(`127.0.0.1:${a.port}`)
    await until('one connection each', () => established(a) === 1 && established(b) === 1 &&
      a.cm.connections().length === 1 && b.cm.connections().length === 1)
    await new Promise((r) => setTimeout(r, 300))
    expect(a.cm.connections()).toHaveLength(1)
    expect(b.cm.connections()).toHaveLength(1)
    expect(a.cm.peers()).toHaveLength(1)
    a.tap.inject(frame('020000000b01', '020000000a01'))
    await until('b receives', () => b.tap.written.length === 1)
  })

  it('rekeys on time: new session indexes, traffic keeps flowing both ways, old session retired', async () => {
    const sim = new SimNetwork()
    const a = await router(sim, 'a', { rekeyAfterMs: 1500 })
    const b = await router(sim, 'b', { rekeyAfterMs: 60_000 })
    b.cm.addTarget(`127.0.0.1:${a.port}`)
    await until('established', () => established(a) === 1 && established(b) === 1)
    const peerB = a.cm.peers()[0].id
    const indexA = a.dp.sendingIndex(peerB)!
    await until('a rekey on both ends', () => a.events.includes('rekey') && b.events.includes('rekey'), 8000)
    a.tap.inject(frame('020000000b01', '020000000a01'))
    await until('b receives after rekey', () => b.tap.written.length === 1)
    b.tap.inject(frame('020000000a01', '020000000b01'))
    await until('a receives after rekey', () => a.tap.written.length === 1)
    expect(a.dp.sendingIndex(peerB)).not.toBe(indexA)
    await until('old sessions retired', () => !a.dp.hasIndex(indexA), 3000)
    // b must have moved to the new session too: a no longer accepts the old one
    b.tap.inject(frame('020000000a01', '020000000b01'))
    await until('a receives on the new session only', () => a.tap.written.length === 2)
    expect(a.dp.drops().unknown_session).toBe(0)
    expect(established(a)).toBe(1)
  })
})
