/**
 * The control API of a weft router: request/response types, request validation, and a client
 * that speaks HTTP+JSON over the unix socket `WEFT_HOME/weft.sock`.
 *
 * @example
 * const api = new ApiClient('/var/lib/weft')
 * const status = await api.status()
 * console.log(status.router.nickname, status.connections.length)
 */
export * from './types.js'
export * from './constants.js'
export { ApiError } from './errors.js'
export type { ApiErrorCode } from './errors.js'
export { ApiClient } from './api-client.js'
export {
  parseAddressRequest, parseCidrRequest, parseContainerName, parseCreateContainer, parsePidRequest, parseStopRequest,
  parseRmpeerRequest,
} from './request-validation.js'
export type { DnsEntryInfo, DnsLookupResponse, DnsNameRequest, DnsPeerInfo, DnsStatusResponse } from './dns-types.js'
export { parseDnsName, parseDnsNameRequest } from './dns-requests.js'
