// Multiple-choice items and their loaders, prompted the way lm-evaluation-harness prompts them
// (EleutherAI/lm-evaluation-harness, lm_eval/tasks/*: the zero-shot doc_to_text / doc_to_choice /
// doc_to_target of each task; target_delimiter " ").
//
// An item is scored as lm-eval's `multiple_choice` output type does: choice i is the request
// (context, " " + choice_i) and its score is log P(continuation | context). Partial scoring
// (Winogrande, lm-eval's multiple_inputs) swaps the roles: choice i is (context_i, continuation),
// one context per option and a single continuation that all of them share.
//
// Formats (JSONL: one JSON object per line, blank lines skipped; `items` > 0 keeps the first N):
//   generic    {"context", "choices": [...], "label"}: context as given, continuation " " + choice
//   hellaswag  {"ctx_a", "ctx_b", "endings", "label", "activity_label"} (HellaSwag's own JSONL):
//              context = pre(activity_label + ": " + ctx_a + " " + capitalize(ctx_b)),
//              continuation " " + pre(ending), with lm-eval's preprocess (tasks/hellaswag/utils.py)
//              pre(t) = strip; " [title]" -> ". "; drop "[...]" spans (non-greedy); "  " -> " "
//              and Python's str.capitalize (first character upper, the rest lower)
//   arc        {"question", "choices": {"text": [...], "label": [...]}, "answerKey"}:
//              "Question: " + question + "\nAnswer:", gold = labels.index(answerKey) (letters A-E or
//              digits 1-5, whatever the labels are; tasks/arc/arc_easy.yaml)
//   piqa       {"goal", "sol1", "sol2", "label"}: "Question: " + goal + "\nAnswer:" (tasks/piqa/piqa.yaml)
//   winogrande {"sentence", "option1", "option2", "answer": "1"|"2"} (tasks/winogrande/
//              preprocess_winogrande.py): i = sentence.index("_"); context_k = sentence[:i] + option_k;
//              continuation = " " + sentence[i+1:].strip()
//   animal_calls  built in (choice.task: animal_calls, format synthetic): the animal calls of
//              generate_document(Rng(seed)) (synthetic_corpus.h, part 7), in order: context = the
//              document up to the call ("... The cow at night"), from the first whole sentence that
//              fits choice.item_bytes, choices = the four calls (" mooed", " roared", " howled",
//              " brayed") shuffled as below, difficulty = the phrases between animal and call (0-2)
//   synthetic  built in: the recalls of generate_document(Rng(seed)) (synthetic_corpus.h), in order:
//              context = the document up to recalled_at (so it ends with the question prefix),
//              from its start or (choice.item_bytes) from the first whole sentence that fits,
//              choices = {answer} + 3 distractors (each already starts with " "), shuffled by a
//              generator derived from the seed; gold = where the answer landed; difficulty = the
//              sentences between the fact's statement and the question
// Labels may be integers or strings holding one ("2"), as in the Hugging Face exports.
//   hellaswag_llamacpp  llama.cpp's HellaSwag text file (tools/perplexity/perplexity.cpp,
//              hellaswag_score; e.g. hellaswag_val_full.txt), not JSONL: 6 lines per task, split at
//              '\n' as std::getline splits them (a final '\n' ends the last line, it does not start
//              another; no line is skipped or trimmed):
//                context (lm-eval's preprocessed query), gold ending index (0-3), ending 0 .. ending 3
//              context = line 1, choices = " " + each ending (llama.cpp scores context + " " + ending).
//              The endings are taken as written (the file holds them preprocessed), so a HellaSwag
//              JSONL task and its line in this file make the same item. llama.cpp draws its tasks in
//              a random order (mt19937(1)); the accuracy over the whole file does not depend on the
//              order, but `items` > 0 keeps the first N tasks where llama.cpp's --hellaswag-tasks N
//              draws N at random.
//
// Errors are DataError (tokenizer.h) and name the file and line:
//   "FILE:LINE: not valid JSON (...)", "FILE:LINE: missing field 'endings'",
//   "FILE:LINE: label 5 is out of range for 4 choices", "FILE:LINE: empty choice list",
//   "FILE: no items (empty file)", "FILE: cannot open: ...";
// llama.cpp's file: "FILE: 13 lines, not a multiple of 6: the task from line 13 has 1 of its 6
//   lines (context, gold index, 4 endings)", "FILE:8: gold ending index '7' is not 0, 1, 2 or 3".
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "harness/config/experiment_config.h"

