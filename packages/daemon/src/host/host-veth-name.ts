import { createHash } from 'node:crypto'
import { HOST_VETH_HASH_CHARS, HOST_VETH_PREFIX } from './constants.js'

/**
 * The host-side veth name of a container: `vw` + 10 hex characters of
 * SHA-256(salt NUL name). Deterministic (a restarted router finds its links again), 12
 * characters (within IFNAMSIZ), and salted so routers sharing one kernel never collide.
 */
export function hostVethName (containerName: string, salt: string): string {
  const hash = createHash('sha256').update(salt).update('\u0000').update(containerName).digest('hex')
  return HOST_VETH_PREFIX + hash.slice(0, HOST_VETH_HASH_CHARS)
}
