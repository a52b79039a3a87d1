#include "components/model/model.h"

#include <cmath>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "components/core/linalg.h"
#include "components/core/parallel.h"
#include "components/core/random.h"
#include "components/core/text.h"
#include "components/core/weight_matmul.h"
#include "components/model/registry.h"

namespace ablate {
template <typename S>
Model<S>::Model(ModelConfig config, uint64_t seed) : config_(std::move(config)) {
  config_.resolve();
  const int64_t V = config_.vocab_size, C = config_.d_model;
  embed_tokens_ = Parameter<S>({V, C}, /*is_matrix=*/true);
  position_ = make_position<S>(config_);
  for (int64_t l = 0; l < config_.n_layers; ++l)
    blocks_.push_back(std::make_unique<Block<S>>(config_, position_.get()));
  final_norm_ = make_norm<S>(config_);
  if (!config_.tie_embeddings) lm_head_ = Parameter<S>({V, C}, /*is_matrix=*/true);

  Rng rng(seed);
  const double residual_std = config_.init_std / std::sqrt(2.0 * double(config_.n_layers));
  for (auto& p : parameters()) {
    if (!p.param->decay) continue;  // norm weights stay 1, biases 0
    const double std = (ends_with(p.name, "o_proj.weight") || ends_with(p.name, "down_proj.weight"))
                           ? residual_std : config_.init_std;
    for (S& w : p.param->value.data) w = static_cast<S>(rng.normal() * std);
  }
  position_->initialize(rng, config_.init_std);  // its own recipe (learned: N(0, init_std))
}

template <typename S>
void Model<S>::embed(const int32_t* tokens, int64_t B, int64_t T, int64_t pos0, S* x) const {
  const int64_t V = config_.vocab_size, C = config_.d_model;
  for (int64_t i = 0; i < B * T; ++i)
    if (tokens[i] < 0 || tokens[i] >= V)
      throw std::out_of_range("token id " + std::to_string(tokens[i]) + " at (batch " + std::to_string(i / T) +
                              ", position " + std::to_string(pos0 + i % T) + ") is outside the vocabulary [0, " +
                              std::to_string(V) + ") of model.vocab_size");
  // x = s · E[tokens] (s = embedding_scale; exact copies at s = 1)
  const S s = static_cast<S>(config_.embedding_scale);
  parallel_chunks(B * T, rows_per_chunk(C), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const S* e = embed_tokens_.value.ptr() + tokens[r] * C;
      for (int64_t c = 0; c < C; ++c) x[r * C + c] = s * e[c];
    }
  });
  position_->add_to_embeddings(x, B, T, pos0);
}

template <typename S>
const Tensor<S>& Model<S>::head_logits(int64_t B, int64_t T) {
  const int64_t V = config_.vocab_size, C = config_.d_model, N = B * T;
  normed_.resize({B, T, C});
  final_norm_->forward(x_.ptr(), normed_.ptr(), N);
  logits_.resize({B, T, V});
  normed_in_.set(normed_.ptr(), N, C);
  weight_forward(normed_in_, head(), logits_.ptr(), false);
  return logits_;
}

template <typename S>
const Tensor<S>& Model<S>::forward(const int32_t* tokens, int64_t B, int64_t T) {
  const int64_t C = config_.d_model, N = B * T;
  B_ = B;
  T_ = T;
  backward_ready_ = true;
  tokens_.assign(tokens, tokens + N);
  x_.resize({B, T, C});
  y_.resize({B, T, C});
  embed(tokens, B, T, 0, x_.ptr());
  for (auto& block : blocks_) {
    block->forward(x_.ptr(), y_.ptr(), B, T);
    std::swap(x_, y_);
  }
  return head_logits(B, T);
}

template <typename S>
void Model<S>::backward(const S* dlogits) {
  if (!backward_ready_)
    throw std::logic_error("Model::backward: needs a preceding forward (forward_cached keeps no activations)");
  const int64_t C = config_.d_model, B = B_, T = T_, N = B * T;
  Parameter<S>& head_param = head();
  dx_.resize({B, T, C});
  dy_.resize({B, T, C});
  // logits = normed Hᵀ
  weight_backward(normed_in_, dlogits, head_param, dy_.ptr(), false);
  final_norm_->backward(dy_.ptr(), dx_.ptr(), N);
  for (auto it = blocks_.rbegin(); it != blocks_.rend(); ++it) {
    (*it)->backward(dx_.ptr(), dy_.ptr(), B, T);
    std::swap(dx_, dy_);
  }
  // x₀ = s · E[tokens] + P:  dP from the position variant, dE[token] += s · dx₀
  position_->add_to_embeddings_backward(dx_.ptr(), B, T, 0);
  const S s = static_cast<S>(config_.embedding_scale);
  S* dE = embed_tokens_.grad.ptr();
  for (int64_t r = 0; r < N; ++r) {
    const S* g = dx_.ptr() + r * C;
    S* row = dE + tokens_[r] * C;
    for (int64_t c = 0; c < C; ++c) row[c] += s * g[c];
  }
}

template <typename S>
const Tensor<S>& Model<S>::forward_cached(const int32_t* tokens, int64_t B, int64_t T,
                                          std::vector<KVCache<S>>& caches) {
  const int64_t C = config_.d_model;
  backward_ready_ = false;  // the blocks' activations are overwritten below
  if (caches.empty()) caches.resize(blocks_.size());
  if (caches.size() != blocks_.size())
    throw std::invalid_argument("forward_cached: " + std::to_string(caches.size()) + " caches for " +
                                std::to_string(blocks_.size()) + " layers");
  const int64_t pos0 = caches[0].length;
  x_.resize({B, T, C});
  y_.resize({B, T, C});
  embed(tokens, B, T, pos0, x_.ptr());
  for (size_t l = 0; l < blocks_.size(); ++l) {
    blocks_[l]->forward_cached(x_.ptr(), y_.ptr(), B, T, caches[l]);
    std::swap(x_, y_);
  }
  return head_logits(B, T);
}

template <typename S>
void Model<S>::set_precision(Precision precision) {
  if (precision == Precision::kBf16 && !std::is_same_v<S, float>)
    throw std::invalid_argument("precision: bf16 is for fp32 models (gradient checks run in double)");
  require_precision(precision);
  for (auto& p : parameters())
    if (p.param->decay) p.param->precision = precision;  // matrices: the weights of the products
  for (auto& block : blocks_) block->attention().blocks.products = precision;  // attention's own products
  precision_ = precision;
}

template <typename S>
ParameterList<S> Model<S>::parameters() {
  ParameterList<S> list{{"model.embed_tokens.weight", &embed_tokens_}};
  append_parameters(list, "model.embed_positions", position_->parameters());
  for (size_t l = 0; l < blocks_.size(); ++l)
    append_parameters(list, "model.layers." + std::to_string(l), blocks_[l]->parameters());
  append_parameters(list, "model.norm", final_norm_->parameters());
  if (!config_.tie_embeddings) list.push_back({"lm_head.weight", &lm_head_});
  return list;
}

template <typename S>
void Model<S>::zero_grad() {
  for (auto& p : parameters()) p.param->grad.zero();
}

template <typename S>
int64_t Model<S>::parameter_count() {
  int64_t n = 0;
  for (auto& p : parameters()) n += p.param->value.numel();
  return n;
}

template class Model<float>;
template class Model<double>;

}  // namespace ablate
