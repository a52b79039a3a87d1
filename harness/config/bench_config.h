// The `bench:` section: what `ablate bench` measures (experiments/bench.h).
//
//   bench:
//     models:                   # named models: overrides of the config's `model:` (default {base: {}})
//       mha: {}
//       gqa: {model.attention: {type: gqa, n_heads: 8, n_kv_heads: 2}}
//       mqa: {model.attention.type: mqa}
//     batch_size: 4             # training batch (sequences)
//     train_context: 256        # training sequence length
//     prefill_contexts: [256, 1024]        # one forward of B = 1 at each length
//     decode_contexts: [256, 1024, 4096]   # single-token steps after a prompt of this length
//     decode_tokens: 16         # decode steps timed per repeat
//     kv_contexts: [1024, 4096] # KV-cache bytes allocated when reserved for exactly this context
//     warmup: 2                 # untimed repeats before each measurement
//     repeats: 5                # timed repeats (median, min, max are reported)
//     precisions: [fp32, bf16]  # each model is measured in each (default: the config's precision)
//     matmul_size: 1024         # the n×n×n product that measures the matrix-product peaks
//     bandwidth_mib: 1024       # the float array summed to measure DRAM read bandwidth (each decode
//                               # point's bound is measured on a buffer of its own working set)
//
// Override keys are dotted paths under `model.`; a mapping value merges key by key, as `base:`
// does, so `model.attention: {type: gqa, n_kv_heads: 2}` keeps n_heads. Sizes the base model
// derived are derived again unless the override states them: n_kv_heads when the type becomes
// mha or mqa, mlp.hidden when d_model, mlp.type or mlp.multiple_of change. Every model is resolved
// and checked against every context at parse time. The lists of contexts may be empty (that
// measurement is skipped); `models` may not.
#pragma once

#include <yaml-cpp/yaml.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "components/model/config_fields.h"
#include "components/model/model_config.h"

namespace ablate {

struct BenchModel {
  std::string name;
  nlohmann::json overrides;  // {"model.attention.type": "mqa", ...}: dotted path -> value (leaves)
  ModelConfig model;         // the experiment's model with the overrides applied, resolved
};

struct BenchConfig {
  bool enabled = false;  // the section is present
  std::vector<BenchModel> models;  // read by hand: named override sets
  std::vector<std::string> precisions;  // read by hand; empty: the experiment's `precision`
  int64_t batch_size = 4;
  int64_t train_context = 256;
  std::vector<int64_t> prefill_contexts = {256, 1024};
  std::vector<int64_t> decode_contexts = {256, 1024, 4096};
  int64_t decode_tokens = 16;
  std::vector<int64_t> kv_contexts = {1024, 4096};
  int64_t warmup = 2;
  int64_t repeats = 5;
  int64_t matmul_size = 1024;
  int64_t bandwidth_mib = 1024;

  template <class V>
  void visit_fields(V& v) {
    const char* contexts = "a list of context lengths";
    v(field("batch_size", batch_size, "training batch (sequences)").check(at_least(1)));
    v(field("train_context", train_context, "training sequence length").check(at_least(1)));
    v(field("prefill_contexts", prefill_contexts, "one forward of B = 1 at each length").list_of(contexts).check(at_least(1)));
    v(field("decode_contexts", decode_contexts, "single-token steps after a prompt of this length")
          .list_of(contexts)
          .check(at_least(1)));
    v(field("decode_tokens", decode_tokens, "decode steps timed per repeat").check(at_least(1)));
    v(field("kv_contexts", kv_contexts, "KV-cache bytes when reserved for exactly this context").list_of(contexts).check(at_least(1)));
    v(field("warmup", warmup, "untimed repeats before each measurement").check(at_least(0)));
    v(field("repeats", repeats, "timed repeats (median, min, max are reported)").check(at_least(1)));
    v(field("matmul_size", matmul_size, "the n x n x n fp32 product that measures the matrix-product peak").check(at_least(16)));
    v(field("bandwidth_mib", bandwidth_mib,
            "the float array summed to measure DRAM read bandwidth (decode bounds use each working set's own size)")
          .check(at_least(1)));
  }
};

// Reads the section (node at YAML path "bench") against the experiment's resolved model;
// ConfigError naming the bench path on any problem.
BenchConfig parse_bench_section(const YAML::Node& node, const ModelConfig& base);

// The section as parse_bench_section reads it back (overrides as dotted leaves).
nlohmann::json bench_to_json(const BenchConfig& config);

}  // namespace ablate
