// Multiple-choice loaders (see choice_task.h).
#include "harness/eval/choice_task.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <utility>

#include "components/core/random.h"
#include "harness/common/errors.h"
#include "harness/common/file_io.h"
#include "harness/data/synthetic_corpus.h"
#include "harness/tokenizers/python_text.h"

namespace ablate {
namespace {

using nlohmann::json;

// Where an item came from, for messages: "FILE:LINE: ...".
struct Where {
  const std::string& source;
  size_t line;
  DataError error(const std::string& what) const {
    return DataError(source + ":" + std::to_string(line) + ": " + what);
  }
};

const char* json_type(const json& j) { return j.type_name(); }

const json& field(const json& doc, const char* name, const Where& at) {
  const auto it = doc.find(name);
  if (it == doc.end()) throw at.error(std::string("missing field '") + name + "'");
  return *it;
}

std::string string_field(const json& doc, const char* name, const Where& at) {
  const json& v = field(doc, name, at);
  if (!v.is_string())
    throw at.error(std::string("field '") + name + "' must be a string, found " + json_type(v));
  return v.get<std::string>();
}

std::vector<std::string> string_list(const json& v, const std::string& name, const Where& at) {
  if (!v.is_array()) throw at.error("field '" + name + "' must be an array of strings, found " + json_type(v));
  std::vector<std::string> out;
  for (const auto& e : v) {
    if (!e.is_string())
      throw at.error("field '" + name + "' must be an array of strings, found an element of type " + json_type(e));
    out.push_back(e.get<std::string>());
  }
  return out;
}

// An integer label: a JSON integer, or a string holding one ("2", as Hugging Face exports have it).
int64_t label_value(const json& v, const std::string& name, const Where& at) {
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_number_float()) {
    const double d = v.get<double>();  // 2.0 is 2; 2.5 and 1e300 (beyond int64) are not labels
    if (std::floor(d) == d && std::abs(d) < 1e15) return static_cast<int64_t>(d);
  }
  if (v.is_string()) {
    const std::string s = v.get<std::string>();
    size_t i = (!s.empty() && s[0] == '-') ? 1 : 0;
    bool digits = i < s.size() && s.size() - i <= 9;
    for (size_t k = i; digits && k < s.size(); ++k) digits = std::isdigit(static_cast<unsigned char>(s[k])) != 0;
    if (digits) return std::stoll(s);
    throw at.error(name + " '" + s + "' is not a choice index");
  }
  throw at.error(name + " must be an integer or a string holding one, found " + std::string(json_type(v)) +
                 (v.is_number() ? " " + v.dump() : ""));
}

int checked_gold(int64_t label, size_t n_choices, const std::string& name, const Where& at) {
  if (label < 0 || label >= static_cast<int64_t>(n_choices))
    throw at.error(name + " " + std::to_string(label) + " is out of range for " + std::to_string(n_choices) +
                   " choices");
  return static_cast<int>(label);
}

std::vector<std::string> with_delimiter(const std::vector<std::string>& texts) {
  std::vector<std::string> out;
  for (const auto& t : texts) out.push_back(kTargetDelimiter + t);
  return out;
}

// Python's str.capitalize on ASCII: first character upper case, the rest lower case.
std::string capitalize(std::string s) {
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 128) s[i] = static_cast<char>(i == 0 ? std::toupper(c) : std::tolower(c));
  }
  return s;
}

ChoiceItem parse_generic(const json& doc, const Where& at) {
  ChoiceItem item;
  item.context = string_field(doc, "context", at);
  const auto choices = string_list(field(doc, "choices", at), "choices", at);
  if (choices.empty()) throw at.error("empty choice list");
  item.choices = with_delimiter(choices);
  item.gold = checked_gold(label_value(field(doc, "label", at), "label", at), choices.size(), "label", at);
  return item;
}

