/**
 * Running `ip` (iproute2): argument vectors through `execFile`, never a shell, in whatever
 * network namespace the calling process is in, or in a named one with `ip -n NAME`.
 *
 * The exec is a seam (`HostComponents.exec`): the router uses plain `execFile`; tests inject one
 * that runs the command inside a namespace they created (`nsenter --net=/run/netns/T -- ...`).
 */
import { execFile } from 'node:child_process'
import { HOST_COMMAND_MAX_OUTPUT_BYTES, HOST_COMMAND_TIMEOUT_MS, IP_COMMAND } from './constants.js'
import { HostError } from './host-error.js'
import { assertNetnsName } from './names.js'

/**
 * Runs `cmd args...` and resolves with its output once it exits 0. Rejects otherwise, with an
 * error carrying `stderr` when there was any (as `execFile`'s error does).
 */
export type HostExec = (cmd: string, args: string[]) => Promise<{ stdout: string; stderr: string }>

export interface HostComponents {
  /** How commands are run. Default: `execFile` with a timeout and `LC_ALL=C`. */
  exec?: HostExec
}

export interface RunIpOptions {
  /** Run inside this named namespace (`ip -n NETNS ...`). */
  netns?: string
  /** Resolve with '' instead of throwing when the command fails. */
  allowFail?: boolean
}

/** The default exec: `execFile`, no shell, C locale so iproute2's messages are stable. */
export const execFileExec: HostExec = (cmd, args) => new Promise((resolve, reject) => {
  execFile(cmd, args, {
    encoding: 'utf8',
    timeout: HOST_COMMAND_TIMEOUT_MS,
    maxBuffer: HOST_COMMAND_MAX_OUTPUT_BYTES,
    env: { ...process.env, LC_ALL: 'C' },
  }, (err, stdout, stderr) => {
    if (err !== null) reject(Object.assign(err, { stdout, stderr }))
    else resolve({ stdout, stderr })
  })
})

function quote (arg: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`
}

/** The command line of `cmd args` as a person would type it (for messages). */
export function commandLine (cmd: string, args: string[]): string {
  return [cmd, ...args].map(quote).join(' ')
}

/** Runs `ip [-n NETNS] ARGS...`; resolves with stdout. Throws HostError `ERR_HOST_COMMAND`. */
export async function runIp (args: string[], opts: RunIpOptions = {}, components: HostComponents = {}): Promise<string> {
  if (opts.netns !== undefined) assertNetnsName(opts.netns)
  const full = opts.netns === undefined ? args : ['-n', opts.netns, ...args]
  const exec = components.exec ?? execFileExec
  try {
    return (await exec(IP_COMMAND, full)).stdout
  } catch (err) {
    if (opts.allowFail === true) return ''
    const stderr = String((err as { stderr?: unknown }).stderr ?? '').trim()
    const detail = stderr !== '' ? stderr : (err instanceof Error ? err.message : String(err))
    const line = commandLine(IP_COMMAND, full)
    throw new HostError('ERR_HOST_COMMAND', `\`${line}\` failed: ${detail}`, { command: line, stderr, cause: err })
  }
}

/** Runs `ip -j [-n NETNS] ARGS...` and parses its JSON output (`[]` when it printed nothing). */
export async function ipJson<T = unknown> (args: string[], opts: Omit<RunIpOptions, 'allowFail'> = {}, components: HostComponents = {}): Promise<T> {
  const stdout = await runIp(['-j', ...args], opts, components)
  if (stdout.trim() === '') return [] as T
  try {
    return JSON.parse(stdout) as T
  } catch (err) {
    const line = commandLine(IP_COMMAND, ['-j', ...args])
    throw new HostError('ERR_HOST_COMMAND', `\`${line}\` printed output that is not JSON: is iproute2 too old for -j?`, { command: line, cause: err })
  }
}

/** True if `err` is an `ip` failure saying the device is not there. */
export function isNoSuchDevice (err: unknown): boolean {
  return err instanceof HostError && err.code === 'ERR_HOST_COMMAND' &&
    /does not exist|Cannot find device|No such device/i.test(err.stderr ?? '')
}
