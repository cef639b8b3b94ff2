/**
 * Joining a container's network namespace to the bridge with a veth pair, and taking it apart.
 *
 *   host namespace                         container namespace
 *   ┌─────────────────────┐               ┌─────────────────────┐
 *   │ bridge ── hostVeth ─┼───── veth ────┼─ ifName (ethwe)     │
 *   └─────────────────────┘               │   cidrs, up; lo up  │
 *                                         └─────────────────────┘
 *
 * attachContainer stages, in order:
 *   1. check every argument and that the target namespace exists (nothing created yet)
 *   2. refuse if hostVeth exists already (it is not ours to clean up)
 *   3. create the pair: hostVeth <-> a temporary name, both in the host namespace
 *   4. MTU on both ends, hostVeth into the bridge
 *   5. move the peer into the target, rename it ifName, add the addresses (each brings its
 *      subnet route), routes if asked, bring lo and ifName up (no default route)
 *   6. bring hostVeth up, read the container-side MAC
 * A failure in 3-6 deletes hostVeth, which takes the peer with it wherever it is.
 */
import { randomBytes } from 'node:crypto'
import { cidrNetwork, formatCidr, parseCidr } from './cidr.js'
import { DEFAULT_CONTAINER_IFNAME, TEMP_VETH_PREFIX } from './constants.js'
import { HostError } from './host-error.js'
import { attachToBridge, deleteLink, linkExists, linkMac, setMtu, setUp } from './links.js'
import { assertIfName, assertMtu } from './names.js'
import { assertTargetExists, withNetnsName, type NetnsTarget } from './netns.js'
import { runIp, type HostComponents } from './run-ip.js'

export interface AttachContainerOptions {
  target: NetnsTarget
  /** Host end of the veth pair, at most 15 characters (see hostVethName). */
  hostVeth: string
  /** Interface name inside the container. Default `ethwe`. */
  ifName?: string
  /** Bridge the host end joins. */
  bridge: string
  /** MTU of both ends (bytes). */
  mtu: number
  /** Addresses with prefix, e.g. `10.32.1.1/12`. */
  cidrs: string[]
  /** Extra routes via ifName (`10.40.0.0/16`); host bits are cleared. */
  routes?: string[]
}

export interface DetachContainerOptions {
  target: NetnsTarget
  hostVeth: string
  ifName: string
}

/** Attaches a container; resolves with the container-side MAC. See the stages above. */
export async function attachContainer (opts: AttachContainerOptions, components: HostComponents = {}): Promise<{ mac: string }> {
  // 1. arguments and target
  const ifName = opts.ifName ?? DEFAULT_CONTAINER_IFNAME
  assertIfName(opts.hostVeth, 'host veth name')
  assertIfName(ifName, 'container interface name')
  assertIfName(opts.bridge, 'bridge name')
  assertMtu(opts.mtu)
  if (!Array.isArray(opts.cidrs)) throw new HostError('ERR_BAD_CIDR', 'cidrs must be a list of address/prefix strings')
  const cidrs = opts.cidrs.map((c) => formatCidr(parseCidr(c)))
  const routes = (opts.routes ?? []).map((r) => formatCidr(cidrNetwork(parseCidr(r))))
  assertTargetExists(opts.target)

  // 2. hostVeth must be new
  if (await linkExists(opts.hostVeth, {}, components)) {
    throw new HostError('ERR_CONTAINER_EXISTS', `link ${opts.hostVeth} exists already: detach the container that owns it first`)
  }

  // 3. the pair
  const peer = TEMP_VETH_PREFIX + randomBytes(5).toString('hex')
  await runIp(['link', 'add', 'name', opts.hostVeth, 'type', 'veth', 'peer', 'name', peer], {}, components)
  try {
    // 4. host side
    await setMtu(opts.hostVeth, opts.mtu, {}, components)
    await setMtu(peer, opts.mtu, {}, components)
    await attachToBridge(opts.hostVeth, opts.bridge, components)

    // 5. container side
    await runIp(['link', 'set', 'dev', peer, 'netns', opts.target.value], {}, components)
    const mac = await withNetnsName(opts.target, async (netns) => {
      await runIp(['link', 'set', 'dev', peer, 'name', ifName], { netns }, components)
      for (const cidr of cidrs) await runIp(['addr', 'add', cidr, 'dev', ifName], { netns }, components)
      await setUp('lo', { netns }, components)
      await setUp(ifName, { netns }, components)
      for (const route of routes) await runIp(['route', 'replace', route, 'dev', ifName], { netns }, components)
      return await linkMac(ifName, { netns }, components)
    }, components)

    // 6. host side up
    await setUp(opts.hostVeth, {}, components)
    return { mac }
  } catch (err) {
    try {
      await deleteLink(opts.hostVeth, {}, components)
    } catch {
      // Report the failure that stopped the attach, not the clean-up's.
    }
    throw err
  }
}

/**
 * Detaches a container: deletes hostVeth (which removes both ends). If hostVeth is gone but a
 * named target namespace still has ifName, deletes that. Missing pieces are fine. A PID target
 * is never entered here: once its veth is gone the process may have died and its PID been
 * reused by an unrelated process.
 */
export async function detachContainer (opts: DetachContainerOptions, components: HostComponents = {}): Promise<void> {
  assertIfName(opts.hostVeth, 'host veth name')
  assertIfName(opts.ifName, 'container interface name')
  if (await linkExists(opts.hostVeth, {}, components)) {
    await deleteLink(opts.hostVeth, {}, components)
    return
  }
  if (opts.target.kind !== 'name') return
  try {
    assertTargetExists(opts.target)
  } catch (err) {
    if (err instanceof HostError && err.code === 'ERR_NETNS_NOT_FOUND') return
    throw err
  }
  await withNetnsName(opts.target, (netns) => deleteLink(opts.ifName, { netns }, components), components)
}

/** Adds addresses to a container's interface (idempotent: `ip addr replace`). */
export async function addContainerAddresses (target: NetnsTarget, ifName: string, cidrs: string[], components: HostComponents = {}): Promise<void> {
  assertIfName(ifName, 'container interface name')
  const list = cidrs.map((c) => formatCidr(parseCidr(c)))
  assertTargetExists(target)
  await withNetnsName(target, async (netns) => {
    for (const cidr of list) await runIp(['addr', 'replace', cidr, 'dev', ifName], { netns }, components)
  }, components)
}

/** Removes addresses from a container's interface; ones it does not have are ignored. */
export async function removeContainerAddresses (target: NetnsTarget, ifName: string, cidrs: string[], components: HostComponents = {}): Promise<void> {
  assertIfName(ifName, 'container interface name')
  const list = cidrs.map((c) => formatCidr(parseCidr(c)))
  assertTargetExists(target)
  await withNetnsName(target, async (netns) => {
    for (const cidr of list) await runIp(['addr', 'del', cidr, 'dev', ifName], { netns, allowFail: true }, components)
  }, components)
}