namespace ablate {

// lm-eval's default target_delimiter: what separates a context from its continuation.
constexpr const char* kTargetDelimiter = " ";

struct ChoiceItem {
  std::string context;                // the shared context (lm-eval's doc_to_text)
  std::vector<std::string> choices;   // continuations, delimiter included (" red kite"); with
                                      // partial scoring: the one continuation every context shares
  std::vector<std::string> contexts;  // partial scoring: one context per choice; empty otherwise
  int gold = 0;                       // index of the right choice
  int64_t difficulty = -1;            // the task's difficulty axis (synthetic: sentences_between); -1 = none

  bool partial() const { return !contexts.empty(); }
  size_t size() const { return partial() ? contexts.size() : choices.size(); }
  // The request (context, continuation) of choice i.
  const std::string& context_of(size_t i) const { return partial() ? contexts[i] : context; }
  const std::string& continuation_of(size_t i) const { return partial() ? choices[0] : choices[i]; }
  // The string acc_norm divides by, as lm-eval's process_results does: len(doc_to_choice(doc)[i]),
  // i.e. the choice without the target delimiter, or with partial scoring the choice's context.
  std::string normalization_text(size_t i) const;
};

// HellaSwag's preprocess (see above).
std::string hellaswag_preprocess(const std::string& text);

// Items from JSONL `text` in `format` (generic | hellaswag | arc | piqa | winogrande); `source`
// names the text in errors; limit > 0 keeps the first `limit` items (later lines are not read).
std::vector<ChoiceItem> parse_choice_jsonl(const std::string& text, const std::string& format,
                                           const std::string& source, int64_t limit = 0);

// Items from llama.cpp's HellaSwag text file (format hellaswag_llamacpp, see above).
std::vector<ChoiceItem> parse_llamacpp_hellaswag(const std::string& text, const std::string& source,
                                                 int64_t limit = 0);

// Items from a task file's text in `format`: parse_llamacpp_hellaswag for hellaswag_llamacpp, else
// parse_choice_jsonl.
std::vector<ChoiceItem> parse_choice_text(const std::string& text, const std::string& format,
                                          const std::string& source, int64_t limit = 0);

// The file at `path`, parsed by parse_choice_text.
std::vector<ChoiceItem> load_choice_file(const std::string& path, const std::string& format, int64_t limit = 0);

// The synthetic task's difficulty axis: the whole sentences between the statement and the question.
constexpr const char* kSyntheticDifficultyAxis = "distance (sentences)";

// Which recalls the synthetic task keeps, and how much of the document each context holds.
struct SyntheticTaskShape {
  int64_t max_distance = 0;   // the fact stated at most this many bytes before the answer
                              // (recalled_at − stated_at); 0 = any
  int64_t max_sentences = 0;  // at most this many whole sentences between statement and question
                              // (SyntheticFact::sentences_between); 0 = any
  int64_t item_bytes = 0;     // context + longest choice at most this many bytes: the context starts at
                              // the first sentence that leaves room, and a recall whose statement's
                              // sentence would not fit is skipped; 0 = the document from its start
};

// The first n recall items of the synthetic corpus from Rng(seed) (see above) that `shape` keeps;
// each item's difficulty is its fact's sentences_between. With item_bytes > 0, a context is
// text[s, recalled_at) for the smallest sentence start s with recalled_at − s + longest choice <=
// item_bytes, and an item is kept only if s <= statement_start: the fact is always in the context,
// and a byte-level item (at most one token per byte) fits a window of item_bytes tokens.
std::vector<ChoiceItem> synthetic_choice_items(uint64_t seed, int64_t n, const SyntheticTaskShape& shape = {});

// The animal-calls task's difficulty axis: the phrases between the animal and its call.
constexpr const char* kAnimalCallsDifficultyAxis = "phrases between animal and call";

// The first n animal calls of the synthetic corpus from Rng(seed) (see above), each as an item whose
// difficulty is its phrases_between; item_bytes > 0 cuts each context as synthetic_choice_items does
// (from the first sentence start that leaves room for the longest choice, never past the call's
// own sentence: a call whose sentence alone is longer is skipped). DataError when n <= 0, or when
// too few calls fit item_bytes in 1000 + 100 n documents.
std::vector<ChoiceItem> animal_call_items(uint64_t seed, int64_t n, int64_t item_bytes = 0);

// The difficulty axis of the task a `choice:` section names ("" for files: none).
const char* choice_difficulty_axis(const ChoiceConfig& config);

// The items a `choice:` section asks for (task synthetic or a file; paths from the working directory).
std::vector<ChoiceItem> load_choice_task(const ChoiceConfig& config);

// "synthetic recall task (seed 7)" or "hellaswag file data/hellaswag.jsonl".
std::string describe_choice_task(const ChoiceConfig& config);

}  // namespace ablate
