// Multiple-choice log-likelihoods and accuracies (see choice_scoring.h).
#include "harness/eval/choice_scoring.h"

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/task_arena.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <utility>

#include "harness/tokenizers/document_tokenizer.h"
#include "harness/tokenizers/python_text.h"

namespace ablate {
namespace {

// log Σ_v exp(row[v]), in double.
double log_sum_exp(const float* row, int64_t V) {
  double max = -std::numeric_limits<double>::infinity();
  for (int64_t v = 0; v < V; ++v) max = std::max(max, static_cast<double>(row[v]));
  double sum = 0;
  for (int64_t v = 0; v < V; ++v) sum += std::exp(static_cast<double>(row[v]) - max);
  return max + std::log(sum);
}

double log_prob(const float* row, int64_t V, int32_t target) {
  return static_cast<double>(row[target]) - log_sum_exp(row, V);
}

size_t common_prefix(const std::vector<std::vector<int32_t>>& seqs, size_t limit) {
  size_t p = 0;
  while (p < limit && std::all_of(seqs.begin(), seqs.end(), [&](const auto& s) { return s[p] == seqs[0][p]; })) ++p;
  return p;
}

// The choices' requests as token sequences: `full` = ctx + cont, `kept` its window.
struct Requests {
  std::vector<std::vector<int32_t>> full;  // ctx + cont
  std::vector<std::vector<int32_t>> kept;  // full[-(window + 1):]  (the model's inputs are kept[:-1])
  std::vector<int64_t> n_cont;
  bool truncated = false;
};

// full[-(window + 1):], and whether that cut anything.
std::vector<int32_t> window_of(const std::vector<int32_t>& full, int64_t window, bool& truncated) {
  const size_t keep = std::min(full.size(), static_cast<size_t>(window) + 1);
  truncated = truncated || keep < full.size();
  return std::vector<int32_t>(full.end() - static_cast<std::ptrdiff_t>(keep), full.end());
}

DataError choice_error(size_t i, const std::string& what) {
  return DataError("choice " + std::to_string(i) + ": " + what);
}

Requests encode_item(const Tokenizer& tokenizer, const ChoiceItem& item, int64_t window) {
  Requests r;
  for (size_t i = 0; i < item.size(); ++i) {
    EncodedRequest e;
    try {
      e = encode_request(tokenizer, item.context_of(i), item.continuation_of(i));
    } catch (const DataError& error) {
      throw choice_error(i, error.what());
    }
    const int64_t n_cont = static_cast<int64_t>(e.continuation.size());
    if (n_cont == 0) throw choice_error(i, "the continuation \"" + item.continuation_of(i) + "\" encodes to no tokens");
    if (n_cont > window)
      throw choice_error(i, "the continuation is " + std::to_string(n_cont) + " tokens, more than the window of " +
                                std::to_string(window) + " (eval.context) holds");
    std::vector<int32_t> full = std::move(e.context);
    full.insert(full.end(), e.continuation.begin(), e.continuation.end());
    r.kept.push_back(window_of(full, window, r.truncated));
    r.full.push_back(std::move(full));
    r.n_cont.push_back(n_cont);
  }
  return r;
}

// The tokenizer llama.cpp's sequences are encoded with: the text's own tokens, so a "+docs"
// tokenizer (which adds BOS per document and strips each document) counts as its inner one.
const Tokenizer& text_tokenizer(const Tokenizer& tokenizer) {
  const auto* documents = dynamic_cast<const DocumentTokenizer*>(&tokenizer);
  return documents ? documents->inner() : tokenizer;
}

// llama.cpp's hellaswag_score sequences (see the header): full[i] = [BOS] + enc(context_i +
// continuation_i), BOS whenever the tokenizer has one; `prefix` their common token prefix (at most
// the shortest length − 1); the tokens at positions >= max(prefix, 1) are scored, those of them the
// window keeps.
struct LlamaCppSequences {
  std::vector<std::vector<int32_t>> full, kept;  // kept = full[-(window + 1):]
  size_t prefix = 0;
  bool truncated = false;
};

LlamaCppSequences llamacpp_sequences(const Tokenizer& tokenizer, const ChoiceItem& item, int64_t window) {
  LlamaCppSequences l;
  const Tokenizer& text = text_tokenizer(tokenizer);
  const std::optional<int32_t> bos = tokenizer.bos_id();
  for (size_t i = 0; i < item.size(); ++i) {
    std::vector<int32_t> seq;
    if (bos) seq.push_back(*bos);
    const std::vector<int32_t> tokens = text.encode(item.context_of(i) + item.continuation_of(i));
    seq.insert(seq.end(), tokens.begin(), tokens.end());
    if (seq.size() < 2)
      throw choice_error(i, "llama.cpp's sequence (BOS + context + ending) has " + std::to_string(seq.size()) +
                                " token(s), too few to score one from the others");
    l.full.push_back(std::move(seq));
  }
  size_t shortest = l.full[0].size();
  for (const auto& f : l.full) shortest = std::min(shortest, f.size());
  l.prefix = common_prefix(l.full, shortest - 1);
  for (const auto& f : l.full) l.kept.push_back(window_of(f, window, l.truncated));
  return l;
}

// The log-probabilities of sequences that share a prefix, the prefix run once:
// out[i][q] = log P(seqs[i][q] | seqs[i][:q]) for q >= from[i] (>= 1), 0 below. The inputs are
// seqs[i][:-1]; their common prefix (P tokens) runs once through forward_cached, then each sequence
// rewinds the cache to P and runs only its own tokens. Rows r < P − 1 predict common tokens; row
// P − 1 predicts each sequence's own token at P, so its whole row is kept.
std::vector<std::vector<double>> shared_prefix_logprobs(Model<float>& model, std::vector<KVCache<float>>& caches,
                                                        const std::vector<std::vector<int32_t>>& seqs,
                                                        const std::vector<size_t>& from) {
  const int64_t V = model.config().vocab_size;
  const size_t n = seqs.size();
  std::vector<std::vector<int32_t>> inputs;
  for (const auto& s : seqs) inputs.emplace_back(s.begin(), s.end() - 1);
  size_t shortest = inputs[0].size();
  for (const auto& in : inputs) shortest = std::min(shortest, in.size());
  const size_t P = common_prefix(inputs, shortest);
  for (auto& c : caches) c.clear();
  std::vector<double> prefix_logprob(P, 0.0);  // [row] log P(input[row + 1] | ...), rows needed only
  std::vector<float> last_row;
  double last_lse = 0;
  if (P > 0) {
    const Tensor<float>& logits = model.forward_cached(inputs[0].data(), 1, static_cast<int64_t>(P), caches);
    const size_t first_needed = *std::min_element(from.begin(), from.end()) - 1;
    for (size_t row = first_needed; row + 1 < P; ++row)
      prefix_logprob[row] = log_prob(logits.ptr() + row * V, V, inputs[0][row + 1]);
    last_row.assign(logits.ptr() + (P - 1) * V, logits.ptr() + P * V);
    last_lse = log_sum_exp(last_row.data(), V);
  }
  std::vector<std::vector<double>> out(n);
  for (size_t i = 0; i < n; ++i) {
    const std::vector<int32_t>& seq = seqs[i];
    const size_t L = seq.size();
    const float* rest = nullptr;  // logits of input rows P.. of this sequence
    if (L - 1 > P) {
      for (auto& c : caches) c.length = static_cast<int64_t>(P);  // rewind to the shared prefix
      rest = model.forward_cached(inputs[i].data() + P, 1, static_cast<int64_t>(L - 1 - P), caches).ptr();
    }
    out[i].assign(L, 0.0);
    for (size_t q = from[i]; q < L; ++q) {  // seq[q] is predicted by input row q − 1
      const size_t row = q - 1;
      if (row + 1 < P) out[i][q] = prefix_logprob[row];
      else if (row + 1 == P) out[i][q] = static_cast<double>(last_row[seq[q]]) - last_lse;
      else out[i][q] = log_prob(rest + (row - P) * V, V, seq[q]);
    }
  }
  return out;
}

std::vector<double> divided(const std::vector<double>& a, const std::vector<int64_t>& b) {
  std::vector<double> out(a.size());
  for (size_t i = 0; i < a.size(); ++i) out[i] = a[i] / static_cast<double>(b[i]);
  return out;
}

// A Model of its own (same weights) and its KV caches, for one worker at a time.
struct Worker {
  std::unique_ptr<Model<float>> model;
  std::vector<KVCache<float>> caches;
};

}  // namespace

EncodedRequest encode_request(const Tokenizer& tokenizer, const std::string& context,
                              const std::string& continuation) {
  std::string ctx = context, cont = continuation;
  const std::string stripped = python_rstrip(ctx);
  if (stripped.size() < ctx.size()) {
    cont = ctx.substr(stripped.size()) + cont;
    ctx = stripped;
  }
  EncodedRequest e;
  if (ctx.empty()) {
    // lm-eval conditions an empty context on one special token (prefix_token_id).
    std::optional<int32_t> id = tokenizer.bos_id();
    if (!id) id = tokenizer.eos_id();
    if (!id)
      throw DataError("the context is empty, and the " + tokenizer.name() +
                      " tokenizer has no BOS or EOS token to condition the continuation on");
    e.context = {*id};
    e.continuation = tokenizer.encode(cont);
    return e;
  }
  const std::vector<int32_t> whole = tokenizer.encode(ctx + cont);
  e.context = tokenizer.encode(ctx);
  const size_t n = std::min(e.context.size(), whole.size());
  e.continuation.assign(whole.begin() + static_cast<std::ptrdiff_t>(n), whole.end());
  return e;
}

int first_argmax(const std::vector<double>& v) {
  size_t best = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    if (std::isnan(v[i])) return static_cast<int>(i);
    if (v[i] > v[best]) best = i;
  }
  return static_cast<int>(best);
}

