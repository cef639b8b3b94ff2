/**
 * A container the router attached: its network namespace, the veth pair joining it to the
 * bridge, its addresses, and what runs in it. Validated the same way on write (bad input is a
 * StoreError) and on read (a bad record is skipped and reported).
 */
import { STORE_CIDRS_MAX, STORE_COMMAND_MAX_ARGS } from './constants.js'
import { checkCidr, checkIfName, checkMac, checkName, checkNetns } from './field-checks.js'
import { isPlainObject, type Checked } from './stored-record.js'

export interface ContainerRecord {
  /** The container name, also its DNS name (`NAME.weft.local`). */
  name: string
  /** Its network namespace: a name under /run/netns, or what the router attached by PID. */
  netns: string
  /** True if `weft run` created the namespace (so `weft rm` deletes it); false if attached. */
  ownsNetns: boolean
  /** The host end of the veth pair, a port of the bridge. */
  hostVeth: string
  /** The interface inside the container (usually `ethwe`). */
  ifName: string
  /** The container-side MAC address, lowercase colon form. */
  mac: string
  /** Its addresses with prefix (`10.32.1.1/12`). */
  cidrs: string[]
  /** PID of the process running in it, when the router started one. */
  pid?: number
  /** When it was attached, milliseconds since the epoch. */
  createdAt: number
  /** The command run in it, when the router started one. */
  command?: string[]
}

function fail (reason: string): Checked<ContainerRecord> {
  return { ok: false, reason }
}

function checkCidrs (value: unknown): string | undefined {
  if (!Array.isArray(value)) return 'cidrs is not an array'
  if (value.length > STORE_CIDRS_MAX) return `cidrs holds ${value.length} entries, at most ${STORE_CIDRS_MAX} allowed`
  for (const cidr of value) {
    const reason = checkCidr(cidr)
    if (reason !== undefined) return reason
  }
  return undefined
}

function checkCommand (value: unknown): string | undefined {
  if (!Array.isArray(value)) return 'command is not an array'
  if (value.length > STORE_COMMAND_MAX_ARGS) return `command has ${value.length} arguments, at most ${STORE_COMMAND_MAX_ARGS} allowed`
  for (const arg of value) {
    if (typeof arg !== 'string') return 'command holds a non-string argument'
  }
  return undefined
}

/**
 * Checks `value` as a container record and returns a fresh copy holding only the known fields
 * (unknown fields are dropped, absent optional fields stay absent). Never throws.
 */
export function parseContainerRecord (value: unknown): Checked<ContainerRecord> {
  if (!isPlainObject(value)) return fail('container record is not an object')
  const r = value
  const reason = checkName(r.name) ?? checkNetns(r.netns) ??
    (typeof r.ownsNetns === 'boolean' ? undefined : 'ownsNetns is not a boolean') ??
    checkIfName('hostVeth', r.hostVeth) ?? checkIfName('ifName', r.ifName) ?? checkMac(r.mac) ??
    checkCidrs(r.cidrs) ??
    (r.pid === undefined || (Number.isSafeInteger(r.pid) && (r.pid as number) > 0) ? undefined : 'pid is not a positive integer') ??
    (typeof r.createdAt === 'number' && Number.isFinite(r.createdAt) && r.createdAt >= 0 ? undefined : 'createdAt is not a non-negative number') ??
    (r.command === undefined ? undefined : checkCommand(r.command))
  if (reason !== undefined) return fail(reason)
  const record: ContainerRecord = {
    name: r.name as string,
    netns: r.netns as string,
    ownsNetns: r.ownsNetns as boolean,
    hostVeth: r.hostVeth as string,
    ifName: r.ifName as string,
    mac: r.mac as string,
    cidrs: [...(r.cidrs as string[])],
    createdAt: r.createdAt as number,
  }
  if (r.pid !== undefined) record.pid = r.pid as number
  if (r.command !== undefined) record.command = [...(r.command as string[])]
  return { ok: true, value: record }
}
