export type NetsimErrorCode =
  | 'ERR_CLOCK_REENTRANT'
  | 'ERR_INVALID_ARGUMENT'
  | 'ERR_DUPLICATE_NAME'
  | 'ERR_DUPLICATE_ADDRESS'
  | 'ERR_UNKNOWN_NODE'
  | 'ERR_PORT_IN_USE'
  | 'ERR_PORTS_EXHAUSTED'

/** Misuse of the simulator (bad arguments, name clashes); the simulated network itself never throws per packet. */
export class NetsimError extends Error {
  override readonly name = 'NetsimError'
  constructor(readonly code: NetsimErrorCode, message: string) {
    super(message)
  }
}
