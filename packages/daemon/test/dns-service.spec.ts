import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import pino from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import type { GossipEngine, PeerRecord, Topology } from '@weft/gossip'
import type { NamesState } from '@weft/names'
import { openStore, type ContainerRecord, type Store } from '@weft/store'
import { DaemonError } from '../src/errors.js'
import { parseDnsFlags } from '../src/dns/dns-config.js'
import { DnsService } from '../src/dns/dns-service.js'
import { OwnEntries } from '../src/dns/own-entries.js'

const SELF = 'aa'.repeat(32)
const OTHER = 'bb'.repeat(32)
const logger = pino({ level: 'silent' })

/** The two things the service asks of the topology, with peers a test sets. */
class FakeTopology {
  list: string[] = [SELF]
  private listener: (() => void) | null = null
  peers(): PeerRecord[] {
    return this.list.map((id) => ({ id, nickname: id === SELF ? 'me' : 'other' }) as PeerRecord)
  }
  onChange(l: () => void): () => void {
    this.listener = l
    return () => undefined
  }
  set(ids: string[]): void {
    this.list = ids
    this.listener?.()
  }
}

const opened: Store[] = []
afterEach(async () => {
  for (const s of opened.splice(0)) await s.close().catch(() => undefined)
})

function service(store: Store, topology = new FakeTopology()): { dns: DnsService, topology: FakeTopology, published: NamesState[] } {
  const published: NamesState[] = []
  const gossip = { publish: (_c: string, d: NamesState) => published.push(d), registerChannel: () => undefined } as unknown as GossipEngine
  const dns = new DnsService(
    { selfId: SELF, nickname: 'me', bridge: 'weft', config: parseDnsFlags({ 'dns-address': 'off' }) },
    { gossip, topology: topology as unknown as Topology, store, logger },
  )
  dns.restore()
  return { dns, topology, published }
}

function newStore(home = mkdtempSync(join(tmpdir(), 'weft-dns-'))): Store {
  const s = openStore({ home })
  opened.push(s)
  return s
}

function record(name: string, cidrs: string[]): ContainerRecord {
  return { name, netns: `weft-${name}`, ownsNetns: true, hostVeth: 'vwx', ifName: 'ethwe', mac: '02:00:00:00:00:01', cidrs, createdAt: 1 }
}

describe('DnsService', () => {
  it('registers a container from its added event (or its --dns-name) and removes it when it dies', async () => {
    const { dns } = service(newStore())
    await dns.onContainer({ kind: 'added', container: record('web', ['10.32.0.5/12', 'fd00::5/64']) })
    expect(dns.lookup('web.weft.local.').addresses).toEqual(['10.32.0.5', 'fd00::5'])
    dns.expectName('svc', 'db.weft.local')
    await dns.onContainer({ kind: 'added', container: record('svc', ['10.32.0.6/12']) })
    expect(dns.lookup('db').addresses).toEqual(['10.32.0.6'])
    expect(dns.lookup('svc').addresses).toEqual([])
    await dns.onContainer({ kind: 'removed', container: record('web', ['10.32.0.5/12', 'fd00::5/64']), reason: 'died' })
    expect(dns.lookup('WEB').addresses).toEqual([])
    const me = dns.status().peers.find((p) => p.peer === SELF)
    expect(me).toMatchObject({ entries: 1, tombstones: 2 })
    expect(dns.status()).toMatchObject({ domain: 'weft.local.', listen: null, resolvConf: '/etc/resolv.conf', upstreams: [], server: null })
  })

  it('moves the name of a re-addressed container (IPAM revoked its address) to the new address', async () => {
    const { dns } = service(newStore())
    dns.expectName('svc', 'db')
    await dns.onContainer({ kind: 'added', container: record('svc', ['10.32.0.5/12', '10.99.0.1/24']) })
    await dns.onContainer({ kind: 'added', container: record('web', ['10.32.0.6/12']) })
    await dns.onContainer({ kind: 'readdressed', container: record('svc', ['10.32.0.9/12', '10.99.0.1/24']), old: '10.32.0.5/12', next: '10.32.0.9/12' })
    expect(dns.lookup('db').addresses.sort()).toEqual(['10.32.0.9', '10.99.0.1'])
    expect(dns.lookup('svc').addresses).toEqual([])
    expect(dns.lookup('web').addresses).toEqual(['10.32.0.6'])
  })

  it('keeps its own entries in the store; a restart restores them and drops those of vanished containers', async () => {
    const home = mkdtempSync(join(tmpdir(), 'weft-dns-'))
    const store = newStore(home)
    const first = service(store)
    await first.dns.onContainer({ kind: 'added', container: record('web', ['10.32.0.5/12']) })
    await first.dns.onContainer({ kind: 'added', container: record('gone', ['10.32.0.7/12']) })
    first.dns.add('manual-name', ['10.32.9.9', '2001:db8::9'])
    first.dns.expectName('svc', 'db')
    await first.dns.onContainer({ kind: 'added', container: record('svc', ['10.32.0.8/12']) })
    await first.dns.close()
    const again = service(store)
    expect(again.dns.lookup('manual-name').addresses).toEqual(['10.32.9.9', '2001:db8::9'])
    expect(again.dns.lookup('db').addresses).toEqual(['10.32.0.8'])
    expect(again.dns.lookup('gone').addresses).toEqual(['10.32.0.7'])
    await again.dns.reconcile([record('web', ['10.32.0.5/12']), record('svc', ['10.32.0.8/12'])])
    expect(again.dns.lookup('gone').addresses).toEqual([])
    expect(again.dns.lookup('db').addresses).toEqual(['10.32.0.8'])
    expect(again.dns.lookup('svc').addresses).toEqual([])
    expect(again.dns.lookup('web').addresses).toEqual(['10.32.0.5'])
  })

  it('names this peer by nickname under peers to its exposed addresses, and follows hide', () => {
    const { dns } = service(newStore())
    dns.syncExposed(['10.32.0.254/12', '10.40.0.254/16'])
    expect(dns.lookup('me.peers').addresses).toEqual(['10.32.0.254', '10.40.0.254'])
    dns.syncExposed(['10.40.0.254/16'])
    expect(dns.lookup('me.peers.weft.local').addresses).toEqual(['10.40.0.254'])
  })

  it('drops the names of a peer the topology forgot, and on removePeer', () => {
    const topology = new FakeTopology()
    topology.list = [SELF, OTHER]
    const { dns } = service(newStore(), topology)
    const entry = { owner: OTHER, name: 'remote', address: '10.32.1.1', containerId: 'c:remote', version: 1, tombstone: false }
    dns.names.merge(new Map([[OTHER, { floor: 0, entries: [entry] }]]), OTHER)
    expect(dns.lookup('remote').addresses).toEqual(['10.32.1.1'])
    topology.set([SELF])
    expect(dns.lookup('remote').addresses).toEqual([])
    dns.names.merge(new Map([[OTHER, { floor: 0, entries: [{ ...entry, version: 2 ** 32 + 1 }] }]]), OTHER)
    expect(dns.lookup('remote').addresses).toEqual(['10.32.1.1'])
    expect(dns.removePeer(OTHER)).toBe(1)
    expect(dns.lookup('remote').addresses).toEqual([])
  })

  it('refuses a bad name or address in dns-add without registering anything; dns-remove counts', () => {
    const { dns } = service(newStore())
    expect(() => dns.add('bad name', ['10.32.0.1'])).toThrow(DaemonError)
    expect(() => dns.expectName('c', 'no spaces please')).toThrow(/--dns-name/)
    expect(() => dns.add('ok', ['10.32.0.1', 'not-an-ip'])).toThrow(/not an IPv4 or IPv6/)
    expect(dns.lookup('ok').addresses).toEqual([])
    expect(dns.add('ok', ['10.32.0.1', '10.32.0.2']).added).toBe(2)
    expect(dns.remove('ok', ['10.32.0.2']).removed).toBe(1)
    expect(dns.remove('ok', []).removed).toBe(1)
    expect(dns.remove('ok', []).removed).toBe(0)
  })
})

