#include "components/core/linear.h"

#include "components/core/linalg.h"
#include "components/core/parallel.h"
#include "components/core/weight_matmul.h"

namespace ablate {

template <typename S>
Linear<S>::Linear(int64_t in_features, int64_t out_features, bool bias)
    : weight({out_features, in_features}, /*is_matrix=*/true),
      in_(in_features), out_(out_features), has_bias_(bias) {
  if (bias) this->bias = Parameter<S>({out_features}, /*is_matrix=*/false);
}

template <typename S>
void Linear<S>::forward(const WeightInput<S>& x, S* y) const {
  const int64_t N = x.rows();
  if (has_bias_) {
    const S* b = bias.value.ptr();
    parallel_chunks(N, rows_per_chunk(out_), [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r)
        for (int64_t o = 0; o < out_; ++o) y[r * out_ + o] = b[o];
    });
  }
  weight_forward(x, weight, y, /*accumulate=*/has_bias_);
}

template <typename S>
void Linear<S>::forward(const S* x, S* y, int64_t N) const {
  forward(WeightInput<S>(x, N, in_), y);
}

template <typename S>
void Linear<S>::backward(const WeightInput<S>& x, const S* dy, S* dx, bool accumulate_dx) {
  weight_backward(x, dy, weight, dx, accumulate_dx);
  if (has_bias_) sum_rows(dy, bias.grad.ptr(), x.rows(), out_);
}

template <typename S>
void Linear<S>::backward(const S* x, const S* dy, S* dx, int64_t N, bool accumulate_dx) {
  backward(WeightInput<S>(x, N, in_), dy, dx, accumulate_dx);
}

template <typename S>
ParameterList<S> Linear<S>::parameters() {
  ParameterList<S> list{{"weight", &weight}};
  if (has_bias_) list.push_back({"bias", &bias});
  return list;
}

template class Linear<float>;
template class Linear<double>;

}  // namespace ablate
