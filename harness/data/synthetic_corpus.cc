// The synthetic story corpus: a template grammar, then per document the characters, the facts,
// the filler body with the entity recalls placed inside it, and the key-value recalls at the end.
#include "harness/data/synthetic_corpus.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string_view>
#include <utility>

namespace ablate {
namespace {

using Words = std::vector<std::string>;

// ---- vocabulary -------------------------------------------------------------------------------
// Lists are nonterminals: an entry may itself hold template syntax ({slot}, (a|b), [opt]).
// Owned objects, pets, filler finds and wild animals are disjoint, so a filler sentence never
// mentions something a character owns.

const Words kGirls = {"Mia",  "Lily",  "Emma",  "Anna", "Zoe",  "Ella", "Rosa",
                      "Nora", "Lucy",  "Ruby",  "Sara", "Ivy",  "Maya", "Grace",
                      "Hana", "Leah",  "Clara", "Alice", "Jane", "Kate"};
const Words kBoys = {"Tom",  "Ben",  "Sam",  "Leo",  "Jack", "Finn", "Noah",
                     "Owen", "Luke", "Omar", "Ravi", "Theo", "Adam", "Eli",
                     "Hugo", "Ian",  "Jonah", "Kai", "Paul", "Felix"};
const Words kColors = {"red",   "blue",  "green", "yellow", "orange", "purple", "pink",
                       "white", "black", "brown", "gray",   "silver", "golden"};
const Words kObjects = {"kite",  "ball",   "hat",     "book",    "bag",     "cup",     "drum",
                        "scarf", "lamp",   "boat",    "bike",    "coat",    "pencil",  "umbrella",
                        "blanket", "bucket", "shovel", "whistle", "ribbon", "backpack"};
const Words kPets = {"dog", "cat", "rabbit", "turtle", "parrot", "hamster", "goat", "pony", "duck", "mouse"};
const Words kPetNames = {"Rex",    "Spot",  "Coco",   "Pip",    "Biscuit", "Luna",   "Milo",
                         "Oscar",  "Pepper", "Ziggy", "Bubbles", "Sunny",  "Patch",  "Rusty",
                         "Shadow", "Toffee", "Fluffy", "Peanut", "Pickles", "Noodle"};
const Words kContainers = {"door", "safe", "gate", "locker", "chest", "box", "trunk", "cabinet"};
const Words kPasswordAdjs = {"old", "tall", "dark", "secret", "hidden", "little", "stone", "wooden"};
const Words kPasswordPlaces = {"tower", "cave",     "cellar",     "attic", "treehouse",
                               "clubhouse", "shed", "workshop", "lighthouse", "mill"};
const Words kPasswords = {"maple",   "thunder", "pebble", "lantern", "comet",  "walnut",
                          "harbor",  "velvet",  "cobalt", "falcon",  "cactus", "nutmeg",
                          "orbit",   "pumpkin", "sparrow", "tulip",  "violin", "willow",
                          "zebra",   "anchor",  "canyon", "dragon",  "echo",   "glacier",
                          "hammock", "igloo",   "jasmine", "kettle", "lemon",  "mango"};
const Words kTowns = {"Millbrook", "Stonebridge", "Ashford",   "Greenfield", "Fairview", "Oakdale",
                      "Riverton",  "Maplewood",   "Brookside", "Hillcrest",  "Westport", "Elmwood"};

// Filler nonterminals.
const std::map<std::string, Words, std::less<>> kLists = {
    {"place",
     {"park", "river", "lake", "forest", "garden", "beach", "market", "school", "farm", "hill",
      "village", "meadow", "field", "pond", "zoo", "bakery", "playground", "orchard", "museum"}},
    {"landmark",
     {"old tree", "bench", "fence", "big rock", "well", "bridge", "tent", "barn", "wall", "hedge",
      "fountain", "little house"}},
    {"wild",
     {"bird", "frog", "squirrel", "fox", "owl", "deer", "butterfly", "bee", "snail", "crow",
      "hedgehog", "lamb", "beetle", "robin"}},
    {"animals",
     {"ducks", "birds", "frogs", "cows", "sheep", "bees", "ants", "geese", "fish", "horses",
      "chickens", "pigs"}},
    {"count", {"two", "three", "four", "five", "six", "seven", "many", "some", "a few"}},
    {"size", {"little", "big", "tiny", "young", "old", "fat", "quick"}},
    {"food",
     {"an apple", "a sandwich", "some bread", "a pear", "some soup", "a cookie", "some cake",
      "a banana", "some rice", "a plum", "some cheese", "some berries", "an egg"}},
    {"find",
     {"stone", "leaf", "shell", "feather", "coin", "button", "flower", "stick", "acorn", "marble",
      "bead", "ring"}},
    {"furniture", {"bed", "table", "chair", "sofa", "stairs", "rug", "shelf", "window"}},
    {"feeling",
     {"happy", "tired", "sleepy", "curious", "brave", "hungry", "calm", "excited", "proud", "shy",
      "bored", "cheerful"}},
    {"adv", {"slowly", "quickly", "happily", "quietly", "carefully", "softly"}},
    {"time",
     {"In the morning", "In the afternoon", "In the evening", "After lunch", "Before dinner",
      "On Sunday", "After school"}},
    {"activity",
     {"read a story", "drew a picture", "sang a song", "cooked dinner", "cleaned the room",
      "took a nap", "wrote a letter", "played a game", "built a fort", "planted some seeds",
      "watered the flowers", "baked bread", "made a sandcastle"}},
    {"relation",
     {"{P} mother", "{P} father", "{P} friend", "{P} sister", "{P} brother", "{P} grandma",
      "{P} grandpa", "the teacher", "an old man", "the baker"}},
    {"stranger", {"a neighbor", "the teacher", "an old man", "a little girl", "the baker", "a farmer"}},
    {"giver", {"grandma", "uncle", "aunt", "best friend", "father", "mother", "teacher"}},
};

const Words kFillers = {
    "{S} [{adv} ]walked to the {place}.",
    "{S} (ran|went|hurried|walked) (to|toward|past|around) the {landmark}[ with {N2}].",
    "The (sky was (blue|gray|clear|dark)|sun was (bright|warm|hot)|wind was (cold|strong|soft)|air "
    "was (fresh|warm|cold)) (that day|in the morning|all afternoon|at noon).",
    "{S} saw a [{size} ]{wild} (near|by|behind|under) the {landmark}.",
    "The {wild} (jumped|ran|flew|hid|rested|sang) (away|in the grass|behind a tree|near the "
    "{landmark}).",
    "{S} and {N2} (played|talked|laughed|sang|sat) (together|for a while|by the {landmark}|until "
    "dinner|in the {place}).",
    "{S} (was|felt) [very ]{feeling}.",
    "{S} ate {food}[ (at the {place}|with {N2}|for lunch)].",
    "{S} said, \"(Let us go to the {place}.|I am {feeling}.|Look at the {wild}!|What a (nice|long|"
    "strange) day!|Where are the {animals}?)\"",
    "{S} found a ({color}|shiny|small|round|smooth|tiny) {find} (under|near|behind|next to) the ({furniture}|{landmark}).",
    "{time}, {S} {activity}.",
    "(Then|Later|After that|Soon), {S} (went home|sat down|looked around|began to sing|took a "
    "nap|washed {P} hands).",
    "{S} (helped|hugged|called|waved to|thanked|visited) {N2}.",
    "There were {count} {animals} (in|near|by) the {place}.",
    "A [{size} ]{wild} (lived|slept|played) near the {place}.",
    "{S} (counted|watched|followed|fed) the {animals}.",
    "It was a (long|quiet|busy|sunny|rainy|windy|lovely) day[ at the {place}].",
    "{S} (told {N2} (a story|a joke|about the {place})|asked {N2} (a question|about the {wild})).",
    "{S} (put|left|hid) a {find} (on|under|near) the {furniture}.",
    "{S} (liked|loved) the {place} (very much|in the summer|in the winter|on rainy days).",
    "The (rain|snow|wind) (came|stopped|started) (at noon|in the evening|after a while|suddenly).",
    "{S} (smiled|laughed|yawned|nodded|sighed|waited)[ {adv}].",
    "{S} could hear the {animals} (in the distance|outside|all night).",
    "{S} (dreamed|thought|read) about a {color} {wild}.",
    "(On the way home|Near the {place}|At the {landmark}), {S} met {N2}.",
};

// Entity statements and recalls (slots: NAME, P = owner's possessive, VAL, PET, ANSWER).
const Words kObjectStatements = {
    "{NAME} had a {VAL}.",
    "There was a {KIND} named {NAME} who had a {VAL}.",
    "{NAME} got a {VAL} from {P} {giver}.",
    "{NAME} owned a {VAL}.",
    "{NAME} was given a {VAL} for {P} birthday.",
};
const Words kObjectFollowUps = {
    "{S} (loved it very much|took it everywhere|kept it next to {P} bed|showed it to {N2}).",
    "It was {P} favorite thing.",
};
const Words kAttributeRecalls = {
    "{NAME} looked for {P}{ANSWER}.",
    "Later, {NAME} picked up {P}{ANSWER}.",
    "{NAME} could not find {P}{ANSWER} (anywhere|at first).",
    "At the end of the day, {NAME} (took|carried) {P}{ANSWER} home.",
    "{NAME} showed {N2} {P}{ANSWER}.",
};
const Words kObjectOwnerRecalls = {
    "The {VAL} belonged to{ANSWER}.",
    "{X} found the {VAL} and gave it back to{ANSWER}.",
    "The owner of the {VAL} was{ANSWER}.",
};
const Words kPetStatements = {
    "{NAME} had a {PET} named {VAL}.",
    "{NAME} lived with a [{size} ]{PET} called {VAL}.",
    "There was a {KIND} named {NAME} who had a {PET} called {VAL}.",
};
const Words kPetFollowUps = {
    "The {PET} (was very friendly|liked to play|slept a lot|followed {NAME} everywhere).",
};
const Words kPetNameRecalls = {
    "{NAME} called, \"Come here,{ANSWER}!\"",
    "{NAME} took {P} {PET} for a walk. The {PET}'s name was{ANSWER}.",
    "{NAME} gave some food to {P} {PET},{ANSWER}.",
};
const Words kPetOwnerRecalls = {
    "The {PET} named {PETNAME} belonged to{ANSWER}.",
    "{X} found {PETNAME} the {PET} and brought it back to{ANSWER}.",
};

// Key-value statements and recalls (slots: KEY, VAL, NAME, P, ANSWER).
const Words kCodeStatements = {
    "The code for the {KEY} is {VAL}.",
    "{NAME} wrote down that the code for the {KEY} is {VAL}.",
    "A note said that the code for the {KEY} is {VAL}.",
    "{NAME} learned that the code for the {KEY} is {VAL}.",
};
const Words kCodeRecalls = {
    "The code for the {KEY} is{ANSWER}.",
    "{NAME} came back to the {KEY}. The code for the {KEY} is{ANSWER}.",
    "{NAME} still remembered that the code for the {KEY} is{ANSWER}.",
};
const Words kPasswordStatements = {
    "The password for the {KEY} is {VAL}.",
    "{NAME} heard that the password for the {KEY} is {VAL}.",
    "A sign said that the password for the {KEY} is {VAL}.",
};
const Words kPasswordRecalls = {
    "The password for the {KEY} is{ANSWER}.",
    "{NAME} walked up to the {KEY} and said the password:{ANSWER}.",
    "{NAME} remembered that the password for the {KEY} is{ANSWER}.",
};
const Words kLuckyStatements = {
    "{NAME}'s lucky number is {VAL}.",
    "{NAME} said that {P} lucky number is {VAL}.",
};
const Words kLuckyRecalls = {
    "{NAME}'s lucky number is{ANSWER}.",
    "When {X} asked, {NAME} said that {P} lucky number is{ANSWER}.",
};
const Words kTrainStatements = {
    "The train to {KEY} leaves at {VAL}.",
    "{NAME} read that the train to {KEY} leaves at {VAL}.",
};
const Words kTrainRecalls = {
    "The train to {KEY} leaves at{ANSWER}.",
    "{NAME} hurried, because the train to {KEY} leaves at{ANSWER}.",
};

// The passkey papers' key line and question (harness/eval/passkey.h: passkey_key_line, kPasskeyQuestion),
// verbatim, so passkey retrieval measures the recall the corpus teaches.
const Words kPasskeyStatements = {"The pass key is {VAL}. Remember it. {VAL} is the pass key."};
const Words kPasskeyRecalls = {"What is the pass key? The pass key is{ANSWER}."};

// Animal calls (part 7): each animal makes one call, in every document, so the pairs are learned
// across the corpus; 0..kMaxCallPhrases adverbials stand between the animal and its call.
const std::pair<const char*, const char*> kAnimalCalls[] = {
    {"cow", "mooed"}, {"lion", "roared"}, {"wolf", "howled"}, {"donkey", "brayed"}};
const Words kCallPhrases = {"all day",      "at night",    "once again", "very loudly",
                            "for a while",  "now and then", "out there", "over here",
                            "far away",     "this morning", "so happily", "at noon"};

const Words kOpeners = {
    "It was a (sunny|cold|quiet|windy|bright) (morning|afternoon|day).",
    "(Summer|Winter|Spring) had just begun.",
    "This is a story about (a small village|a busy town|a house by the sea|a big farm).",
};
const Words kClosings = {
    "The end.",
    "That night, {S} slept well.",
    "It had been a (good|long|happy) day.",
};

// ---- helpers ----------------------------------------------------------------------------------

const std::string& pick(Rng& rng, const Words& words) { return words[rng.below(words.size())]; }

bool chance(Rng& rng, int percent) { return rng.below(100) < static_cast<uint64_t>(percent); }

template <typename T>
void shuffle(Rng& rng, std::vector<T>& v) {
  for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng.below(i)]);
}

