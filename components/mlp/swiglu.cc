#include "components/mlp/swiglu.h"

#include <algorithm>

#include "components/core/packets.h"
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
  x_in_.set(x_.ptr(), N, C_);
  gate_proj_.forward(x_in_, gate_.ptr());
  up_proj_.forward(x_in_, up_.ptr());
  // h = silu(g) ⊙ u = g / (1 + e^−g) ⊙ u, with Eigen's vectorised exp (SIMD, within ~1 ulp of std::exp).
  parallel_chunks(N * hidden_, 4096, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; i += kPack) {
      const int64_t n = std::min(kPack, i1 - i);
      const Pack<S> g = load_pack(gate_.ptr() + i, n), u = load_pack(up_.ptr() + i, n);
      store_pack<S>(g / (S(1) + (-g).exp()) * u, h_.ptr() + i, n);
    }
  });
  h_in_.set(h_.ptr(), N, hidden_);
  down_proj_.forward(h_in_, y);
}

template <typename S>
void SwiGluMlp<S>::backward(const S* dy, S* dx, int64_t N) {
  dgate_.resize({N, hidden_});
  dup_.resize({N, hidden_});
  down_proj_.backward(h_in_, dy, dup_.ptr());  // dh = dy W_down (held in dup_)
  // h = silu(g) ⊙ u:  du = dh ⊙ silu(g);  dg = dh ⊙ u ⊙ σ(g)(1 + g(1 − σ(g)))
  parallel_chunks(N * hidden_, 4096, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; i += kPack) {
      const int64_t n = std::min(kPack, i1 - i);
      const Pack<S> g = load_pack(gate_.ptr() + i, n), u = load_pack(up_.ptr() + i, n), dh = load_pack(dup_.ptr() + i, n);
      const Pack<S> sig = (S(1) + (-g).exp()).inverse();
      store_pack<S>(dh * u * sig * (S(1) + g * (S(1) - sig)), dgate_.ptr() + i, n);
      store_pack<S>(dh * g * sig, dup_.ptr() + i, n);  // du, in place of dh
    }
  });
  gate_proj_.backward(x_in_, dgate_.ptr(), dx);
  up_proj_.backward(x_in_, dup_.ptr(), dx, /*accumulate_dx=*/true);
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