ChoiceItem parse_hellaswag(const json& doc, const Where& at) {
  ChoiceItem item;
  const std::string ctx = string_field(doc, "ctx_a", at) + " " + capitalize(string_field(doc, "ctx_b", at));
  item.context = hellaswag_preprocess(string_field(doc, "activity_label", at) + ": " + ctx);
  auto endings = string_list(field(doc, "endings", at), "endings", at);
  if (endings.empty()) throw at.error("empty choice list");
  for (auto& e : endings) e = hellaswag_preprocess(e);
  item.choices = with_delimiter(endings);
  item.gold = checked_gold(label_value(field(doc, "label", at), "label", at), endings.size(), "label", at);
  return item;
}

ChoiceItem parse_arc(const json& doc, const Where& at) {
  ChoiceItem item;
  item.context = "Question: " + string_field(doc, "question", at) + "\nAnswer:";
  const json& choices = field(doc, "choices", at);
  if (!choices.is_object())
    throw at.error(std::string("field 'choices' must be an object {\"text\": [...], \"label\": [...]}, found ") +
                   json_type(choices));
  const auto texts = string_list(field(choices, "text", at), "choices.text", at);
  const auto labels = string_list(field(choices, "label", at), "choices.label", at);
  if (texts.empty()) throw at.error("empty choice list");
  if (texts.size() != labels.size())
    throw at.error("choices.text has " + std::to_string(texts.size()) + " entries but choices.label has " +
                   std::to_string(labels.size()));
  const std::string key = string_field(doc, "answerKey", at);
  const auto it = std::find(labels.begin(), labels.end(), key);
  if (it == labels.end()) {
    std::string known;
    for (const auto& l : labels) known += (known.empty() ? "" : ", ") + l;
    throw at.error("answerKey '" + key + "' is not among the labels " + known);
  }
  item.choices = with_delimiter(texts);
  item.gold = static_cast<int>(it - labels.begin());
  return item;
}

ChoiceItem parse_piqa(const json& doc, const Where& at) {
  ChoiceItem item;
  item.context = "Question: " + string_field(doc, "goal", at) + "\nAnswer:";
  item.choices = with_delimiter({string_field(doc, "sol1", at), string_field(doc, "sol2", at)});
  item.gold = checked_gold(label_value(field(doc, "label", at), "label", at), 2, "label", at);
  return item;
}

ChoiceItem parse_winogrande(const json& doc, const Where& at) {
  ChoiceItem item;
  const std::string sentence = string_field(doc, "sentence", at);
  const size_t blank = sentence.find('_');
  if (blank == std::string::npos) throw at.error("sentence has no '_' blank: \"" + sentence + "\"");
  const std::string head = sentence.substr(0, blank);
  item.contexts = {head + string_field(doc, "option1", at), head + string_field(doc, "option2", at)};
  item.choices = {kTargetDelimiter + python_strip(sentence.substr(blank + 1))};
  const int64_t answer = label_value(field(doc, "answer", at), "answer", at);  // "1" | "2"
  if (answer != 1 && answer != 2)
    throw at.error("answer " + std::to_string(answer) + " is out of range for 2 options (expected \"1\" or \"2\")");
  item.gold = static_cast<int>(answer - 1);
  return item;
}

ChoiceItem parse_item(const json& doc, const std::string& format, const Where& at) {
  if (format == "generic") return parse_generic(doc, at);
  if (format == "hellaswag") return parse_hellaswag(doc, at);
  if (format == "arc") return parse_arc(doc, at);
  if (format == "piqa") return parse_piqa(doc, at);
  if (format == "winogrande") return parse_winogrande(doc, at);
  throw DataError(at.source + ": unknown multiple-choice format '" + format +
                  "' (known: generic, hellaswag, arc, piqa, winogrande; hellaswag_llamacpp is not JSONL)");
}

// nlohmann's "[json.exception.parse_error.101] parse error at ..." without the bracketed id.
std::string json_error_text(const std::exception& e) {
  std::string what = e.what();
  if (!what.empty() && what[0] == '[') {
    const size_t close = what.find("] ");
    if (close != std::string::npos) what = what.substr(close + 2);
  }
  return what;
}

