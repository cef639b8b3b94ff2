/**
 * weft_tap: a Linux TAP device (/dev/net/tun, IFF_TAP | IFF_NO_PI) read in batches.
 *
 * JS creates `new TapHandle(name, batchSize, slotSize, netns)`. Everything the data path needs
 * is allocated once, here, and shared with JS: a slab of batchSize slots of slotSize bytes, an
 * offsets and a lengths Uint32Array (batchSize entries) and a Float64Array of counters.
 *
 * Reading, once `start(callback)` was called:
 *   1. A uv_poll_t watches the non-blocking fd (level-triggered).
 *   2. On UV_READABLE, OnReadable() reads one frame per slot until batchSize frames, EAGAIN or
 *      an error, filling lengths[i] (offsets[i] = i * slotSize, unless a fast path is attached).
 *   3. It calls callback(count) once per batch, in a handle scope, as a MakeCallback (so
 *      microtasks run after it). A full batch leaves the fd readable: the next loop turn reads on.
 * Ownership: JS borrows the slab and the arrays until the callback returns; the next batch
 * overwrites them. Nothing is allocated per frame or per batch.
 *
 * Writing: write(buf, offset, length) is one non-blocking write(2). It returns false, and
 * counts a drop, on EAGAIN/ENOBUFS, any other error, bad arguments or a closed device. It never
 * throws.
 *
 * attachFastPath(fastPath | null): each batch read is offered to the native fast path
 * (fast-path.h) first; the frames it takes never reach JS, the rest are named by offsets[] and
 * lengths[] as usual (offsets no longer i * slotSize then). The fast path writes what it receives
 * to this TAP's fd.
 *
 * close() stops the poll, closes the fd (the kernel deletes the TAP) and drops the callback. It
 * is idempotent and safe inside the callback (the read loop is over by then).
 *
 * Errors from the constructor are plain Errors with `code` (errno name), `errno`, `syscall`;
 * the TS wrapper turns them into TapErrors.
 *
 * Two small socket helpers ride along (the data path's UDP socket has no other way to them):
 * setDontFragment(fd, family) sets IP_MTU_DISCOVER (family 4) or IPV6_MTU_DISCOVER (family 6,
 * plus IP_MTU_DISCOVER for v4-mapped traffic where the kernel allows it) to *_PMTUDISC_PROBE:
 * every datagram leaves with DF set and is never fragmented by this host, whatever the kernel's
 * path-MTU cache says. getMtuDiscover(fd, family) reads the option back. Both throw an Error
 * with `code`/`errno`/`syscall` when the call fails (a bad fd: EBADF, not a socket: ENOTSOCK).
 */
#include <napi.h>
#include <uv.h>

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <linux/if_tun.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fast-path.h"
#include "native-data-cipher.h"
#include "native-replay-window.h"
#include "read-poll.h"

using weft::FastPath;

namespace {

// Counter slots in the shared Float64Array, in the order the TS side reads them.
enum Counter { kFramesRead = 0, kFramesWritten, kWriteDrops, kReadErrors, kCounterCount };

// Safety bounds only: the TS wrapper enforces the documented limits.
constexpr uint64_t kMaxSlabBytes = uint64_t{1} << 31;

struct OpenResult {
  int fd = -1;
  int err = 0;
  const char* syscall = "";
  std::string name;
};

// Opens /dev/net/tun and attaches it to TAP `name` ("" lets the kernel pick tapN).
OpenResult OpenTap(const std::string& name) {
  OpenResult r;
  int fd = ::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    r.err = errno;
    r.syscall = "open";
    return r;
  }
  struct ifreq ifr;
  std::memset(&ifr, 0, sizeof ifr);
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
  std::memcpy(ifr.ifr_name, name.data(), name.size());  // caller checked size < IFNAMSIZ
  if (::ioctl(fd, TUNSETIFF, &ifr) < 0) {
    r.err = errno;
    r.syscall = "ioctl";
    // TUNSETIFF says EINVAL when the name belongs to a device that is not a TAP.
    if (r.err == EINVAL && !name.empty() && if_nametoindex(name.c_str()) != 0) r.err = EBUSY;
    ::close(fd);
    return r;
  }
  r.fd = fd;
  r.name.assign(ifr.ifr_name, strnlen(ifr.ifr_name, IFNAMSIZ));
  return r;
}

