/**
 * FastPath's control surface: publish(sessions, macs) swaps in a whole new table; takeSeen()
 * reports the MACs the fast path used (JS refreshes their age, so they do not expire while only
 * the fast path carries their traffic); send() is JS's own datagrams through the same socket.
 *
 *   sessions: Array of { localIndex, remoteIndex, peer (1..2^31), sending (bool), address
 *             (IPv4 literal), port, mtu, bundleCapacity, sender, receiver (NativeDataCipher),
 *             replay (NativeReplayWindow), counter (BigUint64Array, [0] = next send counter),
 *             stats (Float64Array, 4 entries the fast path adds to) }
 *   macs:     Float64Array of pairs (48-bit MAC as a number, owner: 0 = local, else a peer slot)
 *
 * Every field is checked before anything changes; a bad one throws a TypeError naming it and
 * the old table stays. The table holds references to the objects it uses, so they live until
 * it is replaced.
 */
#include <arpa/inet.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <string>

#include "data-aead.h"
#include "fast-path.h"
#include "native-data-cipher.h"
#include "native-replay-window.h"

namespace weft {
namespace {

constexpr uint32_t kOverheadBytes = 32;  // header + tag
constexpr double kMaxMac = 281474976710655.0;

bool ArgU32(const Napi::Value& v, uint32_t max, uint32_t* out) {
  if (!v.IsNumber()) return false;
  double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= 0 && d <= max) || d != static_cast<double>(static_cast<uint32_t>(d))) return false;
  *out = static_cast<uint32_t>(d);
  return true;
}

bool Uint(const Napi::Object& o, const char* key, double max, uint32_t* out) {
  Napi::Value v = o.Get(key);
  if (!v.IsNumber()) return false;
  double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= 0 && d <= max) || d != std::floor(d)) return false;
  *out = static_cast<uint32_t>(d);
  return true;
}

template <typename T>
bool Typed(const Napi::Value& v, napi_typedarray_type type, size_t min, T** out) {
  if (!v.IsTypedArray()) return false;
  Napi::TypedArray ta = v.As<Napi::TypedArray>();
  if (ta.TypedArrayType() != type || ta.ElementLength() < min) return false;
  *out = reinterpret_cast<T*>(static_cast<uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset());
  return true;
}

// Fills `s` from the JS session object `o`; the name of the bad field, or nullptr.
const char* ParseSession(const Napi::Object& o, uint32_t max_capacity, FastSession* s) {
  uint32_t port = 0, peer = 0;
  if (!Uint(o, "localIndex", 4294967295.0, &s->local_index)) return "localIndex";
  if (!Uint(o, "remoteIndex", 4294967295.0, &s->remote_index)) return "remoteIndex";
  if (!Uint(o, "peer", 2147483647.0, &peer) || peer == 0) return "peer";
  s->peer = static_cast<int32_t>(peer);
  Napi::Value sending = o.Get("sending");
  if (!sending.IsBoolean()) return "sending";
  s->sending = sending.As<Napi::Boolean>().Value();
  Napi::Value address = o.Get("address");
  if (!address.IsString()) return "address";
  std::string a = address.As<Napi::String>().Utf8Value();
  s->endpoint = sockaddr_in{};
  s->endpoint.sin_family = AF_INET;
  if (inet_pton(AF_INET, a.c_str(), &s->endpoint.sin_addr) != 1) return "address";
  if (!Uint(o, "port", 65535, &port) || port == 0) return "port";
  s->endpoint.sin_port = htons(static_cast<uint16_t>(port));
  if (!Uint(o, "bundleCapacity", max_capacity, &s->bundle_capacity)) return "bundleCapacity";
  if (!Uint(o, "mtu", 65535, &s->mtu)) return "mtu";
  if ((s->tx = UnwrapDataAead(o.Get("sender"))) == nullptr) return "sender";
  if ((s->rx = UnwrapDataAead(o.Get("receiver"))) == nullptr) return "receiver";
  if ((s->replay = UnwrapReplayWindow(o.Get("replay"))) == nullptr) return "replay";
  if (!Typed(o.Get("counter"), napi_biguint64_array, 1, &s->counter)) return "counter";
  if (!Typed(o.Get("stats"), napi_float64_array, 4, &s->stats)) return "stats";
  return nullptr;
}

}  // namespace

