/**
 * The router's persistent state: one LMDB environment in `<home>/db` with a named
 * sub-database per kind of record (see STORE_DB_NAMES).
 *
 * Durability. Every write method resolves only after
 *   1. lmdb-js committed the write transaction (the `put`/`transaction` promise resolved), and
 *   2. `root.flushed` resolved: the OS reported that commit flushed to the disk.
 * After (1) a `kill -9` of the router already loses nothing: the committed pages are in the OS
 * page cache and lmdb-js reopens at the last committed transaction while the machine has not
 * rebooted. (2) extends that to power loss and to `LMDB_RESTORE=safe`, where lmdb-js reopens at
 * the last flushed transaction. The store relies on lmdb-js defaults for this (overlappingSync on
 * Linux) and never sets `noSync`, `noMetaSync`, `useWritemap` or `mapAsync`.
 *
 * Secrecy. The identity key and the network secret are stored in clear; what keeps them secret
 * is that WEFT_HOME is 0700 (created so when missing) and every file in `<home>/db` is 0600.
 *
 * Reading never throws on bad data: a record that does not decode, fails validation or comes
 * from a newer weft is skipped and reported once through `onCorrupt`.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { open, type Database, type RootDatabase } from 'lmdb'
import {
  IDENTITY_SECRET_KEY_BYTES, IDENTITY_SECRET_KEY_KEY, NETWORK_SECRET_KEY, STORE_DB_NAMES, STORE_DB_OPTIONS,
  STORE_DATA_FILE, STORE_DIR_MODE, STORE_DIR_NAME, STORE_FILE_MODE, STORE_LMDB_OPTIONS,
} from './constants.js'
import { parseContainerRecord, type ContainerRecord } from './container-record.js'
import { StoreError } from './errors.js'
import { checkCidr, checkMetaKey, checkName, checkSecret, checkStorable, checkTarget, describe } from './field-checks.js'
import { probeOpen } from './open-probe.js'
import { seal, unseal, type Checked, type RecordFields } from './stored-record.js'

export interface StoreInit {
  /** WEFT_HOME; created with mode 0700 if missing. The database lives in `<home>/db`. */
  home: string
}

export interface StoreComponents {
  /**
   * Told about every stored record that is skipped on read (undecodable, invalid, or written by
   * a newer weft), once per record and reason. Default: a process warning.
   */
  onCorrupt?: (db: string, key: string, reason: string) => void
}

type DbName = typeof STORE_DB_NAMES[keyof typeof STORE_DB_NAMES]
type Parse<T> = (fields: RecordFields) => Checked<T>

function defaultOnCorrupt (db: string, key: string, reason: string): void {
  process.emitWarning(`skipped stored record ${db}/${key}: ${reason}`, { code: 'WEFT_STORE_CORRUPT' })
}

function errorText (err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

function openFailure (path: string, err: unknown): StoreError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code
  let advice: string
  if (code === 'EACCES' || code === 'EPERM') {
    advice = `permission denied: run weft as the user that owns ${path} (usually root), or point WEFT_HOME elsewhere`
  } else if (code === 'ENOSPC') {
    advice = 'the disk is full: free some space and start weft again'
  } else if (code === 'ENOTDIR' || code === 'EEXIST') {
    advice = 'a file is in the way of the directory: move it away or point WEFT_HOME elsewhere'
  } else {
    advice = 'another weft router may hold it (stop it with `weft stop` using the same WEFT_HOME), ' +
      'or the files are not a weft database (move them away to start afresh)'
  }
  return new StoreError('ERR_STORE_OPEN', `cannot open the weft database at ${path}: ${errorText(err)}; ${advice}`, { cause: err })
}

function invalid (what: string, reason: string): StoreError {
  return new StoreError('ERR_STORE_INVALID', `refusing to store ${what}: ${reason}; nothing was written`)
}

function requireValid (what: string, reason: string | undefined): void {
  if (reason !== undefined) throw invalid(what, reason)
}

function parseSecretKey (fields: RecordFields): Checked<Buffer> {
  const sk = fields.secretKey
  if (!(sk instanceof Uint8Array) || sk.length !== IDENTITY_SECRET_KEY_BYTES) {
    return { ok: false, reason: `identity secret key is not ${IDENTITY_SECRET_KEY_BYTES} bytes` }
  }
  return { ok: true, value: Buffer.from(sk) }
}

