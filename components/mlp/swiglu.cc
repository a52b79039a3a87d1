#include "components/mlp/swiglu.h"

#include <cmath>

#include "components/core/parallel.h"

namespace ablate {

template <typename S>
SwiGluMlp<S>::SwiGluMlp(int64_t C, int64_t hidden, bool bias)
    : C_(C), hidden_(hidden), gate_proj_(C, hidden, bias), up_proj_(C, hidden, bias),
      down_proj_(hidden, C, bias) {}

template <typename S>
void SwiGluMlp<S>::forward(const S* x, S* y, int64_t N) {
  x_.resize({N, C_});
  std::copy(x, x + N * C_, x_.ptr());
  gate_.resize({N, hidden_});
  up_.resize({N, hidden_});
  h_.resize({N, hidden_});
  gate_proj_.forward(x, gate_.ptr(), N);
  up_proj_.forward(x, up_.ptr(), N);
  parallel_chunks(N * hidden_, 4096, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) {
      const S g = gate_[i];
      h_[i] = g / (S(1) + std::exp(-g)) * up_[i];
    }
  });
  down_proj_.forward(h_.ptr(), y, N);
}

template <typename S>
void SwiGluMlp<S>::backward(const S* dy, S* dx, int64_t N) {
  dgate_.resize({N, hidden_});
  dup_.resize({N, hidden_});
  down_proj_.backward(h_.ptr(), dy, dup_.ptr(), N);  // dh = dy W_down (held in dup_)
  // h = silu(g) ⊙ u:  du = dh ⊙ silu(g);  dg = dh ⊙ u ⊙ σ(g)(1 + g(1 − σ(g)))
  parallel_chunks(N * hidden_, 4096, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) {
      const S g = gate_[i], dh = dup_[i];
      const S sig = S(1) / (S(1) + std::exp(-g));
      dgate_[i] = dh * up_[i] * sig * (S(1) + g * (S(1) - sig));
      dup_[i] = dh * g * sig;
    }
  });
  gate_proj_.backward(x_.ptr(), dgate_.ptr(), dx, N);
  up_proj_.backward(x_.ptr(), dup_.ptr(), dx, N, /*accumulate_dx=*/true);
}

template <typename S>
ParameterList<S> SwiGluMlp<S>::parameters() {
  ParameterList<S> list;
  append_parameters(list, "gate_proj", gate_proj_.parameters());
  append_parameters(list, "up_proj", up_proj_.parameters());
  append_parameters(list, "down_proj", down_proj_.parameters());
  return list;
}

template class SwiGluMlp<float>;
template class SwiGluMlp<double>;

}  // namespace ablate
