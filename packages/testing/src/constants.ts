/** Underlay subnet of a lab: RFC 2544 benchmarking range, never used for real traffic. */
export const DEFAULT_SUBNET = '198.18.0.0/24'
/** MTU of every underlay link (host `eth0`, its switch port, the switch bridge). */
export const DEFAULT_MTU = 1500
/** Host `i` (0-based, in `LabInit.hosts` order) gets the underlay address `network + HOST_ADDRESS_OFFSET + i`. */
export const HOST_ADDRESS_OFFSET = 10
/** Default time limit of `LabHost.exec` and `LabHost.weft`. */
export const DEFAULT_EXEC_TIMEOUT_MS = 30_000
/** Time limit of each `ip`/`nft` command the lab runs to build or tear down its topology. */
export const SETUP_COMMAND_TIMEOUT_MS = 10_000
/** How much of stdout/stderr a `LabError` quotes (the tail). */
export const ERROR_OUTPUT_TAIL_BYTES = 2048
/** Captured output per stream is capped; beyond this only the tail is kept. */
export const MAX_CAPTURED_OUTPUT_BYTES = 8 * 1024 * 1024
/** After a process exits, how long to wait for its pipes to close (a daemonized grandchild may hold them). */
export const STDIO_DRAIN_MS = 1_000
/** How long `destroy` waits for a killed process to be reaped before moving on. */
export const KILL_WAIT_MS = 5_000
/** How long `capture` waits for tcpdump's "listening on" line. */
export const CAPTURE_START_TIMEOUT_MS = 10_000
/** Default polling interval of `waitFor`. */
export const DEFAULT_WAIT_INTERVAL_MS = 50
/** Default `ping` reply wait, in seconds (fractions allowed, iputils). */
export const DEFAULT_PING_TIMEOUT_S = 2
/** Name of the nftables table the lab owns inside host namespaces. */
export const NFT_TABLE = 'weftlab'
/** Name of the bridge inside the switch namespace. */
export const SWITCH_BRIDGE = 'br0'
/** Name of the underlay interface inside each host namespace. */
export const HOST_IFACE = 'eth0'
/** Suffix of the switch namespace name: `${prefix}-sw`. */
export const SWITCH_SUFFIX = 'sw'
/** Linux limit on interface names (IFNAMSIZ - 1). */
export const MAX_IFNAME_LENGTH = 15
/** Directory (under `os.tmpdir()`) name prefix of a lab's files: `weft-lab-${prefix}`. */
export const LAB_DIR_PREFIX = 'weft-lab-'
/** Marker file in the lab dir; `sweepStaleLabs` only touches labs that have one. */
export const LAB_MARKER_FILE = 'lab.json'
/** Where iproute2 keeps per-namespace config files (`weft run` writes resolv.conf there). */
export const NETNS_ETC_DIR = '/etc/netns'