function parseSecret (fields: RecordFields): Checked<string> {
  const reason = checkSecret(fields.secret)
  return reason === undefined ? { ok: true, value: fields.secret as string } : { ok: false, reason }
}

function parseAdded (fields: RecordFields): Checked<number> {
  const at = fields.addedAt
  return typeof at === 'number' && Number.isFinite(at) ? { ok: true, value: at } : { ok: false, reason: 'addedAt is not a number' }
}

function parseMetaValue (fields: RecordFields): Checked<unknown> {
  return 'value' in fields ? { ok: true, value: fields.value } : { ok: false, reason: 'meta record has no value' }
}

/** The router's persistent state. Reads are synchronous; writes resolve once durable. */
export class Store {
  readonly path: string
  readonly #root: RootDatabase
  readonly #dbs: Record<DbName, Database>
  readonly #onCorrupt: (db: string, key: string, reason: string) => void
  readonly #reported = new Set<string>()
  #closed = false

  /** Use `openStore`. */
  constructor (path: string, root: RootDatabase, components: StoreComponents) {
    this.path = path
    this.#root = root
    this.#onCorrupt = components.onCorrupt ?? defaultOnCorrupt
    const db = (name: DbName): Database => root.openDB(name, { ...STORE_DB_OPTIONS })
    this.#dbs = {
      identity: db(STORE_DB_NAMES.identity),
      targets: db(STORE_DB_NAMES.targets),
      containers: db(STORE_DB_NAMES.containers),
      exposed: db(STORE_DB_NAMES.exposed),
      meta: db(STORE_DB_NAMES.meta),
    }
  }

  // --- identity and secret ---

  getIdentitySecretKey (): Buffer | undefined {
    return this.#read('identity', IDENTITY_SECRET_KEY_KEY, parseSecretKey)
  }

  async putIdentitySecretKey (sk: Uint8Array): Promise<void> {
    if (!(sk instanceof Uint8Array) || sk.length !== IDENTITY_SECRET_KEY_BYTES) {
      throw invalid('the identity secret key', `it must be ${IDENTITY_SECRET_KEY_BYTES} bytes`)
    }
    await this.#put('identity', IDENTITY_SECRET_KEY_KEY, { secretKey: Buffer.from(sk) })
  }

  getSecret (): string | undefined {
    return this.#read('identity', NETWORK_SECRET_KEY, parseSecret)
  }

  async putSecret (secret: string): Promise<void> {
    requireValid('the network secret', checkSecret(secret))
    await this.#put('identity', NETWORK_SECRET_KEY, { secret })
  }

  // --- targets ---

  /** Peer addresses to dial, in key order. */
  listTargets (): string[] {
    return this.#list('targets', checkTarget, parseAdded).map(([addr]) => addr)
  }

  /** Adds a target; adding one that is present keeps its original `addedAt`. */
  async addTarget (addr: string): Promise<void> {
    requireValid('the target', checkTarget(addr))
    await this.#putIfAbsent('targets', addr, { addedAt: Date.now() })
  }

  /** Removes a target; true if it was present. */
  async removeTarget (addr: string): Promise<boolean> {
    requireValid('the target', checkTarget(addr))
    return await this.#remove('targets', addr)
  }

  // --- containers ---

  listContainers (): ContainerRecord[] {
    return this.#list('containers', checkName, parseContainerRecord).map(([, rec]) => rec)
  }

  getContainer (name: string): ContainerRecord | undefined {
    if (checkName(name) !== undefined) return undefined
    return this.#read('containers', name, parseContainerRecord)
  }

  /** Stores `rec` under `rec.name`, replacing any record of that name. */
  async putContainer (rec: ContainerRecord): Promise<void> {
    const checked = parseContainerRecord(rec)
    if (!checked.ok) throw invalid(`container ${describe((rec as Partial<ContainerRecord> | undefined)?.name)}`, checked.reason)
    await this.#put('containers', checked.value.name, { ...checked.value })
  }

  /** Deletes a container record; true if it was present. */
  async deleteContainer (name: string): Promise<boolean> {
    requireValid('the container name', checkName(name))
    return await this.#remove('containers', name)
  }

  /** Sets the PID of a stored container in one transaction; a StoreError if it is not stored. */
  async setContainerPid (name: string, pid: number): Promise<void> {
    requireValid('the container name', checkName(name))
    if (!Number.isSafeInteger(pid) || pid <= 0) throw invalid(`the pid of container ${name}`, `${describe(pid)} is not a positive integer`)
    const db = this.#dbs.containers
    const found = await this.#write(`the pid of container ${name}`, () => db.transaction(() => {
      const current = this.#read('containers', name, parseContainerRecord)
      if (current === undefined) return false
      db.putSync(name, seal({ ...current, pid }))
      return true
    }))
    if (!found) throw invalid(`the pid of container ${name}`, 'no valid container of that name is stored')
  }

  // --- exposed host CIDRs ---

  listExposed (): string[] {
    return this.#list('exposed', checkCidr, parseAdded).map(([cidr]) => cidr)
  }

  async addExposed (cidr: string): Promise<void> {
    requireValid('the exposed cidr', checkCidr(cidr))
    await this.#putIfAbsent('exposed', cidr, { addedAt: Date.now() })
  }

  /** Removes an exposed CIDR; true if it was present. */
  async removeExposed (cidr: string): Promise<boolean> {
    requireValid('the exposed cidr', checkCidr(cidr))
    return await this.#remove('exposed', cidr)
  }

  // --- meta ---

  /** A small stored value (launch range, restart counters, ...), or undefined. */
  getMeta (key: string): unknown {
    if (checkMetaKey(key) !== undefined) return undefined
    return this.#read('meta', key, parseMetaValue)
  }

  /** Stores a msgpack-able value (see `checkStorable`) under `key`. */
  async putMeta (key: string, value: unknown): Promise<void> {
    requireValid('the meta key', checkMetaKey(key))
    if (value === undefined) throw invalid(`meta ${key}`, 'undefined cannot be stored; use deleteMeta')
    requireValid(`meta ${key}`, checkStorable(value))
    await this.#put('meta', key, { value })
  }

  /**
   * The meta values whose keys start with `prefix`, in key order (unreadable ones are skipped and
   * reported, as every read does; a caller that must not lose any keeps its own count).
   */
  listMeta (prefix: string): Array<[string, unknown]> {
    this.#assertOpen()
    const out: Array<[string, unknown]> = []
    for (const key of this.#dbs.meta.getKeys({ start: prefix })) {
      if (typeof key !== 'string' || !key.startsWith(prefix)) break
      const value = this.#decode('meta', key, parseMetaValue)
      if (value !== undefined) out.push([key, value])
    }
    return out
  }

  /**
   * Deletes `deletes`, then puts `puts`, in one transaction: all of them or none survive a crash.
   * Resolves once durable, like every write.
   */
  async writeMeta (puts: ReadonlyArray<readonly [string, unknown]>, deletes: readonly string[] = []): Promise<void> {
    for (const key of deletes) requireValid('the meta key', checkMetaKey(key))
    for (const [key, value] of puts) {
      requireValid('the meta key', checkMetaKey(key))
      if (value === undefined) throw invalid(`meta ${key}`, 'undefined cannot be stored; delete it instead')
      requireValid(`meta ${key}`, checkStorable(value))
    }
    const db = this.#dbs.meta
    await this.#write(`${puts.length + deletes.length} meta values`, () => db.transaction(() => {
      for (const key of deletes) db.removeSync(key)
      for (const [key, value] of puts) db.putSync(key, seal({ value }))
    }))
  }

  /** Deletes a meta value; true if it was present. */
  async deleteMeta (key: string): Promise<boolean> {
    requireValid('the meta key', checkMetaKey(key))
    return await this.#remove('meta', key)
  }

  /** Waits for pending writes to be flushed, then closes. Idempotent. */
  async close (): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await this.#root.flushed
    await this.#root.close()
  }

  // --- plumbing ---

  #assertOpen (): void {
    if (this.#closed) throw new StoreError('ERR_STORE_CLOSED', `the weft database at ${this.path} is closed; open it again with openStore`)
  }

  #report (db: string, key: string, reason: string): void {
    const id = `${db}\u0000${key}\u0000${reason}`
    if (this.#reported.has(id)) return
    this.#reported.add(id)
    try {
      this.#onCorrupt(db, key, reason)
    } catch {}
  }

  #decode<T> (db: DbName, key: string, parse: Parse<T>): T | undefined {
    let stored: unknown
    try {
      stored = this.#dbs[db].get(key)
    } catch (err) {
      this.#report(db, key, `stored value does not decode (corrupt): ${errorText(err)}`)
      return undefined
    }
    if (stored === undefined) return undefined
    const envelope = unseal(stored)
    const checked = envelope.ok ? parse(envelope.value) : envelope
    if (!checked.ok) {
      this.#report(db, key, checked.reason)
      return undefined
    }
    return checked.value
  }

  #read<T> (db: DbName, key: string, parse: Parse<T>): T | undefined {
    this.#assertOpen()
    return this.#decode(db, key, parse)
  }

  #list<T> (db: DbName, checkKey: (key: unknown) => string | undefined, parse: Parse<T>): Array<[string, T]> {
    this.#assertOpen()
    const out: Array<[string, T]> = []
    for (const key of this.#dbs[db].getKeys()) {
      const reason = checkKey(key)
      if (reason !== undefined) {
        this.#report(db, typeof key === 'string' ? key : describe(key), `bad key: ${reason}`)
        continue
      }
      const value = this.#decode(db, key as string, parse)
      if (value !== undefined) out.push([key as string, value])
    }
    return out
  }

  async #write<T> (what: string, action: () => Promise<T>): Promise<T> {
    this.#assertOpen()
    let result: T
    try {
      result = await action()
      await this.#root.flushed
    } catch (err) {
      if (err instanceof StoreError) throw err
      throw new StoreError('ERR_STORE_WRITE',
        `could not write ${what} to the weft database at ${this.path}: ${errorText(err)}; ` +
        'check free disk space and permissions, then retry', { cause: err })
    }
    return result
  }

  async #put (db: DbName, key: string, fields: RecordFields): Promise<void> {
    const target = this.#dbs[db]
    await this.#write(`${db}/${key}`, () => target.put(key, seal(fields)))
  }

  async #putIfAbsent (db: DbName, key: string, fields: RecordFields): Promise<void> {
    const target = this.#dbs[db]
    await this.#write(`${db}/${key}`, () => target.transaction(() => {
      // A present but unreadable record is replaced, which is what adding it again means.
      if (this.#decode(db, key, (f) => ({ ok: true, value: f })) === undefined) target.putSync(key, seal(fields))
    }))
  }

  async #remove (db: DbName, key: string): Promise<boolean> {
    const target = this.#dbs[db]
    return await this.#write(`${db}/${key}`, () => target.transaction(() => {
      if (!target.doesExist(key)) return false
      target.removeSync(key)
      return true
    }))
  }
}

