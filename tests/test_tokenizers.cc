// Tokenizers against the reference encodings of tests/reference/make_tokenizer_refs.py (independent
// Python reimplementations of GPT-2's encoder.py and llama2.c's run.c encode, and the SentencePiece
// library): exact ids on texts with unicode, whitespace runs and digits; decode(encode(s)) == s;
// the document (+docs) encoding; and bad files with their messages.
#include <gtest/gtest.h>

#include <functional>

#include <nlohmann/json.hpp>

#include "components/core/random.h"
#include "harness/common/utf8.h"
#include "harness/tokenizers/document_tokenizer.h"
#include "harness/tokenizers/factory.h"
#include "harness/tokenizers/gpt2_pretokenizer.h"
#include "harness/tokenizers/gpt2_tokenizer.h"
#include "harness/tokenizers/llama2c_tokenizer.h"
#include "harness/tokenizers/sentencepiece_tokenizer.h"
#include "harness/tokenizers/unicode_classes.h"
#include "tests/test_support.h"

namespace ablate {
namespace {

using testing::message_of;

using testing::read_bytes;
using testing::write_bytes;

std::string refs_path(const std::string& name) {
  return std::string(ABLATE_SOURCE_DIR) + "/tests/reference/tokenizers/" + name;
}

const nlohmann::json& refs() {
  static const nlohmann::json j = nlohmann::json::parse(read_bytes(refs_path("refs.json")));
  return j;
}

std::vector<std::string> texts() { return refs().at("texts").get<std::vector<std::string>>(); }

std::vector<int32_t> expected(const std::string& kind, size_t i) {
  return refs().at(kind).at(i).get<std::vector<int32_t>>();
}

void expect_reference(const Tokenizer& t, const std::string& kind) {
  const auto all = texts();
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(t.encode(all[i]), expected(kind, i)) << kind << " text " << i << ": " << all[i];
    EXPECT_EQ(t.decode(t.encode(all[i])), all[i]) << kind << " round trip of text " << i;
  }
}

TEST(UnicodeClasses, LettersNumbersAndSpaces) {
  for (char32_t c : {U'A', U'z', U'é', U'Ü', U'ж', U'東', U'ª', U'ǅ'}) EXPECT_TRUE(is_unicode_letter(c)) << int(c);
  for (char32_t c : {U'1', U'٣', U'½', U'Ⅻ', U'²'}) EXPECT_TRUE(is_unicode_number(c)) << int(c);
  for (char32_t c : {U' ', U'\t', U'\n', U'\u00a0', U'\u3000', U'\u2028'}) EXPECT_TRUE(is_unicode_whitespace(c)) << int(c);
  for (char32_t c : {U'-', U'_', U'😀', U'\u200b', U'\u0301'}) {
    EXPECT_FALSE(is_unicode_letter(c) || is_unicode_number(c) || is_unicode_whitespace(c)) << int(c);
  }
  EXPECT_STREQ(unicode_classes_version(), refs().at("unicode_version").get<std::string>().c_str());
}

TEST(Utf8, StructuralRulesAcceptWhatRfc3629Rejects) {
  struct Case {
    std::string bytes;
    char32_t structural;  // the code point under kStructural; kRfc3629 rejects all but the valid ones
    bool valid;
  };
  const std::vector<Case> cases = {{"\xc3\xa9", 0xE9, true},           {"\xf0\x9f\x98\x80", 0x1F600, true},
                                   {"\xc0\x80", 0x0, false},           {"\xe0\x82\xa0", 0xA0, false},
                                   {"\xed\xa0\x80", 0xD800, false},    {"\xf4\x90\x80\x80", 0x110000, false},
                                   {"\xf7\xbf\xbf\xbf", 0x1FFFFF, false}};
  for (const Case& c : cases) {
    const Utf8Step loose = decode_utf8(c.bytes, 0, Utf8Rules::kStructural);
    EXPECT_EQ(loose.cp, c.structural) << ::testing::PrintToString(c.bytes);
    EXPECT_EQ(loose.length, c.bytes.size());
    const Utf8Step strict = decode_utf8(c.bytes, 0);
    EXPECT_EQ(strict.cp, c.valid ? c.structural : kInvalidCodepoint) << ::testing::PrintToString(c.bytes);
    EXPECT_EQ(strict.length, c.valid ? c.bytes.size() : 1u);
  }
  // Under both rules: a stray continuation byte, a lead byte of no sequence, a truncated sequence,
  // a lead byte followed by a non-continuation byte decode alone.
  for (const std::string bytes : {"\x80", "\xf8\x80\x80\x80\x80", "\xe3\x80", "\xc3x"}) {
    for (const Utf8Rules rules : {Utf8Rules::kRfc3629, Utf8Rules::kStructural}) {
      const Utf8Step step = decode_utf8(bytes, 0, rules);
      EXPECT_EQ(step.cp, kInvalidCodepoint) << ::testing::PrintToString(bytes);
      EXPECT_EQ(step.length, 1u);
    }
  }
}

TEST(Gpt2Pretokenizer, MatchesTheRegexOfEncoderPy) {
  const auto all = texts();
  for (size_t i = 0; i < all.size(); ++i)
    EXPECT_EQ(gpt2_pretokenize(all[i]), refs().at("gpt2_pieces").at(i).get<std::vector<std::string>>()) << all[i];
  // Invalid UTF-8 bytes are characters of the punctuation class; the pieces still cover the text.
  const std::string bad = "ab\xff\xfe cd \x80";
  std::string joined;
  for (const auto& p : gpt2_pretokenize(bad)) joined += p;
  EXPECT_EQ(joined, bad);
  EXPECT_EQ(gpt2_pretokenize(bad), (std::vector<std::string>{"ab", "\xff\xfe", " cd", " \x80"}));
}

TEST(Gpt2Tokenizer, VocabAndMergesMatchTheReference) {
  const auto t = Gpt2Tokenizer::from_vocab_and_merges(refs_path("gpt2/vocab.json"), refs_path("gpt2/merges.txt"));
  expect_reference(*t, "gpt2");
  EXPECT_EQ(t->bos_id(), t->eos_id());
  EXPECT_EQ(*t->bos_id(), t->vocab_size() - 1);
}

TEST(Gpt2Tokenizer, TokenizerJsonMatchesTheReference) {
  expect_reference(*Gpt2Tokenizer::from_tokenizer_json(refs_path("gpt2/tokenizer.json")), "gpt2");
  const auto t = make_tokenizer("gpt2:" + refs_path("gpt2"));  // the directory: tokenizer.json first
  expect_reference(*t, "gpt2");
  EXPECT_EQ(t->name(), "gpt2:" + refs_path("gpt2"));
}

TEST(Gpt2Tokenizer, InvalidUtf8RoundTrips) {
  const auto t = make_tokenizer("gpt2:" + refs_path("gpt2"));
  const std::string bad = "caf\xc3 \xff\xfe\x80 ok";
  EXPECT_EQ(t->decode(t->encode(bad)), bad);
}

TEST(Llama2cTokenizer, MatchesRunCsEncode) {
  const auto t = Llama2cTokenizer::load(refs_path("llama2c_tokenizer.bin"));
  expect_reference(*t, "llama2c");
  EXPECT_EQ(t->bos_id(), 1);
  EXPECT_EQ(t->eos_id(), 2);
  // Decoding drops BOS and the leading space after it, as run.c's decode does.
  std::vector<int32_t> with_bos = {1};
  const auto ids = t->encode("Lily ran.");
  with_bos.insert(with_bos.end(), ids.begin(), ids.end());
  EXPECT_EQ(t->decode(with_bos), "Lily ran.");
}

// run.c's merge loop, verbatim in spirit: O(n^2), the best score, the leftmost on ties.
std::vector<int32_t> quadratic_merges(const Llama2cTokenizer& t, std::vector<int32_t> tokens) {
  std::unordered_map<std::string, int32_t> ids;
  for (int32_t i = static_cast<int32_t>(t.vocab_size()) - 1; i >= 0; --i) ids[t.piece(i)] = i;
  while (true) {
    float best_score = -1e10f;
    int best = -1, best_id = -1;
    for (size_t i = 0; i + 1 < tokens.size(); ++i) {
      const auto it = ids.find(t.piece(tokens[i]) + t.piece(tokens[i + 1]));
      if (it != ids.end() && t.score(it->second) > best_score) {
        best_score = t.score(it->second);
        best = static_cast<int>(i);
        best_id = it->second;
      }
    }
    if (best < 0) return tokens;
    tokens[best] = best_id;
    tokens.erase(tokens.begin() + best + 1);
  }
}

TEST(Llama2cTokenizer, PriorityQueueMergesEqualTheQuadraticLoop) {
  const auto t = Llama2cTokenizer::load(refs_path("llama2c_tokenizer.bin"));
  const std::string alphabet = "the cat ran a big red ball in park Lily 42 .,!\n\t";
  Rng rng(5);
  for (int trial = 0; trial < 200; ++trial) {
    std::string s;
    const int n = 1 + static_cast<int>(rng.uniform() * 80);
    for (int i = 0; i < n; ++i) s += alphabet[static_cast<size_t>(rng.uniform() * alphabet.size()) % alphabet.size()];
    // The unmerged tokens: dummy prefix, then one piece per character (all are in this vocabulary).
    auto id_of = [&](const std::string& piece) {
      for (int32_t i = 0; i < t->vocab_size(); ++i)
        if (t->piece(i) == piece) return i;
      return -1;
    };
    std::vector<int32_t> start = {id_of(" ")};
    for (char c : s) start.push_back(id_of(std::string(1, c)));
    ASSERT_EQ(start.size(), s.size() + 1);
    EXPECT_EQ(t->encode(s), quadratic_merges(*t, start)) << s;
  }
}

TEST(SentencePieceTokenizer, MatchesTheLibrarysPythonEncoding) {
  if (!sentencepiece_available()) GTEST_SKIP() << "built without libsentencepiece";
  const auto t = make_tokenizer("sentencepiece:" + refs_path("sentencepiece.model"));
  const auto all = texts();
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(t->encode(all[i]), expected("sentencepiece", i)) << all[i];
    EXPECT_EQ(t->decode(t->encode(all[i])), refs().at("sentencepiece_decoded").at(i).get<std::string>());
  }
}

