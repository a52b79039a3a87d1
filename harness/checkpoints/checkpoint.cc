// Writing and reading Ablate checkpoints (see checkpoint.h for the layout).
#include "harness/checkpoints/checkpoint.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <set>

#include "components/core/tensor.h"

namespace ablate {
namespace {

constexpr const char* kOptimizerPrefix = "optimizer.";
constexpr int kMaxMetadataDepth = 64;  // nesting of the "config" and "state" JSON

}  // namespace

void save_checkpoint(const std::string& path, Model<float>& model, const AdamW* optimizer,
                     const ExperimentConfig& config, const TrainingState& state) {
  std::vector<TensorToWrite> tensors;
  for (const auto& p : model.parameters())
    tensors.push_back({p.name, "F32", p.param->value.shape, p.param->value.ptr()});
  if (optimizer)
    for (const auto& [name, tensor] : optimizer->state_tensors())
      tensors.push_back({kOptimizerPrefix + name, "F32", tensor->shape, tensor->ptr()});
  const nlohmann::json state_json = {{"step", state.step},
                                     {"batches_drawn", state.batches_drawn},
                                     {"optimizer_steps", state.optimizer_steps},
                                     {"history", state.history}};
  write_safetensors(path, tensors,
                    {{"format", kCheckpointFormat},
                     {"config", experiment_to_json(config).dump()},
                     {"state", state_json.dump()}});
}

Checkpoint open_checkpoint(const std::string& path) {
  Checkpoint c{SafetensorsFile::open(path), {}, {}};
  const auto& meta = c.file.metadata();
  auto fail = [&](const std::string& what) { throw SafetensorsError(path + ": " + what); };
  const auto format = meta.find("format");
  if (format == meta.end() || format->second != kCheckpointFormat)
    fail(std::string("not an Ablate checkpoint (metadata \"format\" is ") +
         (format == meta.end() ? "missing" : "'" + format->second + "'") + ", expected '" +
         kCheckpointFormat + "')");
  for (const char* key : {"config", "state"})
    if (!meta.count(key)) fail(std::string("metadata has no \"") + key + "\"");
  // Deep nesting is refused while parsing: code that walks a config recursively (dump, json_to_yaml)
  // would overflow the stack on it. A saved config nests 4 levels deep.
  bool too_deep = false;
  const auto depth_limit = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json&) {
    if ((event == nlohmann::json::parse_event_t::object_start || event == nlohmann::json::parse_event_t::array_start) &&
        depth >= kMaxMetadataDepth)
      too_deep = true;
    return !too_deep;
  };
  try {
    c.config = nlohmann::json::parse(meta.at("config"), depth_limit);
    if (too_deep) fail("metadata \"config\" nests deeper than " + std::to_string(kMaxMetadataDepth) + " levels");
    const nlohmann::json state = nlohmann::json::parse(meta.at("state"), depth_limit);
    if (too_deep) fail("metadata \"state\" nests deeper than " + std::to_string(kMaxMetadataDepth) + " levels");
    c.state.step = state.at("step").get<int64_t>();
    c.state.batches_drawn = state.at("batches_drawn").get<int64_t>();
    c.state.optimizer_steps = state.at("optimizer_steps").get<int64_t>();
    c.state.history = state.at("history");
  } catch (const nlohmann::json::exception& e) {
    fail(std::string("unreadable checkpoint metadata: ") + e.what());
  }
  if (!c.config.is_object()) fail("metadata \"config\" is not a JSON object");
  if (c.state.step < 0 || c.state.batches_drawn < 0 || c.state.optimizer_steps < 0)
    fail("metadata \"state\" holds a negative count");
  // What resuming reads from the history (trainer.cc): the curves so far and the training time.
  const nlohmann::json& h = c.state.history;
  if (!h.is_object() || (h.contains("loss_curve") && !h["loss_curve"].is_array()) ||
      (h.contains("validation_curve") && !h["validation_curve"].is_array()) ||
      (h.contains("train_seconds") && !h["train_seconds"].is_number()))
    fail("metadata \"state\": history must be an object with arrays loss_curve and validation_curve and a number "
         "train_seconds");
  return c;
}

void load_weights(const SafetensorsFile& file, Model<float>& model) {
  ParameterList<float> params = model.parameters();
  std::set<std::string> expected;
  std::vector<std::vector<float>> values;
  for (const auto& p : params) {
    expected.insert(p.name);
    if (!file.has(p.name))
      throw SafetensorsError(file.path() + ": no tensor '" + p.name + "' (the config expects shape " +
                             shape_string(p.param->value.shape) + ")");
    values.push_back(file.floats(p.name, p.param->value.shape));
  }
  for (const std::string& name : file.names())
    if (!expected.count(name) && name.rfind(kOptimizerPrefix, 0) != 0)
      throw SafetensorsError(file.path() + ": tensor '" + name + "' " + shape_string(file.info(name).shape) +
                             " is not a parameter of this model (is the config the one it was trained with?)");
  for (size_t i = 0; i < params.size(); ++i) {
    std::copy(values[i].begin(), values[i].end(), params[i].param->value.ptr());
    params[i].param->mark_changed();
  }
}

void load_optimizer(const SafetensorsFile& file, Model<float>& model, AdamW& optimizer,
                    int64_t optimizer_steps) {
  std::map<std::string, std::vector<float>> state;
  const size_t prefix = std::strlen(kOptimizerPrefix);
  for (const std::string& name : file.names())
    if (name.rfind(kOptimizerPrefix, 0) == 0) state[name.substr(prefix)] = file.floats(name);
  if (state.empty())
    throw SafetensorsError(file.path() + ": holds no optimizer state (a weights-only checkpoint cannot resume training)");
  ParameterList<float> params = model.parameters();
  optimizer.init_state(params);
  try {
    optimizer.load_state(state, optimizer_steps);
  } catch (const OptimizerError& e) {
    throw SafetensorsError(file.path() + ": optimizer state: " + e.what());
  }
}

}  // namespace ablate
