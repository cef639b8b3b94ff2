/**
 * Root-namespace plumbing on named network namespaces: list, kill what runs inside, delete.
 * Every destructive function here refuses names outside the lab naming pattern, so nothing the
 * lab did not name can be deleted. Sync variants exist for `process.on('exit')`.
 */
import { execFileSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { NETNS_ETC_DIR, SETUP_COMMAND_TIMEOUT_MS } from './constants.js'
import { LabError } from './errors.js'
import { isLabNamespace } from './lab-names.js'
import { runCommand } from './run-command.js'

function parseNetnsList (stdout: string): string[] {
  return stdout.split('\n').map((l) => l.trim().split(/\s+/)[0]).filter((n) => n !== undefined && n !== '')
}

function parsePids (stdout: string): number[] {
  return stdout.split(/\s+/).filter((s) => /^\d+$/.test(s)).map(Number).filter((p) => p > 1 && p !== process.pid)
}

function assertLabNamespace (name: string): void {
  if (!isLabNamespace(name)) {
    throw new LabError('ERR_LAB_NAME', `refusing to touch namespace "${name}": it does not match the lab naming pattern <w+base36 pid+3 chars>-<name>`)
  }
}

function killQuietly (pid: number): void {
  try { process.kill(pid, 'SIGKILL') } catch {}
}

/** Names of all named network namespaces (`ip netns list`). */
export async function listNamespaces (): Promise<string[]> {
  const r = await runCommand('ip', ['netns', 'list'], { timeoutMs: SETUP_COMMAND_TIMEOUT_MS })
  return parseNetnsList(r.stdout)
}

/** Sync `listNamespaces`. */
export function listNamespacesSync (): string[] {
  return parseNetnsList(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8', timeout: SETUP_COMMAND_TIMEOUT_MS }))
}

/** SIGKILLs every process inside lab namespace `name`; returns their PIDs. */
export async function killNamespacePids (name: string): Promise<number[]> {
  assertLabNamespace(name)
  const r = await runCommand('ip', ['netns', 'pids', name], { timeoutMs: SETUP_COMMAND_TIMEOUT_MS, allowFail: true })
  const pids = parsePids(r.stdout)
  pids.forEach(killQuietly)
  return pids
}

/**
 * Kills everything inside lab namespace `name`, deletes it and its `/etc/netns/<name>` config
 * directory. Missing namespaces are fine.
 */
export async function deleteLabNamespace (name: string): Promise<void> {
  assertLabNamespace(name)
  await killNamespacePids(name)
  const r = await runCommand('ip', ['netns', 'delete', name], { timeoutMs: SETUP_COMMAND_TIMEOUT_MS, allowFail: true })
  if (r.code !== 0 && (await listNamespaces()).includes(name)) {
    throw new LabError('ERR_LAB_SETUP', `cannot delete namespace ${name}: ${r.stderr.trim()}`, { result: r })
  }
  rmSync(join(NETNS_ETC_DIR, name), { recursive: true, force: true })
}

/** Sync `deleteLabNamespace`, best effort (never throws for a lab name). */
export function deleteLabNamespaceSync (name: string): void {
  assertLabNamespace(name)
  try {
    parsePids(execFileSync('ip', ['netns', 'pids', name], { encoding: 'utf8', timeout: SETUP_COMMAND_TIMEOUT_MS, stdio: ['ignore', 'pipe', 'ignore'] })).forEach(killQuietly)
  } catch {}
  try {
    execFileSync('ip', ['netns', 'delete', name], { timeout: SETUP_COMMAND_TIMEOUT_MS, stdio: 'ignore' })
  } catch {}
  try { rmSync(join(NETNS_ETC_DIR, name), { recursive: true, force: true }) } catch {}
}
