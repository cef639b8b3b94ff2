/**
 * FastPath: the native data path for established unicast traffic, on the JS thread.
 *
 * It owns the data path's UDP socket (IPv4, bound once; JS sends through it too, see `send`),
 * so the wire and the port are the same whichever side handles a packet: a peer cannot tell,
 * and either end may run either path. Everything runs in uv_poll callbacks on Node's loop, the
 * same thread as JS, so the send counters and replay windows it shares with JS need no locks.
 *
 * Inside (TAP -> UDP), called by TapHandle for each batch it read, before JS sees it:
 *  1. OnTapFrame  a unicast frame whose source MAC is published as local and whose destination
 *                 MAC belongs to a peer with a direct sending session, within its MTU, goes into
 *                 that session's bundle (a tx slot); anything else returns false (-> JS)
 *  2. FlushTx     seal each slot (header, counter from the shared cell, ChaCha20-Poly1305) and
 *                 send them all with sendmmsg
 * Outside (UDP -> TAP), on UV_READABLE of the socket:
 *  3. OnReadable  recvmmsg a batch; for each datagram: a Data datagram for a published sending
 *                 session from its published endpoint is checked against the replay window,
 *                 opened, recorded, its bundle validated and its frames written to the TAP.
 *                 A Data bundle with a source MAC not published as that peer's goes up as
 *                 plaintext (JS learns it); anything else (other kinds, unknown index, roamed
 *                 peer, short) goes up raw, untouched. Replays, forgeries and malformed bundles
 *                 are dropped here and counted.
 *  4. Up          one JS callback per batch with what goes up (borrowed until it returns).
 *
 * The table (sessions, MACs) is published whole by JS (`publish`) and swapped at once; nothing
 * is allocated per packet. See fast-path.cc for the JS surface.
 */
#ifndef WEFT_FAST_PATH_H_
#define WEFT_FAST_PATH_H_

#include <napi.h>
#include <uv.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

namespace weft {

class DataAead;
class ReplayWindow;

struct FastSession {
  uint32_t local_index = 0;
  uint32_t remote_index = 0;
  int32_t peer = 0;  // peer slot (1..); MAC owners use the same numbers, 0 = local
  bool sending = false;
  sockaddr_in endpoint{};
  uint32_t mtu = 0;
  uint32_t bundle_capacity = 0;
  DataAead* tx = nullptr;
  DataAead* rx = nullptr;
  ReplayWindow* replay = nullptr;
  uint64_t* counter = nullptr;  // BigUint64Array cell shared with JS
  double* stats = nullptr;      // Float64Array: packetsSent, bytesSent, packetsReceived, bytesReceived
  int32_t pending = -1;         // tx slot being filled during a batch
};

struct MacEntry {
  int32_t owner = 0;
  bool seen = false;
};

struct FastTable {
  std::vector<FastSession> sessions;
  std::unordered_map<uint32_t, uint32_t> by_index;  // local index -> position in sessions
  std::unordered_map<int32_t, uint32_t> sending;    // peer slot -> its sending session
  std::unordered_map<uint64_t, MacEntry> macs;
  std::vector<Napi::ObjectReference> refs;  // keeps ciphers, windows and cells alive
};

// Counter slots in the shared Float64Array, in the order the TS side reads them.
enum FastCounter {
  kFcFramesIn = 0,      // TAP frames taken by the fast path
  kFcDatagramsSent,     // datagrams it sent (sendmmsg)
  kFcBytesSent,
  kFcSendDrops,         // datagrams the socket refused
  kFcDatagramsIn,       // Data datagrams it opened
  kFcBytesIn,
  kFcFramesOut,         // frames it wrote to the TAP
  kFcTapDrops,          // frames the TAP refused
  kFcUpRaw,             // datagrams handed up to JS untouched
  kFcUpPlain,           // opened bundles handed up to JS (MAC learning)
  kFcReplay,            // dropped: replayed or too old
  kFcBadTag,            // dropped: forged or corrupt
  kFcBadBundle,         // dropped: malformed bundle
  kFcCounterExhausted,  // dropped: session used up its counters (rekey due)
  kFcRecvErrors,
  kFcGsoSends,          // UDP GSO messages sent (each carrying 2+ datagrams)
  kFcCount
};

class FastPath : public Napi::ObjectWrap<FastPath> {
 public:
  static Napi::Function Define(Napi::Env env);
  /** The FastPath inside `v`, or nullptr. */
  static FastPath* From(Napi::Value v);

