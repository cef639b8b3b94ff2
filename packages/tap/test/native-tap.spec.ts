/**
 * NativeTap against the kernel. The test process stays in the root namespace; every TAP is
 * created inside a namespace of this file's own (`TapInit.netns`), and the kernel on the other
 * side of the TAP is that namespace's stack:
 *
 *   test process (root netns)          netns wtap<pid><rand>
 *   ┌──────────────────────┐  fd   ┌─────────────────────────────────────┐
 *   │ NativeTap ───────────┼──────▶│ wtN  10.99.K.1/24  (mac: the TAP's) │
 *   │  writes frames from  │       │  peer 10.99.K.2 = 02:00:00:00:00:02  │
 *   │  "the peer"; reads   │◀──────┼─ (static neighbour, or ARP for it)   │
 *   │  what the kernel sends│       │  ping / ip run with `ip netns exec`  │
 *   └──────────────────────┘       └─────────────────────────────────────┘
 */
import { spawnSync } from 'node:child_process'
import { randomInt } from 'node:crypto'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { openTap, TapError, type NativeTap, type TapDevice, type TapInit } from '../src/index.js'
import { icmpEchoRequest, parseArp, parseEcho, taggedFrame } from './frames.js'
import { TestNetns } from './netns.js'
import { describeTapCompliance, loopTurns, record } from './tap-compliance.js'

const PEER_MAC = '02:00:00:00:00:02'
const ns = new TestNetns()
beforeAll(() => {
  ns.create()
})
afterAll(() => ns.destroy())

interface Configured {
  tap: NativeTap
  mac: string
  ip: string
  peerIp: string
}

const configured = new Map<TapDevice, Configured>()
let nextSubnet = 0
let nextName = 0

/** Opens a TAP in the namespace, gives it 10.99.K.1/24, brings it up, and (unless told not
 *  to) makes 10.99.K.2 a permanent neighbour at PEER_MAC so that replies need no ARP. */
function openConfigured(init: TapInit = {}, staticPeer = true): Configured {
  const tap = openTap({ name: `wt${nextName++}`, ...init, netns: ns.path })
  const k = ++nextSubnet
  const c = { tap, mac: '', ip: `10.99.${k}.1`, peerIp: `10.99.${k}.2` }
  ns.ip(
    `addr add ${c.ip}/24 dev ${tap.name}`,
    `link set ${tap.name} up`,
    ...(staticPeer ? [`neigh add ${c.peerIp} lladdr ${PEER_MAC} dev ${tap.name} nud permanent`] : []),
  )
  c.mac = ns.link(tap.name)!.address
  configured.set(tap, c)
  return c
}

function echoFromPeer(c: Configured, id: number, seq: number, payload?: Buffer): Buffer {
  return icmpEchoRequest({ srcMac: PEER_MAC, dstMac: c.mac, srcIp: c.peerIp, dstIp: c.ip, id, seq, payload })
}

/** Blocks the event loop (so nothing is read) until the TAP's qdisc has queued `count` more
 *  frames than `before` for reading. Bounded by attempts, not by time. */
function awaitQueued(dev: string, before: number, count: number): void {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (ns.qdiscPackets(dev) >= before + count) return
  }
  throw new Error(`the kernel did not queue ${count} frames on ${dev}`)
}

describeTapCompliance({
  label: 'NativeTap',
  open: (init) => openConfigured(init).tap,
  stimulate(tap, count) {
    const c = configured.get(tap)!
    const id = randomInt(1 << 16)
    const before = ns.qdiscPackets(tap.name)
    for (let seq = 0; seq < count; seq++) {
      const request = echoFromPeer(c, id, seq)
      if (!tap.write(request, 0, request.length)) throw new Error('writing an echo request failed')
    }
    awaitQueued(tap.name, before, count)
    return (frame) => {
      const echo = parseEcho(frame)
      return echo?.type === 0 && echo.id === id && echo.seq < count ? echo.seq : undefined
    }
  },
  frame: (tap) => taggedFrame(configured.get(tap)!.mac, 0),
  delivered: (tap) => ns.counters(tap.name).rx,
})

