// The `passkey:` section: passkey retrieval (harness/eval/passkey.h) at each context length, key
// depth and RoPE scaling method, on a model trained at context L.
//
//   passkey:
//     lengths: [256, 512, 1024]          # prompt lengths in tokens, increasing
//     depths: [0, 0.25, 0.5, 0.75, 1]    # where the key line sits in the filler (0 = first, 1 = last)
//     trials: 10                          # prompts (keys, filler offsets) per (length, depth)
//     digits: 5                           # the key's digits; exact match of all of them counts
//     seed: 11                            # keys, filler offsets and the synthetic filler
//     filler: synthetic                   # the built-in corpus (seed above) | a text file
//     instruction: true                   # the papers' first line ("There is an important info ...")
//     methods: [{type: none}, {type: yarn, factor: auto}]   # default: extend.methods, else {type: none}
//
// Methods are scaling blocks as in extend: (factor auto = max(1, length / L) at each length). For
// each budget > 0 of extend.finetune.steps each method is also scored fine-tuned (extend's
// fine-tuning, at its context, the same models when extend: runs in the same process). The prompt without filler must
// fit in the shortest length: checked at parse time for the byte tokenizer, before any scoring for
// others (check_passkey_lengths).
#pragma once

#include <yaml-cpp/yaml.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "components/model/config_fields.h"
#include "components/model/model_config.h"
#include "harness/config/extend_config.h"
#include "harness/tokenizers/tokenizer.h"

namespace ablate {

struct PasskeyConfig {
  bool enabled = false;  // the section is present
  std::vector<int64_t> lengths;
  std::vector<double> depths = {0, 0.25, 0.5, 0.75, 1};
  int64_t trials = 10;
  int64_t digits = 5;
  int64_t seed = 11;
  std::string filler = "synthetic";
  bool instruction = true;
  std::vector<ExtendMethod> methods;  // read by hand; resolved (extend's when not given)

  template <class V>
  void visit_fields(V& v) {
    v(field("lengths", lengths, "prompt lengths in tokens, increasing").list_of("a non-empty list of context lengths").check(at_least(2)));
    v(field("depths", depths, "where the key line sits in the filler: 0 = its start, 1 = its end")
          .list_of("a non-empty list of fractions")
          .check(in_range(0, 1, false, false)));
    v(field("trials", trials, "prompts (key, filler offset) per length and depth").check(at_least(1)));
    v(field("digits", digits, "digits of the key; all must be reproduced (chance 10^-digits)").check(at_least(1).at_most(32)));
    v(field("seed", seed, "keys, filler offsets and the synthetic filler").check(at_least(0)));
    v(field("filler", filler, "synthetic (the built-in corpus) | a text file, repeated where it runs out"));
    v(field("instruction", instruction, "start with the papers' instruction line (There is an important info ...)"));
  }
};

// Reads the section (node at YAML path "passkey"); methods default to extend.methods when the
// config has an extend: section, else [{type: none}]. With the byte tokenizer the prompt overhead
// is checked against the lengths here.
PasskeyConfig parse_passkey_section(const YAML::Node& node, const ModelConfig& trained, const ExtendConfig& extend,
                                    const std::string& tokenizer_spec);

nlohmann::json passkey_to_json(const PasskeyConfig& config);

// ConfigError naming passkey.lengths[0] when the prompt without filler (instruction, key line,
// question) leaves no filler token in the shortest length.
void check_passkey_lengths(const PasskeyConfig& config, const Tokenizer& tokenizer);

}  // namespace ablate
