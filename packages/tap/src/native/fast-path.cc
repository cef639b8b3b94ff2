/**
 * FastPath's loops (see fast-path.h for the stages). JS surface:
 *
 *   new FastPath(address, port, batchSize, datagramBudget, rekeyAfter: bigint, dontFragment, gso?)
 *     binds the UDP socket (IPv4) and allocates everything (`gso`: see fast-path-send.cc): properties `port`, `slab` (the rx
 *     batch), `up` = { kinds, offsets, lengths, indexes, addresses, ports } (Uint32Arrays,
 *     batchSize entries) and `counters` (Float64Array, FastCounter order). Throws an Error with
 *     `code`/`errno`/`syscall` when the socket cannot be opened or bound.
 *   start(callback)  polls the socket; callback(count) gets `count` up entries: kind 0 = a raw
 *                    datagram slab[offset, +length) from addresses[i]:ports[i]; kind 1 = the
 *                    plaintext bundle slab[offset, +length) of session indexes[i], already
 *                    authenticated and recorded (JS delivers it and learns its MACs).
 *   publish(sessions, macs)  swaps in a new table (fast-path-control.cc).
 *   send(buf, offset, length, address, port) -> bool: one sendto for JS (fast-path-control.cc).
 *   takeSeen() -> Float64Array of the MACs the fast path used since the last call.
 *   close(), ref(), unref().
 */
#include "fast-path.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <string>
#include <unistd.h>

#include "data-aead.h"
#include "read-poll.h"
#include "replay-window.h"

namespace weft {
namespace {

constexpr uint32_t kHeaderBytes = 16;
constexpr uint32_t kTagBytes = 16;
constexpr uint32_t kEthBytes = 14;
constexpr uint32_t kPrefixBytes = 2;
constexpr uint8_t kWireVersion = 1;
constexpr uint8_t kKindData = 1;
constexpr uint32_t kRxSlotBytes = 65536;
constexpr int kSocketBufferBytes = 4 << 20;

uint32_t Le32(const uint8_t* p) { return p[0] | p[1] << 8 | p[2] << 16 | static_cast<uint32_t>(p[3]) << 24; }
uint64_t Le64(const uint8_t* p) { return Le32(p) | static_cast<uint64_t>(Le32(p + 4)) << 32; }
uint64_t Mac(const uint8_t* p) {
  uint64_t m = 0;
  for (int i = 0; i < 6; i++) m = m << 8 | p[i];
  return m;
}
bool Multicast(const uint8_t* mac) { return (mac[0] & 1) != 0; }

void ThrowErrno(Napi::Env env, int err, const char* syscall, const std::string& what) {
  Napi::Error error = Napi::Error::New(env, std::string(syscall) + " " + what + ": " + std::strerror(err));
  error.Set("code", Napi::String::New(env, uv_err_name(-err)));
  error.Set("errno", Napi::Number::New(env, err));
  error.Set("syscall", Napi::String::New(env, syscall));
  error.ThrowAsJavaScriptException();
}

bool ToU32(const Napi::Value& v, uint32_t max, uint32_t* out) {
  if (!v.IsNumber()) return false;
  double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= 0 && d <= max) || d != static_cast<double>(static_cast<uint32_t>(d))) return false;
  *out = static_cast<uint32_t>(d);
  return true;
}

}  // namespace

Napi::Function FastPath::Define(Napi::Env env) {
  return DefineClass(env, "FastPath",
                     {InstanceMethod<&FastPath::Publish>("publish"), InstanceMethod<&FastPath::Start>("start"),
                      InstanceMethod<&FastPath::Send>("send"), InstanceMethod<&FastPath::TakeSeen>("takeSeen"),
                      InstanceMethod<&FastPath::Close>("close"), InstanceMethod<&FastPath::Ref>("ref"),
                      InstanceMethod<&FastPath::Unref>("unref")});
}

static const napi_type_tag kFastPathTag = {0x7765667466617374ULL, 0x2d70617468763031ULL};

