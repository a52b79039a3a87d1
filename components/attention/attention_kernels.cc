#include "components/attention/attention_kernels.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <type_traits>
#include <vector>

#include "components/core/bf16.h"
#include "components/core/linalg.h"
#include "components/core/onednn_gemm.h"
#include "components/core/parallel.h"

namespace ablate {
namespace {

template <typename S>
ConstMapR<S> rows(const S* base, int64_t n_rows, int64_t D, int64_t row_stride) {
  return ConstMapR<S>(base, n_rows, D, Eigen::OuterStride<>(row_stride));
}

// A strided view of an m x n operand: element (i, j) at data[i * row_stride + j * col_stride],
// and, for bf16 products, rounded to bf16 at bf16[i * bf16_row_stride + j * bf16_col_stride]
// (else null): the bf16 copies of Q, K, V and dO are head-major (Heads below), the blocks' P and
// dS copies have their fp32 block's strides.
template <typename S>
struct View {
  const S* data;
  int64_t row_stride, col_stride;
  const Bf16* bf16 = nullptr;
  int64_t bf16_row_stride = 0, bf16_col_stride = 0;
  View transposed() const { return {data, col_stride, row_stride, bf16, bf16_col_stride, bf16_row_stride}; }
};

// A (B, T, heads, D) tensor's bf16 copy, head-major: (B, heads, T, D), each head's rows dense, so
// that a block's operands are plain matrices (oneDNN runs its brgemm kernels, on AMX the tiles,
// only on those: a head's rows inside the (T, heads · D) tensor are strided, and get gemm:jit).
// Null for fp32 products. batch_stride: elements between batches of x (a KV cache's batches hold
// capacity rows, of which the first T are read).
struct Heads {
  std::unique_ptr<Bf16[]> copy;
  int64_t T = 0, heads = 0, D = 0;
  // Row t of head h of batch b.
  const Bf16* at(int64_t b, int64_t h, int64_t t) const {
    return copy ? copy.get() + ((b * heads + h) * T + t) * D : nullptr;
  }
};

template <typename S>
Heads bf16_heads(bool bf16, const S* x, int64_t B, int64_t T, int64_t heads, int64_t D, int64_t batch_stride) {
  Heads h{nullptr, T, heads, D};
  if constexpr (std::is_same_v<S, float>)
    if (bf16) {
      h.copy = bf16_buffer(B * heads * T * D);
      Bf16* out = h.copy.get();
      parallel_chunks(B * T, rows_per_chunk(heads * D), [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
          const int64_t b = r / T, t = r % T;
          for (int64_t head = 0; head < heads; ++head)
            to_bf16_serial(x + b * batch_stride + (t * heads + head) * D, out + ((b * heads + head) * T + t) * D, D);
        }
      });
    }
  return h;
}

// A (block) buffer's bf16 copy at `offset`, with the block's own strides (null when there is none).
inline const Bf16* at(const std::unique_ptr<Bf16[]>& copy, int64_t offset) {
  return copy ? copy.get() + offset : nullptr;
}

// Whether these blocks' products take bf16 operands: float kernels asked for bf16, with at least
// kMinBf16QueryRows query rows.
template <typename S>
bool bf16_products(const AttentionShape& a, const AttentionBlocks& blocks) {
  return std::is_same_v<S, float> && blocks.products == Precision::kBf16 && a.Tq >= kMinBf16QueryRows;
}

// Calls f with v as an Eigen matrix of rows x cols whose inner stride is 1 (one of v's strides
// is 1): row-major, or column-major for a transposed view. (A map with two strides would make
// Eigen multiply coefficient by coefficient.)
template <typename S, typename F>
void as_matrix(View<S> v, int64_t rows, int64_t cols, F&& f) {
  using ConstMapC = Eigen::Map<const Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>,
                               Eigen::Unaligned, Eigen::OuterStride<>>;
  if (v.col_stride == 1) f(ConstMapR<S>(v.data, rows, cols, Eigen::OuterStride<>(v.row_stride)));
  else f(ConstMapC(v.data, rows, cols, Eigen::OuterStride<>(v.col_stride)));
}

// c (m x n, row stride ldc) = a (m x k) · b (k x n), or c += a · b when accumulate: one
// single-threaded kernel call, so results depend on the shapes only. bf16 products (both views
// have a bf16 copy) and fp32 products of 2+ rows run on oneDNN (a 64 x 64 x 64 Eigen product
// spends much of its time packing its operands); double (the reference for tests), one-row
// products (decode, whose key count changes every token) and set_fp32_gemm_backend(kEigen) run
// on Eigen.
template <typename S>
void product(View<S> a, View<S> b, S* c, int64_t ldc, int64_t m, int64_t k, int64_t n, bool accumulate) {
  if constexpr (std::is_same_v<S, float>) {
    if (a.bf16 && b.bf16)
      return onednn_gemm(GemmType::kBf16, {a.bf16, a.bf16_row_stride, a.bf16_col_stride},
                         {b.bf16, b.bf16_row_stride, b.bf16_col_stride}, c, ldc, m, k, n, accumulate);
    if (m >= 2 && fp32_gemm_backend() == GemmBackend::kOneDnn)
      return onednn_gemm(GemmType::kF32, {a.data, a.row_stride, a.col_stride}, {b.data, b.row_stride, b.col_stride},
                         c, ldc, m, k, n, accumulate);
  }
  MapR<S> C(c, m, n, Eigen::OuterStride<>(ldc));
  as_matrix(a, m, k, [&](const auto& A) {
    as_matrix(b, k, n, [&](const auto& B) {
      if (accumulate) C.noalias() += A * B;
      else C.noalias() = A * B;
    });
  });
}

// Score blocks are rows of `ld` = tk rounded up to 16 elements in Eigen's aligned storage: every
// row starts on a SIMD boundary, so the vectorised exp covers the same elements whatever the
// buffer's address (Eigen peels scalar elements up to the first aligned one), and results are
// bit-identical run to run.
inline int64_t padded(int64_t n) { return (n + 15) / 16 * 16; }

// The first `cols` of each of a block's `rows` rows (row stride ld) rounded into its bf16 copy,
// for bf16 products (nothing when there is none).
template <typename S>
void round_block(const S* block, int64_t rows, int64_t cols, int64_t ld, const std::unique_ptr<Bf16[]>& copy) {
  if constexpr (std::is_same_v<S, float>)
    if (copy)
      for (int64_t r = 0; r < rows; ++r) to_bf16_serial(block + r * ld, copy.get() + r * ld, cols);
}

}  // namespace

