#!/usr/bin/env node
/*
 * A DNS load generator over UDP (run by bench/dns.mjs in the router's namespace, as a process of
 * its own): keeps WINDOW queries for NAME (type A) outstanding against ADDRESS:PORT for SECONDS,
 * each with a fresh id, and prints one JSON line: sent, answered (matching id, QR set, rcode
 * NOERROR with at least one answer), lost (no answer within 1 s, re-sent as a new query),
 * queries per second answered, and latency percentiles in microseconds.
 *
 * usage: node bench/dns-load.mjs ADDRESS PORT NAME SECONDS WINDOW
 */
import dgram from 'node:dgram'

const [address, portText, name, secondsText, windowText] = process.argv.slice(2)
const port = Number(portText)
const seconds = Number(secondsText)
const window = Number(windowText)
const LOST_AFTER_MS = 1000

function query(name) {
  const labels = name.replace(/\.$/, '').split('.')
  const parts = [Buffer.from([0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0])]
  for (const l of labels) parts.push(Buffer.from([l.length]), Buffer.from(l, 'ascii'))
  parts.push(Buffer.from([0, 0, 1, 0, 1]))
  return Buffer.concat(parts)
}

const template = query(name)
const sock = dgram.createSocket('udp4')
const pending = new Map() // id -> sent at (ns)
const latenciesUs = []
let sent = 0
let answered = 0
let bad = 0
let lost = 0
let nextId = 0
let stopAt = 0

function send() {
  let id
  do id = nextId = (nextId + 1) & 0xffff
  while (pending.has(id))
  const q = Buffer.from(template)
  q.writeUInt16BE(id, 0)
  pending.set(id, process.hrtime.bigint())
  sent++
  sock.send(q, port, address)
}

sock.on('message', (msg) => {
  if (msg.length < 12) return
  const id = msg.readUInt16BE(0)
  const at = pending.get(id)
  if (at === undefined) return
  pending.delete(id)
  const ok = (msg[2] & 0x80) !== 0 && (msg[3] & 0x0f) === 0 && msg.readUInt16BE(6) > 0
  if (ok) {
    answered++
    latenciesUs.push(Number(process.hrtime.bigint() - at) / 1000)
  } else {
    bad++
  }
  if (performance.now() < stopAt) send()
})

sock.bind(0, () => {
  const start = performance.now()
  stopAt = start + seconds * 1000
  for (let i = 0; i < window; i++) send()
  const sweep = setInterval(() => {
    const now = process.hrtime.bigint()
    for (const [id, at] of pending) {
      if (Number(now - at) / 1e6 > LOST_AFTER_MS) {
        pending.delete(id)
        lost++
        if (performance.now() < stopAt) send()
      }
    }
  }, 100)
  setTimeout(() => {
    clearInterval(sweep)
    const elapsed = (performance.now() - start) / 1000
    latenciesUs.sort((a, b) => a - b)
    const pct = (p) => Math.round(latenciesUs[Math.min(latenciesUs.length - 1, Math.floor(p * latenciesUs.length))] ?? 0)
    process.stdout.write(`${JSON.stringify({ sent, answered, bad, lost, seconds: elapsed, qps: Math.round(answered / elapsed), p50Us: pct(0.5), p99Us: pct(0.99) })}\n`)
    sock.close()
  }, seconds * 1000 + LOST_AFTER_MS + 100)
})