FastPath* FastPath::From(Napi::Value v) {
  if (!v.IsObject()) return nullptr;
  bool tagged = false;
  if (napi_check_object_type_tag(v.Env(), v, &kFastPathTag, &tagged) != napi_ok || !tagged) return nullptr;
  return Unwrap(v.As<Napi::Object>());
}

FastPath::FastPath(const Napi::CallbackInfo& info) : Napi::ObjectWrap<FastPath>(info) {
  Napi::Env env = info.Env();
  uint32_t port = 0, budget = 0;
  bool lossless = false;
  if (info.Length() < 6 || !info[0].IsString() || !ToU32(info[1], 65535, &port) || !ToU32(info[2], 1024, &batch_) ||
      batch_ == 0 || !ToU32(info[3], 65535, &budget) || budget < kHeaderBytes + kTagBytes + kPrefixBytes + kEthBytes ||
      !info[4].IsBigInt() || !info[5].IsBoolean()) {
    Napi::TypeError::New(env, "FastPath(address, port, batchSize, datagramBudget, rekeyAfter, dontFragment): bad arguments")
        .ThrowAsJavaScriptException();
    return;
  }
  if (info.Length() > 6 && !info[6].IsUndefined()) {
    if (!info[6].IsBoolean()) {
      Napi::TypeError::New(env, "FastPath: gso must be a boolean").ThrowAsJavaScriptException();
      return;
    }
    gso_ = info[6].As<Napi::Boolean>().Value();
  }
  rekey_after_ = info[4].As<Napi::BigInt>().Uint64Value(&lossless);
  std::string address = info[0].As<Napi::String>().Utf8Value();
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<uint16_t>(port));
  if (!lossless || inet_pton(AF_INET, address.c_str(), &sa.sin_addr) != 1) {
    Napi::TypeError::New(env, "FastPath: address must be an IPv4 literal, rekeyAfter a u64").ThrowAsJavaScriptException();
    return;
  }
  tx_slot_bytes_ = budget;
  rx_slot_bytes_ = kRxSlotBytes;
  Napi::Buffer<uint8_t> slab = Napi::Buffer<uint8_t>::New(env, size_t{batch_} * rx_slot_bytes_);
  Napi::Float64Array counters = Napi::Float64Array::New(env, kFcCount);
  Napi::Object up = Napi::Object::New(env);
  const char* names[6] = {"kinds", "offsets", "lengths", "indexes", "addresses", "ports"};
  for (int i = 0; i < 6; i++) {
    Napi::Uint32Array a = Napi::Uint32Array::New(env, batch_);
    up.Set(names[i], a);
    up_[i] = a.Data();
  }
  if (env.IsExceptionPending()) return;
  rx_slab_ = slab.Data();
  counters_ = counters.Data();
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    ThrowErrno(env, errno, "socket", "UDP");
    return;
  }
  int size = kSocketBufferBytes;
  (void)::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  (void)::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
  if (info[5].As<Napi::Boolean>().Value()) {
    int probe = IP_PMTUDISC_PROBE;
    if (::setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &probe, sizeof probe) < 0) {
      int err = errno;
      ::close(fd);
      ThrowErrno(env, err, "setsockopt", "IP_MTU_DISCOVER");
      return;
    }
  }
  if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0) {
    int err = errno;
    ::close(fd);
    ThrowErrno(env, err, "bind", "UDP " + address + ":" + std::to_string(port));
    return;
  }
  socklen_t len = sizeof sa;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  fd_ = fd;
  table_ = std::make_unique<FastTable>();
  tx_slab_.assign(size_t{batch_} * tx_slot_bytes_, 0);
  tx_len_.assign(batch_, 0);
  tx_session_.assign(batch_, -1);
  tx_msgs_.assign(batch_, mmsghdr{});
  tx_iov_.assign(batch_, iovec{});
  tx_addr_.assign(batch_, sockaddr_in{});
  tx_gso_msgs_.assign(batch_, mmsghdr{});
  tx_gso_segs_.assign(batch_, 0);
  tx_gso_cmsg_.assign(size_t{batch_} * kGsoCmsgBytes, 0);
  rx_msgs_.assign(batch_, mmsghdr{});
  rx_iov_.assign(batch_, iovec{});
  rx_addr_.assign(batch_, sockaddr_in{});
  for (uint32_t i = 0; i < batch_; i++) {
    rx_iov_[i] = {rx_slab_ + size_t{i} * rx_slot_bytes_, rx_slot_bytes_};
    tx_iov_[i].iov_base = tx_slab_.data() + size_t{i} * tx_slot_bytes_;
  }
  Napi::Object self = info.This().As<Napi::Object>();
  self.DefineProperties({
      Napi::PropertyDescriptor::Value("port", Napi::Number::New(env, ntohs(sa.sin_port)), napi_enumerable),
      Napi::PropertyDescriptor::Value("slab", slab, napi_enumerable),
      Napi::PropertyDescriptor::Value("up", up, napi_enumerable),
      Napi::PropertyDescriptor::Value("counters", counters, napi_enumerable),
  });
  napi_type_tag_object(env, self, &kFastPathTag);
  napi_async_init(env, nullptr, Napi::String::New(env, "weft_fast_path"), &async_context_);
  hooked_ = napi_add_env_cleanup_hook(env, OnEnvCleanup, this) == napi_ok;
}