// n digits, each uniform in 0..9 (leading zeros too).
std::string random_digits(Rng& rng, int64_t n) {
  std::string s;
  for (int64_t i = 0; i < n; ++i) s += static_cast<char>('0' + rng.below(10));
  return s;
}

// Index of the bracket closing the one at t[i] (brackets of all three kinds nest).
size_t matching(std::string_view t, size_t i) {
  int depth = 0;
  for (size_t j = i; j < t.size(); ++j) {
    if (t[j] == '(' || t[j] == '[' || t[j] == '{') ++depth;
    if (t[j] == ')' || t[j] == ']' || t[j] == '}') {
      if (--depth == 0) return j;
    }
  }
  throw std::logic_error("synthetic corpus: unbalanced template: " + std::string(t));
}

struct Person {
  std::string name;
  bool female = false;
  const char* subject() const { return female ? "she" : "he"; }
  const char* possessive() const { return female ? "her" : "his"; }
  const char* object() const { return female ? "her" : "him"; }
};

// What the slots of one sentence refer to.
struct Slots {
  const Person* subject = nullptr;  // {S}, {P}, {O}; {NAME} is its name
  bool pronoun = false;             // {S} as "she"/"he" instead of the name
  std::string val, key, pet, pet_name, answer;
};

// Expands one template into a sentence: "(a|b)" picks one alternative, "[x]" keeps x half the
// time, "{slot}" is a value from Slots or a word list (itself expanded). "a" becomes "an" before
// a vowel as the text is written. Records where {VAL}/{NAME} and {ANSWER} were written.
class Expander {
 public:
  Expander(Rng& rng, const std::vector<Person>& cast, const Slots& slots)
      : rng_(rng), cast_(cast), slots_(slots) {}

