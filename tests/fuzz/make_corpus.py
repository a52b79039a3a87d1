#!/usr/bin/env python3
"""Writes the seed corpus of the fuzz targets: tests/fuzz/corpus/TARGET/*, small valid and
nearly-valid inputs of each format. The Ablate checkpoint and the Hugging Face weights are made by
`ablate convert` from a tiny llama2.c file, so the seeds are what Ablate itself writes.

    tests/fuzz/make_corpus.py [ABLATE_BINARY]     (default build/ablate; run from the repository root)

Also writes tests/fuzz/dicts/TARGET.dict. Re-running rewrites the corpus folders from scratch
(regressions/ is left alone). Standard library
plus PyYAML (Debian's python3-yaml) for merging the configs/ files with their bases.
"""
import json
import math
import os
import shutil
import struct
import subprocess
import sys
import tempfile

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(ROOT, "tests", "fuzz", "corpus")
sys.path.insert(0, os.path.join(ROOT, "tests", "reference"))
from make_tokenizer_refs import bytes_to_unicode  # noqa: E402  GPT-2's byte -> unicode map
SEPARATOR = b"\n@@@@\n"  # fuzz_support.h kSeparator


def write(target, name, data):
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def dumps(obj):
    return json.dumps(obj, separators=(",", ":"))


# ---- YAML configs ----

def load_merged(path):
    """configs/ file with its `base:` chain merged in (as config_tree.h does)."""
    with open(path) as f:
        doc = yaml.safe_load(f)
    base = doc.pop("base", None)
    if base is None:
        return doc
    merged = load_merged(os.path.join(os.path.dirname(path), base))

    def merge(a, b):
        out = dict(a)
        for k, v in b.items():
            out[k] = merge(a[k], v) if isinstance(a.get(k), dict) and isinstance(v, dict) else v
        return out

    return merge(merged, doc)


TINY_MODEL = "model: {d_model: 32, n_layers: 1, context: 32, attention: {n_heads: 2}}\n"


def experiment_configs():
    for rel in ["quickstart.yaml", "examples/train_tiny.yaml", "ablations/four_axes.yaml", "extend/rope_128.yaml",
                "bench/llama_6x512.yaml"]:
        name = rel.replace("/", "_")
        merged = load_merged(os.path.join(ROOT, "configs", rel))
        write("experiment_config", name, yaml.safe_dump(merged, sort_keys=False))
        with open(os.path.join(ROOT, "configs", rel)) as f:
            write("experiment_config", "raw_" + name, f.read())  # with its (unresolvable) base
    write("experiment_config", "minimal.yaml", "seed: 1\n")
    write("experiment_config", "sweep.yaml", TINY_MODEL + """sweep:
  variants:
    base: {}
    layernorm: {model.norm.type: layernorm}
    gqa: {model.attention: {type: gqa, n_heads: 4, n_kv_heads: 2}}
  grid:
    seed: [0, 1]
  zip:
    model.position.type: [rope, learned]
    train.lr: [1e-3, 2e-3]
  jobs: 2
""")
    write("experiment_config", "text_data.yaml", TINY_MODEL + """data:
  type: text
  path: corpus.txt
  validation_path: valid.txt
  tokenizer: byte
train: {steps: 10, batch_size: 2, context: 16, accumulation: 2, warmup: 2, lr: 0.01, eval_every: 5}
eval: {context: 32, max_tokens: 100}
choice: {task: tasks/hellaswag.jsonl, format: hellaswag, items: 10}
""")
    write("experiment_config", "scaling.yaml", """name: scaled_run
model:
  vocab_size: 300
  d_model: 48
  n_layers: 2
  context: 64
  bias: true
  init_std: 0.01
  norm: {type: layernorm, eps: 1e-6}
  mlp: {type: gelu, hidden: auto, form: erf}
  position:
    type: rope
    theta: 500000
    rotary_dim: 8
    scaling: {type: yarn, factor: 4, original_context: 32, beta_fast: 16, beta_slow: 2, mscale: 1, truncate: false}
  attention: {type: mqa, n_heads: 4}
extend:
  lengths: [64, 128, 256]
  methods: [{type: none}, {type: ntk, factor: auto}, {type: dynamic_ntk, factor: 2}]
  windowing: hf_strided
  stride: 32
  finetune: {steps: 2, lr: 1e-4, context: 128}
""")
    # nearly valid
    write("experiment_config", "bad_key.yaml", TINY_MODEL + "train: {stpes: 10}\n")
    write("experiment_config", "bad_heads.yaml", "model: {attention: {type: gqa, n_heads: 8, n_kv_heads: 3}}\n")
    write("experiment_config", "duplicate.yaml", "seed: 1\nseed: 2\n")
    write("experiment_config", "anchors.yaml", "model: {d_model: &d 32, n_layers: 1, norm: &n {type: rmsnorm}}\n"
          "train: {context: *d}\nextend: {lengths: [*d, 64], methods: [{type: none}]}\n")
    write("experiment_config", "unknown_key.yaml", "defaults: &d {type: rmsnorm}\nmodel:\n  norm: *d\n")
    write("experiment_config", "tags.yaml", "seed: !!str 3\nthreads: 0x10\nmodel: {d_model: .inf}\n")


