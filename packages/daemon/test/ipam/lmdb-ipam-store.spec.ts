// The router's IPAM store writes per record: an allocation costs a few small puts however many
// allocations there are; a database of the older whole-snapshot layout loads and is converted;
// a lost record refuses to start; a kill -9 at any moment loses no acknowledged allocation.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { VirtualClock } from '@weft/netsim'
import { createAllocator, createMemoryIpamStore, encodeSnapshot, type Allocator, type IpamError } from '@weft/ipam'
import { openStore, type Store } from '@weft/store'
import { IPAM_SNAPSHOT_KEY } from '../../src/ipam/constants.js'
import { LmdbIpamStore } from '../../src/ipam/lmdb-ipam-store.js'

const SELF = 'a'.repeat(64)
const homes: string[] = []
const stores: Store[] = []

function open(home: string): Store {
  const s = openStore({ home })
  stores.push(s)
  return s
}

function home(): string {
  const h = mkdtempSync(join(tmpdir(), 'weft-ipam-store-'))
  homes.push(h)
  return h
}

function allocator(store: Store | ReturnType<typeof createMemoryIpamStore>, clock = new VirtualClock()): Allocator {
  const s = 'putMeta' in store ? new LmdbIpamStore(store) : store
  return createAllocator({ selfId: SELF, range: '10.32.0.0/16', mode: { kind: 'consensus', quorum: 1 } },
    { clock, random: () => 0.5, store: s, publish: () => undefined })
}

afterEach(async () => {
  for (const s of stores.splice(0)) await s.close().catch(() => undefined)
  for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true })
})