void FastPath::OnEnvCleanup(void* arg) {
  auto* self = static_cast<FastPath*>(arg);
  self->hooked_ = false;
  self->Shutdown();
}

FastPath::~FastPath() { Shutdown(); }

// 1. OnTapFrame: true when the frame was taken (it is copied; the caller's slot is free again).
bool FastPath::OnTapFrame(uint8_t* f, uint32_t len) {
  if (fd_ < 0 || len < kEthBytes || Multicast(f) || Multicast(f + 6)) return false;
  FastTable& t = *table_;
  auto src = t.macs.find(Mac(f + 6));
  if (src == t.macs.end() || src->second.owner != 0) return false;  // JS learns it as local
  auto dst = t.macs.find(Mac(f));
  if (dst == t.macs.end() || dst->second.owner <= 0) return false;
  auto sending = t.sending.find(dst->second.owner);
  if (sending == t.sending.end()) return false;
  FastSession& s = t.sessions[sending->second];
  if (len - kEthBytes > s.mtu) return false;  // JS fragments it or answers "too big"
  uint32_t need = kPrefixBytes + len;
  if (s.pending >= 0 && tx_len_[s.pending] + need > s.bundle_capacity) s.pending = -1;
  if (s.pending < 0) {
    if (tx_used_ == batch_) FlushTx();
    if (need > s.bundle_capacity) return false;
    s.pending = static_cast<int32_t>(tx_used_++);
    tx_len_[s.pending] = 0;
    tx_session_[s.pending] = static_cast<int32_t>(sending->second);
  }
  uint8_t* at = tx_slab_.data() + size_t(s.pending) * tx_slot_bytes_ + kHeaderBytes + tx_len_[s.pending];
  at[0] = static_cast<uint8_t>(len >> 8);
  at[1] = static_cast<uint8_t>(len);
  std::memcpy(at + kPrefixBytes, f, len);
  tx_len_[s.pending] += need;
  src->second.seen = true;
  dst->second.seen = true;
  counters_[kFcFramesIn] += 1;
  return true;
}

// 2. FlushTx: seal every slot in use and send them with sendmmsg.
void FastPath::FlushTx() {
  uint32_t n = 0;
  for (uint32_t i = 0; i < tx_used_; i++) {
    FastSession& s = table_->sessions[tx_session_[i]];
    s.pending = -1;
    uint8_t* slot = tx_slab_.data() + size_t{i} * tx_slot_bytes_;
    uint64_t counter = *s.counter;
    if (counter >= rekey_after_) {
      counters_[kFcCounterExhausted] += 1;
      continue;
    }
    *s.counter = counter + 1;
    slot[0] = kWireVersion;
    slot[1] = kKindData;
    slot[2] = slot[3] = 0;
    for (int b = 0; b < 4; b++) slot[4 + b] = static_cast<uint8_t>(s.remote_index >> (8 * b));
    for (int b = 0; b < 8; b++) slot[8 + b] = static_cast<uint8_t>(counter >> (8 * b));
    uint32_t plain = tx_len_[i];
    if (s.tx->Seal(slot + kHeaderBytes, plain, slot + kHeaderBytes + plain, slot, kHeaderBytes, counter) < 0) {
      counters_[kFcCounterExhausted] += 1;
      continue;
    }
    uint32_t total = kHeaderBytes + plain + kTagBytes;
    s.stats[0] += 1;
    s.stats[1] += total;
    tx_addr_[n] = s.endpoint;
    tx_iov_[n].iov_base = slot;
    tx_iov_[n].iov_len = total;
    mmsghdr& m = tx_msgs_[n];
    m = mmsghdr{};
    m.msg_hdr.msg_name = &tx_addr_[n];
    m.msg_hdr.msg_namelen = sizeof(sockaddr_in);
    m.msg_hdr.msg_iov = &tx_iov_[n];
    m.msg_hdr.msg_iovlen = 1;
    n++;
  }
  tx_used_ = 0;
  SendTx(n);
}

