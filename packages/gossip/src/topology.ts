// The topology CRDT: every peer's own record, replicated on the `topology` channel.
//
// Merge rule, per id: the higher `version` wins; at an equal version with different content, the
// record with the larger canonical encoding wins (every peer picks the same one) and a conflict
// is counted. That is a max under a total order, so merge is commutative, associative and
// idempotent, and `merge` returns exactly the records that won.
//
// Only the owner writes its record. A restarted owner starts again at version 0 (with a new
// restartId) while others still hold its old record at some higher version V: its own updates
// would lose. So when the owner learns a record of itself that is newer than or conflicts with
// its own, it takes version V + 1 and publishes that, which wins everywhere.
//
// Garbage collection is local, not part of the CRDT: `gc` forgets peers that have been
// unreachable from self for longer than the grace period, and keeps a tombstone (id, restartId,
// version) for as long again, so a copy still travelling the mesh is not taken back. A copy the
// tombstone refuses is parked (one per id); as soon as the records make it reachable from self
// again (a healed partition: its owner had no reason to change its record), it is taken back, its
// tombstone dropped, and it spreads as a delta. A parked record that stays unreachable is exactly
// what the tombstone is for, and goes when the tombstone expires.

import type { Clock, TimerHandle } from './clock.js'
import { DEFAULT_SELF_PUBLISH_DELAY_MS, DEFAULT_UNREACHABLE_GRACE_MS, TOPOLOGY_CHANNEL } from './constants.js'
import { GossipError } from './errors.js'
import type { DigestAnswer, GossipChannel } from './gossip-channel.js'
import { buildLinkGraph, reachableFrom } from './link-graph.js'
import { checkPeerRecord, recordsEqual, type PeerRecord } from './peer-record.js'
import { decodeTopology, encodePeerRecord, encodeTopology, type TopologyState } from './topology-codec.js'
import { decodeTopologyDigest, encodeDigestEntries, encodeDigestSummary } from './topology-digest.js'
import { answerTopologyDigest } from './topology-reconcile.js'

export interface TopologyInit {
  /** This peer's id (64 lowercase hex). */
  selfId: string
  nickname: string
  /** 16 lowercase hex characters, new at every start. */
  restartId: string
  udpPort: number
  /** Default: none. */
  addresses?: readonly string[]
  /**
   * How long a peer must stay unreachable from self over established links before `gc` forgets
   * it, in milliseconds. Default `DEFAULT_UNREACHABLE_GRACE_MS` (60 000).
   */
  unreachableGraceMs?: number
  /**
   * How long after a change of the own record (`updateSelf`) it is published, in milliseconds;
   * later changes within that time go out with it, as one version. 0 publishes every change at
   * once. Default `DEFAULT_SELF_PUBLISH_DELAY_MS` (0: see docs/GOSSIP.md).
   */
  selfPublishDelayMs?: number
}

export interface TopologyComponents {
  /** Times unreachability for `gc` and the delayed publishing of the own record. */
  clock: Clock
  /**
   * Receives every change that starts here (`updateSelf`, a version bump over an old record of
   * self) for the engine: `(delta) => engine.publish(TOPOLOGY_CHANNEL, delta)`.
   */
  publish(delta: TopologyState): void
}

/** The fields of its own record a peer may change; `version` is bumped for it. */
export type SelfUpdate = Partial<Pick<PeerRecord, 'nickname' | 'addresses' | 'udpPort' | 'connections'>>

/** Called with the ids whose record changed, was added or was removed. Must not throw. */
export type TopologyListener = (changed: ReadonlySet<string>) => void

export interface TopologyStats {
  /** Records held, self included. */
  records: number
  /** Equal versions with different content seen by merge (restarts, or two peers sharing an id). */
  conflicts: number
  /** Times self took a version above an old record of itself. */
  selfBumps: number
  /** Records removed by `gc`. */
  collected: number
  /** Tombstones held. */
  tombstones: number
  /** Copies refused by a tombstone, waiting to become reachable. */
  parked: number
}

