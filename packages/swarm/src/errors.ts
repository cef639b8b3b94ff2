/** Stable codes of `SwarmError`; match on these, never on messages. */
export type SwarmErrorCode =
  /** `--swarm-bootstrap` is missing or malformed: give HOST:PORT,... or the word `public`. */
  | 'ERR_SWARM_BOOTSTRAP'
  /** The swarm is already started or already closed (a programming error). */
  | 'ERR_SWARM_STATE'

export class SwarmError extends Error {
  override readonly name = 'SwarmError'
  readonly code: SwarmErrorCode

  constructor(code: SwarmErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }
}

/** True for a `SwarmError` with the given code. */
export function isSwarmError(err: unknown, code?: SwarmErrorCode): err is SwarmError {
  return err instanceof SwarmError && (code === undefined || err.code === code)
}
