#!/usr/bin/env node
/*
 * Per-packet cost of the data AEAD called from JS: @weft/crypto's DataCipher (libsodium through
 * sodium-native) against @weft/tap's NativeDataCipher (OpenSSL through the addon), sealing a
 * datagram in place (16-byte header as associated data) at a few sizes. One core, no I/O: what a
 * per-packet JS loop pays for crypto, and what the native loop's AEAD costs per packet.
 * Needs a build (`npm run build`).
 *
 * usage: node bench/native-aead.mjs [--packets N]
 */
import { parseArgs } from 'node:util'
import { DataCipher } from '../packages/crypto/dist/index.js'
import { createNativeDataCipher } from '../packages/tap/dist/index.js'

const { values } = parseArgs({ options: { packets: { type: 'string', default: '200000' } } })
const N = Number(values.packets)
const key = new Uint8Array(32).fill(7)
const ciphers = { 'JS DataCipher (libsodium)': new DataCipher(key), 'NativeDataCipher (OpenSSL)': createNativeDataCipher(key) }

console.log(`AEAD seal in place, ${N} packets per figure, ns/packet (Gbit/s of plaintext)`)
for (const size of [64, 512, 1400]) {
  const buf = Buffer.alloc(16 + size + 16)
  const row = []
  for (const [name, c] of Object.entries(ciphers)) {
    for (let i = 0; i < 2000; i++) c.seal(buf, 16, size, buf, 0, 16, BigInt(i)) // warm up
    const t0 = process.hrtime.bigint()
    for (let i = 0; i < N; i++) c.seal(buf, 16, size, buf, 0, 16, BigInt(i))
    const ns = Number(process.hrtime.bigint() - t0) / N
    row.push(`${name}: ${ns.toFixed(0)} ns (${((size * 8) / ns).toFixed(2)})`)
  }
  console.log(`  ${String(size).padStart(5)} bytes  ${row.join('   ')}`)
}