interface Tombstone {
  readonly restartId: string
  readonly version: number
  readonly expiresAt: number
}

export class Topology implements GossipChannel<TopologyState> {
  readonly name = TOPOLOGY_CHANNEL
  private readonly records = new Map<string, PeerRecord>()
  private readonly listeners = new Set<TopologyListener>()
  private readonly unreachableSince = new Map<string, number>()
  private readonly tombstones = new Map<string, Tombstone>()
  /** Copies refused by a tombstone, taken back once reachable; at most one per tombstone. */
  private readonly parked = new Map<string, PeerRecord>()
  private readonly selfId: string
  private readonly graceMs: number
  private readonly publishDelayMs: number
  /** The pending publish of the own record, if a change waits for it. */
  private publishTimer: TimerHandle | null = null
  private reachabilityDirty = true
  /** Bumped at every change of the records; the digests below are of `digestRevision`. */
  private revision = 0
  private digestRevision = -1
  private digestEntries: Uint8Array | null = null
  private digestSummary: Uint8Array | null = null
  private lastChangeAt: number
  private readonly counts = { conflicts: 0, selfBumps: 0, collected: 0 }

  constructor(init: TopologyInit, private readonly c: TopologyComponents) {
    const bad = (what: string): GossipError => new GossipError('ERR_BAD_RECORD', `bad own record: ${what}; fix the configuration`)
    const self = checkPeerRecord({
      id: init.selfId, nickname: init.nickname, restartId: init.restartId, version: 0,
      addresses: init.addresses ?? [], udpPort: init.udpPort, connections: [],
    }, bad)
    this.graceMs = init.unreachableGraceMs ?? DEFAULT_UNREACHABLE_GRACE_MS
    if (!Number.isFinite(this.graceMs) || this.graceMs < 0) {
      throw new GossipError('ERR_BAD_ARGUMENT', `unreachableGraceMs must be a non-negative number, got ${this.graceMs}`)
    }
    this.publishDelayMs = init.selfPublishDelayMs ?? DEFAULT_SELF_PUBLISH_DELAY_MS
    if (!Number.isFinite(this.publishDelayMs) || this.publishDelayMs < 0) {
      throw new GossipError('ERR_BAD_ARGUMENT', `selfPublishDelayMs must be a non-negative number, got ${this.publishDelayMs}`)
    }
    this.selfId = self.id
    this.records.set(self.id, self)
    this.lastChangeAt = c.clock.now()
  }

  encode(data: TopologyState): Uint8Array {
    return encodeTopology(data)
  }

  decode(bytes: Uint8Array): TopologyState {
    return decodeTopology(bytes)
  }

  full(): TopologyState {
    return new Map(this.records)
  }

  merge(incoming: TopologyState, _from: string): TopologyState | null {
    const delta = new Map<string, PeerRecord>()
    let outbid = -1 // highest version of a newer or conflicting record of self
    let newlyParked = false
    for (const r of incoming.values()) {
      if (r.id === this.selfId) {
        const own = this.self()
        if (r.version > own.version || (r.version === own.version && !recordsEqual(r, own))) {
          if (r.version === own.version) this.counts.conflicts++
          outbid = Math.max(outbid, r.version)
        }
        continue
      }
      const tomb = this.tombstones.get(r.id)
      if (tomb !== undefined && tomb.restartId === r.restartId && r.version <= tomb.version) {
        const held = this.parked.get(r.id)
        if (held === undefined || r.version > held.version ||
          (r.version === held.version && Buffer.compare(encodePeerRecord(r), encodePeerRecord(held)) > 0)) {
          this.parked.set(r.id, r)
          newlyParked = true
        }
        continue
      }
      if (tomb !== undefined) {
        this.tombstones.delete(r.id)
        this.parked.delete(r.id)
      }
      const current = this.records.get(r.id)
      if (current !== undefined) {
        if (r.version < current.version || recordsEqual(r, current)) continue
        if (r.version === current.version) {
          this.counts.conflicts++
          if (Buffer.compare(encodePeerRecord(r), encodePeerRecord(current)) <= 0) continue
        }
      }
      this.records.set(r.id, r)
      delta.set(r.id, r)
    }
    // only a new record or a newly parked one can make a parked record reachable
    if (delta.size > 0 || newlyParked) this.unpark(delta)
    const changed = new Set(delta.keys())
    const bump = outbid >= 0 && outbid < Number.MAX_SAFE_INTEGER
    if (bump) {
      this.records.set(this.selfId, Object.freeze({ ...this.self(), version: outbid + 1 }))
      this.counts.selfBumps++
      changed.add(this.selfId)
    }
    if (changed.size > 0) this.changed(changed)
    // the bumped record goes to every neighbour, `from` included: the delta would skip `from`
    if (bump) this.publishSelf()
    return delta.size > 0 ? delta : null
  }

