/**
 * The weft router daemon: control connections and handshakes, data sessions, host plumbing,
 * containers, the control API and metrics. `main.js` is the router process itself.
 *
 * @example
 * const config = parseLaunchArgs(['198.18.0.11'], process.env)
 * const router = new Router(config, createLogger('info', config.nickname), () => process.exit(0))
 * await router.start()
 */
export { parseLaunchArgs, readSecretFile, LAUNCH_USAGE } from './config.js'
export type { RouterConfig } from './config.js'
export { Router } from './router.js'
export { createLogger } from './logger.js'
export { DaemonError } from './errors.js'
export { parsePeerAddress, formatPeerAddress, plainAddress } from './peer-address.js'
export type { PeerAddress } from './peer-address.js'
export { ContainerManager, processAlive } from './containers.js'
export type { ContainerEvent, ContainerListener } from './containers.js'
export { deleteLink } from './host/index.js'
export { removeDnsRouting, removeNetnsResolvConf } from './dns/dns-plumbing.js'
export { NETNS_ETC_DIR } from './dns/constants.js'
export * from './constants.js'