ItemScore score_item(Model<float>& model, std::vector<KVCache<float>>& caches, const Tokenizer& tokenizer,
                     const ChoiceItem& item, int64_t window) {
  if (item.size() == 0) throw DataError("an item without choices");
  const size_t n = item.size();
  const Requests r = encode_item(tokenizer, item, window);
  const LlamaCppSequences l = llamacpp_sequences(tokenizer, item, window);
  // Positions scored, in each kept window: lm-eval's continuation, llama.cpp's tokens after the prefix.
  std::vector<size_t> from_lm(n), from_llamacpp(n);
  for (size_t i = 0; i < n; ++i) {
    from_lm[i] = r.kept[i].size() - static_cast<size_t>(r.n_cont[i]);
    const size_t cut = l.full[i].size() - l.kept[i].size();  // tokens the window dropped
    from_llamacpp[i] = std::max<size_t>(std::max<size_t>(l.prefix, 1), cut + 1) - cut;
  }
  // Where llama.cpp's sequences are lm-eval's (no BOS, and enc(context) a prefix of
  // enc(context + continuation)), one pass serves both.
  const bool shared = l.full == r.full;
  std::vector<size_t> from = from_lm;
  if (shared)
    for (size_t i = 0; i < n; ++i) from[i] = std::min(from_lm[i], from_llamacpp[i]);
  const auto lm = shared_prefix_logprobs(model, caches, r.kept, from);
  std::vector<std::vector<double>> own;
  if (!shared) own = shared_prefix_logprobs(model, caches, l.kept, from_llamacpp);
  const auto& llamacpp = shared ? lm : own;

  ItemScore s;
  s.gold = item.gold;
  s.difficulty = item.difficulty;
  s.truncated = r.truncated || l.truncated;
  for (size_t i = 0; i < n; ++i) {
    double ll = 0, tail = 0;
    for (size_t q = from_lm[i]; q < r.kept[i].size(); ++q) ll += lm[i][q];
    for (size_t q = from_llamacpp[i]; q < l.kept[i].size(); ++q) tail += llamacpp[i][q];
    const std::string norm = item.normalization_text(i);
    s.loglikelihoods.push_back(ll);
    s.llamacpp.push_back(tail / static_cast<double>(l.kept[i].size() - from_llamacpp[i]));
    s.tokens.push_back(r.n_cont[i]);
    s.chars.push_back(python_length(norm));
    s.bytes.push_back(static_cast<int64_t>(norm.size()));
  }
  s.pred = first_argmax(s.loglikelihoods);
  s.pred_norm = first_argmax(divided(s.loglikelihoods, s.chars));
  s.pred_bytes = first_argmax(divided(s.loglikelihoods, s.bytes));
  s.pred_llamacpp = first_argmax(s.llamacpp);
  return s;
}

