// Token sources over vectors and shard maps (see token_source.h).
#include "harness/data/token_source.h"

#include <cstring>
#include <utility>

namespace ablate {
namespace {

// Token i of little-endian uint16 storage.
inline uint16_t load_u16(const unsigned char* p, int64_t i) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  uint16_t v;
  std::memcpy(&v, p + 2 * i, 2);
  return v;
#else
  return static_cast<uint16_t>(p[2 * i] | (p[2 * i + 1] << 8));
#endif
}

}  // namespace

TokenSource::TokenSource(const std::vector<int32_t>& tokens)
    : ints_(tokens.data()), size_(static_cast<int64_t>(tokens.size())) {}

TokenSource::TokenSource(std::vector<int32_t>&& tokens) {
  auto owned = std::make_shared<const std::vector<int32_t>>(std::move(tokens));
  ints_ = owned->data();
  size_ = static_cast<int64_t>(owned->size());
  owner_ = std::move(owned);
}

TokenSource::TokenSource(MappedTokenShard&& shard) {
  auto owned = std::make_shared<const MappedTokenShard>(std::move(shard));
  u16_ = owned->data();
  size_ = owned->size();
  path_ = owned->path();
  owner_ = std::move(owned);
}

std::string TokenSource::description() const {
  if (mapped())
    return path_ + " tokens [" + std::to_string(offset_) + ", " + std::to_string(offset_ + size_) + ")";
  return std::to_string(size_) + " tokens in memory";
}

void TokenSource::range_error(int64_t begin, int64_t end) const {
  throw DataError(description() + ": token range [" + std::to_string(begin) + ", " + std::to_string(end) +
                  ") is outside the view's " + std::to_string(size_) + " tokens");
}

void TokenSource::widen(const unsigned char* u16le, int64_t count, int32_t* out) {
  for (int64_t i = 0; i < count; ++i) out[i] = load_u16(u16le, i);
}

int32_t TokenSource::operator[](int64_t i) const { return u16_ != nullptr ? load_u16(u16_, i) : ints_[i]; }

std::vector<int32_t> TokenSource::slice(int64_t begin, int64_t end) const {
  if (begin < 0 || begin > end || end > size_) range_error(begin, end);
  std::vector<int32_t> out(static_cast<size_t>(end - begin));
  copy(begin, end, out.data());
  return out;
}

TokenSource TokenSource::range(int64_t begin, int64_t end) const {
  if (begin < 0 || begin > end || end > size_) range_error(begin, end);
  TokenSource view = *this;
  if (u16_ != nullptr)
    view.u16_ = u16_ + 2 * begin;
  else if (ints_ != nullptr)
    view.ints_ = ints_ + begin;
  view.size_ = end - begin;
  view.offset_ = offset_ + begin;
  return view;
}

int64_t TokenSource::find_outside(int64_t limit) const {
  if (u16_ == nullptr) {
    for (int64_t i = 0; i < size_; ++i)
      if (ints_[i] < 0 || ints_[i] >= limit) return i;
    return -1;
  }
  if (limit > 65535) return -1;  // every uint16 fits
  if (limit <= 0) return size_ > 0 ? 0 : -1;
  // The maximum of each chunk first (a loop the compiler vectorises), the exact index only in a
  // chunk that holds an offender.
  constexpr int64_t kChunk = int64_t{1} << 14;
  for (int64_t begin = 0; begin < size_; begin += kChunk) {
    const int64_t end = std::min(size_, begin + kChunk);
    uint16_t top = 0;
    for (int64_t i = begin; i < end; ++i) top = std::max(top, load_u16(u16_, i));
    if (top < limit) continue;
    for (int64_t i = begin; i < end; ++i)
      if (load_u16(u16_, i) >= limit) return i;
  }
  return -1;
}

}  // namespace ablate
