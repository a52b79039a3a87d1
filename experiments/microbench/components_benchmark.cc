// Per-component cost: forward and backward of every registered variant at realistic shapes,
// Google Benchmark. The registry is looped over (components/model/registry.h), so a new variant is
// benchmarked without touching this file.
//
//   build/ablate_components_benchmark [--threads=N] [--benchmark_filter=REGEX] [--benchmark_min_time=S]
//
// Shapes: B·T = 2048 rows of d = 512 (B = 8, T = 256), 8 heads of 64.
//   norm/NAME            Norm forward / backward on (2048, 512).
//   mlp/NAME             Mlp forward / backward on (2048, 512); hidden auto (GELU 4d = 2048,
//                        SwiGLU 8/3·d → 1368: parameter-matched).
//   position/NAME[:SCALING]  what the variant does to one layer's activations: add_to_embeddings on
//                        x (B, T, d) plus rotate on q and k (B, T, 8, 64) (each variant implements
//                        the hooks that apply to it; RoPE runs per layer, absolute encodings once per
//                        model). RoPE is run under every registered scaling (factor 4, original
//                        context 64, so every method is active at T = 256).
//   attention/NAME/T=…   Attention forward / backward (projections + tiled attention + RoPE), at
//                        T = 256 (B = 8) and T = 1024 (B = 2); mha, gqa (2 KV heads), mqa.
//   matmul/KERNEL/PRODUCT/MxKxN  the three products of linalg.h (xwt: y = x Wᵀ, xw: dx = dy W,
//                        dw: dW += dyᵀ x) at the SwiGLU layer's (2048, 512, 1368) and an attention
//                        projection's (2048, 512, 512) shapes, through each kernel: eigen (fp32),
//                        onednn (fp32, the engine's default), bf16 (bf16 operands, fp32 accumulation;
//                        skipped on a CPU without bf16 instructions). The GFLOP/s counter is 2·M·K·N
//                        per call; this is the comparison that puts oneDNN in the fp32 path.
// Items processed = rows (tokens), so the report's items/s column is tokens/s.
// Threads: --threads=N (default: every core) caps oneTBB, as `ablate --threads` does.
#include <benchmark/benchmark.h>

#include <oneapi/tbb/global_control.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "components/attention/attention.h"
#include "components/core/linalg.h"
#include "components/core/precision.h"
#include "components/core/random.h"
#include "components/mlp/mlp.h"
#include "components/model/registry.h"
#include "components/norm/norm.h"
#include "components/position/position.h"