describe('LmdbIpamStore', () => {
  it('writes only what changed: an allocation or a release is a few small records at any table size', async () => {
    const store = open(home())
    const writes: Array<{ puts: number; deletes: number }> = []
    const write = store.writeMeta.bind(store)
    store.writeMeta = (puts, deletes = []) => {
      writes.push({ puts: puts.length, deletes: deletes.length })
      return write(puts, deletes)
    }
    const ipam = allocator(store)
    for (let i = 0; i < 300; i++) await ipam.allocate(`c${i}`)
    writes.length = 0
    await ipam.allocate('one-more')
    // the allocation, the entry's free count, the counts
    expect(writes).toEqual([{ puts: 3, deletes: 0 }])
    writes.length = 0
    await ipam.release('c7')
    expect(writes).toEqual([{ puts: 2, deletes: 1 }])
    ipam.close()
    const again = allocator(store)
    expect(again.list()).toHaveLength(300)
    expect(again.lookup('one-more')[0].address).toBe('10.32.1.45')
    expect(again.lookup('c7')).toEqual([])
    expect(await again.allocate('c7')).toMatchObject({ address: '10.32.0.8' })
    again.close()
  })

  it('after a failed save, the next one writes what the failed one did not (and not what was undone)', async () => {
    const store = open(home())
    const clock = new VirtualClock()
    const ipam = allocator(store, clock)
    await ipam.allocate('w1')
    await ipam.allocate('w2')
    const write = store.writeMeta.bind(store)
    let fail = true
    store.writeMeta = (puts, deletes) => {
      if (!fail) return write(puts, deletes)
      fail = false
      return Promise.reject(new Error('disk full'))
    }
    // the release's save fails (the release is not undone: w1 is gone here); the retry, 1 s later,
    // has no new change of its own and must still delete w1's record
    await expect(ipam.release('w1')).rejects.toMatchObject({ code: 'ERR_STORE' })
    expect(ipam.lookup('w1')).toEqual([])
    clock.advance(1000)
    await ipam.claim('y', '10.32.0.9') // none of these touch w1's old address, whose record must go
    // and an allocation whose save fails is undone, here and in the store
    fail = true
    await expect(ipam.claim('x', '10.32.0.20')).rejects.toMatchObject({ code: 'ERR_STORE' })
    clock.advance(1000)
    await ipam.claim('z', '10.32.0.10')
    ipam.close()
    const again = allocator(store)
    expect(again.list().map((a) => `${a.containerId}=${a.address}`).sort()).toEqual(ipam.list().map((a) => `${a.containerId}=${a.address}`).sort())
    expect(again.list().map((a) => a.containerId).sort()).toEqual(['w2', 'y', 'z'])
    again.close()
  })

  it('loads a database of the whole-snapshot layout and converts it at the first save', async () => {
    const memory = createMemoryIpamStore()
    const old = allocator(memory)
    for (const c of ['web', 'db', 'cache']) await old.allocate(c)
    old.close()
    const dir = home()
    let store = open(dir)
    await store.putMeta(IPAM_SNAPSHOT_KEY, encodeSnapshot(memory.saved!))
    let ipam = allocator(store)
    expect(ipam.list().map((a) => `${a.containerId}=${a.address}`)).toEqual(['web=10.32.0.1', 'db=10.32.0.2', 'cache=10.32.0.3'])
    await ipam.allocate('new')
    expect(store.getMeta(IPAM_SNAPSHOT_KEY)).toBeUndefined()
    ipam.close()
    await store.close()
    store = open(dir)
    ipam = allocator(store)
    expect(ipam.list().map((a) => a.containerId)).toEqual(['web', 'db', 'cache', 'new'])
    ipam.close()
  })

  it('refuses to start when a record is missing, rather than hand its address out again', async () => {
    const store = open(home())
    const ipam = allocator(store)
    await ipam.allocate('web')
    await ipam.allocate('db')
    ipam.close()
    await store.writeMeta([], ['ipam/a/10.32.0.2'])
    let err: IpamError | undefined
    try {
      allocator(store)
    } catch (e) {
      err = e as IpamError
    }
    expect(err?.code).toBe('ERR_BAD_SNAPSHOT')
    expect(err?.message).toMatch(/expected 1 ring entries and 2 allocations, found 1 and 1/)
  })

  it('loses no acknowledged allocation to a kill -9 in the middle of allocating', async () => {
    const dir = home()
    // a child allocates as fast as it can and prints each address once acknowledged
    const child = spawn(process.execPath, ['--input-type=module', '-e', `
      const { createAllocator } = await import(${JSON.stringify(new URL('../../../ipam/dist/index.js', import.meta.url).href)})
      const { openStore } = await import(${JSON.stringify(new URL('../../../store/dist/index.js', import.meta.url).href)})
      const { LmdbIpamStore } = await import(${JSON.stringify(new URL('../../dist/ipam/lmdb-ipam-store.js', import.meta.url).href)})
      const store = openStore({ home: ${JSON.stringify(dir)} })
      const ipam = createAllocator({ selfId: '${SELF}', range: '10.32.0.0/16', mode: { kind: 'consensus', quorum: 1 } },
        { clock: { now: () => Date.now(), setTimeout: (f, ms) => setTimeout(f, ms), clearTimeout: (t) => clearTimeout(t) },
          random: Math.random, store: new LmdbIpamStore(store), publish: () => undefined })
      for (let i = 0; ; i++) {
        await Promise.all([0, 1, 2].map(async (k) => process.stdout.write((await ipam.allocate('c' + i + '-' + k)).containerId + '\\n')))
        if (i % 7 === 3) await ipam.release('c' + (i - 2) + '-1').then(() => process.stdout.write('-c' + (i - 2) + '-1\\n'))
      }
    `], { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.on('data', (d: Buffer) => { out += d.toString() })
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (out.split('\n').length > 400) {
          clearInterval(check)
          child.kill('SIGKILL')
          resolve()
        }
      }, 5)
    })
    await new Promise((resolve) => child.once('exit', resolve))
    const acked = new Set<string>()
    for (const line of out.split('\n').slice(0, -1)) {
      if (line.startsWith('-')) acked.delete(line.slice(1))
      else acked.add(line)
    }
    const ipam = allocator(open(dir))
    const held = new Set(ipam.list().map((a) => a.containerId))
    expect(acked.size).toBeGreaterThan(300)
    for (const c of acked) expect(held.has(c), c).toBe(true)
    ipam.close()
  }, 30_000)
})
