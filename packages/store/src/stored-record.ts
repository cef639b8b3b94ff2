/**
 * The envelope every stored value has: a msgpack map with a record version `v` next to the
 * record's own fields.
 *
 *   { v: 1, ...fields }
 *
 * `v` larger than STORE_RECORD_VERSION means a newer weft wrote the record; this build skips it
 * (reporting it through `onCorrupt`) instead of guessing at its meaning.
 */
import { STORE_RECORD_VERSION } from './constants.js'

/** A check result: the parsed value, or why the stored bytes were not acceptable. */
export type Checked<T> = { ok: true; value: T } | { ok: false; reason: string }

/** The fields of a stored envelope, version removed. */
export type RecordFields = Record<string, unknown>

/** True for an object that is neither an array nor a byte array. */
export function isPlainObject (value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  if (value instanceof Uint8Array || value instanceof Date) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/** Wraps `fields` into the stored envelope of the current version. */
export function seal (fields: RecordFields): RecordFields {
  return { v: STORE_RECORD_VERSION, ...fields }
}

/** Opens a stored envelope: its fields, or why it cannot be read by this build. */
export function unseal (stored: unknown): Checked<RecordFields> {
  if (!isPlainObject(stored)) return { ok: false, reason: 'stored value is not a record (corrupt)' }
  const v = stored.v
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) {
    return { ok: false, reason: 'stored record has no valid version field (corrupt)' }
  }
  if (v > STORE_RECORD_VERSION) {
    return {
      ok: false,
      reason: `record version ${v} was written by a newer weft (this build reads up to ${STORE_RECORD_VERSION}); upgrade weft to use it`,
    }
  }
  const { v: _v, ...fields } = stored
  return { ok: true, value: fields }
}