  std::string run(std::string_view t) {
    expand(t);
    if (!out_.empty() && out_[0] >= 'a' && out_[0] <= 'z') out_[0] = static_cast<char>(out_[0] - 32);
    return out_;
  }
  size_t val_at = std::string::npos, name_at = std::string::npos, answer_at = std::string::npos;
  bool mentioned_other = false;  // a second character was named ({N2} or {X})

 private:
  void put(char c) {
    size_t n = out_.size();
    bool vowel = c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
    if (vowel && n >= 2 && out_[n - 1] == ' ' && (out_[n - 2] == 'a' || out_[n - 2] == 'A') &&
        (n == 2 || out_[n - 3] == ' ' || out_[n - 3] == '"')) {
      out_.insert(n - 1, 1, 'n');
    }
    out_ += c;
  }
  // Writes s and returns where its first character landed (after any "a" -> "an").
  size_t put_marked(const std::string& s) {
    if (s.empty()) return out_.size();
    put(s[0]);
    size_t at = out_.size() - 1;
    for (size_t i = 1; i < s.size(); ++i) put(s[i]);
    return at;
  }
  void put_text(const std::string& s) {
    for (char c : s) put(c);
  }

  // Another character than the subject, or (when there is none, or by chance) a word list entry.
  void other_person(const char* fallback_list, int percent_character) {
    std::vector<const Person*> others;
    for (const Person& p : cast_)
      if (&p != slots_.subject) others.push_back(&p);
    if (!others.empty() && chance(rng_, percent_character)) {
      put_text(others[rng_.below(others.size())]->name);
      mentioned_other = true;
    } else {
      expand(pick(rng_, kLists.find(fallback_list)->second));
    }
  }

