// A bounded load generator over loopback: a fixed number of UDP queries, at most `WINDOW` in
// flight, against local names and against cached upstream answers. It reports queries per
// second and checks that every query was answered correctly; it asserts nothing about speed.
import dgram from 'node:dgram'
import dnsPacket from 'dns-packet'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { queryPacket, queryUdp } from './helpers/dns-client.js'
import { FakeNames } from './helpers/fake-names.js'
import { startServer, type TestServer } from './helpers/server.js'
import { StubUpstream } from './helpers/stub-upstream.js'

const QUERIES = 20_000
const WINDOW = 64

/** Sends `count` queries of `name`, WINDOW at a time; resolves to answers counted by rcode and the elapsed ms. */
async function load(port: number, name: string, count: number): Promise<{ rcodes: Map<number, number>, ms: number }> {
  const socket = dgram.createSocket('udp4')
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()))
  const templates = Array.from({ length: WINDOW }, (_, i) => dnsPacket.encode(queryPacket({ name, type: 'A' }, { id: i })))
  const rcodes = new Map<number, number>()
  let sent = 0
  let received = 0
  const started = performance.now()
  await new Promise<void>((resolve) => {
    setTimeout(resolve, 15_000) // a lost datagram: stop waiting, and the counts below fail
    const send = (slot: number): void => {
      sent++
      socket.send(templates[slot], port, '127.0.0.1')
    }
    socket.on('message', (msg) => {
      received++
      rcodes.set(msg[3] & 0x0f, (rcodes.get(msg[3] & 0x0f) ?? 0) + 1)
      if (sent < count) send(msg.readUInt16BE(0))
      if (received === count) resolve()
    })
    for (let i = 0; i < Math.min(WINDOW, count); i++) send(i)
  })
  const ms = performance.now() - started
  socket.close()
  return { rcodes, ms }
}

describe('DNS server under a bounded load', () => {
  let s: TestServer
  let up: StubUpstream

  beforeAll(async () => {
    up = new StubUpstream()
    await up.start()
    up.add('outside.test', 'A', { name: 'outside.test', type: 'A', ttl: 300, data: '192.0.2.1' })
    s = await startServer({}, { names: new FakeNames().add('web', '10.32.0.5', '10.32.0.6') }, `nameserver 127.0.0.1:${up.port}\n`)
  })

  afterAll(async () => {
    await s?.close()
    await up?.close()
  })

  it('answers every one of 20 000 local queries', async () => {
    const { rcodes, ms } = await load(s.port, 'web.weft.local', QUERIES)
    expect(rcodes).toEqual(new Map([[0, QUERIES]]))
    console.info(`dns load: ${QUERIES} local A queries over UDP, window ${WINDOW}: ${Math.round(QUERIES / (ms / 1000))} queries/s (${ms.toFixed(0)} ms)`)
  })

  it('answers every one of 20 000 forwarded queries, the upstream asked once', async () => {
    await queryUdp(s.port, { name: 'outside.test', type: 'A' }) // fills the cache
    const { rcodes, ms } = await load(s.port, 'outside.test', QUERIES)
    expect(rcodes).toEqual(new Map([[0, QUERIES]]))
    expect(up.asked).toHaveLength(1)
    console.info(`dns load: ${QUERIES} cached upstream A queries over UDP, window ${WINDOW}: ${Math.round(QUERIES / (ms / 1000))} queries/s (${ms.toFixed(0)} ms)`)
  })
})
