// Cross-entropy loss of next-token prediction:  L = (1/N) Σ_n [logsumexp(z_n) − z_n[y_n]]
// over the N positions whose target is not negative (a negative target is ignored, like
// PyTorch's ignore_index). Backward: dz_n = (softmax(z_n) − onehot(y_n)) / N.
#pragma once

#include <cstdint>
#include <vector>

namespace ablate {

template <typename S>
class CrossEntropy {
 public:
  // logits (N, V), targets (N) -> mean NLL. Keeps the logits pointer (the caller keeps them
  // alive until backward) and each row's logsumexp.
  double forward(const S* logits, const int32_t* targets, int64_t N, int64_t V);
  // dlogits (N, V) = dL/dlogits, written.
  void backward(S* dlogits) const;
  // NLL of each position from the last forward (0 where the target was ignored).
  const std::vector<double>& token_nll() const { return nll_; }
  int64_t counted() const { return counted_; }

 private:
  const S* logits_ = nullptr;
  std::vector<int32_t> targets_;
  std::vector<double> lse_, nll_;
  int64_t N_ = 0, V_ = 0, counted_ = 0;
};

}  // namespace ablate