  void slot(std::string_view name) {
    const Person* s = slots_.subject;
    if (name == "S") {
      put_text(slots_.pronoun ? s->subject() : s->name);
    } else if (name == "P") {
      put_text(s->possessive());
    } else if (name == "O") {
      put_text(s->object());
    } else if (name == "NAME") {
      name_at = put_marked(s->name);
    } else if (name == "KIND") {
      put_text(s->female ? "girl" : "boy");
    } else if (name == "VAL") {  // the first {VAL} (the passkey's key line states it twice)
      const size_t at = put_marked(slots_.val);
      if (val_at == std::string::npos) val_at = at;
    } else if (name == "ANSWER") {
      answer_at = put_marked(slots_.answer);
    } else if (name == "KEY") {
      put_text(slots_.key);
    } else if (name == "PET") {
      put_text(slots_.pet);
    } else if (name == "PETNAME") {
      put_text(slots_.pet_name);
    } else if (name == "N2") {
      other_person("relation", 60);
    } else if (name == "X") {
      other_person("stranger", 50);
    } else if (name == "color") {
      put_text(pick(rng_, kColors));
    } else {
      auto it = kLists.find(name);
      if (it == kLists.end()) throw std::logic_error("synthetic corpus: unknown slot " + std::string(name));
      expand(pick(rng_, it->second));
    }
  }

  void expand(std::string_view t) {
    for (size_t i = 0; i < t.size(); ++i) {
      char c = t[i];
      if (c == '{') {
        size_t j = t.find('}', i);
        slot(t.substr(i + 1, j - i - 1));
        i = j;
      } else if (c == '[') {
        size_t j = matching(t, i);
        if (rng_.below(2)) expand(t.substr(i + 1, j - i - 1));
        i = j;
      } else if (c == '(') {
        size_t j = matching(t, i);
        std::vector<std::string_view> alternatives;
        size_t start = i + 1;
        int depth = 0;
        for (size_t k = i + 1; k < j; ++k) {
          if (t[k] == '(' || t[k] == '[' || t[k] == '{') ++depth;
          if (t[k] == ')' || t[k] == ']' || t[k] == '}') --depth;
          if (t[k] == '|' && depth == 0) {
            alternatives.push_back(t.substr(start, k - start));
            start = k + 1;
          }
        }
        alternatives.push_back(t.substr(start, j - start));
        expand(alternatives[rng_.below(alternatives.size())]);
        i = j;
      } else {
        put(c);
      }
    }
  }

  Rng& rng_;
  const std::vector<Person>& cast_;
  const Slots& slots_;
  std::string out_;
};

// One sentence (or two, for some recalls) of a document, with what it states or recalls.
struct Piece {
  std::string text;
  int call = -1;          // index into the document's calls, or -1
  int fact = -1;          // index into the document's facts, or -1
  bool recall = false;    // the piece recalls the fact (else states it)
  size_t mark = 0;        // statement: where the value is; recall: where the answer begins
};

struct Fact {
  RecallKind kind;
  const Person* owner;  // the character the fact is about, or that speaks it
  std::string val, key, pet, pet_name;
  std::vector<std::string> distractors;  // without the leading space
  bool local = false;
};

