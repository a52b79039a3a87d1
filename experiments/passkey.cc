// Passkey retrieval and `ablate passkey` (see passkey.h).
#include "experiments/passkey.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <memory>
#include <ostream>

#include "experiments/command_arguments.h"
#include "experiments/scored_model.h"
#include "harness/common/errors.h"
#include "harness/common/format.h"
#include "harness/common/run_info.h"
#include "harness/data/synthetic_corpus.h"
#include "harness/eval/passkey.h"
#include "harness/tokenizers/factory.h"

namespace ablate {
namespace {

const CommandOptions kPasskeyCommand = {
    "passkey",
    "Passkey retrieval accuracy against context length and key depth under each RoPE scaling method of the\n"
    "config's passkey: section (fine-tuned too with extend.finetune), for a checkpoint, into DIR/passkey.json.",
    /*checkpoint=*/true, /*resume_force=*/false};

// Logits of one prefill are held whole (B × T × V floats): batches stay under this many bytes.
constexpr int64_t kPrefillLogitBytes = int64_t{256} << 20;

struct PointScore {
  int64_t correct = 0;
  int64_t min_tokens = std::numeric_limits<int64_t>::max(), max_tokens = 0;
};

// The trials of one (length, depth): prompts of equal token count run as one batch (up to
// kPrefillLogitBytes of logits), each decoding as many tokens as the longest answer of the batch.
PointScore score_point(Model<float>& model, const Tokenizer& tokenizer, const std::vector<int32_t>& filler,
                       const PasskeyConfig& pc, int64_t length, double depth) {
  std::vector<PasskeyPrompt> prompts;
  for (int64_t t = 0; t < pc.trials; ++t) {
    const PasskeyTrial trial = passkey_trial(pc.seed, length, depth, t, pc.digits, filler.size());
    prompts.push_back(build_passkey_prompt(tokenizer, filler, trial.offset, trial.key, length, depth, pc.instruction));
  }
  std::vector<size_t> order(prompts.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return prompts[a].tokens.size() < prompts[b].tokens.size(); });
  PointScore score;
  const int64_t V = model.config().vocab_size;
  for (size_t begin = 0; begin < order.size();) {
    const auto T = static_cast<int64_t>(prompts[order[begin]].tokens.size());
    const int64_t max_batch = std::max<int64_t>(1, kPrefillLogitBytes / (T * V * 4));
    size_t end = begin;
    int64_t steps = 0;
    std::vector<int32_t> batch;
    while (end < order.size() && static_cast<int64_t>(end - begin) < max_batch &&
           static_cast<int64_t>(prompts[order[end]].tokens.size()) == T) {
      const PasskeyPrompt& p = prompts[order[end++]];
      batch.insert(batch.end(), p.tokens.begin(), p.tokens.end());
      steps = std::max(steps, p.answer_tokens);
    }
    const auto B = static_cast<int64_t>(end - begin);
    const std::vector<std::vector<int32_t>> continuations = greedy_continuations(model, batch, B, T, steps);
    for (int64_t b = 0; b < B; ++b) {
      const PasskeyPrompt& p = prompts[order[begin + static_cast<size_t>(b)]];
      std::vector<int32_t> answer(continuations[static_cast<size_t>(b)].begin(),
                                  continuations[static_cast<size_t>(b)].begin() + p.answer_tokens);
      // An id the tokenizer does not have (a padded vocabulary) is no digit.
      const bool decodable = std::all_of(answer.begin(), answer.end(), [&](int32_t id) { return id < tokenizer.vocab_size(); });
      if (decodable && passkey_answer_correct(tokenizer.decode(answer), p.key)) ++score.correct;
      score.min_tokens = std::min<int64_t>(score.min_tokens, T);
      score.max_tokens = std::max<int64_t>(score.max_tokens, T);
    }
    begin = end;
  }
  return score;
}

// One method's entry: every (length, depth) point of `weights` run under `method` (factor auto at
// each length, or fixed at `fixed_context` for a fine-tuned model).
nlohmann::json score_method(const ExperimentConfig& config, const ExtendMethod& method, Model<float>& weights,
                            int64_t finetuned_steps, int64_t fixed_context, const Tokenizer& tokenizer,
                            const std::vector<int32_t>& filler, std::ostream* log) {
  const PasskeyConfig& pc = config.passkey;
  const std::string label = budget_label(method.name, finetuned_steps);
  nlohmann::json m = {{"name", method.name}, {"label", label}, {"scaling", method.scaling},
                      {"finetuned_steps", finetuned_steps}, {"points", nlohmann::json::array()}};
  if (method.factor_auto) m["scaling"]["factor"] = "auto";
  int64_t all_trials = 0, all_correct = 0;
  const auto answer_tokens = static_cast<int64_t>(tokenizer.encode(" " + std::string(static_cast<size_t>(pc.digits), '0')).size());
  for (int64_t length : pc.lengths) {
    std::string why = scaling_not_applicable(config.model, method, length);
    // Greedy decoding feeds all but the last answer token after the prompt: a learned table must
    // hold those positions too.
    const int64_t positions = length + answer_tokens - 1;
    if (why.empty() && config.model.position.type == "learned" && positions > config.model.context)
      why = "the prompt and its answer need " + std::to_string(positions) + " positions; the learned position table holds " +
            std::to_string(config.model.context);
    std::unique_ptr<Model<float>> model;
    if (why.empty()) {
      model = std::make_unique<Model<float>>(extension_model(config.model, method, fixed_context > 0 ? fixed_context : length),
                                             static_cast<uint64_t>(config.seed));
      copy_weights(weights, *model);
    }
    const auto start = std::chrono::steady_clock::now();
    int64_t length_correct = 0;
    for (double depth : pc.depths) {
      nlohmann::json point = {{"length", length}, {"depth", depth}};
      if (!why.empty()) {
        point.update({{"applicable", false}, {"reason", why}, {"trials", 0}, {"correct", 0}, {"accuracy", nullptr}});
      } else {
        const PointScore s = score_point(*model, tokenizer, filler, pc, length, depth);
        point.update({{"applicable", true}, {"factor", model->config().position.scaling.factor}, {"trials", pc.trials},
                      {"correct", s.correct}, {"accuracy", static_cast<double>(s.correct) / static_cast<double>(pc.trials)},
                      {"prompt_tokens", {{"min", s.min_tokens}, {"max", s.max_tokens}}}});
        length_correct += s.correct;
      }
      m["points"].push_back(point);
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!why.empty()) {
      if (log) *log << config.name << ": passkey " << label << " @ " << length << ": not applicable (" << why << ")\n";
      continue;
    }
    const int64_t n = pc.trials * static_cast<int64_t>(pc.depths.size());
    all_trials += n;
    all_correct += length_correct;
    if (log)
      *log << config.name << ": passkey " << label << " @ " << length << ": accuracy "
           << format_fixed(static_cast<double>(length_correct) / static_cast<double>(n), 3) << " (" << length_correct << "/"
           << n << " over " << pc.depths.size() << " depths, " << format_fixed(seconds, 1) << " s)\n";
  }
  m["trials"] = all_trials;
  m["correct"] = all_correct;
  m["accuracy"] = all_trials > 0 ? nlohmann::json(static_cast<double>(all_correct) / static_cast<double>(all_trials))
                                 : nlohmann::json(nullptr);
  return m;
}

}  // namespace

