export type ApiErrorCode =
  | 'ERR_NOT_RUNNING'
  | 'ERR_BAD_REQUEST'
  | 'ERR_NOT_FOUND'
  | 'ERR_CONFLICT'
  | 'ERR_INTERNAL'
  | 'ERR_PROTOCOL'
  | string

/** An API failure, carrying the router's own code and message when it sent one. */
export class ApiError extends Error {
  override readonly name = 'ApiError'
  constructor(readonly code: ApiErrorCode, message: string, readonly status = 0) {
    super(message)
  }
}