Napi::Value FastPath::Publish(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsArray() || !info[1].IsTypedArray() ||
      info[1].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) {
    Napi::TypeError::New(env, "publish(sessions, macs): an array and a Float64Array").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  auto next = std::make_unique<FastTable>();
  Napi::Array list = info[0].As<Napi::Array>();
  uint32_t max_capacity = tx_slot_bytes_ - kOverheadBytes;
  for (uint32_t i = 0; i < list.Length(); i++) {
    Napi::Value v = list.Get(i);
    FastSession s;
    const char* bad = v.IsObject() ? ParseSession(v.As<Napi::Object>(), max_capacity, &s) : "session";
    if (bad == nullptr && next->by_index.count(s.local_index) != 0) bad = "localIndex (twice)";
    if (bad == nullptr && s.sending && next->sending.count(s.peer) != 0) bad = "sending (twice for one peer)";
    if (bad != nullptr) {
      Napi::TypeError::New(env, std::string("publish: session ") + std::to_string(i) + ": bad " + bad)
          .ThrowAsJavaScriptException();
      return env.Undefined();
    }
    uint32_t at = static_cast<uint32_t>(next->sessions.size());
    next->by_index.emplace(s.local_index, at);
    if (s.sending) next->sending.emplace(s.peer, at);
    next->sessions.push_back(s);
    Napi::Object o = v.As<Napi::Object>();
    for (const char* key : {"sender", "receiver", "replay", "counter", "stats"}) {
      next->refs.push_back(Napi::Persistent(o.Get(key).As<Napi::Object>()));
    }
  }
  Napi::Float64Array macs = info[1].As<Napi::Float64Array>();
  if (macs.ElementLength() % 2 != 0) {
    Napi::TypeError::New(env, "publish: macs must hold (mac, owner) pairs").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  for (size_t i = 0; i < macs.ElementLength(); i += 2) {
    double mac = macs[i], owner = macs[i + 1];
    if (!(mac >= 0 && mac <= kMaxMac && mac == std::floor(mac)) ||
        !(owner >= 0 && owner <= 2147483647.0 && owner == std::floor(owner))) {
      Napi::TypeError::New(env, "publish: bad MAC entry " + std::to_string(i / 2)).ThrowAsJavaScriptException();
      return env.Undefined();
    }
    MacEntry e;
    e.owner = static_cast<int32_t>(owner);
    next->macs[static_cast<uint64_t>(mac)] = e;
  }
  if (fd_ < 0) return env.Undefined();  // closed: nothing to publish to
  tx_used_ = 0;  // never holds frames between batches; this only keeps it so
  table_ = std::move(next);
  return env.Undefined();
}

// send(buf, offset, length, address, port) -> bool; never throws.
Napi::Value FastPath::Send(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint32_t off = 0, len = 0, port = 0;
  if (fd_ < 0 || info.Length() < 5 || !info[0].IsBuffer() || !info[3].IsString() || !ArgU32(info[1], 0xffffffffu, &off) ||
      !ArgU32(info[2], 65535, &len) || !ArgU32(info[4], 65535, &port)) {
    return Napi::Boolean::New(env, false);
  }
  Napi::Buffer<uint8_t> buf = info[0].As<Napi::Buffer<uint8_t>>();
  if (off > buf.Length() || len > buf.Length() - off) return Napi::Boolean::New(env, false);
  char address[INET_ADDRSTRLEN] = {};
  size_t copied = 0;
  if (napi_get_value_string_utf8(env, info[3], address, sizeof address, &copied) != napi_ok) {
    return Napi::Boolean::New(env, false);
  }
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, address, &to.sin_addr) != 1) return Napi::Boolean::New(env, false);
  ssize_t n;
  do {
    n = ::sendto(fd_, buf.Data() + off, len, 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
  } while (n < 0 && errno == EINTR);
  return Napi::Boolean::New(env, n == static_cast<ssize_t>(len));
}

Napi::Value FastPath::TakeSeen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  size_t n = 0;
  for (auto& kv : table_->macs) n += kv.second.seen ? 1 : 0;
  Napi::Float64Array out = Napi::Float64Array::New(env, n);
  size_t i = 0;
  for (auto& kv : table_->macs) {
    if (!kv.second.seen) continue;
    kv.second.seen = false;
    out[i++] = static_cast<double>(kv.first);
  }
  return out;
}

}  // namespace weft