  /** The `summary` digest of the records held (cached until they change). */
  digest(): Uint8Array {
    this.refreshDigests()
    return this.digestSummary!
  }

  /** Answers a peer's digest (topology-reconcile.ts); throws `ERR_BAD_PAYLOAD` on a malformed one. */
  answerDigest(digest: Uint8Array, _from: string): DigestAnswer<TopologyState> {
    return answerTopologyDigest(this.records, decodeTopologyDigest(digest), {
      summary: () => this.digest(),
      entries: () => {
        this.refreshDigests()
        return this.digestEntries!
      },
    })
  }

  private refreshDigests(): void {
    if (this.digestRevision === this.revision && this.digestEntries !== null) return
    this.digestEntries = encodeDigestEntries(this.records.values())
    this.digestSummary = encodeDigestSummary(this.digestEntries)
    this.digestRevision = this.revision
  }

  combine(a: TopologyState, b: TopologyState): TopologyState {
    const out = new Map(a)
    for (const r of b.values()) {
      const current = out.get(r.id)
      if (current === undefined || r.version > current.version ||
        (r.version === current.version && Buffer.compare(encodePeerRecord(r), encodePeerRecord(current)) > 0)) {
        out.set(r.id, r)
      }
    }
    return out
  }

  /** Two halves of a state or delta, by id order; null for a single record. */
  split(data: TopologyState): [TopologyState, TopologyState] | null {
    if (data.size < 2) return null
    const ids = [...data.keys()].sort()
    const half = ids.length >> 1
    const part = (from: number, to: number): TopologyState => new Map(ids.slice(from, to).map((id) => [id, data.get(id)!]))
    return [part(0, half), part(half, ids.length)]
  }

  /** This peer's own record. */
  self(): PeerRecord {
    return this.records.get(this.selfId)!
  }

  /**
   * Changes this peer's own record: the given fields, and `version` above every version of it
   * seen so far. Publishes the new record (after `selfPublishDelayMs`, with any later change
   * within it) and returns true, or returns false if nothing changed.
   * Throws `ERR_BAD_RECORD` (changing nothing) if the result breaks the record rules.
   */
  updateSelf(update: SelfUpdate): boolean {
    const own = this.self()
    const fields: Record<string, unknown> = { ...own }
    for (const key of ['nickname', 'addresses', 'udpPort', 'connections'] as const) {
      if (update[key] !== undefined) fields[key] = update[key]
    }
    const bad = (what: string): GossipError => new GossipError('ERR_BAD_RECORD', `bad own record: ${what}; fix the caller`)
    const same = checkPeerRecord(fields, bad)
    if (recordsEqual(same, own)) return false
    if (own.version >= Number.MAX_SAFE_INTEGER) throw bad('version exhausted at 2^53 - 1')
    this.records.set(this.selfId, Object.freeze({ ...same, version: own.version + 1 }))
    const back = new Map<string, PeerRecord>()
    this.unpark(back)
    this.changed(new Set([this.selfId, ...back.keys()]))
    if (this.publishDelayMs === 0) this.publishSelf()
    else if (this.publishTimer === null) this.publishTimer = this.c.clock.setTimeout(() => this.publishSelf(), this.publishDelayMs)
    if (back.size > 0) this.c.publish(back)
    return true
  }

