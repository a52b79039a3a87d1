// Loading an experiment's train and validation tokens.
#include "harness/data/training_data.h"

#include "harness/data/batch_loader.h"
#include "harness/data/synthetic_corpus.h"
#include "harness/tokenizers/factory.h"

namespace ablate {
namespace {

// A shard is mapped (nothing copied); a text file is tokenized into a vector the source owns.
TokenSource load_tokens(const DataConfig& d, const std::string& path, const Tokenizer& tokenizer) {
  if (d.type == "shards") return TokenSource(MappedTokenShard(path));
  return TokenSource(tokenize_file(path, tokenizer));
}

void check_vocabulary(const TokenSource& tokens, int64_t vocab, const std::string& what) {
  const int64_t i = tokens.find_outside(vocab);
  if (i >= 0)
    throw DataError(what + ": token " + std::to_string(i) + " = " + std::to_string(tokens[i]) +
                    " is outside model.vocab_size=" + std::to_string(vocab));
}

}  // namespace

TrainingData load_training_data(const ExperimentConfig& config, bool training) {
  const DataConfig& d = config.data;
  const std::unique_ptr<Tokenizer> tokenizer = make_tokenizer(d.tokenizer);
  TrainingData data;
  TokenSource tokens;
  std::string source;
  if (d.type == "synthetic") {
    tokens = TokenSource(tokenizer->encode(generate_corpus(static_cast<uint64_t>(d.seed), d.bytes)));
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
    // Two views of the one stream, split where split_tokens splits.
    const int64_t n_train = split_point(tokens.size(), d.validation_fraction);
    data.train = tokens.range(0, n_train);
    data.validation = tokens.range(n_train, tokens.size());
  } else {
    data.train = std::move(tokens);
    data.validation = load_tokens(d, d.validation_path, *tokenizer);
    check_vocabulary(data.validation, config.model.vocab_size, "data.validation_path " + d.validation_path);
    data.description += ", validation " + d.validation_path;
  }
  const int64_t T = config.train.context;
  if (training && data.train.size() < T + 1)
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
