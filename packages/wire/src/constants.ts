// Every size, limit and protocol number of weft's wire formats, in one place. docs/WIRE.md
// explains how they fit together.

// --- data datagrams (UDP) ---

/** Version byte of data datagrams; a datagram with any other version is dropped and counted. */
export const WIRE_VERSION = 1
/** Bytes of the data datagram header (version, kind, reserved, receiver index, counter). */
export const DATA_HEADER_BYTES = 16
/** Bytes of the Poly1305 tag that ends every encrypted datagram and control frame. */
export const AEAD_TAG_BYTES = 16
/** Smallest datagram that can be valid: a header and a tag around an empty ciphertext. */
export const MIN_DATAGRAM_BYTES = DATA_HEADER_BYTES + AEAD_TAG_BYTES

// --- frame bundles (the plaintext of a Data datagram) ---

/** Bytes of the big-endian length before each frame of a bundle. */
export const BUNDLE_LENGTH_PREFIX_BYTES = 2
/** Largest frame a bundle can carry (the u16 length prefix), in bytes. */
export const MAX_BUNDLE_FRAME_BYTES = 0xffff

// --- Ethernet ---

/** Bytes of an Ethernet header: destination MAC, source MAC, EtherType. */
export const ETH_HEADER_BYTES = 14
/** Bytes of a MAC address. */
export const MAC_BYTES = 6
/** Byte offset of the destination MAC in a frame. */
export const ETH_DESTINATION_OFFSET = 0
/** Byte offset of the source MAC in a frame. */
export const ETH_SOURCE_OFFSET = 6
/** Byte offset of the EtherType in a frame. */
export const ETH_TYPE_OFFSET = 12
/** EtherType of IPv4. */
export const ETHERTYPE_IPV4 = 0x0800
/** EtherType of ARP. */
export const ETHERTYPE_ARP = 0x0806
/** EtherType of IPv6. */
export const ETHERTYPE_IPV6 = 0x86dd

// --- IP, UDP, ICMP ---

/** Bytes of an IPv4 header without options. */
export const IPV4_HEADER_BYTES = 20
/** Bytes of an IPv6 fixed header. */
export const IPV6_HEADER_BYTES = 40
/** Bytes of a UDP header. */
export const UDP_HEADER_BYTES = 8
/** Bytes of an ICMP (v4 or v6) error header: type, code, checksum, 4 bytes of MTU/unused. */
export const ICMP_ERROR_HEADER_BYTES = 8
/** Largest IPv4 packet an ICMPv4 error may fill (RFC 1812 4.3.2.3, as Linux does), in bytes. */
export const ICMPV4_ERROR_MAX_BYTES = 576
/** Largest IPv6 packet an ICMPv6 error may fill (RFC 4443 2.4 (c), the IPv6 minimum MTU), in bytes. */
export const ICMPV6_ERROR_MAX_BYTES = 1280
/** Smallest MTU an IPv4 "fragmentation needed" may announce (RFC 791), in bytes. */
export const MIN_IPV4_MTU_BYTES = 68
/** Smallest MTU an IPv6 "packet too big" may announce (RFC 8200), in bytes. */
export const MIN_IPV6_MTU_BYTES = 1280
/** Largest reply `writeTooBig` writes (an Ethernet frame around a 1280-byte IPv6 packet), in bytes. */
export const TOO_BIG_REPLY_MAX_BYTES = ETH_HEADER_BYTES + ICMPV6_ERROR_MAX_BYTES
/** Hop limit / TTL of synthesized ICMP errors. */
export const ICMP_ERROR_TTL = 64
/**
 * Bytes weft adds around an overlay IP packet, underlay IP header excluded: UDP, data header,
 * tag, bundle length prefix, Ethernet header.
 */
export const OVERLAY_OVERHEAD_BYTES =
  UDP_HEADER_BYTES + DATA_HEADER_BYTES + AEAD_TAG_BYTES + BUNDLE_LENGTH_PREFIX_BYTES + ETH_HEADER_BYTES

// --- control connection (TCP or swarm stream) ---

/** Bytes of the big-endian length before each message of the control stream. */
export const STREAM_LENGTH_PREFIX_BYTES = 4
/** Default and largest control frame (ciphertext and tag), in bytes: 1 MiB. */
export const MAX_CONTROL_MESSAGE_BYTES = 1024 * 1024
/** Largest handshake message (the framer's limit until the Noise handshake completes), in bytes. */
export const MAX_HANDSHAKE_MESSAGE_BYTES = 0xffff
/** Largest encoded control message: it must still fit a frame once the tag is added, in bytes. */
export const MAX_CONTROL_PLAINTEXT_BYTES = MAX_CONTROL_MESSAGE_BYTES - AEAD_TAG_BYTES
/** Bytes kept free for the msgpack envelope around a gossip payload. */
export const CONTROL_ENVELOPE_RESERVE_BYTES = 256
/** Largest gossip payload, in bytes, so that its message always fits a control frame. */
export const MAX_GOSSIP_PAYLOAD_BYTES = MAX_CONTROL_PLAINTEXT_BYTES - CONTROL_ENVELOPE_RESERVE_BYTES
/** Deepest msgpack nesting accepted in a control message (the top-level map is depth 1). */
export const MAX_CONTROL_NESTING_DEPTH = 8

// --- control message fields ---

/** Version of the control protocol, sent in `hello.version`. */
export const CONTROL_PROTOCOL_VERSION = 1
/** Longest peer nickname, in UTF-16 code units. */
export const MAX_NICKNAME_CHARS = 64
/** Length of `hello.restartId`, in lowercase hex digits (64 random bits). */
export const RESTART_ID_HEX_CHARS = 16
/** Smallest overlay MTU a peer may announce, in bytes. */
export const MIN_OVERLAY_MTU_BYTES = 576
/** Most addresses a `hello` may list. */
export const MAX_HELLO_ADDRESSES = 16
/** Longest gossip channel name, in characters of `[a-z0-9-]`. */
export const MAX_CHANNEL_NAME_CHARS = 32
/** Bytes of an X25519 public key carried by `rekey`. */
export const REKEY_EPHEMERAL_BYTES = 32
/** Longest `goodbye.reason`, in UTF-16 code units. */
export const MAX_GOODBYE_REASON_CHARS = 256
/** A peer's id on the wire: its Ed25519 public key. */
export const PEER_ID_BYTES = 32
/** Hops a routed control message may take. */
export const MAX_ROUTED_TTL = 64
/** Largest payload of a routed control message (bytes). */
export const MAX_ROUTED_PAYLOAD_BYTES = 64 * 1024
