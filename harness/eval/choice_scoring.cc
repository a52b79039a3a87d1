// Multiple-choice log-likelihoods and accuracies (see choice_scoring.h).
#include "harness/eval/choice_scoring.h"

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/task_arena.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <mutex>

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

// The choices' requests as token sequences: `full` = ctx + cont, `input` its window.
struct Requests {
  std::vector<std::vector<int32_t>> full;   // ctx + cont
  std::vector<std::vector<int32_t>> kept;   // full[-(window + 1):]  (inputs are kept[:-1])
  std::vector<std::vector<int32_t>> input;  // kept[:-1]
  std::vector<int64_t> n_cont;
  bool truncated = false;
};

Requests encode_item(const Tokenizer& tokenizer, const ChoiceItem& item, int64_t window) {
  Requests r;
  for (size_t i = 0; i < item.size(); ++i) {
    auto fail = [&](const std::string& what) { return DataError("choice " + std::to_string(i) + ": " + what); };
    EncodedRequest e;
    try {
      e = encode_request(tokenizer, item.context_of(i), item.continuation_of(i));
    } catch (const DataError& error) {
      throw fail(error.what());
    }
    const int64_t n_cont = static_cast<int64_t>(e.continuation.size());
    if (n_cont == 0) throw fail("the continuation \"" + item.continuation_of(i) + "\" encodes to no tokens");
    if (n_cont > window)
      throw fail("the continuation is " + std::to_string(n_cont) + " tokens, more than the window of " +
                 std::to_string(window) + " (eval.context) holds");
    std::vector<int32_t> full = std::move(e.context);
    full.insert(full.end(), e.continuation.begin(), e.continuation.end());
    const size_t keep = std::min(full.size(), static_cast<size_t>(window) + 1);
    r.truncated = r.truncated || keep < full.size();
    r.kept.emplace_back(full.end() - static_cast<std::ptrdiff_t>(keep), full.end());
    r.input.emplace_back(r.kept.back().begin(), r.kept.back().end() - 1);
    r.full.push_back(std::move(full));
    r.n_cont.push_back(n_cont);
  }
  return r;
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
  const int64_t V = model.config().vocab_size;
  const Requests r = encode_item(tokenizer, item, window);
  const size_t n = item.size();

  // The shared prefix of the inputs runs once. Rows r < P − 1 predict common tokens; row P − 1
  // predicts each choice's own token at P, so its whole row is kept.
  size_t shortest = r.input[0].size();
  for (const auto& in : r.input) shortest = std::min(shortest, in.size());
  const size_t P = common_prefix(r.input, shortest);
  for (auto& c : caches) c.clear();
  std::vector<double> prefix_logprob(P, 0.0);  // [row] log P(input[row + 1] | ...), rows needed only
  std::vector<float> last_row;
  double last_lse = 0;
  if (P > 0) {
    const Tensor<float>& logits = model.forward_cached(r.input[0].data(), 1, static_cast<int64_t>(P), caches);
    size_t first_needed = P;
    for (size_t i = 0; i < n; ++i)
      first_needed = std::min(first_needed, r.kept[i].size() - static_cast<size_t>(r.n_cont[i]) - 1);
    for (size_t row = first_needed; row + 1 < P; ++row)
      prefix_logprob[row] = log_prob(logits.ptr() + row * V, V, r.input[0][row + 1]);
    last_row.assign(logits.ptr() + (P - 1) * V, logits.ptr() + P * V);
    last_lse = log_sum_exp(last_row.data(), V);
  }

  ItemScore s;
  s.gold = item.gold;
  s.truncated = r.truncated;
  // llama.cpp's common prefix is over the whole (untruncated) sequences.
  size_t shortest_full = r.full[0].size();
  for (const auto& f : r.full) shortest_full = std::min(shortest_full, f.size());
  const size_t llamacpp_prefix = common_prefix(r.full, shortest_full - 1);
  for (size_t i = 0; i < n; ++i) {
    const std::vector<int32_t>& kept = r.kept[i];
    const size_t L = kept.size(), n_cont = static_cast<size_t>(r.n_cont[i]);
    const float* rest = nullptr;  // logits of input rows P.. of this choice
    if (L - 1 > P) {
      for (auto& c : caches) c.length = static_cast<int64_t>(P);  // rewind to the shared prefix
      rest = model.forward_cached(r.input[i].data() + P, 1, static_cast<int64_t>(L - 1 - P), caches).ptr();
    }
    double ll = 0, tail_sum = 0;
    int64_t tail_count = 0;
    for (size_t q = L - n_cont; q < L; ++q) {  // kept[q] is scored, predicted by input row q − 1
      const size_t row = q - 1;
      double lp;
      if (row + 1 < P) lp = prefix_logprob[row];
      else if (row + 1 == P) lp = static_cast<double>(last_row[kept[q]]) - last_lse;
      else lp = log_prob(rest + (row - P) * V, V, kept[q]);
      ll += lp;
      const size_t full_position = r.full[i].size() - (L - q);
      if (full_position >= llamacpp_prefix) {
        tail_sum += lp;
        ++tail_count;
      }
    }
    const std::string norm = item.normalization_text(i);
    s.loglikelihoods.push_back(ll);
    s.llamacpp.push_back(tail_sum / static_cast<double>(tail_count));
    s.tokens.push_back(static_cast<int64_t>(n_cont));
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

nlohmann::json choice_metrics(const std::vector<ItemScore>& scores) {
  const int64_t n = static_cast<int64_t>(scores.size());
  nlohmann::json m = {{"items", n}};
  auto add = [&](const std::string& name, int ItemScore::*pred) {
    int64_t right = 0;
    for (const auto& s : scores) right += (s.*pred == s.gold) ? 1 : 0;
    const double p = n > 0 ? static_cast<double>(right) / static_cast<double>(n) : 0.0;
    m[name] = p;
    m[name + "_stderr"] = n >= 2 ? nlohmann::json(binary_mean_stderr(p, n)) : nlohmann::json(nullptr);
  };
  add("acc", &ItemScore::pred);
  add("acc_norm", &ItemScore::pred_norm);
  add("acc_bytes", &ItemScore::pred_bytes);
  add("acc_llamacpp", &ItemScore::pred_llamacpp);
  int64_t choices = 0, tokens = 0, truncated = 0;
  for (const auto& s : scores) {
    choices += static_cast<int64_t>(s.loglikelihoods.size());
    for (int64_t t : s.tokens) tokens += t;
    truncated += s.truncated ? 1 : 0;
  }
  m["choices_per_item"] = n > 0 ? static_cast<double>(choices) / static_cast<double>(n) : 0.0;
  m["scored_tokens_per_choice"] = choices > 0 ? static_cast<double>(tokens) / static_cast<double>(choices) : 0.0;
  m["truncated_items"] = truncated;
  return m;
}

nlohmann::json item_record(const ItemScore& s, size_t index) {
  return {{"index", index},          {"gold", s.gold},
          {"scores", s.loglikelihoods}, {"lengths", s.chars},
          {"bytes", s.bytes},        {"tokens", s.tokens},
          {"llamacpp", s.llamacpp},  {"pred", s.pred},
          {"pred_norm", s.pred_norm}, {"pred_bytes", s.pred_bytes},
          {"pred_llamacpp", s.pred_llamacpp}, {"truncated", s.truncated}};
}

}  // namespace ablate
