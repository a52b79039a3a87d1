// safetensors: header validation on open, dtype conversion on read, atomic write.
#include "harness/checkpoints/safetensors.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <limits>
#include <new>
#include <set>
#include <sstream>
#include <utility>

#include "harness/common/file_io.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "safetensors.cc assumes a little-endian host (the format is little-endian)"
#endif

namespace ablate {
namespace {

using Json = nlohmann::json;

constexpr uint64_t kMaxHeaderBytes = 100'000'000;  // the reference implementation's limit
constexpr int kMaxJsonDepth = 32;                  // a valid header nests 3 deep

// Bytes per element of every fixed-size dtype in the spec; 0 for unknown names.
int64_t dtype_size(const std::string& dtype) {
  static const std::map<std::string, int64_t> sizes = {
      {"BOOL", 1}, {"U8", 1},  {"I8", 1},  {"F8_E5M2", 1}, {"F8_E4M3", 1}, {"F8_E8M0", 1},
      {"I16", 2},  {"U16", 2}, {"F16", 2}, {"BF16", 2},    {"I32", 4},     {"U32", 4},
      {"F32", 4},  {"I64", 8}, {"U64", 8}, {"F64", 8},     {"C64", 8}};
  auto it = sizes.find(dtype);
  return it == sizes.end() ? 0 : it->second;
}

std::string join(const std::vector<int64_t>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "]";
}

std::string quote(const std::string& name) { return "tensor '" + name + "'"; }

// Product of the dims, or false on a negative dim or int64 overflow (of numel or numel * elem).
bool checked_bytes(const std::vector<int64_t>& shape, int64_t elem, int64_t* numel, int64_t* bytes) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0 || (d != 0 && n > std::numeric_limits<int64_t>::max() / d)) return false;
    n *= d;
  }
  if (n > std::numeric_limits<int64_t>::max() / elem) return false;
  *numel = n;
  *bytes = n * elem;
  return true;
}

// Strips nlohmann's "[json.exception.parse_error.101] " prefix.
std::string json_message(const std::exception& e) {
  std::string m = e.what();
  if (!m.empty() && m[0] == '[') {
    size_t close = m.find("] ");
    if (close != std::string::npos) m = m.substr(close + 2);
  }
  return m;
}

float half_to_float(uint16_t h) {
  const uint32_t sign = (h >> 15) & 1, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  float v;
  if (exp == 0) {
    v = std::ldexp(static_cast<float>(mant), -24);  // zero or subnormal
  } else if (exp == 31) {
    v = mant ? std::numeric_limits<float>::quiet_NaN() : std::numeric_limits<float>::infinity();
  } else {
    v = std::ldexp(static_cast<float>(mant | 0x400), static_cast<int>(exp) - 25);
  }
  return sign ? -v : v;
}

