import { spawn as spawnChild } from 'node:child_process'
import { STDIO_DRAIN_MS } from './constants.js'
import { LabError } from './errors.js'
import { OutputBuffer } from './output-buffer.js'

/** How a process ended: exit code, or the signal that killed it. */
export interface ExitStatus {
  code: number | null
  signal: string | null
}

/** A running process, tracked by the lab so `destroy()` can kill it. */
export interface LabProcess {
  /** PID of the command itself (`nsenter` execs it in place); also its process group id. */
  readonly pid: number
  /** Everything it wrote to stdout so far (the last 8 MiB at most). */
  stdout(): string
  /** Everything it wrote to stderr so far (the last 8 MiB at most). */
  stderr(): string
  /** Resolves once it has exited and been reaped. */
  wait(): Promise<ExitStatus>
  /** Sends `signal` (default SIGTERM) to its whole process group; a no-op once it has exited. */
  kill(signal?: NodeJS.Signals): void
  /** True once it has exited. */
  exited(): boolean
}

/** Options of `startProcess`. */
export interface StartOptions {
  /** The complete environment of the process (nothing is inherited). */
  env: Record<string, string>
  /** Written to stdin, which is then closed; without it stdin is /dev/null. */
  input?: string
  /** Called once when the process has exited. */
  onExit?: (proc: LabProcess) => void
}

/** A readable command line for messages. */
export function formatCommand (cmd: string, args: readonly string[]): string {
  return [cmd, ...args].map((a) => (/^[A-Za-z0-9_./:=@%+,-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`)).join(' ')
}

/**
 * Starts `cmd args` in its own session and process group (so a kill reaches its children too),
 * with piped stdout/stderr.
 */
export function startProcess (cmd: string, args: readonly string[], opts: StartOptions): LabProcess {
  const child = spawnChild(cmd, args, {
    detached: true,
    env: opts.env,
    stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  })
  const out = new OutputBuffer()
  const err = new OutputBuffer()
  child.stdout?.on('data', (b: Buffer) => out.push(b))
  child.stderr?.on('data', (b: Buffer) => err.push(b))
  if (opts.input !== undefined && child.stdin !== null) {
    child.stdin.on('error', () => {}) // EPIPE when the command does not read its input
    child.stdin.end(opts.input)
  }

  let status: ExitStatus | undefined
  const finished = new Promise<ExitStatus>((resolve, reject) => {
    child.once('error', (e) => {
      if (child.pid === undefined) {
        reject(new LabError('ERR_LAB_EXEC', `cannot start ${formatCommand(cmd, args)}: ${e.message}`, { cause: e }))
      }
    })
    child.once('exit', (code, signal) => {
      status = { code, signal }
      // A daemonized grandchild may keep our pipes open; do not wait for it forever.
      let drained = false
      const done = (): void => {
        if (drained) return
        drained = true
        clearTimeout(timer)
        child.stdout?.destroy()
        child.stderr?.destroy()
        resolve({ code, signal })
      }
      const timer = setTimeout(done, STDIO_DRAIN_MS)
      timer.unref()
      child.once('close', done)
      if (child.stdout?.destroyed !== false && child.stderr?.destroyed !== false) done()
    })
  })
  finished.catch(() => {})

  const proc: LabProcess = {
    pid: child.pid ?? -1,
    stdout: () => out.toString(),
    stderr: () => err.toString(),
    wait: () => finished,
    exited: () => status !== undefined,
    kill (signal: NodeJS.Signals = 'SIGTERM') {
      if (status !== undefined || child.pid === undefined) return
      try {
        process.kill(-child.pid, signal)
      } catch {
        try { child.kill(signal) } catch {}
      }
    },
  }
  if (opts.onExit !== undefined) {
    const onExit = opts.onExit
    finished.then(() => onExit(proc), () => onExit(proc))
  }
  return proc
}
