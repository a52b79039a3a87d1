// Data layer: byte tokenizer, llm.c token shards (round trip, byte layout, one expected message
// per bad file, the memory map), the seeded batch loader (determinism, exact seek, shifted
// targets, windows in range), the train/validation split, evaluation windows, text corpora.
#include <gtest/gtest.h>

#include "tests/test_support.h"
#include <stdlib.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "components/core/random.h"
#include "harness/data/batch_loader.h"
#include "harness/data/token_shards.h"
#include "harness/tokenizers/factory.h"
#include "harness/tokenizers/tokenizer.h"

namespace ablate {
namespace {

namespace fs = std::filesystem;

// The message of the DataError that f() throws; "" if it throws nothing.
template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const DataError& e) {
    return e.what();
  }
  return "";
}

#define EXPECT_MESSAGE_HAS(message, part) EXPECT_NE((message).find(part), std::string::npos) << "message: " << (message)

using testing::read_bytes;
using testing::write_bytes;

void put_i32(std::string& bytes, size_t at, int32_t v) {
  const uint32_t u = static_cast<uint32_t>(v);
  for (int i = 0; i < 4; ++i) bytes[at + i] = static_cast<char>((u >> (8 * i)) & 0xff);
}

// A shard file built by hand: header ints (magic, version, count) then `data_bytes` bytes.
std::string raw_shard(int32_t magic, int32_t version, int32_t count, const std::string& data_bytes) {
  std::string bytes(1024, '\0');
  put_i32(bytes, 0, magic);
  put_i32(bytes, 4, version);
  put_i32(bytes, 8, count);
  return bytes + data_bytes;
}

std::string u16_bytes(const std::vector<int32_t>& tokens) {
  std::string s;
  for (int32_t t : tokens) {
    s += static_cast<char>(t & 0xff);
    s += static_cast<char>((t >> 8) & 0xff);
  }
  return s;
}

std::vector<int32_t> random_tokens(size_t n, uint64_t seed, int32_t vocab = 65536) {
  Rng rng(seed);
  std::vector<int32_t> v(n);
  for (auto& t : v) t = static_cast<int32_t>(rng.below(static_cast<uint64_t>(vocab)));
  return v;
}

class DataShards : public testing::TempDirTest {};
class DataText : public testing::TempDirTest {};

// ---- tokenizer ----

TEST(DataTokenizer, ByteRoundTripAscii) {
  ByteTokenizer tok;
  const std::string text = "Hello, world!\n\tTabs and spaces.";
  const std::vector<int32_t> ids = tok.encode(text);
  ASSERT_EQ(ids.size(), text.size());
  EXPECT_EQ(ids[0], 'H');
  EXPECT_EQ(tok.decode(ids), text);
}

TEST(DataTokenizer, ByteRoundTripUtf8Multibyte) {
  ByteTokenizer tok;
  const std::string text = "h\u00e9llo \u4e16\u754c \U0001F30D";  // é (2 bytes), 世界 (3 each), 🌍 (4)
  ASSERT_EQ(text.size(), 1u + 2 + 3 + 1 + 3 + 3 + 1 + 4);
  const std::vector<int32_t> ids = tok.encode(text);
  ASSERT_EQ(ids.size(), text.size());  // one id per byte, not per code point
  EXPECT_EQ(ids[1], 0xC3);
  EXPECT_EQ(ids[2], 0xA9);
  EXPECT_EQ((std::vector<int32_t>(ids.end() - 4, ids.end())), (std::vector<int32_t>{0xF0, 0x9F, 0x8C, 0x8D}));
  for (int32_t id : ids) {
    EXPECT_GE(id, 0);
    EXPECT_LT(id, tok.vocab_size());
  }
  EXPECT_EQ(tok.decode(ids), text);
}

TEST(DataTokenizer, EveryByteRoundTrips) {
  ByteTokenizer tok;
  std::string all;
  for (int b = 0; b < 256; ++b) all += static_cast<char>(b);  // includes NUL and invalid UTF-8
  const std::vector<int32_t> ids = tok.encode(all);
  for (int b = 0; b < 256; ++b) EXPECT_EQ(ids[b], b);
  EXPECT_EQ(tok.decode(ids), all);
}

TEST(DataTokenizer, DecodeRejectsIdsOutsideTheVocabulary) {
  ByteTokenizer tok;
  const std::string message = error_of([&] { tok.decode({65, 256, 66}); });
  EXPECT_EQ(message, "byte tokenizer: id 1 = 256 is outside the vocabulary [0, 255]");
  EXPECT_MESSAGE_HAS(error_of([&] { tok.decode({-1}); }), "id 0 = -1");
}

