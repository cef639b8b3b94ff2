import { WEFT_VERSION } from '@weft/daemon'
import type { Command } from './command.js'
import { createContext } from './command.js'
import { attach, detach, exec, rm, run } from './commands/containers.js'
import { dnsAdd, dnsLookup, dnsRemove } from './commands/dns.js'
import { rmpeer } from './commands/ipam.js'
import { launch } from './commands/launch.js'
import { connect, expose, forget, hide } from './commands/peers.js'
import { ps, status } from './commands/status.js'
import { reset, stop } from './commands/stop.js'
import { CliError } from './errors.js'

export const COMMANDS: readonly Command[] = [launch, stop, reset, status, ps, run, exec, rm, attach, detach, connect, forget, expose, hide, dnsAdd, dnsRemove, dnsLookup, rmpeer]

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length))
  return [
    'usage: weft COMMAND [ARGS...]      (WEFT_HOME selects the router, default /var/lib/weft)',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "'weft COMMAND --help' tells more; 'weft version' prints the version.",
  ].join('\n')
}

/** Runs one CLI invocation; returns the exit status (0 only on success). */
export async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const ctx = createContext(env)
  const [name, ...args] = argv
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    ctx.out(help())
    return name ? 0 : 2
  }
  if (name === 'version' || name === '--version') {
    ctx.out(`weft ${WEFT_VERSION}`)
    return 0
  }
  const command = COMMANDS.find((c) => c.name === name)
  if (!command) {
    ctx.err(`weft: unknown command '${name}'; see 'weft --help'`)
    return 2
  }
  const [before] = args.includes('--') ? [args.slice(0, args.indexOf('--'))] : [args]
  if (before.includes('--help') || before.includes('-h')) {
    ctx.out(command.usage)
    return 0
  }
  try {
    return await command.run(args, ctx)
  } catch (err) {
    const e = err as Error & { code?: string; exitCode?: number }
    ctx.err(`weft: ${e.message}`)
    return err instanceof CliError ? e.exitCode ?? 1 : 1
  }
}
