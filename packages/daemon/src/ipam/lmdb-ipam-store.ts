// The router's IpamStore: the allocator's snapshot as one value in the LMDB store's `meta`
// sub-database. One `put` is one LMDB write transaction, and `putMeta` resolves only after the
// commit is flushed, so a snapshot is either wholly there or not at all, and an acknowledged
// allocation survives `kill -9` (see packages/store/src/store.ts).

import { IpamError, decodeSnapshot, encodeSnapshot, type IpamSnapshot, type IpamStore } from '@weft/ipam'
import type { Store } from '@weft/store'
import { IPAM_SNAPSHOT_KEY } from './constants.js'

export class LmdbIpamStore implements IpamStore {
  constructor(private readonly store: Store) {}

  load(): IpamSnapshot | undefined {
    const bytes = this.store.getMeta(IPAM_SNAPSHOT_KEY)
    if (bytes === undefined) return undefined
    if (!(bytes instanceof Uint8Array)) {
      throw new IpamError('ERR_BAD_SNAPSHOT', `the stored IPAM snapshot (meta ${IPAM_SNAPSHOT_KEY}) is not bytes; restore a backup or remove it with 'weft reset' (its addresses may then be given out twice)`)
    }
    return decodeSnapshot(bytes)
  }

  async save(snapshot: IpamSnapshot): Promise<void> {
    await this.store.putMeta(IPAM_SNAPSHOT_KEY, encodeSnapshot(snapshot))
  }
}