// Runs OpenTap with the calling thread inside the network namespace file `netns` ("" = stay),
// then moves the thread back. The TAP lives in that namespace; its fd works from anywhere.
OpenResult OpenTapIn(const std::string& netns, const std::string& name) {
  if (netns.empty()) return OpenTap(name);
  OpenResult r;
  r.syscall = "open netns";
  int target = ::open(netns.c_str(), O_RDONLY | O_CLOEXEC);
  if (target < 0) {
    r.err = errno;
    return r;
  }
  int home = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (home < 0) {
    r.err = errno;
  } else if (::setns(target, CLONE_NEWNET) < 0) {
    r.err = errno;
    r.syscall = "setns";
  } else {
    r = OpenTap(name);
    // Staying in the other namespace would silently move the whole main thread: give up.
    if (::setns(home, CLONE_NEWNET) < 0) std::abort();
  }
  if (home >= 0) ::close(home);
  ::close(target);
  return r;
}

void ThrowOpenError(Napi::Env env, const OpenResult& r, const std::string& name) {
  std::string what = std::string(r.syscall) + " TAP '" + name + "': " + std::strerror(r.err);
  Napi::Error error = Napi::Error::New(env, what);
  error.Set("code", Napi::String::New(env, uv_err_name(-r.err)));
  error.Set("errno", Napi::Number::New(env, r.err));
  error.Set("syscall", Napi::String::New(env, r.syscall));
  error.ThrowAsJavaScriptException();
}

// An integral byte count in [0, limit]; false for NaN, fractions, negatives and overflow.
bool ToSize(const Napi::Value& v, double limit, size_t* out) {
  if (!v.IsNumber()) return false;
  double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= 0 && d <= limit && d == std::floor(d))) return false;
  *out = static_cast<size_t>(d);
  return true;
}

