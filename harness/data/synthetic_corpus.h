// The built-in synthetic corpus: short English stories with long-range dependencies, generated
// from a seed, so Ablate runs (quickstart, tests, examples) without any data files.
//
// What it is. Plain ASCII text made of documents joined by "\n\n" (a document never contains a
// newline). Each document is a short story from a small probabilistic grammar (about 550 words:
// names, pets, objects, colors, places, animals, foods, verbs, adjectives; templates with
// alternatives "(a|b)", optional parts "[x]" and nested nonterminals, articles a/an agreed).
// Its parts, and why each exists:
//   1. Local syntax. Filler sentences ("Mia walked slowly to the park.", "There were three ducks
//      in the pond.") are the bulk of the text; a small model learns them quickly, so what
//      separates the variants is mostly the parts below.
//   2. Entities and attributes. The story opens by introducing 1-3 characters, each with one
//      colored object or one named pet ("Mia had a red kite.", "Tom had a dog named Rex.").
//      Later, after filler, one sentence per character needs that binding back: the attribute
//      ("Mia looked for her" -> " red kite"), the owner ("The red kite belonged to" -> " Mia")
//      or the pet's name ("Tom called, "Come here," -> " Rex"). Colors, names and pet names
//      are distinct within a document, so the answer is fixed by what was said earlier and the
//      other characters' attributes are natural wrong answers (binding, not just copying).
//   3. Key-value facts. 0-2 facts stated right after the introductions ("The code for the blue
//      door is 4721.", "The password for the old tower is comet.", "Mia's lucky number is 37.",
//      "The train to Ashford leaves at 7 o'clock.") and recalled at the very end of the story, so
//      the distance is the whole body: hundreds of bytes, often more than a training context.
//      Values are random (4-digit codes, 2-digit numbers, hours, 30 words): only attention back
//      to the statement can predict them, which is what position-encoding and attention variants
//      change.
//   4. Lengths. Each document's length target is drawn from 96..~3000 bytes (roughly log-uniform),
//      so some documents fit in a 128-byte context, some exceed 512, and dependencies straddle
//      the usual training contexts (128-512): the long-context extension curves have something
//      to find beyond the training length.
//   5. Local facts. Inside the body, one more key-value fact per ~160 bytes (rounded at random), of
//      the same four kinds and templates, recalled after 0-4 filler sentences ("The password for
//      the dark cave is comet. Mia smiled. The password for the dark cave is" -> " comet"). They
//      give a 128-byte training window recalls whose statement it holds (the long-range ones
//      above almost never fit), so a model has something to look back for, and the
//      multiple-choice task a difficulty axis (sentences between statement and question) inside
//      the window. At most 8 codes, passwords and train times each per document. (Measured: the
//      quickstart's 0.8M-parameter model does not learn to copy from its window within 250 steps
//      of 16 x 128 bytes, nor 1000; its recall accuracy stays at chance.)
//   6. Passkeys. 60% of the documents planned >= 256 bytes hold the passkey task's key line,
//      verbatim ("The pass key is 71432. Remember it. 71432 is the pass key.",
//      harness/eval/passkey.h), somewhere in the body, and its question ("What is the pass key?
//      The pass key is" -> " 71432") a log-uniform 10..1000 bytes later (at most the body's
//      planned size): passkey retrieval then measures a recall the training text holds. One key
//      per document, 5 random digits; the passkey task's own filler is generated without them
//      (passkeys = false), so its key is the prompt's only one.
//   7. Animal calls. One sentence per ~100 bytes of body (rounded at random), in place of a filler
//      sentence: an animal, 0-2 adverbial phrases, its call ("The cow mooed.", "The wolf at night
//      once again howled."). Four animals, each with one call in the whole corpus (cow mooed, lion
//      roared, wolf howled, donkey brayed), so the pairs are learned across documents: with no
//      phrase the call is a word bigram a small model learns early; each phrase puts 8-13 more
//      bytes between the animal and its call, which only attention back to the animal bridges.
//      The animal-calls task (choice.task: animal_calls) asks for the call with the four calls as
//      choices and the phrases as its difficulty axis: the multiple-choice task that measures at
//      quickstart scale. Measured on the quickstart's base model (0.8M parameters, 16 x 128 bytes
//      a step), accuracy with 0 / 1 / 2 phrases: after 250 steps 1.0 / 0.24 / 0.32 (chance 0.25);
//      after 500 steps 1.0 / 0.83 / 0.56 (mean of seeds 0 and 1, reports/examples/quickstart;
//      seeds differ by up to 0.3 with a phrase: when the model learns to look past one varies).
//      Drafts of this part, injected into the corpus as text: with 8 animals a phrase stayed at
//      chance after 500 steps; with "said" between animal and call ("The cow said moo"), even no
//      phrase stayed at chance until 2-4M training bytes; a call every 80 bytes instead of 150 did
//      not learn faster.
//
// Structure for evaluation. generate_document returns each animal call as a SyntheticCall (below)
// and each recall as a SyntheticFact: the byte offset where the fact was stated, the offset where
// the answer is recalled, the prefix that leads to it, the answer and three wrong continuations of
// the same form (the other characters' colors, names and values first, then random ones; for codes
// one digit swap). No choice is a prefix of another (so a byte-level model cannot prefer the
// shorter one for free). A multiple-choice task is
// context = text.substr(0, recalled_at), choices = {answer} + distractors (each carries the leading
// space, lm-eval's target delimiter): only the answer is consistent with what was said before.
//
// Measured (tests/test_synthetic_corpus.cc, 5000 documents): document length median ~700 bytes,
// 10% <= 256, 66% > 512, 13% > 2048, max ~3600; ~3.1 recalls of parts 2-3 per document, stated ->
// recalled distance median ~390 bytes (entity recalls ~320, key-value ~560), 96% > 128, 39% > 512;
// ~2.2 local facts per document (part 5), 0-4 sentences between (a few more when an entity recall
// or the passkey falls between), 44% of them within 112 bytes; passkeys in ~43% of documents, key
// line -> question median ~150 bytes (40% under 128).
// ~340 distinct 8-byte substrings per KB over 64 KB.
//
// Determinism. Everything comes from ablate::Rng (integer arithmetic only, no std:: distributions,
// no libm), so the text is identical on every platform and standard library.
// generate_corpus(seed, n) is exactly the documents of successive generate_document(rng) calls on
// Rng(seed), joined by "\n\n": a task built from Rng(seed) sees the documents the corpus holds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "components/core/random.h"

