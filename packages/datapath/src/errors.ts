export type DatapathErrorCode = 'ERR_DATAPATH_SESSION' | 'ERR_DATAPATH_CONFIG' | 'ERR_DATAPATH_ROUTES'

export class DatapathError extends Error {
  override readonly name = 'DatapathError'
  constructor(readonly code: DatapathErrorCode, message: string) {
    super(message)
  }
}