namespace ablate {
namespace {

constexpr int64_t kRows = 2048, kDim = 512, kHeads = 8;

ModelConfig base_config() {
  ModelConfig c;
  c.d_model = kDim;
  c.n_layers = 1;
  c.context = 1024;
  c.attention.n_heads = kHeads;
  c.position.type = "rope";
  return c;
}

ModelConfig resolved(ModelConfig c) {
  c.resolve("model");
  return c;
}

std::vector<float> random_vector(int64_t n, uint64_t seed) {
  Rng rng(seed);
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = static_cast<float>(rng.normal());
  return v;
}

// Registers NAME/forward and NAME/backward: `forward` runs once before every backward timing.
void register_pair(const std::string& name, int64_t rows, std::function<void()> forward,
                   std::function<void()> backward) {
  benchmark::RegisterBenchmark((name + "/forward").c_str(), [=](benchmark::State& state) {
    for (auto _ : state) forward();
    state.SetItemsProcessed(state.iterations() * rows);
  })->Unit(benchmark::kMicrosecond)->UseRealTime();
  benchmark::RegisterBenchmark((name + "/backward").c_str(), [=](benchmark::State& state) {
    forward();
    for (auto _ : state) backward();
    state.SetItemsProcessed(state.iterations() * rows);
  })->Unit(benchmark::kMicrosecond)->UseRealTime();
}

void register_norms() {
  for (const std::string& name : variant_names("norm")) {
    ModelConfig c = base_config();
    c.norm.type = name;
    std::shared_ptr<Norm<float>> norm = make_norm<float>(resolved(c));
    auto x = std::make_shared<std::vector<float>>(random_vector(kRows * kDim, 1));
    auto y = std::make_shared<std::vector<float>>(kRows * kDim);
    auto dx = std::make_shared<std::vector<float>>(kRows * kDim);
    register_pair("norm/" + name, kRows, [=] { norm->forward(x->data(), y->data(), kRows); },
                  [=] { norm->backward(x->data(), dx->data(), kRows); });  // x doubles as dy
  }
}

void register_mlps() {
  for (const std::string& name : variant_names("mlp")) {
    ModelConfig c = base_config();
    c.mlp.type = name;
    std::shared_ptr<Mlp<float>> mlp = make_mlp<float>(resolved(c));
    for (auto& p : mlp->parameters()) p.param->value.data = random_vector(p.param->value.numel(), 2);
    auto x = std::make_shared<std::vector<float>>(random_vector(kRows * kDim, 3));
    auto y = std::make_shared<std::vector<float>>(kRows * kDim);
    auto dx = std::make_shared<std::vector<float>>(kRows * kDim);
    register_pair("mlp/" + name, kRows, [=] { mlp->forward(x->data(), y->data(), kRows); },
                  [=] { mlp->backward(x->data(), dx->data(), kRows); });
  }
}

void register_positions() {
  const int64_t T = 256, B = kRows / T, D = kDim / kHeads;
  for (const std::string& name : variant_names("position")) {
    std::vector<std::string> scalings = {""};
    if (name == "rope") scalings = variant_names("position.scaling");
    for (const std::string& scaling : scalings) {
      ModelConfig c = base_config();
      c.position.type = name;
      if (!scaling.empty()) {
        c.position.scaling.type = scaling;
        c.position.scaling.factor = scaling == "none" ? 1.0 : 4.0;
        c.position.scaling.original_context = 64;
      }
      std::shared_ptr<Position<float>> pos = make_position<float>(resolved(c));
      auto x = std::make_shared<std::vector<float>>(random_vector(B * T * kDim, 4));
      auto q = std::make_shared<std::vector<float>>(random_vector(B * T * kHeads * D, 5));
      auto k = std::make_shared<std::vector<float>>(random_vector(B * T * kHeads * D, 6));
      register_pair(
          "position/" + name + (scaling.empty() ? "" : ":" + scaling), kRows,
          [=] {
            pos->add_to_embeddings(x->data(), B, T, 0);
            pos->rotate(q->data(), B, T, kHeads, 0, T);
            pos->rotate(k->data(), B, T, kHeads, 0, T);
          },
          [=] {
            pos->add_to_embeddings_backward(x->data(), B, T, 0);
            pos->rotate_backward(q->data(), B, T, kHeads, 0, T);
            pos->rotate_backward(k->data(), B, T, kHeads, 0, T);
          });
    }
  }
}

// An attention layer and the RoPE it points to.
struct AttentionLayer {
  explicit AttentionLayer(const ModelConfig& c) : position(make_position<float>(c)), attention(c, position.get()) {}
  std::unique_ptr<Position<float>> position;
  Attention<float> attention;
};

void register_attention() {
  for (const std::string& name : variant_names("attention")) {
    for (const int64_t T : {int64_t(256), int64_t(1024)}) {
      const int64_t B = kRows / T;
      ModelConfig c = base_config();
      c.attention.type = name;
      if (name == "gqa") c.attention.n_kv_heads = 2;
      c = resolved(c);
      auto layer = std::make_shared<AttentionLayer>(c);
      for (auto& p : layer->attention.parameters()) {
        p.param->value.data = random_vector(p.param->value.numel(), 7);
        for (float& w : p.param->value.data) w *= 0.05f;  // keeps the softmax away from one-hot
      }
      auto x = std::make_shared<std::vector<float>>(random_vector(B * T * kDim, 8));
      auto y = std::make_shared<std::vector<float>>(B * T * kDim);
      auto dx = std::make_shared<std::vector<float>>(B * T * kDim);
      register_pair("attention/" + name + "/T=" + std::to_string(T), B * T,
                    [=] { layer->attention.forward(x->data(), y->data(), B, T); },
                    [=] { layer->attention.backward(x->data(), dx->data(), B, T); });
    }
  }
}

void register_matmuls() {
  struct Shape {
    int64_t M, K, N;
  };
  for (const Shape shape : {Shape{kRows, kDim, 1368}, Shape{kRows, kDim, kDim}}) {
    const int64_t M = shape.M, K = shape.K, N = shape.N;
    auto x = std::make_shared<std::vector<float>>(random_vector(M * K, 4));
    auto w = std::make_shared<std::vector<float>>(random_vector(N * K, 5));
    auto dy = std::make_shared<std::vector<float>>(random_vector(M * N, 6));
    auto w16 = std::make_shared<std::vector<Bf16>>(N * K);
    to_bf16(w->data(), w16->data(), N * K);
    auto y = std::make_shared<std::vector<float>>(M * N);
    auto dx = std::make_shared<std::vector<float>>(M * K);
    auto dw = std::make_shared<std::vector<float>>(N * K);
    for (const std::string kernel : {"eigen", "onednn", "bf16"}) {
      if (kernel == "bf16" && cpu_bf16_feature().empty()) continue;
      const bool bf16 = kernel == "bf16";
      const GemmBackend backend = kernel == "eigen" ? GemmBackend::kEigen : GemmBackend::kOneDnn;
      const std::vector<std::pair<std::string, std::function<void()>>> products = {
          {"xwt", [=] { bf16 ? matmul_xwt_bf16(x->data(), w16->data(), y->data(), M, K, N, false)
                             : matmul_xwt(x->data(), w->data(), y->data(), M, K, N, false); }},
          {"xw", [=] { bf16 ? matmul_xw_bf16(dy->data(), w16->data(), dx->data(), M, N, K, false)
                            : matmul_xw(dy->data(), w->data(), dx->data(), M, N, K, false); }},
          {"dw", [=] { bf16 ? matmul_dw_bf16(dy->data(), x->data(), dw->data(), M, N, K)
                            : matmul_dw(dy->data(), x->data(), dw->data(), M, N, K); }}};
      for (const auto& [product, run] : products) {
        const std::string name = "matmul/" + kernel + "/" + product + "/" + std::to_string(M) + "x" +
                                 std::to_string(K) + "x" + std::to_string(N);
        benchmark::RegisterBenchmark(name.c_str(), [=, run = run](benchmark::State& state) {
          set_fp32_gemm_backend(backend);
          for (auto _ : state) run();
          set_fp32_gemm_backend(GemmBackend::kOneDnn);
          state.counters["GFLOP/s"] =
              benchmark::Counter(2e-9 * double(M) * double(K) * double(N) * double(state.iterations()),
                                 benchmark::Counter::kIsRate);
        })->Unit(benchmark::kMicrosecond)->UseRealTime();
      }
    }
  }
}

}  // namespace
}  // namespace ablate

int main(int argc, char** argv) {
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    if (std::strncmp(argv[i], "--threads=", 10) == 0) threads = std::max(1, std::atoi(argv[i] + 10));
    else args.push_back(argv[i]);
  }
  int n = static_cast<int>(args.size());
  tbb::global_control parallelism(tbb::global_control::max_allowed_parallelism, threads);
  benchmark::AddCustomContext("threads", std::to_string(threads));
  ablate::register_norms();
  ablate::register_mlps();
  ablate::register_positions();
  ablate::register_attention();
  ablate::register_matmuls();
  benchmark::Initialize(&n, args.data());
  if (benchmark::ReportUnrecognizedArguments(n, args.data())) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