template <typename S>
void attention_forward_tiled(const AttentionShape& a, const S* q, const S* k, const S* v, S* o, S* lse,
                             const AttentionBlocks& blocks) {
  const int64_t tile = blocks.tile, key_tile = blocks.key_tile;
  const int64_t group = a.H / a.Hkv, q_tiles = (a.Tq + tile - 1) / tile;
  const int64_t q_row = a.H * a.D, kv_row = a.Hkv * a.D;
  const S scale = S(1) / std::sqrt(S(a.D));
  const S neg_inf = -std::numeric_limits<S>::infinity();
  const bool bf16 = bf16_products<S>(a, blocks);
  const Heads q16 = bf16_heads(bf16, q, a.B, a.Tq, a.H, a.D, a.Tq * q_row);
  const Heads k16 = bf16_heads(bf16, k, a.B, a.Tk, a.Hkv, a.D, a.kv_batch_stride);
  const Heads v16 = bf16_heads(bf16, v, a.B, a.Tk, a.Hkv, a.D, a.kv_batch_stride);
  parallel_for_each(a.B * a.H * q_tiles, [&](int64_t idx) {
    const int64_t b = idx / (a.H * q_tiles), h = (idx / q_tiles) % a.H, qt = idx % q_tiles;
    const int64_t kvh = h / group;
    const int64_t i0 = qt * tile, i1 = std::min(a.Tq, i0 + tile), tq = i1 - i0;
    const int64_t q_at = ((b * a.Tq + i0) * a.H + h) * a.D;
    const View<S> Q{q + q_at, q_row, 1, q16.at(b, h, i0), a.D, 1};
    const int64_t k_end = std::min(a.Tk, a.q_offset + i1);  // keys visible to the last query row
    MatrixR<S> acc = MatrixR<S>::Zero(tq, a.D);
    MatrixR<S> scores(tq, padded(std::min(key_tile, k_end)));
    const std::unique_ptr<Bf16[]> p16 = bf16 ? bf16_buffer(scores.size()) : nullptr;  // the block's P in bf16
    std::vector<S> m(tq, neg_inf), l(tq, S(0));
    for (int64_t j0 = 0; j0 < k_end; j0 += key_tile) {
      const int64_t tk = std::min(k_end, j0 + key_tile) - j0;
      const int64_t kv_at = b * a.kv_batch_stride + (j0 * a.Hkv + kvh) * a.D;
      const View<S> K{k + kv_at, kv_row, 1, k16.at(b, kvh, j0), a.D, 1};
      const View<S> V{v + kv_at, kv_row, 1, v16.at(b, kvh, j0), a.D, 1};
      const int64_t ld = padded(tk);
      product(Q, K.transposed(), scores.data(), ld, tq, a.D, tk, false);  // Q Kᵀ
      MapR<S> Sb(scores.data(), tq, tk, Eigen::OuterStride<>(ld));
      for (int64_t r = 0; r < tq; ++r) {
        // keys j0 .. j0+visible-1 (none for a row before this tile's first key: its p are 0)
        const int64_t visible = std::clamp<int64_t>(a.q_offset + i0 + r - j0 + 1, 0, tk);
        auto row = Sb.row(r);
        row.tail(tk - visible).setZero();
        if (visible == 0) continue;
        auto seen = row.head(visible);
        const S m_new = std::max(m[r], scale * seen.maxCoeff());  // = max of the scaled scores (scale > 0)
        const S correction = (m[r] == neg_inf) ? S(0) : std::exp(m[r] - m_new);
        seen = (seen.array() * scale - m_new).exp();  // Eigen's vectorised exp (SIMD, within ~1 ulp)
        l[r] = l[r] * correction + seen.sum();  // of the fp32 p (bf16 products round P after)
        acc.row(r) *= correction;
        m[r] = m_new;
      }
      round_block(scores.data(), tq, tk, ld, p16);
      product<S>({scores.data(), ld, 1, at(p16, 0), ld, 1}, V, acc.data(), a.D, tq, tk, a.D, true);  // acc += P V
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
                              const S* lse, const S* dout, S* dq, S* dk, S* dv, const AttentionBlocks& blocks) {
  const int64_t tile = blocks.tile, key_tile = blocks.key_tile;
  const int64_t group = a.H / a.Hkv;
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

  // One task per (batch, query head), in one pass over its (query tile, key tile) blocks: P and
  // dS are made once per block and give dQ, dK and dV. Query heads that share a kv head write
  // their dK, dV to rows of their own (B, H, Tk, D), summed over the group in head order below;
  // with one query head per kv head (MHA) they go straight to dk, dv.
  const bool shared = group > 1;
  const bool bf16 = bf16_products<S>(a, blocks);
  const Heads q16 = bf16_heads(bf16, q, a.B, a.Tq, a.H, a.D, a.Tq * q_row);
  const Heads do16 = bf16_heads(bf16, dout, a.B, a.Tq, a.H, a.D, a.Tq * q_row);
  const Heads k16 = bf16_heads(bf16, k, a.B, a.Tk, a.Hkv, a.D, a.kv_batch_stride);
  const Heads v16 = bf16_heads(bf16, v, a.B, a.Tk, a.Hkv, a.D, a.kv_batch_stride);
  std::vector<S> dk_heads(shared ? a.B * a.H * a.Tk * a.D : 0), dv_heads(dk_heads.size());
  parallel_for_each(a.B * a.H, [&](int64_t idx) {
    const int64_t b = idx / a.H, h = idx % a.H, kvh = h / group;
    // bf16 products accumulate dQ, and (MHA) dK and dV, in dense head buffers of the task's own,
    // copied out at the end: oneDNN's brgemm kernels write only a dense c.
    const bool own_kv = bf16 && !shared;
    std::vector<S> dq_head(bf16 ? a.Tq * a.D : 0), dk_head(own_kv ? a.Tk * a.D : 0), dv_head(dk_head.size());
    const int64_t kv_ld = shared || bf16 ? a.D : kv_row, dq_ld = bf16 ? a.D : q_row;
    const int64_t head_at = b * a.kv_batch_stride + kvh * a.D;
    S* const dK = shared ? dk_heads.data() + idx * a.Tk * a.D : own_kv ? dk_head.data() : dk + head_at;
    S* const dV = shared ? dv_heads.data() + idx * a.Tk * a.D : own_kv ? dv_head.data() : dv + head_at;
    S* const dQ = bf16 ? dq_head.data() : dq + (b * a.Tq * a.H + h) * a.D;
    for (int64_t j = 0; j < a.Tk; ++j) {
      std::fill_n(dK + j * kv_ld, a.D, S(0));
      std::fill_n(dV + j * kv_ld, a.D, S(0));
    }
    for (int64_t i = 0; i < a.Tq; ++i) std::fill_n(dQ + i * dq_ld, a.D, S(0));
    const int64_t block_rows = std::min(tile, a.Tq), block_ld = padded(std::min(key_tile, a.Tk));
    MatrixR<S> P(block_rows, block_ld), dS(block_rows, block_ld);
    const std::unique_ptr<Bf16[]> p16 = bf16 ? bf16_buffer(P.size()) : nullptr;  // the blocks' bf16 copies
    const std::unique_ptr<Bf16[]> ds16 = bf16 ? bf16_buffer(P.size()) : nullptr;
    for (int64_t i0 = 0; i0 < a.Tq; i0 += tile) {
      const int64_t tq = std::min(a.Tq, i0 + tile) - i0;
      const int64_t q_at = ((b * a.Tq + i0) * a.H + h) * a.D;
      const View<S> Q{q + q_at, q_row, 1, q16.at(b, h, i0), a.D, 1};
      const View<S> dO{dout + q_at, q_row, 1, do16.at(b, h, i0), a.D, 1};
      const int64_t k_end = std::min(a.Tk, a.q_offset + i0 + tq);
      for (int64_t j0 = 0; j0 < k_end; j0 += key_tile) {
        const int64_t tk = std::min(k_end, j0 + key_tile) - j0;
        const int64_t kv_at = b * a.kv_batch_stride + (j0 * a.Hkv + kvh) * a.D;
        const View<S> K{k + kv_at, kv_row, 1, k16.at(b, kvh, j0), a.D, 1};
        const View<S> V{v + kv_at, kv_row, 1, v16.at(b, kvh, j0), a.D, 1};
        const int64_t ld = padded(tk);
        product(Q, K.transposed(), P.data(), ld, tq, a.D, tk, false);    // scores
        product(dO, V.transposed(), dS.data(), ld, tq, a.D, tk, false);  // dP
        MapR<S> Pb(P.data(), tq, tk, Eigen::OuterStride<>(ld)), dSb(dS.data(), tq, tk, Eigen::OuterStride<>(ld));
        for (int64_t r = 0; r < tq; ++r) {
          const int64_t visible = std::clamp<int64_t>(a.q_offset + i0 + r - j0 + 1, 0, tk);
          const S row_lse = lse[(b * a.H + h) * a.Tq + i0 + r];
          const S row_delta = delta[(b * a.H + h) * a.Tq + i0 + r];
          Pb.row(r).head(visible) = (Pb.row(r).head(visible).array() * scale - row_lse).exp();
          Pb.row(r).tail(tk - visible).setZero();
          dSb.row(r).array() = Pb.row(r).array() * (dSb.row(r).array() - row_delta) * scale;  // dS / √D
        }
        round_block(P.data(), tq, tk, ld, p16);
        round_block(dS.data(), tq, tk, ld, ds16);
        const View<S> P_view{P.data(), ld, 1, at(p16, 0), ld, 1}, dS_view{dS.data(), ld, 1, at(ds16, 0), ld, 1};
        product(dS_view, K, dQ + i0 * dq_ld, dq_ld, tq, tk, a.D, true);                  // dQ += dS K / √D
        product(dS_view.transposed(), Q, dK + j0 * kv_ld, kv_ld, tk, tq, a.D, true);     // dK += dSᵀ Q / √D
        product(P_view.transposed(), dO, dV + j0 * kv_ld, kv_ld, tk, tq, a.D, true);     // dV += Pᵀ dO
      }
    }
    if (!bf16) return;
    for (int64_t i = 0; i < a.Tq; ++i)
      std::copy_n(dQ + i * a.D, a.D, dq + ((b * a.Tq + i) * a.H + h) * a.D);
    if (shared) return;
    for (int64_t j = 0; j < a.Tk; ++j) {
      std::copy_n(dK + j * a.D, a.D, dk + head_at + j * kv_row);
      std::copy_n(dV + j * a.D, a.D, dv + head_at + j * kv_row);
    }
  });
  if (!shared) return;
  parallel_chunks(a.B * a.Tk, rows_per_chunk(a.H * a.D), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t b = r / a.Tk, j = r % a.Tk;
      for (int64_t kvh = 0; kvh < a.Hkv; ++kvh) {
        S* dk_row = dk + b * a.kv_batch_stride + (j * a.Hkv + kvh) * a.D;
        S* dv_row = dv + b * a.kv_batch_stride + (j * a.Hkv + kvh) * a.D;
        std::fill_n(dk_row, a.D, S(0));
        std::fill_n(dv_row, a.D, S(0));
        for (int64_t h = kvh * group; h < (kvh + 1) * group; ++h)
          for (int64_t d = 0; d < a.D; ++d) {
            dk_row[d] += dk_heads[((b * a.H + h) * a.Tk + j) * a.D + d];
            dv_row[d] += dv_heads[((b * a.H + h) * a.Tk + j) * a.D + d];
          }
      }
    }
  });
}

#define ABLATE_INSTANTIATE(S)                                                                         \
  template void attention_forward_tiled<S>(const AttentionShape&, const S*, const S*, const S*, S*, S*, \
                                           const AttentionBlocks&);                                       \
  template void attention_forward_naive<S>(const AttentionShape&, const S*, const S*, const S*, S*, S*); \
  template void attention_backward_tiled<S>(const AttentionShape&, const S*, const S*, const S*,       \
                                            const S*, const S*, const S*, S*, S*, S*, const AttentionBlocks&);
ABLATE_INSTANTIATE(float)
ABLATE_INSTANTIATE(double)
#undef ABLATE_INSTANTIATE

}  // namespace ablate
