#!/usr/bin/env node
// The whole test suite: build, then vitest (unit + namespace tests), then one plain line
// `N passed, N failed` so the count is visible in any log. Exit status is vitest's.
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'

const root = fileURLToPath(new URL('..', import.meta.url))
const tmp = join(root, 'test', '.tmp')
mkdirSync(tmp, { recursive: true })
const report = join(tmp, 'vitest-report.json')
rmSync(report, { force: true })

const build = spawnSync('npx', ['tsc', '-b'], { cwd: root, stdio: 'inherit' })
if (build.status !== 0) {
  console.log('0 passed, 1 failed')
  process.exit(1)
}
const args = ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)]
const run = spawnSync('npx', args, { cwd: root, stdio: 'inherit' })
let passed = 0
let failed = 0
let skipped = 0
try {
  const r = JSON.parse(readFileSync(report, 'utf8'))
  passed = r.numPassedTests
  failed = r.numFailedTests + (r.numFailedTestSuites ?? 0)
  skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0)
} catch {
  failed += 1
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`)
process.exit(run.status === 0 && failed === 0 ? 0 : 1)
