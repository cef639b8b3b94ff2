import type { IpamErrorCode } from '@weft/ipam'

/** HTTP status of each IpamError code the control API can answer with. */
export const IPAM_HTTP_STATUS: Partial<Record<IpamErrorCode, number>> = {
  ERR_BAD_ADDRESS: 400, ERR_BAD_ARGUMENT: 400, ERR_OUT_OF_RANGE: 400,
  ERR_ADDRESS_IN_USE: 409, ERR_CLAIMED_ELSEWHERE: 409, ERR_HAS_ALLOCATIONS: 409, ERR_OBSERVER: 409, ERR_CONTAINER_HAS_ADDRESS: 409,
  ERR_TIMEOUT: 503, ERR_CLOSED: 503,
}
