/**
 * FastPath's stage 2b: one sendmmsg for the sealed datagrams of a TAP batch.
 *
 * With `gso` (off by default, see docs/PERFORMANCE.md "UDP GSO"), consecutive datagrams to the
 * same endpoint are handed to the kernel as one message with a UDP_SEGMENT control message
 * (UDP generic segmentation offload, Linux 4.18+): the iovecs of the run are the datagrams in
 * order, every one but the last exactly `segment` bytes long, and the kernel cuts the
 * concatenation back into the same datagrams (same bytes on the wire, one skb walk down the
 * stack instead of one per datagram). A run ends at another endpoint, at a datagram of another
 * size (a shorter one still joins as the last), at kGsoMaxSegments or at kGsoMaxBytes.
 */
#include <netinet/udp.h>

#include <cerrno>
#include <cstring>

#include "fast-path.h"

namespace weft {
namespace {

constexpr uint32_t kGsoMaxSegments = 64;  // UDP_MAX_SEGMENTS of older kernels
constexpr size_t kGsoMaxBytes = 65000;    // under the 64 KiB of one UDP message

bool SameEndpoint(const sockaddr_in& a, const sockaddr_in& b) {
  return a.sin_addr.s_addr == b.sin_addr.s_addr && a.sin_port == b.sin_port;
}

}  // namespace

// Coalesces tx_msgs_[0, n) (one iovec each, in tx_iov_ order) into tx_gso_msgs_; returns how many.
uint32_t FastPath::CoalesceGso(uint32_t n) {
  uint32_t m = 0;
  for (uint32_t i = 0; i < n;) {
    size_t segment = tx_iov_[i].iov_len;
    size_t bytes = segment;
    uint32_t j = i + 1;
    while (j < n && j - i < kGsoMaxSegments && SameEndpoint(tx_addr_[j], tx_addr_[i]) &&
           tx_iov_[j].iov_len <= segment && bytes + tx_iov_[j].iov_len <= kGsoMaxBytes) {
      bytes += tx_iov_[j].iov_len;
      if (tx_iov_[j++].iov_len < segment) break;  // a shorter one ends the run
    }
    mmsghdr& g = tx_gso_msgs_[m];
    g = mmsghdr{};
    g.msg_hdr.msg_name = &tx_addr_[i];
    g.msg_hdr.msg_namelen = sizeof(sockaddr_in);
    g.msg_hdr.msg_iov = &tx_iov_[i];
    g.msg_hdr.msg_iovlen = j - i;
    if (j - i > 1) {
      uint8_t* space = tx_gso_cmsg_.data() + size_t{m} * kGsoCmsgBytes;
      std::memset(space, 0, kGsoCmsgBytes);
      g.msg_hdr.msg_control = space;
      g.msg_hdr.msg_controllen = kGsoCmsgBytes;
      cmsghdr* c = CMSG_FIRSTHDR(&g.msg_hdr);
      c->cmsg_level = SOL_UDP;
      c->cmsg_type = UDP_SEGMENT;
      c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
      uint16_t size = static_cast<uint16_t>(segment);
      std::memcpy(CMSG_DATA(c), &size, sizeof size);
    }
    tx_gso_segs_[m++] = j - i;
    i = j;
  }
  return m;
}

void FastPath::SendTx(uint32_t n) {
  mmsghdr* msgs = tx_msgs_.data();
  if (gso_ && n > 1) {
    n = CoalesceGso(n);
    msgs = tx_gso_msgs_.data();
  }
  auto segs = [&](uint32_t k) { return gso_ && msgs == tx_gso_msgs_.data() ? tx_gso_segs_[k] : 1u; };
  uint32_t done = 0;
  while (done < n) {
    int r = ::sendmmsg(fd_, msgs + done, n - done, 0);
    if (r > 0) {
      for (uint32_t k = done; k < done + static_cast<uint32_t>(r); k++) {
        for (size_t v = 0; v < msgs[k].msg_hdr.msg_iovlen; v++) counters_[kFcBytesSent] += msgs[k].msg_hdr.msg_iov[v].iov_len;
        counters_[kFcDatagramsSent] += segs(k);
        if (segs(k) > 1) counters_[kFcGsoSends] += 1;
      }
      done += r;
    } else if (r < 0 && errno == EINTR) {
      continue;
    } else if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)) {
      for (uint32_t k = done; k < n; k++) counters_[kFcSendDrops] += segs(k);
      break;
    } else {
      counters_[kFcSendDrops] += segs(done);  // this message failed (e.g. no route): skip it
      done++;
    }
  }
}

}  // namespace weft
