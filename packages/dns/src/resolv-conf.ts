// Upstream resolvers from a resolv.conf file: its `nameserver` lines, in order, at most
// MAX_UPSTREAMS. Beside the standard `nameserver 192.0.2.1` (port 53, or the configured upstream
// port), a line may carry a port as `nameserver 192.0.2.1:5353` or `nameserver [2001:db8::1]:5353`
// (glibc ignores such lines; tests use them to point at a stub resolver). Scoped IPv6 addresses
// (`fe80::1%eth0`), comments (`#`, `;`) and every other directive are ignored.

import { readFile } from 'node:fs/promises'
import { isIP } from 'node:net'
import { MAX_UPSTREAMS } from './constants.js'

/** One upstream resolver. */
export interface Upstream {
  /** An IP literal in canonical form (see `canonicalIp`). */
  readonly address: string
  readonly port: number
}

/** One spelling per address, as Node reports a datagram's source: IPv6 per the URL serializer. */
export function canonicalIp(address: string): string {
  return isIP(address) === 6 ? new URL(`http://[${address}]/`).hostname.slice(1, -1) : address
}

const PORT = /^[1-9][0-9]{0,4}$/

/** The upstreams a resolv.conf text names; `defaultPort` for lines without a port. */
export function parseResolvConf(text: string, defaultPort: number): Upstream[] {
  const out: Upstream[] = []
  const seen = new Set<string>()
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim()
    const [keyword, value] = line.split(/\s+/)
    if (keyword !== 'nameserver' || value === undefined) continue
    const upstream = parseServer(value, defaultPort)
    if (upstream === null) continue
    const key = `${upstream.address} ${upstream.port}`
    if (seen.has(key)) continue
    seen.add(key)
    out.push(upstream)
    if (out.length === MAX_UPSTREAMS) break
  }
  return out
}

function parseServer(value: string, defaultPort: number): Upstream | null {
  if (value.includes('%')) return null
  if (isIP(value) !== 0) return { address: canonicalIp(value), port: defaultPort }
  const colon = value.lastIndexOf(':')
  if (colon < 0) return null
  const port = value.slice(colon + 1)
  if (!PORT.test(port) || Number(port) > 0xffff) return null
  let host = value.slice(0, colon)
  if (host.startsWith('[') && host.endsWith(']')) {
    host = host.slice(1, -1)
    if (isIP(host) !== 6) return null
  } else if (isIP(host) !== 4) {
    return null
  }
  return { address: canonicalIp(host), port: Number(port) }
}

/** The upstreams of the resolv.conf at `path`; [] if it cannot be read. */
export async function readResolvConf(path: string, defaultPort: number): Promise<Upstream[]> {
  try {
    return parseResolvConf(await readFile(path, 'utf8'), defaultPort)
  } catch {
    return []
  }
}