std::vector<ItemScore> score_items(Model<float>& model, const Tokenizer& tokenizer,
                                   const std::vector<ChoiceItem>& items, int64_t window) {
  // The weights, read once here; workers copy them into Models of their own.
  std::vector<const Tensor<float>*> weights;
  for (const auto& p : model.parameters()) weights.push_back(&p.param->value);
  std::mutex pool_mutex;
  std::vector<std::unique_ptr<Worker>> idle;
  auto acquire = [&]() -> std::unique_ptr<Worker> {
    {
      std::lock_guard<std::mutex> lock(pool_mutex);
      if (!idle.empty()) {
        auto w = std::move(idle.back());
        idle.pop_back();
        return w;
      }
    }
    auto w = std::make_unique<Worker>();
    w->model = std::make_unique<Model<float>>(model.config());
    auto params = w->model->parameters();
    for (size_t k = 0; k < params.size(); ++k) params[k].param->value.data = weights[k]->data;
    w->model->set_precision(model.precision());
    return w;
  };

  std::vector<ItemScore> scores(items.size());
  tbb::parallel_for(tbb::blocked_range<size_t>(0, items.size(), 1), [&](const tbb::blocked_range<size_t>& range) {
    std::unique_ptr<Worker> w = acquire();
    for (size_t i = range.begin(); i < range.end(); ++i) {
      // Isolated: while this item waits on the model's own parallel loops, this thread takes no
      // other item (that would need a second Worker).
      tbb::this_task_arena::isolate([&] {
        try {
          scores[i] = score_item(*w->model, w->caches, tokenizer, items[i], window);
        } catch (const DataError& e) {
          throw DataError("item " + std::to_string(i) + ": " + e.what());
        }
      });
    }
    std::lock_guard<std::mutex> lock(pool_mutex);
    idle.push_back(std::move(w));
  });
  return scores;
}