class TapHandle : public Napi::ObjectWrap<TapHandle> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "TapHandle",
                       {InstanceMethod<&TapHandle::Start>("start"),
                        InstanceMethod<&TapHandle::Write>("write"),
                        InstanceMethod<&TapHandle::Close>("close"),
                        InstanceMethod<&TapHandle::AttachFastPath>("attachFastPath"),
                        InstanceMethod<&TapHandle::Ref>("ref"),
                        InstanceMethod<&TapHandle::Unref>("unref")});
  }

  explicit TapHandle(const Napi::CallbackInfo& info) : Napi::ObjectWrap<TapHandle>(info) {
    Napi::Env env = info.Env();
    size_t batch = 0, slot = 0;
    if (info.Length() < 4 || !info[0].IsString() || !info[3].IsString() ||
        !ToSize(info[1], 65536, &batch) || !ToSize(info[2], 1 << 24, &slot) || batch == 0 ||
        slot == 0 || uint64_t{batch} * slot > kMaxSlabBytes) {
      Napi::RangeError::New(env, "TapHandle(name, batchSize, slotSize, netns): bad arguments")
          .ThrowAsJavaScriptException();
      return;
    }
    std::string name = info[0].As<Napi::String>().Utf8Value();
    if (name.size() >= IFNAMSIZ || name.find('\0') != std::string::npos) {
      ThrowOpenError(env, OpenResult{-1, EINVAL, "ioctl", ""}, name);
      return;
    }
    Napi::Buffer<uint8_t> slab = Napi::Buffer<uint8_t>::New(env, batch * slot);
    Napi::Uint32Array offsets = Napi::Uint32Array::New(env, batch);
    Napi::Uint32Array lengths = Napi::Uint32Array::New(env, batch);
    Napi::Float64Array counters = Napi::Float64Array::New(env, kCounterCount);
    if (env.IsExceptionPending()) return;  // out of memory: nothing opened yet
    OpenResult opened = OpenTapIn(info[3].As<Napi::String>().Utf8Value(), name);
    if (opened.fd < 0) {
      ThrowOpenError(env, opened, name);
      return;
    }
    fd_ = opened.fd;
    batch_size_ = static_cast<uint32_t>(batch);
    slot_size_ = static_cast<uint32_t>(slot);
    slab_ = slab.Data();
    lengths_ = lengths.Data();
    offsets_ = offsets.Data();
    counters_ = counters.Data();
    for (uint32_t i = 0; i < batch_size_; i++) offsets[i] = i * slot_size_;
    // Read-only, non-configurable properties: they live exactly as long as this object.
    Napi::Object self = info.This().As<Napi::Object>();
    self.DefineProperties({
        Napi::PropertyDescriptor::Value("name", Napi::String::New(env, opened.name), napi_enumerable),
        Napi::PropertyDescriptor::Value("slab", slab, napi_enumerable),
        Napi::PropertyDescriptor::Value("offsets", offsets, napi_enumerable),
        Napi::PropertyDescriptor::Value("lengths", lengths, napi_enumerable),
        Napi::PropertyDescriptor::Value("counters", counters, napi_enumerable),
    });
    napi_async_init(env, nullptr, Napi::String::New(env, "weft_tap"), &async_context_);
    hooked_ = napi_add_env_cleanup_hook(env, OnEnvCleanup, this) == napi_ok;
  }

  ~TapHandle() override { Shutdown(); }

 private:
  // start(callback): begins (or keeps) polling; a second call replaces the callback.
  Napi::Value Start(const Napi::CallbackInfo& info) {
    return weft::StartPolling(info, fd_, "start(): the TAP is closed", &callback_, &poll_, this, OnPoll, ref_);
  }

  Napi::Value Write(const Napi::CallbackInfo& info) {
    bool ok = WriteFrame(info);
    counters_[ok ? kFramesWritten : kWriteDrops] += 1;
    return Napi::Boolean::New(info.Env(), ok);
  }

  bool WriteFrame(const Napi::CallbackInfo& info) {
    if (fd_ < 0 || info.Length() < 3 || !info[0].IsBuffer()) return false;
    Napi::Buffer<uint8_t> buf = info[0].As<Napi::Buffer<uint8_t>>();
    size_t size = buf.Length(), offset = 0, length = 0;
    if (!ToSize(info[1], static_cast<double>(size), &offset)) return false;
    if (!ToSize(info[2], static_cast<double>(size - offset), &length)) return false;
    ssize_t n;
    do {
      n = ::write(fd_, buf.Data() + offset, length);
    } while (n < 0 && errno == EINTR);
    return n >= 0 && static_cast<size_t>(n) == length;
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    Shutdown();
    return info.Env().Undefined();
  }

  // attachFastPath(fastPath | null): each batch read goes through the fast path first; what it
  // takes never reaches JS. The fast path writes its received frames to this TAP.
  Napi::Value AttachFastPath(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    FastPath* next = info.Length() > 0 ? FastPath::From(info[0]) : nullptr;
    if (next == nullptr && (info.Length() < 1 || !info[0].IsNull())) {
      Napi::TypeError::New(env, "attachFastPath(fastPath | null)").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    DetachFastPath();
    if (next != nullptr && fd_ >= 0) {
      fast_ = next;
      fast_ref_ = Napi::Persistent(info[0].As<Napi::Object>());
      fast_->SetTapFd(fd_);
    }
    return env.Undefined();
  }

  void DetachFastPath() {
    if (fast_ != nullptr) fast_->SetTapFd(-1);
    fast_ = nullptr;
    if (!fast_ref_.IsEmpty()) fast_ref_.Reset();
  }

  Napi::Value Ref(const Napi::CallbackInfo& info) {
    ref_ = true;
    if (poll_ != nullptr) uv_ref(reinterpret_cast<uv_handle_t*>(poll_));
    return info.Env().Undefined();
  }

  Napi::Value Unref(const Napi::CallbackInfo& info) {
    ref_ = false;
    if (poll_ != nullptr) uv_unref(reinterpret_cast<uv_handle_t*>(poll_));
    return info.Env().Undefined();
  }

  static void OnPoll(uv_poll_t* poll, int status, int /*events*/) {
    auto* self = static_cast<TapHandle*>(poll->data);
    if (self != nullptr) self->OnReadable(status);
  }

  void OnReadable(int status) {
    if (status < 0) {
      // POLLERR (e.g. the interface was deleted under us): libuv has stopped the poll.
      counters_[kReadErrors] += 1;
      return;
    }
    uint32_t count = 0;
    while (count < batch_size_) {
      ssize_t n = ::read(fd_, slab_ + size_t{count} * slot_size_, slot_size_);
      if (n > 0) {
        lengths_[count++] = static_cast<uint32_t>(n);
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else {
        if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) counters_[kReadErrors] += 1;
        break;
      }
    }
    if (count == 0) return;
    counters_[kFramesRead] += count;
    if (fast_ != nullptr) {
      // The fast path copies what it takes; the rest goes up, slots named by offsets[].
      uint32_t up = 0;
      for (uint32_t i = 0; i < count; i++) {
        uint8_t* frame = slab_ + size_t{i} * slot_size_;
        if (fast_->OnTapFrame(frame, lengths_[i])) continue;
        offsets_[up] = i * slot_size_;
        lengths_[up++] = lengths_[i];
      }
      fast_->FlushTx();
      count = up;
      if (count == 0) return;
    }
    Deliver(count);
  }

  void Deliver(uint32_t count) {
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    napi_value argv[1] = {Napi::Number::New(env, count)};
    // Raw N-API: while Node tears the environment down, JS cannot run and the call just fails;
    // node-addon-api's wrapper would turn that into a fatal error.
    napi_status status = napi_make_callback(env, async_context_, Value(), callback_.Value(), 1,
                                            argv, nullptr);
    if (status == napi_pending_exception) {
      // A throwing handler becomes an 'uncaughtException', as for any other event source.
      napi_value error;
      napi_get_and_clear_last_exception(env, &error);
      napi_fatal_exception(env, error);
    }
  }

  static void OnEnvCleanup(void* arg) {
    auto* self = static_cast<TapHandle*>(arg);
    self->hooked_ = false;
    self->Shutdown();
  }

  void ClosePoll() { weft::CloseReadPoll(&poll_); }

  // Idempotent; the only place that releases the fd, the poll and the callback.
  void Shutdown() {
    ClosePoll();
    DetachFastPath();
    if (fd_ >= 0) {
      ::close(fd_);
      fd_ = -1;
    }
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

  int fd_ = -1;
  uint32_t batch_size_ = 0;
  uint32_t slot_size_ = 0;
  uint8_t* slab_ = nullptr;        // borrowed from the "slab" property
  uint32_t* lengths_ = nullptr;    // borrowed from the "lengths" property
  uint32_t* offsets_ = nullptr;    // borrowed from the "offsets" property
  FastPath* fast_ = nullptr;       // attached fast path, kept alive by fast_ref_
  Napi::ObjectReference fast_ref_;
  double* counters_ = nullptr;     // borrowed from the "counters" property
  uv_poll_t* poll_ = nullptr;      // owned; freed by its uv_close callback
  bool ref_ = true;
  bool hooked_ = false;  // env cleanup hook registered
  napi_async_context async_context_ = nullptr;
  Napi::FunctionReference callback_;
};

// --- socket options ---

void ThrowSockoptError(Napi::Env env, int err, const char* syscall, const char* option, int fd) {
  std::string what = std::string(syscall) + " " + option + " on fd " + std::to_string(fd) + ": " +
                     std::strerror(err);
  Napi::Error error = Napi::Error::New(env, what);
  error.Set("code", Napi::String::New(env, uv_err_name(-err)));
  error.Set("errno", Napi::Number::New(env, err));
  error.Set("syscall", Napi::String::New(env, syscall));
  error.ThrowAsJavaScriptException();
}

// Parses (fd, family) for the socket helpers; false (a TypeError pending) on bad arguments.
bool SocketArgs(const Napi::CallbackInfo& info, const char* name, int* fd, int* family) {
  size_t f = 0, fam = 0;
  if (info.Length() < 2 || !ToSize(info[0], 2147483647.0, &f) || !ToSize(info[1], 6, &fam) ||
      (fam != 4 && fam != 6)) {
    Napi::TypeError::New(info.Env(), std::string(name) + "(fd, family): fd must be a non-negative integer, family 4 or 6")
        .ThrowAsJavaScriptException();
    return false;
  }
  *fd = static_cast<int>(f);
  *family = static_cast<int>(fam);
  return true;
}

// setDontFragment(fd, family): DF on every datagram, no local fragmentation (see file comment).
Napi::Value SetDontFragment(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = 0, family = 0;
  if (!SocketArgs(info, "setDontFragment", &fd, &family)) return env.Undefined();
  int v4 = IP_PMTUDISC_PROBE;
  if (family == 6) {
    int v6 = IPV6_PMTUDISC_PROBE;
    if (::setsockopt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &v6, sizeof v6) < 0) {
      ThrowSockoptError(env, errno, "setsockopt", "IPV6_MTU_DISCOVER", fd);
      return env.Undefined();
    }
    // v4-mapped traffic of a dual-stack socket follows the IPv4 option; an IPv6-only socket
    // refuses it, which is fine.
    (void)::setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &v4, sizeof v4);
    return env.Undefined();
  }
  if (::setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &v4, sizeof v4) < 0) {
    ThrowSockoptError(env, errno, "setsockopt", "IP_MTU_DISCOVER", fd);
  }
  return env.Undefined();
}

