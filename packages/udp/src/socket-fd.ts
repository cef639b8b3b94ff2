import type dgram from 'node:dgram'

/**
 * The OS file descriptor of a bound node:dgram socket, or undefined when it cannot be found.
 *
 * Node has no public API for it, so this relies on two internals, each checked before use:
 *  - a dgram.Socket keeps its state in a symbol-keyed property described 'state symbol'
 *    (lib/internal/dgram.js `kStateSymbol`) whose `handle` is the native UDPWrap;
 *  - UDPWrap has an `fd` getter (src/udp_wrap.cc, via HandleWrap), -1 before bind, after close
 *    and on Windows.
 * `socket._handle` reaches the same UDPWrap but is deprecated (DEP0112, a runtime warning), so
 * it is only the fallback. If a Node release changes either, this returns undefined and callers
 * carry on without the socket option they wanted (see `UdpBind.dontFragmentProblem`).
 */
export function socketFd(socket: dgram.Socket): number | undefined {
  const state = stateOf(socket)
  const fd = fdOf(state !== undefined ? state.handle : legacyHandle(socket))
  return fd !== undefined && Number.isInteger(fd) && fd >= 0 ? fd : undefined
}

/** The socket's internal state object, when it has the expected shape. */
function stateOf(socket: dgram.Socket): { handle: unknown } | undefined {
  for (const key of Object.getOwnPropertySymbols(socket)) {
    if (key.description !== 'state symbol') continue
    const state: unknown = (socket as unknown as Record<symbol, unknown>)[key]
    if (typeof state === 'object' && state !== null && 'handle' in state) return state
  }
  return undefined
}

function legacyHandle(socket: dgram.Socket): unknown {
  try {
    return (socket as unknown as { _handle?: unknown })._handle
  } catch {
    return undefined
  }
}

function fdOf(handle: unknown): number | undefined {
  if (typeof handle !== 'object' || handle === null || !('fd' in handle)) return undefined
  try {
    const fd: unknown = handle.fd
    return typeof fd === 'number' ? fd : undefined
  } catch {
    return undefined
  }
}
