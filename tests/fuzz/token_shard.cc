// Fuzzes the llm.c token shard reader: the input is a whole .bin shard (1024-byte header of 256
// int32: magic, version, token count; then uint16 tokens), read by read_token_shard and by
// MappedTokenShard (the memory-mapped view training uses), whose tokens are then read.
// Expected: DataError (token_shards.h). A failure is any other exception, a crash, a sanitizer
// report, a hang, or the two readers disagreeing.
#include <cstdio>
#include <cstdlib>

#include "harness/data/token_shards.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ablate;
  const std::string path = (fuzz::scratch_dir() / "shard.bin").string();
  fuzz::write_file(path, fuzz::bytes_of(data, size));
  std::vector<int32_t> read;
  try {
    read = read_token_shard(path);
  } catch (const DataError& e) {
    fuzz::expected(e);
    return 0;
  }
  try {
    const MappedTokenShard mapped(path);
    if (mapped.to_vector() != read) {
      std::fprintf(stderr, "MappedTokenShard and read_token_shard disagree on %s\n", path.c_str());
      std::abort();
    }
  } catch (const DataError& e) {
    std::fprintf(stderr, "MappedTokenShard rejects a shard read_token_shard reads: %s\n", e.what());
    std::abort();
  }
  return 0;
}