/**
 * Opens (creating if needed) the store under `init.home`. Synchronous. An existing database is
 * first opened read-only in a child process (see open-probe), so damaged files give a StoreError
 * `ERR_STORE_OPEN` naming the path and what to do instead of crashing the router.
 */
export function openStore (init: StoreInit, components: StoreComponents = {}): Store {
  const path = join(init.home, STORE_DIR_NAME)
  let root: RootDatabase | undefined
  try {
    mkdirSync(init.home, { recursive: true, mode: STORE_DIR_MODE })
    mkdirSync(path, { recursive: true, mode: STORE_DIR_MODE })
    if (existsSync(join(path, STORE_DATA_FILE))) {
      const reason = probeOpen(path)
      if (reason !== undefined) {
        throw new StoreError('ERR_STORE_OPEN', `cannot open the weft database at ${path}: ${reason}; ` +
          'move the directory away to start afresh (the router then gets a new identity) or restore a backup')
      }
    }
    root = open(path, { ...STORE_LMDB_OPTIONS })
    const store = new Store(path, root, components)
    for (const file of readdirSync(path)) chmodSync(join(path, file), STORE_FILE_MODE)
    return store
  } catch (err) {
    if (root !== undefined) void root.close().catch(() => {})
    if (err instanceof StoreError) throw err
    throw openFailure(path, err)
  }
}
