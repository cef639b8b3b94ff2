/**
 * Links in the current network namespace (or a named one): the bridge, bridge ports, MTU,
 * state, existence, deletion and MAC address. Names and MTUs are checked before any command.
 */
import { HostError } from './host-error.js'
import { assertIfName, assertMtu } from './names.js'
import { ipJson, isNoSuchDevice, runIp, type HostComponents } from './run-ip.js'

interface IpLink {
  ifname: string
  address?: string
  mtu?: number
  linkinfo?: { info_kind?: string }
}

const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/

/** Where a link is: the current namespace unless `netns` names one. */
export interface LinkScope {
  netns?: string
}

async function showLink (ifName: string, scope: LinkScope, components: HostComponents, details = false): Promise<IpLink | undefined> {
  try {
    const links = await ipJson<IpLink[]>([...(details ? ['-d'] : []), 'link', 'show', 'dev', ifName], scope, components)
    return links[0]
  } catch (err) {
    if (isNoSuchDevice(err)) return undefined
    throw err
  }
}

/** True if a link named `ifName` exists. */
export async function linkExists (ifName: string, scope: LinkScope = {}, components: HostComponents = {}): Promise<boolean> {
  assertIfName(ifName)
  return (await showLink(ifName, scope, components)) !== undefined
}

/** Deletes a link; nothing happens if it is not there. Deleting one end of a veth removes both. */
export async function deleteLink (ifName: string, scope: LinkScope = {}, components: HostComponents = {}): Promise<void> {
  assertIfName(ifName)
  if (!(await linkExists(ifName, scope, components))) return
  try {
    await runIp(['link', 'del', 'dev', ifName], scope, components)
  } catch (err) {
    if (!isNoSuchDevice(err)) throw err
  }
}

/** Sets a link's MTU (bytes). */
export async function setMtu (ifName: string, mtu: number, scope: LinkScope = {}, components: HostComponents = {}): Promise<void> {
  assertIfName(ifName)
  assertMtu(mtu)
  await runIp(['link', 'set', 'dev', ifName, 'mtu', String(mtu)], scope, components)
}

/** Brings a link up. */
export async function setUp (ifName: string, scope: LinkScope = {}, components: HostComponents = {}): Promise<void> {
  assertIfName(ifName)
  await runIp(['link', 'set', 'dev', ifName, 'up'], scope, components)
}

/** Makes `ifName` a port of `bridge`. */
export async function attachToBridge (ifName: string, bridge: string, components: HostComponents = {}): Promise<void> {
  assertIfName(ifName)
  assertIfName(bridge, 'bridge name')
  await runIp(['link', 'set', 'dev', ifName, 'master', bridge], {}, components)
}

/** The MAC address of a link, lowercase colon form. */
export async function linkMac (ifName: string, scope: LinkScope = {}, components: HostComponents = {}): Promise<string> {
  assertIfName(ifName)
  const link = await showLink(ifName, scope, components)
  if (link === undefined) {
    throw new HostError('ERR_HOST_COMMAND', `link ${ifName} does not exist${scope.netns !== undefined ? ` in namespace ${scope.netns}` : ''}, so it has no MAC address`)
  }
  const mac = String(link.address ?? '').toLowerCase()
  if (!MAC_RE.test(mac)) throw new HostError('ERR_HOST_COMMAND', `link ${ifName} has no Ethernet address (got ${JSON.stringify(link.address)})`)
  return mac
}

/**
 * Creates the bridge if missing, sets its MTU and brings it up. Idempotent. Throws
 * `ERR_LINK_KIND` if `name` is taken by a link that is not a bridge.
 */
export async function ensureBridge (name: string, mtu: number, components: HostComponents = {}): Promise<void> {
  assertIfName(name, 'bridge name')
  assertMtu(mtu)
  let link = await showLink(name, {}, components, true)
  if (link === undefined) {
    try {
      await runIp(['link', 'add', 'name', name, 'type', 'bridge'], {}, components)
    } catch (err) {
      // Another router (or a second launch) may have created it between the check and the add.
      if (!(err instanceof HostError && /File exists/i.test(err.stderr ?? ''))) throw err
    }
    link = await showLink(name, {}, components, true)
  }
  if (link?.linkinfo?.info_kind !== 'bridge') {
    throw new HostError('ERR_LINK_KIND', `link ${name} exists and is not a bridge (${link?.linkinfo?.info_kind ?? 'no kind'}): delete it or choose another bridge name`)
  }
  if (link.mtu !== mtu) await setMtu(name, mtu, {}, components)
  await setUp(name, {}, components)
}
