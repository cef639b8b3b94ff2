export type StoreErrorCode =
  /** The LMDB environment under `<home>/db` could not be opened or created. */
  | 'ERR_STORE_OPEN'
  /** A write did not commit; nothing of it was acknowledged. */
  | 'ERR_STORE_WRITE'
  /** A value handed to a write method failed validation; nothing was written. */
  | 'ERR_STORE_INVALID'
  /** The store was used after `close()`. */
  | 'ERR_STORE_CLOSED'

/** A failure of the router's persistent store; `code` is stable, the message says what to do. */
export class StoreError extends Error {
  override readonly name = 'StoreError'
  constructor (readonly code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
  }
}
