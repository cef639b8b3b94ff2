/** Datagrams a `UdpBind` can have in flight before a send buffer is reused. */
export const SEND_RING_SLOTS = 512
/** Largest datagram a bind sends or receives (bytes). */
export const MAX_DATAGRAM_BYTES = 65_535
/** Default kernel socket buffer size asked for (bytes); the kernel may cap it. */
export const SOCKET_BUFFER_BYTES = 4 * 1024 * 1024
