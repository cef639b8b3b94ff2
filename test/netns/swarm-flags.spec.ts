/*
 * Safety of `--swarm`: with no bootstrap list and no explicit `--swarm-bootstrap public`, launch
 * fails with one clear line and starts nothing (no daemon, no socket, no bridge), so no router
 * ever contacts Hyperswarm's public DHT by default.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, expect, it } from 'vitest'
import type { Lab } from '@weft/testing'
import { createLab } from '@weft/testing'
import { SECRET } from './support.js'

let lab: Lab | undefined
afterEach(async () => {
  await lab?.destroy()
  lab = undefined
})

it('weft launch --swarm without --swarm-bootstrap fails clearly and starts nothing', async () => {
  lab = await createLab({ hosts: ['a'] })
  const a = lab.host('a')
  const r = await a.weft(['launch', '--swarm'], { env: { WEFT_PASSWORD: SECRET }, allowFail: true, timeoutMs: 20_000 })
  expect(r.code).not.toBe(0)
  expect(r.stderr.trim().split('\n')).toHaveLength(1)
  expect(r.stderr).toMatch(/--swarm needs --swarm-bootstrap HOST:PORT.*public/)
  expect(existsSync(join(a.home, 'weft.sock'))).toBe(false)
  const links = await a.exec('ip', ['-o', 'link', 'show'])
  expect(links.stdout).not.toMatch(/: weft[:@]/)
})
