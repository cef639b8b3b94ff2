// The name CRDT's local behaviour: register/lookup/reverse, case, tombstones, the owner's
// authority over copies of itself, removePeer, compaction and floor retention.
import { describe, expect, it } from 'vitest'
import { NamesError, type NamesState } from '../src/index.js'
import { peerId } from './helpers/arbitraries.js'
import { bytesOf, deliver, namesNode } from './helpers/names-node.js'

const A = peerId(0xa)
const B = peerId(0xb)
const C = peerId(0xc)

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(NamesError)
    return (err as NamesError).code
  }
  return undefined
}

describe('Names, locally', () => {
  it('looks names up case-insensitively and answers in the registered case', () => {
    const { names, published } = namesNode(A)
    expect(names.register('Web', '10.32.0.5', 'c1')).toBe(true)
    expect(names.register('web', '10.32.0.6', 'c2')).toBe(true)
    expect(names.register('Web', '10.32.0.5', 'c1')).toBe(false) // nothing new
    expect(published).toHaveLength(2)
    expect(names.lookup('WEB')).toEqual(['10.32.0.5', '10.32.0.6'])
    expect(names.lookup('web.')).toEqual(['10.32.0.5', '10.32.0.6'])
    expect(names.lookup('db')).toEqual([])
    expect(names.lookup('not a name')).toEqual([])
    expect(names.reverse('10.32.0.5')).toEqual(['Web'])
    expect(names.reverse('10.32.0.6')).toEqual(['web'])
    expect(names.reverse('nonsense')).toEqual([])
  })

  it('finds an IPv6 address however it is written', () => {
    const { names } = namesNode(A)
    names.register('v6', '2001:DB8:0:0::1')
    expect(names.lookup('v6')).toEqual(['2001:db8::1'])
    expect(names.reverse('2001:db8:0000::0001')).toEqual(['v6'])
  })

  it('unregisters by name, by name and address, and by container, leaving tombstones', () => {
    const { names } = namesNode(A)
    names.register('web', '10.32.0.5', 'c1')
    names.register('web', '10.32.0.6', 'c2')
    names.register('db', '10.32.0.7', 'c2')
    expect(names.unregister('WEB', '10.32.0.6')).toBe(1)
    expect(names.lookup('web')).toEqual(['10.32.0.5'])
    expect(names.unregisterContainer('c2')).toBe(1)
    expect(names.lookup('db')).toEqual([])
    expect(names.unregister('web')).toBe(1)
    expect(names.unregister('web')).toBe(0)
    expect(names.entries()).toEqual([])
    expect(names.stats()).toMatchObject({ entries: 0, tombstones: 3, ownTombstones: 3, clock: 6 })
  })

  it('does not answer a reused address with the name of the container that died', () => {
    const a = namesNode(A)
    const b = namesNode(B)
    const c = namesNode(C)
    a.names.register('web', '10.32.0.5', 'c1')
    deliver(a, c, A)
    expect(c.names.reverse('10.32.0.5')).toEqual(['web'])
    a.names.unregisterContainer('c1')
    b.names.register('api', '10.32.0.5', 'c9') // the address, reused on another peer
    deliver(a, c, A, 1)
    deliver(b, c, B)
    expect(c.names.reverse('10.32.0.5')).toEqual(['api'])
    expect(c.names.lookup('web')).toEqual([])
  })

  it('merges a stale live copy under a newer tombstone as nothing', () => {
    const a = namesNode(A)
    const c = namesNode(C)
    a.names.register('web', '10.32.0.5', 'c1')
    const stale = a.published[0]
    a.names.unregister('web')
    deliver(a, c, A, 1) // the tombstone first
    expect(c.names.merge(stale, A)).toBeNull()
    expect(c.names.lookup('web')).toEqual([])
  })

  it('rejects bad arguments with stable codes, changing nothing', () => {
    const { names, published } = namesNode(A)
    expect(codeOf(() => names.register('', '10.32.0.5'))).toBe('ERR_BAD_NAME')
    expect(codeOf(() => names.register('web.weft.local.', '10.32.0.5'))).toBe('ERR_BAD_NAME')
    expect(codeOf(() => names.register('a'.repeat(64), '10.32.0.5'))).toBe('ERR_BAD_NAME')
    expect(codeOf(() => names.register('web', '10.32.0'))).toBe('ERR_BAD_ADDRESS')
    expect(codeOf(() => names.register('web', '10.32.0.5', 'bad id'))).toBe('ERR_BAD_CONTAINER_ID')
    expect(codeOf(() => names.removePeer('A'))).toBe('ERR_BAD_PEER')
    expect(codeOf(() => namesNode('nope'))).toBe('ERR_BAD_PEER')
    expect(codeOf(() => namesNode(A, { compactThreshold: -1 }))).toBe('ERR_BAD_ARGUMENT')
    expect(published).toEqual([])
    expect(names.stats().clock).toBe(0)
  })

  it('leaves an own part with nothing in it out of its full state', () => {
    const { names, published } = namesNode(A)
    expect(names.unregister('web')).toBe(0)
    expect(names.unregisterContainer('c1')).toBe(0)
    expect(names.full().size).toBe(0)
    expect(published).toEqual([])
  })

  it('tells listeners which names changed', () => {
    const a = namesNode(A)
    const c = namesNode(C)
    const seen: string[][] = []
    c.names.onChange((names) => seen.push([...names]))
    a.names.register('Web', '10.32.0.5')
    a.names.register('db', '10.32.0.6')
    deliver(a, c, A)
    expect(seen).toEqual([['web'], ['db']])
  })
})

