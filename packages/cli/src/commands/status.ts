import type { StatusResponse } from '@weft/api'
import type { Command } from '../command.js'
import { parseFlags } from '../command.js'
import { usageError } from '../errors.js'
import { ago, bytes, table } from '../format.js'
import { statusDns } from './dns.js'
import { showIpamStatus } from './ipam.js'

function summary(s: StatusResponse): string {
  const r = s.router
  const established = s.connections.filter((c) => c.state === 'established').length
  return [
    `        Version: ${r.version}`,
    `           Peer: ${r.shortId} (${r.nickname})`,
    `       Identity: ${r.id}`,
    `         Router: pid ${r.pid}, up ${ago(r.startedAt)}, port ${r.controlPort}/tcp ${r.udpPort}/udp`,
    `         Bridge: ${r.bridge} (TAP ${r.tap}, MTU ${r.mtu})`,
    `     Encryption: ${s.encryption}`,
    `          Peers: ${s.peers.length}`,
    `    Connections: ${s.connections.length} (${established} established)`,
    `        Targets: ${s.targets.length}`,
    `        Relayed: ${s.relayed.packets} packets, ${bytes(s.relayed.bytes)} for other peers`,
    `     Containers: ${s.containers}`,
    `        Exposed: ${s.exposed.length ? s.exposed.join(', ') : '-'}`,
  ].join('\n')
}

function peers(s: StatusResponse): string {
  return table(['PEER', 'NICKNAME', 'ITS CONNECTIONS', 'REACHED'], s.peers.map((p) => [p.shortId, p.nickname, String(p.connections), p.reach]))
}

function connections(s: StatusResponse): string {
  return table(
    ['PEER', 'NICKNAME', 'ADDRESS', 'DIR', 'STATE', 'PATH', 'RTT', 'MTU', 'ENCRYPTION', 'SENT', 'RECEIVED', 'INFO'],
    s.connections.map((c) => [
      c.peer?.shortId ?? '-', c.peer?.nickname || '-', c.address, c.direction === 'outbound' ? 'out' : c.direction === 'inbound' ? 'in' : 'relay', c.state,
      c.path, c.rttMs === null ? '-' : `${c.rttMs}ms`, c.mtu === null ? '-' : String(c.mtu),
      c.encryption ? 'noise+chacha20poly1305' : '-', bytes(c.bytesSent), bytes(c.bytesReceived), c.info,
    ]),
  )
}

function targets(s: StatusResponse): string {
  return table(['TARGET', 'SOURCE', 'STATE', 'ATTEMPTS', 'LAST ERROR'], s.targets.map((t) => [
    t.address, t.discovered ? 'gossip' : 'user', t.state, String(t.attempts), t.lastError || '-',
  ]))
}

const views: Record<string, (s: StatusResponse) => unknown> = {
  peers: (s) => s.peers,
  connections: (s) => s.connections,
  targets: (s) => s.targets,
}

export const status: Command = {
  name: 'status',
  summary: 'show this router, or its peers, connections, targets, IP allocation or DNS names',
  usage: 'usage: weft status [peers|connections|targets|ipam|dns] [--json]',
  async run(args, ctx) {
    const { values, positionals } = parseFlags('status', args, { json: { type: 'boolean' } })
    const view = positionals[0]
    if (view === 'ipam' && positionals.length === 1) return showIpamStatus(ctx, values.json ?? false)
    if (view === 'dns' && positionals.length === 1) return await statusDns(values.json ?? false, ctx)
    if (positionals.length > 1 || (view !== undefined && !(view in views))) throw usageError(`unknown status view '${positionals.join(' ')}'`, 'status')
    const s = await ctx.api.status()
    if (values.json) {
      ctx.out(JSON.stringify(view ? views[view](s) : s, null, 2))
      return 0
    }
    const text = view === 'peers' ? peers(s) : view === 'connections' ? connections(s) : view === 'targets' ? targets(s) : summary(s)
    ctx.out(text)
    return 0
  },
}

export const ps: Command = {
  name: 'ps',
  summary: 'list containers attached to this router',
  usage: 'usage: weft ps [--json]',
  async run(args, ctx) {
    const { values } = parseFlags('ps', args, { json: { type: 'boolean' } }, false)
    const list = await ctx.api.containers()
    if (values.json) {
      ctx.out(JSON.stringify(list, null, 2))
      return 0
    }
    ctx.out(table(['NAME', 'MAC', 'ADDRESSES', 'NETNS', 'PID', 'STATE'], list.map((c) => [
      c.name, c.mac, c.cidrs.join(','), c.netns, c.pid ? String(c.pid) : '-', c.pid ? (c.running ? 'running' : 'exited') : 'attached',
    ])))
    return 0
  },
}
