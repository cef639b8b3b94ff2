/**
 * The lab naming pattern. Everything the lab creates or deletes is named after a per-run prefix
 * `w<base36 pid><3 random base36 chars>`:
 *
 *   prefix            w3f2kq7x            (pid 0x3f2k in base36, random "q7x")
 *   host namespace    w3f2kq7x-h1
 *   switch namespace  w3f2kq7x-sw
 *   weft containers   w3f2kq7x-h1-c1      (WEFT_NETNS_PREFIX=w3f2kq7x-h1-)
 *   switch port       w3f2kq7xh1          (<= 15 chars, lives only in the switch namespace)
 *   files             $TMPDIR/weft-lab-w3f2kq7x/
 *
 * Only names matching `isLabNamespace` can ever be deleted (see `netns.ts`).
 */
import { randomInt } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LAB_DIR_PREFIX } from './constants.js'
import { LabError } from './errors.js'

const PREFIX_RE = /^w([0-9a-z]{1,5})([0-9a-z]{3})$/
const NAMESPACE_RE = /^(w[0-9a-z]{4,8})-[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/
const HOST_RE = /^[a-z0-9]{1,6}$/
const RANDOM_CHARS = 3
const BASE36 = 36

/** A fresh prefix for a lab of this process. */
export function makeLabPrefix (pid: number = process.pid): string {
  let random = ''
  for (let i = 0; i < RANDOM_CHARS; i++) random += randomInt(BASE36).toString(BASE36)
  return `w${pid.toString(BASE36)}${random}`
}

/** True if `prefix` has the lab prefix shape `w<base36 pid><3 chars>`. */
export function isLabPrefix (prefix: string): boolean {
  return PREFIX_RE.test(prefix)
}

/** The PID a lab prefix encodes, or undefined if `prefix` is not a lab prefix. */
export function labPrefixPid (prefix: string): number | undefined {
  const m = PREFIX_RE.exec(prefix)
  if (m === null) return undefined
  const pid = parseInt(m[1], BASE36)
  return pid > 0 ? pid : undefined
}

/**
 * True if `name` is a namespace of a lab: `<prefix>-<rest>`; with `prefix` given, of that lab.
 */
export function isLabNamespace (name: string, prefix?: string): boolean {
  const m = NAMESPACE_RE.exec(name)
  if (m === null || !isLabPrefix(m[1])) return false
  return prefix === undefined || m[1] === prefix
}

/** The prefix part of a lab namespace name, or undefined. */
export function labNamespacePrefix (name: string): string | undefined {
  if (!isLabNamespace(name)) return undefined
  return name.slice(0, name.indexOf('-'))
}

/** True if `name` is an acceptable lab host name (`[a-z0-9]{1,6}`, not the switch's). */
export function isLabHostName (name: string): boolean {
  return HOST_RE.test(name) && name !== 'sw'
}

/** The directory holding a lab's files: `os.tmpdir()/weft-lab-<prefix>`. */
export function labDirPath (prefix: string): string {
  if (!isLabPrefix(prefix)) throw new LabError('ERR_LAB_NAME', `"${prefix}" is not a lab prefix`)
  return join(tmpdir(), `${LAB_DIR_PREFIX}${prefix}`)
}
