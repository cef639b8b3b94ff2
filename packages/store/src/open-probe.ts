/**
 * A trial open of an existing LMDB environment in a child process.
 *
 * lmdb-js 3.5 crashes the whole process (a double free in its native `openEnv` error path,
 * SIGSEGV) when LMDB refuses to open an environment, e.g. a `data.mdb` that is not an LMDB file
 * or a damaged meta page. Opening read-only in a throwaway `node` first turns that crash into a
 * StoreError the router can report. Only run when `data.mdb` exists: creating a new environment
 * does not go through that path.
 */
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { STORE_PROBE_TIMEOUT_MS } from './constants.js'

const CHILD_SCRIPT = `
const [lmdbPath, dbPath] = process.argv.slice(1)
try {
  const root = require(lmdbPath).open(dbPath, { readOnly: true })
  root.close().then(() => process.exit(0), () => process.exit(0))
} catch (err) {
  process.stderr.write(String(err && err.message || err))
  process.exit(1)
}
`

/** Why LMDB cannot open the environment at `path`, or undefined when it can. */
export function probeOpen (path: string): string | undefined {
  const lmdbPath = createRequire(import.meta.url).resolve('lmdb')
  const child = spawnSync(process.execPath, ['-e', CHILD_SCRIPT, lmdbPath, path], {
    encoding: 'utf8',
    timeout: STORE_PROBE_TIMEOUT_MS,
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  if (child.error !== undefined) return `the trial open could not run: ${child.error.message}`
  if (child.signal !== null) return `LMDB crashed opening it (${child.signal}): the files are damaged or not an LMDB database`
  if (child.status !== 0) return child.stderr.trim() || `the trial open failed with status ${child.status}`
  return undefined
}
