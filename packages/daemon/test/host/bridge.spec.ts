//  root namespace: the test process only; nothing is created or changed here
//
//  ┌──────────── H = wst<pid><rand>b-h ─────────────┐
//  │  bridge "weft"  (created, re-created, mtu)      │
//  │    addresses exposed / hidden                   │
//  │  veth "d0" (link helpers), "notabr" (kind)      │
//  └─────────────────────────────────────────────────┘
//  Every command of the code under test runs in H through `nsenter --net`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  attachToBridge, deleteLink, ensureBridge, exposeOnBridge, HostError, hideOnBridge, linkExists, linkMac, runIp,
  setMtu, setUp, type HostComponents,
} from '../../src/host/index.js'
import { ipJsonIn, IS_ROOT, TestNamespaces } from './test-namespaces.js'

const lab = new TestNamespaces('b')
let H: string
let c: HostComponents

interface Link { ifname: string; mtu: number; flags: string[]; master?: string; address: string; linkinfo?: { info_kind?: string } }
interface AddrLink { addr_info: Array<{ local: string; prefixlen: number }> }

async function link (name: string): Promise<Link> {
  return (await ipJsonIn<Link[]>(H, ['-d', 'link', 'show', 'dev', name]))[0]
}

async function addrs (dev: string): Promise<string[]> {
  const [l] = await ipJsonIn<AddrLink[]>(H, ['addr', 'show', 'dev', dev])
  return l.addr_info.map((a) => `${a.local}/${a.prefixlen}`).filter((a) => !a.startsWith('fe80:')).sort()
}

describe.skipIf(!IS_ROOT)('bridge and links (in a test namespace)', () => {
  beforeAll(async () => {
    H = await lab.add('-h')
    c = { exec: lab.execIn(H) }
  })

  afterAll(async () => {
    await lab.cleanup()
    expect(await lab.list()).toEqual([])
  })

  it('ensureBridge creates the bridge once, with its MTU, up', async () => {
    expect(await linkExists('weft', {}, c)).toBe(false)
    await ensureBridge('weft', 1400, c)
    await ensureBridge('weft', 1400, c)
    let br = await link('weft')
    expect(br.linkinfo?.info_kind).toBe('bridge')
    expect(br.mtu).toBe(1400)
    expect(br.flags).toContain('UP')
    const all = await ipJsonIn<Link[]>(H, ['link', 'show'])
    expect(all.filter((l) => l.ifname === 'weft')).toHaveLength(1)
    await ensureBridge('weft', 1376, c)
    br = await link('weft')
    expect(br.mtu).toBe(1376)
  })

  it('ensureBridge refuses a name taken by a link that is not a bridge', async () => {
    await runIp(['link', 'add', 'notabr', 'type', 'veth', 'peer', 'name', 'notabrp'], {}, c)
    const err = await ensureBridge('notabr', 1400, c).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(HostError)
    expect((err as HostError).code).toBe('ERR_LINK_KIND')
    expect((await link('notabr')).linkinfo?.info_kind).toBe('veth')
  })

  it('link helpers: exists, mtu, up, port of the bridge, mac, delete', async () => {
    await runIp(['link', 'add', 'd0', 'type', 'veth', 'peer', 'name', 'd0p'], {}, c)
    expect(await linkExists('d0', {}, c)).toBe(true)
    await setMtu('d0', 1300, {}, c)
    await attachToBridge('d0', 'weft', c)
    await setUp('d0', {}, c)
    const d0 = await link('d0')
    expect(d0.mtu).toBe(1300)
    expect(d0.master).toBe('weft')
    expect(d0.flags).toContain('UP')
    expect(await linkMac('d0', {}, c)).toBe(d0.address)
    await deleteLink('d0', {}, c)
    expect(await linkExists('d0', {}, c)).toBe(false)
    await deleteLink('d0', {}, c)
    const err = await linkMac('d0', {}, c).catch((e: unknown) => e)
    expect((err as HostError).code).toBe('ERR_HOST_COMMAND')
    const bad = await setMtu('nosuch', 1300, {}, c).catch((e: unknown) => e) as HostError
    expect(bad.code).toBe('ERR_HOST_COMMAND')
    expect(bad.message).toContain('ip link set dev nosuch mtu 1300')
    expect(bad.stderr).toMatch(/nosuch/)
  })

  it('expose and hide add and remove bridge addresses, idempotently', async () => {
    await exposeOnBridge('weft', '10.32.0.254/12', c)
    await exposeOnBridge('weft', '10.32.0.254/12', c)
    await exposeOnBridge('weft', 'FD00:0::FE/64', c)
    expect(await addrs('weft')).toEqual(['10.32.0.254/12', 'fd00::fe/64'])
    await hideOnBridge('weft', '10.32.0.254/12', c)
    await hideOnBridge('weft', '10.32.0.254/12', c)
    await hideOnBridge('weft', '10.32.0.253/12', c)
    expect(await addrs('weft')).toEqual(['fd00::fe/64'])
    await hideOnBridge('weft', 'fd00::fe/64', c)
    expect(await addrs('weft')).toEqual([])
    await hideOnBridge('nobridge', '10.32.0.254/12', c)
  })
})