std::vector<int32_t> passkey_filler(const ExperimentConfig& config, const Tokenizer& tokenizer) {
  const PasskeyConfig& pc = config.passkey;
  if (pc.filler != "synthetic") return tokenize_file(pc.filler, tokenizer);
  // Bytes >= tokens for every tokenizer here, so this holds two longest prompts' worth of tokens; the
  // corpus without its own passkeys, so the prompt's key is the only one.
  return tokenizer.encode(generate_corpus(static_cast<uint64_t>(pc.seed), 2 * pc.lengths.back() + 8192,
                                          /*passkeys=*/false));
}

void check_passkey_section(const ExperimentConfig& config) {
  const std::unique_ptr<Tokenizer> tokenizer = make_tokenizer(config.data.tokenizer);
  check_passkey_lengths(config.passkey, *tokenizer);
  if (config.passkey.filler != "synthetic") {
    try {
      passkey_filler(config, *tokenizer);
    } catch (const DataError& e) {
      throw ConfigError(std::string("passkey.filler: ") + e.what());
    }
  }
}

nlohmann::json run_passkey(const ExperimentConfig& config, const PasskeyInputs& in) {
  const PasskeyConfig& pc = config.passkey;
  const std::unique_ptr<Tokenizer> tokenizer = make_tokenizer(config.data.tokenizer);
  check_passkey_lengths(pc, *tokenizer);
  const std::vector<int32_t> filler = passkey_filler(config, *tokenizer);
  if (filler.empty()) throw DataError("passkey.filler " + pc.filler + ": no tokens");
  const ExtendConfig& ec = config.extend;
  nlohmann::json out = {{"digits", pc.digits}, {"trials", pc.trials}, {"filler", pc.filler},
                        {"filler_tokens", filler.size()}, {"chance", std::pow(10.0, -static_cast<double>(pc.digits))},
                        {"instruction", pc.instruction}, {"trained_context", trained_context(config.model)},
                        {"lengths", pc.lengths}, {"depths", pc.depths}, {"methods", nlohmann::json::array()}};
  FinetunedModels own;
  FinetunedModels& models = in.finetuned ? *in.finetuned : own;
  const int64_t context = ec.enabled ? finetune_context(ec) : 0;
  for (const ExtendMethod& method : pc.methods) {
    // As trained, then at each budget of extend.finetune.steps that fine-tunes.
    out["methods"].push_back(score_method(config, method, *in.trained, 0, 0, *tokenizer, filler, in.log));
    for (int64_t steps : finetune_budgets(ec, config.model)) {
      if (steps == 0) continue;
      Model<float>& tuned = models.get(config, method, context, steps, *in.trained, *in.data, in.finetune_dir, in.log);
      nlohmann::json m = score_method(config, method, tuned, steps, context, *tokenizer, filler, in.log);
      m["finetune_context"] = context;
      out["methods"].push_back(m);
    }
    if (!in.finetuned) own.clear();
  }
  return out;
}

