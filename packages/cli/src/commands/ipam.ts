import type { IpamStatusResponse } from '@weft/api'
import type { CliContext, Command } from '../command.js'
import { parseFlags } from '../command.js'
import { usageError } from '../errors.js'
import { table } from '../format.js'

function modeText(s: IpamStatusResponse): string {
  return s.mode === 'consensus' ? `consensus=${s.quorum}` : s.mode
}

/** `weft status ipam` as text. */
export function formatIpamStatus(s: IpamStatusResponse): string {
  const lines = [
    `          Range: ${s.range} (default subnet ${s.defaultSubnet})`,
    `           Init: ${modeText(s)}${s.ringId ? `, ring ${s.ringId}` : ', no ring yet (created at the first allocation)'}`,
    `      This peer: ${s.self.shortId} (${s.self.nickname}) owns ${s.self.owned}, ${s.self.used} used, ${s.self.free} free`,
    `    Allocations: ${s.allocations.length}${s.waiting > 0 ? `, ${s.waiting} waiting` : ''}`,
  ]
  if (s.syncing) lines.push('        Syncing: restarted; waiting to hear from peers before allocating')
  lines.push(`        Blocked: ${s.blocked ?? 'no'}`)
  if (s.unreachable.length > 0) {
    lines.push(`    Unreachable: ${s.unreachable.map((id) => id.slice(0, 12)).join(', ')} own space; if gone for good: weft rmpeer PEER`)
  }
  for (const a of s.revoked) lines.push(`        Revoked: ${a.container} ${a.address} (its space went to another peer; re-create the container)`)
  for (const n of s.notes) lines.push(`           Note: ${n}`)
  if (s.peers.length > 0) {
    lines.push('', table(['PEER', 'NICKNAME', 'OWNED', 'FREE', 'REACHED'], s.peers.map((p) => [p.shortId, p.nickname || '-', String(p.owned), String(p.free), p.reach])))
  }
  if (s.allocations.length > 0) {
    lines.push('', table(['CONTAINER', 'ADDRESS', 'SUBNET'], s.allocations.map((a) => [a.container, a.cidr, a.subnet])))
  }
  return lines.join('\n')
}

/** Prints `weft status ipam [--json]`. */
export async function showIpamStatus(ctx: CliContext, json: boolean): Promise<number> {
  const s = await ctx.api.ipamStatus()
  ctx.out(json ? JSON.stringify(s, null, 2) : formatIpamStatus(s))
  return 0
}

export const rmpeer: Command = {
  name: 'rmpeer',
  summary: "take over the IP address space of a peer that is gone for good",
  usage: `usage: weft rmpeer PEER...
  PEER   full id, short id or nickname of a dead peer, as 'weft status ipam' lists it.
         Only for peers that will not come back with their containers: their
         addresses become free here. Safe to repeat, and on two hosts at once.`,
  async run(args, ctx) {
    const { positionals } = parseFlags('rmpeer', args, {})
    if (positionals.length === 0) throw usageError('name the peer to remove', 'rmpeer')
    for (const p of positionals) {
      const r = await ctx.api.rmpeer(p)
      ctx.out(`${r.peer.slice(0, 12)}: took over ${r.addresses} addresses`)
    }
    return 0
  },
}