namespace ablate {

// No document is longer than this (checked while generating).
constexpr size_t kSyntheticMaxDocumentBytes = 4096;

enum class RecallKind {
  kAttribute,    // "Mia had a red kite." ... "Mia looked for her" -> " red kite"
  kOwner,        // "Mia had a red kite." ... "The red kite belonged to" -> " Mia"
  kPetName,      // "Tom had a dog named Rex." ... "Tom called, \"Come here," -> " Rex"
  kCode,         // "The code for the blue door is 4721." ... -> " 4721"
  kPassword,     // "The password for the old tower is comet." ... -> " comet"
  kLuckyNumber,  // "Mia's lucky number is 37." ... -> " 37"
  kTrainTime,    // "The train to Ashford leaves at 7 o'clock." ... -> " 7 o'clock"
  kPasskey,      // "The pass key is 71432. Remember it. 71432 is the pass key." ... "What is the pass
                 // key? The pass key is" -> " 71432"
};

// "attribute", "owner", "pet_name", "code", "password", "lucky_number", "train_time", "passkey".
const char* recall_kind_name(RecallKind kind);

// One long-range dependency of a document. With T = the document's text:
//   T.compare(recalled_at - question_prefix.size(), question_prefix.size(), question_prefix) == 0
//   T.compare(recalled_at, answer.size(), answer) == 0
//   T.compare(stated_at, answer.size() - 1, answer, 1) == 0   (the statement, without the space)
//   stated_at + answer.size() - 1 <= recalled_at - question_prefix.size()   (stated before)
struct SyntheticFact {
  std::string question_prefix;           // the recall up to the answer: "The code for the blue door is"
  std::string answer;                    // " 4721": starts with the space that follows the prefix
  std::vector<std::string> distractors;  // 3 wrong continuations of the same form: " 4712", ...
  RecallKind kind = RecallKind::kCode;
  size_t stated_at = 0;    // where the answer's text (no leading space) occurs in the statement (its
                           // first occurrence there: the passkey's key line states it twice)
  size_t recalled_at = 0;  // where `answer` begins in the recall
  size_t statement_start = 0;  // where the sentence that states the fact begins (<= stated_at)
  // Whole sentences between the statement's sentence and the question's (0: the question is the
  // next sentence), counted by synthetic_sentence_starts. The task's difficulty axis.
  int64_t sentences_between = 0;
  bool local = false;  // a local fact (part 5 above): stated in the body, recalled a few sentences later
};

// One animal call of a document (part 7). With T = the document's text:
//   T.compare(sentence_start, question_prefix.size(), question_prefix) == 0
//   sentence_start + question_prefix.size() == called_at
//   T.compare(animal_at, animal.size(), animal) == 0, animal_at == sentence_start + 4 ("The ")
//   T.compare(called_at, answer.size(), answer) == 0, and T[called_at + answer.size()] == '.'
struct SyntheticCall {
  std::string animal;                    // "cow"
  std::string question_prefix;           // the sentence up to the call: "The cow at night"
  std::string answer;                    // " mooed": this animal's call in every document
  std::vector<std::string> distractors;  // the other three animals' calls: " roared", " howled", " brayed"
  size_t sentence_start = 0;             // where the sentence begins
  size_t animal_at = 0;
  size_t called_at = 0;                  // where `answer` begins
  int64_t phrases_between = 0;           // 0-2 phrases between animal and call: the task's difficulty axis
};

struct SyntheticDocument {
  std::string text;                    // one story: ASCII, no newline, <= kSyntheticMaxDocumentBytes
  std::vector<SyntheticFact> recalls;  // in order of recalled_at; at least one per document
  std::vector<SyntheticCall> calls;    // in text order; none in a document whose body is short
};

// Where each sentence of a document begins: 0, and every position after a sentence end followed by
// a space. A sentence ends with '.', '!' or '?', or with one of them and a closing '"'
// ("Mia said, \"Look at the fox!\" Then ..."); the grammar writes no other such sequence.
std::vector<size_t> synthetic_sentence_starts(const std::string& text);

// One story; advances rng. passkeys = false leaves part 6 out (the passkey task's filler: no other
// key in it).
SyntheticDocument generate_document(Rng& rng, bool passkeys = true);

// Whole documents from Rng(seed), joined by "\n\n", until the text holds at least n_bytes: the
// result is cut at the first document boundary at or after n_bytes, so
// n_bytes <= size < n_bytes + 2 + kSyntheticMaxDocumentBytes. n_bytes <= 0 is std::invalid_argument.
std::string generate_corpus(uint64_t seed, int64_t n_bytes, bool passkeys = true);

// A few lines for the docs and --help.
std::string describe_synthetic_corpus();

}  // namespace ablate
