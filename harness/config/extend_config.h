// The `extend:` section: a context-extension experiment on a model trained at context L.
//
//   extend:
//     lengths: [128, 256, 512, 1024, 2048]   # evaluation contexts (tokens)
//     methods:                  # each a RoPE `scaling:` block; `name` defaults to its type
//       - {type: none}
//       - {type: linear, factor: auto}       # auto = max(1, length / L) at each length
//       - {type: ntk, factor: auto}
//       - {type: dynamic_ntk, factor: 1}     # Hugging Face recomputes from the sequence length
//       - {type: yarn, factor: auto, beta_fast: 32, beta_slow: 1}
//     windowing: disjoint       # disjoint | hf_strided | llamacpp | lm_eval_rolling (perplexity.h)
//     stride: 0                 # hf_strided: 0 = half the length
//     max_tokens: 32768         # the text: its first max_tokens + 1 tokens, at every length
//     text: validation          # validation (the data's held-out split) | a text file
//     finetune: {steps: 0, context: 0, lr: 0}   # optional: train each scaled model first
//                                               # (PI / YaRN papers); lr 0 = train.lr / 10
//     # steps may be a list of budgets, [0, 20, 100]: each method is fine-tuned once per budget
//     # from the same trained weights (0 = as trained), one curve per method and budget
//
// L is model.context (the model's `position.scaling.original_context` when it sets one). Every
// method is checked at parse time as a full model config (so an unknown type or a bad beta is a
// ConfigError naming extend.methods[i]).
#pragma once

#include <yaml-cpp/yaml.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "components/model/config_fields.h"
#include "components/model/model_config.h"
#include "harness/eval/windowing.h"

namespace ablate {

struct ExtendMethod {
  std::string name;
  nlohmann::json scaling;    // the scaling block as written, without `name` (factor may be "auto")
  bool factor_auto = false;
};

struct ExtendFinetune {
  std::vector<int64_t> steps = {0};  // the budgets, increasing; 0 = the model as trained
  int64_t context = 0;               // 0 = the longest length
  double lr = 0;                     // 0 = train.lr / 10

  template <class V>
  void visit_fields(V& v) {
    v(field("steps", steps,
            "fine-tuning budgets: steps of each scaled model before it is scored, one curve per budget "
            "(a list, increasing, or one number; 0 = as trained)")
          .list_of("a list of step counts")
          .or_single()
          .check(at_least(0)));
    v(field("context", context, "fine-tuning context; 0 = the longest length").check(at_least(0)));
    v(field("lr", lr, "fine-tuning learning rate; 0 = train.lr / 10").check(at_least(0)));
  }
};

struct ExtendConfig {
  bool enabled = false;
  std::vector<int64_t> lengths;
  std::vector<ExtendMethod> methods;  // read by hand: free-form scaling blocks
  std::string windowing = "disjoint";
  int64_t stride = 0;
  int64_t max_tokens = 32768;
  std::string text = "validation";
  ExtendFinetune finetune;

  template <class V>
  void visit_fields(V& v) {
    v(field("lengths", lengths, "evaluation contexts in tokens, increasing")
          .list_of("a non-empty list of context lengths")
          .check(at_least(2)));
    v(field("windowing", windowing, "perplexity windows (harness/eval/perplexity.h)").check(one_of(windowing_names(), "windowing")));
    v(field("stride", stride, "hf_strided: window step").check(at_least(0, "0 = half the length")));
    v(field("max_tokens", max_tokens, "the text is cut to its first max_tokens + 1 tokens, the same at every length")
          .check(at_least(1)));
    v(field("text", text, "validation (the data's held-out split) | a text file"));
    v.section("finetune", finetune, "optional: train each scaled model first (PI / YaRN papers)");
  }
};

// Reads the section (node at YAML path "extend") against the trained model's config.
ExtendConfig parse_extend_section(const YAML::Node& node, const ModelConfig& trained);

nlohmann::json extend_to_json(const ExtendConfig& config);

// ConfigError "PATH[i]: lengths must increase, found 256 after 512" unless `lengths` increase
// (`noun` names what the list holds).
void check_increasing(const std::vector<int64_t>& lengths, const std::string& path, const std::string& noun = "lengths");

// The fine-tuning budgets that apply to `trained`: extend.finetune.steps on a RoPE model (the only
// one scalings fine-tune), else [0]. Empty when the config has no extend: section.
std::vector<int64_t> finetune_budgets(const ExtendConfig& extend, const ModelConfig& trained);
// Whether some budget fine-tunes (a budget > 0 on a RoPE model).
bool finetunes(const ExtendConfig& extend, const ModelConfig& trained);
// A method's name at a budget: "linear" (0), "linear fine-tuned 20 steps" (the results' `label`).
std::string budget_label(const std::string& method, int64_t steps);

// A list of scaling blocks at YAML path `path` (extend.methods, passkey.methods): each a mapping
// {type, name (default: the type), factor: auto | s, ...}, names distinct, each checked as a full
// model config at every length of `lengths` (on a model without RoPE as if it had RoPE).
std::vector<ExtendMethod> parse_scaling_methods(const YAML::Node& methods, const std::string& path,
                                                const ModelConfig& trained, const std::vector<int64_t>& lengths);
// The list as written back (factor "auto" kept).
nlohmann::json scaling_methods_to_json(const std::vector<ExtendMethod>& methods);

// What relates a section's windowing to its stride: a stride only with hf_strided, at most the
// shortest window. `section` is "eval" or "extend" (the keys' prefix).
void check_windowing_stride(const std::string& windowing, int64_t stride, int64_t shortest_window,
                            const std::string& section);

// The trained context L of a model: what `factor: auto` divides by.
int64_t trained_context(const ModelConfig& trained);

// The model config that evaluates `method` at `length`: the trained config with its RoPE scaling
// replaced (factor auto resolved, original_context = L unless the method sets it). Throws
// ConfigError (path `where`) if the combination is invalid.
ModelConfig extension_model(const ModelConfig& trained, const ExtendMethod& method, int64_t length,
                            const std::string& where = "extend.methods");

}  // namespace ablate
