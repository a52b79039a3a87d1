// `ablate bench` and its `bench:` section: parsing, the errors of bad sections, the machine probes
// (the FMA kernel's arithmetic, the bandwidth buffer's size), and a tiny end-to-end run whose
// bench.json must hold every field (both peaks and both MFUs, finite positive bounds, a decode
// working set of exactly weights + KV bytes), KV-cache bytes equal to the analytic ones and in the
// ratio 8:2:1 for MHA:GQA:MQA at 8 heads. No wall-clock limits: speed targets live in benchmarks.
#include <gtest/gtest.h>
#include <gmock/gmock.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <map>
#include <set>
#include <sstream>

#include "components/core/precision.h"
#include "experiments/bench_probes.h"
#include "experiments/cli.h"
#include "harness/checkpoints/experiment_inputs.h"
#include "harness/config/config_tree.h"
#include "harness/config/experiment_config.h"
#include "tests/test_support.h"

namespace ablate {
namespace {

using ::testing::HasSubstr;
using nlohmann::json;

const char* kModel = "model: {d_model: 32, n_layers: 1, context: 64, attention: {n_heads: 8}}\n";
const char* kThreeModels =
    "  models: {mha: {}, gqa: {model.attention: {type: gqa, n_kv_heads: 2}}, mqa: {model.attention.type: mqa}}\n";

ExperimentConfig parse(const std::string& yaml) {
  return parse_experiment(load_config_tree_text(yaml, "bench.yaml"), "bench", experiment_inputs_from_files());
}

TEST(BenchConfigTest, PrecisionsDefaultToTheConfigsAndTheCommittedBf16BenchHasBoth) {
  EXPECT_EQ(parse(std::string(kModel) + "bench: {}\n").bench.precisions, (std::vector<std::string>{"fp32"}));
  EXPECT_EQ(parse(std::string(kModel) + "precision: bf16\nbench: {}\n").bench.precisions,
            (std::vector<std::string>{"bf16"}));
  const ExperimentConfig c =
      parse_experiment(load_config_tree(std::string(ABLATE_SOURCE_DIR) + "/configs/bench/llama_6x512_bf16.yaml"),
                       "llama_6x512_bf16", experiment_inputs_from_files());
  EXPECT_EQ(c.bench.precisions, (std::vector<std::string>{"fp32", "bf16"}));
  ASSERT_EQ(c.bench.models.size(), 3u);
  EXPECT_EQ(c.bench.models[2].name, "mqa");
}

TEST(BenchConfigTest, ReadsModelsAsOverridesOfTheModel) {
  const ExperimentConfig c = parse(std::string(kModel) + "bench:\n" + kThreeModels +
                                   "  batch_size: 2\n  train_context: 32\n  prefill_contexts: [16, 64]\n"
                                   "  decode_contexts: []\n  kv_contexts: [128]\n  warmup: 0\n  repeats: 3\n");
  const BenchConfig& b = c.bench;
  ASSERT_TRUE(b.enabled);
  ASSERT_EQ(b.models.size(), 3u);
  EXPECT_EQ(b.models[0].name, "mha");  // in the order written
  EXPECT_EQ(b.models[1].name, "gqa");
  EXPECT_EQ(b.models[2].name, "mqa");
  EXPECT_EQ(b.models[0].model.n_kv_heads(), 8);
  // A mapping value merges key by key: n_heads stays 8.
  EXPECT_EQ(b.models[1].model.attention.n_heads, 8);
  EXPECT_EQ(b.models[1].model.n_kv_heads(), 2);
  EXPECT_EQ(b.models[1].overrides, (json{{"model.attention.type", "gqa"}, {"model.attention.n_kv_heads", 2}}));
  // n_kv_heads is derived again for the new type rather than kept at the base's 8.
  EXPECT_EQ(b.models[2].model.n_kv_heads(), 1);
  EXPECT_EQ(b.models[2].model.d_model, 32);
  EXPECT_EQ(b.batch_size, 2);
  EXPECT_EQ(b.train_context, 32);
  EXPECT_EQ(b.prefill_contexts, (std::vector<int64_t>{16, 64}));
  EXPECT_TRUE(b.decode_contexts.empty());
  EXPECT_EQ(b.kv_contexts, (std::vector<int64_t>{128}));
  EXPECT_EQ(b.warmup, 0);
  EXPECT_EQ(b.repeats, 3);
}

TEST(BenchConfigTest, DefaultsToTheBaseModelAndRederivesTheMlpSize) {
  const ExperimentConfig c = parse(std::string(kModel) + "bench: {}\n");
  ASSERT_EQ(c.bench.models.size(), 1u);
  EXPECT_EQ(c.bench.models[0].name, "base");
  EXPECT_EQ(c.bench.models[0].model.d_model, 32);
  EXPECT_FALSE(parse(kModel).bench.enabled);

  const ExperimentConfig wide = parse(std::string(kModel) + "bench: {models: {wide: {model.d_model: 64}}}\n");
  EXPECT_EQ(wide.bench.models[0].model.mlp_hidden(), 176);  // auto size of d = 64, not d = 32's 88
}

TEST(BenchConfigTest, SurvivesTheResultRoundTrip) {
  const ExperimentConfig c = parse(std::string(kModel) + "bench:\n" + kThreeModels + "  decode_contexts: [8]\n");
  const json j = experiment_to_json(c);
  ASSERT_TRUE(j.contains("bench"));
  const ExperimentConfig back = experiment_from_json(j, "result.json", experiment_inputs_from_files());
  EXPECT_EQ(experiment_to_json(back), j);
  ASSERT_EQ(back.bench.models.size(), 3u);
  for (const BenchModel& m : back.bench.models) {
    const auto it = std::find_if(c.bench.models.begin(), c.bench.models.end(),
                                 [&](const BenchModel& o) { return o.name == m.name; });
    ASSERT_NE(it, c.bench.models.end()) << m.name;
    EXPECT_EQ(m.model.n_kv_heads(), it->model.n_kv_heads()) << m.name;
  }
}

TEST(BenchConfigTest, EachBadSectionGetsItsMessage) {
  const std::string M = kModel;
  const std::vector<std::pair<std::string, std::string>> rows = {
      {"bench: {iterations: 3}\n", "bench.iterations: unknown key (allowed: models, precisions, batch_size"},
      {"bench: {models: {}}\n", "bench.models: expected a non-empty mapping"},
      {"bench: {models: [mha]}\n", "bench.models: expected a non-empty mapping"},
      {"bench: {prefill_contexts: [16, -4]}\n", "bench.prefill_contexts[1]: must be >= 1, found -4"},
      {"bench: {decode_contexts: [0]}\n", "bench.decode_contexts[0]: must be >= 1, found 0"},
      {"bench: {kv_contexts: [-1]}\n", "bench.kv_contexts[0]: must be >= 1, found -1"},
      {"bench: {kv_contexts: 4096}\n", "bench.kv_contexts: expected a list of context lengths"},
      {"bench: {train_context: -256}\n", "bench.train_context: must be >= 1, found -256"},
      {"bench: {batch_size: 0}\n", "bench.batch_size: must be >= 1, found 0"},
      {"bench: {repeats: 0}\n", "bench.repeats: must be >= 1, found 0"},
      {"bench: {warmup: -1}\n", "bench.warmup: must be >= 0, found -1"},
      {"bench: {models: {x: {attention.type: mqa}}}\n", "bench.models.x.attention.type: override keys are dotted paths under model."},
      {"bench: {models: {x: mqa}}\n", "bench.models.x: expected a mapping of overrides"},
      {"bench: {models: {x: {model.attention: {type: gqa, n_kv_heads: 3}}}}\n",
       "bench.models.x.model.attention.n_kv_heads: 3 does not divide n_heads=8"},
      {"bench: {models: {x: {model.norm.kind: rmsnorm}}}\n", "bench.models.x.model.norm.kind: unknown key"},
      {"bench: {precisions: [fp32, fp16]}\n", "bench.precisions[1]: unknown precision 'fp16' (known: fp32, bf16)"},
      {"bench: {precisions: [bf16, bf16]}\n", "bench.precisions[1]: 'bf16' is listed twice"},
      {"bench: {precisions: bf16}\n", "bench.precisions: expected a non-empty list of precisions like [fp32, bf16]"},
      {"bench: {precisions: []}\n", "bench.precisions: expected a non-empty list of precisions"},
  };
  for (const auto& [section, message] : rows) {
    try {
      parse(M + section);
      ADD_FAILURE() << "no error for " << section;
    } catch (const ConfigError& e) {
      EXPECT_THAT(e.what(), HasSubstr(message)) << section;
      EXPECT_THAT(e.what(), HasSubstr("bench.yaml")) << section;
    }
  }
  // A learned position table bounds every context the bench runs.
  try {
    parse("model: {d_model: 32, n_layers: 1, context: 64, position: {type: learned}}\n"
          "bench: {train_context: 32, prefill_contexts: [64], decode_contexts: [60], decode_tokens: 8}\n");
    ADD_FAILURE() << "no error for a decode past the learned table";
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("bench.decode_contexts[0]: 60 + decode_tokens 8 exceeds model.context=64"));
  }
}

class BenchCommandTest : public testing::TempDirTest {};

TEST_F(BenchCommandTest, WritesEveryFieldAndMeasuresTheKvCacheFromAllocations) {
  const std::string config = file("tiny.yaml");
  testing::write_bytes(config, std::string("name: tiny\n") + kModel + "bench:\n" + kThreeModels +
                                   "  batch_size: 2\n  train_context: 16\n  prefill_contexts: [16, 32]\n"
                                   "  decode_contexts: [8, 24]\n  decode_tokens: 2\n  kv_contexts: [64, 100]\n"
                                   "  warmup: 1\n  repeats: 2\n  matmul_size: 64\n  bandwidth_mib: 2\n");
  const std::string dir = file("out");
  std::ostringstream out, err;
  ASSERT_EQ(run_cli({"bench", config, "-o", dir, "--threads", "1"}, out, err), 0) << err.str();
  EXPECT_THAT(out.str(), HasSubstr("tiny: mqa fp32: train"));
  const json r = json::parse(testing::read_bytes(dir + "/bench.json"));
  EXPECT_EQ(r["format"], "ablate-result/1");
  EXPECT_EQ(r["kind"], "bench");
  EXPECT_EQ(r["name"], "tiny");
  EXPECT_EQ(r["config"]["bench"]["kv_contexts"], (json{64, 100}));
  const json& b = r["bench"];
  auto finite_positive = [](const json& v) { return v.is_number() && std::isfinite(v.get<double>()) && v.get<double>() > 0; };
  for (const char* key : {"matmul_peak_gflops", "matmul_single_thread_gflops", "matmul_eigen_peak_gflops",
                          "fma_peak_gflops", "memory_read_bandwidth_gbps"})
    EXPECT_TRUE(finite_positive(b.at(key))) << key;
  EXPECT_FALSE(b.contains("matmul_bf16_peak_gflops"));  // no bf16 model was asked for
  EXPECT_EQ(b["precisions"], (json{"fp32"}));
  EXPECT_EQ(b["onednn_isa"], onednn_isa());
  for (const char* when : {"machine_before", "machine_after"})
    for (const char* key : {"matmul_gflops", "matmul_single_thread_gflops", "fma_gflops", "memory_read_bandwidth_gbps"})
      EXPECT_TRUE(finite_positive(b.at(when).at(key))) << when << " " << key;
  EXPECT_EQ(b["fma_isa"], fma_isa());
  EXPECT_TRUE((std::set<std::string>{"avx512", "avx2", "scalar"}).count(b["fma_isa"].get<std::string>()));
  EXPECT_EQ(b["fma_lanes"], fma_lanes());
  EXPECT_EQ(b["fma_chains"], kFmaChains);
  EXPECT_EQ(b["threads"], 1);
  ASSERT_EQ(b["models"].size(), 3u);

  std::map<std::string, std::map<int64_t, int64_t>> allocated;
  for (const json& m : b["models"]) {
    const std::string name = m.at("name");
    for (const char* key : {"train_tokens_per_second", "train_tokens_per_second_min", "train_tokens_per_second_max",
                            "mfu", "mfu_fma", "model_flops_per_token"})
      EXPECT_TRUE(finite_positive(m.at(key))) << name << " " << key;
    // Both MFUs are the same model FLOP rate over the two peaks.
    const double flops = m["model_flops_per_token"].get<double>() * m["train_tokens_per_second"].get<double>();
    EXPECT_NEAR(m["mfu"].get<double>(), flops / (b["matmul_peak_gflops"].get<double>() * 1e9), 1e-12 * flops);
    EXPECT_NEAR(m["mfu_fma"].get<double>(), flops / (b["fma_peak_gflops"].get<double>() * 1e9), 1e-12 * flops);
    EXPECT_LE(m["train_tokens_per_second_min"].get<double>(), m["train_tokens_per_second"].get<double>());
    EXPECT_GE(m["train_tokens_per_second_max"].get<double>(), m["train_tokens_per_second"].get<double>());
    for (const char* key : {"parameter_bytes", "optimizer_bytes", "peak_rss_bytes", "kv_cache_bytes_per_token"})
      EXPECT_GT(m.at(key).get<int64_t>(), 0) << name << " " << key;
    // AdamW holds two moments per parameter.
    EXPECT_EQ(m["optimizer_bytes"].get<int64_t>(), 2 * m["parameter_bytes"].get<int64_t>()) << name;
    ASSERT_EQ(m.at("prefill").size(), 2u) << name;
    for (const json& p : m["prefill"]) {
      EXPECT_GT(p.at("tokens_per_second").get<double>(), 0);
      EXPECT_LE(p.at("min").get<double>(), p.at("max").get<double>());
    }
    EXPECT_EQ(m["prefill"][1]["context"], 32);
    ASSERT_EQ(m.at("decode").size(), 2u) << name;
    for (const json& p : m["decode"]) {
      EXPECT_GT(p.at("tokens_per_second").get<double>(), 0);
      EXPECT_LE(p.at("min").get<double>(), p.at("max").get<double>());
      for (const char* key : {"bandwidth_bound_tokens_per_second", "dram_bound_tokens_per_second",
                              "working_set_read_bandwidth_gbps"})
        EXPECT_TRUE(finite_positive(p.at(key))) << name << " " << key;
      // The working set is the weights (tied embeddings: every parameter) + the KV cache at c.
      const int64_t c = p.at("context");
      const int64_t working_set = m["parameter_bytes"].get<int64_t>() + m["kv_cache_bytes_per_token"].get<int64_t>() * c;
      EXPECT_EQ(p.at("bytes_read_per_token").get<int64_t>(), working_set) << name << " " << c;
      EXPECT_EQ(p.at("working_set_bytes").get<int64_t>(), working_set) << name << " " << c;
      EXPECT_GE(p.at("working_set_passes").get<int64_t>() * working_set, std::min(int64_t(256) << 20, working_set << 16));
      EXPECT_NEAR(p["bandwidth_bound_tokens_per_second"].get<double>(),
                  p["working_set_read_bandwidth_gbps"].get<double>() * 1e9 / double(working_set),
                  1e-9 * p["bandwidth_bound_tokens_per_second"].get<double>());
    }
    // A longer context reads more KV bytes per token, so its DRAM bound (one bandwidth for both) is lower.
    EXPECT_LT(m["decode"][1]["dram_bound_tokens_per_second"].get<double>(),
              m["decode"][0]["dram_bound_tokens_per_second"].get<double>());
    ASSERT_EQ(m.at("kv_cache").size(), 2u) << name;
    for (const json& k : m["kv_cache"]) {
      const int64_t context = k.at("context");
      // Reserved for exactly this context: the allocation is the analytic size, byte for byte.
      EXPECT_EQ(k.at("bytes_allocated").get<int64_t>(), k.at("bytes_analytic").get<int64_t>()) << name;
      EXPECT_EQ(k["bytes_analytic"].get<int64_t>(), m["kv_cache_bytes_per_token"].get<int64_t>() * context);
      allocated[name][context] = k["bytes_allocated"];
    }
  }
  // 2 (K, V) · 1 layer · n_kv_heads · head_dim 4 · 4 bytes.
  EXPECT_EQ(b["models"][0]["kv_cache_bytes_per_token"], 2 * 8 * 4 * 4);
  for (int64_t context : {64, 100}) {
    EXPECT_EQ(allocated["mha"][context], 4 * allocated["gqa"][context]) << context;
    EXPECT_EQ(allocated["gqa"][context], 2 * allocated["mqa"][context]) << context;
    EXPECT_EQ(allocated["mqa"][context], 2 * 1 * 1 * 4 * 4 * context) << context;
  }
}

TEST_F(BenchCommandTest, EachModelInEachPrecisionWithMfuAgainstThatPrecisionsPeak) {
  if (cpu_bf16_feature().empty()) GTEST_SKIP() << "this CPU has no AVX512-BF16 or AMX-BF16: bench.precisions [bf16] is refused";
  const std::string config = file("tiny.yaml");
  testing::write_bytes(config, std::string("name: tiny\n") + kModel +
                                   "bench: {models: {mha: {}, mqa: {model.attention.type: mqa}}, precisions: [fp32, bf16], "
                                   "batch_size: 2, train_context: 16, prefill_contexts: [16], decode_contexts: [8], "
                                   "decode_tokens: 2, kv_contexts: [], warmup: 0, repeats: 1, matmul_size: 64, "
                                   "bandwidth_mib: 1}\n");
  std::ostringstream out, err;
  ASSERT_EQ(run_cli({"bench", config, "-o", file("out"), "--threads", "1"}, out, err), 0) << err.str();
  EXPECT_THAT(out.str(), HasSubstr("tiny: mqa bf16: train"));
  EXPECT_THAT(out.str(), HasSubstr("GFLOP/s bf16"));
  const json b = json::parse(testing::read_bytes(file("out/bench.json")))["bench"];
  EXPECT_EQ(b["precisions"], (json{"fp32", "bf16"}));
  ASSERT_EQ(b["models"].size(), 4u);
  std::vector<std::string> order;
  for (const json& m : b["models"]) {
    order.push_back(m["name"].get<std::string>() + " " + m["precision"].get<std::string>());
    const double flops = m["model_flops_per_token"].get<double>() * m["train_tokens_per_second"].get<double>();
    const char* peak = m["precision"] == "bf16" ? "matmul_bf16_peak_gflops" : "matmul_peak_gflops";
    EXPECT_NEAR(m["mfu"].get<double>(), flops / (b[peak].get<double>() * 1e9), 1e-12 * flops) << order.back();
  }
  EXPECT_EQ(order, (std::vector<std::string>{"mha fp32", "mha bf16", "mqa fp32", "mqa bf16"}));
  EXPECT_GT(b["matmul_bf16_peak_gflops"].get<double>(), 0);
}

TEST_F(BenchCommandTest, AnUntiedModelsWorkingSetLeavesOutTheEmbeddingTable) {
  // Decoding reads one row of an untied input embedding table, so the table is not in the working set.
  const std::string config = file("untied.yaml");
  testing::write_bytes(config, "name: untied\n"
                               "model: {d_model: 32, n_layers: 2, context: 64, tie_embeddings: false, attention: {n_heads: 4}}\n"
                               "bench: {batch_size: 1, train_context: 8, prefill_contexts: [], decode_contexts: [16], "
                               "decode_tokens: 1, kv_contexts: [], warmup: 0, repeats: 1, matmul_size: 32, bandwidth_mib: 1}\n");
  std::ostringstream out, err;
  ASSERT_EQ(run_cli({"bench", config, "-o", file("out"), "--threads", "1"}, out, err), 0) << err.str();
  EXPECT_THAT(out.str(), HasSubstr("% of the FMA peak"));
  const json r = json::parse(testing::read_bytes(file("out/bench.json")));
  const json& m = r["bench"]["models"][0];
  const int64_t V = m["model"]["vocab_size"], d = 32;
  const int64_t weights = m["parameter_bytes"].get<int64_t>() - V * d * 4;
  const int64_t kv = 2 * 2 * 4 * 8 * 4 * 16;  // K and V · 2 layers · 4 kv heads · head dim 8 · 4 bytes · 16 tokens
  EXPECT_EQ(m["kv_cache_bytes_per_token"].get<int64_t>() * 16, kv);
  EXPECT_EQ(m["decode"][0]["working_set_bytes"].get<int64_t>(), weights + kv);
}

TEST_F(BenchCommandTest, TheReportShowsBothMfus) {
  const std::string config = file("tiny.yaml");
  testing::write_bytes(config, std::string("name: tiny\n") + kModel +
                                   "bench: {batch_size: 1, train_context: 8, prefill_contexts: [8], decode_contexts: [8], "
                                   "decode_tokens: 1, kv_contexts: [], warmup: 0, repeats: 1, matmul_size: 32, "
                                   "bandwidth_mib: 1}\n");
  std::ostringstream out, err;
  ASSERT_EQ(run_cli({"bench", config, "-o", file("results/tiny"), "--threads", "1"}, out, err), 0) << err.str();
  ASSERT_EQ(run_cli({"report", file("results"), "-o", file("report")}, out, err), 0) << err.str();
  const json m = json::parse(testing::read_bytes(file("results/tiny/bench.json")))["bench"]["models"][0];
  auto percent = [](double x) {
    std::ostringstream s;
    s << std::fixed << std::setprecision(1) << 100 * x;
    return s.str();
  };
  const std::string md = testing::read_bytes(file("report/report.md"));
  EXPECT_THAT(md, HasSubstr("| model | MFU vs GEMM peak (%) | MFU vs FMA peak (%) |"));
  EXPECT_THAT(md, HasSubstr("| base | " + percent(m["mfu"].get<double>()) + " | " + percent(m["mfu_fma"].get<double>()) +
                            " |"));
}

TEST(BenchProbes, TheFmaKernelRunsEveryStepOfEveryChain) {
  // Chain k starts at 1 + k/64 and moves toward 1 by the factor (1 − 2⁻¹⁰) per step.
  const double lanes = fma_lanes();
  double start = 0;
  for (int k = 0; k < kFmaChains; ++k) start += 1 + k / 64.0;
  EXPECT_FLOAT_EQ(fma_kernel(0), static_cast<float>(lanes * start));
  double after_100 = 0;
  for (int k = 0; k < kFmaChains; ++k) after_100 += 1 + (k / 64.0) * std::pow(1 - 1 / 1024.0, 100);
  EXPECT_NEAR(fma_kernel(100), lanes * after_100, 1e-4 * lanes * after_100);
  EXPECT_NEAR(fma_kernel(100000), lanes * kFmaChains, 1e-4 * lanes * kFmaChains);  // converged to 1 each
  const FmaPeak p = fma_peak(2, 1);
  EXPECT_EQ(p.threads, 2);
  EXPECT_EQ(p.isa, fma_isa());
  EXPECT_EQ(p.flops_per_thread, (int64_t(1) << 22) * kFmaChains * fma_lanes() * 2);
  EXPECT_TRUE(std::isfinite(p.gflops) && p.gflops > 0);
}

TEST(BenchProbes, TheBandwidthBufferIsTheRequestedSizeInWholeFloats) {
  const ReadBandwidth small = read_bandwidth(4096 + 3, 1);
  EXPECT_EQ(small.bytes, 4096);
  EXPECT_EQ(small.passes, (int64_t(256) << 20) / 4096);
  EXPECT_TRUE(std::isfinite(small.gbps) && small.gbps > 0);
  const ReadBandwidth large = read_bandwidth(int64_t(3) << 20, 1);
  EXPECT_EQ(large.bytes, int64_t(3) << 20);
  EXPECT_EQ(large.passes, 86);  // ceil(256 MiB / 3 MiB): at least 256 MiB read per timed run
  const ReadBandwidth tiny = read_bandwidth(1, 1);
  EXPECT_EQ(tiny.bytes, 4);  // at least one float
  EXPECT_EQ(tiny.passes, 65536);
}

TEST_F(BenchCommandTest, UsageAndConfigErrors) {
  std::ostringstream out, err;
  EXPECT_EQ(run_cli({"bench"}, out, err), 2);
  EXPECT_THAT(err.str(), HasSubstr("ablate bench: missing CONFIG.yaml"));
  err.str("");
  EXPECT_EQ(run_cli({"bench", "a.yaml", "--checkpoint", "x"}, out, err), 2);
  EXPECT_THAT(err.str(), HasSubstr("unknown option '--checkpoint'"));
  const std::string config = file("bad.yaml");
  testing::write_bytes(config, std::string(kModel) + "bench: {models: {}}\n");
  err.str("");
  EXPECT_EQ(run_cli({"bench", config, "-o", file("out")}, out, err), 1);
  EXPECT_THAT(err.str(), HasSubstr("bench.models: expected a non-empty mapping"));
  EXPECT_FALSE(std::filesystem::exists(file("out/bench.json")));
  std::ostringstream help;
  EXPECT_EQ(run_cli({"help"}, help, err), 0);
  EXPECT_THAT(help.str(), HasSubstr("bench CONFIG.yaml"));
}

}  // namespace
}  // namespace ablate
