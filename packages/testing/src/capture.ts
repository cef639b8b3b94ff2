import { readFile } from 'node:fs/promises'
import { CAPTURE_START_TIMEOUT_MS } from './constants.js'
import { LabError } from './errors.js'
import type { LabProcess } from './lab-process.js'
import { waitFor } from './wait-for.js'

/** Options of `LabHost.capture`. */
export interface CaptureOptions {
  /** A tcpdump/pcap-filter expression, e.g. `'udp port 6784'` or `'icmp'`. */
  filter?: string
}

/** A running packet capture. */
export interface Capture {
  /** The pcap file tcpdump writes (packet-buffered: readable while the capture runs). */
  readonly path: string
  /** Stops tcpdump (SIGINT, so it flushes) and returns the pcap file's bytes; idempotent. */
  stop(): Promise<Buffer>
}

const LISTENING = 'listening on'
const POLL_MS = 10

/** The tcpdump arguments of a capture on `iface` into `path`. */
export function tcpdumpArgs (iface: string, path: string, filter?: string): string[] {
  // -Z root: do not drop to the tcpdump user (it could not write into the lab's private dir).
  const args = ['-i', iface, '-w', path, '-U', '-s', '0', '-n', '--immediate-mode', '-Z', 'root']
  if (filter !== undefined && filter.trim() !== '') args.push(filter)
  return args
}

/** Waits for a started tcpdump to listen and wraps it as a Capture. */
export async function startCapture (proc: LabProcess, iface: string, path: string): Promise<Capture> {
  let state: 'listening' | 'exited'
  try {
    state = await waitFor(async () => {
      if (proc.stderr().includes(LISTENING)) return 'listening' as const
      return proc.exited() ? 'exited' as const : false
    }, { timeoutMs: CAPTURE_START_TIMEOUT_MS, intervalMs: POLL_MS, what: `tcpdump to listen on ${iface}` })
  } catch (e) {
    proc.kill('SIGKILL')
    await proc.wait()
    throw new LabError('ERR_LAB_CAPTURE', `cannot capture on ${iface}: ${(e as Error).message}; tcpdump said: ${proc.stderr().trim()}`, { cause: e })
  }
  if (state === 'exited') {
    await proc.wait()
    throw new LabError('ERR_LAB_CAPTURE', `cannot capture on ${iface}: tcpdump exited: ${proc.stderr().trim()}`)
  }
  let stopped: Promise<Buffer> | undefined
  return {
    path,
    stop () {
      stopped ??= (async () => {
        proc.kill('SIGINT')
        await proc.wait()
        try {
          return await readFile(path)
        } catch (e) {
          throw new LabError('ERR_LAB_CAPTURE', `tcpdump on ${iface} left no readable capture file ${path}: ${proc.stderr().trim()}`, { cause: e })
        }
      })()
      return stopped
    },
  }
}
