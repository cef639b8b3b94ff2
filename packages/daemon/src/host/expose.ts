/**
 * Exposing the host on the overlay: an address of the weft range on the bridge, so the host
 * reaches containers (and they it) directly. Both operations are idempotent.
 */
import { formatCidr, parseCidr } from './cidr.js'
import { linkExists } from './links.js'
import { assertIfName } from './names.js'
import { ipJson, runIp, type HostComponents } from './run-ip.js'

interface IpAddrLink {
  addr_info?: Array<{ local?: string; prefixlen?: number }>
}

/** Adds `cidr` (e.g. `10.32.0.254/12`) to the bridge, unless it is there already. */
export async function exposeOnBridge (bridge: string, cidr: string, components: HostComponents = {}): Promise<void> {
  assertIfName(bridge, 'bridge name')
  const c = parseCidr(cidr)
  await runIp(['addr', 'replace', formatCidr(c), 'dev', bridge], {}, components)
}

/** Removes `cidr` from the bridge; nothing happens if it (or the bridge) is not there. */
export async function hideOnBridge (bridge: string, cidr: string, components: HostComponents = {}): Promise<void> {
  assertIfName(bridge, 'bridge name')
  const c = parseCidr(cidr)
  if (!(await linkExists(bridge, {}, components))) return
  const links = await ipJson<IpAddrLink[]>(['addr', 'show', 'dev', bridge], {}, components)
  const present = (links[0]?.addr_info ?? []).some((a) => a.local !== undefined && a.prefixlen === c.prefix && sameAddress(a.local, c.address))
  if (!present) return
  await runIp(['addr', 'del', formatCidr(c), 'dev', bridge], {}, components)
}

function sameAddress (shown: string, canonical: string): boolean {
  try {
    return parseCidr(`${shown}/0`).address === canonical
  } catch {
    return false
  }
}