TEST(DocumentTokenizer, BosStartsEachStrippedStory) {
  EXPECT_EQ(DocumentTokenizer::split_documents("One.\n<|endoftext|>\n  Two \nlines\n<|endoftext|>\r\n\n<|endoftext|>\nThree"),
            (std::vector<std::string>{"One.", "Two \nlines", "Three"}));
  const auto inner = Llama2cTokenizer::load(refs_path("llama2c_tokenizer.bin"));
  const auto docs = make_tokenizer("llama2c+docs:" + refs_path("llama2c_tokenizer.bin"));
  EXPECT_EQ(docs->name(), "llama2c+docs:" + refs_path("llama2c_tokenizer.bin"));
  std::vector<int32_t> want = {1};
  for (int32_t id : inner->encode("the cat.")) want.push_back(id);
  want.push_back(1);
  for (int32_t id : inner->encode("a dog")) want.push_back(id);
  EXPECT_EQ(docs->encode("the cat.\n<|endoftext|>\n a dog\n"), want);
  EXPECT_CONTAINS(message_of([] { make_tokenizer("byte+docs:x"); }), "unknown tokenizer type 'byte+docs:x'");
}

class TokenizerErrors : public testing::TempDirTest {};

TEST_F(TokenizerErrors, FactoryNamesTheKnownTypes) {
  const std::string m = message_of([] { make_tokenizer("bpe:vocab.json"); });
  EXPECT_CONTAINS(m, "unknown tokenizer type 'bpe:vocab.json' (known: byte), or a tokenizer file as gpt2:PATH, "
                     "llama2c:PATH, sentencepiece:PATH");
  EXPECT_CONTAINS(message_of([] { make_tokenizer("llama2c:"); }), "needs a file, as llama2c:PATH");
  EXPECT_CONTAINS(message_of([&] { make_tokenizer("llama2c:" + file("none.bin")); }), file("none.bin") + ": cannot open");
  EXPECT_CONTAINS(message_of([&] { make_tokenizer("gpt2:" + dir_); }), "has neither tokenizer.json nor vocab.json + merges.txt");
  if (!sentencepiece_available())
    EXPECT_CONTAINS(message_of([] { make_tokenizer("sentencepiece:x.model"); }), "no SentencePiece support");
  else
    EXPECT_CONTAINS(message_of([&] { make_tokenizer("sentencepiece:" + file("none.model")); }), "none.model");
}

