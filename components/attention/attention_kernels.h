// Causal scaled-dot-product attention kernels:  O = softmax(Q Kᵀ / √D + causal mask) V.
// Tiled kernels use the online softmax of FlashAttention (Dao et al. 2022; FlashAttention-2,
// Dao 2023): only query-tile × key-tile score blocks exist at any time, so memory is O(T), never
// T×T. Each block's products are single kernel calls (oneDNN for fp32 and bf16), so wide key
// tiles pay: 64 queries × up to 512 keys.
// The naive kernel materialises each head's Tq×Tk matrix; it is the reference for tests.
// Grouped-query attention: query head h reads kv head h / (H / Hkv)  (HF repeat_kv).
#pragma once

#include <cstdint>

#include "components/core/precision.h"

namespace ablate {

struct AttentionShape {
  int64_t B = 1, Tq = 1, Tk = 1, H = 1, Hkv = 1, D = 1;
  int64_t q_offset = 0;         // absolute position of query row 0; key j is at position j
  int64_t kv_batch_stride = 0;  // elements between batches of k/v (Tk·Hkv·D, or capacity·Hkv·D in a cache)
};

constexpr int64_t kAttentionTile = 64;      // query rows per block (and per forward task)
constexpr int64_t kAttentionKeyTile = 512;  // keys per block

struct AttentionBlocks {
  int64_t tile = kAttentionTile;         // query rows per block
  int64_t key_tile = kAttentionKeyTile;  // keys per block
  // The products' operands (float only). bf16: Q, K, V, dO and each block's P and dS rounded to
  // bf16, products accumulated in fp32 (as torch.autocast runs attention's matmuls on CPU); the
  // scores, softmax, its running max and sum, lse and the outputs stay fp32. Calls with fewer
  // than kMinBf16QueryRows query rows (decode, short chunks after a cache) keep fp32 products:
  // rounding the whole cache each call would cost more than their products.
  Precision products = Precision::kFp32;
};
constexpr int64_t kMinBf16QueryRows = 16;

// q (B, Tq, H, D), k/v (B, Tk, Hkv, D) with kv_batch_stride -> o (B, Tq, H, D), lse (B, H, Tq)
// (lse = log Σ_j exp(score_ij), kept for the backward pass).
template <typename S>
void attention_forward_tiled(const AttentionShape& a, const S* q, const S* k, const S* v, S* o, S* lse,
                             const AttentionBlocks& blocks = {});

// Same contract, holding one Tq × Tk score matrix per head (reference for tests).
template <typename S>
void attention_forward_naive(const AttentionShape& a, const S* q, const S* k, const S* v, S* o, S* lse);

// Backward of attention_forward_tiled from dout (B, Tq, H, D): writes dq (B, Tq, H, D) and
// dk/dv (laid out like k/v). Recomputes score blocks from q, k and lse (FlashAttention-2), once
// per block, in one pass per (batch, query head):
//   P = exp(S − lse),  dV = Pᵀ dO,  dP = dO Vᵀ,  dS = P ⊙ (dP − rowsum(dO ⊙ O)),
//   dQ = dS K / √D,  dK = dSᵀ Q / √D.
template <typename S>
void attention_backward_tiled(const AttentionShape& a, const S* q, const S* k, const S* v, const S* o,
                              const S* lse, const S* dout, S* dq, S* dk, S* dv, const AttentionBlocks& blocks = {});

}  // namespace ablate
