// Field kinds of control messages: each knows what it accepts and says so in plain words, so a
// message schema is a table of `name: kind` and every rejection names the rule that failed.

import { isIpLiteral } from './ip-literal.js'

/** One field kind of a control message schema. */
export interface FieldSpec<T> {
  /** What a valid value is, for error messages and docs: "an integer in 0..65535". */
  readonly expects: string
  /** Whether `value` (as msgpack decoded it, or as a caller passed it) is valid. */
  accepts(value: unknown): value is T
}

/** An integer in `min..max` (both inclusive, both within the safe integer range). */
export function uint(min: number, max: number): FieldSpec<number> {
  return {
    expects: `an integer in ${min}..${max}`,
    accepts: (value): value is number =>
      typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max,
  }
}

/** An unsigned 16-bit integer. */
export const u16: FieldSpec<number> = uint(0, 0xffff)

/** An unsigned 32-bit integer. */
export const u32: FieldSpec<number> = uint(0, 0xffffffff)

/** Any finite number (integer or not): no NaN, no infinity. */
export const finite: FieldSpec<number> = {
  expects: 'a finite number',
  accepts: (value): value is number => typeof value === 'number' && Number.isFinite(value),
}

/** `true` or `false`. */
export const bool: FieldSpec<boolean> = {
  expects: 'a boolean',
  accepts: (value): value is boolean => typeof value === 'boolean',
}

/** No control characters (C0, DEL, C1) and no lone surrogates: safe to print and to log. */
const PRINTABLE = /^[^\p{Cc}\p{Cs}]*$/u

/**
 * A string of `min..max` UTF-16 code units matching `pattern` (by default: printable, see
 * PRINTABLE). `patternText` describes the pattern in the error message.
 */
export function str(min: number, max: number, pattern: RegExp = PRINTABLE,
  patternText = 'without control characters'): FieldSpec<string> {
  return {
    expects: `a string of ${min}..${max} chars ${patternText}`,
    // The length check comes first: the pattern never runs on an oversized string.
    accepts: (value): value is string =>
      typeof value === 'string' && value.length >= min && value.length <= max && pattern.test(value),
  }
}

/** Binary data (msgpack bin) of exactly `length` bytes, or of at most `max` bytes. */
export function bytes(size: { length: number } | { max: number }): FieldSpec<Uint8Array> {
  const exact = 'length' in size
  const limit = exact ? size.length : size.max
  return {
    expects: exact ? `binary data of exactly ${limit} bytes` : `binary data of at most ${limit} bytes`,
    accepts: (value): value is Uint8Array =>
      value instanceof Uint8Array && (exact ? value.length === limit : value.length <= limit),
  }
}

/** An array of at most `maxEntries` IP address literals (see `isIpLiteral`). */
export function ipList(maxEntries: number): FieldSpec<string[]> {
  return {
    expects: `an array of at most ${maxEntries} IP address literals`,
    accepts: (value): value is string[] => {
      if (!Array.isArray(value) || value.length > maxEntries) return false
      // A plain loop, not `every`: `every` skips the holes of a sparse array.
      for (let i = 0; i < value.length; i++) {
        const entry: unknown = value[i]
        if (typeof entry !== 'string' || !isIpLiteral(entry)) return false
      }
      return true
    },
  }
}
