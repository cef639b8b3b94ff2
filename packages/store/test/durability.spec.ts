// kill -9 durability. A child `node` (test/fixtures/durable-writer.mjs) writes container records
// with the store's own LMDB options and acknowledgement rule (write resolved, then
// `root.flushed`), printing each key once acknowledged. The test SIGKILLs it right after a
// randomly chosen number of acknowledgements, while later writes are in flight, then reopens
// the store: every acknowledged record must be there and intact, nothing else may be broken.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { openStore, STORE_DB_NAMES, STORE_DB_OPTIONS, STORE_LMDB_OPTIONS, type ContainerRecord } from '../src/index.js'
import { seal } from '../src/stored-record.js'
import { containerArb } from './arbitraries.js'

const FIXTURE = fileURLToPath(new URL('./fixtures/durable-writer.mjs', import.meta.url))
const RECORDS = 200

interface Run { acked: string[]; sawDone: boolean; signal: NodeJS.Signals | null }

/** Runs the writer until it has acknowledged `killAfter` keys, then SIGKILLs it. */
function runWriter (path: string, records: ContainerRecord[], killAfter: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FIXTURE], { stdio: ['pipe', 'pipe', 'pipe'] })
    const acked: string[] = []
    let sawDone = false
    let killed = false
    let buffered = ''
    let stderr = ''
    const kill = (): void => {
      if (!killed && child.pid !== undefined) {
        killed = true
        process.kill(child.pid, 'SIGKILL')
      }
    }
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk
      const lines = buffered.split('\n')
      buffered = lines.pop() ?? ''
      for (const line of lines) {
        if (line === 'ready') continue
        if (line === 'done') sawDone = true
        else if (!killed) acked.push(line)
        if (acked.length >= killAfter || sawDone) kill()
      }
    })
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', (chunk: string) => { stderr += chunk })
    child.on('error', reject)
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer exited on its own (code ${code}, signal ${signal}): ${stderr}`))
      else resolve({ acked, sawDone, signal })
    })
    child.stdin.end(JSON.stringify({
      path,
      rootOptions: STORE_LMDB_OPTIONS,
      dbOptions: STORE_DB_OPTIONS,
      dbName: STORE_DB_NAMES.containers,
      records: records.map((r) => [r.name, seal({ ...r })]),
    }))
  })
}

describe('kill -9 durability', () => {
  it('keeps every acknowledged write', async () => {
    const recordsArb = fc.array(containerArb, { minLength: RECORDS, maxLength: RECORDS })
      .map((rs) => rs.map((r, i) => ({ ...r, name: `c${i}` })))
    await fc.assert(fc.asyncProperty(recordsArb, fc.integer({ min: 1, max: RECORDS - 1 }), async (records, killAfter) => {
      const home = mkdtempSync(join(tmpdir(), 'weft-store-kill-'))
      try {
        // An earlier session leaves data behind, so recovery starts from a non-empty database.
        const first = openStore({ home })
        await first.addTarget('earlier:6783')
        await first.close()

        const run = await runWriter(join(home, 'db'), records, killAfter)
        expect(run.acked.length).toBeGreaterThanOrEqual(killAfter)

        const reports: string[] = []
        const store = openStore({ home }, { onCorrupt: (db, key, reason) => { reports.push(`${db}/${key}: ${reason}`) } })
        try {
          const byName = new Map(records.map((r) => [r.name, r]))
          for (const key of run.acked) expect(store.getContainer(key)).toEqual(byName.get(key))
          for (const rec of store.listContainers()) expect(rec).toEqual(byName.get(rec.name))
          expect(store.listTargets()).toEqual(['earlier:6783'])
          expect(reports).toEqual([])
          // the reopened store takes writes again
          await store.addTarget('later:6783')
          expect(store.listTargets()).toEqual(['earlier:6783', 'later:6783'])
        } finally {
          await store.close()
        }
      } finally {
        rmSync(home, { recursive: true, force: true })
      }
    }), { numRuns: 5 })
  }, 120_000)
})