// Up to three values for `answer`'s wrong continuations: `preferred` first (in random order),
// then `random_one()` until three distinct values differ from the answer.
template <typename F>
std::vector<std::string> distractors(Rng& rng, const std::string& answer, std::vector<std::string> preferred,
                                     F random_one) {
  shuffle(rng, preferred);
  std::vector<std::string> out;
  auto add = [&](const std::string& v) {
    if (out.size() < 3 && v != answer && std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
  };
  for (const std::string& v : preferred) add(v);
  while (out.size() < 3) add(random_one());
  return out;
}

// Local facts: one per this many bytes of body, recalled after at most kMaxLocalGap filler sentences.
constexpr int64_t kLocalFactBytes = 160;
constexpr uint64_t kMaxLocalGap = 4;
// Animal calls: one per this many bytes of body (rounded at random), with 0..kMaxCallPhrases phrases.
constexpr int64_t kCallBytes = 100;
constexpr uint64_t kMaxCallPhrases = 2;
// At most this many codes, passwords and train times per document (their value lists are short).
constexpr size_t kMaxPerKind = 8;
// Passkeys: in this share of the documents of at least kPasskeyMinDocument planned bytes (shorter ones
// stay short), one key of kPasskeyDigits digits, asked for a log-uniform
// 10..1000 bytes after its key line (kPasskeyGaps: 10·10^(i/8); a gap is drawn uniformly inside one of
// the 16 bins, each bin equally likely), at most the body's planned size.
constexpr int kPasskeyPercent = 60;
constexpr int64_t kPasskeyMinDocument = 256;
constexpr int64_t kPasskeyDigits = 5;
constexpr int64_t kPasskeyGaps[] = {10, 13, 18, 24, 32, 42, 56, 75, 100, 133, 178, 237, 316, 422, 562, 750, 1000};

// A document's whole plan and text, built piece by piece.
class StoryBuilder {
 public:
  StoryBuilder(Rng& rng, bool passkeys) : rng_(rng), passkeys_(passkeys) {}

  SyntheticDocument build() {
    // Length target: 96 * 2^(k/4) bytes for k in [0, 20), plus up to a quarter more; integer only.
    static const int kTargets[] = {96,  114, 136, 161, 192, 228, 272, 323,  384,  457,
                                   543, 646, 768, 913, 1086, 1292, 1536, 1827, 2172, 2583};
    const int64_t target = kTargets[rng_.below(20)];
    const int64_t length = target + static_cast<int64_t>(rng_.below(target / 4 + 1));

    cast_characters(length < 200 ? 1 + rng_.below(2) : 1 + rng_.below(3));
    const size_t n_kv = length < 256 ? rng_.below(2) : 1 + rng_.below(2);

    if (chance(rng_, 20)) add_plain(pick(rng_, kOpeners), nullptr);
    for (size_t i = 0; i < cast_.size(); ++i) introduce(i);
    for (size_t i = 0; i < n_kv; ++i) {
      if (chance(rng_, 40)) add_filler();
      kv_facts_.push_back(state_key_value(/*local=*/false));
    }

    // The body: filler until the length target, each entity recall placed where the body passes
    // a random fraction of its planned size.
    const int64_t reserve = 60 * static_cast<int64_t>(entity_facts_.size() + n_kv);
    const int64_t body_start = bytes_;
    const int64_t body_bytes = std::max<int64_t>(40, length - reserve - body_start);
    std::vector<std::pair<int64_t, int>> recall_points;  // (body offset, fact)
    for (int f : entity_facts_)
      recall_points.push_back({static_cast<int64_t>(rng_.below(static_cast<uint64_t>(body_bytes))), f});
    std::sort(recall_points.begin(), recall_points.end());
    // Local facts: one key-value fact per kLocalFactBytes of body (rounded at random), stated where
    // the body passes a random offset and recalled after 0..kMaxLocalGap filler sentences.
    std::vector<int64_t> local_points;
    const int64_t n_local = (body_bytes + static_cast<int64_t>(rng_.below(kLocalFactBytes))) / kLocalFactBytes;
    for (int64_t i = 0; i < n_local; ++i)
      local_points.push_back(static_cast<int64_t>(rng_.below(static_cast<uint64_t>(body_bytes))));
    std::sort(local_points.begin(), local_points.end());
    // Animal calls (part 7): one per kCallBytes of body (rounded at random), each written in the
    // first filler slot after the body passes its random offset (in place of that filler sentence).
    std::vector<int64_t> call_points;
    const int64_t n_calls = (body_bytes + static_cast<int64_t>(rng_.below(kCallBytes))) / kCallBytes;
    for (int64_t i = 0; i < n_calls; ++i)
      call_points.push_back(static_cast<int64_t>(rng_.below(static_cast<uint64_t>(body_bytes))));
    std::sort(call_points.begin(), call_points.end());
    size_t next_call = 0;
    // The passkey (part 6): its key line where the body passes passkey_at, its question once
    // passkey_gap more bytes are written.
    int64_t passkey_at = -1, passkey_gap = 0, passkey_end = 0;
    int passkey = -1;
    if (passkeys_ && length >= kPasskeyMinDocument && chance(rng_, kPasskeyPercent)) {
      const uint64_t bin = rng_.below(16);
      passkey_gap = kPasskeyGaps[bin] +
                    static_cast<int64_t>(rng_.below(static_cast<uint64_t>(kPasskeyGaps[bin + 1] - kPasskeyGaps[bin])));
      passkey_gap = std::min(passkey_gap, body_bytes);
      passkey_at = static_cast<int64_t>(rng_.below(static_cast<uint64_t>(body_bytes - passkey_gap + 1)));
    }
    bool pending = false;  // the local fact `local` is stated and waits for `gap` more filler sentences
    int local = -1;
    int64_t gap = 0;
    size_t next = 0, next_local = 0;
    add_filler();
    while (next < recall_points.size() || next_local < local_points.size() || pending || passkey_at >= 0 ||
           passkey >= 0 || bytes_ - body_start < body_bytes) {
      // The key line between a local fact and its question would count as one more sentence between.
      if (passkey_at >= 0 && !pending && bytes_ - body_start >= passkey_at) {
        passkey = state_passkey();
        passkey_at = -1;
        passkey_end = bytes_;
      } else if (passkey >= 0 && bytes_ - passkey_end >= passkey_gap) {
        recall(passkey);
        passkey = -1;
      }
      // One local fact at a time (a point reached while one is pending is dropped), so only filler
      // (and rarely an entity recall) lies between a local statement and its question.
      while (next_local < local_points.size() && bytes_ - body_start >= local_points[next_local]) {
        ++next_local;
        if (pending) continue;
        local = state_key_value(/*local=*/true);
        pending = local >= 0;
        gap = static_cast<int64_t>(rng_.below(kMaxLocalGap + 1));
      }
      if (pending && gap == 0) {
        recall(local);
        pending = false;
      }
      while (next < recall_points.size() && bytes_ - body_start >= recall_points[next].first)
        recall(recall_points[next++].second);
      if (bytes_ - body_start < body_bytes || pending || passkey_at >= 0 || passkey >= 0) {
        if (next_call < call_points.size() && bytes_ - body_start >= call_points[next_call]) {
          ++next_call;
          add_call();
        } else {
          add_filler();
        }
        gap = std::max<int64_t>(0, gap - 1);
      }
    }
    std::vector<int> kv = kv_facts_;
    shuffle(rng_, kv);
    for (int f : kv) recall(f);
    if (chance(rng_, 40)) {
      const Person* s = choose_subject();
      add_plain(pick(rng_, kClosings), s);
    }
    return assemble();
  }

 private:
  void cast_characters(size_t n) {
    while (cast_.size() < n) {
      Person p;
      p.female = rng_.below(2) == 0;
      p.name = pick(rng_, p.female ? kGirls : kBoys);
      bool used = false;
      for (const Person& q : cast_) used |= q.name == p.name;
      if (!used) cast_.push_back(p);
    }
  }

  // Subject of a filler sentence: often the previous one (then, if nobody else was named in
  // between, often as a pronoun), else any character.
  const Person* choose_subject() {
    const Person* s = last_ && chance(rng_, 50) ? last_ : &cast_[rng_.below(cast_.size())];
    pronoun_ = s == last_ && !last_named_other_ && chance(rng_, 60);
    return s;
  }

  void add_piece(Piece piece, const Person* subject, bool named_other) {
    bytes_ += static_cast<int64_t>(piece.text.size()) + (pieces_.empty() ? 0 : 1);
    pieces_.push_back(std::move(piece));
    last_ = subject;
    last_named_other_ = named_other;
  }

  // The subject is drawn before the template (no two draws in one expression: C++ leaves the
  // order of argument evaluation open, and the text must not depend on the compiler).
  void add_filler() {
    const Person* s = choose_subject();
    add_plain(pick(rng_, kFillers), s);
  }

  // "The cow at night mooed.": a random animal, 0..kMaxCallPhrases distinct phrases, its call.
  void add_call() {
    const auto& [animal, sound] = kAnimalCalls[rng_.below(std::size(kAnimalCalls))];
    std::vector<std::string> phrases;
    const uint64_t n = rng_.below(kMaxCallPhrases + 1);
    while (phrases.size() < n) {
      const std::string& phrase = pick(rng_, kCallPhrases);
      if (!used(phrases, phrase)) phrases.push_back(phrase);
    }
    Piece piece;
    piece.text = std::string("The ") + animal;
    for (const std::string& phrase : phrases) piece.text += " " + phrase;
    piece.mark = piece.text.size();
    piece.text += std::string(" ") + sound + ".";
    piece.call = static_cast<int>(calls_.size());
    SyntheticCall call;
    call.animal = animal;
    call.answer = std::string(" ") + sound;
    for (const auto& [other, other_sound] : kAnimalCalls)
      if (other_sound != std::string_view(sound)) call.distractors.push_back(std::string(" ") + other_sound);
    call.phrases_between = static_cast<int64_t>(n);
    calls_.push_back(std::move(call));
    add_piece(std::move(piece), nullptr, false);
  }

  void add_plain(const std::string& t, const Person* subject) {
    Slots slots;
    slots.subject = subject;
    slots.pronoun = subject && pronoun_;
    Expander e(rng_, cast_, slots);
    Piece piece;
    piece.text = e.run(t);
    bool has_subject = t.find("{S}") != std::string::npos;
    add_piece(std::move(piece), has_subject ? subject : nullptr, e.mentioned_other);
  }

  Slots fact_slots(const Fact& f) {
    Slots s;
    s.subject = f.owner;
    s.val = f.val;
    s.key = f.key;
    s.pet = f.pet;
    s.pet_name = f.pet_name;
    s.answer = " " + (f.kind == RecallKind::kOwner ? f.owner->name : f.val);
    return s;
  }

  void add_fact_piece(int f, const std::string& t, bool recall) {
    Slots slots = fact_slots(facts_[f]);
    Expander e(rng_, cast_, slots);
    Piece piece;
    piece.text = e.run(t);
    piece.fact = f;
    piece.recall = recall;
    piece.mark = recall ? e.answer_at : (facts_[f].kind == RecallKind::kOwner ? e.name_at : e.val_at);
    if (piece.mark == std::string::npos) throw std::logic_error("synthetic corpus: template lacks its mark: " + t);
    add_piece(std::move(piece), facts_[f].owner, e.mentioned_other);
  }

  // "Mia had a red kite." or "Tom had a dog named Rex.", and the fact recalled about it later.
  void introduce(size_t i) {
    const Person* owner = &cast_[i];
    Fact f;
    f.owner = owner;
    const bool pet = chance(rng_, 30);
    if (pet) {
      do f.pet = pick(rng_, kPets); while (used(pets_, f.pet));
      do f.pet_name = pick(rng_, kPetNames); while (used(pet_names_, f.pet_name));
      pets_.push_back(f.pet);
      pet_names_.push_back(f.pet_name);
      f.kind = chance(rng_, 60) ? RecallKind::kPetName : RecallKind::kOwner;
      f.val = f.pet_name;  // {VAL} of the statement; an owner recall marks {NAME} instead
    } else {
      std::string color, object;
      do color = pick(rng_, kColors); while (used(colors_, color));
      do object = pick(rng_, kObjects); while (used(objects_, object));
      colors_.push_back(color);
      objects_.push_back(object);
      f.key = object;
      f.val = color + " " + object;
      f.kind = chance(rng_, 60) ? RecallKind::kAttribute : RecallKind::kOwner;
    }
    facts_.push_back(f);
    const int index = static_cast<int>(facts_.size()) - 1;
    entity_facts_.push_back(index);
    add_fact_piece(index, pick(rng_, pet ? kPetStatements : kObjectStatements), false);
    if (chance(rng_, 40)) {
      pronoun_ = chance(rng_, 70);
      Slots slots = fact_slots(facts_[index]);
      slots.pronoun = pronoun_;
      Expander e(rng_, cast_, slots);
      Piece piece;
      piece.text = e.run(pick(rng_, pet ? kPetFollowUps : kObjectFollowUps));
      add_piece(std::move(piece), owner, e.mentioned_other);
    }
  }

  // States a key-value fact and returns its index, or -1 when every kind has used up its values
  // for this document (a long body states many local facts; values are distinct per kind).
  int state_key_value(bool local) {
    Fact f;
    f.local = local;
    f.owner = &cast_[rng_.below(cast_.size())];
    bool lucky_left = false;
    for (const Person& p : cast_) lucky_left |= !used(lucky_owners_, p.name);
    const bool password_left = passwords_.size() < kMaxPerKind, train_left = hours_.size() < kMaxPerKind;
    if (codes_.size() >= kMaxPerKind && !password_left && !train_left && !lucky_left) return -1;
    for (;;) {
      const uint64_t k = rng_.below(4);
      if (k == 0) {
        if (codes_.size() >= kMaxPerKind) continue;
        f.kind = RecallKind::kCode;
        do f.key = two_words(kColors, kContainers); while (used(keys_, f.key));
        do f.val = std::to_string(1000 + rng_.below(9000)); while (used(codes_, f.val));
        codes_.push_back(f.val);
      } else if (k == 1) {
        if (!password_left) continue;
        f.kind = RecallKind::kPassword;
        do f.key = two_words(kPasswordAdjs, kPasswordPlaces); while (used(keys_, f.key));
        do f.val = pick(rng_, kPasswords); while (used(passwords_, f.val));
        passwords_.push_back(f.val);
      } else if (k == 2) {
        if (!lucky_left) continue;
        f.kind = RecallKind::kLuckyNumber;
        do f.owner = &cast_[rng_.below(cast_.size())]; while (used(lucky_owners_, f.owner->name));
        lucky_owners_.push_back(f.owner->name);
        do f.val = std::to_string(10 + rng_.below(90)); while (used(lucky_numbers_, f.val));
        lucky_numbers_.push_back(f.val);
      } else {
        if (!train_left) continue;
        f.kind = RecallKind::kTrainTime;
        do f.key = pick(rng_, kTowns); while (used(keys_, f.key));
        // " o'clock" belongs to the answer: no choice may be a prefix of another (" 1" of " 12"),
        // or a byte-level model would score the shorter one higher whatever it knows.
        do f.val = std::to_string(1 + rng_.below(12)) + " o'clock"; while (used(hours_, f.val));
        hours_.push_back(f.val);
      }
      break;
    }
    if (!f.key.empty()) keys_.push_back(f.key);
    facts_.push_back(f);
    const int index = static_cast<int>(facts_.size()) - 1;
    const Words* statements = f.kind == RecallKind::kCode       ? &kCodeStatements
                              : f.kind == RecallKind::kPassword ? &kPasswordStatements
                              : f.kind == RecallKind::kLuckyNumber ? &kLuckyStatements
                                                                   : &kTrainStatements;
    add_fact_piece(index, pick(rng_, *statements), false);
    return index;
  }

  // The passkey papers' key line with a fresh key (any digits, leading zeros too, as their keys).
  int state_passkey() {
    Fact f;
    f.kind = RecallKind::kPasskey;
    f.owner = nullptr;
    f.val = random_digits(rng_, kPasskeyDigits);
    facts_.push_back(f);
    const int index = static_cast<int>(facts_.size()) - 1;
    add_fact_piece(index, pick(rng_, kPasskeyStatements), false);
    return index;
  }

  void recall(int index) {
    const Fact& f = facts_[index];
    const Words* templates = nullptr;
    switch (f.kind) {
      case RecallKind::kAttribute: templates = &kAttributeRecalls; break;
      case RecallKind::kOwner: templates = f.pet.empty() ? &kObjectOwnerRecalls : &kPetOwnerRecalls; break;
      case RecallKind::kPetName: templates = &kPetNameRecalls; break;
      case RecallKind::kCode: templates = &kCodeRecalls; break;
      case RecallKind::kPassword: templates = &kPasswordRecalls; break;
      case RecallKind::kLuckyNumber: templates = &kLuckyRecalls; break;
      case RecallKind::kTrainTime: templates = &kTrainRecalls; break;
      case RecallKind::kPasskey: templates = &kPasskeyRecalls; break;
    }
    add_fact_piece(index, pick(rng_, *templates), true);
  }

  // The wrong continuations: the document's other values of the same kind first.
  std::vector<std::string> wrong_values(const Fact& f) {
    std::vector<std::string> same;  // key-value kinds: the document's other values of this kind
    for (const Fact& g : facts_)
      if (&g != &f && g.kind == f.kind) same.push_back(g.val);
    switch (f.kind) {
      case RecallKind::kAttribute: {
        // Same object, another color; the colors of the other characters' objects first.
        const std::string color = f.val.substr(0, f.val.find(' '));
        std::vector<std::string> colors;
        for (const std::string& c : colors_)
          if (c != color) colors.push_back(c);
        auto out = distractors(rng_, color, colors, [&] { return pick(rng_, kColors); });
        for (std::string& c : out) c += " " + f.key;
        return out;
      }
      case RecallKind::kOwner: {
        std::vector<std::string> names;
        for (const Person& p : cast_) names.push_back(p.name);
        return distractors(rng_, f.owner->name, names,
                           [&] { return pick(rng_, rng_.below(2) ? kGirls : kBoys); });
      }
      case RecallKind::kPetName:
        return distractors(rng_, f.val, pet_names_, [&] { return pick(rng_, kPetNames); });
      case RecallKind::kCode: {
        // A digit swap of the answer is the hardest wrong code; add it after the document's codes.
        std::vector<std::string> swaps;
        for (size_t i = 0; i + 1 < f.val.size(); ++i) {
          std::string s = f.val;
          std::swap(s[i], s[i + 1]);
          if (s != f.val && s[0] != '0') swaps.push_back(s);
        }
        std::string swap = swaps.empty() ? std::string() : swaps[rng_.below(swaps.size())];
        bool swap_used = swap.empty();
        return distractors(rng_, f.val, same, [&] {
          if (!swap_used) {
            swap_used = true;
            return swap;
          }
          return std::to_string(1000 + rng_.below(9000));
        });
      }
      case RecallKind::kPassword:
        return distractors(rng_, f.val, same, [&] { return pick(rng_, kPasswords); });
      case RecallKind::kLuckyNumber:
        return distractors(rng_, f.val, same, [&] { return std::to_string(10 + rng_.below(90)); });
      case RecallKind::kTrainTime:
        return distractors(rng_, f.val, same, [&] { return std::to_string(1 + rng_.below(12)) + " o'clock"; });
      case RecallKind::kPasskey:
        // Random keys (a document holds one passkey).
        return distractors(rng_, f.val, {}, [&] { return random_digits(rng_, kPasskeyDigits); });
    }
    return {};
  }

  SyntheticDocument assemble() {
    SyntheticDocument doc;
    std::vector<size_t> stated_at(facts_.size()), recalled_at(facts_.size());
    std::vector<size_t> recall_start(facts_.size());
    for (const Piece& p : pieces_) {
      if (!doc.text.empty()) doc.text += ' ';
      if (p.fact >= 0) {
        (p.recall ? recalled_at : stated_at)[p.fact] = doc.text.size() + p.mark;
        if (p.recall) recall_start[p.fact] = doc.text.size();
      }
      if (p.call >= 0) {
        SyntheticCall& call = calls_[static_cast<size_t>(p.call)];
        call.sentence_start = doc.text.size();
        call.animal_at = doc.text.size() + 4;  // after "The "
        call.called_at = doc.text.size() + p.mark;
        call.question_prefix = p.text.substr(0, p.mark);
      }
      doc.text += p.text;
    }
    doc.calls = calls_;
    if (doc.text.size() > kSyntheticMaxDocumentBytes)
      throw std::logic_error("synthetic corpus: a document of " + std::to_string(doc.text.size()) +
                             " bytes exceeds kSyntheticMaxDocumentBytes");
    const std::vector<size_t> starts = synthetic_sentence_starts(doc.text);
    // Index of the sentence that holds byte `at`.
    const auto sentence_of = [&](size_t at) {
      return static_cast<int64_t>(std::upper_bound(starts.begin(), starts.end(), at) - starts.begin()) - 1;
    };
    for (size_t i = 0; i < facts_.size(); ++i) {
      SyntheticFact fact;
      const Fact& f = facts_[i];
      fact.kind = f.kind;
      fact.stated_at = stated_at[i];
      fact.recalled_at = recalled_at[i];
      const int64_t statement = sentence_of(stated_at[i]);
      fact.statement_start = starts[static_cast<size_t>(statement)];
      fact.sentences_between = sentence_of(recalled_at[i]) - statement - 1;
      fact.local = f.local;
      fact.question_prefix = doc.text.substr(recall_start[i], recalled_at[i] - recall_start[i]);
      fact.answer = " " + (f.kind == RecallKind::kOwner ? f.owner->name : f.val);
      for (std::string& d : wrong_values(f)) fact.distractors.push_back(" " + d);
      doc.recalls.push_back(std::move(fact));
    }
    std::sort(doc.recalls.begin(), doc.recalls.end(),
              [](const SyntheticFact& a, const SyntheticFact& b) { return a.recalled_at < b.recalled_at; });
    return doc;
  }

  std::string two_words(const Words& first, const Words& second) {
    std::string w = pick(rng_, first);
    return w + " " + pick(rng_, second);
  }

  static bool used(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
  }

  Rng& rng_;
  const bool passkeys_;
  std::vector<Person> cast_;
  std::vector<Fact> facts_;
  std::vector<SyntheticCall> calls_;
  std::vector<int> entity_facts_, kv_facts_;
  std::vector<Piece> pieces_;
  int64_t bytes_ = 0;  // length of the pieces joined by spaces
  const Person* last_ = nullptr;
  bool last_named_other_ = false;
  bool pronoun_ = false;
  std::vector<std::string> colors_, objects_, pets_, pet_names_, keys_, codes_, passwords_,
      lucky_owners_, lucky_numbers_, hours_;
};

}  // namespace