// Python's str.replace(old, new): every non-overlapping occurrence, left to right, one pass.
std::string replace_all(const std::string& text, const std::string& from, const std::string& to) {
  std::string out;
  size_t pos = 0;
  for (size_t hit; (hit = text.find(from, pos)) != std::string::npos; pos = hit + from.size())
    out.append(text, pos, hit - pos).append(to);
  return out.append(text, pos, std::string::npos);
}

bool blank_line(const std::string& line) {
  return std::all_of(line.begin(), line.end(), [](char c) { return c == ' ' || c == '\t' || c == '\r'; });
}

}  // namespace

std::string ChoiceItem::normalization_text(size_t i) const {
  if (partial()) return contexts[i];
  const std::string& c = choices[i];
  const std::string delimiter = kTargetDelimiter;
  return c.compare(0, delimiter.size(), delimiter) == 0 ? c.substr(delimiter.size()) : c;
}

std::string hellaswag_preprocess(const std::string& input) {
  std::string text = python_strip(input);
  text = replace_all(text, " [title]", ". ");
  // re.sub("\\[.*?\\]", "", text): each '[' up to the nearest ']' with no newline between ('.' stops at '\n').
  std::string kept;
  for (size_t i = 0; i < text.size();) {
    if (text[i] == '[') {
      size_t j = i + 1;
      while (j < text.size() && text[j] != ']' && text[j] != '\n') ++j;
      if (j < text.size() && text[j] == ']') {
        i = j + 1;
        continue;
      }
    }
    kept += text[i++];
  }
  return replace_all(kept, "  ", " ");
}

std::vector<ChoiceItem> parse_choice_jsonl(const std::string& text, const std::string& format,
                                           const std::string& source, int64_t limit) {
  std::vector<ChoiceItem> items;
  size_t line_no = 0;
  for (size_t pos = 0; pos < text.size();) {
    const size_t end = std::min(text.find('\n', pos), text.size());
    const std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (blank_line(line)) continue;
    const Where at{source, line_no};
    json doc;
    try {
      doc = json::parse(line);
    } catch (const json::exception& e) {
      throw at.error("not valid JSON (" + json_error_text(e) + ")");
    }
    if (!doc.is_object()) throw at.error(std::string("expected a JSON object, found ") + json_type(doc));
    items.push_back(parse_item(doc, format, at));
    if (limit > 0 && static_cast<int64_t>(items.size()) >= limit) break;
  }
  if (items.empty())
    throw DataError(source + ": no items (" + (text.empty() ? "empty file" : "only blank lines") + ")");
  return items;
}

