/*
 * The native fast path against the JS data path, router to router: h1 runs the fast path (the
 * default), h2 runs `--no-fast-path`. Ping and a 2 MB TCP transfer between their containers
 * both ways, then h1's metrics show the fast path carried the unicast traffic.
 *
 *   h1 198.18.0.11 (fast path)              h2 198.18.0.12 (--no-fast-path)
 *  ┌─────────────────────────────┐         ┌─────────────────────────────┐
 *  │ c1 10.47.1.1                │         │ c2 10.47.2.1                │
 *  │   └─ bridge weft ─ weft-tap │         │ weft-tap ─ bridge weft ─┘   │
 *  │          router ── eth0 ────┼─ sw br0 ┼──── eth0 ── router          │
 *  └─────────────────────────────┘         └─────────────────────────────┘
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Lab, LabHost } from '@weft/testing'
import { createLab } from '@weft/testing'
import { container, inContainer, launch, metric, waitEstablished, waitPing } from './support.js'

const BYTES = 2 * 1024 * 1024
const sink = (ip: string) => `const s = require('net').createServer((c) => { let n = 0; c.on('data', (d) => { n += d.length });
  c.on('end', () => { process.stdout.write(String(n)); c.end(); s.close() }) }).listen(5201, '${ip}')`
const source = (ip: string) => `const c = require('net').connect(5201, '${ip}', () => { c.end(Buffer.alloc(${BYTES}, 7)) });
  c.on('error', () => process.exit(1)); c.on('close', () => process.exit(0))`

/** Sends BYTES over TCP from container `from` on `a` to `toIp` (container `to` on `b`); returns what arrived. */
async function transfer(a: LabHost, from: string, b: LabHost, to: string, toIp: string): Promise<number> {
  const received = inContainer(b, to, process.execPath, ['-e', sink(toIp)])
  for (let i = 0; i < 20; i++) {
    await new Promise((r) => setTimeout(r, 200))
    if ((await inContainer(a, from, process.execPath, ['-e', source(toIp)])).code === 0) break
  }
  return Number((await received).stdout)
}

describe.sequential('fast path on one router, JS on the other', () => {
  let lab: Lab
  let h1: LabHost, h2: LabHost
  let c1: string, c2: string

  beforeAll(async () => {
    lab = await createLab({ hosts: ['h1', 'h2'] })
    ;[h1, h2] = lab.hosts()
    await launch(h1)
    await launch(h2, [h1.address, '--no-fast-path'])
    c1 = await container(h1, 'c1', '10.47.1.1/16')
    c2 = await container(h2, 'c2', '10.47.2.1/16')
    await waitEstablished(h1, 1)
    await waitEstablished(h2, 1)
  })

  afterAll(async () => {
    await lab?.destroy()
  })

  it('pings both ways', async () => {
    await waitPing(h1, c1, '10.47.2.1')
    await waitPing(h2, c2, '10.47.1.1')
  })

  it('carries TCP both ways, byte for byte', async () => {
    expect(await transfer(h1, c1, h2, c2, '10.47.2.1')).toBe(BYTES)
    expect(await transfer(h2, c2, h1, c1, '10.47.1.1')).toBe(BYTES)
  })

  it('did it in the fast path on h1, and not at all on h2', async () => {
    // 2 MB at MTU ~1400 is ~1500 segments each way
    expect(await metric(h1, 'weft_fast_path_frames_in_total')).toBeGreaterThan(1000)
    expect(await metric(h1, 'weft_fast_path_frames_out_total')).toBeGreaterThan(1000)
    expect(await metric(h2, 'weft_fast_path_frames_in_total')).toBe(0)
    expect(await metric(h1, 'weft_fast_path_dropped_total{reason="bad_tag"}')).toBe(0)
  })
})
