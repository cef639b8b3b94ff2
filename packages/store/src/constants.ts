/** Sub-directory of WEFT_HOME that holds the LMDB environment (`data.mdb`, `lock.mdb`). */
export const STORE_DIR_NAME = 'db'

/** Mode for WEFT_HOME and `<home>/db` when the store creates them: only the owner may enter. */
export const STORE_DIR_MODE = 0o700

/** Mode the store sets on every file in `<home>/db` after opening. */
export const STORE_FILE_MODE = 0o600

/** Version written into every stored record (`v`); records with a larger `v` are skipped. */
export const STORE_RECORD_VERSION = 1

/** Longest container name and meta key, in characters. */
export const STORE_NAME_MAX_CHARS = 64

/** Longest target address (`host:port`, a 253-char host name plus port), in characters. */
export const STORE_TARGET_MAX_CHARS = 261

/** Longest network namespace reference kept in a container record, in characters. */
export const STORE_NETNS_MAX_CHARS = 255

/** Longest Linux interface name (IFNAMSIZ - 1), in characters. */
export const STORE_IFNAME_MAX_CHARS = 15

/** Most addresses one container record may hold. */
export const STORE_CIDRS_MAX = 64

/** Most arguments a stored container command may have. */
export const STORE_COMMAND_MAX_ARGS = 4096

/** Longest network secret, in characters. */
export const STORE_SECRET_MAX_CHARS = 4096

/** Length of the Ed25519 secret key (seed + public key), in bytes. */
export const IDENTITY_SECRET_KEY_BYTES = 64

/** Deepest nesting accepted in a meta value. */
export const STORE_META_MAX_DEPTH = 32

/** Names of the sub-databases inside the one LMDB environment. */
export const STORE_DB_NAMES = Object.freeze({
  identity: 'identity',
  targets: 'targets',
  containers: 'containers',
  exposed: 'exposed',
  meta: 'meta',
} as const)

/** Key of the identity secret key in the `identity` sub-database. */
export const IDENTITY_SECRET_KEY_KEY = 'secretKey'

/** Key of the network secret in the `identity` sub-database. */
export const NETWORK_SECRET_KEY = 'secret'

/**
 * Options the root LMDB environment is opened with. Everything durability depends on is left at
 * lmdb-js's safe defaults: no `noSync`, `noMetaSync`, `useWritemap` or `mapAsync`; on Linux that
 * means `overlappingSync` (commits are written, then fsync'd outside the writer lock, and
 * `root.flushed` resolves once the OS reports the flush). `maxDbs` only leaves room for the
 * sub-databases above and a few more.
 */
export const STORE_LMDB_OPTIONS = Object.freeze({
  maxDbs: 16,
})

/**
 * Options every sub-database is opened with: msgpack values as plain maps (no msgpackr record
 * extension, so each value decodes on its own and any msgpack reader can inspect it).
 */
export const STORE_DB_OPTIONS = Object.freeze({
  encoding: 'msgpack' as const,
  encoder: Object.freeze({ useRecords: false }),
})

/** Longest a trial open of an existing database in a child process may take (see open-probe). */
export const STORE_PROBE_TIMEOUT_MS = 30_000

/** File name of LMDB's data file inside `<home>/db`. */
export const STORE_DATA_FILE = 'data.mdb'
