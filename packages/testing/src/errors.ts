import type { ExecResult } from './run-command.js'

/** Stable error codes of the lab. */
export type LabErrorCode =
  | 'ERR_LAB_INIT' // bad LabInit (host names, subnet, mtu)
  | 'ERR_LAB_SETUP' // building the topology failed
  | 'ERR_LAB_EXEC' // a command exited non-zero (or could not start)
  | 'ERR_LAB_TIMEOUT' // a command ran past its time limit and was killed
  | 'ERR_LAB_WAIT_TIMEOUT' // waitFor gave up
  | 'ERR_LAB_UNKNOWN_HOST' // lab.host(name) with a name not in LabInit.hosts
  | 'ERR_LAB_NAME' // refused to touch a namespace outside the lab naming pattern
  | 'ERR_LAB_DESTROYED' // the lab was used after destroy()
  | 'ERR_LAB_NO_CLI' // packages/cli/dist/bin.js is missing
  | 'ERR_LAB_CAPTURE' // tcpdump failed to start or stop
  | 'ERR_LAB_PCAP' // readPcap got bytes that are not a (complete) pcap file

/** Every failure of `@weft/testing` is a LabError with a stable `code`. */
export class LabError extends Error {
  override readonly name = 'LabError'
  readonly code: LabErrorCode
  /** The command's outcome when the error comes from running one (partial output on timeout). */
  readonly result?: ExecResult

  constructor (code: LabErrorCode, message: string, options?: { cause?: unknown; result?: ExecResult }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    if (options?.result !== undefined) this.result = options.result
  }
}
