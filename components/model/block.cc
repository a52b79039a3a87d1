#include "components/model/block.h"

#include "components/core/parallel.h"
#include "components/model/registry.h"

namespace ablate {
namespace {

// out = a + b, elementwise over n values.
template <typename S>
void add(const S* a, const S* b, S* out, int64_t n) {
  parallel_chunks(n, 1 << 14, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) out[i] = a[i] + b[i];
  });
}

}  // namespace

template <typename S>
Block<S>::Block(const ModelConfig& config, const Position<S>* position)
    : C_(config.d_model), input_norm_(make_norm<S>(config)), post_attention_norm_(make_norm<S>(config)),
      attention_(config, position), mlp_(make_mlp<S>(config)) {}

template <typename S>
void Block<S>::run(const S* x, S* y, int64_t B, int64_t T, KVCache<S>* cache) {
  const int64_t N = B * T;
  normed_.resize({B, T, C_});
  branch_.resize({B, T, C_});
  h_.resize({B, T, C_});
  input_norm_->forward(x, normed_.ptr(), N);
  if (cache) attention_.forward_cached(normed_.ptr(), branch_.ptr(), B, T, *cache);
  else attention_.forward(normed_.ptr(), branch_.ptr(), B, T);
  add(x, branch_.ptr(), h_.ptr(), N * C_);
  post_attention_norm_->forward(h_.ptr(), normed_.ptr(), N);
  mlp_->forward(normed_.ptr(), branch_.ptr(), N);
  add(h_.ptr(), branch_.ptr(), y, N * C_);
}

template <typename S>
void Block<S>::forward(const S* x, S* y, int64_t B, int64_t T) {
  run(x, y, B, T, nullptr);
}

template <typename S>
void Block<S>::backward(const S* dy, S* dx, int64_t B, int64_t T) {
  const int64_t N = B * T;
  dbranch_.resize({B, T, C_});
  dh_.resize({B, T, C_});
  // y = h + mlp(norm₂(h))
  mlp_->backward(dy, dbranch_.ptr(), N);
  post_attention_norm_->backward(dbranch_.ptr(), dh_.ptr(), N);
  add(dy, dh_.ptr(), dh_.ptr(), N * C_);
  // h = x + attention(norm₁(x))
  attention_.backward(dh_.ptr(), dbranch_.ptr(), B, T);
  input_norm_->backward(dbranch_.ptr(), dx, N);
  add(dh_.ptr(), dx, dx, N * C_);
}

template <typename S>
void Block<S>::forward_cached(const S* x, S* y, int64_t B, int64_t T, KVCache<S>& cache) {
  run(x, y, B, T, &cache);
}

template <typename S>
ParameterList<S> Block<S>::parameters() {
  ParameterList<S> list;
  append_parameters(list, "input_layernorm", input_norm_->parameters());
  append_parameters(list, "self_attn", attention_.parameters());
  append_parameters(list, "post_attention_layernorm", post_attention_norm_->parameters());
  append_parameters(list, "mlp", mlp_->parameters());
  return list;
}

template class Block<float>;
template class Block<double>;

}  // namespace ablate
