// `ablate convert` (see convert.h).
#include "experiments/convert.h"

#include <filesystem>
#include <ostream>
#include <sstream>

#include "harness/checkpoints/checkpoint_formats.h"
#include "harness/common/command_line.h"
#include "harness/common/run_name.h"
#include "harness/config/model_yaml.h"
#include "harness/tokenizers/factory.h"

namespace ablate {
namespace {

namespace fs = std::filesystem;

// A run name from OUT's stem (letters, digits and _ - . = + only).
std::string run_name(const std::string& out_path) {
  std::string stem = fs::path(out_path).stem().string();
  if (stem.empty()) stem = fs::path(out_path).parent_path().filename().string();
  std::string name;
  for (char c : stem) name += is_run_name_char(c) ? c : '_';
  if (name.empty() || name == "." || name == "..") name = "converted";
  return name.substr(0, 128);
}

std::string indented(const std::string& yaml) {
  std::istringstream in(yaml);
  std::string line, text;
  while (std::getline(in, line)) text += "  " + line + "\n";
  return text;
}

}  // namespace

int convert_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::vector<std::string> paths;
  std::string to, tokenizer_spec = "byte";
  bool force = false;
  CommandLine line("convert",
                   "Converts a checkpoint into another format: llama2.c .bin, Hugging Face directory (config.json +\n"
                   "model.safetensors) or Ablate .safetensors. IN's format is detected, OUT's comes from --to or its\n"
                   "name (*.safetensors: ablate, *.bin: llama2c, else a Hugging Face directory). Prints the model's\n"
                   "`model:` section on stdout, for an experiment config.");
  line.arguments({"IN", "OUT"}, paths)
      .option({"--to"}, "ablate|huggingface|llama2c", "OUT's format (default: from OUT's name)", to)
      .option({"--tokenizer"}, "SPEC", "the data.tokenizer an Ablate checkpoint records (default byte)", tokenizer_spec)
      .flag("--force", "replace an existing OUT", force);
  if (const auto exit = line.parse(args, out, err)) return *exit;
  const std::string& in_path = paths[0];
  const std::string& out_path = paths[1];
  const CheckpointFormat out_format = to.empty() ? output_checkpoint_format(out_path) : parse_format_name(to);
  std::error_code ec;
  if (fs::exists(out_path, ec) && !force)
    throw InteropError(out_path + ": exists (use --force to replace it)");
  if (fs::exists(out_path, ec) && fs::equivalent(in_path, out_path, ec))
    throw InteropError(out_path + ": is the input; write to another path");

  LoadedModel loaded = load_model_checkpoint(in_path);
  Model<float>& model = *loaded.model;
  print_checkpoint_notes(err, "ablate convert", loaded.notes);

  ExperimentConfig experiment;
  experiment.name = run_name(out_path);
  experiment.model = model.config();
  experiment.data.tokenizer = tokenizer_spec;
  experiment.train.context = model.config().context;
  experiment.eval.context = model.config().context;
  const std::unique_ptr<Tokenizer> tokenizer = make_tokenizer(tokenizer_spec);
  if (tokenizer->vocab_size() > model.config().vocab_size)
    throw InteropError("--tokenizer " + tokenizer_spec + " has " + std::to_string(tokenizer->vocab_size()) +
                       " ids, more than the model's vocabulary of " + std::to_string(model.config().vocab_size));

  save_model_checkpoint(out_path, out_format, model, experiment);
  err << "ablate convert: " << in_path << " (" << format_name(loaded.format) << ") -> " << out_path << " ("
      << format_name(out_format) << "), " << model.parameter_count() << " parameters\n";
  out << "# the model of " << out_path << ", for an experiment config's `model:` section\n"
      << "model:\n"
      << indented(model_config_to_yaml(model.config()));
  return 0;
}

}  // namespace ablate
