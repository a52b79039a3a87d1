// llm.c token shards: header checks shared by the reader and the memory map, atomic writer.
#include "harness/data/token_shards.h"

#include "harness/common/file_io.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <utility>

namespace ablate {
namespace {

constexpr int32_t kLlama3ShardMagic = 20240801;  // llm.c's uint32 shards, recognised to say so

[[noreturn]] void fail(const std::string& path, const std::string& what) { throw DataError(path + ": " + what); }

std::string errno_text(int err) { return std::strerror(err); }

int32_t load_i32(const unsigned char* p) {
  const uint32_t u = static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
                     (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
  int32_t v;
  std::memcpy(&v, &u, 4);
  return v;
}

void store_i32(unsigned char* p, int32_t v) {
  uint32_t u;
  std::memcpy(&u, &v, 4);
  for (int i = 0; i < 4; ++i) p[i] = static_cast<unsigned char>(u >> (8 * i));
}

// An open file descriptor, closed on scope exit.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// Opens `path` read-only and returns its size; DataError if it cannot be opened or is a directory.
int64_t open_for_reading(const std::string& path, Fd& f) {
  f.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (f.fd < 0) fail(path, "cannot open: " + errno_text(errno));
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) fail(path, "cannot read: " + errno_text(errno));
  if (S_ISDIR(st.st_mode)) fail(path, "cannot read: " + errno_text(EISDIR));
  try {
    check_regular_file(path);  // /dev/zero and the like: no size to check a header against
  } catch (const FileIoError& e) {
    fail(path, e.what());
  }
  return static_cast<int64_t>(st.st_size);
}

// Reads up to n bytes at `offset`; returns how many were read (fewer only at end of file).
size_t read_at(const std::string& path, int fd, unsigned char* p, size_t n, int64_t offset) {
  size_t done = 0;
  while (done < n) {
    const ssize_t got = ::pread(fd, p + done, std::min<size_t>(n - done, size_t{1} << 30),
                                static_cast<off_t>(offset + static_cast<int64_t>(done)));
    if (got == 0) break;
    if (got < 0) {
      if (errno == EINTR) continue;
      fail(path, "cannot read: " + errno_text(errno));
    }
    done += static_cast<size_t>(got);
  }
  return done;
}

// Checks the header (kTokenShardHeaderBytes bytes at `header`) against a file of `file_size`
// bytes; returns the token count.
int64_t check_header(const std::string& path, const unsigned char* header, int64_t file_size) {
  const int32_t magic = load_i32(header);
  if (magic != kTokenShardMagic) {
    std::string hint = magic == kLlama3ShardMagic
                           ? " (this is an llm.c LLaMA-3 shard with uint32 tokens, which is not supported)"
                           : " (an llm.c token shard starts with a header of 256 int32)";
    fail(path, "bad magic number " + std::to_string(magic) + ", expected " + std::to_string(kTokenShardMagic) + hint);
  }
  const int32_t version = load_i32(header + 4);
  if (version != kTokenShardVersion)
    fail(path, "unsupported version " + std::to_string(version) + ", expected " + std::to_string(kTokenShardVersion) +
                   " (uint16 tokens)");
  const int64_t n = load_i32(header + 8);
  if (n < 0) fail(path, "header token count " + std::to_string(n) + " is negative");
  const int64_t data_bytes = file_size - kTokenShardHeaderBytes;
  const int64_t held = data_bytes / 2;
  const std::string stray = data_bytes % 2 ? " and 1 stray byte" : "";
  if (data_bytes < 2 * n)
    fail(path, "truncated: header says " + std::to_string(n) + " tokens, file holds " + std::to_string(held) + stray);
  if (data_bytes > 2 * n)
    fail(path, "header says " + std::to_string(n) + " tokens, but the file holds " + std::to_string(held) + stray +
                   " (" + std::to_string(data_bytes) + " bytes after the header, expected " + std::to_string(2 * n) +
                   ")");
  return n;
}

// Opens the file and checks its size and header; returns the token count.
int64_t open_shard(const std::string& path, Fd& f, int64_t* file_size) {
  *file_size = open_for_reading(path, f);
  if (*file_size < kTokenShardHeaderBytes)
    fail(path, "file is " + std::to_string(*file_size) + " bytes, too short for the " +
                   std::to_string(kTokenShardHeaderBytes) + "-byte header");
  unsigned char header[kTokenShardHeaderBytes];
  if (read_at(path, f.fd, header, sizeof header, 0) != sizeof header)
    fail(path, "file shrank while reading the header");
  return check_header(path, header, *file_size);
}


}  // namespace

// ---- writing ----

void write_token_shard(const std::string& path, const std::vector<int32_t>& tokens) {
  // Check everything before touching the file system.
  if (tokens.size() > static_cast<size_t>(std::numeric_limits<int32_t>::max()))
    fail(path, "cannot write " + std::to_string(tokens.size()) + " tokens: the header's int32 count holds at most " +
                   std::to_string(std::numeric_limits<int32_t>::max()));
  for (size_t i = 0; i < tokens.size(); ++i)
    if (tokens[i] < 0 || tokens[i] > 65535)
      fail(path, "token " + std::to_string(i) + " = " + std::to_string(tokens[i]) +
                     " is outside the uint16 range [0, 65535]");

  unsigned char header[kTokenShardHeaderBytes] = {};
  store_i32(header, kTokenShardMagic);
  store_i32(header + 4, kTokenShardVersion);
  store_i32(header + 8, static_cast<int32_t>(tokens.size()));

  std::vector<unsigned char> body(2 * tokens.size());  // uint16 little-endian
  for (size_t i = 0; i < tokens.size(); ++i) {
    body[2 * i] = static_cast<unsigned char>(tokens[i] & 0xff);
    body[2 * i + 1] = static_cast<unsigned char>((tokens[i] >> 8) & 0xff);
  }
  write_file_atomically_or_throw<DataError>(path, {{header, sizeof header}, {body.data(), body.size()}});
}

// ---- reading ----

std::vector<int32_t> read_token_shard(const std::string& path) {
  Fd f;
  int64_t file_size = 0;
  const int64_t n = open_shard(path, f, &file_size);
  try {
    check_fits_in_memory(path, 2.0);  // 4-byte ids for 2-byte tokens
  } catch (const FileIoError& e) {
    fail(path, e.what());
  }
  std::vector<int32_t> tokens(static_cast<size_t>(n));
  std::vector<unsigned char> chunk;
  constexpr int64_t kChunkTokens = int64_t{1} << 16;
  for (int64_t begin = 0; begin < n; begin += kChunkTokens) {
    const int64_t count = std::min(n - begin, kChunkTokens);
    chunk.resize(static_cast<size_t>(2 * count));
    if (read_at(path, f.fd, chunk.data(), chunk.size(), kTokenShardHeaderBytes + 2 * begin) != chunk.size())
      fail(path, "file shrank while reading: header says " + std::to_string(n) + " tokens");
    for (int64_t i = 0; i < count; ++i)
      tokens[static_cast<size_t>(begin + i)] = static_cast<int32_t>(chunk[2 * i] | (chunk[2 * i + 1] << 8));
  }
  return tokens;
}

// ---- memory map ----

MappedTokenShard::MappedTokenShard(const std::string& path) : path_(path) {
  Fd f;
  int64_t file_size = 0;
  size_ = open_shard(path, f, &file_size);
  map_bytes_ = static_cast<size_t>(file_size);
  void* p = ::mmap(nullptr, map_bytes_, PROT_READ, MAP_PRIVATE, f.fd, 0);
  if (p == MAP_FAILED) fail(path, "cannot memory-map " + std::to_string(file_size) + " bytes: " + errno_text(errno));
  map_ = p;
  tokens_ = static_cast<const unsigned char*>(map_) + kTokenShardHeaderBytes;
  // The map stays valid after the descriptor is closed.
}

MappedTokenShard::~MappedTokenShard() { release(); }

void MappedTokenShard::release() {
  if (map_ != nullptr) ::munmap(map_, map_bytes_);
  map_ = nullptr;
  map_bytes_ = 0;
  tokens_ = nullptr;
  size_ = 0;
}

MappedTokenShard::MappedTokenShard(MappedTokenShard&& other) noexcept
    : path_(std::move(other.path_)),
      map_(std::exchange(other.map_, nullptr)),
      map_bytes_(std::exchange(other.map_bytes_, 0)),
      tokens_(std::exchange(other.tokens_, nullptr)),
      size_(std::exchange(other.size_, 0)) {}

MappedTokenShard& MappedTokenShard::operator=(MappedTokenShard&& other) noexcept {
  if (this != &other) {
    release();
    path_ = std::move(other.path_);
    map_ = std::exchange(other.map_, nullptr);
    map_bytes_ = std::exchange(other.map_bytes_, 0);
    tokens_ = std::exchange(other.tokens_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

int32_t MappedTokenShard::at(int64_t i) const {
  if (i < 0 || i >= size_)
    fail(path_, "token index " + std::to_string(i) + " is outside the shard's " + std::to_string(size_) + " tokens");
  return (*this)[i];
}

std::vector<int32_t> MappedTokenShard::slice(int64_t begin, int64_t end) const {
  if (begin < 0 || begin > end || end > size_)
    fail(path_, "token range [" + std::to_string(begin) + ", " + std::to_string(end) + ") is outside the shard's " +
                    std::to_string(size_) + " tokens");
  std::vector<int32_t> out(static_cast<size_t>(end - begin));
  for (int64_t i = begin; i < end; ++i) out[static_cast<size_t>(i - begin)] = (*this)[i];
  return out;
}

}  // namespace ablate
