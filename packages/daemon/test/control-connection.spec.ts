import net from 'node:net'
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { deriveNetworkKey, generateIdentity } from '@weft/crypto'
import { encodeFrame } from '@weft/wire'
import { ControlConnection } from '../src/control/control-connection.js'

const KEY = deriveNetworkKey('the right secret')
const OTHER = deriveNetworkKey('another secret!')

const servers: net.Server[] = []
afterEach(() => {
  for (const s of servers.splice(0)) s.close()
})

/** A listening socket on loopback; resolves with the server side of the first connection. */
async function pair(): Promise<{ client: net.Socket; server: Promise<net.Socket> }> {
  const server = net.createServer()
  servers.push(server)
  const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve))
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1')
  return { client, server: accepted }
}

function outcome(c: ControlConnection): Promise<string> {
  return new Promise((resolve) => {
    c.once('established', () => resolve('established'))
    c.once('close', (reason) => resolve(`closed: ${reason}`))
  })
}

describe('ControlConnection', () => {
  it('completes the handshake, agrees on keys and carries messages both ways', async () => {
    const { client, server } = await pair()
    const a = generateIdentity()
    const b = generateIdentity()
    const ca = new ControlConnection({ socket: client, role: 'initiator', identity: a, networkKeys: [KEY] })
    const cb = new ControlConnection({ socket: await server, role: 'responder', identity: b, networkKeys: [OTHER, KEY] })
    expect(await Promise.all([outcome(ca), outcome(cb)])).toEqual(['established', 'established'])
    expect(ca.remotePublicKey!.equals(b.publicKey)).toBe(true)
    expect(cb.remotePublicKey!.equals(a.publicKey)).toBe(true)
    expect(ca.dataKeys!.send.equals(cb.dataKeys!.receive)).toBe(true)
    expect(ca.dataKeys!.receive.equals(cb.dataKeys!.send)).toBe(true)
    const got = new Promise((resolve) => cb.once('message', resolve))
    ca.send({ t: 'ping', id: 7, sentAt: 123 })
    expect(await got).toEqual({ t: 'ping', id: 7, sentAt: 123 })
    ca.close('done')
  })

  it('never establishes with a peer holding the wrong secret', async () => {
    const { client, server } = await pair()
    const ca = new ControlConnection({ socket: client, role: 'initiator', identity: generateIdentity(), networkKeys: [OTHER] })
    const cb = new ControlConnection({ socket: await server, role: 'responder', identity: generateIdentity(), networkKeys: [KEY] })
    const [ra, rb] = await Promise.all([outcome(ca), outcome(cb)])
    expect(rb).toMatch(/^closed: handshake failed/)
    expect(ra).toMatch(/^closed:/)
    expect(cb.remotePublicKey).toBeNull()
  })

  it('closes on garbage before the handshake, whatever the bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 300 }), fc.boolean(), async (bytes, framed) => {
        const { client, server } = await pair()
        const cb = new ControlConnection({ socket: await server, role: 'responder', identity: generateIdentity(), networkKeys: [KEY] })
        const done = outcome(cb)
        client.write(framed ? encodeFrame(bytes) : Buffer.from(bytes))
        client.end()
        expect(await done).toMatch(/^closed:/)
      }),
      { numRuns: 25 },
    )
  })

  it('drops an authenticated but malformed message and stays open', async () => {
    const { client, server } = await pair()
    const ca = new ControlConnection({ socket: client, role: 'initiator', identity: generateIdentity(), networkKeys: [KEY] })
    const cb = new ControlConnection({ socket: await server, role: 'responder', identity: generateIdentity(), networkKeys: [KEY] })
    await Promise.all([outcome(ca), outcome(cb)])
    const bad = new Promise<Error>((resolve) => cb.once('badMessage', resolve))
    // reach into the sender's cipher to encrypt a message the schema rejects
    const tx = (ca as unknown as { tx: { encrypt(p: Uint8Array): Buffer } }).tx
    client.write(encodeFrame(tx.encrypt(Buffer.from([0x81, 0xa1, 0x74, 0xa4, 0x6e, 0x6f, 0x70, 0x65]))))
    expect((await bad).message).toMatch(/unknown|type/i)
    const got = new Promise((resolve) => cb.once('message', resolve))
    ca.send({ t: 'goodbye', reason: 'still here' })
    expect(await got).toEqual({ t: 'goodbye', reason: 'still here' })
    ca.close('done')
  })
})