// 3. OnReadable
void FastPath::OnPoll(uv_poll_t* poll, int status, int) {
  auto* self = static_cast<FastPath*>(poll->data);
  if (self == nullptr) return;
  if (status < 0) {
    self->counters_[kFcRecvErrors] += 1;
    return;
  }
  self->OnReadable();
}

void FastPath::OnReadable() {
  for (uint32_t i = 0; i < batch_; i++) {
    mmsghdr& m = rx_msgs_[i];
    m = mmsghdr{};
    m.msg_hdr.msg_name = &rx_addr_[i];
    m.msg_hdr.msg_namelen = sizeof(sockaddr_in);
    m.msg_hdr.msg_iov = &rx_iov_[i];
    m.msg_hdr.msg_iovlen = 1;
  }
  int n;
  do {
    n = ::recvmmsg(fd_, rx_msgs_.data(), batch_, MSG_DONTWAIT, nullptr);
  } while (n < 0 && errno == EINTR);
  if (n <= 0) {
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) counters_[kFcRecvErrors] += 1;
    return;
  }
  up_count_ = 0;
  for (uint32_t i = 0; i < static_cast<uint32_t>(n); i++) HandleDatagram(i);
  if (up_count_ == 0 || callback_.IsEmpty()) return;
  Napi::Env env = Env();
  Napi::HandleScope scope(env);
  napi_value argv[1] = {Napi::Number::New(env, up_count_)};
  napi_status st = napi_make_callback(env, async_context_, Value(), callback_.Value(), 1, argv, nullptr);
  if (st == napi_pending_exception) {
    napi_value error;
    napi_get_and_clear_last_exception(env, &error);
    napi_fatal_exception(env, error);
  }
}

void FastPath::HandleDatagram(uint32_t i) {
  uint8_t* d = rx_slab_ + size_t{i} * rx_slot_bytes_;
  uint32_t len = rx_msgs_[i].msg_len;
  const sockaddr_in& from = rx_addr_[i];
  uint32_t offset = i * rx_slot_bytes_;
  bool truncated = (rx_msgs_[i].msg_hdr.msg_flags & MSG_TRUNC) != 0;
  if (truncated || len < kHeaderBytes + kTagBytes || d[0] != kWireVersion || d[1] != kKindData || d[2] != 0 ||
      d[3] != 0) {
    return Up(0, offset, len, 0, from);
  }
  FastTable& t = *table_;
  auto at = t.by_index.find(Le32(d + 4));
  if (at == t.by_index.end()) return Up(0, offset, len, 0, from);
  FastSession& s = t.sessions[at->second];
  if (!s.sending || s.endpoint.sin_addr.s_addr != from.sin_addr.s_addr || s.endpoint.sin_port != from.sin_port) {
    return Up(0, offset, len, 0, from);  // promotion or roaming: JS decides
  }
  uint64_t counter = Le64(d + 8);
  if (!s.replay->Check(counter)) {
    counters_[kFcReplay] += 1;
    return;
  }
  uint32_t plain = len - kHeaderBytes - kTagBytes;
  if (s.rx->Open(d + kHeaderBytes, plain, d + kHeaderBytes + plain, d, kHeaderBytes, counter) < 0) {
    counters_[kFcBadTag] += 1;
    return;
  }
  if (!s.replay->Accept(counter)) {
    counters_[kFcReplay] += 1;
    return;
  }
  s.stats[2] += 1;
  s.stats[3] += len;
  counters_[kFcDatagramsIn] += 1;
  counters_[kFcBytesIn] += len;
  bool learn = false;
  if (!ValidBundle(d + kHeaderBytes, plain, s.peer, &learn)) {
    counters_[kFcBadBundle] += 1;
    return;
  }
  if (learn) return Up(1, offset + kHeaderBytes, plain, s.local_index, from);
  DeliverBundle(d + kHeaderBytes, plain);
}