std::string format_passkey_summary(const nlohmann::json& passkey) {
  std::string text = "passkey:";
  for (const nlohmann::json& m : passkey["methods"])
    text += " " + m["label"].get<std::string>() + " " +
            (m["accuracy"].is_number() ? format_fixed(m["accuracy"].get<double>(), 3) : std::string("n/a")) + ",";
  text.pop_back();
  return text + " (" + std::to_string(passkey["lengths"].size()) + " lengths x " + std::to_string(passkey["depths"].size()) +
         " depths x " + std::to_string(passkey["trials"].get<int64_t>()) + " trials, chance " +
         shortest_number(passkey["chance"].get<double>()) + ")";
}

int passkey_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  CommandArguments a;
  if (const auto exit = parse_command_arguments(kPasskeyCommand, args, a, out, err)) return *exit;
  for (const ScoredExperiment& e : scored_experiments(a, "passkey", err)) {
    if (!e.config.passkey.enabled)
      throw ConfigError(a.config_path + ": passkey: the config has no `passkey:` section; add one, e.g. "
                        "`passkey: {lengths: [256, 512, 1024]}`");
    check_passkey_section(e.config);  // before the model loads
    ScoredModel scored("passkey", e, std::chrono::system_clock::now(), err);
    scored.evaluate({/*validation=*/false, /*extend=*/false, /*choice=*/false, /*passkey=*/true}, nullptr, out, err);
    scored.result()["metrics"] = {{"parameters", scored.model().parameter_count()}, {"peak_rss_bytes", peak_rss_bytes()}};
    scored.write_result(out);
  }
  return 0;
}

}  // namespace ablate
