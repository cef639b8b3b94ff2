import type { SimRouter } from './sim-mesh-router.js'

/**
 * Which routers hold which routers' current records. For every ordered pair (r, s) of router
 * slots it keeps whether r's topology holds s's own record as s has it now (same restartId and
 * version; a single owner writes a record, so that means the same content). It is updated from
 * topology change notifications only, so asking whether the whole mesh agrees costs O(1) and a
 * group costs at most O(group²) byte reads.
 */
export class SimAgreement {
  private readonly ok: Uint8Array
  private missing: number
  /** Bumped on every change of any router's topology: a cheap "anything happened" stamp. */
  generation = 0

  constructor (
    private readonly n: number,
    private readonly routerAt: (slot: number) => SimRouter,
    private readonly slotOf: (id: string) => number | undefined,
  ) {
    this.ok = new Uint8Array(n * n)
    for (let i = 0; i < n; i++) this.ok[i * n + i] = 1
    this.missing = n * (n - 1)
  }

  /** Router `r`'s topology changed the records of `ids`. */
  topologyChanged (r: number, ids: ReadonlySet<string>): void {
    this.generation++
    for (const id of ids) {
      const s = this.slotOf(id)
      if (s === undefined) continue
      if (s === r) this.recheckColumn(r) // r's own record: who holds it now is another question
      else this.recheck(r, s)
    }
  }

  /** Router `r` was replaced (restart): everything about it is new. */
  routerReplaced (r: number): void {
    this.generation++
    for (let s = 0; s < this.n; s++) if (s !== r) this.recheck(r, s)
    this.recheckColumn(r)
  }

  /** Whether every router of `group` (default: all) holds every group member's current record. */
  agreed (group?: readonly number[]): boolean {
    if (group === undefined) return this.missing === 0
    if (this.missing === 0) return true
    for (const r of group) {
      const row = r * this.n
      for (const s of group) if (this.ok[row + s] === 0) return false
    }
    return true
  }

  /** Ordered pairs (holder, owner) over all routers where the holder lacks the owner's current record. */
  lagging (): number {
    return this.missing
  }

  private recheckColumn (s: number): void {
    for (let r = 0; r < this.n; r++) if (r !== s) this.recheck(r, s)
  }

  private recheck (r: number, s: number): void {
    const own = this.routerAt(s).topology.self()
    const copy = this.routerAt(r).topology.get(own.id)
    const now = copy !== undefined && copy.version === own.version && copy.restartId === own.restartId ? 1 : 0
    const at = r * this.n + s
    this.missing += this.ok[at] - now
    this.ok[at] = now
  }
}