// Walks the bundle p[0, len) (frame-bundle.ts rules); `learn` when a unicast source MAC is
// not published as `peer`'s. Marks the MACs it finds as seen.
bool FastPath::ValidBundle(const uint8_t* p, uint32_t len, int32_t peer, bool* learn) const {
  uint32_t pos = 0, frames = 0;
  while (pos < len) {
    if (len - pos < kPrefixBytes) return false;
    uint32_t n = uint32_t{p[pos]} << 8 | p[pos + 1];
    pos += kPrefixBytes;
    if (n < kEthBytes || n > len - pos) return false;
    const uint8_t* src = p + pos + 6;
    if (!Multicast(src)) {
      auto e = table_->macs.find(Mac(src));
      if (e == table_->macs.end() || e->second.owner != peer) *learn = true;
      else e->second.seen = true;
    }
    pos += n;
    frames++;
  }
  return frames > 0;
}

void FastPath::DeliverBundle(const uint8_t* p, uint32_t len) {
  uint32_t pos = 0;
  while (pos < len) {
    uint32_t n = uint32_t{p[pos]} << 8 | p[pos + 1];
    pos += kPrefixBytes;
    ssize_t w;
    do {
      w = tap_fd_ < 0 ? -1 : ::write(tap_fd_, p + pos, n);
    } while (w < 0 && errno == EINTR);
    counters_[w == static_cast<ssize_t>(n) ? kFcFramesOut : kFcTapDrops] += 1;
    pos += n;
  }
}

void FastPath::Up(uint32_t kind, uint32_t offset, uint32_t length, uint32_t index, const sockaddr_in& from) {
  uint32_t k = up_count_++;
  up_[0][k] = kind;
  up_[1][k] = offset;
  up_[2][k] = length;
  up_[3][k] = index;
  up_[4][k] = ntohl(from.sin_addr.s_addr);
  up_[5][k] = ntohs(from.sin_port);
  counters_[kind == 0 ? kFcUpRaw : kFcUpPlain] += 1;
}

Napi::Value FastPath::Start(const Napi::CallbackInfo& info) {
  return StartPolling(info, fd_, "start(): the fast path is closed", &callback_, &poll_, this, OnPoll, ref_);
}

Napi::Value FastPath::Close(const Napi::CallbackInfo& info) {
  Shutdown();
  return info.Env().Undefined();
}

Napi::Value FastPath::Ref(const Napi::CallbackInfo& info) {
  ref_ = true;
  if (poll_ != nullptr) uv_ref(reinterpret_cast<uv_handle_t*>(poll_));
  return info.Env().Undefined();
}

Napi::Value FastPath::Unref(const Napi::CallbackInfo& info) {
  ref_ = false;
  if (poll_ != nullptr) uv_unref(reinterpret_cast<uv_handle_t*>(poll_));
  return info.Env().Undefined();
}

void FastPath::ClosePoll() { CloseReadPoll(&poll_); }

void FastPath::Shutdown() {
  ClosePoll();
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  tx_used_ = 0;
  if (table_) table_ = std::make_unique<FastTable>();  // releases the published objects
  if (!callback_.IsEmpty()) callback_.Reset();
  if (async_context_ != nullptr) {
    napi_async_destroy(Env(), async_context_);
    async_context_ = nullptr;
  }
  if (hooked_) {
    napi_remove_env_cleanup_hook(Env(), OnEnvCleanup, this);
    hooked_ = false;
  }
}

}  // namespace weft
