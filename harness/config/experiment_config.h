// An experiment: one YAML file that states a model, its data, its training and its evaluation.
// Key names are the contract (README "Experiment config"); every key has a default below, so a
// config states only what it changes, and `base: OTHER.yaml` inherits another file (config_tree.h).
//
//   name: train_tiny          # the run's name (default: the config file's stem)
//   seed: 0                   # weights and batch order
//   threads: 0                # worker threads, 0 = every core
//   model: {...}              # model_yaml.h
//   data:
//     type: synthetic         # synthetic (built-in corpus) | text (a text file) | shards (llm.c .bin, memory-mapped)
//     path: FILE              # text / shards: the corpus (relative paths: from the working directory)
//     validation_path: FILE   # optional separate validation file of the same type
//     validation_fraction: 0.1  # otherwise the last 10% of the tokens are held out
//     tokenizer: byte
//     bytes: 2000000          # synthetic: corpus size
//     seed: 1                 # synthetic: corpus seed
//   train:
//     steps: 200  batch_size: 8  accumulation: 1  context: 0 (= model.context)
//     lr: 1e-3  warmup: 20  min_lr_ratio: 0.1  weight_decay: 0.1  beta1: 0.9  beta2: 0.95
//     eps: 1e-8  grad_clip: 1.0
//     eval_every: 50          # validation loss every N steps (0 = only at the end)
//     eval_tokens: 16384      # validation tokens used by those periodic evaluations (0 = all)
//     checkpoint_every: 50    # 0 = only at the end
//   eval:
//     context: 0              # window of the final validation loss (0 = train.context)
//     max_tokens: 0           # validation tokens scored (0 = all)
//   choice:                   # optional: multiple-choice accuracy (lm-evaluation-harness scoring)
//     task: synthetic         # synthetic (built from the corpus generator) | a JSONL file
//     format: synthetic       # synthetic | generic | hellaswag | arc | piqa | winogrande
//     items: 500              # synthetic: items generated; files: the first N (0 = all)
//     seed: 7                 # synthetic: the task's seed (its documents are not the training corpus)
//     max_distance: auto      # synthetic: only facts stated at most this many bytes before the
//                             # answer; auto = eval.context − 16 (inside the scoring window) when
//                             # eval.context >= 128, else 0 = any distance
//   extend: {...}             # optional: context-extension curves (extend_config.h)
//   bench: {...}              # optional: what `ablate bench` measures (bench_config.h)
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "components/model/model_config.h"
#include "harness/config/bench_config.h"
#include "harness/config/config_tree.h"
#include "harness/config/extend_config.h"
#include "harness/train/lr_schedule.h"
#include "harness/train/optimizer.h"

namespace ablate {

struct DataConfig {
  std::string type = "synthetic";  // synthetic | text | shards
  std::string path;
  std::string validation_path;
  double validation_fraction = 0.1;
  std::string tokenizer = "byte";
  int64_t bytes = 2'000'000;  // synthetic
  int64_t seed = 1;           // synthetic
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
};

struct EvalConfig {
  int64_t context = 0;     // 0 = train.context
  int64_t max_tokens = 0;  // 0 = every validation token
};

struct ChoiceConfig {
  bool enabled = false;  // the section is present
  std::string task = "synthetic";
  std::string format = "synthetic";
  int64_t items = 500;
  int64_t seed = 7;
  int64_t max_distance = -1;  // resolved: -1 (auto) becomes eval.context − 16; 0 = any distance
};

struct ExperimentConfig {
  std::string name;
  int64_t seed = 0;
  int64_t threads = 0;
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
  BenchConfig bench;

  AdamWConfig adamw() const;
  LrSchedule schedule() const;
  int64_t tokens_per_step() const { return train.batch_size * train.accumulation * train.context; }
};

// Reads and checks every section; errors carry the file and line that set the bad key
// ("configs/x.yaml:7:7: train.lr: must be > 0, found -0.001"). `default_name` fills `name`.
// Resolved: model resolved, train.context and eval.context filled in.
ExperimentConfig parse_experiment(const ConfigTree& tree, const std::string& default_name);

// Every key of the resolved config (what results and checkpoints record);
// parse_experiment(load_config_tree_text(json_to_yaml(experiment_to_json(c)), ...)) == c.
nlohmann::json experiment_to_json(const ExperimentConfig& config);
ExperimentConfig experiment_from_json(const nlohmann::json& config, const std::string& source);

// Where two resolved configs (experiment_to_json) differ, one line per dotted key:
// "train.lr: checkpoint 0.1, config 0.01" with old_label = "checkpoint", new_label = "config";
// "model.bias (only in the checkpoint)" for a key one side lacks.
std::vector<std::string> config_differences(const nlohmann::json& old_config, const nlohmann::json& new_config,
                                            const std::string& old_label, const std::string& new_label);

}  // namespace ablate
