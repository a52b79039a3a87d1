#!/usr/bin/python3
"""Reference encodings for Ablate's tokenizers (tests/test_tokenizers.cc), from independent Python.

The Python tokenizer libraries (transformers, tokenizers, tiktoken) are not available here, so the
references come from straightforward reimplementations of the original algorithms, written from
their descriptions and independent of the C++ code:

  GPT-2 byte-level BPE   openai/gpt-2 src/encoder.py: bytes_to_unicode(), the pre-tokenizer regex
                         run by Python's `re` (\\p{L} and \\p{N} spelled out as character classes
                         built from unicodedata, \\s as the White_Space list), and bpe() merging the
                         lowest-ranked pair everywhere until none is left. "<|endoftext|>" is split
                         out first, as Hugging Face's GPT-2 tokenizers do.
  llama2.c               run.c encode(): dummy-prefix " ", UTF-8 characters looked up or byte
                         fallback (<0xXX> = id 3 + byte), then the O(n^2) loop merging the
                         highest-scoring pair (leftmost on ties) until none is left.
  SentencePiece          python3-sentencepiece (Debian), the library itself.

It writes, into tests/reference/tokenizers/:
  gpt2/vocab.json, gpt2/merges.txt      a tiny byte-level BPE trained here on a generated corpus
  gpt2/tokenizer.json                   the same vocabulary and merges in Hugging Face's format
                                        (merges as [left, right] pairs)
  llama2c_tokenizer.bin                 a tiny llama2.c tokenizer (scores with ties, to test the
                                        leftmost rule; no CJK or emoji pieces, to test byte fallback)
  sentencepiece.model                   a tiny SentencePiece BPE model (byte_fallback, identity
                                        normalization), when python3-sentencepiece is installed
  refs.json                             {"texts": [...], "gpt2_pieces": [[piece...]...],
                                         "gpt2": [[id...]...], "llama2c": [[id...]...],
                                         "sentencepiece": [[id...]...] (absent without the module)}
The texts mix unicode (accents, Cyrillic, CJK, emoji), whitespace runs, tabs, newlines, digits,
contractions and <|endoftext|>.

Run from the repository root:  /usr/bin/python3 tests/reference/make_tokenizer_refs.py
Deterministic (fixed seed). Needs python3-sentencepiece for the SentencePiece part.
"""

import collections
import json
import os
import random
import re
import struct
import sys
import tempfile
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "tokenizers")

TEXTS = [
    "Hello world! It's 2024, and we'll see 3.14159 + 42 = 45.14159 cats.",
    "naïve café — Ünïcödé façade, 東京 and Москва; emoji 😀🚀 done.",
    "  leading spaces,   runs of   spaces,\ttabs\t\tand\nnew\n\nlines  \n",
    "Numbers: 0 12 345 6789 ٣٤٥ ½ Ⅻ; contractions: don't, I'M, you're, they've, I'd, we'll 's 'sup",
    "<|endoftext|>A story.<|endoftext|>\nNext one\u00a0with a no-break space and\u3000ideographic space.",
    "",
    " ",
    "The little cat saw a big red ball in the park. She ran to it and played all day!!! ...",
    "tokens: a1b2c3, x_y-z, \"quoted\" (parens) [brackets] {braces} #hash $5.00 100% a/b\\c @me",
]

# ----------------------------------------------------------------------------------------------
# A deterministic training corpus
# ----------------------------------------------------------------------------------------------

WORDS = ("the a cat dog saw ran played park ball big red little girl boy named Lily Tom happy sad "
         "day sun tree house and to in on with was were is it she he they we you I it's don't "
         "café naïve über Москва мир 1 2 3 10 42 100 2024 3.14 , . ! ? ; : - ' \" ( )").split()


def corpus(seed=0, sentences=1500):
    rng = random.Random(seed)
    lines = []
    for _ in range(sentences):
        n = rng.randint(3, 12)
        words = [rng.choice(WORDS) for _ in range(n)]
        sep = rng.choice([" ", " ", " ", "  ", "\t"])
        lines.append(sep.join(words) + rng.choice([".", "!", "?", ""]))
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------------------------
# GPT-2 (encoder.py)
# ----------------------------------------------------------------------------------------------

def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


WHITE_SPACE = [(0x09, 0x0D), (0x20, 0x20), (0x85, 0x85), (0xA0, 0xA0), (0x1680, 0x1680), (0x2000, 0x200A),
               (0x2028, 0x2029), (0x202F, 0x202F), (0x205F, 0x205F), (0x3000, 0x3000)]


def category_ranges(prefix):
    out, start = [], None
    for cp in range(0x110000):
        inside = unicodedata.category(chr(cp)).startswith(prefix)
        if inside and start is None:
            start = cp
        elif not inside and start is not None:
            out.append((start, cp - 1))
            start = None
    if start is not None:
        out.append((start, 0x10FFFF))
    return out


