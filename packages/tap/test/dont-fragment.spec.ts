import dgram from 'node:dgram'
import { closeSync, openSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { PMTUDISC_PROBE, TapError, getMtuDiscover, setDontFragment } from '../src/index.js'

// setDontFragment on real node:dgram sockets of this process: read back with getsockopt, no
// datagram sent.

/** The fd of a bound dgram socket, through Node internals (as @weft/udp's socketFd does). */
function fdOf(s: dgram.Socket): number {
  const key = Object.getOwnPropertySymbols(s).find((k) => k.description === 'state symbol')!
  return ((s as unknown as Record<symbol, { handle: { fd: number } }>)[key]).handle.fd
}

const sockets: dgram.Socket[] = []
afterEach(() => {
  for (const s of sockets.splice(0)) s.close()
})

/** A socket bound in this process, its fd; undefined if the address family is not available. */
async function bound(type: 'udp4' | 'udp6', address: string): Promise<number | undefined> {
  const s = dgram.createSocket(type)
  const ok = await new Promise<boolean>((resolve) => {
    s.once('error', () => resolve(false))
    s.bind(0, address, () => resolve(true))
  })
  if (!ok) return undefined
  sockets.push(s)
  return fdOf(s)
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (err) {
    return err instanceof TapError ? err.code : `not a TapError: ${String(err)}`
  }
  return undefined
}

describe('setDontFragment', () => {
  it('sets IP_MTU_DISCOVER to IP_PMTUDISC_PROBE on an IPv4 socket', async () => {
    const fd = (await bound('udp4', '127.0.0.1'))!
    expect(getMtuDiscover(fd, 4)).not.toBe(PMTUDISC_PROBE)
    setDontFragment(fd, 4)
    expect(getMtuDiscover(fd, 4)).toBe(PMTUDISC_PROBE)
  })

  it('sets IPV6_MTU_DISCOVER (and the IPv4 option for mapped traffic) on a dual-stack socket', async () => {
    const fd = await bound('udp6', '::')
    if (fd === undefined) return // no IPv6 on this machine
    setDontFragment(fd, 6)
    expect(getMtuDiscover(fd, 6)).toBe(PMTUDISC_PROBE)
    expect(getMtuDiscover(fd, 4)).toBe(PMTUDISC_PROBE)
  })

  it('fails with ERR_TAP_SOCKOPT and the errno for a bad fd, a non-socket or a wrong family', async () => {
    expect(codeOf(() => setDontFragment(1_000_000, 4))).toBe('ERR_TAP_SOCKOPT')
    expect(() => setDontFragment(1_000_000, 4)).toThrow(/EBADF/)
    const file = openSync('/dev/null', 'r')
    try {
      expect(() => setDontFragment(file, 4)).toThrow(/ENOTSOCK/)
      expect(() => getMtuDiscover(file, 4)).toThrow(/ENOTSOCK/)
    } finally {
      closeSync(file)
    }
    const v4 = (await bound('udp4', '127.0.0.1'))!
    expect(codeOf(() => setDontFragment(v4, 6))).toBe('ERR_TAP_SOCKOPT') // an IPv6 option on IPv4
    for (const fd of [-1, 1.5, Number.NaN]) expect(codeOf(() => setDontFragment(fd, 4))).toBe('ERR_TAP_SOCKOPT')
    expect(codeOf(() => setDontFragment(v4, 5 as 4))).toBe('ERR_TAP_SOCKOPT')
  })
})
