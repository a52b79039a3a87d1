// Elementwise passes on whole packets of kPack elements, computed in an aligned local array (the
// last one zero-padded), so Eigen's vectorised exp / tanh / erf (SIMD, within a few ulp of the C
// library's) cover every element. Over a Map, Eigen would vectorise only from the destination's
// first aligned element, so which elements took the SIMD path (and their last bit) would depend
// on the buffer's address; here it never does. Full packets are moved with one vector load or
// store (a variable-length copy compiles to `rep movs`, which cost SwiGLU's forward 60% of its time).
// Used by the MLPs' activations.
#pragma once

#include <algorithm>
#include <cstdint>

#include <Eigen/Core>

namespace ablate {

constexpr int64_t kPack = 16;
template <typename S>
using Pack = Eigen::Array<S, kPack, 1>;

// The n (≤ kPack) elements at p, zero-padded to a packet.
template <typename S>
Pack<S> load_pack(const S* p, int64_t n) {
  if (n == kPack) return Eigen::Map<const Pack<S>>(p);
  Pack<S> a = Pack<S>::Zero();
  std::copy(p, p + n, a.data());
  return a;
}

// The first n elements of a to p.
template <typename S>
void store_pack(const Pack<S>& a, S* p, int64_t n) {
  if (n == kPack) {
    Eigen::Map<Pack<S>> out(p);
    out = a;
    return;
  }
  std::copy(a.data(), a.data() + n, p);
}

}  // namespace ablate
