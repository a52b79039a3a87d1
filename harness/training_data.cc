// Loading an experiment's train and validation tokens.
#include "harness/training_data.h"

#include "harness/batch_loader.h"
#include "harness/synthetic_corpus.h"

namespace ablate {
namespace {

std::vector<int32_t> load_tokens(const DataConfig& d, const std::string& path, const Tokenizer& tokenizer) {
  if (d.type == "shards") return read_token_shard(path);
  return tokenize_file(path, tokenizer);
}

void check_vocabulary(const std::vector<int32_t>& tokens, int64_t vocab, const std::string& what) {
  for (size_t i = 0; i < tokens.size(); ++i)
    if (tokens[i] < 0 || tokens[i] >= vocab)
      throw DataError(what + ": token " + std::to_string(i) + " = " + std::to_string(tokens[i]) +
                      " is outside model.vocab_size=" + std::to_string(vocab));
}

}  // namespace

TrainingData load_training_data(const ExperimentConfig& config) {
  const DataConfig& d = config.data;
  const std::unique_ptr<Tokenizer> tokenizer = make_tokenizer(d.tokenizer);
  TrainingData data;
  std::vector<int32_t> tokens;
  std::string source;
  if (d.type == "synthetic") {
    tokens = tokenizer->encode(generate_corpus(static_cast<uint64_t>(d.seed), d.bytes));
    source = "synthetic corpus";
    data.description = "synthetic corpus (seed " + std::to_string(d.seed) + ", " +
                       std::to_string(d.bytes) + " bytes)";
  } else {
    tokens = load_tokens(d, d.path, *tokenizer);
    source = "data.path " + d.path;
    data.description = d.type + " " + d.path;
  }
  check_vocabulary(tokens, config.model.vocab_size, source);
  if (d.validation_path.empty()) {
    TokenSplit split = split_tokens(tokens, d.validation_fraction);
    data.train = std::move(split.train);
    data.validation = std::move(split.validation);
  } else {
    data.train = std::move(tokens);
    data.validation = load_tokens(d, d.validation_path, *tokenizer);
    check_vocabulary(data.validation, config.model.vocab_size, "data.validation_path " + d.validation_path);
    data.description += ", validation " + d.validation_path;
  }
  const int64_t T = config.train.context;
  if (static_cast<int64_t>(data.train.size()) < T + 1)
    throw DataError(source + ": the training split holds " + std::to_string(data.train.size()) +
                    " tokens, shorter than one training window (train.context + 1 = " +
                    std::to_string(T + 1) + ")");
  if (data.validation.size() < 2)
    throw DataError(source + ": the validation split holds " + std::to_string(data.validation.size()) +
                    " tokens; at least 2 are needed (raise data.validation_fraction or set "
                    "data.validation_path)");
  return data;
}

}  // namespace ablate
