// safetensors reader and writer (https://github.com/huggingface/safetensors).
//
// File layout:
//   8 bytes    N, the header length, unsigned 64-bit little-endian
//   N bytes    UTF-8 JSON object (may end in spaces for alignment):
//                {"NAME": {"dtype": "F32", "shape": [2, 3], "data_offsets": [BEGIN, END]}, ...,
//                 "__metadata__": {"KEY": "VALUE", ...}}          (optional, strings only)
//   rest       the byte buffer; tensor NAME is bytes [BEGIN, END) of it (offsets count from the
//              buffer's start), row-major, little-endian. Tensors cover the buffer exactly: no
//              overlaps, no gaps, no trailing bytes; END - BEGIN = numel * dtype size.
//
// Every problem is a SafetensorsError whose message starts with the file path
// ("ckpt.safetensors: tensor 'wte' has shape [64, 32], expected [64, 48]"). The reader checks the
// whole header on open and never reads outside the file, whatever the input.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "harness/common/errors.h"

namespace ablate {

// One header entry; begin/end are byte offsets into the data buffer.
struct TensorInfo {
  std::string dtype;  // "F32", "BF16", "I64", ... (the spec's names)
  std::vector<int64_t> shape;
  int64_t begin = 0, end = 0;
};

class SafetensorsFile {
 public:
  // Reads the whole file and validates its header.
  static SafetensorsFile open(const std::string& path);

  const std::string& path() const { return path_; }
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  std::vector<std::string> names() const { return order_; }  // by data offset
  bool has(const std::string& name) const { return tensors_.count(name) != 0; }
  const TensorInfo& info(const std::string& name) const;

  // Converted copies. floats/doubles read F32, F16, BF16, F64; ints reads I32, I64, U16, U8
  // (an I64 value outside int32 is an error).
  std::vector<float> floats(const std::string& name) const;
  std::vector<double> doubles(const std::string& name) const;
  std::vector<int32_t> ints(const std::string& name) const;
  // floats(name) after checking the shape
  // ("PATH: tensor 'NAME' has shape [a, b], expected [c, d]").
  std::vector<float> floats(const std::string& name, const std::vector<int64_t>& expected_shape) const;

 private:
  SafetensorsFile() = default;
  template <typename T>
  std::vector<T> read_floating(const std::string& name, const char* caller) const;
  const unsigned char* data(const TensorInfo& info) const;  // the tensor's first byte
  [[noreturn]] void fail(const std::string& what) const;    // throws "PATH: what"

  std::string path_;
  std::string bytes_;        // the whole file
  size_t buffer_start_ = 0;  // 8 + N
  std::map<std::string, std::string> metadata_;
  std::map<std::string, TensorInfo> tensors_;
  std::vector<std::string> order_;
};

// A tensor to write; `data` holds numel values of `dtype` ("F32", "F64" or "I32"), row-major.
struct TensorToWrite {
  std::string name;
  std::string dtype;
  std::vector<int64_t> shape;
  const void* data;
};

// Writes atomically: to "PATH.tmp.PID", then rename over PATH. Everything is checked before the
// temp file is created; on any failure the old file at PATH is untouched and the temp file is
// removed. Errors name the path (and strerror for I/O failures). Tensors are stored in the order
// given; the header is padded with spaces so the buffer starts 8-byte aligned.
void write_safetensors(const std::string& path, const std::vector<TensorToWrite>& tensors,
                       const std::map<std::string, std::string>& metadata = {});

}  // namespace ablate
