// Multiple-choice scoring by log-likelihood, as lm-evaluation-harness computes it
// (lm_eval/models/huggingface.py: _encode_pair, _loglikelihood_tokens; lm_eval/api/task.py:
// ConfigurableTask.process_results; lm_eval/api/metrics.py: mean_stderr).
//
// Each choice i of an item is a request (context, continuation), tokenized as lm-eval does:
//   trailing whitespace of the context moves to the front of the continuation;
//   ctx = enc(context), cont = enc(context + continuation)[len(ctx):]
//   (an empty context is [BOS] or [EOS]; without either it is an error)
// and scored with at most `window` tokens of input, truncated from the left:
//   input = (ctx + cont)[-(window + 1):][:-1]
//   LL_i  = Σ_{t in cont} log P(t | what precedes it in input)     (log-softmax in double)
// Per item, with numpy's argmax (the first maximum wins ties):
//   pred        = argmax_i LL_i                         acc       = [pred == gold]
//   pred_norm   = argmax_i LL_i / chars_i               acc_norm  = [pred_norm == gold]
//   pred_bytes  = argmax_i LL_i / bytes_i               acc_bytes
// where chars_i = len() in code points of lm-eval's doc_to_choice(doc)[i] (the choice without its
// target delimiter: what lm-eval's code divides by, though its docs say bytes) and bytes_i the same
// in UTF-8 bytes (ChoiceItem::normalization_text).
// llama.cpp's HellaSwag score (tools/perplexity/perplexity.cpp: hellaswag_score), under its own
// name because llama.cpp users quote it as "acc_norm". Its sequences are not lm-eval's requests:
//   seq_i = [BOS] + enc(context_i + continuation_i)    (BOS whenever the tokenizer has one, as
//           common_tokenize(ctx, context + " " + ending, add_special) does for the models that
//           define one; the text's own tokens, so "+docs" does not change them: a DocumentTokenizer
//           counts as its inner tokenizer)
//   p     = the longest common token prefix of the seq_i, at most the shortest length − 1
//   score_i = mean over q in [max(p, 1), |seq_i|) of log P(seq_i[q] | seq_i[:q])
//   pred_llamacpp = argmax_i score_i (the first maximum wins ties, as llama.cpp's strict '>' scan).
// llama.cpp refuses a task longer than its context; here a sequence longer than window + 1 keeps
// its last window + 1 tokens (the item counts as truncated) and the score averages the scored
// tokens the window keeps (all of them with one shared context, since they are at most the
// continuation; with partial scoring, whose contexts differ, the first may be cut).
// Log-probabilities are computed in double (llama.cpp: float).
// Summary: each acc* is a mean over items; its stderr is lm-eval's mean_stderr, the sample standard
// deviation over sqrt(n), which for 0/1 values is sqrt(p(1 − p)/(n − 1)) (null when n < 2).
//
// Speed: the choices' inputs share a prefix (the context, at least). It runs once through
// Model::forward_cached into a KV cache; every choice then rewinds the cache to the prefix and runs
// only its own tokens. llama.cpp's sequences run the same way, in a second pass unless they equal
// lm-eval's (no BOS, and enc(context) a prefix of enc(context + continuation): the byte tokenizer). The log-probabilities equal those of a plain forward pass over each input
// (up to float rounding). Items run in parallel (oneTBB), each worker with its own Model copy (a
// Model holds activations); each item's scores depend only on the weights and the item, so results
// are identical for any thread count.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "components/core/kv_cache.h"
#include "components/model/model.h"
#include "harness/eval/choice_task.h"
#include "harness/tokenizers/tokenizer.h"

namespace ablate {

// lm-eval's _encode_pair (see above).
struct EncodedRequest {
  std::vector<int32_t> context, continuation;
};
EncodedRequest encode_request(const Tokenizer& tokenizer, const std::string& context,
                              const std::string& continuation);

struct ItemScore {
  int gold = 0;
  std::vector<double> loglikelihoods;  // LL_i
  std::vector<double> llamacpp;        // llama.cpp's mean log-prob after the common prefix
  std::vector<int64_t> tokens;         // continuation tokens scored
  std::vector<int64_t> chars, bytes;   // acc_norm / acc_bytes denominators
  int pred = 0, pred_norm = 0, pred_bytes = 0, pred_llamacpp = 0;
  bool truncated = false;  // some choice lost context tokens to the window (lm-eval's or llama.cpp's sequence)
  int64_t difficulty = -1;  // the item's (ChoiceItem::difficulty)
};

// numpy.argmax: the index of the first maximum (a NaN counts as the maximum). v must not be empty.
int first_argmax(const std::vector<double>& v);

// Scores one item with `model`; `caches` is scratch (one per layer, reused across calls).
// DataError ("choice 2: ...") when a continuation is longer than the window, is empty after
// tokenization, or a context is empty and the tokenizer has no BOS/EOS.
ItemScore score_item(Model<float>& model, std::vector<KVCache<float>>& caches, const Tokenizer& tokenizer,
                     const ChoiceItem& item, int64_t window);

// Every item, in parallel over items (see above); `model` lends its weights (it is not run).
// Errors are prefixed with the item's index ("item 17: choice 2: ...").
std::vector<ItemScore> score_items(Model<float>& model, const Tokenizer& tokenizer,
                                   const std::vector<ChoiceItem>& items, int64_t window);

// {"items", "acc", "acc_stderr", "acc_norm", "acc_norm_stderr", "acc_bytes", "acc_bytes_stderr",
//  "acc_llamacpp", "acc_llamacpp_stderr", "choices_per_item", "chance", "truncated",
//  "truncated_items", "scored_tokens_per_choice"}, with
//   chance    = mean over items of 1 / (number of choices): the expected acc of a uniform guess
//   truncated = items whose context the window cut (ItemScore::truncated); truncated_items is the
//               same count under its older name
// and, when some item has a difficulty (>= 0), "difficulty": difficulty_bins(scores, axis).
nlohmann::json choice_metrics(const std::vector<ItemScore>& scores, const std::string& axis = "");

// Accuracy by difficulty: {"name": axis, "bins": [{"value": d, "items": n, "acc", "acc_stderr",
// "acc_norm"}]}, one bin per difficulty value d >= 0 that occurs, in increasing d; items without a
// difficulty (-1) are left out; acc_stderr is null for a bin of one item.
nlohmann::json difficulty_bins(const std::vector<ItemScore>& scores, const std::string& axis);

// mean_stderr of n values of which a fraction p are 1 and the rest 0: sqrt(p(1 − p)/(n − 1)).
double binary_mean_stderr(double p, int64_t n);

// One line of choice_items.jsonl: {"index", "gold", "scores", "lengths", "bytes", "tokens",
// "llamacpp", "pred", "pred_norm", "pred_bytes", "pred_llamacpp", "truncated"}, and "difficulty" when
// the item has one.
nlohmann::json item_record(const ItemScore& score, size_t index);

}  // namespace ablate
