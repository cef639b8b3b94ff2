//  root namespace: the test process only; nothing is created or changed here
//
//  ┌──────────────── H = wst<pid><rand>c-h ("host") ────────────────┐
//  │  bridge weft (mtu 1400)                                         │
//  │    ├─ vw…c1 ══ veth ══ ethwe in C1  10.32.0.1/12, fd00::1/64    │
//  │    ├─ vw…c2 ══ veth ══ ethwe in C2  10.32.0.2/12                │
//  │    └─ vw…p  ══ veth ══ ethwe in P   10.32.0.3/12 (by PID of     │
//  │                                      `sleep 60` running in P)   │
//  └─────────────────────────────────────────────────────────────────┘
//  C1, C2 are created by the code under test (createNetns), P and H by the test. Pings go
//  C1 -> C2 and C1 -> P, inside these namespaces only. Every command of the code under test
//  runs in H through `nsenter --net`; afterAll kills the sleeper by PID and deletes all of them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  attachContainer, createNetns, deleteNetns, detachContainer, addContainerAddresses, ensureBridge, HostError,
  hostVethName, netnsExists, resolveNetnsTarget, type HostComponents,
} from '../../src/host/index.js'
import { ipJsonIn, IS_ROOT, sh, TestNamespaces } from './test-namespaces.js'

const lab = new TestNamespaces('c')
const MTU = 1400
let H: string
let C1: string
let C2: string
let c: HostComponents

interface Link { ifname: string; mtu: number; flags: string[]; master?: string; address: string; operstate: string }
interface AddrLink { ifname: string; addr_info: Array<{ local: string; prefixlen: number }> }
interface Route { dst: string; dev?: string }

const veth = (name: string): string => hostVethName(name, lab.prefix)

async function hostLinks (): Promise<string[]> {
  return (await ipJsonIn<Link[]>(H, ['link', 'show'])).map((l) => l.ifname).sort()
}

async function addrsIn (ns: string, dev: string): Promise<string[]> {
  const [l] = await ipJsonIn<AddrLink[]>(ns, ['addr', 'show', 'dev', dev])
  return l.addr_info.map((a) => `${a.local}/${a.prefixlen}`).filter((a) => !a.startsWith('fe80:')).sort()
}

async function ping (from: string, to: string): Promise<void> {
  await sh('ip', ['netns', 'exec', from, 'ping', '-c', '2', '-i', '0.2', '-W', '5', '-q', to])
}

async function code (p: Promise<unknown>): Promise<string | undefined> {
  const err = await p.then(() => undefined, (e: unknown) => e)
  if (err === undefined) return undefined
  expect(err).toBeInstanceOf(HostError)
  return (err as HostError).code
}

