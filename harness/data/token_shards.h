// Token shards in the llm.c layout (karpathy/llm.c dev/data/data_common.py, "gpt-2" shards; the
// modded-nanogpt loaders read the same files):
//
//   1024 bytes   header: 256 int32 little-endian; [0] = 20240520 (magic), [1] = 1 (version),
//                [2] = N, the number of tokens; the rest zero
//   2N bytes     N tokens, uint16 little-endian
//
// The file must hold exactly that (a shorter file is "truncated", a longer one has trailing
// bytes). Not read: llm.c's LLaMA-3 shards (magic 20240801, version 7, uint32 tokens) and
// nanoGPT's headerless train.bin. Every problem is a DataError starting with the path
// ("val.bin: bad magic number 1234, expected 20240520 ...").
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "harness/common/errors.h"

namespace ablate {

constexpr int32_t kTokenShardMagic = 20240520;
constexpr int32_t kTokenShardVersion = 1;
constexpr int64_t kTokenShardHeaderInts = 256;
constexpr int64_t kTokenShardHeaderBytes = kTokenShardHeaderInts * 4;

// Writes atomically: to "PATH.tmp.PID", fsync, then rename over PATH. Tokens are checked first
// ("PATH: token 17 = 70000 is outside the uint16 range [0, 65535]"); on any failure the old file
// at PATH is untouched and the temp file is removed.
void write_token_shard(const std::string& path, const std::vector<int32_t>& tokens);

// The whole shard copied into memory, after checking the header and the file size.
std::vector<int32_t> read_token_shard(const std::string& path);

// A read-only memory map of a shard, so a large shard is paged in on demand instead of copied
// (training reads shards this way, through TokenSource in token_source.h). The header and size are
// checked on open exactly as read_token_shard checks them.
// Movable, not copyable; the map is released when the view is destroyed.
class MappedTokenShard {
 public:
  explicit MappedTokenShard(const std::string& path);
  ~MappedTokenShard();
  MappedTokenShard(MappedTokenShard&& other) noexcept;
  MappedTokenShard& operator=(MappedTokenShard&& other) noexcept;
  MappedTokenShard(const MappedTokenShard&) = delete;
  MappedTokenShard& operator=(const MappedTokenShard&) = delete;

  const std::string& path() const { return path_; }
  int64_t size() const { return size_; }  // tokens
  // The 2·size() token bytes in the map (uint16 little-endian); valid while the view lives.
  const unsigned char* data() const { return tokens_; }
  // Token i, unchecked (0 <= i < size()).
  int32_t operator[](int64_t i) const {
    const unsigned char* p = tokens_ + 2 * i;
    return static_cast<int32_t>(p[0] | (p[1] << 8));
  }
  int32_t at(int64_t i) const;  // checked: DataError naming the index and the size
  // Tokens [begin, end) as a vector (checked), and all of them.
  std::vector<int32_t> slice(int64_t begin, int64_t end) const;
  std::vector<int32_t> to_vector() const { return slice(0, size_); }

 private:
  void release();

  std::string path_;
  void* map_ = nullptr;  // the whole file
  size_t map_bytes_ = 0;
  const unsigned char* tokens_ = nullptr;  // map_ + 1024
  int64_t size_ = 0;
};

}  // namespace ablate