  explicit FastPath(const Napi::CallbackInfo& info);
  ~FastPath() override;

  // Called by TapHandle (attach/detach and for each batch).
  void SetTapFd(int fd) { tap_fd_ = fd; }
  bool OnTapFrame(uint8_t* frame, uint32_t len);
  void FlushTx();
  // Space for one UDP_SEGMENT control message (fast-path-send.cc).
  static constexpr size_t kGsoCmsgBytes = CMSG_SPACE(sizeof(uint16_t));

 private:
  Napi::Value Publish(const Napi::CallbackInfo& info);
  Napi::Value Start(const Napi::CallbackInfo& info);
  Napi::Value Send(const Napi::CallbackInfo& info);
  Napi::Value TakeSeen(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value Ref(const Napi::CallbackInfo& info);
  Napi::Value Unref(const Napi::CallbackInfo& info);

  static void OnPoll(uv_poll_t* poll, int status, int events);
  void OnReadable();
  // 3: handles datagram i of the rx batch: delivered, dropped (counted) or an up entry.
  void HandleDatagram(uint32_t i);
  bool ValidBundle(const uint8_t* p, uint32_t len, int32_t peer, bool* learn) const;
  void DeliverBundle(const uint8_t* p, uint32_t len);
  void Up(uint32_t kind, uint32_t offset, uint32_t length, uint32_t index, const sockaddr_in& from);
  void SealSlot(uint32_t slot);
  // 2b: sends tx_msgs_[0, n) (fast-path-send.cc), coalesced by UDP GSO when gso_.
  void SendTx(uint32_t n);
  uint32_t CoalesceGso(uint32_t n);
  void ClosePoll();
  void Shutdown();
  static void OnEnvCleanup(void* arg);

  int fd_ = -1;
  int tap_fd_ = -1;
  uint32_t batch_ = 0;
  uint32_t tx_slot_bytes_ = 0;
  uint64_t rekey_after_ = 0;
  std::unique_ptr<FastTable> table_;
  // tx: one slot per datagram under construction
  std::vector<uint8_t> tx_slab_;
  std::vector<uint32_t> tx_len_;      // plaintext bytes in the slot's bundle
  std::vector<int32_t> tx_session_;   // position in table_->sessions
  std::vector<mmsghdr> tx_msgs_;
  std::vector<iovec> tx_iov_;
  std::vector<sockaddr_in> tx_addr_;
  uint32_t tx_used_ = 0;
  bool gso_ = false;                  // send runs to one endpoint as one UDP_SEGMENT message
  std::vector<mmsghdr> tx_gso_msgs_;  // the coalesced messages
  std::vector<uint32_t> tx_gso_segs_; // datagrams in each
  std::vector<uint8_t> tx_gso_cmsg_;  // kGsoCmsgBytes each
  // rx
  uint8_t* rx_slab_ = nullptr;  // the "slab" property (JS reads what goes up from it)
  uint32_t rx_slot_bytes_ = 0;
  std::vector<mmsghdr> rx_msgs_;
  std::vector<iovec> rx_iov_;
  std::vector<sockaddr_in> rx_addr_;
  uint32_t* up_[6] = {};  // kind, offset, length, index, address (host order), port
  uint32_t up_count_ = 0;
  double* counters_ = nullptr;
  uv_poll_t* poll_ = nullptr;
  bool ref_ = true;
  bool hooked_ = false;
  napi_async_context async_context_ = nullptr;
  Napi::FunctionReference callback_;
};

}  // namespace weft

#endif  // WEFT_FAST_PATH_H_
