// An experiment: one YAML file that states a model, its data, its training and its evaluation.
// Each section's keys are listed once, in its struct's visit_fields below (name, default,
// constraint, doc); `ablate keys` and docs/config-keys.md are generated from those lists. Every
// key has a default, so a config states only what it changes, and `base: OTHER.yaml` inherits
// another file (config_tree.h). Sections: name/seed/threads, model (model_config.h), data, train,
// eval, and the optional choice, extend (extend_config.h), passkey (passkey_config.h) and bench
// (bench_config.h).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "components/core/precision.h"
#include "components/model/model_config.h"
#include "harness/config/bench_config.h"
#include "harness/config/config_tree.h"
#include "harness/config/extend_config.h"
#include "harness/config/passkey_config.h"
#include "harness/eval/windowing.h"

namespace ablate {

// Each section lists its keys once (components/model/config_fields.h); checks that relate keys
// (train.warmup <= train.steps, a context within a learned position table) are in
// experiment_config.cc.
struct DataConfig {
  std::string type = "synthetic";
  std::string path;
  std::string validation_path;
  double validation_fraction = 0.1;
  std::string tokenizer = "byte";
  int64_t bytes = 2'000'000;
  int64_t seed = 1;

  template <class V>
  void visit_fields(V& v) {
    const bool synthetic = type == "synthetic";
    v(field("type", type, "synthetic (built-in corpus) | text (a text file) | shards (llm.c .bin, memory-mapped)")
          .check(one_of({"synthetic", "text", "shards"}, "type")));
    v(field("path", path, "text / shards: the corpus (relative paths: from the working directory)").used_when(!synthetic));
    v(field("validation_path", validation_path, "optional separate validation file of the same type")
          .used_when(!synthetic && !validation_path.empty()));
    v(field("validation_fraction", validation_fraction, "held-out share of the tokens without validation_path"));
    v(field("tokenizer", tokenizer, "byte | gpt2:DIR | llama2c:FILE | sentencepiece:FILE (+docs: BOS per document)"));
    v(field("bytes", bytes, "synthetic: corpus size").used_when(synthetic));
    v(field("seed", seed, "synthetic: corpus seed").check(at_least(0)).used_when(synthetic));
  }
};

struct TrainConfig {
  int64_t steps = 200;
  int64_t batch_size = 8;
  int64_t accumulation = 1;  // micro-batches of batch_size per optimizer step
  int64_t context = 0;       // 0 = model.context
  double lr = 1e-3;
  int64_t warmup = 20;
  double min_lr_ratio = 0.1;
  double weight_decay = 0.1;
  double beta1 = 0.9, beta2 = 0.95, eps = 1e-8;
  double grad_clip = 1.0;
  int64_t eval_every = 50;
  int64_t eval_tokens = 16384;
  int64_t checkpoint_every = 50;

  template <class V>
  void visit_fields(V& v) {
    v(field("steps", steps, "optimizer steps").check(at_least(1)));
    v(field("batch_size", batch_size, "sequences per micro-batch").check(at_least(1)));
    v(field("accumulation", accumulation, "micro-batches per step").check(at_least(1)));
    v(field("context", context, "tokens per sequence; 0 = model.context"));
    v(field("lr", lr, "peak learning rate: linear warmup, then cosine to min_lr_ratio * lr").check(greater(0)));
    v(field("warmup", warmup, "warmup steps, in [0, steps]"));
    v(field("min_lr_ratio", min_lr_ratio, "final learning rate / lr").check(in_range(0, 1, false, false)));
    v(field("weight_decay", weight_decay, "AdamW decoupled decay, matrices only").check(at_least(0)));
    v(field("beta1", beta1, "AdamW first-moment decay").check(in_range(0, 1, false, true)));
    v(field("beta2", beta2, "AdamW second-moment decay").check(in_range(0, 1, false, true)));
    v(field("eps", eps, "AdamW epsilon").check(at_least(0)));
    v(field("grad_clip", grad_clip, "global L2 norm of the gradients").check(at_least(0, "0 = off")));
    v(field("eval_every", eval_every, "validation loss every N steps (0 = only at the end)").check(at_least(0)));
    v(field("eval_tokens", eval_tokens, "validation tokens of those evaluations (0 = all)").check(at_least(0)));
    v(field("checkpoint_every", checkpoint_every, "checkpoint every N steps (0 = only at the end)").check(at_least(0)));
  }
};

struct EvalConfig {
  int64_t context = 0;     // 0 = train.context
  int64_t max_tokens = 0;  // 0 = every validation token
  std::string windowing = "disjoint";
  int64_t stride = 0;

  template <class V>
  void visit_fields(V& v) {
    v(field("context", context, "window of the final validation loss; 0 = train.context"));
    v(field("max_tokens", max_tokens, "the validation text is cut to its first max_tokens + 1 tokens")
          .check(at_least(0, "0 = all")));
    v(field("windowing", windowing, "perplexity windows (harness/eval/perplexity.h)")
          .check(one_of(windowing_names(), "windowing")));
    v(field("stride", stride, "hf_strided: window step").check(at_least(0, "0 = half the window")));
  }
};

// The built-in multiple-choice tasks (harness/eval/choice_task.h): the recall of the synthetic
// corpus's facts, and its animal calls. Both take format synthetic.
constexpr const char* kAnimalCallsTask = "animal_calls";
inline bool builtin_choice_task(const std::string& task) { return task == "synthetic" || task == kAnimalCallsTask; }

struct ChoiceConfig {
  bool enabled = false;  // the section is present
  std::string task = "synthetic";
  std::string format = "synthetic";
  int64_t items = 500;
  int64_t seed = 7;
  int64_t max_distance = -1;  // -1 = auto, resolved to eval.context − 16; 0 = any distance
  int64_t max_sentences = 0;  // 0 = any
  int64_t item_bytes = -1;    // -1 = auto, resolved to eval.context; 0 = contexts from the document's start

