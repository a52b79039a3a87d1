// Passkey prompts and greedy scoring (see passkey.h).
#include "harness/eval/passkey.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <stdexcept>

namespace ablate {

const char* const kPasskeyInstruction =
    "There is an important info hidden inside a lot of irrelevant text. Find it and memorize them. I will quiz you "
    "about the important information there.";
const char* const kPasskeyQuestion = "What is the pass key? The pass key is";

namespace {

// The text of the filler tokens [from, to) of the stream repeated from its start.
std::string filler_text(const Tokenizer& tokenizer, const std::vector<int32_t>& filler, int64_t from, int64_t to) {
  std::vector<int32_t> ids;
  ids.reserve(static_cast<size_t>(std::max<int64_t>(0, to - from)));
  const int64_t n = static_cast<int64_t>(filler.size());
  for (int64_t i = from; i < to; ++i) ids.push_back(filler[static_cast<size_t>(i % n)]);
  return tokenizer.decode(ids);
}

std::vector<int32_t> encode_prompt(const Tokenizer& tokenizer, const std::string& text) {
  std::vector<int32_t> ids;
  if (const auto bos = tokenizer.bos_id()) ids.push_back(*bos);
  const std::vector<int32_t> body = tokenizer.encode(text);
  ids.insert(ids.end(), body.begin(), body.end());
  return ids;
}

// The prompt's text with the given filler parts; `key_line_at` receives where the key line begins.
std::string prompt_text(const std::string& key, bool instruction, const std::string& before, const std::string& after,
                        size_t* key_line_at) {
  std::string text = instruction ? std::string(kPasskeyInstruction) + "\n" : "";
  text += before + "\n";
  if (key_line_at) *key_line_at = text.size();
  return text + passkey_key_line(key) + "\n" + after + "\n" + kPasskeyQuestion;
}

}  // namespace

std::string passkey_key_line(const std::string& key) {
  return "The pass key is " + key + ". Remember it. " + key + " is the pass key.";
}

std::string random_passkey(Rng& rng, int64_t digits) {
  std::string key;
  for (int64_t i = 0; i < digits; ++i) key += static_cast<char>('0' + rng.below(10));
  return key;
}

PasskeyTrial passkey_trial(int64_t seed, int64_t length, double depth, int64_t trial, int64_t digits,
                           size_t filler_tokens) {
  uint64_t h = static_cast<uint64_t>(seed);
  for (const uint64_t v : {static_cast<uint64_t>(length), static_cast<uint64_t>(std::llround(depth * 1e6)),
                           static_cast<uint64_t>(trial)})
    h = Rng(h ^ (v * 0x9E3779B97F4A7C15ull)).next_u64();
  Rng rng(h);
  PasskeyTrial t;
  t.key = random_passkey(rng, digits);
  t.offset = static_cast<int64_t>(rng.below(filler_tokens));
  return t;
}

int64_t passkey_prompt_overhead(const Tokenizer& tokenizer, int64_t digits, bool instruction) {
  const std::string key(static_cast<size_t>(digits), '9');
  return static_cast<int64_t>(encode_prompt(tokenizer, prompt_text(key, instruction, "", "", nullptr)).size());
}

PasskeyPrompt build_passkey_prompt(const Tokenizer& tokenizer, const std::vector<int32_t>& filler, int64_t offset,
                                   const std::string& key, int64_t length, double depth, bool instruction) {
  if (filler.empty()) throw std::invalid_argument("passkey: the filler holds no tokens");
  const std::string bare = prompt_text(key, instruction, "", "", nullptr);
  const int64_t overhead = static_cast<int64_t>(encode_prompt(tokenizer, bare).size());
  if (overhead >= length)
    throw std::invalid_argument("the prompt without filler takes " + std::to_string(overhead) + " tokens, leaving none of " +
                                std::to_string(length) + " for filler");
  PasskeyPrompt best;
  int64_t n = length - overhead;
  for (int attempt = 0; attempt < 8 && n > 0; ++attempt) {
    PasskeyPrompt p;
    p.key = key;
    p.filler_tokens = n;
    p.filler_before = std::llround(depth * static_cast<double>(n));
    p.text = prompt_text(key, instruction, filler_text(tokenizer, filler, offset, offset + p.filler_before),
                         filler_text(tokenizer, filler, offset + p.filler_before, offset + n), &p.key_line_at);
    p.tokens = encode_prompt(tokenizer, p.text);
    const int64_t got = static_cast<int64_t>(p.tokens.size());
    if (got <= length && got > static_cast<int64_t>(best.tokens.size())) best = std::move(p);
    if (got == length) break;
    n += length - got;
  }
  if (best.tokens.empty())
    throw std::invalid_argument("no filler cut gives a prompt of at most " + std::to_string(length) + " tokens");
  const std::vector<int32_t> answered = encode_prompt(tokenizer, best.text + " " + key);
  best.answer_tokens = std::max<int64_t>(1, static_cast<int64_t>(answered.size()) - static_cast<int64_t>(best.tokens.size()));
  return best;
}

bool passkey_answer_correct(const std::string& decoded, const std::string& key) {
  size_t i = 0;
  while (i < decoded.size() && std::isspace(static_cast<unsigned char>(decoded[i]))) ++i;
  size_t j = i;
  while (j < decoded.size() && std::isdigit(static_cast<unsigned char>(decoded[j]))) ++j;
  return decoded.compare(i, j - i, key) == 0 && j - i == key.size();
}

std::vector<std::vector<int32_t>> greedy_continuations(Model<float>& model, const std::vector<int32_t>& prompts,
                                                       int64_t B, int64_t T, int64_t steps) {
  const int64_t V = model.config().vocab_size;
  std::vector<KVCache<float>> caches;
  std::vector<std::vector<int32_t>> out(static_cast<size_t>(B));
  std::vector<int32_t> next(static_cast<size_t>(B));
  const Tensor<float>* logits = &model.forward_cached(prompts.data(), B, T, caches);
  int64_t rows = T;  // logits (B, rows, V): the last row of each sequence is the next token's
  for (int64_t step = 0; step < steps; ++step) {
    for (int64_t b = 0; b < B; ++b) {
      const float* row = logits->ptr() + (b * rows + rows - 1) * V;
      next[static_cast<size_t>(b)] = static_cast<int32_t>(std::max_element(row, row + V) - row);
      out[static_cast<size_t>(b)].push_back(next[static_cast<size_t>(b)]);
    }
    if (step + 1 < steps) {
      logits = &model.forward_cached(next.data(), B, 1, caches);
      rows = 1;
    }
  }
  return out;
}

}  // namespace ablate
