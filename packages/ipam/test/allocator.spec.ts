// One allocator (and a second one wired by hand where a test needs a peer): allocation, claims,
// release, persistence rules, leaving, status and errors.
import { describe, expect, it } from 'vitest'
import {
  createAllocator, createMemoryIpamStore, encodeIpam, IpamError, seedRing, parseCidr,
  type Allocator, type AllocatorInit, type IpamState, type MemoryIpamStore,
} from '../src/index.js'
import { ipamState } from '../src/ipam-state.js'
import { VirtualClock, peerId, runUntil, settle } from './helpers/sim-clock.js'

const A = peerId(1)
const B = peerId(2)

function make(init: Partial<AllocatorInit> = {}, store: MemoryIpamStore = createMemoryIpamStore(), clock = new VirtualClock()) {
  const published: IpamState[] = []
  const ipam = createAllocator({ selfId: A, range: '10.32.0.0/24', mode: { kind: 'seed', peers: [A, B] }, ...init },
    { clock, random: () => 0.5, store, publish: (d) => published.push(d) })
  return { ipam, store, clock, published }
}

async function rejection(p: Promise<unknown>): Promise<IpamError> {
  try {
    await p
  } catch (err) {
    expect(err).toBeInstanceOf(IpamError)
    return err as IpamError
  }
  throw new Error('expected a rejection')
}

/** What peer B would send: the seeded ring with B's entry reporting `free` addresses free. */
function fromB(free: number): IpamState {
  const ring = seedRing(parseCidr('10.32.0.0/24'), [A, B])
  const e = ring.entries.get(128)!
  return ipamState({ ring: { ...ring, entries: new Map([...ring.entries, [128, { ...e, version: 1, free }]]) } })
}

