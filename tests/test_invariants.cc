// Invariants of the engine: equivalent configurations give the same numbers, and the fast paths
// (tiled attention, KV-cache decoding) equal the simple ones.
#include <gtest/gtest.h>

#include "components/attention/attention_kernels.h"
#include "components/model/model.h"
#include "components/model/registry.h"
#include "tests/test_support.h"

namespace ablate {
namespace {

using testing::normal_vector;
using testing::relative_error;

std::vector<int32_t> random_tokens(int64_t n, int64_t vocab, uint64_t seed) {
  Rng rng(seed);
  std::vector<int32_t> t(n);
  for (auto& x : t) x = static_cast<int32_t>(rng.below(vocab));
  return t;
}

std::vector<float> logits_of(ModelConfig config, const std::vector<int32_t>& tokens, int64_t B, int64_t T,
                             uint64_t seed = 5) {
  Model<float> model(config, seed);
  return model.forward(tokens.data(), B, T).data;
}

TEST(Invariants, GqaWithAllKvHeadsEqualsMha) {
  ModelConfig mha = testing::tiny_config("llama");
  mha.attention.type = "mha";
  mha.attention.n_kv_heads = 0;
  mha.resolve();
  ModelConfig gqa = mha;
  gqa.attention.type = "gqa";
  gqa.attention.n_kv_heads = gqa.attention.n_heads;
  gqa.resolve();
  const auto tokens = random_tokens(2 * 12, mha.vocab_size, 1);
  EXPECT_EQ(logits_of(mha, tokens, 2, 12), logits_of(gqa, tokens, 2, 12));
}

// Every scaling with factor 1 equals plain RoPE, at and past the original context. The one
// exception is Hugging Face's dynamic NTK, whose base b·((s·L/M) − (s−1))^(d/(d−2)) still grows
// with L past M when s = 1, so it equals plain RoPE only up to M.
TEST(Invariants, ScalingFactorOneEqualsNoScaling) {
  ModelConfig plain = testing::tiny_config("llama");
  plain.context = 8;
  for (const int64_t T : {8, 16}) {
    const auto tokens = random_tokens(2 * T, plain.vocab_size, 2);
    const auto reference = logits_of(plain, tokens, 2, T);
    for (const auto& type : variant_names("position.scaling")) {
      if (type == "dynamic_ntk" && T > plain.context) continue;
      ModelConfig scaled = plain;
      scaled.position.scaling.type = type;
      scaled.position.scaling.factor = 1.0;
      scaled.resolve();
      EXPECT_LE(relative_error(logits_of(scaled, tokens, 2, T), reference), 1e-6) << type << " at T=" << T;
    }
  }
}

TEST(Invariants, RotaryDimEqualToHeadDimEqualsFullRope) {
  ModelConfig full = testing::tiny_config("llama");
  ModelConfig explicit_dim = full;
  explicit_dim.position.rotary_dim = full.head_dim();
  explicit_dim.resolve();
  const auto tokens = random_tokens(2 * 10, full.vocab_size, 3);
  EXPECT_EQ(logits_of(full, tokens, 2, 10), logits_of(explicit_dim, tokens, 2, 10));
}

TEST(Invariants, PartialRotaryDiffersFromFull) {  // guards the test above against a no-op rotary_dim
  ModelConfig full = testing::tiny_config("llama");
  ModelConfig partial = full;
  partial.position.rotary_dim = 2;
  partial.resolve();
  const auto tokens = random_tokens(2 * 10, full.vocab_size, 3);
  EXPECT_GT(relative_error(logits_of(partial, tokens, 2, 10), logits_of(full, tokens, 2, 10)), 1e-3);
}

// Tiled online-softmax attention equals the naive one: several query and key tile sizes
// (smaller than, not dividing, and larger than T), grouped heads, and queries that start after
// cached keys.
TEST(Invariants, TiledAttentionEqualsNaive) {
  struct Case { int64_t B, Tq, Tk, H, Hkv, D; };
  struct Tiles { int64_t query, key; };
  for (const Case& c : {Case{2, 13, 13, 4, 4, 8}, Case{1, 9, 9, 4, 1, 4}, Case{2, 5, 17, 6, 2, 8},
                        Case{1, 1, 30, 2, 2, 16}, Case{1, 70, 70, 2, 1, 8}})
    for (const Tiles tiles : {Tiles{1, 1}, Tiles{3, 3}, Tiles{4, 4}, Tiles{64, 64}, Tiles{3, 5}, Tiles{4, 512}}) {
      AttentionShape a{c.B, c.Tq, c.Tk, c.H, c.Hkv, c.D, c.Tk - c.Tq, c.Tk * c.Hkv * c.D};
      Rng rng(c.Tq * 100 + tiles.query * 10 + tiles.key);
      const auto q = normal_vector<double>(c.B * c.Tq * c.H * c.D, rng);
      const auto k = normal_vector<double>(c.B * c.Tk * c.Hkv * c.D, rng);
      const auto v = normal_vector<double>(c.B * c.Tk * c.Hkv * c.D, rng);
      std::vector<double> o1(q.size()), o2(q.size()), l1(c.B * c.H * c.Tq), l2(l1.size());
      attention_forward_naive(a, q.data(), k.data(), v.data(), o1.data(), l1.data());
      attention_forward_tiled(a, q.data(), k.data(), v.data(), o2.data(), l2.data(),
                              AttentionBlocks{tiles.query, tiles.key});
      const std::string where = "Tq=" + std::to_string(c.Tq) + " Tk=" + std::to_string(c.Tk) +
                                " tiles=" + std::to_string(tiles.query) + "x" + std::to_string(tiles.key);
      EXPECT_LE(relative_error(o2, o1), 1e-12) << where;
      EXPECT_LE(relative_error(l2, l1), 1e-12) << where;
    }
}

// The fp32 kernels (oneDNN products from two rows up) against the same kernels in double (Eigen),
// forward and backward, for MHA, GQA and MQA at the default tiles, over more keys than one key
// tile holds and a length that fills no tile evenly.
TEST(Invariants, Fp32AttentionKernelsEqualDouble) {
  struct Case { int64_t B, T, H, Hkv; };
  for (const Case& c : {Case{2, 37, 4, 4}, Case{1, 600, 4, 2}, Case{2, 130, 4, 1}}) {
    const int64_t D = 16, nq = c.B * c.T * c.H * D, nkv = c.B * c.T * c.Hkv * D;
    const AttentionShape a{c.B, c.T, c.T, c.H, c.Hkv, D, 0, c.T * c.Hkv * D};
    Rng rng(c.T);
    const auto q = normal_vector<double>(nq, rng), dout = normal_vector<double>(nq, rng);
    const auto k = normal_vector<double>(nkv, rng), v = normal_vector<double>(nkv, rng);
    auto to_float = [](const std::vector<double>& x) { return std::vector<float>(x.begin(), x.end()); };
    std::vector<double> o(nq), lse(c.B * c.H * c.T), dq(nq), dk(nkv), dv(nkv);
    attention_forward_tiled(a, q.data(), k.data(), v.data(), o.data(), lse.data());
    attention_backward_tiled(a, q.data(), k.data(), v.data(), o.data(), lse.data(), dout.data(), dq.data(),
                             dk.data(), dv.data());
    const auto qf = to_float(q), kf = to_float(k), vf = to_float(v), doutf = to_float(dout);
    std::vector<float> of(nq), lsef(lse.size()), dqf(nq), dkf(nkv), dvf(nkv);
    attention_forward_tiled(a, qf.data(), kf.data(), vf.data(), of.data(), lsef.data());
    attention_backward_tiled(a, qf.data(), kf.data(), vf.data(), of.data(), lsef.data(), doutf.data(), dqf.data(),
                             dkf.data(), dvf.data());
    const std::string where = "T=" + std::to_string(c.T) + " Hkv=" + std::to_string(c.Hkv);
    EXPECT_LE(relative_error(of, o), 1e-5) << where;
    EXPECT_LE(relative_error(lsef, lse), 1e-5) << where;
    EXPECT_LE(relative_error(dqf, dq), 1e-4) << where;
    EXPECT_LE(relative_error(dkf, dk), 1e-4) << where;
    EXPECT_LE(relative_error(dvf, dv), 1e-4) << where;
  }
}

// The MLPs in fp32 (Eigen's vectorised tanh, erf and exp on whole packets) against the same
// weights in double (the C library's functions), forward and backward, for both GELU forms. The
// inputs reach |u| ≈ 8, into the activations' tails, and the element count fills no packet evenly.
TEST(Invariants, Fp32MlpsEqualDouble) {
  for (const auto& name : variant_names("mlp"))
    for (const std::string form : {"tanh", "erf"}) {
      ModelConfig c;
      c.d_model = 12;
      c.attention.n_heads = 3;
      c.mlp.type = name;
      c.mlp.form = form;
      c.mlp.hidden = 37;
      c.resolve();
      auto mlp_d = make_mlp<double>(c);
      auto mlp_f = make_mlp<float>(c);
      Rng rng(8);
      const auto params_d = mlp_d->parameters();
      const auto params_f = mlp_f->parameters();
      ASSERT_EQ(params_d.size(), params_f.size());
      for (size_t p = 0; p < params_d.size(); ++p) {
        Tensor<double>& value = params_d[p].param->value;
        const auto w = normal_vector<double>(value.numel(), rng, 0.8);
        for (int64_t i = 0; i < value.numel(); ++i) {
          value[i] = w[i];
          params_f[p].param->value[i] = static_cast<float>(w[i]);
        }
        params_f[p].param->mark_changed();
      }
      const int64_t N = 7;
      const auto x = normal_vector<double>(N * 12, rng, 1.5), dy = normal_vector<double>(N * 12, rng);
      const std::vector<float> xf(x.begin(), x.end()), dyf(dy.begin(), dy.end());
      std::vector<double> y(N * 12), dx(N * 12);
      std::vector<float> yf(N * 12), dxf(N * 12);
      mlp_d->forward(x.data(), y.data(), N);
      mlp_d->backward(dy.data(), dx.data(), N);
      mlp_f->forward(xf.data(), yf.data(), N);
      mlp_f->backward(dyf.data(), dxf.data(), N);
      EXPECT_LE(relative_error(yf, y), 1e-5) << name << " " << form;
      EXPECT_LE(relative_error(dxf, dx), 1e-5) << name << " " << form;
    }
}

TEST(Invariants, ModelWithNaiveAttentionEqualsTiled) {
  for (const auto& family : testing::families()) {
    const ModelConfig c = testing::tiny_config(family);
    const auto tokens = random_tokens(2 * 16, c.vocab_size, 4);
    Model<float> tiled(c, 9), naive(c, 9);
    for (auto& block : tiled.blocks()) {
      block->attention().blocks.tile = 5;
      block->attention().blocks.key_tile = 3;
    }
    for (auto& block : naive.blocks()) block->attention().kernel = AttentionKernel::kNaive;
    EXPECT_LE(relative_error(tiled.forward(tokens.data(), 2, 16).data, naive.forward(tokens.data(), 2, 16).data), 1e-5)
        << family;
  }
}

// Decoding token by token (and in uneven chunks) with the KV cache equals the full forward pass.
TEST(Invariants, KvCacheDecodingEqualsFullForward) {
  for (const auto& family : testing::families()) {
    const ModelConfig c = testing::tiny_config(family);
    const int64_t B = 2, T = 16, V = c.vocab_size;
    const auto tokens = random_tokens(B * T, V, 6);
    Model<float> model(c, 10);
    const std::vector<float> full = model.forward(tokens.data(), B, T).data;
    for (const std::vector<int64_t>& chunks : {std::vector<int64_t>(T, 1), std::vector<int64_t>{5, 1, 7, 3}}) {
      std::vector<KVCache<float>> caches;
      std::vector<float> incremental(B * T * V);
      int64_t pos = 0;
      for (int64_t n : chunks) {
        std::vector<int32_t> step(B * n);
        for (int64_t b = 0; b < B; ++b)
          for (int64_t t = 0; t < n; ++t) step[b * n + t] = tokens[b * T + pos + t];
        const auto& logits = model.forward_cached(step.data(), B, n, caches);
        for (int64_t b = 0; b < B; ++b)
          std::copy_n(logits.ptr() + b * n * V, n * V, incremental.data() + (b * T + pos) * V);
        pos += n;
      }
      EXPECT_LE(relative_error(incremental, full), 1e-5) << family << " in " << chunks.size() << " chunks";
      EXPECT_EQ(caches[0].length, T);
    }
  }
}

// KV-cache bytes held at a context: 2 · n_kv_heads · head_dim · 4 per token and layer.
TEST(Invariants, KvCacheBytesFollowKvHeads) {
  std::vector<int64_t> bytes;
  for (const std::string type : {"mha", "gqa", "mqa"}) {
    ModelConfig c = testing::tiny_config("llama");
    c.attention.type = type;
    c.attention.n_kv_heads = type == "gqa" ? 2 : 0;
    c.resolve();
    Model<float> model(c, 1);
    std::vector<KVCache<float>> caches(c.n_layers);
    for (auto& cache : caches) cache.reserve(1, c.n_kv_heads(), c.head_dim(), 64);
    const auto tokens = random_tokens(64, c.vocab_size, 8);
    model.forward_cached(tokens.data(), 1, 64, caches);
    int64_t held = 0;
    for (auto& cache : caches) held += cache.bytes_allocated();
    EXPECT_EQ(held, 64 * c.kv_cache_bytes_per_token()) << type;
    bytes.push_back(held);
  }
  EXPECT_EQ(bytes[0], 2 * bytes[1]);  // 4 heads : 2 kv heads : 1 kv head
  EXPECT_EQ(bytes[0], 4 * bytes[2]);
}

TEST(Invariants, OutOfRangeTokenIsRejected) {
  Model<float> model(testing::tiny_config("llama"), 1);
  const std::vector<int32_t> tokens = {1, 2, 32, 3};
  try {
    model.forward(tokens.data(), 1, 4);
    FAIL() << "no error";
  } catch (const std::out_of_range& e) {
    EXPECT_NE(std::string(e.what()).find("token id 32 at (batch 0, position 2)"), std::string::npos) << e.what();
  }
}

TEST(Invariants, LearnedPositionsRejectSequencesPastTheirTable) {
  Model<float> model(testing::tiny_config("gpt2"), 1);
  const auto tokens = random_tokens(17, 32, 1);
  EXPECT_THROW(model.forward(tokens.data(), 1, 17), std::out_of_range);
}

}  // namespace
}  // namespace ablate