describe('NativeTap in a network namespace', () => {
  const opened: TapDevice[] = []
  const track = <T extends TapDevice>(tap: T): T => {
    opened.push(tap)
    return tap
  }
  afterEach(() => {
    for (const tap of opened.splice(0)) tap.close()
  })

  function openError(init: TapInit): TapError {
    try {
      track(openTap(init))
    } catch (e) {
      expect(e).toBeInstanceOf(TapError)
      return e as TapError
    }
    throw new Error(`openTap(${JSON.stringify(init)}) did not throw`)
  }

  it('opens a TAP with the chosen name inside the namespace only; closing removes it', () => {
    const tap = track(openTap({ name: 'wtnamed0', netns: ns.path }))
    expect(tap.name).toBe('wtnamed0')
    const link = ns.link('wtnamed0')
    expect(link?.linkinfo?.info_kind).toBe('tun')
    expect(link?.linkinfo?.info_data?.type).toBe('tap')
    expect(spawnSync('ip', ['link', 'show', 'dev', 'wtnamed0']).status).not.toBe(0) // not in the root namespace
    tap.close()
    expect(ns.link('wtnamed0')).toBeUndefined()
    tap.close()
  })

  it('lets the kernel pick tapN for an empty name, and the number for a %d', () => {
    const picked = track(openTap({ netns: ns.path }))
    expect(picked.name).toMatch(/^tap\d+$/)
    expect(ns.link(picked.name)?.linkinfo?.info_data?.type).toBe('tap')
    const numbered = track(openTap({ name: 'wtn%d', netns: ns.path }))
    expect(numbered.name).toMatch(/^wtn\d+$/)
    expect(ns.link(numbered.name)).toBeDefined()
  })

  it('reads the ARP request the kernel broadcasts for an unknown neighbour', async () => {
    const c = openConfigured({}, false)
    track(c.tap)
    const isArp = (f: Buffer) => parseArp(f)?.targetIp === c.peerIp
    const seen = record(c.tap, (s) => s.frames.some(isArp))
    ns.spawn('ping', '-c1', '-W1', c.peerIp)
    const arp = parseArp((await seen).frames.find(isArp)!)!
    expect(arp).toEqual({ dstMac: 'ff:ff:ff:ff:ff:ff', srcMac: c.mac, op: 1, senderMac: c.mac, senderIp: c.ip, targetIp: c.peerIp })
  })

  it('writes an ICMP echo request that the kernel receives and answers', async () => {
    const c = openConfigured()
    track(c.tap)
    const payload = Buffer.from('sixteen bytes!!!')
    const request = echoFromPeer(c, 0x5eed, 7, payload)
    const rxBefore = ns.counters(c.tap.name).rx
    const isReply = (f: Buffer) => parseEcho(f)?.type === 0
    const seen = record(c.tap, (s) => s.frames.some(isReply))
    expect(c.tap.write(request, 0, request.length)).toBe(true)
    expect(ns.counters(c.tap.name).rx).toBe(rxBefore + 1)
    const reply = parseEcho((await seen).frames.find(isReply)!)
    expect(reply).toEqual({
      dstMac: PEER_MAC, srcMac: c.mac, srcIp: c.ip, dstIp: c.peerIp, type: 0, code: 0, id: 0x5eed, seq: 7, payload, checksumsOk: true,
    })
    expect(c.tap.stats()).toMatchObject({ framesWritten: 1, writeDrops: 0, readErrors: 0 })
  })

  it('writes a frame from the middle of a larger buffer', async () => {
    const c = openConfigured()
    track(c.tap)
    const request = echoFromPeer(c, 0x0ff5, 1)
    const buf = Buffer.alloc(request.length + 100, 0xee)
    request.copy(buf, 37)
    const seen = record(c.tap, (s) => s.frames.some((f) => parseEcho(f)?.id === 0x0ff5))
    expect(c.tap.write(buf, 37, request.length)).toBe(true)
    expect(parseEcho((await seen).frames[0])).toMatchObject({ type: 0, seq: 1, checksumsOk: true })
  })

  it('hands over frames longer than slotSize cut to slotSize (the kernel truncates them)', async () => {
    const c = openConfigured({ slotSize: 100 })
    track(c.tap)
    const request = echoFromPeer(c, 0xb16, 1, Buffer.alloc(200, 1))
    const seen = record(c.tap, (s) => s.frames.length >= 1)
    c.tap.write(request, 0, request.length)
    expect((await seen).frames[0].length).toBe(100)
  })

  it('counts a read error, and drops writes, when the interface is deleted under it', async () => {
    const c = openConfigured()
    track(c.tap)
    c.tap.onBatch(() => {})
    ns.ip(`link del ${c.tap.name}`)
    while (c.tap.stats().readErrors === 0) await loopTurns(1) // the kernel reports POLLERR
    const frame = taggedFrame(c.mac, 1)
    expect(c.tap.write(frame, 0, frame.length)).toBe(false)
    expect(c.tap.stats()).toEqual({ framesRead: 0, framesWritten: 0, writeDrops: 1, readErrors: 1 })
  })

  it('says ERR_TAP_BUSY for a TAP another fd holds, or a name of a device that is not a TAP', () => {
    track(openTap({ name: 'wtbusy0', netns: ns.path }))
    const held = openError({ name: 'wtbusy0', netns: ns.path })
    expect(held.code).toBe('ERR_TAP_BUSY')
    expect(held.message).toContain('wtbusy0')
    ns.ip('link add wtbridge0 type bridge')
    expect(openError({ name: 'wtbridge0', netns: ns.path }).code).toBe('ERR_TAP_BUSY')
    expect(openError({ name: 'lo', netns: ns.path }).code).toBe('ERR_TAP_BUSY')
  })

  it('says ERR_TAP_NETNS for a namespace path that is missing or not a namespace', () => {
    const missing = openError({ name: 'wtx0', netns: `${ns.path}-missing` })
    expect(missing.code).toBe('ERR_TAP_NETNS')
    expect(missing.message).toContain(`${ns.path}-missing`)
    expect(openError({ name: 'wtx0', netns: '/proc/self/ns/uts' }).code).toBe('ERR_TAP_NETNS')
  })

  it('says ERR_TAP_NAME for names the kernel refuses, before opening anything', () => {
    for (const name of ['sixteen-bytes-00', 'a/b', 'a:b', 'a b', 'tab\t', '.', '..', 'nul\0', 'nbsp\u00a0', '\ud800', 'all', 'default']) {
      const error = openError({ name, netns: ns.path })
      expect(error.code).toBe('ERR_TAP_NAME')
      expect(error.message).toMatch(/^TAP name .*: pick another name \(at most 15 bytes/)
    }
  })

  it('rejects batchSize and slotSize out of range with a RangeError', () => {
    expect(() => openTap({ name: 'wtr0', netns: ns.path, batchSize: 0 })).toThrow(RangeError)
    expect(() => openTap({ name: 'wtr0', netns: ns.path, slotSize: 59 })).toThrow(/slotSize/)
    expect(ns.link('wtr0')).toBeUndefined()
  })
})
