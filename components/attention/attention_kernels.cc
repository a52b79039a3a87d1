#include "components/attention/attention_kernels.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "components/core/linalg.h"
#include "components/core/parallel.h"

namespace ablate {
namespace {

template <typename S>
ConstMapR<S> rows(const S* base, int64_t n_rows, int64_t D, int64_t row_stride) {
  return ConstMapR<S>(base, n_rows, D, Eigen::OuterStride<>(row_stride));
}

}  // namespace

template <typename S>
void attention_forward_tiled(const AttentionShape& a, const S* q, const S* k, const S* v, S* o, S* lse,
                             int64_t tile) {
  const int64_t group = a.H / a.Hkv, q_tiles = (a.Tq + tile - 1) / tile;
  const S scale = S(1) / std::sqrt(S(a.D));
  const S neg_inf = -std::numeric_limits<S>::infinity();
  parallel_for_each(a.B * a.H * q_tiles, [&](int64_t idx) {
    const int64_t b = idx / (a.H * q_tiles), h = (idx / q_tiles) % a.H, qt = idx % q_tiles;
    const int64_t kvh = h / group;
    const int64_t i0 = qt * tile, i1 = std::min(a.Tq, i0 + tile), tq = i1 - i0;
    const auto Q = rows(q + ((b * a.Tq + i0) * a.H + h) * a.D, tq, a.D, a.H * a.D);
    MatrixR<S> acc = MatrixR<S>::Zero(tq, a.D);
    MatrixR<S> scores(tq, tile);
    std::vector<S> m(tq, neg_inf), l(tq, S(0));
    const int64_t k_end = std::min(a.Tk, a.q_offset + i1);  // keys visible to the last query row
    for (int64_t j0 = 0; j0 < k_end; j0 += tile) {
      const int64_t j1 = std::min(k_end, j0 + tile), tk = j1 - j0;
      const auto K = rows(k + b * a.kv_batch_stride + (j0 * a.Hkv + kvh) * a.D, tk, a.D, a.Hkv * a.D);
      const auto V = rows(v + b * a.kv_batch_stride + (j0 * a.Hkv + kvh) * a.D, tk, a.D, a.Hkv * a.D);
      auto Sb = scores.topLeftCorner(tq, tk);
      Sb.noalias() = scale * (Q * K.transpose());
      for (int64_t r = 0; r < tq; ++r) {
        // keys j0 .. j0+visible-1 (none for a row before this tile's first key: its p are 0)
        const int64_t visible = std::clamp<int64_t>(a.q_offset + i0 + r - j0 + 1, 0, tk);
        auto row = Sb.row(r);
        row.tail(tk - visible).setZero();
        if (visible == 0) continue;
        auto seen = row.head(visible);
        const S m_new = std::max(m[r], seen.maxCoeff());
        const S correction = (m[r] == neg_inf) ? S(0) : std::exp(m[r] - m_new);
        seen = (seen.array() - m_new).exp();  // Eigen's vectorised exp (SIMD, within ~1 ulp)
        const S sum = seen.sum();
        l[r] = l[r] * correction + sum;
        acc.row(r) *= correction;
        m[r] = m_new;
      }
      acc.noalias() += Sb * V;
    }
    for (int64_t r = 0; r < tq; ++r) {
      S* out = o + ((b * a.Tq + i0 + r) * a.H + h) * a.D;
      for (int64_t d = 0; d < a.D; ++d) out[d] = acc(r, d) / l[r];
      lse[(b * a.H + h) * a.Tq + i0 + r] = m[r] + std::log(l[r]);
    }
  });
}

template <typename S>
void attention_forward_naive(const AttentionShape& a, const S* q, const S* k, const S* v, S* o, S* lse) {
  const int64_t group = a.H / a.Hkv;
  const S scale = S(1) / std::sqrt(S(a.D));
  for (int64_t b = 0; b < a.B; ++b)
    for (int64_t h = 0; h < a.H; ++h) {
      const int64_t kvh = h / group;
      const auto Q = rows(q + (b * a.Tq * a.H + h) * a.D, a.Tq, a.D, a.H * a.D);
      const auto K = rows(k + b * a.kv_batch_stride + kvh * a.D, a.Tk, a.D, a.Hkv * a.D);
      const auto V = rows(v + b * a.kv_batch_stride + kvh * a.D, a.Tk, a.D, a.Hkv * a.D);
      MatrixR<S> P = scale * (Q * K.transpose());  // (Tq, Tk): the whole matrix
      for (int64_t i = 0; i < a.Tq; ++i) {
        const int64_t visible = std::min(a.Tk, a.q_offset + i + 1);
        S row_max = P.row(i).head(visible).maxCoeff(), sum = 0;
        for (int64_t j = 0; j < a.Tk; ++j) {
          P(i, j) = j < visible ? std::exp(P(i, j) - row_max) : S(0);
          sum += P(i, j);
        }
        P.row(i) /= sum;
        lse[(b * a.H + h) * a.Tq + i] = row_max + std::log(sum);
      }
      const MatrixR<S> out = P * V;
      for (int64_t i = 0; i < a.Tq; ++i)
        for (int64_t d = 0; d < a.D; ++d) o[((b * a.Tq + i) * a.H + h) * a.D + d] = out(i, d);
    }
}

template <typename S>
void attention_backward_tiled(const AttentionShape& a, const S* q, const S* k, const S* v, const S* o,
                              const S* lse, const S* dout, S* dq, S* dk, S* dv, int64_t tile) {
  const int64_t group = a.H / a.Hkv;
  const int64_t q_tiles = (a.Tq + tile - 1) / tile, k_tiles = (a.Tk + tile - 1) / tile;
  const S scale = S(1) / std::sqrt(S(a.D));
  const int64_t q_row = a.H * a.D, kv_row = a.Hkv * a.D;

  // delta (B, H, Tq) = rowsum(dO ⊙ O)
  std::vector<S> delta(static_cast<size_t>(a.B * a.H * a.Tq));
  parallel_chunks(a.B * a.Tq, rows_per_chunk(q_row), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r)
      for (int64_t h = 0; h < a.H; ++h) {
        S sum = 0;
        for (int64_t d = 0; d < a.D; ++d) sum += dout[(r * a.H + h) * a.D + d] * o[(r * a.H + h) * a.D + d];
        delta[((r / a.Tq) * a.H + h) * a.Tq + r % a.Tq] = sum;
      }
  });

  // P and dS of one (query tile, key tile) block, recomputed from the saved lse.
  auto block = [&](int64_t b, int64_t h, int64_t i0, int64_t tq, int64_t j0, int64_t tk,
                   const ConstMapR<S>& Q, const ConstMapR<S>& dO, const ConstMapR<S>& K,
                   const ConstMapR<S>& V, MatrixR<S>& P, MatrixR<S>& dS) {
    P.resize(tq, tk);
    P.noalias() = scale * (Q * K.transpose());
    dS.resize(tq, tk);
    dS.noalias() = dO * V.transpose();  // dP
    for (int64_t r = 0; r < tq; ++r) {
      const int64_t visible = std::clamp<int64_t>(a.q_offset + i0 + r - j0 + 1, 0, tk);
      const S row_lse = lse[(b * a.H + h) * a.Tq + i0 + r];
      const S row_delta = delta[(b * a.H + h) * a.Tq + i0 + r];
      P.row(r).head(visible) = (P.row(r).head(visible).array() - row_lse).exp();
      P.row(r).tail(tk - visible).setZero();
      dS.row(r).array() = P.row(r).array() * (dS.row(r).array() - row_delta);
    }
  };

  // dK, dV: one task per (batch, kv head, key tile), summing over its query heads and tiles.
  parallel_for_each(a.B * a.Hkv * k_tiles, [&](int64_t idx) {
    const int64_t b = idx / (a.Hkv * k_tiles), kvh = (idx / k_tiles) % a.Hkv, kt = idx % k_tiles;
    const int64_t j0 = kt * tile, tk = std::min(a.Tk, j0 + tile) - j0;
    const auto K = rows(k + b * a.kv_batch_stride + (j0 * a.Hkv + kvh) * a.D, tk, a.D, kv_row);
    const auto V = rows(v + b * a.kv_batch_stride + (j0 * a.Hkv + kvh) * a.D, tk, a.D, kv_row);
    MatrixR<S> dK = MatrixR<S>::Zero(tk, a.D), dV = MatrixR<S>::Zero(tk, a.D), P, dS;
    const int64_t first_row = std::max<int64_t>(0, j0 - a.q_offset);  // first query that sees key j0
    for (int64_t h = kvh * group; h < (kvh + 1) * group; ++h)
      for (int64_t i0 = (first_row / tile) * tile; i0 < a.Tq; i0 += tile) {
        const int64_t tq = std::min(a.Tq, i0 + tile) - i0;
        const auto Q = rows(q + ((b * a.Tq + i0) * a.H + h) * a.D, tq, a.D, q_row);
        const auto dO = rows(dout + ((b * a.Tq + i0) * a.H + h) * a.D, tq, a.D, q_row);
        block(b, h, i0, tq, j0, tk, Q, dO, K, V, P, dS);
        dV.noalias() += P.transpose() * dO;
        dK.noalias() += scale * (dS.transpose() * Q);
      }
    for (int64_t c = 0; c < tk; ++c)
      for (int64_t d = 0; d < a.D; ++d) {
        dk[b * a.kv_batch_stride + ((j0 + c) * a.Hkv + kvh) * a.D + d] = dK(c, d);
        dv[b * a.kv_batch_stride + ((j0 + c) * a.Hkv + kvh) * a.D + d] = dV(c, d);
      }
  });

  // dQ: one task per (batch, head, query tile), summing over its visible key tiles.
  parallel_for_each(a.B * a.H * q_tiles, [&](int64_t idx) {
    const int64_t b = idx / (a.H * q_tiles), h = (idx / q_tiles) % a.H, qt = idx % q_tiles;
    const int64_t kvh = h / group;
    const int64_t i0 = qt * tile, tq = std::min(a.Tq, i0 + tile) - i0;
    const auto Q = rows(q + ((b * a.Tq + i0) * a.H + h) * a.D, tq, a.D, q_row);
    const auto dO = rows(dout + ((b * a.Tq + i0) * a.H + h) * a.D, tq, a.D, q_row);
    MatrixR<S> dQ = MatrixR<S>::Zero(tq, a.D), P, dS;
    const int64_t k_end = std::min(a.Tk, a.q_offset + i0 + tq);
    for (int64_t j0 = 0; j0 < k_end; j0 += tile) {
      const int64_t tk = std::min(k_end, j0 + tile) - j0;
      const auto K = rows(k + b * a.kv_batch_stride + (j0 * a.Hkv + kvh) * a.D, tk, a.D, kv_row);
      const auto V = rows(v + b * a.kv_batch_stride + (j0 * a.Hkv + kvh) * a.D, tk, a.D, kv_row);
      block(b, h, i0, tq, j0, tk, Q, dO, K, V, P, dS);
      dQ.noalias() += scale * (dS * K);
    }
    for (int64_t r = 0; r < tq; ++r)
      for (int64_t d = 0; d < a.D; ++d) dq[((b * a.Tq + i0 + r) * a.H + h) * a.D + d] = dQ(r, d);
  });
}

#define ABLATE_INSTANTIATE(S)                                                                         \
  template void attention_forward_tiled<S>(const AttentionShape&, const S*, const S*, const S*, S*, S*, \
                                           int64_t);                                                  \
  template void attention_forward_naive<S>(const AttentionShape&, const S*, const S*, const S*, S*, S*); \
  template void attention_backward_tiled<S>(const AttentionShape&, const S*, const S*, const S*,       \
                                            const S*, const S*, const S*, S*, S*, S*, int64_t);
ABLATE_INSTANTIATE(float)
ABLATE_INSTANTIATE(double)
#undef ABLATE_INSTANTIATE

}  // namespace ablate