float bf16_to_float(uint16_t b) {
  const uint32_t bits = static_cast<uint32_t>(b) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

template <typename T>
T load(const unsigned char* p, int64_t i) {
  T v;
  std::memcpy(&v, p + i * static_cast<int64_t>(sizeof(T)), sizeof(T));
  return v;
}

// ---- the four phases of SafetensorsFile::open ----

[[noreturn]] void fail_in(const std::string& path, const std::string& what) {
  throw SafetensorsError(path + ": " + what);
}

// N, the header length of the file `bytes`, checked against the file size and kMaxHeaderBytes.
uint64_t read_header_length(const std::string& path, const std::string& bytes) {
  const uint64_t file_size = bytes.size();
  if (file_size < 8)
    fail_in(path, "file is " + std::to_string(file_size) + " bytes, too short for the 8-byte header length");
  const uint64_t n = load<uint64_t>(reinterpret_cast<const unsigned char*>(bytes.data()), 0);
  if (n > file_size - 8)
    fail_in(path, "header length " + std::to_string(n) + " runs past the end of the file (" +
                      std::to_string(file_size) + " bytes)");
  if (n > kMaxHeaderBytes)
    fail_in(path, "header length " + std::to_string(n) + " exceeds the limit of " + std::to_string(kMaxHeaderBytes));
  return n;
}

// The header's n bytes at `begin` as a JSON object, rejecting duplicate top-level keys and deep
// nesting (neither can be seen after parsing).
Json parse_header(const std::string& path, const char* begin, uint64_t n) {
  std::string duplicate;
  bool too_deep = false;
  std::set<std::string> keys;
  auto callback = [&](int depth, Json::parse_event_t event, Json& parsed) {
    if ((event == Json::parse_event_t::object_start || event == Json::parse_event_t::array_start) &&
        depth >= kMaxJsonDepth) {
      too_deep = true;
      return false;
    }
    if (event == Json::parse_event_t::key && depth == 1 && parsed.is_string()) {
      if (!keys.insert(parsed.get_ref<const std::string&>()).second && duplicate.empty())
        duplicate = parsed.get_ref<const std::string&>();
    }
    return true;
  };
  Json header;
  try {
    header = Json::parse(begin, begin + n, callback);
  } catch (const Json::exception& e) {
    fail_in(path, "header is not valid JSON: " + json_message(e));
  } catch (const std::bad_alloc&) {
    fail_in(path, "out of memory parsing the header");
  }
  if (too_deep) fail_in(path, "header JSON nests deeper than " + std::to_string(kMaxJsonDepth) + " levels");
  if (!header.is_object())
    fail_in(path, std::string("header is not a JSON object (found ") + header.type_name() + ")");
  if (!duplicate.empty()) fail_in(path, "key '" + duplicate + "' appears twice in the header");
  return header;
}

// The "__metadata__" entry: an object of strings, added to `metadata`.
void read_metadata(const std::string& path, const Json& entry, std::map<std::string, std::string>& metadata) {
  if (!entry.is_object())
    fail_in(path, std::string("__metadata__ must be an object of strings, found ") + entry.type_name());
  for (const auto& [key, value] : entry.items()) {
    if (!value.is_string())
      fail_in(path, "__metadata__ value for key '" + key + "' must be a string, found " + value.type_name());
    metadata[key] = value.get<std::string>();
  }
}

// The entry of tensor `name`: dtype, shape and data_offsets, which must lie inside the
// buffer_size-byte data buffer and hold exactly the bytes the shape needs.
TensorInfo read_entry(const std::string& path, const std::string& name, const Json& entry, int64_t buffer_size) {
  auto bad = [&](const std::string& what) { return SafetensorsError(path + ": " + quote(name) + ": " + what); };
  if (!entry.is_object()) throw bad(std::string("entry must be an object, found ") + entry.type_name());
  for (const auto& [key, value] : entry.items()) {
    (void)value;
    if (key != "dtype" && key != "shape" && key != "data_offsets")
      throw bad("unknown key '" + key + "' (allowed: dtype, shape, data_offsets)");
  }
  for (const char* key : {"dtype", "shape", "data_offsets"})
    if (!entry.contains(key)) throw bad(std::string("missing \"") + key + "\"");
  // Reads a JSON integer in [0, int64 max] (the spec's offsets and dims are unsigned).
  auto read_count = [&](const Json& v, const std::string& what) -> int64_t {
    if (v.is_number_unsigned()) {
      const uint64_t u = v.get<uint64_t>();
      if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        throw bad(what + " " + std::to_string(u) + " is too large");
      return static_cast<int64_t>(u);
    }
    if (v.is_number_integer()) {
      const int64_t i = v.get<int64_t>();
      if (i < 0) throw bad("negative " + what + " " + std::to_string(i));
      return i;
    }
    throw bad(what + " must be an integer, found " + v.type_name());
  };

  TensorInfo info;
  const Json& dtype = entry["dtype"];
  if (!dtype.is_string()) throw bad(std::string("\"dtype\" must be a string, found ") + dtype.type_name());
  info.dtype = dtype.get<std::string>();
  const int64_t elem = dtype_size(info.dtype);
  if (elem == 0) throw bad("unknown dtype '" + info.dtype + "'");

  const Json& shape = entry["shape"];
  if (!shape.is_array()) throw bad(std::string("\"shape\" must be an array of integers, found ") + shape.type_name());
  for (const Json& d : shape) info.shape.push_back(read_count(d, "dimension"));

  const Json& offsets = entry["data_offsets"];
  if (!offsets.is_array() || offsets.size() != 2)
    throw bad("\"data_offsets\" must be an array [begin, end], found " +
        (offsets.is_array() ? "an array of " + std::to_string(offsets.size()) : std::string(offsets.type_name())));
  info.begin = read_count(offsets[0], "data offset");
  info.end = read_count(offsets[1], "data offset");
  const std::string where = "data_offsets [" + std::to_string(info.begin) + ", " + std::to_string(info.end) + "]";
  if (info.begin > info.end) throw bad(where + " has begin > end");
  if (info.end > buffer_size)
    throw bad("truncated: " + where + " runs past the end of the " + std::to_string(buffer_size) + "-byte data buffer");

  int64_t numel = 0, bytes = 0;
  if (!checked_bytes(info.shape, elem, &numel, &bytes)) throw bad("shape " + join(info.shape) + " overflows int64 bytes");
  if (bytes != info.end - info.begin)
    throw bad(info.dtype + " shape " + join(info.shape) + " needs " + std::to_string(bytes) + " bytes, " + where +
        " holds " + std::to_string(info.end - info.begin));
  return info;
}

// The tensor names by data offset, checking that the tensors tile the buffer: sorted by offset,
// each starts where the previous ended, and the last ends at buffer_size.
std::vector<std::string> tiling_order(const std::string& path, const std::map<std::string, TensorInfo>& tensors,
                                      int64_t buffer_size) {
  std::vector<std::string> order;
  for (const auto& [name, info] : tensors) order.push_back(name);
  std::stable_sort(order.begin(), order.end(), [&](const std::string& a, const std::string& b) {
    const TensorInfo &x = tensors.at(a), &y = tensors.at(b);
    return std::make_pair(x.begin, x.end) < std::make_pair(y.begin, y.end);
  });
  int64_t covered = 0;
  const std::string* previous = nullptr;
  for (const std::string& name : order) {
    const TensorInfo& info = tensors.at(name);
    if (info.begin < covered) {
      const TensorInfo& p = tensors.at(*previous);
      fail_in(path, quote(*previous) + " [" + std::to_string(p.begin) + ", " + std::to_string(p.end) + ") and " +
                        quote(name) + " [" + std::to_string(info.begin) + ", " + std::to_string(info.end) + ") overlap");
    }
    if (info.begin > covered)
      fail_in(path, "gap: bytes [" + std::to_string(covered) + ", " + std::to_string(info.begin) +
                        ") of the data buffer belong to no tensor");
    covered = info.end;
    previous = &name;
  }
  if (covered != buffer_size)
    fail_in(path, "bytes [" + std::to_string(covered) + ", " + std::to_string(buffer_size) +
                      ") at the end of the data buffer belong to no tensor");
  return order;
}

}  // namespace

