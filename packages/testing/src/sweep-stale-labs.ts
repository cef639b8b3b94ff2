import { existsSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LAB_DIR_PREFIX, LAB_MARKER_FILE } from './constants.js'
import { isLabPrefix, labDirPath, labNamespacePrefix, labPrefixPid } from './lab-names.js'
import { deleteLabNamespace, listNamespaces } from './netns.js'

/** True if a process with this PID exists (EPERM means it exists but is not ours). */
export function isPidAlive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * A lab is stale when the PID its prefix encodes is gone and its marker file
 * (`$TMPDIR/weft-lab-<prefix>/lab.json`, written before any namespace) still exists. The marker
 * keeps the sweep away from namespaces that merely look like lab names.
 */
function isStale (prefix: string): boolean {
  const pid = labPrefixPid(prefix)
  if (pid === undefined || pid === process.pid || isPidAlive(pid)) return false
  return existsSync(join(labDirPath(prefix), LAB_MARKER_FILE))
}

/**
 * Deletes what labs of dead processes left behind: their namespaces (after killing every process
 * inside) and their temp directories. Returns the names of the namespaces deleted.
 */
export async function sweepStaleLabs (): Promise<string[]> {
  const stale = new Map<string, boolean>()
  const staleOnce = (prefix: string): boolean => {
    let s = stale.get(prefix)
    if (s === undefined) stale.set(prefix, s = isStale(prefix))
    return s
  }
  const deleted: string[] = []
  for (const name of await listNamespaces()) {
    const prefix = labNamespacePrefix(name)
    if (prefix === undefined || !staleOnce(prefix)) continue
    await deleteLabNamespace(name)
    deleted.push(name)
  }
  let entries: string[] = []
  try { entries = readdirSync(tmpdir()) } catch {}
  for (const entry of entries) {
    if (!entry.startsWith(LAB_DIR_PREFIX)) continue
    const prefix = entry.slice(LAB_DIR_PREFIX.length)
    if (isLabPrefix(prefix) && staleOnce(prefix)) rmSync(labDirPath(prefix), { recursive: true, force: true })
  }
  return deleted
}
