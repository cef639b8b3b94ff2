import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

// The data path never imports the control path (tailscale's deptest, in spirit).
const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const DATA_PATH = ['tap', 'udp', 'datapath', 'wire', 'crypto']
const CONTROL_PATH = ['gossip', 'ipam', 'dns', 'names', 'swarm', 'daemon', 'store', 'api', 'cli', 'netsim', 'testing', 'topology', 'routing', 'crdt']
const FORBIDDEN_MODULES = ['pino', 'prom-client', 'lmdb', 'hyperswarm', 'hyperdht', 'dns-packet']

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) return name === 'native' ? [] : sources(p)
    return /\.(ts|mts|js|mjs)$/.test(name) ? [p] : []
  })
}

const IMPORT_RE = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g

function specifiers(text: string): string[] {
  return [...text.matchAll(IMPORT_RE)].map((m) => m[1] ?? m[2] ?? m[3])
}

function imports(file: string): string[] {
  return specifiers(readFileSync(file, 'utf8'))
}

function violations(pkg: string): string[] {
  const dir = join(ROOT, 'packages', pkg)
  const out: string[] = []
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }
  for (const dep of Object.keys(manifest.dependencies ?? {})) {
    if (CONTROL_PATH.some((c) => dep === `@weft/${c}`) || FORBIDDEN_MODULES.includes(dep)) out.push(`package.json depends on ${dep}`)
  }
  for (const file of sources(join(dir, 'src'))) {
    for (const spec of imports(file)) {
      const bad = CONTROL_PATH.some((c) => spec === `@weft/${c}` || spec.startsWith(`@weft/${c}/`)) ||
        FORBIDDEN_MODULES.includes(spec) ||
        (spec.startsWith('.') && !join(file, '..', spec).startsWith(join(dir, 'src')))
      if (bad) out.push(`${relative(ROOT, file)} imports ${spec}`)
    }
  }
  return out
}

describe('data path dependencies', () => {
  it.each(DATA_PATH)('%s imports nothing from the control path', (pkg) => {
    expect(violations(pkg)).toEqual([])
  })

  it('the check itself catches a control-path import', () => {
    const sample = `import { Router } from '@weft/daemon'\nconst x = require('pino')\nexport { y } from '../../daemon/src/x.js'\nawait import('lmdb')`
    expect(specifiers(sample)).toEqual(['@weft/daemon', 'pino', '../../daemon/src/x.js', 'lmdb'])
    expect(violations('daemon').length).toBeGreaterThan(0)
  })
})
