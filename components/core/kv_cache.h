// KVCache: one layer's cached keys and values for incremental decoding, laid out
// (B, capacity, Hkv, D) so that the attention kernels read it in place. Keys are stored after
// rotation (RoPE), as in Hugging Face and llama.cpp. Grows by doubling; reserve() sets the
// exact size up front (that is what the KV-cache memory measurement reads).
#pragma once

#include <algorithm>

#include "components/core/tensor.h"

namespace ablate {

template <typename S>
struct KVCache {
  int64_t B = 0, Hkv = 0, D = 0;
  int64_t length = 0;    // tokens held
  int64_t capacity = 0;  // tokens that fit without reallocating
  Tensor<S> k, v;        // (B, capacity, Hkv, D)

  // Makes room for at least `tokens` positions, keeping the `length` tokens already held.
  void reserve(int64_t batch, int64_t n_kv_heads, int64_t head_dim, int64_t tokens) {
    if (length > 0 && (batch != B || n_kv_heads != Hkv || head_dim != D))
      throw std::invalid_argument("KVCache: shape changed while the cache holds tokens; clear() it first");
    B = batch;
    Hkv = n_kv_heads;
    D = head_dim;
    if (tokens <= capacity) return;
    Tensor<S> new_k({B, tokens, Hkv, D}), new_v({B, tokens, Hkv, D});
    const int64_t row = Hkv * D;
    for (int64_t b = 0; b < B; ++b) {
      std::copy_n(k.ptr() + b * capacity * row, length * row, new_k.ptr() + b * tokens * row);
      std::copy_n(v.ptr() + b * capacity * row, length * row, new_v.ptr() + b * tokens * row);
    }
    k = std::move(new_k);
    v = std::move(new_v);
    capacity = tokens;
  }
  // Room for `extra` more tokens, doubling the capacity when it must grow.
  void grow_for(int64_t batch, int64_t n_kv_heads, int64_t head_dim, int64_t extra) {
    if (length + extra > capacity || batch != B)
      reserve(batch, n_kv_heads, head_dim, std::max(length + extra, 2 * capacity));
  }
  void clear() { length = 0; }
  int64_t bytes_allocated() const { return k.bytes_allocated() + v.bytes_allocated(); }
};

}  // namespace ablate