def class_body(ranges):
    def esc(cp):
        return "\\U%08x" % cp
    return "".join(esc(a) if a == b else esc(a) + "-" + esc(b) for a, b in ranges)


L = class_body(category_ranges("L"))
N = class_body(category_ranges("N"))
S = class_body(WHITE_SPACE)
GPT2_PATTERN = re.compile(
    "'s|'t|'re|'ve|'m|'ll|'d| ?[" + L + "]+| ?[" + N + "]+| ?[^" + S + L + N + "]+|[" + S + "]+(?![^" + S + "])|[" + S + "]+")


def gpt2_pretokenize(text):
    return GPT2_PATTERN.findall(text)


def get_pairs(word):
    return {(word[i], word[i + 1]) for i in range(len(word) - 1)}


def bpe(token, ranks):
    word = tuple(token)
    pairs = get_pairs(word)
    if not pairs:
        return list(word)
    while True:
        bigram = min(pairs, key=lambda p: ranks.get(p, float("inf")))
        if bigram not in ranks:
            break
        first, second = bigram
        new_word, i = [], 0
        while i < len(word):
            try:
                j = word.index(first, i)
            except ValueError:
                new_word.extend(word[i:])
                break
            new_word.extend(word[i:j])
            i = j
            if word[i] == first and i < len(word) - 1 and word[i + 1] == second:
                new_word.append(first + second)
                i += 2
            else:
                new_word.append(word[i])
                i += 1
        word = tuple(new_word)
        if len(word) == 1:
            break
        pairs = get_pairs(word)
    return list(word)


def gpt2_encode(text, vocab, ranks, byte_encoder, special="<|endoftext|>"):
    ids = []
    parts = text.split(special)
    for k, part in enumerate(parts):
        if k > 0:
            ids.append(vocab[special])
        for piece in gpt2_pretokenize(part):
            mapped = "".join(byte_encoder[b] for b in piece.encode("utf-8"))
            ids.extend(vocab[t] for t in bpe(mapped, ranks))
    return ids


def train_gpt2(text, n_merges, byte_encoder):
    words = collections.Counter(
        tuple(byte_encoder[b] for b in p.encode("utf-8")) for p in gpt2_pretokenize(text))
    merges = []
    for _ in range(n_merges):
        counts = collections.Counter()
        for w, c in words.items():
            for pair in zip(w, w[1:]):
                counts[pair] += c
        if not counts:
            break
        best = max(counts.items(), key=lambda kv: (kv[1], kv[0]))[0]
        merges.append(best)
        merged = {}
        for w, c in words.items():
            out, i = [], 0
            while i < len(w):
                if i + 1 < len(w) and (w[i], w[i + 1]) == best:
                    out.append(w[i] + w[i + 1])
                    i += 2
                else:
                    out.append(w[i])
                    i += 1
            merged[tuple(out)] = merged.get(tuple(out), 0) + c
        words = merged
    return merges


# ----------------------------------------------------------------------------------------------
# llama2.c (run.c encode)
# ----------------------------------------------------------------------------------------------

def llama2c_encode(text, pieces, scores):
    lookup = {}
    for i, p in enumerate(pieces):
        lookup.setdefault(p, i)
    tokens = []
    if text:
        tokens.append(lookup[b" "])
    data = text.encode("utf-8")
    i = 0
    while i < len(data):
        n = 1
        while i + n < len(data) and n < 4 and (data[i + n] & 0xC0) == 0x80:
            n += 1
        ch = data[i:i + n]
        if ch in lookup:
            tokens.append(lookup[ch])
        else:
            tokens.extend(3 + b for b in ch)
        i += n
    while True:
        best_score, best_id, best_idx = -1e10, -1, -1
        for i in range(len(tokens) - 1):
            merged = pieces[tokens[i]] + pieces[tokens[i + 1]]
            j = lookup.get(merged, -1)
            if j != -1 and scores[j] > best_score:
                best_score, best_id, best_idx = scores[j], j, i
        if best_idx == -1:
            break
        tokens[best_idx:best_idx + 2] = [best_id]
    return tokens


