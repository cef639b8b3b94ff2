// The router's IpamStore: the allocator's snapshot as many small records in the LMDB store's
// `meta` sub-database, so that a save writes only what changed (an allocation is a few small
// puts, not a rewrite of every allocation):
//
//   ipam/h             header: { v: 2, i: selfId, r: range, g: ringId | null, s: seeds | null,
//                      x: consensus records and space requests (encodeIpam bytes) }
//   ipam/n             [ring entries, allocations]: counts, so a lost record is noticed at load
//   ipam/e/<start>     a ring entry: [start, end, owner, version, free]
//   ipam/a/<address>   an allocation: [containerId, subnet]
//
// One save is one LMDB write transaction (`writeMeta`), resolved only after the commit is
// flushed: the records are either all there or none, and an acknowledged allocation survives
// `kill -9` (packages/store/src/store.ts). What was saved last is kept here; each save writes the
// difference: ring entries compared with the last ones (by identity, then content), allocations
// from the allocator's change list (`allocationChanges`), to which the changes of a failed save
// are added, so the next save writes them too. A database written whole by an older weft (one
// value under `ipam-snapshot`) is loaded from that value, and the first save replaces it.

import {
  IpamError, decodeIpam, decodeSnapshot, encodeIpam, ipamState, parseCidr,
  type IpamSnapshot, type IpamState, type IpamStore, type RingEntry, type RingState, type SnapshotAllocation,
} from '@weft/ipam'
import type { Store } from '@weft/store'
import { IPAM_SNAPSHOT_KEY } from './constants.js'

const HEADER = 'ipam/h'
const COUNTS = 'ipam/n'
const ENTRY = 'ipam/e/'
const ALLOCATION = 'ipam/a/'
const FORMAT = 2

interface Header {
  v: number
  i: string
  r: string
  g: string | null
  s: readonly string[] | null
  x: Uint8Array
}

/** What the last completed save (or the load) left in the database. */
interface Saved {
  header: Header | null
  paxos: IpamState['paxos'] | null
  requests: IpamState['requests'] | null
  entries: ReadonlyMap<number, RingEntry>
  /** Changed in place after each completed save (O(changes), not O(allocations)). */
  allocations: Map<string, SnapshotAllocation>
  counts: readonly [number, number] | null
  legacy: boolean
}

const bad = (what: string): IpamError =>
  new IpamError('ERR_BAD_SNAPSHOT', `the stored IPAM records are unusable: ${what}; restore a backup or remove them with 'weft reset' (their addresses may then be given out twice)`)

export class LmdbIpamStore implements IpamStore {
  private saved: Saved = { header: null, paxos: null, requests: null, entries: new Map(), allocations: new Map(), counts: null, legacy: false }
  /** Allocation changes the allocator handed over whose save has not completed yet. */
  private readonly unsaved = new Map<string, SnapshotAllocation | null>()

  constructor(private readonly store: Store) {}

  load(): IpamSnapshot | undefined {
    const header = this.store.getMeta(HEADER) as Header | undefined
    if (header === undefined) return this.loadLegacy()
    try {
      if (header.v !== FORMAT || typeof header.i !== 'string' || typeof header.r !== 'string' || !(header.x instanceof Uint8Array)) throw bad('the header is not one weft wrote')
      const entries = new Map<number, RingEntry>()
      for (const [, v] of this.store.listMeta(ENTRY)) {
        const [start, end, owner, version, free] = v as [number, number, string, number, number]
        entries.set(start, Object.freeze({ start, end, owner, version, free }))
      }
      const allocations = new Map<string, SnapshotAllocation>()
      for (const [key, v] of this.store.listMeta(ALLOCATION)) {
        const [containerId, subnet] = v as [string, string]
        allocations.set(key.slice(ALLOCATION.length), Object.freeze({ containerId, address: key.slice(ALLOCATION.length), subnet }))
      }
      const counts = this.store.getMeta(COUNTS) as [number, number] | undefined
      if (counts?.[0] !== entries.size || counts[1] !== allocations.size) {
        throw bad(`expected ${String(counts?.[0])} ring entries and ${String(counts?.[1])} allocations, found ${entries.size} and ${allocations.size}`)
      }
      const rest = decodeIpam(header.x)
      const ring: RingState | null = header.g === null ? null : Object.freeze({ range: parseCidr(header.r), ringId: header.g, seeds: header.s, entries })
      const state = ipamState({ ring, paxos: rest.paxos, requests: rest.requests })
      this.saved = { header, paxos: rest.paxos, requests: rest.requests, entries, allocations, counts, legacy: false }
      // the allocator checks it all (checkSnapshot) before it trusts any of it
      return { selfId: header.i, range: header.r, state: encodeIpam(state), allocations: [...allocations.values()] }
    } catch (err) {
      if (err instanceof IpamError && err.code === 'ERR_BAD_SNAPSHOT') throw err
      throw bad((err as Error).message)
    }
  }