// getMtuDiscover(fd, family): the IP_MTU_DISCOVER (4) or IPV6_MTU_DISCOVER (6) value.
Napi::Value GetMtuDiscover(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = 0, family = 0;
  if (!SocketArgs(info, "getMtuDiscover", &fd, &family)) return env.Undefined();
  int value = 0;
  socklen_t len = sizeof value;
  int level = family == 6 ? IPPROTO_IPV6 : IPPROTO_IP;
  int option = family == 6 ? IPV6_MTU_DISCOVER : IP_MTU_DISCOVER;
  if (::getsockopt(fd, level, option, &value, &len) < 0) {
    ThrowSockoptError(env, errno, "getsockopt", family == 6 ? "IPV6_MTU_DISCOVER" : "IP_MTU_DISCOVER", fd);
    return env.Undefined();
  }
  return Napi::Number::New(env, value);
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("TapHandle", TapHandle::Define(env));
  exports.Set("setDontFragment", Napi::Function::New(env, SetDontFragment, "setDontFragment"));
  exports.Set("getMtuDiscover", Napi::Function::New(env, GetMtuDiscover, "getMtuDiscover"));
  exports.Set("NativeDataCipher", weft::DefineNativeDataCipher(env));
  exports.Set("NativeReplayWindow", weft::DefineNativeReplayWindow(env));
  exports.Set("FastPath", weft::FastPath::Define(env));
  return exports;
}

}  // namespace

NODE_API_MODULE(weft_tap, Init)
