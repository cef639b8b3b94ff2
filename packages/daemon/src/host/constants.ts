/** The iproute2 binary every host operation runs (found on PATH). */
export const IP_COMMAND = 'ip'

/** Where `ip netns` keeps named network namespaces. */
export const NETNS_RUN_DIR = '/run/netns'

/** Where a process's network namespace is found: `/proc/<pid>/ns/net`. */
export const PROC_DIR = '/proc'

/** Interface name of a container's end of its veth pair, unless told otherwise. */
export const DEFAULT_CONTAINER_IFNAME = 'ethwe'

/** Longest Linux interface name (IFNAMSIZ - 1), in characters. */
export const IFNAME_MAX_CHARS = 15

/** Longest network namespace name weft accepts, in characters. */
export const NETNS_NAME_MAX_CHARS = 128

/** Largest PID Linux can hand out (pid_max limit). */
export const PID_MAX = 4_194_304

/** Largest MTU a link can be given, in bytes. The kernel enforces each device's minimum. */
export const MTU_MAX_BYTES = 65_535

/** Prefix of host-side veth names: `vw` + hash characters. */
export const HOST_VETH_PREFIX = 'vw'

/** Hex characters of the hash in a host-side veth name (prefix + these <= 15). */
export const HOST_VETH_HASH_CHARS = 10

/** Prefix of the temporary name of a veth's container end before it moves and is renamed. */
export const TEMP_VETH_PREFIX = 'vt'

/** Prefix of the temporary /run/netns handle made for a namespace given by PID. */
export const PID_NETNS_HANDLE_PREFIX = 'weft-pid-'

/** An `ip` command that has not finished by then is killed and reported failed (ms). */
export const HOST_COMMAND_TIMEOUT_MS = 30_000

/** Largest output read from one `ip` command (bytes). */
export const HOST_COMMAND_MAX_OUTPUT_BYTES = 16 * 1024 * 1024
