export type UdpErrorCode = 'ERR_UDP_BIND' | 'ERR_UDP_CLOSED'

export class UdpError extends Error {
  override readonly name = 'UdpError'
  constructor(readonly code: UdpErrorCode, message: string) {
    super(message)
  }
}
