// Bytes of a snapshot, for a key-value store, and the check every loaded snapshot passes:
//
//   { "v": 1,                  SNAPSHOT_FORMAT_VERSION
//     "i": bin 32              selfId
//     "r": str                 range CIDR
//     "s": bin                 the ipam state (ipam-codec.ts bytes)
//     "a": [ [containerId str, address str, subnet str], ... ] }
//
// A snapshot is trusted more than a gossip message but still checked: a store that hands back
// something else (a bug, a half-written record from an older version) makes the allocator refuse
// to start rather than forget addresses it gave out.

import { describeValue, safePackr, safeUnpackr, scanMsgpack } from '@weft/wire'
import { MAX_CONTAINER_ID_CHARS, MAX_SNAPSHOT_ALLOCATIONS, SNAPSHOT_FORMAT_VERSION } from './constants.js'
import { IpamError } from './errors.js'
import { formatCidr, parseAddress, parseCidr } from './cidr.js'
import { decodeIpam } from './ipam-codec.js'
import { isPeerId } from './ring-entry.js'
import type { IpamSnapshot, SnapshotAllocation } from './ipam-store.js'

const badSnapshot = (what: string): IpamError =>
  new IpamError('ERR_BAD_SNAPSHOT', `the stored IPAM snapshot is unusable: ${what}; restore a backup or remove it to start afresh (its addresses may then be given out twice)`)

/** Whether `id` is an acceptable container id: 1 to 256 printable characters. */
export function isContainerId(id: unknown): id is string {
  return typeof id === 'string' && id.length >= 1 && id.length <= MAX_CONTAINER_ID_CHARS && !/[\u0000-\u001f\u007f]/.test(id)
}

export function encodeSnapshot(s: IpamSnapshot): Uint8Array {
  return safePackr.pack({
    v: SNAPSHOT_FORMAT_VERSION,
    i: Buffer.from(s.selfId, 'hex'),
    r: s.range,
    s: Buffer.from(s.state.buffer, s.state.byteOffset, s.state.byteLength),
    a: s.allocations.map((a) => [a.containerId, a.address, a.subnet]),
  })
}

/** Decodes and checks snapshot bytes; throws `ERR_BAD_SNAPSHOT`. */
export function decodeSnapshot(bytes: Uint8Array): IpamSnapshot {
  if (!(bytes instanceof Uint8Array)) throw badSnapshot(`expected bytes, got ${describeValue(bytes)}`)
  const problem = scanMsgpack(bytes, 3)
  if (problem !== null) throw badSnapshot(problem)
  let v: unknown
  try {
    v = safeUnpackr.unpack(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
  } catch (error) {
    throw badSnapshot(`msgpack decoding failed (${(error as Error).message.slice(0, 80)})`)
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Uint8Array) throw badSnapshot('not a map')
  const m = v as Record<string, unknown>
  if (m.v !== SNAPSHOT_FORMAT_VERSION) throw badSnapshot(`format version ${describeValue(m.v)}, expected ${SNAPSHOT_FORMAT_VERSION}`)
  if (!(m.i instanceof Uint8Array) || !(m.s instanceof Uint8Array) || !Array.isArray(m.a)) throw badSnapshot('missing or mistyped fields')
  const allocations = m.a.map((t: unknown): SnapshotAllocation => {
    if (!Array.isArray(t) || t.length !== 3) throw badSnapshot('an allocation is not [container, address, subnet]')
    return { containerId: t[0] as string, address: t[1] as string, subnet: t[2] as string }
  })
  return checkSnapshot({ selfId: Buffer.from(m.i).toString('hex'), range: m.r as string, state: m.s, allocations })
}

/**
 * Checks a snapshot (as `load()` returned it): ids, range, state bytes, and allocations that are
 * addresses inside their subnet, one per container and subnet, no address twice. Returns it.
 */
export function checkSnapshot(s: IpamSnapshot): IpamSnapshot {
  if (typeof s !== 'object' || s === null) throw badSnapshot('not an object')
  if (!isPeerId(s.selfId)) throw badSnapshot('selfId is not a peer id')
  try {
    parseCidr(s.range)
  } catch (error) {
    throw badSnapshot(`range: ${(error as Error).message}`)
  }
  if (!(s.state instanceof Uint8Array)) throw badSnapshot('state is not bytes')
  try {
    decodeIpam(s.state)
  } catch (error) {
    throw badSnapshot(`state: ${(error as Error).message}`)
  }
  if (!Array.isArray(s.allocations) || s.allocations.length > MAX_SNAPSHOT_ALLOCATIONS) throw badSnapshot('allocations is not a list')
  const seen = new Set<string>()
  for (const a of s.allocations) {
    if (!isContainerId(a?.containerId)) throw badSnapshot(`container id ${describeValue(a?.containerId)}`)
    let address: number
    try {
      address = parseAddress(a.address)
      const subnet = parseCidr(a.subnet)
      if (address < subnet.base || address >= subnet.base + subnet.size) throw new Error(`${a.address} is outside ${a.subnet}`)
      const key = `${a.containerId}\n${formatCidr(subnet)}`
      if (seen.has(key)) throw new Error(`container ${a.containerId} has two addresses in ${a.subnet}`)
      seen.add(key)
    } catch (error) {
      throw badSnapshot(`allocation: ${(error as Error).message}`)
    }
    if (seen.has(`@${address}`)) throw badSnapshot(`address ${a.address} is allocated twice`)
    seen.add(`@${address}`)
  }
  return s
}
