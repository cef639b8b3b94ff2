import type { SimHost } from './sim-host.js'
import type { SimNat } from './sim-nat.js'

/** A host or a NAT: what a link joins and what partitions name. @internal */
export type SimNode = SimHost | SimNat

/**
 * One address space: the internet (no owner) or the inside of a NAT. Addresses are unique within
 * a realm only, so two NATs may both hide a 192.168.1.2. A NAT is in its outer realm under its
 * public address; hosts are under theirs. @internal
 */
export interface Realm {
  /** The NAT whose inside this is; undefined for the internet. */
  readonly owner: SimNat | undefined
  readonly byAddress: Map<string, SimNode>
}

/** @internal */
export function createRealm(owner: SimNat | undefined): Realm {
  return { owner, byAddress: new Map() }
}

/**
 * The next node on the way to `address` from inside `realm`: the node owning it, else the realm's
 * NAT (the default gateway), else none.
 * @internal
 */
export function nextHop(realm: Realm, address: string): SimNode | undefined {
  return realm.byAddress.get(address) ?? realm.owner
}