TEST(DataTokenizer, Factory) {
  std::unique_ptr<Tokenizer> tok = make_tokenizer("byte");
  ASSERT_NE(tok, nullptr);
  EXPECT_EQ(tok->name(), "byte");
  EXPECT_EQ(tok->vocab_size(), 256);
  EXPECT_FALSE(tok->bos_id().has_value());
  EXPECT_FALSE(tok->eos_id().has_value());
  EXPECT_EQ(tok->decode(tok->encode("abc")), "abc");
  EXPECT_EQ(error_of([] { make_tokenizer("gpt2-bpe"); }),
            "unknown tokenizer type 'gpt2-bpe' (known: byte), or a tokenizer file as gpt2:PATH, llama2c:PATH, "
            "sentencepiece:PATH (+docs after the type, as in llama2c+docs:tok512.bin, starts each "
            "<|endoftext|>-separated document with BOS)");
}

// ---- token shards ----

TEST_F(DataShards, RoundTrip) {
  std::vector<int32_t> tokens = random_tokens(100'003, 7);  // more than one write chunk
  tokens[0] = 0;
  tokens[1] = 65535;
  const std::string path = file("train.bin");
  write_token_shard(path, tokens);
  EXPECT_EQ(read_token_shard(path), tokens);
  EXPECT_EQ(fs::file_size(path), 1024u + 2 * tokens.size());
  EXPECT_EQ(listing(), std::vector<std::string>{"train.bin"});  // no temp file left behind
}

TEST_F(DataShards, EmptyShardRoundTrips) {
  const std::string path = file("empty.bin");
  write_token_shard(path, {});
  EXPECT_TRUE(read_token_shard(path).empty());
  EXPECT_EQ(MappedTokenShard(path).size(), 0);
}

TEST_F(DataShards, ByteLayoutIsLlmC) {
  const std::string path = file("layout.bin");
  write_token_shard(path, {1, 258, 65535});
  std::string expected = raw_shard(20240520, 1, 3, u16_bytes({1, 258, 65535}));
  EXPECT_EQ(read_bytes(path), expected);  // header zero-filled after [2]; tokens little-endian
  // And a hand-built file reads back.
  write_bytes(file("hand.bin"), raw_shard(20240520, 1, 2, std::string("\x34\x12\xff\x00", 4)));
  EXPECT_EQ(read_token_shard(file("hand.bin")), (std::vector<int32_t>{0x1234, 0xff}));
}

TEST_F(DataShards, WriteRejectsTokensOutsideUint16AndKeepsTheOldFile) {
  const std::string path = file("keep.bin");
  write_token_shard(path, {5, 6, 7});
  const std::string before = read_bytes(path);
  EXPECT_EQ(error_of([&] { write_token_shard(path, {1, 2, 70000}); }),
            path + ": token 2 = 70000 is outside the uint16 range [0, 65535]");
  EXPECT_EQ(error_of([&] { write_token_shard(path, {-1}); }),
            path + ": token 0 = -1 is outside the uint16 range [0, 65535]");
  EXPECT_EQ(read_bytes(path), before);
  EXPECT_EQ(listing(), std::vector<std::string>{"keep.bin"});
  // Overwriting with good data replaces the file.
  write_token_shard(path, {9});
  EXPECT_EQ(read_token_shard(path), std::vector<int32_t>{9});
}

TEST_F(DataShards, WriteIntoMissingDirectoryNamesThePath) {
  const std::string path = file("no/such/dir/x.bin");
  const std::string message = error_of([&] { write_token_shard(path, {1}); });
  EXPECT_EQ(message.rfind(path + ": cannot create ", 0), 0u) << message;
}

TEST_F(DataShards, EachBadFileGetsItsMessage) {
  struct Case {
    std::string name, bytes, expected;  // expected: the message after "PATH: "
  };
  const std::string three = u16_bytes({1, 2, 3});
  const std::vector<Case> cases = {
      {"short.bin", std::string(100, '\0'), "file is 100 bytes, too short for the 1024-byte header"},
      {"zero.bin", "", "file is 0 bytes, too short for the 1024-byte header"},
      {"magic.bin", raw_shard(12345, 1, 3, three),
       "bad magic number 12345, expected 20240520 (an llm.c token shard starts with a header of 256 int32)"},
      {"llama3.bin", raw_shard(20240801, 7, 3, three + three),
       "bad magic number 20240801, expected 20240520 (this is an llm.c LLaMA-3 shard with uint32 tokens, which is "
       "not supported)"},
      {"version.bin", raw_shard(20240520, 2, 3, three), "unsupported version 2, expected 1 (uint16 tokens)"},
      {"negative.bin", raw_shard(20240520, 1, -4, three), "header token count -4 is negative"},
      {"truncated.bin", raw_shard(20240520, 1, 10, three), "truncated: header says 10 tokens, file holds 3"},
      {"odd.bin", raw_shard(20240520, 1, 10, three + "x"),
       "truncated: header says 10 tokens, file holds 3 and 1 stray byte"},
      {"trailing.bin", raw_shard(20240520, 1, 2, three),
       "header says 2 tokens, but the file holds 3 (6 bytes after the header, expected 4)"},
  };
  for (const Case& c : cases) {
    const std::string path = file(c.name);
    write_bytes(path, c.bytes);
    EXPECT_EQ(error_of([&] { read_token_shard(path); }), path + ": " + c.expected) << c.name;
    EXPECT_EQ(error_of([&] { MappedTokenShard shard(path); }), path + ": " + c.expected) << c.name << " (mapped)";
  }
}

TEST_F(DataShards, MissingFileAndDirectory) {
  const std::string missing = file("missing.bin");
  EXPECT_EQ(error_of([&] { read_token_shard(missing); }), missing + ": cannot open: No such file or directory");
  EXPECT_EQ(error_of([&] { MappedTokenShard shard(missing); }),
            missing + ": cannot open: No such file or directory");
  EXPECT_EQ(error_of([&] { read_token_shard(dir_); }), dir_ + ": cannot read: Is a directory");
}

TEST_F(DataShards, MappedViewEqualsRead) {
  const std::vector<int32_t> tokens = random_tokens(5000, 11);
  const std::string path = file("mapped.bin");
  write_token_shard(path, tokens);
  MappedTokenShard shard(path);
  EXPECT_EQ(shard.path(), path);
  ASSERT_EQ(shard.size(), static_cast<int64_t>(tokens.size()));
  for (int64_t i = 0; i < shard.size(); ++i) ASSERT_EQ(shard[i], tokens[static_cast<size_t>(i)]) << i;
  EXPECT_EQ(shard.to_vector(), read_token_shard(path));
  EXPECT_EQ(shard.slice(10, 20), std::vector<int32_t>(tokens.begin() + 10, tokens.begin() + 20));
  EXPECT_EQ(shard.at(4999), tokens[4999]);
  EXPECT_EQ(error_of([&] { shard.at(5000); }), path + ": token index 5000 is outside the shard's 5000 tokens");
  EXPECT_EQ(error_of([&] { shard.slice(4990, 5001); }),
            path + ": token range [4990, 5001) is outside the shard's 5000 tokens");

  // Moving hands the map over; the source is left empty.
  MappedTokenShard moved(std::move(shard));
  EXPECT_EQ(moved.size(), 5000);
  EXPECT_EQ(moved[123], tokens[123]);
  EXPECT_EQ(shard.size(), 0);  // NOLINT(bugprone-use-after-move): documented moved-from state
  write_token_shard(file("other.bin"), {42});
  moved = MappedTokenShard(file("other.bin"));
  EXPECT_EQ(moved.to_vector(), std::vector<int32_t>{42});
}

// ---- batch loader ----

// A corpus whose token at position i is i, so a window's contents reveal its offset.
std::vector<int32_t> positions(int64_t n) {
  std::vector<int32_t> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[static_cast<size_t>(i)] = static_cast<int32_t>(i);
  return v;
}

TEST(DataLoader, SameSeedSameBatchesDifferentSeedDifferent) {
  const std::vector<int32_t> tokens = random_tokens(10'000, 3, 50257);
  BatchLoader a(&tokens, 4, 32, 1234), b(&tokens, 4, 32, 1234), c(&tokens, 4, 32, 1235);
  const std::vector<testing::Batch> da = testing::draw_batches(a, 20), db = testing::draw_batches(b, 20), dc = testing::draw_batches(c, 20);
  EXPECT_EQ(da, db);
  int same = 0;
  for (int i = 0; i < 20; ++i) same += da[i] == dc[i];
  EXPECT_EQ(same, 0);
  // Within one stream, batches differ from each other.
  EXPECT_NE(da[0], da[1]);
}

TEST(DataLoader, SeekEqualsDrawing) {
  const std::vector<int32_t> tokens = random_tokens(5'000, 5, 1000);
  BatchLoader reference(&tokens, 3, 16, 99);
  const std::vector<testing::Batch> stream = testing::draw_batches(reference, 30);
  EXPECT_EQ(reference.position(), 30);
  for (int k : {0, 1, 7, 29}) {
    BatchLoader resumed(&tokens, 3, 16, 99);
    resumed.seek(k);
    EXPECT_EQ(resumed.position(), k);
    const std::vector<testing::Batch> rest = testing::draw_batches(resumed, 30 - k);
    EXPECT_EQ(rest, std::vector<testing::Batch>(stream.begin() + k, stream.end())) << "seek(" << k << ")";
  }
  // Seeking backwards replays too.
  reference.seek(2);
  EXPECT_EQ(testing::draw_batches(reference, 1)[0], stream[2]);
  // Far seeks need no replay.
  BatchLoader far(&tokens, 3, 16, 99);
  far.seek(int64_t{1} << 40);
  EXPECT_EQ(far.position(), int64_t{1} << 40);
  testing::draw_batches(far, 1);
  EXPECT_EQ(error_of([&] { far.seek(-1); }), "BatchLoader: cannot seek to batch -1");
}

TEST(DataLoader, TargetsAreInputsShiftedByOneAndWindowsInRange) {
  const int64_t n = 300, B = 8, T = 20;
  const std::vector<int32_t> tokens = positions(n);
  BatchLoader loader(&tokens, B, T, 42);
  std::set<int64_t> starts_seen;
  for (int batch = 0; batch < 1000; ++batch) {
    const std::vector<int64_t> starts = loader.offsets(batch);
    std::vector<int32_t> x, y;
    loader.next(x, y);
    ASSERT_EQ(x.size(), static_cast<size_t>(B * T));
    ASSERT_EQ(y.size(), static_cast<size_t>(B * T));
    for (int64_t b = 0; b < B; ++b) {
      const int64_t start = starts[static_cast<size_t>(b)];
      ASSERT_GE(start, 0);
      ASSERT_LE(start + T + 1, n);  // the whole window lies in the corpus
      starts_seen.insert(start);
      for (int64_t t = 0; t < T; ++t) {
        ASSERT_EQ(x[b * T + t], start + t);
        ASSERT_EQ(y[b * T + t], start + t + 1);
        if (t + 1 < T) {
          ASSERT_EQ(y[b * T + t], x[b * T + t + 1]);
        }
      }
    }
  }
  // 8000 draws over 280 possible starts: every start, the first and last included, appears.
  EXPECT_EQ(starts_seen.size(), static_cast<size_t>(n - T));
  EXPECT_EQ(*starts_seen.begin(), 0);
  EXPECT_EQ(*starts_seen.rbegin(), n - T - 1);
}

TEST(DataLoader, ExactlyOneContextFits) {
  const std::vector<int32_t> tokens = positions(17);
  BatchLoader loader(&tokens, 2, 16, 0);
  std::vector<int32_t> x, y;
  loader.next(x, y);
  EXPECT_EQ(std::vector<int32_t>(x.begin(), x.begin() + 16), std::vector<int32_t>(tokens.begin(), tokens.end() - 1));
  EXPECT_EQ(std::vector<int32_t>(y.begin() + 16, y.end()), std::vector<int32_t>(tokens.begin() + 1, tokens.end()));
}

TEST(DataLoader, CorpusShorterThanOneContext) {
  const std::vector<int32_t> tokens = positions(16);
  EXPECT_EQ(error_of([&] { BatchLoader loader(&tokens, 2, 16, 0); }),
            "corpus of 16 tokens is shorter than one context of T+1 = 17 tokens");
  const std::vector<int32_t> empty;
  EXPECT_EQ(error_of([&] { BatchLoader loader(&empty, 1, 1, 0); }),
            "corpus of 0 tokens is shorter than one context of T+1 = 2 tokens");
}

TEST(DataLoader, BadArguments) {
  const std::vector<int32_t> tokens = positions(100);
  EXPECT_EQ(error_of([&] { BatchLoader loader(nullptr, 1, 1, 0); }), "BatchLoader: the token corpus is null");
  EXPECT_EQ(error_of([&] { BatchLoader loader(&tokens, 0, 8, 0); }), "BatchLoader: batch size B must be >= 1, found 0");
  EXPECT_EQ(error_of([&] { BatchLoader loader(&tokens, 2, 0, 0); }), "BatchLoader: context T must be >= 1, found 0");
}

// ---- split and evaluation windows ----

TEST(DataSplit, SizesAndContiguity) {
  const std::vector<int32_t> tokens = positions(1000);
  TokenSplit s = split_tokens(tokens, 0.1);
  ASSERT_EQ(s.train.size(), 900u);
  ASSERT_EQ(s.validation.size(), 100u);
  EXPECT_EQ(s.train, std::vector<int32_t>(tokens.begin(), tokens.begin() + 900));
  EXPECT_EQ(s.validation, std::vector<int32_t>(tokens.begin() + 900, tokens.end()));

  s = split_tokens(tokens, 0.0);
  EXPECT_EQ(s.train, tokens);
  EXPECT_TRUE(s.validation.empty());

  s = split_tokens(positions(10), 0.25);  // floor(2.5) = 2 validation tokens
  EXPECT_EQ(s.train.size(), 8u);
  EXPECT_EQ(s.validation, (std::vector<int32_t>{8, 9}));

  s = split_tokens(positions(3), 0.999);  // train never empties while the fraction is < 1
  EXPECT_EQ(s.train.size(), 1u);
  EXPECT_EQ(s.validation.size(), 2u);
}

TEST(DataSplit, FractionOutsideRange) {
  const std::vector<int32_t> tokens = positions(10);
  EXPECT_EQ(error_of([&] { split_tokens(tokens, 1.0); }), "validation fraction 1 is outside [0, 1)");
  EXPECT_EQ(error_of([&] { split_tokens(tokens, -0.1); }), "validation fraction -0.1 is outside [0, 1)");
  EXPECT_EQ(error_of([&] { split_tokens(tokens, std::nan("")); }), "validation fraction nan is outside [0, 1)");
}

TEST(DataWindows, KnownCases) {
  using W = std::vector<std::pair<int64_t, int64_t>>;
  EXPECT_EQ(evaluation_windows(10, 4), (W{{0, 5}, {4, 9}, {8, 10}}));
  EXPECT_EQ(evaluation_windows(9, 4), (W{{0, 5}, {4, 9}}));
  EXPECT_EQ(evaluation_windows(2, 100), (W{{0, 2}}));
  EXPECT_EQ(evaluation_windows(5, std::numeric_limits<int64_t>::max()), (W{{0, 5}}));
  EXPECT_EQ(error_of([] { evaluation_windows(1, 4); }),
            "evaluation windows: a stream of 1 tokens has nothing to score (need at least 2)");
  EXPECT_EQ(error_of([] { evaluation_windows(10, 0); }), "evaluation windows: context T must be >= 1, found 0");
}

TEST(DataWindows, EveryTargetScoredOnce) {
  for (int64_t n : {2, 3, 16, 17, 18, 100, 1001}) {
    for (int64_t T : {1, 2, 7, 16, 64}) {
      std::vector<int> scored(static_cast<size_t>(n), 0);
      for (auto [start, end] : evaluation_windows(n, T)) {
        ASSERT_GE(start, 0);
        ASSERT_LE(end, n);
        ASSERT_LE(end - start, T + 1);
        ASSERT_GE(end - start, 2);
        for (int64_t i = start + 1; i < end; ++i) ++scored[static_cast<size_t>(i)];
      }
      EXPECT_EQ(scored[0], 0);
      for (int64_t i = 1; i < n; ++i) ASSERT_EQ(scored[static_cast<size_t>(i)], 1) << "n=" << n << " T=" << T;
    }
  }
}

// ---- text corpora ----

TEST_F(DataText, TokenizeFile) {
  const std::string text = "To be, or not to be \u2014 that is the question.\n";
  write_bytes(file("corpus.txt"), text);
  ByteTokenizer tok;
  EXPECT_EQ(tokenize_file(file("corpus.txt"), tok), tok.encode(text));
  // A split of it feeds a loader.
  const std::vector<int32_t> tokens = tokenize_file(file("corpus.txt"), *make_tokenizer("byte"));
  const TokenSplit split = split_tokens(tokens, 0.2);
  BatchLoader loader(&split.train, 2, 8, 1);
  std::vector<int32_t> x, y;
  loader.next(x, y);
  EXPECT_EQ(x.size(), 16u);
}

TEST_F(DataText, EmptyAndMissingFiles) {
  ByteTokenizer tok;
  write_bytes(file("empty.txt"), "");
  EXPECT_EQ(error_of([&] { tokenize_file(file("empty.txt"), tok); }), file("empty.txt") + ": empty corpus (0 bytes)");
  EXPECT_EQ(error_of([&] { tokenize_file(file("missing.txt"), tok); }),
            file("missing.txt") + ": cannot open: No such file or directory");
  EXPECT_EQ(error_of([&] { tokenize_file(dir_, tok); }), dir_ + ": cannot read: Is a directory");
}

}  // namespace
}  // namespace ablate