describe('Names, the owner\'s authority', () => {
  it('a restarted peer tombstones the stale copy of a container that died while it was down', () => {
    const a = namesNode(A)
    const c = namesNode(C)
    a.names.register('web', '10.32.0.5', 'c1')
    deliver(a, c, A)
    // A restarts with nothing (the container is gone); C tells it what it holds of A
    const a2 = namesNode(A)
    expect(a2.names.merge(c.names.full(), C)).toBeNull()
    expect(a2.names.stats()).toMatchObject({ reassertions: 1, ownTombstones: 1, clock: 2 })
    deliver(a2, c, A)
    expect(c.names.lookup('web')).toEqual([])
  })

  it('a restarted peer keeps a container that lives on, above its old versions', () => {
    const a = namesNode(A)
    const c = namesNode(C)
    a.names.register('web', '10.32.0.5', 'c1')
    a.names.unregister('web')
    a.names.register('web', '10.32.0.5', 'c1')
    deliver(a, c, A)
    const a2 = namesNode(A)
    a2.names.register('web', '10.32.0.5', 'c2') // re-registered at start, version 1
    a2.names.merge(c.names.full(), C)
    deliver(a2, c, A)
    expect(c.names.entries().map((e) => [e.containerId, e.version])).toEqual([['c2', 4]])
  })

  it('an rmpeer of a live peer is undone by that peer, which keeps its live names', () => {
    const a = namesNode(A)
    const b = namesNode(B)
    a.names.register('web', '10.32.0.5', 'c1')
    a.names.register('db', '10.32.0.6', 'c2')
    a.names.unregister('db')
    deliver(a, b, A)
    expect(b.names.removePeer(A)).toBe(1)
    expect(b.names.lookup('web')).toEqual([])
    const sent = b.published.length
    a.names.merge(b.published[sent - 1], B)
    expect(a.names.lookup('web')).toEqual(['10.32.0.5'])
    deliver(a, b, A, 3)
    expect(b.names.lookup('web')).toEqual(['10.32.0.5'])
    expect(bytesOf(b.names.full())).toBe(bytesOf(a.names.full()))
  })

  it('removePeer of a peer that left drops its names everywhere, and later names of it stay', () => {
    const a = namesNode(A)
    const b = namesNode(B)
    const c = namesNode(C)
    a.names.register('web', '10.32.0.5')
    deliver(a, b, A)
    deliver(a, c, A)
    expect(b.names.removePeer(A)).toBe(1)
    expect(b.names.removePeer(A)).toBe(0)
    const removal = b.published[0]
    expect(c.names.merge(removal, B)).not.toBeNull()
    expect(c.names.lookup('web')).toEqual([])
    // the old copy again, from anyone: below the floor
    expect(c.names.merge(a.published[0], A)).toBeNull()
    // the peer comes back (a fresh start) and registers again: above the floor, once it has learnt it
    const a2 = namesNode(A)
    a2.names.merge(removal, B)
    a2.names.register('api', '10.32.0.9')
    expect(a2.published).toHaveLength(1)
    deliver(a2, c, A)
    expect(c.names.lookup('api')).toEqual(['10.32.0.9'])
    expect(c.names.lookup('web')).toEqual([])
  })

  it('removePeer also removes the peer\'s entries of that epoch still travelling, unseen by the remover', () => {
    const a = namesNode(A)
    const b = namesNode(B)
    const c = namesNode(C)
    a.names.register('web', '10.32.0.5')
    deliver(a, b, A)
    a.names.register('late', '10.32.0.6') // not yet at B or C
    expect(b.names.removePeer(A)).toBe(1)
    expect(c.names.removePeer(A)).toBe(0) // C has seen nothing of A: epoch 0 goes all the same
    expect(c.names.removePeer(A)).toBe(0)
    expect(c.published).toHaveLength(1)
    deliver(b, c, B)
    deliver(a, c, A)
    deliver(a, b, A)
    for (const n of [b, c]) expect(n.names.entries()).toEqual([])
    expect(bytesOf(b.names.full())).toBe(bytesOf(c.names.full()))
  })

  it('removePeer of self retracts all its own names', () => {
    const a = namesNode(A)
    const c = namesNode(C)
    a.names.register('web', '10.32.0.5')
    a.names.register('db', '10.32.0.6')
    deliver(a, c, A)
    expect(a.names.removePeer(A)).toBe(2)
    deliver(a, c, A, 2)
    expect(c.names.entries()).toEqual([])
    a.names.register('web', '10.32.0.7')
    deliver(a, c, A, 3)
    expect(c.names.lookup('web')).toEqual(['10.32.0.7'])
  })
})

