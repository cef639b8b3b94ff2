import { isIP } from 'node:net'
import { DEFAULT_PORT } from './constants.js'
import { DaemonError } from './errors.js'

export interface PeerAddress {
  host: string
  port: number
}

const HOSTNAME_RE = /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/

/** Parses `HOST`, `HOST:PORT`, `IPV6` or `[IPV6]:PORT`; throws DaemonError ERR_CONFIG. */
export function parsePeerAddress(text: string): PeerAddress {
  const bad = (why: string): never => {
    throw new DaemonError('ERR_CONFIG', `bad peer address '${text.slice(0, 80)}': ${why} (use HOST, HOST:PORT or [IPV6]:PORT)`)
  }
  if (typeof text !== 'string' || text.length === 0 || text.length > 300) bad('empty or too long')
  let host = text
  let portText: string | undefined
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(text)
  if (bracket) {
    host = bracket[1]
    portText = bracket[2]
    if (isIP(host) !== 6) bad('not an IPv6 address inside brackets')
  } else if (isIP(text) === 6) {
    host = text
  } else {
    const colon = text.lastIndexOf(':')
    if (colon >= 0) {
      host = text.slice(0, colon)
      portText = text.slice(colon + 1)
      if (!/^\d+$/.test(portText)) bad('the port is not a number')
    }
    if (isIP(host) === 0 && !HOSTNAME_RE.test(host)) bad('not an IP address or host name')
  }
  const port = portText === undefined ? DEFAULT_PORT : Number(portText)
  if (!Number.isInteger(port) || port < 1 || port > 65_535) bad('the port must be 1..65535')
  return { host, port }
}

/** Canonical text of an address: `host:port`, `[v6]:port`, with the default port left out. */
export function formatPeerAddress(a: PeerAddress): string {
  const host = isIP(a.host) === 6 ? `[${a.host}]` : a.host
  return a.port === DEFAULT_PORT ? a.host : `${host}:${a.port}`
}

/** Strips the IPv4-mapped IPv6 prefix node reports for IPv4 peers on dual-stack sockets. */
export function plainAddress(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address
}