def model_configs():
    write("model_config", "llama.yaml", """vocab_size: 256
d_model: 64
n_layers: 2
context: 128
tie_embeddings: false
norm: {type: rmsnorm, eps: 1e-5}
mlp: {type: swiglu, hidden: auto, multiple_of: 32}
position: {type: rope, theta: 10000, scaling: {type: linear, factor: 2}}
attention: {type: gqa, n_heads: 4, n_kv_heads: 2}
""")
    write("model_config", "gpt2.yaml", "model:\n  norm: {type: layernorm}\n  mlp: {type: gelu, form: tanh, hidden: 96}\n"
          "  position: {type: learned}\n  bias: true\n")
    write("model_config", "json.json", dumps({"model": {"d_model": 32, "n_layers": 1, "position": {
        "type": "rope", "scaling": {"type": "dynamic_ntk", "factor": 2.0, "original_context": 64}},
        "attention": {"type": "mqa", "n_heads": 2}}}))
    write("model_config", "sinusoidal.yaml", "position: {type: sinusoidal}\nattention: {type: mha, n_heads: 2}\n")
    write("model_config", "bad.yaml", "model: {d_model: 30, attention: {n_heads: 4}, norm: {epsilon: 1}}\n")


# ---- binary formats ----

def safetensors_bytes(tensors, metadata=None, pad=True):
    """tensors: list of (name, dtype, shape, raw bytes)."""
    header, offset, data = {}, 0, b""
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        data += raw
    h = json.dumps(header).encode()
    if pad:
        h += b" " * ((8 - len(h) % 8) % 8)
    return struct.pack("<Q", len(h)) + h + data


def floats(values, fmt="f"):
    return b"".join(struct.pack("<" + fmt, v) for v in values)


def safetensors_seeds():
    write("safetensors", "f32.safetensors", safetensors_bytes(
        [("a", "F32", [2, 3], floats([0.5 * i for i in range(6)])), ("b", "F32", [], floats([1.0]))],
        {"format": "pt"}))
    write("safetensors", "mixed.safetensors", safetensors_bytes([
        ("bf16", "BF16", [4], struct.pack("<4H", 0x3f80, 0x4000, 0xbf80, 0x7f80)),
        ("f16", "F16", [2, 2], struct.pack("<4H", 0x3c00, 0x0001, 0x7c00, 0xfc00)),
        ("f64", "F64", [2], floats([math.pi, -0.0], "d")),
        ("i64", "I64", [2], struct.pack("<2q", 5, -(1 << 40))),
        ("i32", "I32", [1], struct.pack("<i", -7)),
        ("u16", "U16", [3], struct.pack("<3H", 1, 2, 65535)),
        ("u8", "U8", [2], b"\x01\xff"),
        ("empty", "F32", [0, 4], b""),
        ("bool", "BOOL", [1], b"\x01")]))
    write("safetensors", "empty_header.safetensors", struct.pack("<Q", 2) + b"{}")
    write("safetensors", "no_padding.safetensors",
          safetensors_bytes([("x", "F32", [1], floats([2.0]))], {"k": "v"}, pad=False))
    # nearly valid
    overlap = json.dumps({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},
                          "b": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}).encode()
    write("safetensors", "overlap.safetensors", struct.pack("<Q", len(overlap)) + overlap + b"\0" * 4)
    write("safetensors", "truncated.safetensors", safetensors_bytes([("a", "F32", [4], floats([1, 2, 3, 4]))])[:-3])
    write("safetensors", "huge_length.safetensors", struct.pack("<Q", 1 << 62) + b"{}")


