import fc from 'fast-check'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createGossipEngine } from '@weft/gossip'
import { IpamError } from '@weft/ipam'
import { openStore, type Store } from '@weft/store'
import pino from 'pino'
import { DaemonError, parseLaunchArgs } from '../../src/index.js'
import { IpamService } from '../../src/ipam/ipam-service.js'
import { NODE_CLOCK } from '../../src/mesh/node-clock.js'

const SELF = '1'.repeat(64)
const OTHER = '2'.repeat(64)
const logger = pino({ level: 'silent' })
const homes: string[] = []

function config(args: string[] = []) {
  return parseLaunchArgs(args, { WEFT_HOME: '/tmp/unused' }).ipam
}

function service(store: Store, args: string[] = [], reach = () => 'unreachable'): IpamService {
  const gossip = createGossipEngine({ selfId: SELF }, { clock: NODE_CLOCK, random: Math.random, send: () => undefined })
  return new IpamService({ config: config(args), selfId: SELF, nickname: 'me' }, {
    store, gossip, logger, reach, knownPeers: () => [{ id: OTHER, nickname: 'other' } as never],
  })
}

function home(): string {
  const h = mkdtempSync(join(tmpdir(), 'weft-ipam-'))
  homes.push(h)
  return h
}

afterEach(() => {
  for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true })
})

describe('IpamService on LMDB', () => {
  it('allocates for a lone peer, keeps allocations across a reopen, and releases', async () => {
    const dir = home()
    let store = openStore({ home: dir })
    let s = service(store)
    expect(await s.addresses('web', [])).toEqual(['10.32.0.1/12'])
    expect(await s.addresses('db', ['net:10.33.0.0/16', '192.168.9.9/24'])).toEqual(['10.33.0.1/16', '192.168.9.9/24'])
    expect(await s.addresses('fixed', ['ip:10.32.0.7'])).toEqual(['10.32.0.7/12'])
    s.close()
    await store.close()

    store = openStore({ home: dir })
    s = service(store)
    expect(s.status().allocations.map((a) => `${a.container}=${a.cidr}`)).toEqual(['web=10.32.0.1/12', 'fixed=10.32.0.7/12', 'db=10.33.0.1/16'])
    expect(s.status().blocked).toBeNull()
    expect(await s.addresses('next', [])).toEqual(['10.32.0.2/12'])
    await s.reconcile(['web', 'next'])
    expect(s.status().allocations.map((a) => a.container).sort()).toEqual(['next', 'web'])
    await s.release('web')
    expect(s.status().self.used).toBe(1)
    s.close()
    await store.close()
  })

  it('uses a plain --ip CIDR inside the range as given, untracked, while this peer has no ring (no wait for consensus)', async () => {
    const store = openStore({ home: home() })
    const s = service(store, ['--ipalloc-init', 'consensus=2'])
    expect(s.allocator.status().ringId).toBeNull()
    expect(await s.addresses('fixed', ['10.40.3.1/16'])).toEqual(['10.40.3.1/16'])
    expect(s.allocator.lookup('fixed')).toEqual([])
    expect(s.allocator.status().ringId).toBeNull()
    s.close()
    await store.close()
  })

  it('claims a plain --ip CIDR inside the range through IPAM, and refuses one in use; outside the range it is used as given', async () => {
    const store = openStore({ home: home() })
    const s = service(store)
    expect(await s.addresses('web', [])).toEqual(['10.32.0.1/12'])
    expect(await s.addresses('fixed', ['10.32.0.9/12'])).toEqual(['10.32.0.9/12'])
    expect(await s.addresses('narrow', ['10.40.0.5/24', '192.168.9.9/24'])).toEqual(['10.40.0.5/24', '192.168.9.9/24'])
    expect(s.status().allocations.map((a) => `${a.container}=${a.cidr}`)).toEqual(['web=10.32.0.1/12', 'fixed=10.32.0.9/12', 'narrow=10.40.0.5/24'])
    // the allocator no longer hands the claimed address out
    expect(await s.addresses('next', [])).toEqual(['10.32.0.2/12'])
    for (const [taken, code] of [['10.32.0.1/12', 'ERR_ADDRESS_IN_USE'], ['10.32.0.9/16', 'ERR_ADDRESS_IN_USE'], ['10.32.0.0/12', 'ERR_BAD_ADDRESS']]) {
      const err = await s.addresses('dup', ['192.168.1.1/24', taken]).catch((e: IpamError) => e)
      expect(err).toBeInstanceOf(IpamError)
      expect((err as IpamError).code).toBe(code)
      expect((err as IpamError).message).toMatch(new RegExp(`^--ip ${taken.replace(/\./g, '\\.')} lies in the IPAM range 10\\.32\\.0\\.0/12, so it is claimed through IPAM: `))
      expect(s.allocator.lookup('dup')).toEqual([])
    }
    s.close()
    await store.close()
  })

  it('discards a ring of another range on relaunch, with a note', async () => {
    const dir = home()
    let store = openStore({ home: dir })
    let s = service(store)
    await s.addresses('web', [])
    s.close()
    await store.close()
    store = openStore({ home: dir })
    s = service(store, ['--ipalloc-range', '10.40.0.0/16'])
    expect(s.status().notes.join(' ')).toMatch(/10\.32\.0\.0\/12/)
    expect(s.status().allocations).toEqual([])
    expect(await s.addresses('web', [])).toEqual(['10.40.0.1/16'])
    s.close()
    await store.close()
  })

  it('runs with automatic reclamation enabled by --ipalloc-reclaim-after', async () => {
    const store = openStore({ home: home() })
    const s = service(store, ['--ipalloc-reclaim-after', '60'])
    expect(await s.addresses('web', [])).toEqual(['10.32.0.1/12'])
    s.close()
    await store.close()
  })

  it('rmpeer names a peer by nickname, refuses this peer, a reachable one and unknown names', async () => {
    const store = openStore({ home: home() })
    const s = service(store)
    await expect(s.rmpeer('nobody')).rejects.toThrow(/no peer 'nobody'/)
    await expect(s.rmpeer('1111')).rejects.toThrow(/this peer/)
    expect(await s.rmpeer('other')).toEqual({ peer: OTHER, addresses: 0 })
    s.close()
    const reachable = service(store, [], () => 'direct')
    await expect(reachable.rmpeer('other')).rejects.toThrow(/reachable/)
    reachable.close()
    await store.close()
  })

  it('answers any --ip value with addresses or a typed error, and leaves nothing allocated on failure', async () => {
    const store = openStore({ home: home() })
    const s = service(store)
    const value = fc.oneof(
      fc.string({ maxLength: 24 }),
      fc.constantFrom('net:', 'ip:').chain((p) => fc.oneof(fc.string({ maxLength: 20 }), fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 33 })).map(([ip, n]) => `${ip}/${n}`), fc.ipV4()).map((x) => p + x)),
    )
    let i = 0
    await fc.assert(fc.asyncProperty(fc.array(value, { maxLength: 3 }), async (wanted) => {
      const name = `c${i++}`
      try {
        const out = await s.addresses(name, wanted)
        expect(out.length).toBe(Math.max(1, wanted.length))
        await s.release(name)
      } catch (err) {
        expect(err instanceof IpamError || err instanceof DaemonError).toBe(true)
      }
      expect(s.allocator.lookup(name)).toEqual([])
    }), { numRuns: 300 })
    s.close()
    await store.close()
  })
})
