export type DaemonErrorCode =
  | 'ERR_CONFIG'
  | 'ERR_NO_SECRET'
  | 'ERR_ALREADY_RUNNING'
  | 'ERR_NOT_FOUND'
  | 'ERR_CONFLICT'
  | 'ERR_BAD_REQUEST'
  | 'ERR_PROTOCOL'
  | 'ERR_STARTUP'

/** A failure of the router or of its configuration; `code` maps to an API error code. */
export class DaemonError extends Error {
  override readonly name = 'DaemonError'
  constructor(readonly code: DaemonErrorCode, message: string) {
    super(message)
  }
}
