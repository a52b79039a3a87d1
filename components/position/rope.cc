#include "components/position/rope.h"

#include <cmath>

#include "components/core/parallel.h"
#include "components/position/rope_scaling.h"

namespace ablate {

template <typename S>
Rope<S>::Rope(const ModelConfig& config)
    : head_dim_(config.head_dim()), rotary_dim_(config.rotary_dim()),
      original_context_(config.rope_original_context()), theta_(config.position.theta),
      scaling_(config.position.scaling) {}

template <typename S>
std::shared_ptr<const typename Rope<S>::Table> Rope<S>::table(int64_t pos0, int64_t T, int64_t seq_len) const {
  {
    std::lock_guard<std::mutex> lock(table_mutex_);
    if (table_ && table_->pos0 == pos0 && table_->T == T && table_->seq_len == seq_len) return table_;
  }
  const RopeFrequencies f = rope_frequencies(theta_, rotary_dim_, scaling_, original_context_, seq_len);
  const int64_t half = rotary_dim_ / 2;
  auto table = std::make_shared<Table>(Table{pos0, T, seq_len, std::vector<S>(static_cast<size_t>(T * half)),
                                             std::vector<S>(static_cast<size_t>(T * half))});
  for (int64_t t = 0; t < T; ++t)  // angles in double precision
    for (int64_t i = 0; i < half; ++i) {
      const double angle = double(pos0 + t) * f.inv_freq[i];
      table->cos[t * half + i] = static_cast<S>(std::cos(angle) * f.attention_factor);
      table->sin[t * half + i] = static_cast<S>(std::sin(angle) * f.attention_factor);
    }
  std::lock_guard<std::mutex> lock(table_mutex_);
  table_ = table;
  return table;
}

template <typename S>
void Rope<S>::apply(S* x, int64_t B, int64_t T, int64_t n_heads, int64_t pos0, int64_t seq_len,
                    int sign) const {
  const std::shared_ptr<const Table> table = this->table(pos0, T, seq_len);
  const int64_t half = rotary_dim_ / 2;
  parallel_chunks(B * T, rows_per_chunk(n_heads * rotary_dim_ * 3), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const S* c = table->cos.data() + (r % T) * half;
      const S* s = table->sin.data() + (r % T) * half;
      for (int64_t h = 0; h < n_heads; ++h) {
        S* v = x + (r * n_heads + h) * head_dim_;
        for (int64_t i = 0; i < half; ++i) {
          const S x1 = v[i], x2 = v[i + half];
          if (sign > 0) {
            v[i] = x1 * c[i] - x2 * s[i];
            v[i + half] = x2 * c[i] + x1 * s[i];
          } else {  // R(−φ): sin negated (exactly what a table of −a·sin φ would give)
            v[i] = x1 * c[i] + x2 * s[i];
            v[i + half] = x2 * c[i] - x1 * s[i];
          }
        }
      }
    }
  });
}

template <typename S>
void Rope<S>::rotate(S* x, int64_t B, int64_t T, int64_t n_heads, int64_t pos0, int64_t seq_len) const {
  apply(x, B, T, n_heads, pos0, seq_len, +1);
}

// Undoes x' = a·R(φ)x:  dx = a·R(φ)ᵀ dx' = a·R(−φ) dx'.
template <typename S>
void Rope<S>::rotate_backward(S* dx, int64_t B, int64_t T, int64_t n_heads, int64_t pos0,
                              int64_t seq_len) const {
  apply(dx, B, T, n_heads, pos0, seq_len, -1);
}

template class Rope<float>;
template class Rope<double>;

}  // namespace ablate