// ---- reading ----

void SafetensorsFile::fail(const std::string& what) const { fail_in(path_, what); }

SafetensorsFile SafetensorsFile::open(const std::string& path) {
  SafetensorsFile f;
  f.path_ = path;
  f.bytes_ = read_whole_file_or_throw<SafetensorsError>(path);
  const uint64_t n = read_header_length(path, f.bytes_);
  f.buffer_start_ = 8 + static_cast<size_t>(n);
  const int64_t buffer_size = static_cast<int64_t>(f.bytes_.size() - f.buffer_start_);
  const Json header = parse_header(path, f.bytes_.data() + 8, n);
  for (const auto& item : header.items()) {
    if (item.key() == "__metadata__")
      read_metadata(path, item.value(), f.metadata_);
    else
      f.tensors_.emplace(item.key(), read_entry(path, item.key(), item.value(), buffer_size));
  }
  f.order_ = tiling_order(path, f.tensors_, buffer_size);
  return f;
}

const TensorInfo& SafetensorsFile::info(const std::string& name) const {
  auto it = tensors_.find(name);
  if (it == tensors_.end())
    fail("no " + quote(name) + " (the file has " + std::to_string(tensors_.size()) + " tensors)");
  return it->second;
}

const unsigned char* SafetensorsFile::data(const TensorInfo& info) const {
  return reinterpret_cast<const unsigned char*>(bytes_.data()) + buffer_start_ + info.begin;
}

template <typename T>
std::vector<T> SafetensorsFile::read_floating(const std::string& name, const char* caller) const {
  const TensorInfo& t = info(name);
  const unsigned char* p = data(t);
  const std::string& d = t.dtype;
  std::vector<T> out;
  if (d == "F32") {
    out.resize(static_cast<size_t>((t.end - t.begin) / 4));
    for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<T>(load<float>(p, i));
  } else if (d == "F64") {
    out.resize(static_cast<size_t>((t.end - t.begin) / 8));
    for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<T>(load<double>(p, i));
  } else if (d == "F16" || d == "BF16") {
    out.resize(static_cast<size_t>((t.end - t.begin) / 2));
    for (size_t i = 0; i < out.size(); ++i) {
      const uint16_t h = load<uint16_t>(p, i);
      out[i] = static_cast<T>(d == "F16" ? half_to_float(h) : bf16_to_float(h));
    }
  } else {
    fail(quote(name) + " has dtype " + d + "; " + caller + " reads F32, F16, BF16, F64");
  }
  return out;
}

