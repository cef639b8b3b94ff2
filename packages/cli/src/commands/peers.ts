import type { Command } from '../command.js'
import { parseFlags } from '../command.js'
import { usageError } from '../errors.js'

function oneArg(command: string, args: string[], what: string): string {
  const { positionals } = parseFlags(command, args, {})
  if (positionals.length !== 1) throw usageError(`give exactly one ${what}`, command)
  return positionals[0]
}

export const connect: Command = {
  name: 'connect',
  summary: 'add a peer address to connect to (kept across restarts)',
  usage: 'usage: weft connect HOST[:PORT]',
  async run(args, ctx) {
    const r = await ctx.api.connect(oneArg('connect', args, 'peer address'))
    ctx.out(`connecting to ${r.address}`)
    return 0
  },
}

export const forget: Command = {
  name: 'forget',
  summary: 'stop connecting to a peer address',
  usage: 'usage: weft forget HOST[:PORT]',
  async run(args, ctx) {
    const address = oneArg('forget', args, 'peer address')
    const r = await ctx.api.forget(address)
    ctx.out(r.removed ? `forgot ${address}` : `${address} was not a target`)
    return 0
  },
}

export const expose: Command = {
  name: 'expose',
  summary: 'give this host an address on the weft network',
  usage: 'usage: weft expose CIDR    (e.g. 10.32.0.254/12)',
  async run(args, ctx) {
    const r = await ctx.api.expose(oneArg('expose', args, 'CIDR'))
    ctx.out(r.exposed.join('\n'))
    return 0
  },
}

export const hide: Command = {
  name: 'hide',
  summary: 'remove an address given by expose',
  usage: 'usage: weft hide CIDR',
  async run(args, ctx) {
    await ctx.api.hide(oneArg('hide', args, 'CIDR'))
    return 0
  },
}