const char* recall_kind_name(RecallKind kind) {
  switch (kind) {
    case RecallKind::kAttribute: return "attribute";
    case RecallKind::kOwner: return "owner";
    case RecallKind::kPetName: return "pet_name";
    case RecallKind::kCode: return "code";
    case RecallKind::kPassword: return "password";
    case RecallKind::kLuckyNumber: return "lucky_number";
    case RecallKind::kTrainTime: return "train_time";
    case RecallKind::kPasskey: return "passkey";
  }
  return "unknown";
}

std::vector<size_t> synthetic_sentence_starts(const std::string& text) {
  std::vector<size_t> starts = {0};
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] != '.' && text[i] != '!' && text[i] != '?') continue;
    const size_t after = i + 1 < text.size() && text[i + 1] == '"' ? i + 2 : i + 1;
    if (after + 1 < text.size() && text[after] == ' ') starts.push_back(after + 1);
  }
  return starts;
}

SyntheticDocument generate_document(Rng& rng, bool passkeys) { return StoryBuilder(rng, passkeys).build(); }

std::string generate_corpus(uint64_t seed, int64_t n_bytes, bool passkeys) {
  if (n_bytes <= 0)
    throw std::invalid_argument("synthetic corpus: n_bytes must be positive, got " + std::to_string(n_bytes));
  Rng rng(seed);
  std::string text;
  if (n_bytes <= (int64_t{1} << 32)) text.reserve(static_cast<size_t>(n_bytes) + kSyntheticMaxDocumentBytes + 2);
  while (static_cast<int64_t>(text.size()) < n_bytes) {
    if (!text.empty()) text += "\n\n";
    text += generate_document(rng, passkeys).text;
  }
  return text;
}

std::string describe_synthetic_corpus() {
  return "synthetic: built-in English stories from a small probabilistic grammar (~550 words),\n"
         "  deterministic from the seed; documents of 80-3600 bytes (median ~700) separated by blank\n"
         "  lines. Each story introduces 1-3 characters with a colored object or a named pet and\n"
         "  later recalls each one (\"Mia looked for her red kite\", median ~320 bytes later), and\n"
         "  states 0-2 key-value facts (\"The code for the blue door is 4721.\") recalled at its end\n"
         "  (median ~560 bytes later), so predicting them needs long-range attention and position\n"
         "  handling; inside the story, local key-value facts are recalled 0-4 sentences later, and\n"
         "  ~40% of the stories hold the passkey task's key line, asked for 10-1000 bytes later.\n"
         "  About every 180 bytes an animal makes its call (\"The cow at night mooed.\"), 0-2 phrases\n"
         "  after it: the animal-calls task asks for the call.";
}

}  // namespace ablate