describe('OwnEntries', () => {
  it('loads whatever is stored without throwing, keeping only well-formed entries', async () => {
    const store = newStore()
    await fc.assert(fc.asyncProperty(fc.jsonValue(), async (value) => {
      await store.putMeta('dns.test', value ?? null)
      const got = new OwnEntries(store, 'dns.test', logger).load(100)
      for (const e of got) expect(typeof e.name === 'string' && typeof e.address === 'string' && typeof e.containerId === 'string').toBe(true)
    }), { numRuns: 100 })
  })
})

describe('parseDnsFlags', () => {
  it('applies defaults and reads every flag', () => {
    expect(parseDnsFlags({})).toEqual({ domain: 'weft.local.', ttlSeconds: 1, address: '169.254.53.53', upstreams: null, resolvConfPath: '/etc/resolv.conf' })
    const c = parseDnsFlags({ 'dns-domain': 'mesh.internal', 'dns-ttl': '5', 'dns-address': 'off', 'dns-upstream': ['198.18.0.13:5353', '[fd00::1]:53', '192.0.2.1'], 'dns-resolv-conf': '/tmp/r' })
    expect(c).toEqual({
      domain: 'mesh.internal.', ttlSeconds: 5, address: null, resolvConfPath: '/tmp/r',
      upstreams: [{ address: '198.18.0.13', port: 5353 }, { address: 'fd00::1', port: 53 }, { address: '192.0.2.1', port: 53 }],
    })
    expect(Object.isFrozen(c)).toBe(true)
  })

  it.each([
    [{ 'dns-domain': 'bad domain' }, /--dns-domain/],
    [{ 'dns-ttl': '-1' }, /--dns-ttl/],
    [{ 'dns-ttl': '1.5' }, /--dns-ttl/],
    [{ 'dns-address': 'fd00::1' }, /--dns-address/],
    [{ 'dns-upstream': ['host.example:53'] }, /--dns-upstream/],
    [{ 'dns-upstream': ['10.0.0.1:99999'] }, /--dns-upstream/],
  ])('rejects %j naming the flag', (v, msg) => {
    expect(() => parseDnsFlags(v)).toThrow(msg)
  })

  it('answers any flag text with a config or a DaemonError', () => {
    fc.assert(fc.property(
      fc.record({ 'dns-domain': fc.string(), 'dns-ttl': fc.string(), 'dns-address': fc.string(), 'dns-upstream': fc.array(fc.string(), { maxLength: 3 }) }, { requiredKeys: [] }),
      (v) => {
        try {
          parseDnsFlags(v)
        } catch (err) {
          expect(err).toBeInstanceOf(DaemonError)
        }
      },
    ), { numRuns: 500 })
  })
})