def build_llama2c(text):
    pieces = [b"<unk>", b"\n<s>\n", b"\n</s>\n"] + [b"<0x%02X>" % b for b in range(256)]
    scores = [0.0] * len(pieces)
    # Characters of the corpus (no CJK, no emoji: those fall back to bytes), lowest scores.
    chars = sorted({c for c in text if ord(c) < 0x3000} | {" ", "\t", "\n"})
    # Merged pieces from a small BPE over the corpus with run.c's dummy prefix, scores -(rank // 2):
    # pairs of merges share a score, so the leftmost rule decides between them.
    words = collections.Counter(" " + line for line in text.split("\n") if line)
    seqs = {w: list(w) for w in words}
    merged_pieces = []
    for rank in range(150):
        counts = collections.Counter()
        for w, c in words.items():
            s = seqs[w]
            for pair in zip(s, s[1:]):
                counts[pair] += c
        if not counts:
            break
        best = max(counts.items(), key=lambda kv: (kv[1], kv[0]))[0]
        merged_pieces.append(best[0] + best[1])
        for w in words:
            s, out, i = seqs[w], [], 0
            while i < len(s):
                if i + 1 < len(s) and (s[i], s[i + 1]) == best:
                    out.append(s[i] + s[i + 1])
                    i += 2
                else:
                    out.append(s[i])
                    i += 1
            seqs[w] = out
    for rank, p in enumerate(merged_pieces):
        pieces.append(p.encode("utf-8"))
        scores.append(-float(rank // 2))
    for k, c in enumerate(chars):
        if c.encode("utf-8") not in pieces:
            pieces.append(c.encode("utf-8"))
            scores.append(-1000.0 - k)
    return pieces, scores


def write_llama2c(path, pieces, scores):
    with open(path, "wb") as f:
        f.write(struct.pack("<i", max(len(p) for p in pieces)))
        for p, s in zip(pieces, scores):
            f.write(struct.pack("<fi", s, len(p)))
            f.write(p)


# ----------------------------------------------------------------------------------------------

def main():
    os.makedirs(os.path.join(OUT, "gpt2"), exist_ok=True)
    text = corpus()
    refs = {"texts": TEXTS, "unicode_version": unicodedata.unidata_version}

    # GPT-2
    byte_encoder = bytes_to_unicode()
    merges = train_gpt2(text, 120, byte_encoder)
    vocab = {}
    for b in byte_encoder:  # bytes_to_unicode's order: printable bytes first
        vocab[byte_encoder[b]] = len(vocab)
    for a, b in merges:
        vocab.setdefault(a + b, len(vocab))
    vocab["<|endoftext|>"] = len(vocab)
    ranks = {m: i for i, m in enumerate(merges)}
    with open(os.path.join(OUT, "gpt2", "vocab.json"), "w", encoding="utf-8") as f:
        json.dump(vocab, f, ensure_ascii=False)
    with open(os.path.join(OUT, "gpt2", "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n")
        for a, b in merges:
            f.write(f"{a} {b}\n")
    tokenizer_json = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [{"id": vocab["<|endoftext|>"], "content": "<|endoftext|>", "single_word": False,
                          "lstrip": False, "rstrip": False, "normalized": True, "special": True}],
        "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
        "post_processor": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True},
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "",
                  "end_of_word_suffix": "", "fuse_unk": False, "byte_fallback": False,
                  "vocab": {k: v for k, v in vocab.items() if k != "<|endoftext|>"},
                  "merges": [[a, b] for a, b in merges]},
    }
    with open(os.path.join(OUT, "gpt2", "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tokenizer_json, f, ensure_ascii=False, indent=1)
    refs["gpt2_pieces"] = [gpt2_pretokenize(t) for t in TEXTS]
    refs["gpt2"] = [gpt2_encode(t, vocab, ranks, byte_encoder) for t in TEXTS]

    # llama2.c
    pieces, scores = build_llama2c(text)
    write_llama2c(os.path.join(OUT, "llama2c_tokenizer.bin"), pieces, scores)
    refs["llama2c"] = [llama2c_encode(t, pieces, scores) for t in TEXTS]

    # SentencePiece
    try:
        import sentencepiece as spm
    except ImportError:
        print("python3-sentencepiece is not installed: no SentencePiece references", file=sys.stderr)
        spm = None
    if spm is not None:
        with tempfile.TemporaryDirectory() as tmp:
            corpus_path = os.path.join(tmp, "corpus.txt")
            with open(corpus_path, "w", encoding="utf-8") as f:
                f.write(text)
            spm.SentencePieceTrainer.train(
                input=corpus_path, model_prefix=os.path.join(tmp, "sp"), vocab_size=400, model_type="bpe",
                character_coverage=1.0, byte_fallback=True, normalization_rule_name="identity",
                remove_extra_whitespaces=False, split_digits=True, add_dummy_prefix=True, num_threads=1,
                minloglevel=2)
            with open(os.path.join(tmp, "sp.model"), "rb") as f:
                model = f.read()
        with open(os.path.join(OUT, "sentencepiece.model"), "wb") as f:
            f.write(model)
        sp = spm.SentencePieceProcessor(model_file=os.path.join(OUT, "sentencepiece.model"))
        refs["sentencepiece"] = [sp.encode(t) for t in TEXTS]
        refs["sentencepiece_decoded"] = [sp.decode(ids) for ids in refs["sentencepiece"]]

    with open(os.path.join(OUT, "refs.json"), "w", encoding="utf-8") as f:
        json.dump(refs, f, ensure_ascii=False, indent=1)
    for root, _, files in os.walk(OUT):
        for name in files:
            assert os.path.getsize(os.path.join(root, name)) < 200_000, name
    print("wrote", OUT, file=sys.stderr)


if __name__ == "__main__":
    main()
