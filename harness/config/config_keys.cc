// The documented key list (config_keys.h).
#include "harness/config/config_keys.h"

#include <algorithm>
#include <sstream>

#include "harness/config/experiment_config.h"

namespace ablate {
namespace {

// Keys a section reads by hand (they have no single type), documented here beside the rows.
std::vector<KeyDoc> hand_read_keys(const std::string& section) {
  if (section == "model")
    return {{"model.from", "string", "\"\"",
             "", "a checkpoint (Ablate .safetensors, HF directory, llama2.c .bin) whose model section the other keys override"}};
  if (section == "extend")
    return {{"extend.methods", "list", "", "", "RoPE scaling blocks ({type, name, factor: auto | s, ...}), one curve each"}};
  if (section == "passkey")
    return {{"passkey.methods", "list", "extend.methods, else [{type: none}]", "",
             "RoPE scaling blocks as in extend.methods, scored at every length and depth"}};
  if (section == "bench")
    return {{"bench.models", "mapping", "{base: {}}", "", "named models: dotted model. overrides of the config's model"},
            {"bench.precisions", "list", "[precision]", "each fp32 | bf16, once",
             "every model is measured in each precision (MFU against that precision's GEMM peak)"}};
  return {};
}

void append(std::vector<KeyDoc>& out, std::vector<KeyDoc> keys) {
  for (auto& k : keys) out.push_back(std::move(k));
}

}  // namespace

std::vector<KeyDoc> config_key_docs() {
  std::vector<KeyDoc> out;
  std::vector<KeyDoc> root = describe_section<ExperimentConfig>("");
  // The top-level scalars first, then model (not a field-list section of the root), then the rest.
  const auto sections_start = std::find_if(root.begin(), root.end(), [](const KeyDoc& k) {
    return k.path.find('.') != std::string::npos;
  });
  out.insert(out.end(), root.begin(), sections_start);
  append(out, hand_read_keys("model"));
  append(out, describe_section<ModelConfig>("model"));
  out.insert(out.end(), sections_start, root.end());
  append(out, describe_section<ChoiceConfig>("choice"));
  append(out, describe_section<ExtendConfig>("extend"));
  append(out, hand_read_keys("extend"));
  append(out, describe_section<PasskeyConfig>("passkey"));
  append(out, hand_read_keys("passkey"));
  append(out, hand_read_keys("bench"));
  append(out, describe_section<BenchConfig>("bench"));
  return out;
}

std::string config_keys_text(bool markdown) {
  std::ostringstream o;
  const std::vector<KeyDoc> keys = config_key_docs();
  if (markdown) {
    o << "| key | type | default | allowed | meaning |\n| --- | --- | --- | --- | --- |\n";
    auto cell = [](std::string text) {  // a '|' inside a cell would end it
      for (size_t at = text.find('|'); at != std::string::npos; at = text.find('|', at + 2)) text.insert(at, "\\");
      return text;
    };
    for (const KeyDoc& k : keys)
      o << "| `" << k.path << "` | " << k.type << " | " << (k.default_value.empty() ? "" : "`" + k.default_value + "`")
        << " | " << cell(k.constraint) << " | " << cell(k.doc) << " |\n";
    return o.str();
  }
  size_t width = 0;
  for (const KeyDoc& k : keys) width = std::max(width, k.path.size());
  for (const KeyDoc& k : keys) {
    o << k.path << std::string(width + 2 - k.path.size(), ' ') << k.type << " = " << k.default_value;
    if (!k.constraint.empty()) o << "  (" << k.constraint << ")";
    o << "  " << k.doc << "\n";
  }
  return o.str();
}

}  // namespace ablate
