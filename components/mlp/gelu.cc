#include "components/mlp/gelu.h"

#include <algorithm>
#include <cmath>

#include <unsupported/Eigen/SpecialFunctions>  // Array::erf

#include "components/core/packets.h"
#include "components/core/parallel.h"

namespace ablate {
namespace {

// gelu and its derivative on one packet, with Eigen's vectorised tanh, erf and exp (see packets.h).
template <typename S>
Pack<S> gelu(const Pack<S>& u, GeluForm form) {
  if (form == GeluForm::kErf) return S(0.5) * u * (S(1) + (u * S(M_SQRT1_2)).erf());
  const S k = S(0.7978845608028654);  // √(2/π)
  return S(0.5) * u * (S(1) + (k * (u + S(0.044715) * u * u * u)).tanh());
}

// d gelu / du
template <typename S>
Pack<S> gelu_derivative(const Pack<S>& u, GeluForm form) {
  if (form == GeluForm::kErf) {
    const Pack<S> cdf = S(0.5) * (S(1) + (u * S(M_SQRT1_2)).erf());
    const Pack<S> pdf = (S(-0.5) * u * u).exp() * S(0.3989422804014327);  // 1/√(2π)
    return cdf + u * pdf;
  }
  const S k = S(0.7978845608028654);
  const Pack<S> t = (k * (u + S(0.044715) * u * u * u)).tanh();
  return S(0.5) * (S(1) + t) + S(0.5) * u * (S(1) - t * t) * k * (S(1) + S(3 * 0.044715) * u * u);
}

}  // namespace

template <typename S>
GeluMlp<S>::GeluMlp(int64_t C, int64_t hidden, GeluForm form, bool bias)
    : C_(C), hidden_(hidden), form_(form), up_proj_(C, hidden, bias), down_proj_(hidden, C, bias) {}

template <typename S>
void GeluMlp<S>::forward(const S* x, S* y, int64_t N) {
  x_.resize({N, C_});
  std::copy(x, x + N * C_, x_.ptr());
  u_.resize({N, hidden_});
  g_.resize({N, hidden_});
  x_in_.set(x_.ptr(), N, C_);
  up_proj_.forward(x_in_, u_.ptr());
  parallel_chunks(N * hidden_, 4096, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; i += kPack) {
      const int64_t n = std::min(kPack, i1 - i);
      store_pack<S>(gelu(load_pack(u_.ptr() + i, n), form_), g_.ptr() + i, n);
    }
  });
  g_in_.set(g_.ptr(), N, hidden_);
  down_proj_.forward(g_in_, y);
}

template <typename S>
void GeluMlp<S>::backward(const S* dy, S* dx, int64_t N) {
  du_.resize({N, hidden_});
  down_proj_.backward(g_in_, dy, du_.ptr());  // dg = dy W_down
  parallel_chunks(N * hidden_, 4096, [&](int64_t i0, int64_t i1) {  // g = gelu(u): du = dg ⊙ gelu'(u)
    for (int64_t i = i0; i < i1; i += kPack) {
      const int64_t n = std::min(kPack, i1 - i);
      store_pack<S>(load_pack(du_.ptr() + i, n) * gelu_derivative(load_pack(u_.ptr() + i, n), form_), du_.ptr() + i, n);
    }
  });
  up_proj_.backward(x_in_, du_.ptr(), dx);  // u = W_up x
}

template <typename S>
ParameterList<S> GeluMlp<S>::parameters() {
  ParameterList<S> list;
  append_parameters(list, "up_proj", up_proj_.parameters());
  append_parameters(list, "down_proj", down_proj_.parameters());
  return list;
}

template class GeluMlp<float>;
template class GeluMlp<double>;

}  // namespace ablate
