/** Frames a `NativeTap` reads per readiness callback at most, unless `TapInit.batchSize` says otherwise. */
export const TAP_DEFAULT_BATCH_SIZE = 64

/** Largest `batchSize` accepted. */
export const TAP_MAX_BATCH_SIZE = 1024

/** Bytes per slab slot of a `NativeTap`, i.e. the largest frame it reads whole (default). */
export const TAP_DEFAULT_SLOT_SIZE_BYTES = 65_536

/** Smallest `slotSize` accepted: a minimum Ethernet frame without FCS. */
export const TAP_MIN_SLOT_SIZE_BYTES = 60

/** Largest `slotSize` accepted. */
export const TAP_MAX_SLOT_SIZE_BYTES = 1_048_576

/** Largest slab (`batchSize * slotSize`) accepted. */
export const TAP_MAX_SLAB_BYTES = 64 * 1_048_576

/** Longest interface name in UTF-8 bytes (the kernel's IFNAMSIZ minus the NUL). */
export const TAP_NAME_MAX_BYTES = 15

/** Shortest frame a TAP accepts on write: an Ethernet header (the kernel says EINVAL below). */
export const TAP_MIN_FRAME_BYTES = 14

/** Bytes per slab slot of a `ChannelTap` (default): jumbo frames fit, memory stays small. */
export const CHANNEL_TAP_DEFAULT_SLOT_SIZE_BYTES = 9_216

/** Frames a `ChannelTap` queues before `inject` drops (the kernel's TAP queue is similar). */
export const CHANNEL_TAP_QUEUE_FRAMES = 1_000

/** `IP_PMTUDISC_PROBE` (= `IPV6_PMTUDISC_PROBE`): the MTU-discovery mode `setDontFragment` sets. */
export const PMTUDISC_PROBE = 3