TEST_F(TokenizerErrors, Llama2cBadFiles) {
  const std::string good = read_bytes(refs_path("llama2c_tokenizer.bin"));
  write_bytes(file("cut.bin"), good.substr(0, good.size() - 1));
  EXPECT_CONTAINS(message_of([&] { Llama2cTokenizer::load(file("cut.bin")); }), "truncated or malformed: token");
  std::string no_bytes = good;
  const size_t at = no_bytes.find("<0x41>");
  no_bytes.replace(at, 6, "<0x42>");
  write_bytes(file("bytes.bin"), no_bytes);
  EXPECT_CONTAINS(message_of([&] { Llama2cTokenizer::load(file("bytes.bin")); }),
                  "token 68 is '<0x42>', expected '<0x41>' (run.c's byte fallback");
  const auto t = Llama2cTokenizer::load(refs_path("llama2c_tokenizer.bin"));
  EXPECT_CONTAINS(message_of([&] { t->decode({5, 100000}); }), "id 1 = 100000 is outside the vocabulary");
}

TEST_F(TokenizerErrors, Gpt2BadFiles) {
  write_bytes(file("vocab.json"), read_bytes(refs_path("gpt2/vocab.json")));
  write_bytes(file("merges.txt"), "#version: 0.2\nĠ t\nnot-a-pair\n");
  EXPECT_CONTAINS(message_of([&] { Gpt2Tokenizer::load(dir_); }), "merges.txt:3: expected 'left right', found 'not-a-pair'");
  write_bytes(file("merges.txt"), "#version: 0.2\nĠ zzzz\n");
  EXPECT_CONTAINS(message_of([&] { Gpt2Tokenizer::load(dir_); }),
                  "merges.txt:2: merge 'Ġ zzzz' needs 'zzzz', which is not in the vocabulary");
  nlohmann::json j = nlohmann::json::parse(read_bytes(refs_path("gpt2/tokenizer.json")));
  j["pre_tokenizer"] = {{"type", "Split"}, {"pattern", {{"Regex", "\\s+"}}}};
  write_bytes(file("tokenizer.json"), j.dump());
  EXPECT_CONTAINS(message_of([&] { Gpt2Tokenizer::load(file("tokenizer.json")); }),
                  "pre_tokenizer \"Split\" is not supported (GPT-2's ByteLevel only)");
  const auto t = make_tokenizer("gpt2:" + refs_path("gpt2"));
  EXPECT_CONTAINS(message_of([&] { t->decode({-1}); }), "id 0 = -1 is not a token of the vocabulary");
}

