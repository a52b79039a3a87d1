// safetensors reader/writer: round trips, F16/BF16 decoding, one expected message per bad input,
// atomic writes, the committed PyTorch golden, and corrupted-input robustness.
#include "harness/checkpoints/safetensors.h"

#include <gtest/gtest.h>

#include "tests/test_support.h"
#include <sys/stat.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace ablate {
namespace {

namespace fs = std::filesystem;

using testing::read_bytes;
using testing::write_bytes;

// A file with the given header text (length prefix added) followed by `buffer`.
std::string raw_file(const std::string& header, const std::string& buffer) {
  std::string bytes(8, '\0');
  const uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  return bytes + header + buffer;
}

class SafetensorsTest : public testing::TempDirTest {
 protected:

  // The message of the SafetensorsError that opening `bytes` raises ("" if it opens).
  std::string open_error(const std::string& bytes, const std::string& name = "bad.safetensors") {
    const std::string path = file(name);
    write_bytes(path, bytes);
    try {
      SafetensorsFile::open(path);
    } catch (const SafetensorsError& e) {
      const std::string m = e.what();
      EXPECT_EQ(m.rfind(path + ": ", 0), 0u) << "message does not start with the path: " << m;
      return m;
    }
    return "";
  }
};

TEST_F(SafetensorsTest, RoundTripsF32F64I32WithMetadata) {
  const std::vector<float> w = {1.5f, -2.25f, 3e-8f, std::numeric_limits<float>::max(), -0.0f, 7.0f};
  const std::vector<double> d = {3.141592653589793, -1e300, 5e-324};
  const std::vector<int32_t> ids = {0, -1, std::numeric_limits<int32_t>::max(), std::numeric_limits<int32_t>::min()};
  const float scalar = 42.0f;
  const std::map<std::string, std::string> meta = {{"preset", "llama"}, {"model", "{\"d_model\": 32}"}, {"empty", ""}};
  const std::string path = file("ckpt.safetensors");
  write_safetensors(path,
                    {{"w", "F32", {2, 3}, w.data()},
                     {"d", "F64", {3}, d.data()},
                     {"ids", "I32", {2, 2}, ids.data()},
                     {"scalar", "F32", {}, &scalar},
                     {"empty", "F32", {0, 4}, nullptr}},
                    meta);
  EXPECT_FALSE(fs::exists(path + ".tmp." + std::to_string(getpid())));

  const SafetensorsFile f = SafetensorsFile::open(path);
  EXPECT_EQ(f.path(), path);
  EXPECT_EQ(f.metadata(), meta);
  // Written order; the zero-byte tensor sits at the end of the buffer, after the scalar.
  EXPECT_EQ(f.names(), (std::vector<std::string>{"w", "d", "ids", "scalar", "empty"}));
  EXPECT_TRUE(f.has("ids"));
  EXPECT_FALSE(f.has("nope"));
  EXPECT_EQ(f.info("w").dtype, "F32");
  EXPECT_EQ(f.info("w").shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(f.info("w").begin, 0);
  EXPECT_EQ(f.info("w").end, 24);
  EXPECT_EQ(f.info("d").begin, 24);
  EXPECT_EQ(f.info("empty").begin, f.info("empty").end);

  const std::vector<float> w2 = f.floats("w", {2, 3});
  ASSERT_EQ(w2.size(), w.size());
  EXPECT_EQ(std::memcmp(w2.data(), w.data(), w.size() * sizeof(float)), 0);  // bit-exact, -0 included
  EXPECT_EQ(f.doubles("d"), d);
  EXPECT_EQ(f.ints("ids"), ids);
  EXPECT_EQ(f.floats("scalar"), std::vector<float>{42.0f});
  EXPECT_TRUE(f.floats("empty", {0, 4}).empty());
  // Cross-precision reads.
  EXPECT_EQ(f.doubles("w")[0], 1.5);
  EXPECT_EQ(f.floats("d")[0], static_cast<float>(3.141592653589793));

  // No metadata, no tensors: still a valid file.
  write_safetensors(file("empty.safetensors"), {});
  const SafetensorsFile e = SafetensorsFile::open(file("empty.safetensors"));
  EXPECT_TRUE(e.names().empty());
  EXPECT_TRUE(e.metadata().empty());
}

TEST_F(SafetensorsTest, WritesTheSpecLayout) {
  const std::vector<float> w = {1.0f, 2.0f};
  const std::string path = file("layout.safetensors");
  write_safetensors(path, {{"w", "F32", {2}, w.data()}}, {{"k", "v"}});
  const std::string bytes = read_bytes(path);
  ASSERT_GE(bytes.size(), 8u);
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= static_cast<uint64_t>(static_cast<unsigned char>(bytes[i])) << (8 * i);
  EXPECT_EQ(n % 8, 0u);  // buffer 8-byte aligned
  ASSERT_EQ(bytes.size(), 8 + n + 8);
  const std::string header = bytes.substr(8, n);
  EXPECT_EQ(header.find("{\"__metadata__\":{\"k\":\"v\"},\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}"),
            0u)
      << header;
  EXPECT_EQ(header.find_first_not_of(' ', header.find_last_of('}') + 1), std::string::npos);  // padded with spaces
  EXPECT_EQ(std::memcmp(bytes.data() + 8 + n, w.data(), 8), 0);
}

TEST_F(SafetensorsTest, DecodesF16AndBF16) {
  // Little-endian 16-bit patterns and their values.
  const std::vector<uint16_t> f16 = {0x3C00, 0xC100, 0x7BFF, 0x0001, 0x03FF, 0x0400, 0x8000, 0x7C00, 0xFC00, 0x7E00};
  const std::vector<float> f16_want = {1.0f,         -2.5f,    65504.0f,
                                       std::ldexp(1.0f, -24),  // smallest subnormal
                                       std::ldexp(1023.0f, -24),  // largest subnormal
                                       std::ldexp(1.0f, -14),  // smallest normal
                                       -0.0f,        INFINITY, -INFINITY, NAN};
  const std::vector<uint16_t> bf16 = {0x3F80, 0xC020, 0x7F7F, 0x0001, 0x8000, 0x7F80, 0xFF80, 0x7FC0};
  const std::vector<float> bf16_want = {1.0f,  -2.5f,    std::ldexp(255.0f, 120), std::ldexp(1.0f, -133),
                                        -0.0f, INFINITY, -INFINITY,               NAN};
  std::string buffer;
  for (uint16_t v : f16) buffer += {static_cast<char>(v & 0xff), static_cast<char>(v >> 8)};
  for (uint16_t v : bf16) buffer += {static_cast<char>(v & 0xff), static_cast<char>(v >> 8)};
  const std::string header = "{\"h\":{\"dtype\":\"F16\",\"shape\":[10],\"data_offsets\":[0,20]},"
                             "\"b\":{\"dtype\":\"BF16\",\"shape\":[2,4],\"data_offsets\":[20,36]}}";
  const std::string path = file("half.safetensors");
  write_bytes(path, raw_file(header, buffer));
  const SafetensorsFile f = SafetensorsFile::open(path);
  EXPECT_EQ(f.names(), (std::vector<std::string>{"h", "b"}));

  auto expect_same = [](const std::vector<float>& got, const std::vector<float>& want, const char* what) {
    ASSERT_EQ(got.size(), want.size()) << what;
    for (size_t i = 0; i < want.size(); ++i) {
      if (std::isnan(want[i])) {
        EXPECT_TRUE(std::isnan(got[i])) << what << "[" << i << "]";
      } else {
        EXPECT_EQ(got[i], want[i]) << what << "[" << i << "]";
        EXPECT_EQ(std::signbit(got[i]), std::signbit(want[i])) << what << "[" << i << "]";
      }
    }
  };
  expect_same(f.floats("h"), f16_want, "F16");
  expect_same(f.floats("b", {2, 4}), bf16_want, "BF16");
  EXPECT_EQ(f.doubles("h")[2], 65504.0);
  EXPECT_EQ(f.doubles("b")[1], -2.5);
}

TEST_F(SafetensorsTest, ConvertsIntegers) {
  std::string buffer;
  auto put = [&](uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) buffer += static_cast<char>((v >> (8 * i)) & 0xff);
  };
  put(static_cast<uint64_t>(int64_t{-5}), 8);  // I64 [0, 16)
  put(int64_t{2147483647}, 8);
  put(int64_t{2147483648}, 8);  // I64 [16, 24): out of int32 range
  put(65535, 2);                // U16 [24, 28)
  put(7, 2);
  put(255, 1);  // U8 [28, 30)
  put(0, 1);
  const std::string header =
      "{\"a\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]},"
      "\"big\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[16,24]},"
      "\"u16\":{\"dtype\":\"U16\",\"shape\":[2],\"data_offsets\":[24,28]},"
      "\"u8\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[28,30]}}";
  const std::string path = file("ints.safetensors");
  write_bytes(path, raw_file(header, buffer));
  const SafetensorsFile f = SafetensorsFile::open(path);
  EXPECT_EQ(f.ints("a"), (std::vector<int32_t>{-5, 2147483647}));
  EXPECT_EQ(f.ints("u16"), (std::vector<int32_t>{65535, 7}));
  EXPECT_EQ(f.ints("u8"), (std::vector<int32_t>{255, 0}));
  try {
    f.ints("big");
    FAIL() << "expected an error";
  } catch (const SafetensorsError& e) {
    EXPECT_STREQ(e.what(), (path + ": tensor 'big': element 0 = 2147483648 does not fit in int32").c_str());
  }
}

TEST_F(SafetensorsTest, ReadErrorsNameTheTensorAndFile) {
  const std::vector<float> w(6, 1.0f);
  const std::vector<int32_t> ids = {1, 2};
  const std::string path = file("r.safetensors");
  write_safetensors(path, {{"w", "F32", {2, 3}, w.data()}, {"ids", "I32", {2}, ids.data()}});
  const SafetensorsFile f = SafetensorsFile::open(path);
  auto message = [](auto&& call) -> std::string {
    try {
      call();
    } catch (const SafetensorsError& e) {
      return e.what();
    }
    return "(no error)";
  };
  EXPECT_EQ(message([&] { f.floats("w", {3, 2}); }), path + ": tensor 'w' has shape [2, 3], expected [3, 2]");
  EXPECT_EQ(message([&] { f.floats("w", {}); }), path + ": tensor 'w' has shape [2, 3], expected []");
  EXPECT_EQ(message([&] { f.info("missing"); }), path + ": no tensor 'missing' (the file has 2 tensors)");
  EXPECT_EQ(message([&] { f.floats("missing"); }), path + ": no tensor 'missing' (the file has 2 tensors)");
  EXPECT_EQ(message([&] { f.floats("ids"); }), path + ": tensor 'ids' has dtype I32; floats() reads F32, F16, BF16, F64");
  EXPECT_EQ(message([&] { f.doubles("ids"); }),
            path + ": tensor 'ids' has dtype I32; doubles() reads F32, F16, BF16, F64");
  EXPECT_EQ(message([&] { f.ints("w"); }), path + ": tensor 'w' has dtype F32; ints() reads I32, I64, U16, U8");
}

TEST_F(SafetensorsTest, RejectsMissingShortAndOverlongFiles) {
  const std::string missing = file("missing.safetensors");
  try {
    SafetensorsFile::open(missing);
    FAIL() << "expected an error";
  } catch (const SafetensorsError& e) {
    EXPECT_EQ(std::string(e.what()), missing + ": cannot open: No such file or directory");
  }
  try {
    SafetensorsFile::open(dir_);
    FAIL() << "expected an error";
  } catch (const SafetensorsError& e) {
    EXPECT_EQ(std::string(e.what()), dir_ + ": cannot read: Is a directory");
  }
  EXPECT_NE(open_error("").find("file is 0 bytes, too short for the 8-byte header length"), std::string::npos);
  EXPECT_NE(open_error(std::string("\x02\0\0\0\0\0\0", 7)).find("file is 7 bytes, too short"), std::string::npos);
  // Header length 100 in a 10-byte file.
  EXPECT_NE(open_error(std::string("d\0\0\0\0\0\0\0{}", 10)).find("header length 100 runs past the end of the file (10 bytes)"),
            std::string::npos);
  // 2^64 - 1: no wrap-around in the bounds check.
  EXPECT_NE(open_error(std::string(8, '\xff') + "{}").find("header length 18446744073709551615 runs past the end"),
            std::string::npos);
}

TEST_F(SafetensorsTest, EachBadHeaderGetsItsMessage) {
  const std::string f32_2 = "\"dtype\":\"F32\",\"shape\":[2]";  // an 8-byte tensor
  struct Case {
    std::string header;
    size_t buffer_bytes;
    std::string expected;
  };
  std::string deep = "1";
  for (int i = 0; i < 40; ++i) deep = "[" + deep + "]";
  const std::vector<Case> cases = {
      {"", 0, "header is not valid JSON: "},
      {"{not json", 0, "header is not valid JSON: "},
      {"{\"w\":\"\xff\"}", 0, "header is not valid JSON: "},  // invalid UTF-8
      {"[1, 2]", 0, "header is not a JSON object (found array)"},
      {"\"w\"", 0, "header is not a JSON object (found string)"},
      {"{\"w\":5}", 0, "tensor 'w': entry must be an object, found number"},
      {"{\"w\":{\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "tensor 'w': missing \"dtype\""},
      {"{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", 8, "tensor 'w': missing \"shape\""},
      {"{\"w\":{" + f32_2 + "}}", 8, "tensor 'w': missing \"data_offsets\""},
      {"{\"w\":{" + f32_2 + ",\"data_offsets\":[0,8],\"extra\":1}}", 8,
       "tensor 'w': unknown key 'extra' (allowed: dtype, shape, data_offsets)"},
      {"{\"w\":{\"dtype\":4,\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "tensor 'w': \"dtype\" must be a string, found number"},
      {"{\"w\":{\"dtype\":\"F7\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "tensor 'w': unknown dtype 'F7'"},
      {"{\"w\":{\"dtype\":\"F32\",\"shape\":\"2\",\"data_offsets\":[0,8]}}", 8,
       "tensor 'w': \"shape\" must be an array of integers, found string"},
      {"{\"w\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,8]}}", 8,
       "tensor 'w': dimension must be an integer, found number"},
      {"{\"w\":{\"dtype\":\"F32\",\"shape\":[-2,-1],\"data_offsets\":[0,8]}}", 8, "tensor 'w': negative dimension -2"},
      {"{\"w\":{\"dtype\":\"F32\",\"shape\":[18446744073709551615],\"data_offsets\":[0,8]}}", 8,
       "tensor 'w': dimension 18446744073709551615 is too large"},
      {"{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}", 8,
       "tensor 'w': shape [4294967296, 4294967296] overflows int64 bytes"},
      {"{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,0],\"data_offsets\":[0,0]}}", 0,
       "tensor 'w': shape [4294967296, 4294967296, 0] overflows int64 bytes"},
      {"{\"w\":{" + f32_2 + ",\"data_offsets\":[0]}}", 8,
       "tensor 'w': \"data_offsets\" must be an array [begin, end], found an array of 1"},
      {"{\"w\":{" + f32_2 + ",\"data_offsets\":{}}}", 8,
       "tensor 'w': \"data_offsets\" must be an array [begin, end], found object"},
      {"{\"w\":{" + f32_2 + ",\"data_offsets\":[0,\"8\"]}}", 8, "tensor 'w': data offset must be an integer, found string"},
      {"{\"w\":{" + f32_2 + ",\"data_offsets\":[-8,0]}}", 8, "tensor 'w': negative data offset -8"},
      {"{\"w\":{" + f32_2 + ",\"data_offsets\":[8,0]}}", 8, "tensor 'w': data_offsets [8, 0] has begin > end"},
      {"{\"w\":{" + f32_2 + ",\"data_offsets\":[0,8]}}", 4,
       "tensor 'w': truncated: data_offsets [0, 8] runs past the end of the 4-byte data buffer"},
      {"{\"w\":{" + f32_2 + ",\"data_offsets\":[0,18446744073709551615]}}", 8,
       "tensor 'w': data offset 18446744073709551615 is too large"},
      {"{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8,
       "tensor 'w': F32 shape [3] needs 12 bytes, data_offsets [0, 8] holds 8"},
      {"{\"a\":{" + f32_2 + ",\"data_offsets\":[0,8]},\"b\":{" + f32_2 + ",\"data_offsets\":[4,12]}}", 12,
       "tensor 'a' [0, 8) and tensor 'b' [4, 12) overlap"},
      {"{\"a\":{" + f32_2 + ",\"data_offsets\":[0,8]},\"b\":{" + f32_2 + ",\"data_offsets\":[0,8]}}", 8,
       "tensor 'a' [0, 8) and tensor 'b' [0, 8) overlap"},
      {"{\"a\":{" + f32_2 + ",\"data_offsets\":[0,8]},\"b\":{" + f32_2 + ",\"data_offsets\":[12,20]}}", 20,
       "gap: bytes [8, 12) of the data buffer belong to no tensor"},
      {"{\"a\":{" + f32_2 + ",\"data_offsets\":[4,12]}}", 12, "gap: bytes [0, 4) of the data buffer belong to no tensor"},
      {"{\"a\":{" + f32_2 + ",\"data_offsets\":[0,8]}}", 9,
       "bytes [8, 9) at the end of the data buffer belong to no tensor"},
      {"{}", 3, "bytes [0, 3) at the end of the data buffer belong to no tensor"},
      {"{\"w\":{" + f32_2 + ",\"data_offsets\":[0,8]},\"w\":{" + f32_2 + ",\"data_offsets\":[0,8]}}", 8,
       "key 'w' appears twice in the header"},
      {"{\"__metadata__\":[\"a\"]}", 0, "__metadata__ must be an object of strings, found array"},
      {"{\"__metadata__\":{\"k\":1}}", 0, "__metadata__ value for key 'k' must be a string, found number"},
      {"{\"__metadata__\":{\"k\":" + deep + "}}", 0, "header JSON nests deeper than 32 levels"},
  };
  for (const Case& c : cases) {
    const std::string m = open_error(raw_file(c.header, std::string(c.buffer_bytes, '\0')));
    EXPECT_NE(m.find(c.expected), std::string::npos) << "header: " << c.header << "\n  got: " << m
                                                     << "\n  expected substring: " << c.expected;
  }
  // Valid edge cases: empty object, trailing-space padding, a known dtype we cannot convert.
  EXPECT_EQ(open_error(raw_file("{}", "")), "");
  EXPECT_EQ(open_error(raw_file("{\"__metadata__\":{}}      ", "")), "");
  EXPECT_EQ(open_error(raw_file("{\"m\":{\"dtype\":\"BOOL\",\"shape\":[3],\"data_offsets\":[0,3]}}", std::string("\1\0\1", 3))), "");
}

TEST_F(SafetensorsTest, WriteFailuresKeepTheOldFile) {
  const std::vector<float> w = {1.0f, 2.0f};
  const std::string pid = std::to_string(getpid());

  // Missing directory: an error naming the path and strerror.
  const std::string nowhere = file("no/such/dir/x.safetensors");
  try {
    write_safetensors(nowhere, {{"w", "F32", {2}, w.data()}});
    FAIL() << "expected an error";
  } catch (const SafetensorsError& e) {
    const std::string m = e.what();
    EXPECT_EQ(m.rfind(nowhere + ": ", 0), 0u) << m;
    EXPECT_NE(m.find("No such file or directory"), std::string::npos) << m;
  }

  const std::string path = file("keep.safetensors");
  write_safetensors(path, {{"w", "F32", {2}, w.data()}}, {{"version", "old"}});
  const std::string old_bytes = read_bytes(path);
  auto expect_rejected = [&](const std::vector<TensorToWrite>& tensors, const std::string& expected,
                             const std::map<std::string, std::string>& meta = {}) {
    try {
      write_safetensors(path, tensors, meta);
      ADD_FAILURE() << "expected an error containing: " << expected;
    } catch (const SafetensorsError& e) {
      const std::string m = e.what();
      EXPECT_EQ(m.rfind(path + ": ", 0), 0u) << m;
      EXPECT_NE(m.find(expected), std::string::npos) << m;
    }
    EXPECT_EQ(read_bytes(path), old_bytes) << expected;
    EXPECT_FALSE(fs::exists(path + ".tmp." + pid)) << expected;
  };
  expect_rejected({{"w", "F32", {2}, w.data()}, {"x", "F16", {2}, w.data()}},
                  "cannot write tensor 'x': dtype 'F16' (writable: F32, F64, I32)");
  expect_rejected({{"w", "F32", {2}, w.data()}, {"w", "F32", {2}, w.data()}}, "cannot write tensor 'w': the name appears twice");
  expect_rejected({{"__metadata__", "F32", {2}, w.data()}}, "cannot write tensor '__metadata__': the name is reserved");
  expect_rejected({{"w", "F32", {-2}, w.data()}}, "cannot write tensor 'w': shape [-2] is negative or too large");
  expect_rejected({{"w", "F32", {int64_t{1} << 62}, w.data()}}, "shape [4611686018427387904] is negative or too large");
  expect_rejected({{"w", "F32", {2}, nullptr}}, "cannot write tensor 'w': data is null");
  expect_rejected({{"bad\xff", "F32", {2}, w.data()}}, "cannot build the header: ");
  expect_rejected({{"w", "F32", {2}, w.data()}}, "cannot build the header: ", {{"k", "\xc3"}});

  // Failure after the temp file is written: the target is a directory, so the rename fails.
  const std::string target_dir = file("is_a_dir");
  ASSERT_TRUE(fs::create_directory(target_dir));
  try {
    write_safetensors(target_dir, {{"w", "F32", {2}, w.data()}});
    FAIL() << "expected an error";
  } catch (const SafetensorsError& e) {
    const std::string m = e.what();
    EXPECT_EQ(m.rfind(target_dir + ": cannot rename " + target_dir + ".tmp." + pid + " over it: ", 0), 0u) << m;
  }
  EXPECT_TRUE(fs::is_directory(target_dir));
  EXPECT_FALSE(fs::exists(target_dir + ".tmp." + pid));

  // A successful write replaces the file.
  write_safetensors(path, {{"w", "F32", {2}, w.data()}}, {{"version", "new"}});
  EXPECT_EQ(SafetensorsFile::open(path).metadata().at("version"), "new");
}

TEST_F(SafetensorsTest, LoadsThePyTorchGolden) {
  const std::string path = std::string(ABLATE_SOURCE_DIR) + "/tests/reference/goldens/llama.safetensors";
  const SafetensorsFile f = SafetensorsFile::open(path);
  EXPECT_EQ(f.metadata().at("preset"), "llama");
  EXPECT_NE(f.metadata().at("model").find("\"d_model\": 32"), std::string::npos);
  ASSERT_TRUE(f.has("input_ids"));
  EXPECT_EQ(f.info("input_ids").dtype, "I32");
  EXPECT_EQ(f.info("input_ids").shape, (std::vector<int64_t>{2, 16}));
  for (int32_t id : f.ints("input_ids")) {
    EXPECT_GE(id, 0);
    EXPECT_LT(id, 64);  // vocab_size
  }
  int f32_tensors = 0;
  for (const std::string& name : f.names()) {
    const TensorInfo& t = f.info(name);
    if (t.dtype != "F32") continue;
    ++f32_tensors;
    for (float v : f.floats(name, t.shape)) ASSERT_TRUE(std::isfinite(v)) << name;
  }
  EXPECT_GT(f32_tensors, 10);
}

// Every truncation and many random byte flips of a valid file either open or raise
// SafetensorsError; AddressSanitizer catches any out-of-bounds read.
TEST_F(SafetensorsTest, SurvivesCorruptedFiles) {
  const std::vector<float> w = {1, 2, 3, 4, 5, 6};
  const std::vector<int32_t> ids = {7, 8};
  const std::string good = file("good.safetensors");
  write_safetensors(good, {{"w", "F32", {2, 3}, w.data()}, {"ids", "I32", {2}, ids.data()}}, {{"k", "v"}});
  const std::string bytes = read_bytes(good);
  const std::string path = file("fuzz.safetensors");
  int opened = 0, rejected = 0;
  auto attempt = [&](const std::string& input) {
    write_bytes(path, input);
    try {
      const SafetensorsFile f = SafetensorsFile::open(path);
      ++opened;
      for (const std::string& name : f.names()) {
        for (auto read : {0, 1, 2}) {
          try {
            if (read == 0) f.floats(name);
            if (read == 1) f.doubles(name);
            if (read == 2) f.ints(name);
          } catch (const SafetensorsError&) {
          }
        }
      }
    } catch (const SafetensorsError&) {
      ++rejected;
    } catch (const std::exception& e) {
      ADD_FAILURE() << "non-SafetensorsError exception: " << e.what();
    }
  };
  for (size_t n = 0; n < bytes.size(); ++n) attempt(bytes.substr(0, n));
  std::mt19937 rng(1234);
  const std::string alphabet = std::string("{}[]\",:0123456789-.eE \\uFIUB\xff") + '\0';
  for (int i = 0; i < 3000; ++i) {
    std::string mutated = bytes;
    const int flips = 1 + static_cast<int>(rng() % 3);
    for (int k = 0; k < flips; ++k) {
      const size_t at = rng() % mutated.size();
      mutated[at] = (rng() % 2) ? static_cast<char>(rng() % 256) : alphabet[rng() % alphabet.size()];
    }
    attempt(mutated);
  }
  EXPECT_GT(opened, 0);  // flips inside the data buffer still open
  EXPECT_GT(rejected, 0);
}

}  // namespace
}  // namespace ablate
