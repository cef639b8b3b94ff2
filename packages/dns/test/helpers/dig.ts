// `dig` against the server under test, on loopback only, asynchronously (the server runs in this
// process: a synchronous child would block it).
import { execFile } from 'node:child_process'

export interface DigResult {
  stdout: string
  status: string | undefined
  flags: string[]
  answers: string[][]
  truncatedRetry: boolean
}

export function dig(port: number, args: string[]): Promise<DigResult> {
  return new Promise((resolve, reject) => {
    execFile('dig', ['@127.0.0.1', '-p', String(port), '+time=3', '+tries=1', ...args], { timeout: 15_000 }, (err, stdout) => {
      if (err !== null && stdout === '') return reject(err)
      const status = /status: ([A-Z]+)/.exec(stdout)?.[1]
      const flags = /;; flags: ([a-z ]+);/.exec(stdout)?.[1].trim().split(' ') ?? []
      const section = stdout.split(';; ANSWER SECTION:\n')[1]?.split('\n\n')[0] ?? ''
      const answers = section.split('\n').filter((l) => l.trim() !== '').map((l) => l.split(/\s+/))
      resolve({ stdout, status, flags, answers, truncatedRetry: stdout.includes(';; Truncated, retrying in TCP mode') })
    })
  })
}
