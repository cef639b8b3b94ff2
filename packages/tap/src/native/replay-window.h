/**
 * ReplayWindow in C++: the same sliding bitmap as @weft/crypto's ReplayWindow (WireGuard's,
 * RFC 6479 style), for the native fast path, so a session's window can live on either side.
 *
 *   accepted:  counter > highest                               (window moves forward)
 *          or  highest - counter < 2048 and its bit is not set  (late, not yet seen)
 *   rejected:  anything else, and every counter >= 2^64 - 2^13
 *
 * 128 blocks of 32 bits; Check tests without recording (before the AEAD), Accept records (after
 * it), so forged packets cannot move the window. No allocation, no exceptions. A property test
 * (test/unit/native-replay-window.spec.ts) runs it against the JS window on random sequences.
 */
#ifndef WEFT_REPLAY_WINDOW_H_
#define WEFT_REPLAY_WINDOW_H_

#include <cstdint>
#include <cstring>

namespace weft {

class ReplayWindow {
 public:
  static constexpr uint64_t kWindow = 2048;
  static constexpr uint64_t kRejectAfter = ~uint64_t{0} - (uint64_t{1} << 13) + 1;  // 2^64 - 2^13

  bool Check(uint64_t counter) const {
    if (counter >= kRejectAfter) return false;
    if (counter > last_) return true;
    if (last_ - counter >= kWindow) return false;
    return (ring_[Block(counter)] & Bit(counter)) == 0;
  }

  bool Accept(uint64_t counter) {
    if (counter >= kRejectAfter) return false;
    if (counter > last_) {
      uint64_t from = last_ / kBlockBits;
      uint64_t blocks = counter / kBlockBits - from;
      uint64_t n = blocks > kRingBlocks ? kRingBlocks : blocks;
      for (uint64_t i = 1; i <= n; i++) ring_[(from + i) & kRingMask] = 0;
      last_ = counter;
    } else if (last_ - counter >= kWindow) {
      return false;
    }
    uint32_t& block = ring_[Block(counter)];
    uint32_t bit = Bit(counter);
    if ((block & bit) != 0) return false;
    block |= bit;
    return true;
  }

  void Reset() {
    std::memset(ring_, 0, sizeof ring_);
    last_ = 0;
  }

 private:
  static constexpr uint64_t kBlockBits = 32;
  static constexpr uint64_t kRingBlocks = 128;
  static constexpr uint64_t kRingMask = kRingBlocks - 1;
  static size_t Block(uint64_t c) { return static_cast<size_t>((c / kBlockBits) & kRingMask); }
  static uint32_t Bit(uint64_t c) { return uint32_t{1} << (c % kBlockBits); }

  uint32_t ring_[kRingBlocks] = {};
  uint64_t last_ = 0;
};

}  // namespace weft

#endif  // WEFT_REPLAY_WINDOW_H_