  async save(snapshot: IpamSnapshot): Promise<void> {
    const working = snapshot.working ?? decodeIpam(snapshot.state)
    const last = this.saved
    const puts: Array<[string, unknown]> = []
    const deletes: string[] = []
    const ring = working.ring
    // the header: rewritten when the ring's identity, the records or the requests changed
    let header = last.header
    if (header === null || header.i !== snapshot.selfId || header.r !== snapshot.range || header.g !== (ring?.ringId ?? null) ||
        last.paxos !== working.paxos || last.requests !== working.requests) {
      header = { v: FORMAT, i: snapshot.selfId, r: snapshot.range, g: ring?.ringId ?? null, s: ring?.seeds ?? null, x: encodeIpam(ipamState({ paxos: working.paxos, requests: working.requests })) }
      puts.push([HEADER, header])
    }
    // ring entries: by identity, then by content
    const entries = ring?.entries ?? new Map<number, RingEntry>()
    if (entries !== last.entries) {
      for (const e of entries.values()) {
        const was = last.entries.get(e.start)
        if (was === e || (was !== undefined && was.end === e.end && was.owner === e.owner && was.version === e.version && was.free === e.free)) continue
        puts.push([ENTRY + e.start, [e.start, e.end, e.owner, e.version, e.free]])
      }
      for (const start of last.entries.keys()) if (!entries.has(start)) deletes.push(ENTRY + start)
    }
    // allocations: the allocator's changes (with those of failed saves), or a full comparison
    // when the header's peer or range changed (the allocator dropped what it loaded), on the
    // first save over an older layout, or when the snapshot has no change list
    for (const [address, a] of snapshot.allocationChanges ?? []) this.unsaved.set(address, a)
    const full = last.legacy || last.header === null || last.header.i !== snapshot.selfId || last.header.r !== snapshot.range || snapshot.allocationChanges === undefined
    let changes: ReadonlyMap<string, SnapshotAllocation | null> = this.unsaved
    if (full) {
      const now = new Map<string, SnapshotAllocation | null>(snapshot.allocations.map((a) => [a.address, a]))
      for (const address of last.allocations.keys()) if (!now.has(address)) now.set(address, null)
      changes = now
    }
    let size = last.allocations.size
    for (const [address, a] of changes) {
      const was = last.allocations.get(address)
      if (a === null) {
        if (was === undefined) continue
        size--
        deletes.push(ALLOCATION + address)
      } else {
        if (was === undefined) size++
        if (was === a || (was !== undefined && was.containerId === a.containerId && was.subnet === a.subnet)) continue
        puts.push([ALLOCATION + address, [a.containerId, a.subnet]])
      }
    }
    const counts = [entries.size, size] as const
    if (last.counts?.[0] !== counts[0] || last.counts[1] !== counts[1]) puts.push([COUNTS, counts])
    if (last.legacy) deletes.push(IPAM_SNAPSHOT_KEY)
    if (puts.length > 0 || deletes.length > 0) await this.store.writeMeta(puts, deletes)
    // only now that it is saved: what the next save compares with
    for (const [address, a] of changes) {
      if (a === null) last.allocations.delete(address)
      else last.allocations.set(address, a)
    }
    this.saved = { header, paxos: working.paxos, requests: working.requests, entries, allocations: last.allocations, counts, legacy: false }
    this.unsaved.clear()
  }

  /** A database of an older weft: the whole snapshot as one value. */
  private loadLegacy(): IpamSnapshot | undefined {
    const bytes = this.store.getMeta(IPAM_SNAPSHOT_KEY)
    if (bytes === undefined) return undefined
    if (!(bytes instanceof Uint8Array)) {
      throw new IpamError('ERR_BAD_SNAPSHOT', `the stored IPAM snapshot (meta ${IPAM_SNAPSHOT_KEY}) is not bytes; restore a backup or remove it with 'weft reset' (its addresses may then be given out twice)`)
    }
    this.saved = { ...this.saved, legacy: true }
    return decodeSnapshot(bytes)
  }
}
