// Fuzzes the multiple-choice task loaders: the input's first byte picks the format (generic,
// hellaswag, arc, piqa, winogrande) and the item limit, the rest is the JSONL text, read by
// parse_choice_jsonl; every item's requests are then built as scoring builds them (context_of,
// continuation_of, normalization_text, python_length, encode_request with the byte tokenizer).
// Expected: DataError (choice_task.h: "FILE:LINE: ..."). A failure is any other exception, a crash,
// a sanitizer report, a hang, or an item whose gold index is not one of its choices.
#include <cstdio>
#include <cstdlib>

#include "harness/eval/choice_scoring.h"
#include "harness/eval/choice_task.h"
#include "harness/tokenizers/python_text.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ablate;
  if (size == 0) return 0;
  static const char* formats[] = {"generic", "hellaswag", "arc", "piqa", "winogrande"};
  const char* format = formats[data[0] % 5];
  const int64_t limit = (data[0] / 5) % 4;  // 0 = every item
  try {
    const std::vector<ChoiceItem> items = parse_choice_jsonl(fuzz::bytes_of(data + 1, size - 1), format, "fuzz.jsonl", limit);
    const ByteTokenizer bytes;
    for (const ChoiceItem& item : items) {
      if (item.gold < 0 || static_cast<size_t>(item.gold) >= item.size()) {
        std::fprintf(stderr, "%s item: gold %d of %zu choices\n", format, item.gold, item.size());
        std::abort();
      }
      for (size_t i = 0; i < item.size(); ++i) {
        python_length(item.normalization_text(i));
        encode_request(bytes, item.context_of(i), item.continuation_of(i));
      }
    }
  } catch (const DataError& e) {
    fuzz::expected(e);
  }
  return 0;
}