std::vector<float> SafetensorsFile::floats(const std::string& name) const {
  return read_floating<float>(name, "floats()");
}

std::vector<double> SafetensorsFile::doubles(const std::string& name) const {
  return read_floating<double>(name, "doubles()");
}

std::vector<float> SafetensorsFile::floats(const std::string& name, const std::vector<int64_t>& expected_shape) const {
  const TensorInfo& t = info(name);
  if (t.shape != expected_shape)
    fail(quote(name) + " has shape " + join(t.shape) + ", expected " + join(expected_shape));
  return floats(name);
}

std::vector<int32_t> SafetensorsFile::ints(const std::string& name) const {
  const TensorInfo& t = info(name);
  const unsigned char* p = data(t);
  const std::string& d = t.dtype;
  std::vector<int32_t> out;
  if (d == "I32") {
    out.resize(static_cast<size_t>((t.end - t.begin) / 4));
    for (size_t i = 0; i < out.size(); ++i) out[i] = load<int32_t>(p, i);
  } else if (d == "I64") {
    out.resize(static_cast<size_t>((t.end - t.begin) / 8));
    for (size_t i = 0; i < out.size(); ++i) {
      const int64_t v = load<int64_t>(p, i);
      if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max())
        fail(quote(name) + ": element " + std::to_string(i) + " = " + std::to_string(v) + " does not fit in int32");
      out[i] = static_cast<int32_t>(v);
    }
  } else if (d == "U16") {
    out.resize(static_cast<size_t>((t.end - t.begin) / 2));
    for (size_t i = 0; i < out.size(); ++i) out[i] = load<uint16_t>(p, i);
  } else if (d == "U8") {
    out.assign(p, p + (t.end - t.begin));
  } else {
    fail(quote(name) + " has dtype " + d + "; ints() reads I32, I64, U16, U8");
  }
  return out;
}

// ---- writing ----

namespace {

[[noreturn]] void write_fail(const std::string& path, const std::string& what) {
  throw SafetensorsError(path + ": " + what);
}


}  // namespace

void write_safetensors(const std::string& path, const std::vector<TensorToWrite>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  // Check everything and build the header before touching the file system.
  std::string header;
  std::vector<int64_t> sizes;
  try {
    nlohmann::ordered_json j = nlohmann::ordered_json::object();
    if (!metadata.empty()) j["__metadata__"] = metadata;
    std::set<std::string> seen;
    int64_t offset = 0;
    for (const TensorToWrite& t : tensors) {
      const std::string what = "cannot write " + quote(t.name) + ": ";
      if (t.name == "__metadata__") write_fail(path, what + "the name is reserved");
      if (!seen.insert(t.name).second) write_fail(path, what + "the name appears twice");
      if (t.dtype != "F32" && t.dtype != "F64" && t.dtype != "I32")
        write_fail(path, what + "dtype '" + t.dtype + "' (writable: F32, F64, I32)");
      int64_t numel = 0, bytes = 0;
      if (!checked_bytes(t.shape, dtype_size(t.dtype), &numel, &bytes) ||
          offset > std::numeric_limits<int64_t>::max() - bytes)
        write_fail(path, what + "shape " + join(t.shape) + " is negative or too large");
      if (bytes > 0 && t.data == nullptr) write_fail(path, what + "data is null");
      j[t.name] = {{"dtype", t.dtype}, {"shape", t.shape}, {"data_offsets", {offset, offset + bytes}}};
      offset += bytes;
      sizes.push_back(bytes);
    }
    header = j.dump();  // throws type_error 316 on invalid UTF-8 in a name or metadata string
  } catch (const nlohmann::ordered_json::exception& e) {
    write_fail(path, "cannot build the header: " + json_message(e));
  } catch (const std::bad_alloc&) {
    write_fail(path, "out of memory building the header");
  }
  header.append((8 - header.size() % 8) % 8, ' ');  // buffer starts at a multiple of 8
  unsigned char length[8];
  for (int i = 0; i < 8; ++i) length[i] = static_cast<unsigned char>(static_cast<uint64_t>(header.size()) >> (8 * i));

  std::vector<ByteSpan> pieces = {{length, 8}, {header.data(), header.size()}};
  for (size_t i = 0; i < tensors.size(); ++i) pieces.push_back({tensors[i].data, static_cast<size_t>(sizes[i])});
  write_file_atomically_or_throw<SafetensorsError>(path, pieces);
}

}  // namespace ablate
