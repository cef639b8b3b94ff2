/*
 * Recovery of a hole-punched path: a and b behind easy NATs, joined through public peer c,
 * punch a direct path. Then a's NAT router loses the mapping: UDP between it and b's NAT is
 * dropped before conntrack sees it (so nothing refreshes the entry) until the entry expired
 * (UDP conntrack timeouts cut to 2 s). Traffic must fall back to the relay through c, then
 * return to a newly punched path once the NATs pass datagrams again. The times are printed
 * (figures, not assertions).
 *
 *   public 10.200.0.0/24: c, NAT routers ra, rb;  a: 10.1.0.2 behind ra;  b: 10.2.0.2 behind rb
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, expect, it } from 'vitest'
import type { NatLab } from '@weft/testing'
import { createNatLab } from '@weft/testing'
import { container, launch, ping, status, waitPath, waitPing } from './support.js'

const PUNCHED = /^direct \(punched\) 10\.200\.0\.\d+:6783$/
const RELAYED = /^relay via [0-9a-f]{12}: /
/** UDP conntrack timeouts on a's NAT router during the test (s): the mapping expires this long after its last packet. */
const UDP_TIMEOUT_S = 2

let nat: NatLab | undefined
afterEach(async () => {
  await nat?.destroy()
  nat = undefined
})

it('a punched path whose NAT mapping expired falls back to the relay and is punched again within seconds', async () => {
  nat = await createNatLab({ subnet: '10.200.0.0/24', public: ['c'], private: [{ name: 'a', kind: 'easy' }, { name: 'b', kind: 'easy' }] })
  const [a, b, c] = ['a', 'b', 'c'].map((n) => nat!.host(n))
  await launch(c)
  await launch(a, [c.address])
  await launch(b, [c.address])
  const ca = await container(a, 'ca', '10.50.0.1/16')
  await container(b, 'cb', '10.50.0.2/16')
  const idB = (await status(b)).router.id
  const idA = (await status(a)).router.id
  await waitPath(a, idB, PUNCHED)
  await waitPing(a, ca, '10.50.0.2', 20_000)

  const ra = nat.natRouter('a')
  const rb = nat.natRouter('b').address
  for (const k of ['nf_conntrack_udp_timeout', 'nf_conntrack_udp_timeout_stream']) await ra.sysctl(`net.netfilter.${k}`, String(UDP_TIMEOUT_S))
  // raw priority: dropped before conntrack, so the blocked datagrams do not keep the mapping alive
  await ra.nft(`table ip weftcut {
  chain pre {
    type filter hook prerouting priority raw; policy accept;
    ip daddr ${rb} udp dport 6783 drop
    ip saddr ${rb} udp sport 6783 drop
  }
}
`)
  const cutAt = Date.now()
  const relayed = await waitPath(a, idB, RELAYED, 20_000)
  const fellBackMs = Date.now() - cutAt
  // each end detects the silence on its own clock: replies take b's path, so wait for b too
  await waitPath(b, idA, RELAYED, 20_000)
  expect(await ping(a, ca, '10.50.0.2', 3)).toBe(true) // through c meanwhile
  await sleep((UDP_TIMEOUT_S + 2) * 1000) // the mapping for b's NAT is gone now
  await ra.nft('delete table ip weftcut\n')
  const healedAt = Date.now()
  const back = await waitPath(a, idB, PUNCHED, 30_000)
  const repunchedMs = Date.now() - healedAt
  expect(await ping(a, ca, '10.50.0.2', 3)).toBe(true)
  console.log(`punched path recovery: relay after ${fellBackMs} ms (${relayed.path}); punched again ${repunchedMs} ms after the NATs pass UDP again (${back.path})`)
}, 180_000)