// Found by tests/fuzz: fields of the wrong type escaped as nlohmann::json::type_error, and a huge id
// allocated a table entry for every id below it.
TEST_F(TokenizerErrors, Gpt2TokenizerJsonFieldsOfTheWrongType) {
  const nlohmann::json good = nlohmann::json::parse(read_bytes(refs_path("gpt2/tokenizer.json")));
  auto message = [&](const std::function<void(nlohmann::json&)>& edit) {
    nlohmann::json j = good;
    edit(j);
    write_bytes(file("tokenizer.json"), j.dump());
    try {
      Gpt2Tokenizer::from_tokenizer_json(file("tokenizer.json"));
    } catch (const DataError& e) {
      return std::string(e.what());
    }
    return std::string("(no DataError)");
  };
  EXPECT_CONTAINS(message([](nlohmann::json& j) { j["model"]["type"] = 1; }), "tokenizer.json: model.type: expected a string, found 1");
  EXPECT_CONTAINS(message([](nlohmann::json& j) { j["normalizer"] = "NFC"; }), "normalizer \"NFC\" is not supported (null only)");
  EXPECT_CONTAINS(message([](nlohmann::json& j) { j["pre_tokenizer"]["type"] = 7; }),
                  "pre_tokenizer 7 is not supported (GPT-2's ByteLevel only)");
  EXPECT_CONTAINS(message([](nlohmann::json& j) { j["pre_tokenizer"]["add_prefix_space"] = 1; }),
                  "pre_tokenizer.add_prefix_space: expected true or false, found 1");
  EXPECT_CONTAINS(message([](nlohmann::json& j) { j["model"]["vocab"]["zzz"] = 1000000000; }),
                  "token 'zzz' has id 1000000000 (ids are 0 .. 16777215)");
  // A merge nested 100000 arrays deep: the message must not dump() it (dump recurses; so would
  // this test, so the file is written as text).
  nlohmann::json j = good;
  j["model"]["merges"][0] = 123456789;
  std::string text = j.dump();
  text.replace(text.find("123456789"), 9, std::string(100000, '[') + "1" + std::string(100000, ']'));
  write_bytes(file("tokenizer.json"), text);
  EXPECT_CONTAINS(message_of([&] { Gpt2Tokenizer::from_tokenizer_json(file("tokenizer.json")); }),
                  "model.merges[0]: expected 'left right' or [left, right], found a deeply nested array");
}

}  // namespace
}  // namespace ablate
