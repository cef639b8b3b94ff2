// Test routers for the connection-manager tests: control paths on loopback (TCP or adopted
// streams), data paths on a simulated UDP network, closed after each test.
import net from 'node:net'
import { afterEach } from 'vitest'
import pino from 'pino'
import { generateIdentity } from '@weft/crypto'
import { Datapath } from '@weft/datapath'
import { ChannelTap } from '@weft/tap'
import type { SimNetwork } from '@weft/udp'
import { ConnectionManager } from '../../src/control/connection-manager.js'

export interface TestRouter { name: string; port: number; tap: ChannelTap; dp: Datapath; cm: ConnectionManager; events: string[] }

export interface TestRouterInit {
  networkKey: Buffer
  rekeyAfterMs?: number
  oldSessionGraceMs?: number
  connectionLimit?: number
  /** Record events as `event:reason` when a reason is given (default: the event alone). */
  eventReasons?: boolean
}

const logger = pino({ level: 'silent' })
const routers: TestRouter[] = []
afterEach(async () => {
  for (const r of routers.splice(0)) await r.cm.close()
})

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  const s = net.createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()))
  const port = (s.address() as net.AddressInfo).port
  await new Promise((r) => s.close(r))
  return port
}

/** A router listening on a free loopback port; closed after the test. */
export async function testRouter(sim: SimNetwork, name: string, init: TestRouterInit): Promise<TestRouter> {
  const port = await freePort()
  const tap = new ChannelTap({ name })
  const dp = new Datapath({ mtu: 1376 }, { tap, bind: sim.bind('127.0.0.1', port) })
  const events: string[] = []
  const cm = new ConnectionManager(
    {
      nickname: name, port, mtu: 1376, restartId: '0123456789abcdef', rekeyAfterMs: init.rekeyAfterMs,
      oldSessionGraceMs: init.oldSessionGraceMs, connectionLimit: init.connectionLimit,
    },
    {
      identity: generateIdentity(), networkKeys: [init.networkKey], datapath: dp, logger,
      count: (e, why) => events.push(init.eventReasons && why ? `${e}:${why}` : e),
    },
  )
  await cm.listen()
  const r = { name, port, tap, dp, cm, events }
  routers.push(r)
  return r
}

/** Polls `fn` every 10 ms until it holds; throws naming `what` after `ms`. */
export async function until(what: string, fn: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

/** A 60-byte Ethernet frame from `src` to `dst` (MACs in hex) with a local-experimental type. */
export function frame(dst: string, src: string): Buffer {
  const f = Buffer.alloc(60, 0x11)
  Buffer.from(dst, 'hex').copy(f, 0)
  Buffer.from(src, 'hex').copy(f, 6)
  f.writeUInt16BE(0x88b5, 12)
  return f
}
