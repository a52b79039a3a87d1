// Tensor<S>: an owned, contiguous, row-major buffer with a shape. S = float for the engine,
// double for gradient checks. Matrix products view these buffers through Eigen::Map.
#pragma once

#include <cstdint>
#include <cstring>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

namespace ablate {

inline int64_t shape_numel(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

inline std::string shape_string(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

template <typename S>
struct Tensor {
  std::vector<int64_t> shape;
  std::vector<S> data;

  Tensor() = default;
  explicit Tensor(std::vector<int64_t> shape_) : shape(std::move(shape_)), data(shape_numel(shape), S(0)) {}

  int64_t numel() const { return static_cast<int64_t>(data.size()); }
  S* ptr() { return data.data(); }
  const S* ptr() const { return data.data(); }
  S& operator[](int64_t i) { return data[i]; }
  const S& operator[](int64_t i) const { return data[i]; }
  void zero() { std::fill(data.begin(), data.end(), S(0)); }
  // Reshapes, reusing the allocation when it is large enough; contents are unspecified.
  void resize(std::vector<int64_t> new_shape) {
    shape = std::move(new_shape);
    data.resize(shape_numel(shape));
  }
  // Bytes actually held by the allocation (capacity, not size).
  int64_t bytes_allocated() const { return static_cast<int64_t>(data.capacity() * sizeof(S)); }
};

}  // namespace ablate