  template <class V>
  void visit_fields(V& v) {
    v(field("task", task,
            "synthetic (recall of the corpus's facts) | animal_calls (the corpus's animal calls) | a JSONL file"));
    v(field("format", format,
            "the file's layout (synthetic for the built-in tasks; hellaswag_llamacpp: llama.cpp's 6-line text file)")
          .check(one_of({"synthetic", "generic", "hellaswag", "hellaswag_llamacpp", "arc", "piqa", "winogrande"},
                        "format")));
    v(field("items", items, "built-in tasks: items generated; files: the first N (0 = all)"));
    v(field("seed", seed, "built-in tasks: the task's seed (its documents are generate_corpus(seed)'s)").check(at_least(0)));
    v(field("max_distance", max_distance,
            "synthetic: only facts stated at most this many bytes before the answer; auto = eval.context - 16")
          .check(at_least(0, "0 = any"))
          .or_word("auto", int64_t{-1}));
    v(field("max_sentences", max_sentences,
            "synthetic: only facts with at most this many whole sentences between statement and question")
          .check(at_least(0, "0 = any")));
    v(field("item_bytes", item_bytes,
            "built-in tasks: context + longest choice in at most this many bytes, the context cut at a sentence "
            "start and facts (calls) whose sentence does not fit skipped; auto = eval.context")
          .check(at_least(0, "0 = the document from its start"))
          .or_word("auto", int64_t{-1}));
  }
};

struct ExperimentConfig {
  std::string name;
  int64_t seed = 0;
  int64_t threads = 0;
  std::string precision = "fp32";  // components/core/precision.h
  ModelConfig model;
  // `model: {from: PATH}`: the model section of a checkpoint of any format (Ablate .safetensors, a
  // Hugging Face directory, a llama2.c .bin), with the other model keys given beside `from`
  // overriding it; eval/extend/choice score its weights unless --checkpoint or DIR/checkpoint.safetensors
  // holds others, run/train start from them, bench takes only the shapes. "" = no checkpoint.
  std::string model_from;
  DataConfig data;
  TrainConfig train;
  EvalConfig eval;
  ChoiceConfig choice;
  ExtendConfig extend;
  PasskeyConfig passkey;
  BenchConfig bench;

  // The top-level keys; model, extend, passkey and bench are read by their own parsers.
  template <class V>
  void visit_fields(V& v) {
    v(field("name", name, "the run's name and folder (default: the config file's stem)"));
    v(field("seed", seed, "weights and batch order").check(at_least(0)));
    v(field("threads", threads, "worker threads").check(at_least(0, "0 = every core")));
    v(field("precision", precision,
            "matrix products in training and evaluation: fp32, or bf16 (bf16 operands of the linear layers', the "
            "LM head's and, where the bf16 kernel is native, attention's products, fp32 accumulation; fp32 weights, "
            "optimizer, norms, softmax and loss; needs AVX512-BF16 or AMX)")
          .check(one_of(precision_names(), "precision")));
    v.section("data", data, "what the model is trained and validated on");
    v.section("train", train, "the training run");
    v.section("eval", eval, "the final validation loss");
  }

  int64_t tokens_per_step() const { return train.batch_size * train.accumulation * train.context; }
};

// What parsing needs from outside the YAML text: the model section of a checkpoint (`model: {from:
// PATH}`) and a tokenizer's id count (to check model.vocab_size against data.tokenizer). Config
// parsing opens no files itself; the caller supplies these readers, normally
// experiment_inputs_from_files() (harness/checkpoints/experiment_inputs.h). Each may throw; the
// message is reported under the key that named the file.
struct ExperimentInputs {
  std::function<ModelConfig(const std::string& path)> checkpoint_model;
  std::function<int64_t(const std::string& tokenizer_spec)> tokenizer_vocab_size;
};

// Reads and checks every section; errors carry the file and line that set the bad key
// ("configs/x.yaml:7:7: train.lr: must be > 0, found -0.001"). `default_name` fills `name`.
// Resolved: model resolved, train.context and eval.context filled in.
ExperimentConfig parse_experiment(const ConfigTree& tree, const std::string& default_name,
                                  const ExperimentInputs& inputs);

// Every key of the resolved config (what results and checkpoints record);
// parse_experiment(load_config_tree_text(json_to_yaml(experiment_to_json(c)), ...)) == c.
nlohmann::json experiment_to_json(const ExperimentConfig& config);
// experiment_from_json reads a saved config (upgrade_saved_model_section fills keys added since).
ExperimentConfig experiment_from_json(const nlohmann::json& config, const std::string& source,
                                      const ExperimentInputs& inputs);

// A config saved by an earlier run (a result's or checkpoint's "config"), as this version resolves
// it: keys added to Ablate since then take their defaults, so they are no difference. A saved
// config that no longer reads (or needs files that are gone) is returned as saved.
nlohmann::json normalized_config(const nlohmann::json& saved, const ExperimentInputs& inputs);

// Where two resolved configs (experiment_to_json) differ, one line per dotted key:
// "train.lr: checkpoint 0.1, config 0.01" with old_label = "checkpoint", new_label = "config";
// "model.bias (only in the checkpoint)" for a key one side lacks.
std::vector<std::string> config_differences(const nlohmann::json& old_config, const nlohmann::json& new_config,
                                            const std::string& old_label, const std::string& new_label);

}  // namespace ablate
