import { spawn } from 'node:child_process'
import { closeSync, mkdirSync, openSync } from 'node:fs'
import { constants } from 'node:os'
import { join } from 'node:path'
import type { ContainerInfo } from '@weft/api'
import type { CliContext, Command } from '../command.js'
import { parseFlags, splitCommand } from '../command.js'
import { CliError, usageError } from '../errors.js'

/** The argv that runs `cmd` inside a container's network namespace. */
function inNetns(c: ContainerInfo, cmd: string[]): [string, string[]] {
  if (c.netns.startsWith('pid:')) return ['nsenter', ['-t', c.netns.slice(4), '-n', '--', ...cmd]]
  return ['ip', ['netns', 'exec', c.netns, ...cmd]]
}

function runAttached(file: string, args: string[]): Promise<number> {
  const child = spawn(file, args, { stdio: 'inherit' })
  const forward = (sig: NodeJS.Signals) => child.kill(sig)
  process.on('SIGINT', forward)
  process.on('SIGTERM', forward)
  return new Promise((resolve, reject) => {
    child.on('error', (err) => reject(new CliError(`cannot run ${file}: ${err.message}`)))
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward)
      process.off('SIGTERM', forward)
      resolve(code ?? 128 + (signal ? constants.signals[signal] : 0))
    })
  })
}

function describe(c: ContainerInfo): string {
  return `${c.name} ${c.cidrs.join(',')} ${c.mac}`
}

export const run: Command = {
  name: 'run',
  summary: 'create a container (network namespace) on the weft network and run a command in it',
  usage: `usage: weft run NAME [--ip ADDR]... [--dns-name NAME] [-d] -- COMMAND [ARG...]
  --ip ADDR     address of the container (repeat for more); without --ip IPAM
                allocates one in the default subnet. ADDR is one of
                  net:CIDR        allocate one in that subnet of the IPAM range
                  ip:A.B.C.D[/N]  claim that address from IPAM
                  CIDR            use exactly this, e.g. 192.168.5.5/24; inside the
                                  IPAM range it is claimed from IPAM as ip: is
  --dns-name N  name in the weft DNS (default NAME): N.weft.local resolves to it
  -d, --detach  run in the background (output to WEFT_HOME/containers/NAME.log);
                without it the container is removed when COMMAND exits`,
  async run(args, ctx) {
    const [before, cmd] = splitCommand(args)
    const { values, positionals } = parseFlags('run', before, { ip: { type: 'string', multiple: true }, detach: { type: 'boolean', short: 'd' }, 'dns-name': { type: 'string' } })
    if (positionals.length !== 1) throw usageError('give exactly one container NAME', 'run')
    if (cmd.length === 0) throw usageError('give the command to run after --', 'run')
    const name = positionals[0]
    const c = await ctx.api.createContainer({ name, cidrs: values.ip ?? [], ...(values['dns-name'] ? { dnsName: values['dns-name'] } : {}) })
    const [file, argv] = inNetns(c, cmd)
    if (values.detach) {
      const dir = join(ctx.home, 'containers')
      mkdirSync(dir, { recursive: true, mode: 0o700 })
      const fd = openSync(join(dir, `${name}.log`), 'a', 0o600)
      const child = spawn(file, argv, { detached: true, stdio: ['ignore', fd, fd] })
      closeSync(fd)
      const pid = await new Promise<number>((resolve, reject) => {
        child.once('spawn', () => resolve(child.pid!))
        child.once('error', reject)
      }).catch(async (err: Error) => {
        await ctx.api.removeContainer(name).catch(() => undefined)
        throw new CliError(`cannot run ${cmd[0]}: ${err.message}`)
      })
      child.unref()
      await ctx.api.setContainerPid(name, pid)
      ctx.out(describe(c))
      return 0
    }
    try {
      return await runAttached(file, argv)
    } finally {
      await ctx.api.removeContainer(name).catch((err: Error) => ctx.err(`weft: removing container ${name} failed: ${err.message}`))
    }
  },
}

export const exec: Command = {
  name: 'exec',
  summary: 'run a command inside a container',
  usage: 'usage: weft exec NAME -- COMMAND [ARG...]',
  async run(args, ctx) {
    const [before, cmd] = splitCommand(args)
    const { positionals } = parseFlags('exec', before, {})
    if (positionals.length !== 1) throw usageError('give exactly one container NAME', 'exec')
    if (cmd.length === 0) throw usageError('give the command to run after --', 'exec')
    const [file, argv] = inNetns(await ctx.api.container(positionals[0]), cmd)
    return runAttached(file, argv)
  },
}

export const rm: Command = {
  name: 'rm',
  summary: 'stop a container\'s processes and remove it from the network',
  usage: 'usage: weft rm NAME...',
  async run(args, ctx) {
    const { positionals } = parseFlags('rm', args, {})
    if (positionals.length === 0) throw usageError('name at least one container', 'rm')
    for (const name of positionals) {
      await ctx.api.removeContainer(name)
      ctx.out(name)
    }
    return 0
  },
}

async function findContainer(ctx: CliContext, spec: string): Promise<ContainerInfo | undefined> {
  const list = await ctx.api.containers()
  return list.find((c) => c.name === spec) ?? list.find((c) => c.netns === spec || c.netns === `pid:${spec}`)
}

export const attach: Command = {
  name: 'attach',
  summary: 'attach an existing network namespace (by name or process id) to the weft network',
  usage: `usage: weft attach NETNS|PID [ADDR...] [--name NAME] [--dns-name NAME]
  ADDR              as 'weft run --ip': net:CIDR, ip:A.B.C.D[/N] or CIDR; none: IPAM
                    allocates one in the default subnet
  --name NAME       container name, and its name in the weft DNS (default: the namespace
                    name, or pid-PID)
  --dns-name NAME   name in the weft DNS, if not the container name`,
  async run(args, ctx) {
    const { values, positionals } = parseFlags('attach', args, { name: { type: 'string' }, 'dns-name': { type: 'string' } })
    if (positionals.length < 1) throw usageError('name the network namespace or process id to attach', 'attach')
    const [spec, ...cidrs] = positionals
    const isPid = /^\d+$/.test(spec)
    const name = values.name ?? (isPid ? `pid-${spec}` : spec)
    const c = await ctx.api.createContainer({ name, cidrs, target: { kind: isPid ? 'pid' : 'name', value: spec }, ...(values['dns-name'] ? { dnsName: values['dns-name'] } : {}) })
    ctx.out(describe(c))
    return 0
  },
}

export const detach: Command = {
  name: 'detach',
  summary: 'detach a namespace from the weft network (its processes keep running)',
  usage: 'usage: weft detach NETNS|PID|NAME',
  async run(args, ctx) {
    const { positionals } = parseFlags('detach', args, {})
    if (positionals.length !== 1) throw usageError('name one namespace, process id or container', 'detach')
    const c = await findContainer(ctx, positionals[0])
    if (!c) throw new CliError(`nothing attached as '${positionals[0]}': see 'weft ps'`)
    if (c.ownsNetns) throw new CliError(`'${c.name}' was created by 'weft run': remove it with 'weft rm ${c.name}'`)
    await ctx.api.removeContainer(c.name)
    ctx.out(c.name)
    return 0
  },
}
