// Names as the CRDT holds them: relative to the DNS domain (`web`, not `web.weft.local.`; the DNS
// layer strips and appends the domain), dot-separated labels of letters, digits, `_` and `-`.
// Matching is case-insensitive on the lowercase form; the registered case is kept for answers.

import { MAX_LABEL_CHARS, MAX_NAME_CHARS } from './constants.js'
import { NamesError, describeValue } from './errors.js'

const LABEL = new RegExp(`^[A-Za-z0-9_-]{1,${MAX_LABEL_CHARS}}$`)

/** Whether `s` is a name the CRDT accepts (see the file comment). */
export function isName(s: unknown): s is string {
  if (typeof s !== 'string' || s.length < 1 || s.length > MAX_NAME_CHARS) return false
  for (const label of s.split('.')) if (!LABEL.test(label)) return false
  return true
}

/** The lowercase form names are matched on (ASCII only: every valid name is ASCII). */
export function canonicalName(s: string): string {
  return s.toLowerCase()
}

/** Throws `ERR_BAD_NAME` unless `s` is a valid name. */
export function assertName(s: unknown): asserts s is string {
  if (!isName(s)) {
    throw new NamesError('ERR_BAD_NAME',
      `name ${describeValue(s)} is not 1-${MAX_NAME_CHARS} characters of dot-separated labels of [A-Za-z0-9_-], ` +
      `each 1-${MAX_LABEL_CHARS}; give the name without the DNS domain`)
  }
}

/**
 * The lowercase form of what a lookup asked for, forgiving one trailing dot, or null if it cannot
 * be a name (a lookup of it finds nothing).
 */
export function lookupKey(s: unknown): string | null {
  if (typeof s !== 'string') return null
  const bare = s.endsWith('.') ? s.slice(0, -1) : s
  return isName(bare) ? canonicalName(bare) : null
}
