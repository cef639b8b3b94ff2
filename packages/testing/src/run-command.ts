import { DEFAULT_EXEC_TIMEOUT_MS, ERROR_OUTPUT_TAIL_BYTES } from './constants.js'
import { LabError } from './errors.js'
import { formatCommand, startProcess, type LabProcess } from './lab-process.js'
import { tail } from './output-buffer.js'

/** What a finished command did. */
export interface ExecResult {
  /** Exit code, or null when a signal killed it. */
  code: number | null
  signal: string | null
  stdout: string
  stderr: string
}

/** Options of `LabHost.exec` and `LabHost.weft`. */
export interface ExecOptions {
  /** Extra environment variables (the base is only PATH and LC_ALL=C). */
  env?: Record<string, string>
  /** Time limit; on expiry the process group is killed and the call rejects with ERR_LAB_TIMEOUT. Default 30000. */
  timeoutMs?: number
  /** Written to stdin, which is then closed. */
  input?: string
  /** Resolve with the result instead of rejecting when the exit code is non-zero. */
  allowFail?: boolean
}

/** Options of `LabHost.spawn`. */
export interface SpawnOptions {
  env?: Record<string, string>
  input?: string
}

/** The environment every lab command starts from. */
export function baseEnv (extra?: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C', ...extra }
}

/** Describes a result for an error message: command line, exit status, output tails. */
export function describeFailure (cmd: string, args: readonly string[], r: ExecResult, what: string): string {
  const status = r.signal !== null ? `signal ${r.signal}` : `exit code ${String(r.code)}`
  const parts = [`${formatCommand(cmd, args)} ${what} (${status})`]
  const stderr = r.stderr.trim()
  const stdout = r.stdout.trim()
  if (stderr !== '') parts.push(`stderr: ${tail(stderr, ERROR_OUTPUT_TAIL_BYTES)}`)
  if (stdout !== '') parts.push(`stdout: ${tail(stdout, ERROR_OUTPUT_TAIL_BYTES)}`)
  return parts.join('\n')
}

/**
 * Runs `cmd args` to completion. Rejects with ERR_LAB_EXEC on a non-zero exit (unless
 * `allowFail`) and with ERR_LAB_TIMEOUT after killing the process group on timeout.
 * `track` sees the process while it runs, so a lab can kill it on destroy.
 */
export async function runCommand (
  cmd: string,
  args: readonly string[],
  opts: ExecOptions & { track?: (p: LabProcess, running: boolean) => void } = {},
): Promise<ExecResult> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS
  const proc = startProcess(cmd, args, { env: baseEnv(opts.env), input: opts.input })
  opts.track?.(proc, true)
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    proc.kill('SIGKILL')
  }, timeoutMs)
  try {
    const { code, signal } = await proc.wait()
    const result: ExecResult = { code, signal, stdout: proc.stdout(), stderr: proc.stderr() }
    if (timedOut) {
      throw new LabError('ERR_LAB_TIMEOUT', describeFailure(cmd, args, result, `timed out after ${timeoutMs} ms and was killed`), { result })
    }
    if (code !== 0 && opts.allowFail !== true) {
      throw new LabError('ERR_LAB_EXEC', describeFailure(cmd, args, result, 'failed'), { result })
    }
    return result
  } finally {
    clearTimeout(timer)
    opts.track?.(proc, false)
  }
}
