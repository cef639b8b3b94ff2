import { spawn } from 'node:child_process'
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { ApiClient, StatusResponse } from '@weft/api'
import { LAUNCH_TIMEOUT_MS, LOG_FILE, PID_FILE, ROUTER_NODE_FLAGS, processAlive } from '@weft/daemon'
import { CliError } from './errors.js'

/** Path of the router process's entry point (`@weft/daemon/dist/main.js`). */
export function daemonMainPath(): string {
  const require = createRequire(import.meta.url)
  return join(dirname(require.resolve('@weft/daemon')), 'main.js')
}

export function readPid(home: string): number | null {
  try {
    const pid = Number(readFileSync(join(home, PID_FILE), 'utf8').trim())
    return Number.isInteger(pid) && pid > 0 ? pid : null
  } catch {
    return null
  }
}

/** The router's status, or null when none answers on the socket. */
export async function runningStatus(api: ApiClient): Promise<StatusResponse | null> {
  try {
    return await api.status()
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_NOT_RUNNING') return null
    throw err
  }
}

function logTail(home: string, lines = 8): string {
  try {
    const text = readFileSync(join(home, LOG_FILE), 'utf8').trimEnd().split('\n').slice(-lines)
    return text.map((l) => {
      try {
        const j = JSON.parse(l) as { msg?: string; err?: string }
        return `  ${j.msg ?? ''}${j.err ? `: ${j.err}` : ''}`
      } catch {
        return `  ${l}`
      }
    }).join('\n')
  } catch {
    return '  (no log)'
  }
}

/** Starts the router detached, logging to WEFT_HOME/weft.log; resolves once its API answers. */
export async function startDetached(home: string, args: string[], env: NodeJS.ProcessEnv, api: ApiClient): Promise<StatusResponse> {
  mkdirSync(home, { recursive: true, mode: 0o700 })
  const logPath = join(home, LOG_FILE)
  const fd = openSync(logPath, 'a', 0o600)
  const child = spawn(process.execPath, [...ROUTER_NODE_FLAGS, daemonMainPath(), ...args], {
    detached: true,
    stdio: ['ignore', fd, fd],
    env: { ...env, WEFT_HOME: home },
  })
  closeSync(fd)
  let exited: number | null = null
  child.on('exit', (code) => {
    exited = code ?? 1
  })
  child.unref()
  const deadline = Date.now() + LAUNCH_TIMEOUT_MS
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100))
    if (exited !== null) throw new CliError(`the router exited during start-up (status ${exited}); from ${logPath}:\n${logTail(home)}`)
    const status = await runningStatus(api).catch(() => null)
    if (status) return status
  }
  throw new CliError(`the router did not come up within ${LAUNCH_TIMEOUT_MS / 1000} s; see ${logPath}:\n${logTail(home)}`)
}

/** Runs the router attached to this terminal until it exits. */
export function runForeground(home: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const child = spawn(process.execPath, [...ROUTER_NODE_FLAGS, daemonMainPath(), ...args], { stdio: 'inherit', env: { ...env, WEFT_HOME: home } })
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => child.kill(sig))
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))))
}

/** Waits for a process to exit (polling; it is not our child). */
export async function waitForExit(pid: number | null, timeoutMs: number): Promise<boolean> {
  if (!pid) return true
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (!processAlive(pid)) return true
    await new Promise((r) => setTimeout(r, 50))
  }
  return !processAlive(pid)
}

export function homeExists(home: string): boolean {
  return existsSync(home)
}
