#include "components/attention/attention.h"

#include "components/core/weight_matmul.h"

namespace ablate {

template <typename S>
Attention<S>::Attention(const ModelConfig& config, const Position<S>* position)
    : C_(config.d_model), H_(config.attention.n_heads), Hkv_(config.n_kv_heads()), D_(config.head_dim()),
      position_(position),
      q_proj_(C_, H_ * D_, config.bias || config.attention.qkv_bias),
      k_proj_(C_, Hkv_ * D_, config.bias || config.attention.qkv_bias),
      v_proj_(C_, Hkv_ * D_, config.bias || config.attention.qkv_bias), o_proj_(H_ * D_, C_, config.bias) {}

template <typename S>
AttentionBlocks Attention<S>::kernel_blocks() const {
  AttentionBlocks b = blocks;
  if (b.products == Precision::kBf16 && bf16_kernel() != Bf16Kernel::kNative) b.products = Precision::kFp32;
  return b;
}

template <typename S>
void Attention<S>::attend(const AttentionShape& shape, const S* q, const S* k, const S* v, S* o, S* lse) const {
  if (kernel == AttentionKernel::kNaive) attention_forward_naive(shape, q, k, v, o, lse);
  else attention_forward_tiled(shape, q, k, v, o, lse, kernel_blocks());
}

template <typename S>
void Attention<S>::project(const WeightInput<S>& x, int64_t B, int64_t T, int64_t pos0) {
  q_.resize({B, T, H_, D_});
  k_.resize({B, T, Hkv_, D_});
  v_.resize({B, T, Hkv_, D_});
  o_.resize({B, T, H_, D_});
  lse_.resize({B, H_, T});
  q_proj_.forward(x, q_.ptr());
  k_proj_.forward(x, k_.ptr());
  v_proj_.forward(x, v_.ptr());
  position_->rotate(q_.ptr(), B, T, H_, pos0, pos0 + T);
  position_->rotate(k_.ptr(), B, T, Hkv_, pos0, pos0 + T);
}

template <typename S>
void Attention<S>::forward(const S* x, S* y, int64_t B, int64_t T) {
  x_.resize({B, T, C_});
  std::copy(x, x + B * T * C_, x_.ptr());
  x_in_.set(x_.ptr(), B * T, C_);
  project(x_in_, B, T, 0);
  const AttentionShape shape{B, T, T, H_, Hkv_, D_, /*q_offset=*/0, /*kv_batch_stride=*/T * Hkv_ * D_};
  attend(shape, q_.ptr(), k_.ptr(), v_.ptr(), o_.ptr(), lse_.ptr());
  o_in_.set(o_.ptr(), B * T, H_ * D_);
  o_proj_.forward(o_in_, y);
}

template <typename S>
void Attention<S>::backward(const S* dy, S* dx, int64_t B, int64_t T) {
  do_.resize({B, T, H_, D_});
  dq_.resize({B, T, H_, D_});
  dk_.resize({B, T, Hkv_, D_});
  dv_.resize({B, T, Hkv_, D_});
  o_proj_.backward(o_in_, dy, do_.ptr());  // y = o W_oᵀ
  const AttentionShape shape{B, T, T, H_, Hkv_, D_, 0, T * Hkv_ * D_};
  attention_backward_tiled(shape, q_.ptr(), k_.ptr(), v_.ptr(), o_.ptr(), lse_.ptr(), do_.ptr(), dq_.ptr(),
                           dk_.ptr(), dv_.ptr(), kernel_blocks());
  position_->rotate_backward(dq_.ptr(), B, T, H_, 0, T);  // q = R q_raw
  position_->rotate_backward(dk_.ptr(), B, T, Hkv_, 0, T);
  q_proj_.backward(x_in_, dq_.ptr(), dx);
  k_proj_.backward(x_in_, dk_.ptr(), dx, /*accumulate_dx=*/true);
  v_proj_.backward(x_in_, dv_.ptr(), dx, /*accumulate_dx=*/true);
}

template <typename S>
void Attention<S>::forward_cached(const S* x, S* y, int64_t B, int64_t T, KVCache<S>& cache) {
  const int64_t N = B * T, pos0 = cache.length;
  cache.grow_for(B, Hkv_, D_, T);
  project(WeightInput<S>(x, N, C_), B, T, pos0);
  const int64_t row = Hkv_ * D_;
  for (int64_t b = 0; b < B; ++b) {
    std::copy_n(k_.ptr() + b * T * row, T * row, cache.k.ptr() + (b * cache.capacity + pos0) * row);
    std::copy_n(v_.ptr() + b * T * row, T * row, cache.v.ptr() + (b * cache.capacity + pos0) * row);
  }
  cache.length = pos0 + T;
  const AttentionShape shape{B, T, pos0 + T, H_, Hkv_, D_, /*q_offset=*/pos0, cache.capacity * row};
  attend(shape, q_.ptr(), cache.k.ptr(), cache.v.ptr(), o_.ptr(), lse_.ptr());
  o_proj_.forward(o_.ptr(), y, N);
}

template <typename S>
ParameterList<S> Attention<S>::parameters() {
  ParameterList<S> list;
  append_parameters(list, "q_proj", q_proj_.parameters());
  append_parameters(list, "k_proj", k_proj_.parameters());
  append_parameters(list, "v_proj", v_proj_.parameters());
  append_parameters(list, "o_proj", o_proj_.parameters());
  return list;
}

template class Attention<float>;
template class Attention<double>;

}  // namespace ablate
