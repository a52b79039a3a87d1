// Helpers shared by the fuzz targets (tests/fuzz/*.cc): a per-process scratch folder for parsers
// that read files, splitting one input into several files, a size gate for the targets that go on
// to build the model a fuzzed header states, sample texts for the tokenizer targets, and
// expected(), which every target calls with the errors it swallows.
//
// Each target's LLVMFuzzerTestOneInput swallows only the clear-error exceptions its parser
// documents; anything else escapes, and libFuzzer (or tests/fuzz/replay_main.cc) reports it.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "components/model/model_config.h"
#include "harness/tokenizers/tokenizer.h"

namespace ablate::fuzz {

// A folder of its own for this process ("$TMPDIR/ablate-fuzz-PID-XXXXXX"), removed at exit.
inline const std::filesystem::path& scratch_dir() {
  struct Dir {
    std::filesystem::path path;
    Dir() {
      const char* tmp = std::getenv("TMPDIR");
      std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/ablate-fuzz-" + std::to_string(getpid()) + "-XXXXXX";
      if (!mkdtemp(pattern.data())) throw std::runtime_error("fuzz: cannot create a scratch folder " + pattern);
      path = pattern;
    }
    ~Dir() {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  };
  static const Dir dir;
  return dir.path;
}

// An empty folder `name` inside scratch_dir() (emptied if it exists).
inline std::string fresh_dir(const std::string& name) {
  const std::filesystem::path dir = scratch_dir() / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

inline void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("fuzz: cannot write " + path);
}

// Called with each error a target swallows: silent, unless ABLATE_FUZZ_VERBOSE is set (to see why
// a seed is rejected: ABLATE_FUZZ_VERBOSE=1 fuzz_replay TARGET FILE).
inline void expected(const std::exception& e) {
  static const bool verbose = std::getenv("ABLATE_FUZZ_VERBOSE") != nullptr;
  if (verbose) std::fprintf(stderr, "  expected error: %s\n", e.what());
}

inline std::string bytes_of(const uint8_t* data, size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

// What separates the files of a multi-file input (vocab.json, merges.txt; config.json, weights...).
constexpr const char* kSeparator = "\n@@@@\n";

// `input` cut at each kSeparator, at most `max_parts` parts (the last keeps any further separators).
inline std::vector<std::string> split_input(const std::string& input, size_t max_parts) {
  const std::string sep = kSeparator;
  std::vector<std::string> parts;
  size_t start = 0;
  while (parts.size() + 1 < max_parts) {
    const size_t at = input.find(sep, start);
    if (at == std::string::npos) break;
    parts.push_back(input.substr(start, at - start));
    start = at + sep.size();
  }
  parts.push_back(input.substr(start));
  return parts;
}

// Text that names a special file (/dev/zero, /dev/stdin, /proc/self/fd/0...), which a config can
// name as a base, checkpoint or tokenizer file and which never ends or blocks: such inputs are
// skipped, since reading them is what the user asked for, not a parser bug.
inline bool names_special_file(const std::string& text) {
  for (const char* p : {"/dev", "/proc", "/sys", "/run"})
    if (text.find(p) != std::string::npos) return true;
  return false;
}

// Roughly the parameters a resolved config states (embeddings, attention, MLP, positions), so a
// target builds and loads a model only when it fits the fuzzer's memory limit comfortably. Doubles,
// so that absurd headers cannot overflow.
inline bool small_model(const ModelConfig& m, double max_parameters = 4e6) {
  const double d = static_cast<double>(m.d_model), layers = static_cast<double>(m.n_layers);
  const double hidden = m.mlp.hidden > 0 ? static_cast<double>(m.mlp.hidden) : 4 * d;
  const double n = 2 * static_cast<double>(m.vocab_size) * d + layers * (4 * d * d + 3 * d * hidden + 8 * d) +
                   static_cast<double>(m.context) * d;
  return n <= max_parameters;
}

// Text for the tokenizer targets to encode: ASCII words and contractions, runs of spaces and
// newlines, digits, multi-byte UTF-8, invalid UTF-8, NUL, and GPT-2's special token.
inline const std::vector<std::string>& sample_texts() {
  static const std::vector<std::string> texts = {
      "", " ", "Hello world", "  two  spaces\n\nand\ttabs ", "it's 2024: we'll see 3.14159",
      "na\xc3\xafve caf\xc3\xa9 \xe4\xb8\xad\xe6\x96\x87 \xf0\x9f\x98\x80", std::string("nul\0byte", 8),
      "bad \xff\xfe utf8 \xc3", "<|endoftext|>next<|endoftext|>", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"};
  return texts;
}

// Encodes every sample text and decodes the ids back; an id outside [0, vocab_size()) aborts.
// Returns the decoded texts. DataError (an unknown id in decode) propagates.
inline std::vector<std::string> exercise_tokenizer(const Tokenizer& tokenizer) {
  std::vector<std::string> decoded;
  for (const std::string& text : sample_texts()) {
    const std::vector<int32_t> ids = tokenizer.encode(text);
    for (int32_t id : ids)
      if (id < 0 || id >= tokenizer.vocab_size()) {
        std::fprintf(stderr, "%s: encode gave id %d, vocab_size %lld\n", tokenizer.name().c_str(), id,
                     static_cast<long long>(tokenizer.vocab_size()));
        std::abort();
      }
    decoded.push_back(tokenizer.decode(ids));
  }
  return decoded;
}

}  // namespace ablate::fuzz
