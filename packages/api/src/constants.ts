/** File name of the control socket inside WEFT_HOME. */
export const SOCKET_NAME = 'weft.sock'
/** Largest request body the router reads (bytes). */
export const MAX_REQUEST_BYTES = 64 * 1024
/** Client-side timeout for one API call (ms). */
export const REQUEST_TIMEOUT_MS = 30_000
/** Longest container name accepted. */
export const MAX_NAME_LENGTH = 48
