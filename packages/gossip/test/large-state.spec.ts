// A topology state over the 1 MiB control-frame limit (3000 peers with 5 connections each): the
// engine splits full states and large deltas into messages that fit, and the mesh converges. The
// test transport refuses a payload over the limit, as a control connection does.
import { MAX_GOSSIP_PAYLOAD_BYTES } from '@weft/wire'
import { describe, expect, it } from 'vitest'
import { TOPOLOGY_CHANNEL, type PeerRecord, type TopologyState } from '../src/index.js'
import { Mesh } from './helpers/mesh.js'
import { randomHex } from './helpers/virtual-clock.js'

const PEERS = 3000
const CONNECTIONS = 5

/** `PEERS` records, each listing `CONNECTIONS` established links to others. */
function bigState(random: () => number): TopologyState {
  const ids = Array.from({ length: PEERS }, () => randomHex(random, 32))
  const state = new Map<string, PeerRecord>()
  ids.forEach((id, i) => {
    state.set(id, {
      id, nickname: `host-${i}`, restartId: randomHex(random, 8), version: 1 + (i % 7), addresses: ['192.0.2.1'], udpPort: 6783,
      connections: Array.from({ length: CONNECTIONS }, (_, k) => ({
        peer: ids[(i + 1 + k * 37) % PEERS], address: `198.51.100.${k}:6783`, outbound: k % 2 === 0, established: true, rttMs: 1 + k,
      })),
    })
  })
  return state
}

describe('a topology state over the frame limit', () => {
  for (const fullStateOnly of [false, true]) {
    it(`converges in messages under the limit (${fullStateOnly ? 'full-state anti-entropy' : 'digests'})`, () => {
      const mesh = new Mesh({ seed: 11, fullStateOnly })
      const [a, b, c] = mesh.addNodes(3)
      const state = bigState(mesh.random)
      const whole = mesh.node(a).topology.encode(state).length
      expect(whole).toBeGreaterThan(MAX_GOSSIP_PAYLOAD_BYTES)
      mesh.node(a).topology.merge(state, 'elsewhere')
      mesh.connect(b, c)
      expect(mesh.runUntilQuiet(1000)).toBe(true)
      // a new link to a: its whole state goes to b, and b relays it to c as large deltas
      mesh.connect(a, b)
      expect(mesh.runUntilQuiet(2000)).toBe(true)
      expect(mesh.converged()).toBe(true)
      for (const id of [a, b, c]) {
        expect(mesh.node(id).topology.stats().records).toBe(PEERS + 3)
        expect(mesh.node(id).engine.stats().drops['send-failed']).toBe(0)
      }
      expect(mesh.largestPayload).toBeLessThanOrEqual(MAX_GOSSIP_PAYLOAD_BYTES)
      expect(mesh.byChannel.get(TOPOLOGY_CHANNEL)!.bytes).toBeGreaterThan(2 * whole)
    })
  }
})
