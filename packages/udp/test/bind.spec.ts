import dgram from 'node:dgram'
import { afterEach, describe, expect, it } from 'vitest'
import { PMTUDISC_PROBE, getMtuDiscover, setDontFragment } from '@weft/tap'
import type { Bind, Endpoint } from '../src/index.js'
import { CarrierBind, SimNetwork, openUdpBind, socketFd, UdpError } from '../src/index.js'

// One compliance suite for the real and the simulated bind.
type Pair = { a: Bind; b: Bind; aEnd: Endpoint; bEnd: Endpoint; close: () => Promise<void> }

const makers: Record<string, () => Promise<Pair>> = {
  UdpBind: async () => {
    const a = await openUdpBind({ port: 0, address: '127.0.0.1' })
    const b = await openUdpBind({ port: 0, address: '127.0.0.1' })
    return {
      a, b,
      aEnd: { address: '127.0.0.1', port: a.port },
      bEnd: { address: '127.0.0.1', port: b.port },
      close: async () => { await a.close(); await b.close() },
    }
  },
  SimBind: async () => {
    const net = new SimNetwork()
    const a = net.bind('10.0.0.1', 6783)
    const b = net.bind('10.0.0.2', 6783)
    return { a, b, aEnd: a.endpoint, bEnd: b.endpoint, close: async () => { await a.close(); await b.close() } }
  },
  // UDP endpoints pass through to the bind inside, unchanged
  CarrierBind: async () => {
    const net = new SimNetwork()
    const a = net.bind('10.0.0.1', 6783)
    const b = net.bind('10.0.0.2', 6783)
    const ca = new CarrierBind(a)
    const cb = new CarrierBind(b)
    return { a: ca, b: cb, aEnd: a.endpoint, bEnd: b.endpoint, close: async () => { await ca.close(); await cb.close() } }
  },
}

for (const [kind, make] of Object.entries(makers)) {
  describe(`${kind} compliance`, () => {
    let pair: Pair | undefined
    afterEach(async () => { await pair?.close(); pair = undefined })

    it('delivers a slice of the buffer with the sender endpoint', async () => {
      pair = await make()
      const got = new Promise<[Buffer, Endpoint]>((resolve) => pair!.b.onDatagram((d, from) => resolve([d, from])))
      const buf = Buffer.from('xxhello worldyy')
      pair.a.send(buf, 2, 11, pair.bEnd)
      const [data, from] = await got
      expect(data.toString()).toBe('hello world')
      expect(from).toEqual(pair.aEnd)
    })

    it('does not see later changes to the sent buffer', async () => {
      pair = await make()
      const got = new Promise<Buffer>((resolve) => pair!.b.onDatagram((d) => resolve(d)))
      const buf = Buffer.from('original')
      pair.a.send(buf, 0, buf.length, pair.bEnd)
      buf.write('changed!')
      expect((await got).toString()).toBe('original')
    })

    it('sends nothing after close', async () => {
      pair = await make()
      let count = 0
      pair.b.onDatagram(() => { count++ })
      await pair.a.close()
      pair.a.send(Buffer.from('late'), 0, 4, pair.bEnd)
      await new Promise((r) => setTimeout(r, 50))
      expect(count).toBe(0)
    })
  })
}

describe('UdpBind', () => {
  it('fails clearly when the port is taken', async () => {
    const a = await openUdpBind({ port: 0, address: '127.0.0.1' })
    try {
      await expect(openUdpBind({ port: a.port, address: '127.0.0.1' })).rejects.toBeInstanceOf(UdpError)
    } finally {
      await a.close()
    }
  })
})

describe('SimNetwork', () => {
  it('drops what the intercept hook rejects and counts it', async () => {
    const net = new SimNetwork(true)
    const a = net.bind('10.0.0.1', 1)
    const b = net.bind('10.0.0.2', 1)
    const seen: string[] = []
    b.onDatagram((d) => seen.push(d.toString()))
    net.intercept = (d) => !d.data.toString().startsWith('drop')
    a.send(Buffer.from('keep'), 0, 4, b.endpoint)
    a.send(Buffer.from('drop me'), 0, 7, b.endpoint)
    a.send(Buffer.from('nobody'), 0, 6, { address: '10.0.0.9', port: 1 })
    expect(seen).toEqual(['keep'])
    expect(net.dropped).toBe(2)
  })
})

describe('UdpBind dontFragment', () => {
  it('finds the fd of a bound node:dgram socket, and none before bind or after close', async () => {
    const s = dgram.createSocket('udp4')
    expect(socketFd(s)).toBeUndefined()
    await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve))
    const fd = socketFd(s)
    expect(Number.isInteger(fd) && fd! > 2).toBe(true)
    setDontFragment(fd!, 4)
    expect(getMtuDiscover(fd!, 4)).toBe(PMTUDISC_PROBE)
    await new Promise<void>((resolve) => s.close(resolve))
    expect(socketFd(s)).toBeUndefined()
  })

  it('opens with DF set when asked, and still carries datagrams', async () => {
    const a = await openUdpBind({ port: 0, address: '127.0.0.1', dontFragment: true })
    const b = await openUdpBind({ port: 0, address: '127.0.0.1' })
    try {
      expect([a.dontFragment, a.dontFragmentProblem]).toEqual([true, null])
      expect([b.dontFragment, b.dontFragmentProblem]).toEqual([false, null])
      const got = new Promise<number>((resolve) => b.onDatagram((d) => resolve(d.length)))
      a.send(Buffer.alloc(1400), 0, 1400, { address: '127.0.0.1', port: b.port })
      expect(await got).toBe(1400)
    } finally {
      await a.close()
      await b.close()
    }
  })
})
