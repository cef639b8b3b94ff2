/**
 * Host plumbing: the bridge, containers' veth pairs and namespaces, exposed addresses, all
 * through `ip` (iproute2) run with `execFile`, in the caller's network namespace.
 *
 * @example
 * await ensureBridge('weft', 1376)
 * await createNetns('weft-web')
 * const { mac } = await attachContainer({
 *   target: { kind: 'name', value: 'weft-web' }, hostVeth: hostVethName('web', salt),
 *   bridge: 'weft', mtu: 1376, cidrs: ['10.32.0.5/12'],
 * })
 */
export { HostError } from './host-error.js'
export type { HostErrorCode } from './host-error.js'
export {
  DEFAULT_CONTAINER_IFNAME, HOST_COMMAND_TIMEOUT_MS, IFNAME_MAX_CHARS, IP_COMMAND, NETNS_RUN_DIR,
} from './constants.js'
export { cidrNetwork, formatCidr, parseCidr } from './cidr.js'
export type { Cidr } from './cidr.js'
export { assertIfName, assertMtu, assertNetnsName } from './names.js'
export { commandLine, execFileExec, ipJson, isNoSuchDevice, runIp } from './run-ip.js'
export type { HostComponents, HostExec, RunIpOptions } from './run-ip.js'
export { attachToBridge, deleteLink, ensureBridge, linkExists, linkMac, setMtu, setUp } from './links.js'
export type { LinkScope } from './links.js'
export {
  assertTargetExists, createNetns, deleteNetns, netnsExists, resolveNetnsTarget, withNetnsName,
} from './netns.js'
export type { NetnsTarget } from './netns.js'
export { addContainerAddresses, attachContainer, detachContainer, removeContainerAddresses } from './container-link.js'
export type { AttachContainerOptions, DetachContainerOptions } from './container-link.js'
export { exposeOnBridge, hideOnBridge } from './expose.js'
export { hostVethName } from './host-veth-name.js'
