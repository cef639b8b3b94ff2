/**
 * The router's persistent state in LMDB under WEFT_HOME (`<home>/db`): identity key, network
 * secret, targets, containers, exposed CIDRs and small meta values. Writes resolve once they are
 * committed and flushed, so a `kill -9` at any moment loses nothing that was acknowledged; reads
 * skip (and report) records that are corrupt or from a newer weft instead of throwing.
 *
 * @example
 * const store = openStore({ home: '/var/lib/weft' }, { onCorrupt: (db, key, reason) => log.warn({ db, key, reason }, 'skipped stored record') })
 * await store.addTarget('192.0.2.10:6783')
 * store.listTargets() // ['192.0.2.10:6783']
 * await store.close()
 */
export {
  IDENTITY_SECRET_KEY_BYTES, STORE_DB_NAMES, STORE_DB_OPTIONS, STORE_DIR_NAME, STORE_LMDB_OPTIONS,
  STORE_NAME_MAX_CHARS, STORE_RECORD_VERSION,
} from './constants.js'
export { StoreError } from './errors.js'
export type { StoreErrorCode } from './errors.js'
export { parseContainerRecord } from './container-record.js'
export type { ContainerRecord } from './container-record.js'
export type { Checked } from './stored-record.js'
export { Store, openStore } from './store.js'
export type { StoreComponents, StoreInit } from './store.js'