  /** Whether a change of the own record waits for its delayed publish. */
  get publishPending(): boolean {
    return this.publishTimer !== null
  }

  /** Publishes the own record now if a change waits for it (e.g. before shutting down). */
  flushSelf(): void {
    if (this.publishTimer !== null) this.publishSelf()
  }


  /** The record of `id`, if known. */
  get(id: string): PeerRecord | undefined {
    return this.records.get(id)
  }

  /** Every record, self included, sorted by id. */
  peers(): PeerRecord[] {
    return [...this.records.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  }

  /** Calls `listener` after every change; returns a function that stops it. */
  onChange(listener: TopologyListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /**
   * Forgets every peer that has been unreachable from self (over links both ends report
   * established) for longer than the grace period; never self. Unreachability is measured from
   * the latest change before the `gc` that first saw it, so a peer is never forgotten early.
   * Call it periodically. Returns the ids removed.
   */
  gc(now: number = this.c.clock.now()): string[] {
    for (const [id, t] of this.tombstones) {
      if (t.expiresAt > now) continue
      this.tombstones.delete(id)
      this.parked.delete(id)
    }
    if (this.reachabilityDirty) {
      this.reachabilityDirty = false
      const reachable = reachableFrom(buildLinkGraph(this.records), this.selfId)
      for (const id of this.unreachableSince.keys()) if (reachable.has(id) || !this.records.has(id)) this.unreachableSince.delete(id)
      for (const id of this.records.keys()) {
        if (!reachable.has(id) && id !== this.selfId && !this.unreachableSince.has(id)) this.unreachableSince.set(id, this.lastChangeAt)
      }
    }
    const removed: string[] = []
    for (const [id, since] of this.unreachableSince) {
      if (now - since <= this.graceMs) continue
      const r = this.records.get(id)!
      this.records.delete(id)
      this.unreachableSince.delete(id)
      this.tombstones.set(id, { restartId: r.restartId, version: r.version, expiresAt: now + this.graceMs })
      removed.push(id)
    }
    this.counts.collected += removed.length
    if (removed.length > 0) {
      this.revision++
      this.notify(new Set(removed))
    }
    return removed
  }

  stats(): TopologyStats {
    return { records: this.records.size, ...this.counts, tombstones: this.tombstones.size, parked: this.parked.size }
  }

  /**
   * Takes back every parked record that the records (with all parked ones) make reachable from
   * self, dropping its tombstone, and adds it to `delta`. A parked record can only help another
   * one be reached if it is itself reachable, so one pass over records plus parked suffices.
   */
  private unpark(delta: Map<string, PeerRecord>): void {
    if (this.parked.size === 0) return
    const all = new Map(this.records)
    for (const [id, r] of delta) all.set(id, r)
    for (const [id, r] of this.parked) all.set(id, r)
    const reachable = reachableFrom(buildLinkGraph(all), this.selfId)
    for (const [id, r] of this.parked) {
      if (!reachable.has(id)) continue
      this.parked.delete(id)
      this.tombstones.delete(id)
      this.records.set(id, r)
      delta.set(id, r)
    }
  }

  /** Publishes the current own record; a pending delayed publish is served by it. */
  private publishSelf(): void {
    if (this.publishTimer !== null) this.c.clock.clearTimeout(this.publishTimer)
    this.publishTimer = null
    this.c.publish(new Map([[this.selfId, this.self()]]))
  }

  private changed(ids: ReadonlySet<string>): void {
    this.revision++
    this.reachabilityDirty = true
    this.lastChangeAt = this.c.clock.now()
    this.notify(ids)
  }

  private notify(ids: ReadonlySet<string>): void {
    for (const listener of [...this.listeners]) listener(ids)
  }
}

/** Creates the topology channel holding this peer's record at version 0. */
export function createTopology(init: TopologyInit, components: TopologyComponents): Topology {
  return new Topology(init, components)
}