def llama2c_bytes(dim, hidden, layers, heads, kv_heads, vocab, seq_len, shared=True, version=0):
    head = dim // heads
    kv_dim = kv_heads * head
    count = 0

    def block(n):
        nonlocal count
        out = floats([((count + i) % 17 - 8) * 0.01 for i in range(n)])
        count += n
        return out

    ones = lambda n: floats([1.0] * n)
    embedding, wq, wk, wv, wo = block(vocab * dim), block(layers * dim * dim), block(layers * kv_dim * dim), \
        block(layers * kv_dim * dim), block(layers * dim * dim)
    w1, w2, w3 = block(layers * hidden * dim), block(layers * dim * hidden), block(layers * hidden * dim)
    wcls = b"" if shared else block(vocab * dim)
    if version == 0:
        header = struct.pack("<7i", dim, hidden, layers, heads, kv_heads, vocab if shared else -vocab, seq_len)
        angles = [p * 10000.0 ** (-2.0 * i / head) for p in range(seq_len) for i in range(head // 2)]
        return (header + embedding + ones(layers * dim) + wq + wk + wv + wo + ones(layers * dim) + w1 + w2 + w3 +
                ones(dim) + floats([math.cos(a) for a in angles]) + floats([math.sin(a) for a in angles]) + wcls)
    header = struct.pack("<Ii7iB", 0x616b3432, 1, dim, hidden, layers, heads, kv_heads, vocab, seq_len, int(shared))
    header += b"\0" * (256 - len(header))
    return (header + ones(layers * dim) + ones(layers * dim) + ones(dim) + embedding + wq + wk + wv + wo + w1 + w2 +
            w3 + wcls)


def llama2c_checkpoint_seeds():
    write("llama2c_checkpoint", "v0_shared.bin", llama2c_bytes(8, 16, 1, 2, 2, 16, 4))
    write("llama2c_checkpoint", "v0_unshared_gqa.bin", llama2c_bytes(8, 8, 2, 4, 2, 8, 2, shared=False))
    write("llama2c_checkpoint", "v1.bin", llama2c_bytes(8, 16, 1, 2, 1, 16, 4, version=1))
    write("llama2c_checkpoint", "v1_unshared.bin", llama2c_bytes(4, 4, 1, 2, 2, 8, 8, shared=False, version=1))
    # nearly valid
    write("llama2c_checkpoint", "truncated.bin", llama2c_bytes(8, 16, 1, 2, 2, 16, 4)[:-4])
    write("llama2c_checkpoint", "version2.bin", struct.pack("<Ii", 0x616b3432, 2) + b"\0" * 248)
    write("llama2c_checkpoint", "header_only.bin", struct.pack("<7i", 288, 768, 6, 6, 6, 32000, 256))


def converted_seeds(ablate):
    """The Ablate checkpoint and Hugging Face directory `ablate convert` writes from a tiny llama2.c file."""
    with tempfile.TemporaryDirectory() as tmp:
        small = os.path.join(tmp, "small.bin")  # vocab 256: convert checks it against the byte tokenizer
        with open(small, "wb") as f:
            f.write(llama2c_bytes(4, 8, 1, 2, 1, 256, 4))
        ckpt = os.path.join(tmp, "tiny.safetensors")
        hf = os.path.join(tmp, "hf")
        for args in ([small, ckpt], [small, hf]):
            subprocess.run([ablate, "convert", *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with open(ckpt, "rb") as f:
            checkpoint = f.read()
        with open(os.path.join(hf, "config.json"), "rb") as f:
            hf_config = f.read()
        with open(os.path.join(hf, "model.safetensors"), "rb") as f:
            hf_weights = f.read()
    write("checkpoint", "converted.safetensors", checkpoint)
    write("safetensors", "ablate_checkpoint.safetensors", checkpoint)
    write("safetensors", "hf_model.safetensors", hf_weights)
    write("hf_config", "llama_with_weights", hf_config + SEPARATOR + hf_weights)
    write("hf_config", "llama.json", hf_config)

    # Ablate checkpoints with edited metadata (nearly valid).
    n = struct.unpack("<Q", checkpoint[:8])[0]
    header = json.loads(checkpoint[8:8 + n])
    data = checkpoint[8 + n:]

    def edited(meta_changes, name):
        h = json.loads(json.dumps(header))
        for k, v in meta_changes.items():
            if v is None:
                h["__metadata__"].pop(k, None)
            else:
                h["__metadata__"][k] = v
        text = json.dumps(h).encode()
        text += b" " * ((8 - len(text) % 8) % 8)
        write("checkpoint", name, struct.pack("<Q", len(text)) + text + data)

    state = json.loads(header["__metadata__"]["state"])
    state.update({"step": 3, "batches_drawn": 6, "optimizer_steps": 3,
                  "history": {"loss_curve": [{"step": 1, "loss": 2.5}], "elapsed_seconds": 1.5}})
    edited({"state": json.dumps(state)}, "with_state.safetensors")
    edited({"state": json.dumps({"step": -1, "batches_drawn": 0, "optimizer_steps": 0, "history": {}})},
           "negative_step.safetensors")
    edited({"format": "ablate-checkpoint/0"}, "old_format.safetensors")
    edited({"config": "{\"model\": {\"d_model\": 4, \"attention\": {\"n_heads\": 3}}}"}, "bad_model.safetensors")
    edited({"config": None}, "no_config.safetensors")


def hf_config_seeds():
    write("hf_config", "gpt2.json", dumps({
        "architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "vocab_size": 50, "n_embd": 16, "n_layer": 2,
        "n_head": 2, "n_positions": 32, "n_inner": None, "activation_function": "gelu_new",
        "layer_norm_epsilon": 1e-5, "scale_attn_by_inverse_layer_idx": False, "tie_word_embeddings": True}))
    write("hf_config", "qwen2_yarn.json", dumps({
        "architectures": ["Qwen2ForCausalLM"], "vocab_size": 64, "hidden_size": 32, "intermediate_size": 64,
        "num_hidden_layers": 1, "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 128,
        "rms_norm_eps": 1e-6, "rope_theta": 1000000.0, "hidden_act": "silu", "tie_word_embeddings": False,
        "use_sliding_window": False, "sliding_window": 4096,
        "rope_scaling": {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 32,
                         "beta_fast": 32, "beta_slow": 1, "attention_factor": None, "mscale": 1, "mscale_all_dim": 0}}))
    write("hf_config", "mistral_dynamic.json", dumps({
        "model_type": "mistral", "vocab_size": 32, "hidden_size": 16, "intermediate_size": 48,
        "num_hidden_layers": 1, "num_attention_heads": 2, "num_key_value_heads": 1, "max_position_embeddings": 64,
        "sliding_window": 32, "rope_scaling": {"type": "dynamic", "factor": 2.0}}))
    write("hf_config", "llama_v5_rope_parameters.json", dumps({
        "architectures": ["LlamaForCausalLM"], "vocab_size": 32, "hidden_size": 16, "intermediate_size": 48,
        "num_hidden_layers": 1, "num_attention_heads": 2, "max_position_embeddings": 64, "attention_bias": True,
        "mlp_bias": False, "rope_parameters": {"rope_type": "linear", "factor": 2.0, "rope_theta": 10000.0}}))
    # nearly valid
    write("hf_config", "llama3_scaling.json", dumps({
        "architectures": ["LlamaForCausalLM"], "vocab_size": 32, "hidden_size": 16, "intermediate_size": 48,
        "num_hidden_layers": 1, "num_attention_heads": 2, "max_position_embeddings": 64,
        "rope_scaling": {"rope_type": "llama3", "factor": 8.0}}))
    write("hf_config", "unknown_arch.json", dumps({"architectures": ["BertModel"]}))
    write("hf_config", "head_dim.json", dumps({
        "model_type": "llama", "vocab_size": 32, "hidden_size": 16, "intermediate_size": 48, "head_dim": 4,
        "num_hidden_layers": 1, "num_attention_heads": 2, "max_position_embeddings": 64}))


# ---- tokenizers ----


def gpt2_vocab():
    byte_map = bytes_to_unicode()
    vocab = {byte_map[b]: b for b in range(256)}
    merges = [("Ġ", "t"), ("h", "e"), ("Ġt", "he"), ("i", "n"), ("Ġ", "a"), ("e", "r"), ("o", "n"), ("Ġ", "w"),
              ("l", "l"), ("o", "r"), ("Ġw", "or"), ("l", "d"), ("H", "e"), ("He", "ll"), ("Hell", "o")]
    for left, right in merges:
        vocab.setdefault(left + right, len(vocab))
    vocab["<|endoftext|>"] = len(vocab)
    return vocab, merges


def tokenizer_seeds():
    vocab, merges = gpt2_vocab()
    merges_txt = "#version: 0.2\n" + "".join(f"{a} {b}\n" for a, b in merges)
    write("gpt2_vocab_merges", "gpt2", dumps(vocab).encode() + SEPARATOR + merges_txt.encode())
    write("gpt2_vocab_merges", "crlf", dumps(vocab).encode() + SEPARATOR + merges_txt.replace("\n", "\r\n").encode())
    write("gpt2_vocab_merges", "bad_merge", dumps(vocab).encode() + SEPARATOR + b"q z\n")
    write("gpt2_vocab_merges", "missing_byte", dumps({"a": 0}).encode() + SEPARATOR)

    def tokenizer_json(merge_style="string", **changes):
        ms = [f"{a} {b}" for a, b in merges] if merge_style == "string" else [[a, b] for a, b in merges]
        j = {"version": "1.0", "truncation": None, "padding": None,
             "added_tokens": [{"id": vocab["<|endoftext|>"], "content": "<|endoftext|>", "single_word": False,
                               "lstrip": False, "rstrip": False, "normalized": True, "special": True}],
             "normalizer": None,
             "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
             "post_processor": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True},
             "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
             "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "",
                       "end_of_word_suffix": "", "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                       "vocab": vocab, "merges": ms}}
        for path, value in changes.items():
            node = j
            keys = path.split("__")
            for k in keys[:-1]:
                node = node[k]
            node[keys[-1]] = value
        return dumps(j)

    write("gpt2_tokenizer_json", "gpt2.json", tokenizer_json())
    write("gpt2_tokenizer_json", "pair_merges.json", tokenizer_json("pairs"))
    write("gpt2_tokenizer_json", "prefix_space.json", tokenizer_json(pre_tokenizer__add_prefix_space=True,
                                                                     model__ignore_merges=True))
    write("gpt2_tokenizer_json", "added.json", tokenizer_json(added_tokens=[
        {"id": len(vocab), "content": "<pad>"}, {"id": len(vocab) + 1, "content": "<pad><pad>"}]))
    write("gpt2_tokenizer_json", "normalizer.json", tokenizer_json(normalizer={"type": "NFC"}))
    write("gpt2_tokenizer_json", "split_pre.json", tokenizer_json(pre_tokenizer={"type": "Split", "pattern": "x"}))
    write("gpt2_tokenizer_json", "wordpiece.json", tokenizer_json(model__type="WordPiece"))

    # llama2.c tokenizer.bin: <unk>, <s>, </s>, the byte pieces, then a few merges.
    pieces = [("<unk>", 0.0), ("\n<s>\n", 0.0), ("\n</s>\n", 0.0)] + [(f"<0x{b:02X}>", 0.0) for b in range(256)]
    for i, p in enumerate([" ", "e", "t", "h", "th", "he", " the", "the", "a", "an", " a", "ll", "o", "Hello", "lo",
                           "He", "Hel", "Hell", " w", "or", " wor", "ld", " world", "中", "文"]):
        pieces.append((p, -float(i)))
    def tok_bin(ps, max_len=16):
        return struct.pack("<i", max_len) + b"".join(
            struct.pack("<fi", score, len(p.encode())) + p.encode() for p, score in ps)
    write("llama2c_tokenizer", "tok.bin", tok_bin(pieces))
    write("llama2c_tokenizer", "no_space.bin", tok_bin([p for p in pieces if p[0] != " "]))
    write("llama2c_tokenizer", "truncated.bin", tok_bin(pieces)[:-3])
    write("llama2c_tokenizer", "bad_byte_piece.bin", tok_bin(pieces[:10] + [("<0xZZ>", 0.0)] + pieces[11:]))


# ---- multiple choice ----

FORMATS = ["generic", "hellaswag", "arc", "piqa", "winogrande"]


def choice_seeds():
    lines = {
        "generic": [{"context": "The sky is", "choices": ["blue", "green", "loud"], "label": 0},
                    {"context": "2 + 2 =", "choices": ["3", "4"], "label": "1"}],
        "hellaswag": [{"ind": 4, "activity_label": "Removing ice from car", "ctx_a": "Then, the man writes over the snow "
                       "covering the window of a car, and a woman wearing winter clothes smiles.", "ctx_b": "then",
                       "endings": [", the man adds wax to the windshield and cuts it.", ", a person board a ski lift.",
                                   " [title] the man continues removing the snow on his car.",
                                   ", the man puts on a christmas coat,  knitted with netting."], "label": "3"}],
        "arc": [{"id": "Mercury_7175875", "question": "An astronomer observes that a planet rotates faster after a "
                 "meteorite impact. Which is the most likely effect of this increase in rotation?",
                 "choices": {"text": ["Planetary density will decrease.", "Planetary years will become longer.",
                                      "Planetary days will become shorter.", "Planetary gravity will become stronger."],
                             "label": ["A", "B", "C", "D"]}, "answerKey": "C"},
                {"question": "Which?", "choices": {"text": ["x", "y"], "label": ["1", "2"]}, "answerKey": "2"}],
        "piqa": [{"goal": "How do I ready a guinea pig cage for it's new occupants?",
                  "sol1": "Provide the guinea pig with a cage full of a few inches of bedding made of ripped paper "
                          "strips, you will also need to supply it with a water bottle and a food dish.",
                  "sol2": "Provide the guinea pig with a cage full of a few inches of bedding made of ripped jeans "
                          "material, you will also need to supply it with a water bottle and a food dish.",
                  "label": 0}],
        "winogrande": [{"sentence": "Sarah was a much better surgeon than Maria so _ always got the harder cases.",
                        "option1": "Sarah", "option2": "Maria", "answer": "1"},
                       {"sentence": "The trophy doesn't fit into the suitcase because _ is too large.\u3000",
                        "option1": "the trophy", "option2": "the suitcase", "answer": 1}],
    }
    for i, fmt in enumerate(FORMATS):
        body = "\n".join(json.dumps(doc, ensure_ascii=False) for doc in lines[fmt]) + "\n\n"
        write("choice_jsonl", fmt + ".jsonl", bytes([i]) + body.encode())
        write("choice_jsonl", fmt + "_limit1.jsonl", bytes([i + 5]) + body.encode())
    # nearly valid
    write("choice_jsonl", "generic_bad_label.jsonl", b"\x00" + dumps({"context": "c", "choices": ["a"], "label": 5}).encode())
    write("choice_jsonl", "generic_float_label.jsonl", b"\x00" + b'{"context": "c", "choices": ["a", "b"], "label": 1.0}')
    write("choice_jsonl", "hellaswag_missing.jsonl", b"\x01" + dumps({"ctx_a": "a", "ctx_b": "b"}).encode())
    write("choice_jsonl", "winogrande_no_blank.jsonl", b"\x04" + dumps(
        {"sentence": "no blank", "option1": "a", "option2": "b", "answer": "2"}).encode())
    write("choice_jsonl", "not_json.jsonl", b"\x02{\"question\": \n[1, 2]\n")


# ---- report results ----

def result_seeds():
    def load(variant):
        with open(os.path.join(ROOT, "results", "quickstart", variant, "result.json")) as f:
            return json.load(f)

    def trimmed(r):
        r = json.loads(json.dumps(r))
        r["loss_curve"] = r.get("loss_curve", [])[:6]
        r["validation_curve"] = r.get("validation_curve", [])[:3]
        for m in r.get("extend", {}).get("methods", [])[:]:
            m["points"] = m.get("points", [])[:3]
            for p in m["points"]:
                if "loss_by_position" in p:
                    p["loss_by_position"] = p["loss_by_position"][:4]
        if "extend" in r:
            r["extend"]["methods"] = r["extend"]["methods"][:3]
        r["config"].pop("extend", None)
        return r

    have_results = os.path.isdir(os.path.join(ROOT, "results", "quickstart", "gqa"))
    if have_results:
        gqa, mqa = trimmed(load("gqa")), trimmed(load("mqa"))
    else:  # the results folder is not part of every checkout: a hand-made run result
        gqa = {"format": "ablate-result/1", "kind": "run", "name": "gqa", "seed": 0,
               "config": {"model": {"norm": {"type": "rmsnorm"}, "mlp": {"type": "swiglu"},
                                    "position": {"type": "rope", "scaling": {"type": "none"}},
                                    "attention": {"type": "gqa", "n_heads": 4, "n_kv_heads": 2}, "d_model": 128,
                                    "n_layers": 4}},
               "finished_at": "2026-01-01T00:01:00Z", "sweep": {"name": "q", "variant": "gqa", "point": "gqa"},
               "loss_curve": [{"step": i, "loss": 5.0 - i, "tokens": 100 * i} for i in range(1, 5)],
               "validation_curve": [{"step": 2, "loss": 3.0}],
               "metrics": {"parameters": 820352, "parameter_bytes": 3281408, "optimizer_bytes": 6562816,
                           "peak_rss_bytes": 371326976, "train_tokens_per_second": 22488.9,
                           "kv_cache_bytes_per_token": 2048, "validation": {"loss": 0.89, "perplexity": 2.44}}}
        mqa = json.loads(json.dumps(gqa).replace("gqa", "mqa"))
    seed1 = json.loads(json.dumps(gqa))
    seed1["seed"] = 1
    seed1["finished_at"] = "2027-01-01T00:00:00Z"
    write("report_results", "run.json", dumps(gqa))
    write("report_results", "two_seeds", dumps(gqa).encode() + SEPARATOR + dumps(seed1).encode())
    write("report_results", "two_variants", dumps(gqa).encode() + SEPARATOR + dumps(mqa).encode())

    common = {"format": "ablate-result/1", "name": "x", "seed": 0, "finished_at": "2026-01-01T00:01:00Z",
              "config": {"model": {"d_model": 32, "n_layers": 1, "attention": {"type": "mha", "n_heads": 2}}},
              "git": {"revision": "0123456789abcdef", "dirty": True}, "machine": {"cpu": "cpu", "threads": 2}}

    def result(kind, **fields):
        r = dict(common, kind=kind)
        r.update(fields)
        return dumps(r)

    point = lambda length, ppl: {"length": length, "applicable": True, "perplexity": ppl, "loss": math.log(ppl),
                                 "tokens": 4096, "bucket": length // 4,
                                 "loss_by_position": [math.log(ppl) - 0.1 * i for i in range(4)]}
    write("report_results", "extend.json", result("extend", extend={"trained_context": 64, "methods": [
        {"name": "none", "points": [point(64, 20), point(128, 60)]},
        {"name": "yarn", "points": [point(64, 20), {"length": 128, "applicable": False, "reason": "too long"}]}]}))
    write("report_results", "choice.json", result("choice", sweep={"name": "s", "variant": "v"}, choice={
        "task": "synthetic", "format": "generic", "items": 200, "acc": 0.5, "acc_stderr": 0.03, "acc_norm": 0.55,
        "acc_norm_stderr": 0.031, "acc_bytes": 0.52, "acc_llamacpp": 0.6}))
    models = [{"name": name, "train_tokens_per_second": 5000.0 + kv, "parameter_bytes": 400000, "optimizer_bytes": 800000,
               "peak_rss_bytes": 50000000, "kv_cache_bytes_per_token": 64 * kv,
               "prefill": [{"context": c, "tokens_per_second": 20000.0 / kv} for c in (64, 128)],
               "decode": [{"context": c, "tokens_per_second": 2000.0 / kv} for c in (64, 128)],
               "kv_cache": [{"context": c, "bytes_allocated": 64 * kv * c} for c in (64, 128)]}
              for name, kv in (("mha", 4), ("mqa", 1))]
    write("report_results", "bench.json", result("bench", bench={"models": models}))
    write("report_results", "sweep_summary.json", dumps({"format": "ablate-sweep/1", "points": []}))
    # nearly valid
    write("report_results", "not_result.json", dumps({"format": "other/1"}))
    write("report_results", "no_format.json", "[1, 2, 3]")
    write("report_results", "bad_json.json", '{"format": "ablate-result/1", "seed": ')
    mistyped = json.loads(result("run", seed="s", loss_curve={"a": 1}, metrics=[1], git="abc",
                                 extend={"methods": "none"}))
    mistyped["kind"] = 3
    write("report_results", "mistyped.json", dumps(mistyped))


def token_shard_seeds():
    def shard(tokens, magic=20240520, version=1, count=None):
        header = struct.pack("<3i", magic, version, len(tokens) if count is None else count) + b"\0" * (1024 - 12)
        return header + struct.pack(f"<{len(tokens)}H", *tokens)
    write("token_shard", "shard.bin", shard([50256, 1, 2, 3, 65535]))
    write("token_shard", "empty.bin", shard([]))
    write("token_shard", "bad_magic.bin", shard([1], magic=20240801, version=7))
    write("token_shard", "count_mismatch.bin", shard([1, 2], count=3))


# ---- dictionaries (tests/fuzz/dicts/TARGET.dict, passed with -dict by scripts/fuzz) ----

def write_dict(target, tokens):
    folder = os.path.join(ROOT, "tests", "fuzz", "dicts")
    os.makedirs(folder, exist_ok=True)
    seen = []
    for t in tokens:
        if t not in seen:
            seen.append(t)
    with open(os.path.join(folder, target + ".dict"), "w") as f:
        f.write(f"# libFuzzer dictionary of the {target} target (written by tests/fuzz/make_corpus.py)\n")
        for t in seen:  # text as UTF-8; bytes as they are
            raw = t.encode() if isinstance(t, str) else t
            escaped = "".join(chr(b) if 0x20 <= b < 0x7f and chr(b) not in '\\"' else
                              "\\" + chr(b) if chr(b) in '\\"' else f"\\x{b:02X}" for b in raw)
            f.write(f'"{escaped}"\n')


def dictionaries():
    model = ("model vocab_size d_model n_layers context tie_embeddings bias init_std norm type eps layernorm rmsnorm "
             "mlp hidden auto multiple_of form tanh erf gelu swiglu position theta rotary_dim scaling learned "
             "sinusoidal rope none linear ntk dynamic_ntk yarn factor original_context beta_fast beta_slow mscale "
             "mscale_all_dim attention_factor truncate attention mha mqa gqa n_heads n_kv_heads").split()
    experiment = ("name seed threads data synthetic text shards path validation_path validation_fraction tokenizer "
                  "byte bytes train steps batch_size accumulation lr warmup min_lr_ratio weight_decay beta1 beta2 "
                  "grad_clip eval_every eval_tokens checkpoint_every eval max_tokens choice task format items "
                  "max_distance generic hellaswag arc piqa winogrande extend lengths methods windowing hf_strided "
                  "llamacpp lm_eval_rolling disjoint stride finetune validation bench sweep variants grid zip jobs "
                  "base gpt2: llama2c: sentencepiece: +docs").split()
    yaml_syntax = [": ", "- ", "{", "}", "[", "]", ", ", "&a ", "*a", "!!str ", "!!int ", "~", "null", "true",
                   "false", "---", "...", "'", '"', "#", "|", ">", "? ", "<<: ", ".inf", ".nan", "1e-3", "-1",
                   "0x10", "\n  ", "model.norm.type", "train.lr"]
    write_dict("experiment_config", experiment + model + yaml_syntax)
    write_dict("model_config", model + yaml_syntax)
    json_syntax = ["{", "}", "[", "]", '":', '",', "null", "true", "false", "-1", "1e308", "0.5",
                   "18446744073709551615", "-9223372036854775808", "\\u0000", "\\ud800", "\\u00e9"]
    st = ["__metadata__", "dtype", "shape", "data_offsets", "F32", "F16", "BF16", "F64", "I64", "I32", "U16", "U8",
          "BOOL", "C64", "F8_E4M3"]
    write_dict("safetensors", st + json_syntax + [b"\0\0\0\0\0\0\0"])
    write_dict("checkpoint", st + json_syntax + [
        "format", "ablate-checkpoint/1", "config", "state", "step", "batches_drawn", "optimizer_steps", "history",
        "model.embed_tokens.weight", "lm_head.weight", "model.norm.weight", "optimizer.", ".exp_avg",
        ".exp_avg_sq"] + model)
    hf = ["architectures", "model_type", "LlamaForCausalLM", "MistralForCausalLM", "Qwen2ForCausalLM",
          "GPT2LMHeadModel", "llama", "mistral", "qwen2", "gpt2", "vocab_size", "hidden_size", "intermediate_size",
          "num_hidden_layers", "num_attention_heads", "num_key_value_heads", "max_position_embeddings",
          "rms_norm_eps", "rope_theta", "rope_scaling", "rope_parameters", "rope_type", "type", "factor",
          "original_max_position_embeddings", "beta_fast", "beta_slow", "attention_factor", "mscale",
          "mscale_all_dim", "truncate", "default", "linear", "dynamic", "yarn", "llama3", "longrope", "hidden_act",
          "silu", "tie_word_embeddings", "attention_bias", "mlp_bias", "head_dim", "partial_rotary_factor",
          "sliding_window", "use_sliding_window", "n_embd", "n_layer", "n_head", "n_positions", "n_inner",
          "activation_function", "gelu_new", "gelu_pytorch_tanh", "gelu_fast", "gelu", "layer_norm_epsilon",
          "scale_attn_by_inverse_layer_idx", "add_cross_attention", SEPARATOR.decode(),
          "model.layers.0.self_attn.q_proj.weight", "transformer.", "wte", "wpe", "h.0.attn.c_attn.weight",
          "rotary_emb.inv_freq"]
    write_dict("hf_config", hf + st + json_syntax)
    tokenizer = ["model", "type", "BPE", "WordPiece", "vocab", "merges", "ignore_merges", "continuing_subword_prefix",
                 "end_of_word_suffix", "byte_fallback", "dropout", "normalizer", "pre_tokenizer", "ByteLevel", "Split",
                 "add_prefix_space", "use_regex", "added_tokens", "id", "content", "special", "<|endoftext|>",
                 "\u0120", "\u010a", "\u0100", "\u0120\u0120", "#version: 0.2", SEPARATOR.decode()]
    write_dict("gpt2_tokenizer_json", tokenizer + json_syntax)
    write_dict("gpt2_vocab_merges", tokenizer + json_syntax)
    write_dict("llama2c_tokenizer", ["<0x00>", "<0xFF>", "<unk>", "\n<s>\n", " ", b"\1\0\0\0", b"\xff\xff\xff\x7f"])
    write_dict("llama2c_checkpoint", [struct.pack("<I", 0x616b3432), b"\1\0\0\0", b"\2\0\0\0", b"\xff\xff\xff\xff",
                                      b"\0\0\0\x01", struct.pack("<f", 1.0)])
    report = ["format", "ablate-result/1", "ablate-sweep/1", "kind", "run", "train", "eval", "extend", "choice",
              "bench", "name", "seed", "config", "sweep", "variant", "point", "finished_at", "started_at",
              "2026-01-01T00:00:00Z", "git", "revision", "dirty", "machine", "loss_curve", "validation_curve", "step",
              "loss", "tokens", "metrics", "validation", "perplexity", "parameters", "parameter_bytes",
              "optimizer_bytes", "peak_rss_bytes", "train_tokens_per_second", "kv_cache_bytes_per_token",
              "trained_context", "methods", "points", "length", "applicable", "reason", "bucket", "loss_by_position",
              "task", "items", "acc", "acc_norm", "acc_bytes", "acc_llamacpp", "_stderr", "acc_stderr", "models",
              "prefill", "decode", "kv_cache", "context", "tokens_per_second", "bytes_allocated",
              SEPARATOR.decode()] + model
    write_dict("report_results", report + json_syntax)
    write_dict("choice_jsonl", ["context", "choices", "label", "ctx_a", "ctx_b", "endings", "activity_label",
                                "question", "text", "answerKey", "goal", "sol1", "sol2", "sentence", "option1",
                                "option2", "answer", "_", " [title]", "[", "]", "  ", "\u3000", "\u00a0", "\u2028",
                                "\\u3000", "\\u0085"] + json_syntax)
    write_dict("token_shard", [struct.pack("<i", 20240520), b"\1\0\0\0", b"\xff\xff\xff\x7f", b"\0\0\0\x80"])


def main():
    ablate = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "ablate")
    if not os.access(ablate, os.X_OK):
        sys.exit(f"make_corpus: {ablate} not found; build it first (cmake --build build) or pass its path")
    for target in os.listdir(CORPUS) if os.path.isdir(CORPUS) else []:
        shutil.rmtree(os.path.join(CORPUS, target))
    experiment_configs()
    model_configs()
    safetensors_seeds()
    llama2c_checkpoint_seeds()
    converted_seeds(ablate)
    hf_config_seeds()
    tokenizer_seeds()
    choice_seeds()
    result_seeds()
    token_shard_seeds()
    dictionaries()
    total = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(CORPUS) for f in fs)
    print(f"make_corpus: wrote {CORPUS} ({total} bytes)")


if __name__ == "__main__":
    main()