describe('Allocator', () => {
  it('gives each container its own address, the same one again for the same container', async () => {
    const { ipam } = make()
    const a = await ipam.allocate('web')
    const b = await ipam.allocate('db')
    expect(a).toEqual({ containerId: 'web', address: '10.32.0.1', subnet: '10.32.0.0/24', cidr: '10.32.0.1/24' })
    expect(b.address).toBe('10.32.0.2')
    expect(await ipam.allocate('web')).toEqual(a)
    const [x, y] = await Promise.all([ipam.allocate('twice'), ipam.allocate('twice')])
    expect(x).toEqual(y)
    expect(ipam.list().map((l) => l.containerId)).toEqual(['web', 'db', 'twice'])
    expect(ipam.status().self).toMatchObject({ owned: 128, used: 3, free: 125 })
  })

  it('allocates in another subnet of the range, never its network or broadcast address', async () => {
    const { ipam } = make()
    const a = await ipam.allocate('c', 'net:10.32.0.64/30')
    expect(a.cidr).toBe('10.32.0.65/30')
    expect((await ipam.allocate('d', '10.32.0.64/30')).address).toBe('10.32.0.66')
    expect(ipam.lookup('c').map((l) => l.subnet)).toEqual(['10.32.0.64/30'])
    expect((await rejection(ipam.allocate('c', 'net:10.33.0.0/16'))).code).toBe('ERR_OUT_OF_RANGE')
    expect((await rejection(ipam.allocate('c', 'net:10.32.0.1/24'))).code).toBe('ERR_BAD_CIDR')
    expect((await rejection(ipam.allocate('', undefined))).code).toBe('ERR_BAD_ARGUMENT')
  })

  it('claims: ours and free is taken; in use, taken twice, or a special address fails clearly', async () => {
    const { ipam } = make()
    expect((await ipam.claim('a', '10.32.0.9')).cidr).toBe('10.32.0.9/24')
    expect((await ipam.allocate('next')).address).toBe('10.32.0.1')
    expect(await ipam.claim('a', '10.32.0.9/24')).toMatchObject({ address: '10.32.0.9' })
    expect((await rejection(ipam.claim('b', '10.32.0.9'))).code).toBe('ERR_ADDRESS_IN_USE')
    expect((await rejection(ipam.claim('a', '10.32.0.10'))).code).toBe('ERR_CONTAINER_HAS_ADDRESS')
    expect((await rejection(ipam.claim('c', '10.32.0.0'))).code).toBe('ERR_BAD_ADDRESS')
    expect((await rejection(ipam.claim('c', '10.32.0.255'))).code).toBe('ERR_BAD_ADDRESS')
    expect((await rejection(ipam.claim('c', '10.33.0.1'))).code).toBe('ERR_OUT_OF_RANGE')
    expect((await rejection(ipam.claim('c', '10.32.0.300'))).code).toBe('ERR_BAD_ADDRESS')
  })

  it('refuses a claim in space another peer owns and uses; waits for a donation of one it reports unused', async () => {
    const { ipam, clock } = make({ allocateTimeoutMs: 5_000 })
    await ipam.allocate('x')
    ipam.merge(fromB(127), B)
    const e = await rejection(ipam.claim('c', '10.32.0.200'))
    expect(e.code).toBe('ERR_CLAIMED_ELSEWHERE')
    expect(e.message).toContain(B.slice(0, 12))
    ipam.merge(fromB(128), B) // the same version reporting more free loses the tie-break
    expect(ipam.status().peers.find((p) => p.peer === B)?.free).toBe(127)
    expect(ipam.stats().conflicts).toBe(1)
    const { ipam: fresh, clock: c2 } = make({ allocateTimeoutMs: 5_000 })
    await fresh.allocate('x')
    fresh.merge(fromB(128), B)
    const waiting = fresh.claim('c', '10.32.0.200')
    await settle()
    expect(fresh.status().waiting).toBe(1)
    expect(fresh.full().requests.get(A)).toMatchObject({ donor: B, start: 200, end: 201 })
    const late = rejection(waiting)
    await runUntil(c2, () => false, 6_000)
    const err = await late
    expect(err.code).toBe('ERR_TIMEOUT')
    expect(err.message).toMatch(/donation from peer 020202/)
    expect(fresh.full().requests.get(A)?.donor).toBeNull() // withdrawn once nobody waits
    void clock
  })

  it('acknowledges an allocation only once it is saved: a crash before that loses nothing acknowledged', async () => {
    const store = createMemoryIpamStore()
    const { ipam, published } = make({}, store)
    await ipam.allocate('kept')
    const sent = published.length
    store.hold()
    let acked = false
    void ipam.allocate('lost').then(() => { acked = true }, () => {})
    await settle()
    expect(acked).toBe(false)
    expect(published.length).toBe(sent) // nothing unsaved went to peers either
    ipam.close() // kill -9 before the save completed
    const { ipam: again } = make({ resyncWindowMs: 0 }, createMemoryIpamStore(store.saved))
    expect(again.list().map((a) => a.containerId)).toEqual(['kept'])
    again.merge(fromB(128), B) // it shares the ring with B: it allocates once it has heard from peers
    expect((await again.allocate('other')).address).toBe('10.32.0.2')
  })

  it('undoes and rejects an allocation whose save fails, then recovers', async () => {
    const store = createMemoryIpamStore()
    const { ipam, clock } = make({}, store)
    await ipam.allocate('one')
    store.failWith = 'disk full'
    const err = await rejection(ipam.allocate('two'))
    expect(err.code).toBe('ERR_STORE')
    expect(err.message).toContain('disk full')
    expect(ipam.list().map((a) => a.containerId)).toEqual(['one'])
    expect(ipam.stats().saveFailures).toBeGreaterThan(0)
    store.failWith = null
    await runUntil(clock, () => false, 2_000)
    expect((await ipam.allocate('two')).address).toBe('10.32.0.2')
    expect(store.saved!.allocations.map((a) => a.containerId)).toEqual(['one', 'two'])
  })

  it('releases every address of a container, and reuses the lowest free one', async () => {
    const { ipam } = make()
    await ipam.allocate('a')
    await ipam.allocate('a', 'net:10.32.0.64/26')
    await ipam.allocate('b')
    expect((await ipam.release('a')).map((x) => x.address)).toEqual(['10.32.0.1', '10.32.0.65'])
    expect(await ipam.release('a')).toEqual([])
    expect((await ipam.allocate('c')).address).toBe('10.32.0.1')
    expect(ipam.status().self.used).toBe(2)
  })

  it('restarts a lone peer from its store and allocates at once, with no new consensus', async () => {
    const store = createMemoryIpamStore()
    const { ipam } = make({ mode: { kind: 'consensus', quorum: 1 } }, store)
    const first = await ipam.allocate('a')
    ipam.close()
    const { ipam: again } = make({ mode: { kind: 'consensus', quorum: 3 } }, createMemoryIpamStore(store.saved))
    expect(again.status().blocked).toBeNull()
    expect(again.lookup('a')).toEqual([first])
    expect((await again.allocate('b')).address).toBe('10.32.0.2')
    expect(again.full().paxos.size).toBe(1) // only the old record: no consensus ran again
  })

  it('discards the stored ring when the range changed, and says so', async () => {
    const store = createMemoryIpamStore()
    const { ipam } = make({}, store)
    await ipam.allocate('a')
    ipam.close()
    const { ipam: again } = make({ range: '10.40.0.0/24' }, createMemoryIpamStore(store.saved))
    expect(again.list()).toEqual([])
    expect(again.status().notes.join()).toMatch(/was for range 10\.32\.0\.0\/24.*now 10\.40\.0\.0\/24.*1 allocations were discarded/)
    expect((await again.allocate('a')).address).toBe('10.40.0.1')
  })

  it('refuses to start on a corrupt snapshot', () => {
    const store = createMemoryIpamStore({ selfId: A, range: '10.32.0.0/24', state: Uint8Array.of(1, 2, 3), allocations: [] })
    expect(() => make({}, store)).toThrow(expect.objectContaining({ code: 'ERR_BAD_SNAPSHOT' }))
  })

  it('waits after a restart until it has listened to peers for the re-sync window, when others own space too', async () => {
    const store = createMemoryIpamStore()
    const { ipam } = make({}, store)
    await ipam.allocate('a')
    ipam.close()
    const { ipam: again, clock } = make({ allocateTimeoutMs: 60_000, resyncWindowMs: 3_000 }, createMemoryIpamStore(store.saved))
    expect(again.status().syncing).toBe(true)
    expect(again.status().blocked).toMatch(/restarted .* waiting to hear from peers/)
    let done = false
    const p = again.allocate('b').then((a) => {
      done = true
      return a
    })
    await runUntil(clock, () => false, 10_000) // nobody talks: it waits
    expect(done).toBe(false)
    again.merge(fromB(128), B)
    await settle()
    expect(done).toBe(false)
    expect(again.status().blocked).toMatch(/listening to peers for 3000 ms more/)
    await runUntil(clock, () => done, 3_000)
    expect((await p).address).toBe('10.32.0.2')
    expect(again.status().syncing).toBe(false)
    expect(again.status().blocked).toBeNull()
  })

  it('hands all its space to a peer, only without allocations unless told to drop them', async () => {
    const { ipam } = make()
    await ipam.allocate('a')
    expect((await rejection(ipam.transferTo(B))).code).toBe('ERR_HAS_ALLOCATIONS')
    expect((await rejection(ipam.transferTo(A))).code).toBe('ERR_BAD_ARGUMENT')
    expect(await ipam.transferTo(B, { dropAllocations: true })).toBe(128)
    expect(ipam.list()).toEqual([])
    expect(ipam.status().peers).toEqual([{ peer: B, owned: 256, free: 256 }])
    expect(ipam.status().blocked).toMatch(/owns no free space/)
  })

  it('takes over a dead peer idempotently; an observer may not', async () => {
    const { ipam } = make()
    await ipam.allocate('a')
    expect(await ipam.takeOver(B)).toBe(128)
    expect(await ipam.takeOver(B)).toBe(0)
    expect(ipam.status().self).toMatchObject({ owned: 256, used: 1, free: 255 })
    expect(ipam.stats().takenOver).toBe(128)
    const { ipam: observer } = make({ mode: { kind: 'observer' } })
    expect((await rejection(observer.takeOver(B))).code).toBe('ERR_OBSERVER')
  })

  it('lets taken-over space settle before allocating from it', async () => {
    const { ipam, clock } = make({ takeoverSettleMs: 15_000, allocateTimeoutMs: 60_000 })
    await ipam.allocate('a')
    expect(await ipam.takeOver(B)).toBe(128)
    let got: string | undefined
    void ipam.allocate('b', 'net:10.32.0.128/25').then((x) => { got = x.address })
    await runUntil(clock, () => false, 14_000)
    expect(got).toBeUndefined() // B's old space: a donation B made unseen could still arrive
    expect((await ipam.allocate('c')).address).toBe('10.32.0.2') // its own space is not held back
    await runUntil(clock, () => got !== undefined, 2_000)
    expect(got).toBe('10.32.0.129')
  })

  it('an observer alone times out with the reason, and status says it first', async () => {
    const { ipam, clock } = make({ mode: { kind: 'observer' }, allocateTimeoutMs: 1_000 })
    expect(ipam.status().blocked).toMatch(/observer: waiting to receive the ring/)
    const p = rejection(ipam.allocate('a'))
    await runUntil(clock, () => false, 2_000)
    const err = await p
    expect(err.code).toBe('ERR_TIMEOUT')
    expect(err.message).toMatch(/observer/)
  })

  it('keeps a ring delta that overtook the ring itself, and applies it when the ring arrives', async () => {
    const O = peerId(9)
    const { ipam } = make({ selfId: O, mode: { kind: 'observer' } })
    const ring = seedRing(parseCidr('10.32.0.0/24'), [A, B])
    // A gave O the block [64, 128): that delta (no seed list) arrives first
    const gift = { ...ring, seeds: null, entries: new Map([
      [0, { start: 0, end: 64, owner: A, version: 1, free: 64 }],
      [64, { start: 64, end: 128, owner: O, version: 0, free: 64 }],
    ]) }
    expect(ipam.merge(ipamState({ ring: gift }), A)).toBeNull()
    expect(ipam.full().ring).toBeNull()
    ipam.merge(ipamState({ ring }), B)
    expect(ipam.status().self.owned).toBe(64)
    expect((await ipam.allocate('c')).address).toBe('10.32.0.64')
  })

  it('a peer outside the seed list owns nothing and says it will ask for space', () => {
    const { ipam } = make({ selfId: peerId(9) })
    expect(ipam.status().blocked).toMatch(/not in the seed list/)
  })

  it('rejects bad options up front', () => {
    const bad = (init: Partial<AllocatorInit>) => () => make(init)
    expect(bad({ selfId: 'nope' })).toThrow(/selfId/)
    expect(bad({ range: '10.32.0.0/33' })).toThrow(expect.objectContaining({ code: 'ERR_BAD_CIDR' }))
    expect(bad({ defaultSubnet: '10.33.0.0/24' })).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }))
    expect(bad({ mode: { kind: 'seed', peers: [A, A] } })).toThrow(/twice/)
    expect(bad({ mode: { kind: 'consensus', quorum: 0 } })).toThrow(/quorum/)
    expect(bad({ reclaimAfterMs: 1000 })).toThrow(/isReachable/)
  })

  it('rejects waiting operations when closed', async () => {
    const { ipam } = make({ mode: { kind: 'observer' } })
    const p = rejection(ipam.allocate('a'))
    ipam.close()
    expect((await p).code).toBe('ERR_CLOSED')
    expect((await rejection(ipam.allocate('b'))).code).toBe('ERR_CLOSED')
    expect(ipam.merge(ipamState({}), B)).toBeNull()
  })

  it('publishes its own ring changes only after saving them', async () => {
    const store = createMemoryIpamStore()
    const { ipam, published } = make({}, store)
    await ipam.allocate('a')
    const last = published.at(-1)!
    expect(last.ring!.entries.get(0)).toMatchObject({ owner: A, free: 127 })
    expect(Buffer.from(encodeIpam(ipam.full())).equals(Buffer.from(store.saved!.state))).toBe(true)
  })
})

export type { Allocator }
