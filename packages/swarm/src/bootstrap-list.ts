import { isIP } from 'node:net'
import { MAX_BOOTSTRAP_NODES, MAX_BOOTSTRAP_TEXT_CHARS, PUBLIC_BOOTSTRAP } from './constants.js'
import { SwarmError } from './errors.js'

/** One DHT bootstrap node. */
export interface BootstrapNode {
  host: string
  port: number
}

/** Where the DHT starts: an explicit list, or the public nodes the user asked for by name. */
export type BootstrapList = { kind: 'nodes'; nodes: BootstrapNode[] } | { kind: 'public' }

const HOSTNAME_RE = /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/

/**
 * Parses `--swarm-bootstrap`: `HOST:PORT[,HOST:PORT...]` (IPv6 as `[ADDR]:PORT`), or the single
 * word `public` for Hyperswarm's public bootstrap nodes. The port is required. Throws
 * `SwarmError` `ERR_SWARM_BOOTSTRAP` with what to fix.
 */
export function parseBootstrapList(text: string): BootstrapList {
  const bad = (why: string): never => {
    throw new SwarmError(
      'ERR_SWARM_BOOTSTRAP',
      `bad --swarm-bootstrap '${String(text).slice(0, 80)}': ${why} (use HOST:PORT,... or the word '${PUBLIC_BOOTSTRAP}')`,
    )
  }
  if (typeof text !== 'string' || text.trim().length === 0) bad('empty')
  if (text.length > MAX_BOOTSTRAP_TEXT_CHARS) bad(`longer than ${MAX_BOOTSTRAP_TEXT_CHARS} characters`)
  if (text.trim() === PUBLIC_BOOTSTRAP) return { kind: 'public' }
  const parts = text.split(',').map((p) => p.trim())
  if (parts.length > MAX_BOOTSTRAP_NODES) bad(`more than ${MAX_BOOTSTRAP_NODES} nodes`)
  const nodes = parts.map((p) => parseNode(p, bad))
  return { kind: 'nodes', nodes }
}

function parseNode(part: string, bad: (why: string) => never): BootstrapNode {
  if (part === PUBLIC_BOOTSTRAP) bad(`'${PUBLIC_BOOTSTRAP}' cannot be mixed with addresses`)
  let host: string
  let portText: string
  const bracket = /^\[([^\]]+)\]:([^:]*)$/.exec(part)
  if (bracket) {
    host = bracket[1]
    portText = bracket[2]
    if (isIP(host) !== 6) bad(`'${part.slice(0, 60)}' has no IPv6 address inside brackets`)
  } else {
    const colon = part.lastIndexOf(':')
    if (colon < 0) bad(`'${part.slice(0, 60)}' has no port`)
    host = part.slice(0, colon)
    portText = part.slice(colon + 1)
    if (isIP(host) !== 4 && !HOSTNAME_RE.test(host)) bad(`'${host.slice(0, 60)}' is not an IPv4 address or host name`)
  }
  if (!/^\d{1,5}$/.test(portText)) bad(`the port of '${part.slice(0, 60)}' is not a number`)
  const port = Number(portText)
  if (port < 1 || port > 65_535) bad(`the port of '${part.slice(0, 60)}' must be 1..65535`)
  return { host, port }
}

/** The list as the user would write it (for status and logs). */
export function formatBootstrapList(list: BootstrapList): string {
  if (list.kind === 'public') return PUBLIC_BOOTSTRAP
  return list.nodes.map((n) => (n.host.includes(':') ? `[${n.host}]:${n.port}` : `${n.host}:${n.port}`)).join(',')
}
