// A read-only stream of token ids that training and evaluation copy windows out of: a
// std::vector<int32_t> (borrowed or owned) or a memory-mapped llm.c shard (token_shards.h), or a
// contiguous sub-range of either, so a train/validation split never copies the tokens.
//
// A small value type, not an interface: copies share the storage (an owned vector or a shard map
// lives as long as any view of it), and copy() is one branch and then a memcpy (vector) or a
// uint16 → int32 widening loop (shard). Ranges and indices are relative to the view.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "harness/data/token_shards.h"

namespace ablate {

class TokenSource {
 public:
  TokenSource() = default;  // empty
  // Borrows `tokens`, like a span: the vector must outlive every view of it and not be resized.
  TokenSource(const std::vector<int32_t>& tokens);  // NOLINT(google-explicit-constructor)
  // Owns `tokens` (moved in).
  TokenSource(std::vector<int32_t>&& tokens);  // NOLINT(google-explicit-constructor)
  // Owns the map; the view reads the shard's pages on demand and copies nothing up front.
  explicit TokenSource(MappedTokenShard&& shard);

  int64_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  bool mapped() const { return u16_ != nullptr; }  // backed by a shard map
  // "SHARD tokens [a, b)" for a shard view, "N tokens in memory" for a vector.
  std::string description() const;

  // Tokens [begin, end) into out[0 .. end − begin). DataError naming the range if it is not
  // inside the view.
  void copy(int64_t begin, int64_t end, int32_t* out) const {
    if (begin < 0 || begin > end || end > size_) range_error(begin, end);
    if (u16_ != nullptr)
      widen(u16_ + 2 * begin, end - begin, out);
    else
      std::copy(ints_ + begin, ints_ + end, out);
  }
  int32_t operator[](int64_t i) const;  // unchecked (0 <= i < size())
  std::vector<int32_t> slice(int64_t begin, int64_t end) const;  // checked like copy()
  std::vector<int32_t> to_vector() const { return slice(0, size_); }

  // The tokens [begin, end) of this view, sharing its storage; DataError if not inside the view.
  TokenSource range(int64_t begin, int64_t end) const;

  // The first position whose token is outside [0, limit), or −1. One pass over the view (for a
  // shard, none at all when limit > 65535); copies nothing.
  int64_t find_outside(int64_t limit) const;

 private:
  [[noreturn]] void range_error(int64_t begin, int64_t end) const;
  static void widen(const unsigned char* u16le, int64_t count, int32_t* out);

  std::shared_ptr<const void> owner_;    // the owned vector or shard; null when borrowed
  const int32_t* ints_ = nullptr;        // vector storage, or
  const unsigned char* u16_ = nullptr;   // shard storage: uint16 little-endian
  int64_t size_ = 0;
  std::string path_;     // the shard's path ("" for a vector)
  int64_t offset_ = 0;   // of this view in the shard, for description()
};

}  // namespace ablate
