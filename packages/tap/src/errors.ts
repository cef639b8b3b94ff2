/**
 * - `ERR_TAP_NAME`: the interface name is not one the kernel accepts.
 * - `ERR_TAP_NO_DEVICE`: /dev/net/tun is missing (no tun module, or a container without it).
 * - `ERR_TAP_PERMISSION`: no CAP_NET_ADMIN, or no access to /dev/net/tun.
 * - `ERR_TAP_BUSY`: the name belongs to a device that is not a TAP, or to a TAP already in use.
 * - `ERR_TAP_NETNS`: the network namespace given in `TapInit.netns` could not be entered.
 * - `ERR_TAP_OPEN`: any other failure to open; the message carries the errno text.
 * - `ERR_TAP_ADDON`: the native addon is not built or does not load.
 * - `ERR_TAP_CLOSED`: the device was used after `close()`.
 * - `ERR_TAP_SOCKOPT`: a socket option could not be set or read (`setDontFragment`): a bad fd,
 *   not a socket, or the wrong address family; the message carries the errno text.
 * - `ERR_FAST_PATH_BIND`: the fast path's UDP socket could not be opened or bound.
 */
export type TapErrorCode =
  | 'ERR_TAP_NAME'
  | 'ERR_TAP_NO_DEVICE'
  | 'ERR_TAP_PERMISSION'
  | 'ERR_TAP_BUSY'
  | 'ERR_TAP_NETNS'
  | 'ERR_TAP_OPEN'
  | 'ERR_TAP_ADDON'
  | 'ERR_FAST_PATH_BIND'
  | 'ERR_TAP_CLOSED'
  | 'ERR_TAP_SOCKOPT'

export class TapError extends Error {
  override readonly name = 'TapError'
  readonly code: TapErrorCode

  constructor(code: TapErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }
}
