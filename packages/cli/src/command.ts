import { parseArgs } from 'node:util'
import type { ParseArgsConfig } from 'node:util'
import { ApiClient } from '@weft/api'
import { DEFAULT_HOME } from '@weft/daemon'
import { usageError } from './errors.js'

export interface CliContext {
  home: string
  api: ApiClient
  env: NodeJS.ProcessEnv
  out: (line: string) => void
  err: (line: string) => void
}

export interface Command {
  name: string
  summary: string
  usage: string
  run(args: string[], ctx: CliContext): Promise<number>
}

export function createContext(env: NodeJS.ProcessEnv): CliContext {
  const home = env.WEFT_HOME || DEFAULT_HOME
  return {
    home,
    api: new ApiClient(home),
    env,
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  }
}

type Options = NonNullable<ParseArgsConfig['options']>

type FlagValue<T> = T extends { type: 'boolean' }
  ? T extends { multiple: true } ? boolean[] : boolean
  : T extends { multiple: true } ? string[] : string

export interface ParsedFlags<O extends Options> {
  values: { [K in keyof O]?: FlagValue<O[K]> }
  positionals: string[]
}

/** Strict flag parsing: unknown flags and missing values are usage errors naming the command. */
export function parseFlags<O extends Options>(command: string, args: string[], options: O, allowPositionals = true): ParsedFlags<O> {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true }) as unknown as ParsedFlags<O>
  } catch (err) {
    throw usageError((err as Error).message.split('\n')[0], command)
  }
}

/** Splits `args` at the first `--`: flags and names before, the command to run after. */
export function splitCommand(args: string[]): [before: string[], after: string[]] {
  const i = args.indexOf('--')
  return i < 0 ? [args, []] : [args.slice(0, i), args.slice(i + 1)]
}