std::vector<ChoiceItem> parse_llamacpp_hellaswag(const std::string& text, const std::string& source,
                                                 int64_t limit) {
  constexpr size_t kLines = 6, kEndings = 4;
  // std::getline's lines: a '\n' ends a line; text after the last '\n' is one more line.
  std::vector<std::string> lines;
  for (size_t pos = 0; pos < text.size();) {
    const size_t end = std::min(text.find('\n', pos), text.size());
    lines.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  if (lines.empty()) throw DataError(source + ": no items (empty file)");
  if (lines.size() % kLines != 0) {
    const size_t first = lines.size() - lines.size() % kLines + 1;
    throw DataError(source + ": " + std::to_string(lines.size()) + " lines, not a multiple of 6: the task from line " +
                    std::to_string(first) + " has " + std::to_string(lines.size() % kLines) +
                    " of its 6 lines (context, gold index, 4 endings; llama.cpp's HellaSwag format)");
  }
  std::vector<ChoiceItem> items;
  for (size_t task = 0; task * kLines < lines.size(); ++task) {
    if (limit > 0 && static_cast<int64_t>(items.size()) >= limit) break;
    const size_t first = task * kLines;
    const std::string& index = lines[first + 1];
    if (index.size() != 1 || index[0] < '0' || index[0] >= static_cast<char>('0' + kEndings)) {
      const bool cr = !index.empty() && index.back() == '\r';
      std::string shown = cr ? index.substr(0, index.size() - 1) + "\\r" : index;
      if (shown.size() > 40) shown = shown.substr(0, 40) + "...";
      const std::string why = cr ? "; the file has Windows line endings, llama.cpp's format splits at '\\n' only"
                              : !lines[first].empty() && lines[first][0] == '{' ? "; a JSONL file? HellaSwag's own JSONL is format hellaswag"
                                                                                : "";
      throw Where{source, first + 2}.error("gold ending index '" + shown + "' is not 0, 1, 2 or 3 (task " +
                                           std::to_string(task + 1) + why + ")");
    }
    ChoiceItem item;
    item.context = lines[first];
    for (size_t j = 0; j < kEndings; ++j) item.choices.push_back(kTargetDelimiter + lines[first + 2 + j]);
    item.gold = index[0] - '0';
    items.push_back(std::move(item));
  }
  return items;
}

std::vector<ChoiceItem> parse_choice_text(const std::string& text, const std::string& format,
                                          const std::string& source, int64_t limit) {
  if (format == "hellaswag_llamacpp") return parse_llamacpp_hellaswag(text, source, limit);
  return parse_choice_jsonl(text, format, source, limit);
}

std::vector<ChoiceItem> load_choice_file(const std::string& path, const std::string& format, int64_t limit) {
  return parse_choice_text(read_whole_file_or_throw<DataError>(path), format, path, limit);
}

namespace {

// The first sentence start s of `starts` with end − s + longest choice <= item_bytes (0: the
// document's start), or npos when that s lies after `needed` (the sentence the item needs).
size_t context_start(const std::vector<size_t>& starts, const std::vector<std::string>& choices, size_t end,
                     size_t needed, int64_t item_bytes) {
  if (item_bytes <= 0) return 0;
  size_t longest = 0;
  for (const std::string& c : choices) longest = std::max(longest, c.size());
  const int64_t room = item_bytes - static_cast<int64_t>(longest);  // bytes the context may hold
  const size_t earliest = static_cast<int64_t>(end) > room ? end - static_cast<size_t>(room) : 0;
  if (earliest > needed) return std::string::npos;
  return *std::lower_bound(starts.begin(), starts.end(), earliest);
}

// Fisher-Yates over the choices, answer first on entry; gold follows the answer.
void shuffle_choices(ChoiceItem& item, Rng& order) {
  for (size_t i = item.choices.size(); i > 1; --i) {
    const size_t j = static_cast<size_t>(order.below(i));
    std::swap(item.choices[i - 1], item.choices[j]);
    if (item.gold == static_cast<int>(i - 1)) item.gold = static_cast<int>(j);
    else if (item.gold == static_cast<int>(j)) item.gold = static_cast<int>(i - 1);
  }
}

// The choices' order: its own stream, so the documents are those of generate_corpus(seed).
Rng choice_order(uint64_t seed) { return Rng(seed ^ 0xC4CEB9FE1A85EC53ull); }

// The first n items of a built-in task, from the documents of Rng(seed) in order. For each document,
// candidates(doc, starts, add) calls add(doc, starts, answer, distractors, end, needed, item_bytes,
// difficulty) per candidate: the item is the context text[s, end) (s from context_start; a
// candidate that does not fit is skipped) and the answer with its distractors, shuffled. Limits
// that (almost) no candidate meets throw after 1000 + 100 n documents: "TASK: only K of N items
// LIMITS in B documents; raise KEYS (0 = no limit)".
template <typename F>
std::vector<ChoiceItem> collect_items(uint64_t seed, int64_t n, const std::string& task, const std::string& limits,
                                      const std::string& keys, F&& candidates) {
  if (n <= 0) throw DataError(task + ": items must be >= 1, found " + std::to_string(n));
  Rng documents(seed);
  Rng order = choice_order(seed);
  std::vector<ChoiceItem> items;
  const auto add = [&](const SyntheticDocument& doc, const std::vector<size_t>& starts, const std::string& answer,
                       const std::vector<std::string>& distractors, size_t end, size_t needed, int64_t item_bytes,
                       int64_t difficulty) {
    if (static_cast<int64_t>(items.size()) >= n) return;
    ChoiceItem item;
    item.choices.push_back(answer);
    item.choices.insert(item.choices.end(), distractors.begin(), distractors.end());
    const size_t from = context_start(starts, item.choices, end, needed, item_bytes);
    if (from == std::string::npos) return;
    item.context = doc.text.substr(from, end - from);
    item.difficulty = difficulty;
    shuffle_choices(item, order);
    items.push_back(std::move(item));
  };
  const int64_t document_budget = 1000 + 100 * n;
  for (int64_t documents_read = 0; static_cast<int64_t>(items.size()) < n; ++documents_read) {
    if (documents_read == document_budget)
      throw DataError(task + ": only " + std::to_string(items.size()) + " of " + std::to_string(n) + " items " +
                      limits + " in " + std::to_string(document_budget) + " documents; raise " + keys +
                      " (0 = no limit)");
    const SyntheticDocument doc = generate_document(documents);
    candidates(doc, synthetic_sentence_starts(doc.text), add);
  }
  return items;
}

}  // namespace

std::vector<ChoiceItem> synthetic_choice_items(uint64_t seed, int64_t n, const SyntheticTaskShape& shape) {
  return collect_items(
      seed, n, "synthetic choice task",
      "meet max_distance=" + std::to_string(shape.max_distance) + " bytes, max_sentences=" +
          std::to_string(shape.max_sentences) + " and item_bytes=" + std::to_string(shape.item_bytes),
      "choice.max_distance, choice.max_sentences or choice.item_bytes",
      [&](const SyntheticDocument& doc, const std::vector<size_t>& starts, const auto& add) {
        for (const SyntheticFact& fact : doc.recalls) {
          if (shape.max_distance > 0 && static_cast<int64_t>(fact.recalled_at - fact.stated_at) > shape.max_distance)
            continue;
          if (shape.max_sentences > 0 && fact.sentences_between > shape.max_sentences) continue;
          add(doc, starts, fact.answer, fact.distractors, fact.recalled_at, fact.statement_start, shape.item_bytes,
              fact.sentences_between);
        }
      });
}

std::vector<ChoiceItem> animal_call_items(uint64_t seed, int64_t n, int64_t item_bytes) {
  return collect_items(seed, n, "animal-calls choice task", "fit item_bytes=" + std::to_string(item_bytes),
                       "choice.item_bytes",
                       [&](const SyntheticDocument& doc, const std::vector<size_t>& starts, const auto& add) {
                         for (const SyntheticCall& call : doc.calls)
                           add(doc, starts, call.answer, call.distractors, call.called_at, call.sentence_start,
                               item_bytes, call.phrases_between);
                       });
}

std::vector<ChoiceItem> load_choice_task(const ChoiceConfig& config) {
  if (config.task == "synthetic")
    return synthetic_choice_items(static_cast<uint64_t>(config.seed), config.items,
                                  {config.max_distance, config.max_sentences, config.item_bytes});
  if (config.task == kAnimalCallsTask)
    return animal_call_items(static_cast<uint64_t>(config.seed), config.items, config.item_bytes);
  return load_choice_file(config.task, config.format, config.items);
}

std::string describe_choice_task(const ChoiceConfig& config) {
  if (config.task == "synthetic")
    return "synthetic recall task (seed " + std::to_string(config.seed) +
           (config.max_distance > 0 ? ", facts stated at most " + std::to_string(config.max_distance) + " bytes back"
                                    : std::string()) +
           (config.max_sentences > 0 ? ", at most " + std::to_string(config.max_sentences) + " sentences between"
                                     : std::string()) +
           (config.item_bytes > 0 ? ", items of at most " + std::to_string(config.item_bytes) + " bytes"
                                  : std::string()) +
           ")";
  if (config.task == kAnimalCallsTask)
    return "animal-calls task (seed " + std::to_string(config.seed) +
           (config.item_bytes > 0 ? ", items of at most " + std::to_string(config.item_bytes) + " bytes" : std::string()) +
           ")";
  return config.format + " file " + config.task;
}

const char* choice_difficulty_axis(const ChoiceConfig& config) {
  if (config.task == "synthetic") return kSyntheticDifficultyAxis;
  if (config.task == kAnimalCallsTask) return kAnimalCallsDifficultyAxis;
  return "";
}

}  // namespace ablate
