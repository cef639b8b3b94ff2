import { TapError } from './errors.js'
import { loadTapBinding } from './native-binding.js'

/** Address family of a UDP socket, as `setDontFragment` takes it. */
export type SocketFamily = 4 | 6

function check(fd: number, family: SocketFamily, what: string): void {
  if (!Number.isInteger(fd) || fd < 0 || fd > 0x7fffffff) {
    throw new TapError('ERR_TAP_SOCKOPT', `${what}: fd ${fd} is not a file descriptor: pass a socket's fd (a non-negative integer)`)
  }
  if (family !== 4 && family !== 6) {
    throw new TapError('ERR_TAP_SOCKOPT', `${what}: family ${String(family)} is not 4 or 6: pass the socket's address family`)
  }
}

function wrap(what: string, fd: number, cause: unknown): TapError {
  const code = (cause as { code?: unknown }).code
  const text = cause instanceof Error ? cause.message : String(cause)
  return new TapError('ERR_TAP_SOCKOPT',
    `${what} failed on fd ${fd} (${typeof code === 'string' ? code : 'unknown error'}): ${text}; pass the fd of an open UDP socket of that family`,
    { cause })
}

/**
 * Sets `IP_MTU_DISCOVER` (family 4) or `IPV6_MTU_DISCOVER` (family 6) to `*_PMTUDISC_PROBE` on
 * the UDP socket `fd`: every datagram leaves with DF set and the kernel never fragments one
 * locally, whatever its path-MTU cache says (a datagram too big for the path is lost, which is
 * what path-MTU probing measures). On an IPv6 socket, IPv4-mapped traffic gets the IPv4 option
 * too where the kernel allows it. Throws `TapError` `ERR_TAP_SOCKOPT` for a bad fd, a
 * non-socket or the wrong family, and `ERR_TAP_ADDON` when the addon is not built.
 */
export function setDontFragment(fd: number, family: SocketFamily): void {
  check(fd, family, 'setDontFragment')
  const binding = loadTapBinding()
  try {
    binding.setDontFragment(fd, family)
  } catch (cause) {
    throw wrap(`setsockopt ${family === 6 ? 'IPV6_MTU_DISCOVER' : 'IP_MTU_DISCOVER'}`, fd, cause)
  }
}

/**
 * Reads back `IP_MTU_DISCOVER` (4) or `IPV6_MTU_DISCOVER` (6) of socket `fd`: PMTUDISC_PROBE
 * after `setDontFragment`. Throws as `setDontFragment` does.
 */
export function getMtuDiscover(fd: number, family: SocketFamily): number {
  check(fd, family, 'getMtuDiscover')
  const binding = loadTapBinding()
  try {
    return binding.getMtuDiscover(fd, family)
  } catch (cause) {
    throw wrap(`getsockopt ${family === 6 ? 'IPV6_MTU_DISCOVER' : 'IP_MTU_DISCOVER'}`, fd, cause)
  }
}
