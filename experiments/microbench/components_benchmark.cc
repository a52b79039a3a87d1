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
  benchmark::Initialize(&n, args.data());
  if (benchmark::ReportUnrecognizedArguments(n, args.data())) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