double binary_mean_stderr(double p, int64_t n) {
  return std::sqrt(p * (1.0 - p) / static_cast<double>(n - 1));
}

namespace {

// acc = the fraction of `scores` whose `pred` is gold, and its mean_stderr (null below 2 items).
std::pair<double, nlohmann::json> accuracy(const std::vector<const ItemScore*>& scores, int ItemScore::*pred) {
  const int64_t n = static_cast<int64_t>(scores.size());
  int64_t right = 0;
  for (const ItemScore* s : scores) right += (s->*pred == s->gold) ? 1 : 0;
  const double p = n > 0 ? static_cast<double>(right) / static_cast<double>(n) : 0.0;
  return {p, n >= 2 ? nlohmann::json(binary_mean_stderr(p, n)) : nlohmann::json(nullptr)};
}

}  // namespace

nlohmann::json difficulty_bins(const std::vector<ItemScore>& scores, const std::string& axis) {
  std::map<int64_t, std::vector<const ItemScore*>> by_value;
  for (const ItemScore& s : scores)
    if (s.difficulty >= 0) by_value[s.difficulty].push_back(&s);
  nlohmann::json bins = nlohmann::json::array();
  for (const auto& [value, members] : by_value) {
    const auto [acc, acc_stderr] = accuracy(members, &ItemScore::pred);
    bins.push_back({{"value", value},
                    {"items", static_cast<int64_t>(members.size())},
                    {"acc", acc},
                    {"acc_stderr", acc_stderr},
                    {"acc_norm", accuracy(members, &ItemScore::pred_norm).first}});
  }
  return {{"name", axis}, {"bins", bins}};
}

nlohmann::json choice_metrics(const std::vector<ItemScore>& scores, const std::string& axis) {
  const int64_t n = static_cast<int64_t>(scores.size());
  std::vector<const ItemScore*> all;
  for (const ItemScore& s : scores) all.push_back(&s);
  nlohmann::json m = {{"items", n}};
  auto add = [&](const std::string& name, int ItemScore::*pred) {
    const auto [p, stderr_of_p] = accuracy(all, pred);
    m[name] = p;
    m[name + "_stderr"] = stderr_of_p;
  };
  add("acc", &ItemScore::pred);
  add("acc_norm", &ItemScore::pred_norm);
  add("acc_bytes", &ItemScore::pred_bytes);
  add("acc_llamacpp", &ItemScore::pred_llamacpp);
  int64_t choices = 0, tokens = 0, truncated = 0;
  double chance = 0;
  bool has_difficulty = false;
  for (const auto& s : scores) {
    choices += static_cast<int64_t>(s.loglikelihoods.size());
    if (!s.loglikelihoods.empty()) chance += 1.0 / static_cast<double>(s.loglikelihoods.size());
    for (int64_t t : s.tokens) tokens += t;
    truncated += s.truncated ? 1 : 0;
    has_difficulty = has_difficulty || s.difficulty >= 0;
  }
  m["choices_per_item"] = n > 0 ? static_cast<double>(choices) / static_cast<double>(n) : 0.0;
  m["chance"] = n > 0 ? chance / static_cast<double>(n) : 0.0;
  m["scored_tokens_per_choice"] = choices > 0 ? static_cast<double>(tokens) / static_cast<double>(choices) : 0.0;
  m["truncated"] = truncated;
  m["truncated_items"] = truncated;
  if (has_difficulty) m["difficulty"] = difficulty_bins(scores, axis);
  return m;
}

nlohmann::json item_record(const ItemScore& s, size_t index) {
  nlohmann::json record = {{"index", index},          {"gold", s.gold},
          {"scores", s.loglikelihoods}, {"lengths", s.chars},
          {"bytes", s.bytes},        {"tokens", s.tokens},
          {"llamacpp", s.llamacpp},  {"pred", s.pred},
          {"pred_norm", s.pred_norm}, {"pred_bytes", s.pred_bytes},
          {"pred_llamacpp", s.pred_llamacpp}, {"truncated", s.truncated}};
  if (s.difficulty >= 0) record["difficulty"] = s.difficulty;
  return record;
}

}  // namespace ablate