describe.skipIf(!IS_ROOT)('containers on the bridge (in test namespaces)', () => {
  beforeAll(async () => {
    H = await lab.add('-h')
    C1 = lab.name('-c1')
    C2 = lab.name('-c2')
    c = { exec: lab.execIn(H) }
    await ensureBridge('weft', MTU, c)
  })

  afterAll(async () => {
    await lab.cleanup()
    expect(await lab.list()).toEqual([])
  })

  it('createNetns / netnsExists / deleteNetns', async () => {
    await createNetns(C1, c)
    await createNetns(C2, c)
    expect(await netnsExists(C1)).toBe(true)
    expect(await code(createNetns(C1, c))).toBe('ERR_CONTAINER_EXISTS')
    const tmp = lab.name('-tmp')
    await createNetns(tmp, c)
    await deleteNetns(tmp, c)
    expect(await netnsExists(tmp)).toBe(false)
    await deleteNetns(tmp, c)
    expect(resolveNetnsTarget(C1)).toEqual({ kind: 'name', value: C1 })
  })

  it('attaches a container with two addresses, MTU, up, as a bridge port', async () => {
    const { mac } = await attachContainer({
      target: { kind: 'name', value: C1 }, hostVeth: veth('c1'), bridge: 'weft', mtu: MTU, cidrs: ['10.32.0.1/12', 'fd00::1/64'],
    }, c)
    const [inside] = await ipJsonIn<Link[]>(C1, ['link', 'show', 'dev', 'ethwe'])
    expect(inside.mtu).toBe(MTU)
    expect(inside.flags).toContain('UP')
    expect(inside.address).toBe(mac)
    expect(await addrsIn(C1, 'ethwe')).toEqual(['10.32.0.1/12', 'fd00::1/64'])
    const [lo] = await ipJsonIn<Link[]>(C1, ['link', 'show', 'dev', 'lo'])
    expect(lo.flags).toContain('UP')
    const routes = await ipJsonIn<Route[]>(C1, ['route', 'show'])
    expect(routes).toContainEqual(expect.objectContaining({ dst: '10.32.0.0/12', dev: 'ethwe' }))
    expect(routes.some((r) => r.dst === 'default')).toBe(false)
    const [host] = await ipJsonIn<Link[]>(H, ['link', 'show', 'dev', veth('c1')])
    expect(host.master).toBe('weft')
    expect(host.mtu).toBe(MTU)
    expect(host.flags).toContain('UP')
    expect((await hostLinks()).filter((l) => l.startsWith('vt'))).toEqual([])
  })

  it('two containers on the bridge reach each other', async () => {
    await attachContainer({ target: { kind: 'name', value: C2 }, hostVeth: veth('c2'), bridge: 'weft', mtu: MTU, cidrs: ['10.32.0.2/12'], routes: ['10.40.9.9/16'] }, c)
    const routes = await ipJsonIn<Route[]>(C2, ['route', 'show'])
    expect(routes).toContainEqual(expect.objectContaining({ dst: '10.40.0.0/16', dev: 'ethwe' }))
    await ping(C1, '10.32.0.2')
    await ping(C2, '10.32.0.1')
  })

  it('addContainerAddresses adds (idempotently) to a running container', async () => {
    await addContainerAddresses({ kind: 'name', value: C2 }, 'ethwe', ['10.32.0.12/12', '10.32.0.12/12'], c)
    expect(await addrsIn(C2, 'ethwe')).toEqual(['10.32.0.12/12', '10.32.0.2/12'])
    await ping(C1, '10.32.0.12')
  })

  it('a second attach with the same host veth is refused and harms nothing', async () => {
    const before = await hostLinks()
    expect(await code(attachContainer({ target: { kind: 'name', value: C2 }, hostVeth: veth('c2'), bridge: 'weft', mtu: MTU, cidrs: ['10.32.0.22/12'] }, c)))
      .toBe('ERR_CONTAINER_EXISTS')
    expect(await hostLinks()).toEqual(before)
    await ping(C1, '10.32.0.2')
  })

  it('detach removes the veth pair; detaching again is fine', async () => {
    await detachContainer({ target: { kind: 'name', value: C2 }, hostVeth: veth('c2'), ifName: 'ethwe' }, c)
    expect(await hostLinks()).not.toContain(veth('c2'))
    expect((await ipJsonIn<Link[]>(C2, ['link', 'show'])).map((l) => l.ifname)).toEqual(['lo'])
    await detachContainer({ target: { kind: 'name', value: C2 }, hostVeth: veth('c2'), ifName: 'ethwe' }, c)
    await detachContainer({ target: { kind: 'name', value: lab.name('-gone') }, hostVeth: veth('gone'), ifName: 'ethwe' }, c)
  })

  it('attaches by PID', async () => {
    const P = await lab.add('-p')
    const pid = await lab.sleeper(P)
    try {
      const target = resolveNetnsTarget(String(pid))
      expect(target).toEqual({ kind: 'pid', value: String(pid) })
      const { mac } = await attachContainer({ target, hostVeth: veth('p'), bridge: 'weft', mtu: MTU, cidrs: ['10.32.0.3/12'] }, c)
      const [inside] = await ipJsonIn<Link[]>(P, ['link', 'show', 'dev', 'ethwe'])
      expect(inside.address).toBe(mac)
      expect(await addrsIn(P, 'ethwe')).toEqual(['10.32.0.3/12'])
      await ping(C1, '10.32.0.3')
      // the temporary /run/netns handle for the PID is gone
      expect((await sh('ip', ['netns', 'list'])).includes(`weft-pid-${pid}-`)).toBe(false)
      await detachContainer({ target, hostVeth: veth('p'), ifName: 'ethwe' }, c)
      expect((await ipJsonIn<Link[]>(P, ['link', 'show'])).map((l) => l.ifname)).toEqual(['lo'])
    } finally {
      lab.kill(pid)
    }
  })

  it('bad CIDRs and missing namespaces fail typed before anything is created', async () => {
    const before = await hostLinks()
    const base = { target: { kind: 'name' as const, value: C2 }, hostVeth: veth('bad'), bridge: 'weft', mtu: MTU }
    expect(await code(attachContainer({ ...base, cidrs: ['10.32.0.5/12', '10.32.0.5/40'] }, c))).toBe('ERR_BAD_CIDR')
    expect(await code(attachContainer({ ...base, cidrs: ['10.32.0.5/12'], target: { kind: 'name', value: lab.name('-missing') } }, c)))
      .toBe('ERR_NETNS_NOT_FOUND')
    expect(() => resolveNetnsTarget(lab.name('-missing'))).toThrow(expect.objectContaining({ code: 'ERR_NETNS_NOT_FOUND' }))
    expect(await hostLinks()).toEqual(before)
    expect((await ipJsonIn<Link[]>(C2, ['link', 'show'])).map((l) => l.ifname)).toEqual(['lo'])
  })

  it('a failed attach leaves no veth behind (MTU below the minimum, missing bridge)', async () => {
    const before = await hostLinks()
    const base = { target: { kind: 'name' as const, value: C2 }, hostVeth: veth('fail'), cidrs: ['10.32.0.6/12'] }
    const low = await attachContainer({ ...base, bridge: 'weft', mtu: 50 }, c).catch((e: unknown) => e) as HostError
    expect(low).toBeInstanceOf(HostError)
    expect(low.code).toBe('ERR_HOST_COMMAND')
    expect(low.message).toMatch(/mtu 50/)
    expect(await hostLinks()).toEqual(before)
    expect(await code(attachContainer({ ...base, bridge: 'nobridge', mtu: MTU }, c))).toBe('ERR_HOST_COMMAND')
    expect(await hostLinks()).toEqual(before)
    // fails inside the container: ethwe exists there already
    await attachContainer({ target: { kind: 'name', value: C2 }, hostVeth: veth('c2b'), bridge: 'weft', mtu: MTU, cidrs: ['10.32.0.7/12'] }, c)
    const before2 = await hostLinks()
    expect(await code(attachContainer({ ...base, bridge: 'weft', mtu: MTU }, c))).toBe('ERR_HOST_COMMAND')
    expect(await hostLinks()).toEqual(before2)
    expect((await ipJsonIn<Link[]>(C2, ['link', 'show'])).map((l) => l.ifname).sort()).toEqual(['ethwe', 'lo'])
    expect(await addrsIn(C2, 'ethwe')).toEqual(['10.32.0.7/12'])
  })
})