describe('Names, tombstone collection', () => {
  it('compacts its own tombstones into its floor once they outnumber the threshold and its live entries', () => {
    const a = namesNode(A, { compactThreshold: 4 })
    const c = namesNode(C)
    a.names.register('keep', '10.32.1.1')
    for (let i = 0; i < 5; i++) {
      a.names.register(`n${i}`, `10.32.0.${i + 1}`)
      a.names.unregister(`n${i}`)
    }
    expect(a.names.stats()).toMatchObject({ compactions: 1, ownTombstones: 0, ownEntries: 1 })
    expect(a.names.lookup('keep')).toEqual(['10.32.1.1'])
    deliver(a, c, A)
    expect(c.names.stats()).toMatchObject({ entries: 1, tombstones: 0, floors: 1 })
    expect(bytesOf(c.names.full())).toBe(bytesOf(a.names.full()))
    // a stale live copy of a compacted name is below the floor
    expect(c.names.merge(a.published[1], A)).toBeNull()
    expect(c.names.lookup('n0')).toEqual([])
  })

  it('gossips a removed peer\'s floor for the retention period, keeps it silently as long again, then forgets it', () => {
    const a = namesNode(A)
    const c = namesNode(C, { floorRetentionMs: 1000 })
    a.names.register('web', '10.32.0.5')
    deliver(a, c, A)
    c.names.removePeer(A)
    const stale: NamesState = a.published[0]
    c.clock.time = 1000
    expect(c.names.gc()).toEqual([])
    expect(c.names.full().has(A)).toBe(true)
    c.clock.time = 1001
    c.names.gc()
    expect(c.names.full().has(A)).toBe(false) // silent
    expect(c.names.merge(stale, A)).toBeNull() // still below the floor
    c.clock.time = 2001
    expect(c.names.gc()).toEqual([A])
    expect(c.names.stats()).toMatchObject({ peers: 0, floorsForgotten: 1 })
  })
})
