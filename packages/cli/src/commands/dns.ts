// The DNS commands: dns-add, dns-remove, dns-lookup, and the `weft status dns` view.

import type { DnsStatusResponse } from '@weft/api'
import type { CliContext, Command } from '../command.js'
import { parseFlags } from '../command.js'
import { CliError, usageError } from '../errors.js'
import { table } from '../format.js'

export const dnsAdd: Command = {
  name: 'dns-add',
  summary: 'give NAME these addresses in the weft DNS (owned by this router)',
  usage: `usage: weft dns-add NAME IP...
  NAME   a name in the weft domain (web, or web.weft.local); IP: IPv4 or IPv6 addresses`,
  async run(args, ctx) {
    const { positionals } = parseFlags('dns-add', args, {})
    if (positionals.length < 2) throw usageError('give a NAME and at least one IP', 'dns-add')
    const [name, ...ips] = positionals
    const r = await ctx.api.dnsAdd(name, ips)
    ctx.out(`${name}: ${r.added} address(es) added`)
    return 0
  },
}

export const dnsRemove: Command = {
  name: 'dns-remove',
  summary: 'remove this router\'s addresses of NAME from the weft DNS (all, or those given)',
  usage: `usage: weft dns-remove NAME [IP...]
  Removes only entries this router made (by dns-add, or for its containers); names other
  routers registered are theirs to remove.`,
  async run(args, ctx) {
    const { positionals } = parseFlags('dns-remove', args, {})
    if (positionals.length < 1) throw usageError('give the NAME to remove', 'dns-remove')
    const [name, ...ips] = positionals
    const r = await ctx.api.dnsRemove(name, ips)
    if (r.removed === 0) throw new CliError(`this router has no entry for '${name}'${ips.length ? ` at ${ips.join(', ')}` : ''}: see 'weft status dns'`)
    ctx.out(`${name}: ${r.removed} address(es) removed`)
    return 0
  },
}

export const dnsLookup: Command = {
  name: 'dns-lookup',
  summary: 'print the addresses of NAME in the weft DNS',
  usage: 'usage: weft dns-lookup NAME      (exit status 1 if NAME has no address)',
  async run(args, ctx) {
    const { positionals } = parseFlags('dns-lookup', args, {})
    if (positionals.length !== 1) throw usageError('give exactly one NAME', 'dns-lookup')
    const r = await ctx.api.dnsLookup(positionals[0])
    if (r.addresses.length === 0) {
      ctx.err(`weft: no address for '${r.name}'`)
      return 1
    }
    for (const a of r.addresses) ctx.out(a)
    return 0
  },
}

function dnsText(s: DnsStatusResponse): string {
  const q = s.server?.queries ?? {}
  const total = Object.values(q).reduce((n, byResult) => n + Object.values(byResult).reduce((m, x) => m + x, 0), 0)
  const lines = [
    `         Domain: ${s.domain}`,
    `         Listen: ${s.listen ? `${s.listen.address}:${s.listen.port} (udp, tcp)` : 'off'}`,
    `            TTL: ${s.ttlSeconds} s`,
    `      Upstreams: ${s.resolvConf === null ? s.upstreams.join(', ') || 'none' : `nameservers of ${s.resolvConf}`}`,
    `        Entries: ${s.names.entries ?? 0} live, ${s.names.tombstones ?? 0} tombstones, ${s.names.floors ?? 0} removed peers`,
    `        Queries: ${total}${s.server ? `, ${s.server.upstream.queries} forwarded, ${s.server.truncated} truncated` : ''}`,
    '',
    table(['PEER', 'NICKNAME', 'ENTRIES', 'TOMBSTONES', 'FLOOR'], s.peers.map((p) => [p.peer.slice(0, 12), p.nickname, String(p.entries), String(p.tombstones), String(p.floor)])),
    '',
    table(['NAME', 'ADDRESS', 'OWNER', 'SOURCE'], s.entries.map((e) => [e.name, e.address, e.ownerNickname, e.containerId])),
  ]
  return lines.join('\n')
}

/** `weft status dns [--json]`. */
export async function statusDns(json: boolean, ctx: CliContext): Promise<number> {
  const s = await ctx.api.dnsStatus()
  ctx.out(json ? JSON.stringify(s, null, 2) : dnsText(s))
  return 0
}
