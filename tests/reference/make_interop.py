#!/usr/bin/python3
"""Foreign-checkpoint references for Ablate's interop tests (tests/test_interop.cc).

Writes tiny random checkpoints in the layouts other tools use, and the logits an independent
float64 PyTorch forward pass computes for a fixed token sequence, into tests/reference/interop/:

  llama/      Hugging Face LlamaForCausalLM: config.json + model.safetensors (BF16); GQA (4 heads,
              2 KV heads), untied head, rope_scaling yarn (factor 4, original 16 of 64 positions).
  mistral/    MistralForCausalLM, sharded: model-0000{1,2}-of-00002.safetensors (F16) +
              model.safetensors.index.json; MHA, tied embeddings, rope_scaling linear (factor 2).
  qwen2/      Qwen2ForCausalLM (F32): q/k/v biases and none on o_proj or the MLP, MQA (1 KV head),
              tied embeddings, rope_theta 1e6, rope_scaling dynamic (factor 2, 16 positions; the test
              sequence is longer, so the base is rescaled).
  llama3/     LlamaForCausalLM (F32), MQA (2 heads of 16), untied; rope_scaling llama3 in
              transformers 4.x's form (factor 8, low/high_freq_factor 1/4, original 64 of 512
              positions: each band occurs).
  llama3_v5/  LlamaForCausalLM (F32), tied; llama3 in transformers 5's form: rope_parameters holds
              rope_type, rope_theta 5e5 and the scaling keys (factor 4, low/high 2/8, original 128).
  longrope/   LlamaForCausalLM (F32), GQA, untied; rope_scaling {"type": "longrope", short_factor,
              long_factor} with original_max_position_embeddings 16 at the config's top level
              (Phi-3 style, so factor = 64 / 16 = 4); the 24-token sequence uses the long factors.
  gpt2/       GPT2LMHeadModel (F32): Conv1D weights (in, out), the fused c_attn, tied head, learned
              positions, gelu_new, the h.{i}.attn.bias mask buffer that old checkpoints carry, and
              tensor names without the "transformer." prefix (as the hub's gpt2 files).
  llama2c_shared.bin     llama2.c version 0 ("legacy", what run.c reads), GQA, shared classifier.
  llama2c_unshared.bin   version 0 with an unshared classifier (negative vocab_size in the header).
  llama2c_v1.bin         export.py's version 1 (256-byte "ak42" header), unshared classifier.
  logits.safetensors     for each NAME above: NAME.input_ids (I32, (1, T)) and NAME.logits
                         (F32, (1, T, V)).

The forward passes follow each source's own code, not Ablate's:
  HF Llama family   modeling_llama.py: RMSNorm, rotate_half RoPE with cos/sin = cat(freqs, freqs) times
                    the attention factor, repeat_kv, SwiGLU (gate, up, down), optional biases; RoPE
                    frequencies as modeling_rope_utils.py (_compute_linear_scaling_rope_parameters,
                    _compute_dynamic_ntk_parameters with seq_len = T, _compute_yarn_parameters,
                    _compute_llama3_parameters, _compute_longrope_parameters with seq_len = T:
                    long_factor when T > original_max_position_embeddings, else short_factor).
  GPT-2             modeling_gpt2.py: LayerNorm, Conv1D (x @ W + b), c_attn split into q, k, v,
                    gelu_new, tied lm_head.
  llama2.c          model.py / run.c: the UNPERMUTED weights of the file with RoPE on interleaved
                    pairs (x[2i], x[2i+1]) at theta 10000, RMSNorm eps 1e-5, w2(silu(w1 x) * w3 x).
                    Ablate rotates halves, so it must permute wq/wk on load to match these logits.
Weights are what the files hold (BF16/F16 values rounded first); everything is computed in float64.

Run from the repository root with Debian's python (it has torch):
    /usr/bin/python3 tests/reference/make_interop.py
Deterministic (fixed seeds). Each file stays under 200 KB.
"""

import json
import math
import os
import struct

import numpy as np
import torch

from safetensors_layout import write_layout

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "interop")
F64 = torch.float64
T = 24  # test sequence length


# ----------------------------------------------------------------------------------------------
# safetensors writer (F32, F16, BF16, I32, U8)
# ----------------------------------------------------------------------------------------------

def to_bytes(t, dtype):
    if dtype == "F32":
        return t.to(torch.float32).numpy().astype("<f4").tobytes()
    if dtype == "F16":
        return t.to(torch.float16).numpy().astype("<f2").tobytes()
    if dtype == "BF16":
        return t.to(torch.bfloat16).view(torch.int16).numpy().astype("<i2").tobytes()
    if dtype == "I32":
        return t.to(torch.int32).numpy().astype("<i4").tobytes()
    if dtype == "U8":
        return t.to(torch.uint8).numpy().tobytes()
    raise ValueError(dtype)


def write_safetensors(path, tensors, metadata=None):
    """tensors: list of (name, dtype, tensor), written in that order. Returns the data size."""
    return write_layout(path, [(name, dtype, t.shape, to_bytes(t.contiguous(), dtype)) for name, dtype, t in tensors],
                        metadata)


def stored(t, dtype):
    """The float64 value of t after storing it as dtype."""
    if dtype == "F16":
        return t.to(torch.float16).to(F64)
    if dtype == "BF16":
        return t.to(torch.bfloat16).to(F64)
    return t.to(torch.float32).to(F64)


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")


# ----------------------------------------------------------------------------------------------
# Shared math (float64)
# ----------------------------------------------------------------------------------------------

def rmsnorm(x, w, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def layernorm(x, w, b, eps):
    mu = x.mean(-1, keepdim=True)
    var = (x - mu).pow(2).mean(-1, keepdim=True)
    return (x - mu) / torch.sqrt(var + eps) * w + b


def causal_attention(q, k, v):
    """q (H, T, D), k/v (H, T, D) -> (T, H*D)."""
    H, T_, D = q.shape
    scores = q @ k.transpose(1, 2) / math.sqrt(D)
    mask = torch.triu(torch.ones(T_, T_, dtype=torch.bool), 1)
    scores = scores.masked_fill(mask, float("-inf"))
    o = torch.softmax(scores, -1) @ v
    return o.transpose(0, 1).reshape(T_, H * D)


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x.pow(3))))


# ----------------------------------------------------------------------------------------------
# RoPE frequencies as transformers' modeling_rope_utils.py
# ----------------------------------------------------------------------------------------------

def default_inv_freq(base, d):
    return 1.0 / (base ** (torch.arange(0, d, 2, dtype=F64) / d))


def hf_rope_block(cfg):
    """(rope_theta, the scaling block or None): transformers 4.x's rope_theta + rope_scaling, or
    transformers 5's rope_parameters (which holds rope_theta and the scaling keys together)."""
    if "rope_parameters" in cfg:
        block = cfg["rope_parameters"]
        return block.get("rope_theta", 10000.0), block
    return cfg.get("rope_theta", 10000.0), cfg.get("rope_scaling")


def hf_inv_freq(cfg, d, seq_len):
    base, rs = hf_rope_block(cfg)
    kind = rs.get("rope_type", rs.get("type")) if rs else "default"
    if kind == "default":
        return default_inv_freq(base, d), 1.0
    if kind == "linear":
        return default_inv_freq(base, d) / rs["factor"], 1.0
    if kind == "dynamic":
        factor = rs["factor"]
        M = cfg["max_position_embeddings"]
        L = max(seq_len, M)
        base = base * ((factor * L / M) - (factor - 1)) ** (d / (d - 2))
        return default_inv_freq(base, d), 1.0
    if kind == "yarn":
        factor = rs["factor"]
        M = rs.get("original_max_position_embeddings", cfg["max_position_embeddings"])
        beta_fast, beta_slow = rs.get("beta_fast", 32), rs.get("beta_slow", 1)

        def correction_dim(rotations):
            return d * math.log(M / (rotations * 2 * math.pi)) / (2 * math.log(base))

        low = max(math.floor(correction_dim(beta_fast)), 0)
        high = min(math.ceil(correction_dim(beta_slow)), d - 1)
        if low == high:
            high += 0.001
        ramp = ((torch.arange(d // 2, dtype=F64) - low) / (high - low)).clamp(0, 1)
        extrapolation = 1 - ramp
        extrap = default_inv_freq(base, d)
        interp = extrap / factor
        inv_freq = interp * (1 - extrapolation) + extrap * extrapolation
        return inv_freq, 0.1 * math.log(factor) + 1.0
    if kind == "llama3":
        # _compute_llama3_parameters: keep wavelengths under old_context / high_freq_factor, divide
        # those over old_context / low_freq_factor by factor, blend the ones in between.
        factor, low, high = rs["factor"], rs["low_freq_factor"], rs["high_freq_factor"]
        old_context = rs["original_max_position_embeddings"]
        inv_freq = default_inv_freq(base, d)
        wavelen = 2 * math.pi / inv_freq
        scaled = torch.where(wavelen > old_context / low, inv_freq / factor, inv_freq)
        smooth = (old_context / wavelen - low) / (high - low)
        smoothed = (1 - smooth) * scaled / factor + smooth * scaled
        medium = (wavelen >= old_context / high) & (wavelen <= old_context / low)
        return torch.where(medium, smoothed, scaled), 1.0
    if kind == "longrope":
        # _compute_longrope_parameters with seq_len (dynamic_rope_update passes max position + 1):
        # Phi-3 states original_max_position_embeddings at the top level, and then factor is
        # max_position_embeddings / original_max_position_embeddings (transformers 4.x).
        if "original_max_position_embeddings" in cfg:
            M = cfg["original_max_position_embeddings"]
            factor = cfg["max_position_embeddings"] / M
        else:
            M = rs.get("original_max_position_embeddings", cfg["max_position_embeddings"])
            factor = rs.get("factor", cfg["max_position_embeddings"] / M)
        attention = rs.get("attention_factor")
        if attention is None:
            attention = 1.0 if factor <= 1 else math.sqrt(1 + math.log(factor) / math.log(M))
        ext = torch.tensor(rs["long_factor"] if seq_len > M else rs["short_factor"], dtype=F64)
        return 1.0 / (ext * base ** (torch.arange(0, d, 2, dtype=F64) / d)), attention
    raise ValueError(kind)


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), -1)


# ----------------------------------------------------------------------------------------------
# Hugging Face Llama / Mistral / Qwen2 (modeling_llama.py)
# ----------------------------------------------------------------------------------------------

def hf_llama_forward(cfg, W, tokens):
    C, H = cfg["hidden_size"], cfg["num_attention_heads"]
    Hkv = cfg.get("num_key_value_heads", H)
    D = C // H
    Tn = len(tokens)
    x = W["model.embed_tokens.weight"][tokens]
    inv_freq, factor = hf_inv_freq(cfg, D, Tn)
    freqs = torch.outer(torch.arange(Tn, dtype=F64), inv_freq)
    emb = torch.cat((freqs, freqs), -1)
    cos, sin = emb.cos() * factor, emb.sin() * factor

    def linear(name, h):
        y = h @ W[name + ".weight"].T
        return y + W[name + ".bias"] if name + ".bias" in W else y

    for l in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{l}."
        h = rmsnorm(x, W[p + "input_layernorm.weight"], cfg["rms_norm_eps"])
        q = linear(p + "self_attn.q_proj", h).view(Tn, H, D).transpose(0, 1)
        k = linear(p + "self_attn.k_proj", h).view(Tn, Hkv, D).transpose(0, 1)
        v = linear(p + "self_attn.v_proj", h).view(Tn, Hkv, D).transpose(0, 1)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(H // Hkv, 0)
        v = v.repeat_interleave(H // Hkv, 0)
        x = x + linear(p + "self_attn.o_proj", causal_attention(q, k, v))
        h = rmsnorm(x, W[p + "post_attention_layernorm.weight"], cfg["rms_norm_eps"])
        gate, up = linear(p + "mlp.gate_proj", h), linear(p + "mlp.up_proj", h)
        x = x + linear(p + "mlp.down_proj", torch.nn.functional.silu(gate) * up)
    x = rmsnorm(x, W["model.norm.weight"], cfg["rms_norm_eps"])
    head = W["model.embed_tokens.weight"] if cfg.get("tie_word_embeddings") else W["lm_head.weight"]
    return x @ head.T


def llama_family_weights(cfg, gen, qkv_bias=False):
    C, H = cfg["hidden_size"], cfg["num_attention_heads"]
    Hkv = cfg.get("num_key_value_heads", H)
    D, F, V = C // H, cfg["intermediate_size"], cfg["vocab_size"]
    W = {}

    def matrix(name, o, i):
        W[name] = torch.randn(o, i, generator=gen, dtype=F64) * 0.3

    matrix("model.embed_tokens.weight", V, C)
    for l in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{l}."
        W[p + "input_layernorm.weight"] = 1 + 0.1 * torch.randn(C, generator=gen, dtype=F64)
        matrix(p + "self_attn.q_proj.weight", H * D, C)
        matrix(p + "self_attn.k_proj.weight", Hkv * D, C)
        matrix(p + "self_attn.v_proj.weight", Hkv * D, C)
        matrix(p + "self_attn.o_proj.weight", C, H * D)
        if qkv_bias:
            for n, size in (("q", H * D), ("k", Hkv * D), ("v", Hkv * D)):
                W[p + f"self_attn.{n}_proj.bias"] = 0.2 * torch.randn(size, generator=gen, dtype=F64)
        W[p + "post_attention_layernorm.weight"] = 1 + 0.1 * torch.randn(C, generator=gen, dtype=F64)
        matrix(p + "mlp.gate_proj.weight", F, C)
        matrix(p + "mlp.up_proj.weight", F, C)
        matrix(p + "mlp.down_proj.weight", C, F)
    W["model.norm.weight"] = 1 + 0.1 * torch.randn(C, generator=gen, dtype=F64)
    if not cfg.get("tie_word_embeddings"):
        matrix("lm_head.weight", V, C)
    return W


# ----------------------------------------------------------------------------------------------
# GPT-2 (modeling_gpt2.py)
# ----------------------------------------------------------------------------------------------

def gpt2_weights(cfg, gen):
    C, V, P, F = cfg["n_embd"], cfg["vocab_size"], cfg["n_positions"], 4 * cfg["n_embd"]
    W = {"wte.weight": torch.randn(V, C, generator=gen, dtype=F64) * 0.3,
         "wpe.weight": torch.randn(P, C, generator=gen, dtype=F64) * 0.1}

    def vec(n, scale=0.1, one=False):
        return (1.0 if one else 0.0) + scale * torch.randn(n, generator=gen, dtype=F64)

    for l in range(cfg["n_layer"]):
        p = f"h.{l}."
        W[p + "ln_1.weight"], W[p + "ln_1.bias"] = vec(C, one=True), vec(C)
        W[p + "attn.c_attn.weight"] = torch.randn(C, 3 * C, generator=gen, dtype=F64) * 0.3  # Conv1D: (in, out)
        W[p + "attn.c_attn.bias"] = vec(3 * C)
        W[p + "attn.c_proj.weight"] = torch.randn(C, C, generator=gen, dtype=F64) * 0.3
        W[p + "attn.c_proj.bias"] = vec(C)
        W[p + "ln_2.weight"], W[p + "ln_2.bias"] = vec(C, one=True), vec(C)
        W[p + "mlp.c_fc.weight"] = torch.randn(C, F, generator=gen, dtype=F64) * 0.3
        W[p + "mlp.c_fc.bias"] = vec(F)
        W[p + "mlp.c_proj.weight"] = torch.randn(F, C, generator=gen, dtype=F64) * 0.2
        W[p + "mlp.c_proj.bias"] = vec(C)
    W["ln_f.weight"], W["ln_f.bias"] = vec(C, one=True), vec(C)
    return W


def gpt2_forward(cfg, W, tokens):
    C, H = cfg["n_embd"], cfg["n_head"]
    D, Tn, eps = C // H, len(tokens), cfg["layer_norm_epsilon"]
    x = W["wte.weight"][tokens] + W["wpe.weight"][:Tn]
    for l in range(cfg["n_layer"]):
        p = f"h.{l}."
        h = layernorm(x, W[p + "ln_1.weight"], W[p + "ln_1.bias"], eps)
        qkv = h @ W[p + "attn.c_attn.weight"] + W[p + "attn.c_attn.bias"]
        q, k, v = qkv.split(C, -1)
        heads = lambda t: t.view(Tn, H, D).transpose(0, 1)  # noqa: E731
        a = causal_attention(heads(q), heads(k), heads(v))
        x = x + a @ W[p + "attn.c_proj.weight"] + W[p + "attn.c_proj.bias"]
        h = layernorm(x, W[p + "ln_2.weight"], W[p + "ln_2.bias"], eps)
        m = gelu_new(h @ W[p + "mlp.c_fc.weight"] + W[p + "mlp.c_fc.bias"])
        x = x + m @ W[p + "mlp.c_proj.weight"] + W[p + "mlp.c_proj.bias"]
    x = layernorm(x, W["ln_f.weight"], W["ln_f.bias"], eps)
    return x @ W["wte.weight"].T


# ----------------------------------------------------------------------------------------------
# llama2.c (model.py / run.c), interleaved RoPE on the file's own weights
# ----------------------------------------------------------------------------------------------

def llama2c_weights(p, gen, shared):
    dim, hidden, L, H, Hkv, V = p["dim"], p["hidden_dim"], p["n_layers"], p["n_heads"], p["n_kv_heads"], p["vocab_size"]
    D = dim // H

    def m(*shape, s=0.3):
        return torch.randn(*shape, generator=gen, dtype=F64) * s

    W = {"tok_embeddings": m(V, dim),
         "attention_norm": 1 + m(L, dim, s=0.1), "ffn_norm": 1 + m(L, dim, s=0.1),
         "wq": m(L, dim, dim), "wk": m(L, Hkv * D, dim), "wv": m(L, Hkv * D, dim), "wo": m(L, dim, dim),
         "w1": m(L, hidden, dim), "w2": m(L, dim, hidden), "w3": m(L, hidden, dim),
         "norm": 1 + m(dim, s=0.1)}
    W["output"] = W["tok_embeddings"] if shared else m(V, dim)
    return {k: v.to(torch.float32).to(F64) for k, v in W.items()}


def llama2c_freqs(D, seq_len):
    """model.py precompute_freqs_cis, in float32 as llama2.c computes it."""
    freqs = 1.0 / (10000.0 ** (torch.arange(0, D, 2)[: D // 2].float() / D))
    t = torch.arange(seq_len).float()
    f = torch.outer(t, freqs).float()
    return torch.cos(f), torch.sin(f)


def llama2c_forward(p, W, tokens):
    dim, L, H, Hkv = p["dim"], p["n_layers"], p["n_heads"], p["n_kv_heads"]
    D, Tn = dim // H, len(tokens)
    ang = torch.outer(torch.arange(Tn, dtype=F64), 1.0 / (10000.0 ** (torch.arange(0, D, 2, dtype=F64) / D)))
    cos, sin = ang.cos(), ang.sin()

    def rope(x):  # x (heads, T, D): rotate the pairs (x[2i], x[2i+1])
        a, b = x[..., 0::2], x[..., 1::2]
        out = torch.empty_like(x)
        out[..., 0::2] = a * cos - b * sin
        out[..., 1::2] = a * sin + b * cos
        return out

    x = W["tok_embeddings"][tokens]
    for l in range(L):
        h = rmsnorm(x, W["attention_norm"][l], 1e-5)
        q = (h @ W["wq"][l].T).view(Tn, H, D).transpose(0, 1)
        k = (h @ W["wk"][l].T).view(Tn, Hkv, D).transpose(0, 1)
        v = (h @ W["wv"][l].T).view(Tn, Hkv, D).transpose(0, 1)
        q, k = rope(q), rope(k)
        k = k.repeat_interleave(H // Hkv, 0)
        v = v.repeat_interleave(H // Hkv, 0)
        x = x + causal_attention(q, k, v) @ W["wo"][l].T
        h = rmsnorm(x, W["ffn_norm"][l], 1e-5)
        x = x + (torch.nn.functional.silu(h @ W["w1"][l].T) * (h @ W["w3"][l].T)) @ W["w2"][l].T
    x = rmsnorm(x, W["norm"], 1e-5)
    return x @ W["output"].T


def write_llama2c(path, p, W, version, shared):
    dim, L, H = p["dim"], p["n_layers"], p["n_heads"]
    fields = [dim, p["hidden_dim"], L, H, p["n_kv_heads"], p["vocab_size"], p["seq_len"]]

    def f32(t):
        return t.to(torch.float32).numpy().astype("<f4").tobytes()

    with open(path, "wb") as f:
        if version == 0:
            if not shared:
                fields[5] = -fields[5]
            f.write(struct.pack("<7i", *fields))
            cos, sin = llama2c_freqs(dim // H, p["seq_len"])
            for name in ("tok_embeddings", "attention_norm", "wq", "wk", "wv", "wo", "ffn_norm", "w1", "w2", "w3", "norm"):
                f.write(f32(W[name]))
            f.write(f32(cos))
            f.write(f32(sin))
        else:
            header = struct.pack("<Ii7iB", 0x616B3432, 1, *fields, int(shared))
            f.write(header + b"\0" * (256 - len(header)))
            for name in ("attention_norm", "ffn_norm", "norm", "tok_embeddings", "wq", "wk", "wv", "wo", "w1", "w2", "w3"):
                f.write(f32(W[name]))
        if not shared:
            f.write(f32(W["output"]))


# ----------------------------------------------------------------------------------------------
# The references
# ----------------------------------------------------------------------------------------------

def tokens_for(V, seed):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, V, (T,), generator=g)


def main():
    os.makedirs(OUT, exist_ok=True)
    logits = []

    def record(name, tokens, out):
        logits.append((name + ".input_ids", "I32", tokens.view(1, -1)))
        logits.append((name + ".logits", "F32", out.unsqueeze(0)))

    def write_llama_dir(name, cfg, seed, dtype, token_seed, qkv_bias=False):
        """NAME/config.json + NAME/model.safetensors (one file, weights as DTYPE) and its logits."""
        W = llama_family_weights(cfg, torch.Generator().manual_seed(seed), qkv_bias=qkv_bias)
        W = {k: stored(v, dtype) for k, v in W.items()}
        os.makedirs(os.path.join(OUT, name), exist_ok=True)
        write_json(os.path.join(OUT, name, "config.json"), cfg)
        write_safetensors(os.path.join(OUT, name, "model.safetensors"), [(k, dtype, W[k]) for k in sorted(W)],
                          {"format": "pt"})
        toks = tokens_for(cfg["vocab_size"], token_seed)
        record(name, toks, hf_llama_forward(cfg, W, toks))

    # Llama: GQA, yarn, BF16, untied.
    cfg = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 64, "hidden_size": 32,
           "intermediate_size": 48, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
           "hidden_act": "silu", "max_position_embeddings": 64, "rms_norm_eps": 1e-6, "rope_theta": 10000.0,
           "rope_scaling": {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 16,
                            "beta_fast": 32.0, "beta_slow": 1.0},
           "tie_word_embeddings": False, "attention_bias": False, "torch_dtype": "bfloat16"}
    write_llama_dir("llama", cfg, 1, "BF16", 11)

    # Mistral: sharded, F16, MHA, tied, linear scaling.
    cfg = {"architectures": ["MistralForCausalLM"], "model_type": "mistral", "vocab_size": 64, "hidden_size": 32,
           "intermediate_size": 40, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 4,
           "hidden_act": "silu", "max_position_embeddings": 32, "rms_norm_eps": 1e-5, "rope_theta": 10000.0,
           "rope_scaling": {"type": "linear", "factor": 2.0}, "sliding_window": None,
           "tie_word_embeddings": True, "torch_dtype": "float16"}
    W = llama_family_weights(cfg, torch.Generator().manual_seed(2))
    W = {k: stored(v, "F16") for k, v in W.items()}
    d = os.path.join(OUT, "mistral")
    os.makedirs(d, exist_ok=True)
    write_json(os.path.join(d, "config.json"), cfg)
    first = [k for k in sorted(W) if k.startswith("model.embed") or k.startswith("model.layers.0.")]
    second = [k for k in sorted(W) if k not in first]
    weight_map, total = {}, 0
    for i, names in enumerate((first, second)):
        fname = f"model-0000{i + 1}-of-00002.safetensors"
        total += write_safetensors(os.path.join(d, fname), [(k, "F16", W[k]) for k in names], {"format": "pt"})
        weight_map.update({k: fname for k in names})
    write_json(os.path.join(d, "model.safetensors.index.json"),
               {"metadata": {"total_size": total}, "weight_map": weight_map})
    toks = tokens_for(64, 12)
    record("mistral", toks, hf_llama_forward(cfg, W, toks))

    # Qwen2: q/k/v biases, MQA, tied, dynamic NTK past max_position_embeddings.
    cfg = {"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "vocab_size": 64, "hidden_size": 32,
           "intermediate_size": 56, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 1,
           "hidden_act": "silu", "max_position_embeddings": 16, "rms_norm_eps": 1e-6, "rope_theta": 1000000.0,
           "rope_scaling": {"type": "dynamic", "factor": 2.0}, "use_sliding_window": False, "sliding_window": 16,
           "max_window_layers": 2, "tie_word_embeddings": True, "torch_dtype": "float32"}
    write_llama_dir("qwen2", cfg, 3, "F32", 13, qkv_bias=True)

    # GPT-2: Conv1D, F32, tied, with the attn.bias buffers.
    cfg = {"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "vocab_size": 64, "n_embd": 32,
           "n_layer": 2, "n_head": 4, "n_positions": 32, "n_ctx": 32, "n_inner": None,
           "activation_function": "gelu_new", "layer_norm_epsilon": 1e-5, "scale_attn_weights": True,
           "tie_word_embeddings": True, "torch_dtype": "float32"}
    W = gpt2_weights(cfg, torch.Generator().manual_seed(4))
    W = {k: stored(v, "F32") for k, v in W.items()}
    os.makedirs(os.path.join(OUT, "gpt2"), exist_ok=True)
    write_json(os.path.join(OUT, "gpt2", "config.json"), cfg)
    tensors = [(k, "F32", W[k]) for k in sorted(W)]
    mask = torch.tril(torch.ones(32, 32)).view(1, 1, 32, 32)
    tensors += [(f"h.{l}.attn.bias", "U8", mask) for l in range(cfg["n_layer"])]
    write_safetensors(os.path.join(OUT, "gpt2", "model.safetensors"), tensors, {"format": "pt"})
    toks = tokens_for(64, 14)
    record("gpt2", toks, gpt2_forward(cfg, W, toks))

    # llama2.c: shared (v0), unshared (v0), unshared (v1).
    p = {"dim": 32, "hidden_dim": 48, "n_layers": 2, "n_heads": 4, "n_kv_heads": 2, "vocab_size": 64, "seq_len": 32}
    for name, version, shared, seed in (("llama2c_shared", 0, True, 5), ("llama2c_unshared", 0, False, 6),
                                        ("llama2c_v1", 1, False, 7)):
        W = llama2c_weights(p, torch.Generator().manual_seed(seed), shared)
        write_llama2c(os.path.join(OUT, name + ".bin"), p, W, version, shared)
        toks = tokens_for(64, 20 + seed)
        record(name, toks, llama2c_forward(p, W, toks))

    # Llama 3.1 scaling (transformers 4.x rope_scaling), head_dim 16: with original context 64,
    # dimension 0 keeps its frequency, 1-2 are blended and 3-7 divided by 8.
    cfg = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 64, "hidden_size": 32,
           "intermediate_size": 48, "num_hidden_layers": 2, "num_attention_heads": 2, "num_key_value_heads": 1,
           "hidden_act": "silu", "max_position_embeddings": 512, "rms_norm_eps": 1e-5, "rope_theta": 10000.0,
           "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                            "original_max_position_embeddings": 64},
           "tie_word_embeddings": False, "torch_dtype": "float32"}
    write_llama_dir("llama3", cfg, 8, "F32", 15)
    # llama3 in transformers 5's form: rope_parameters holds rope_theta and the scaling, no
    # rope_scaling. theta 5e5, original context 128, low/high_freq_factor 2/8: dimension 0 kept,
    # 1 blended, 2-7 divided by 4.
    cfg = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 64, "hidden_size": 32,
           "intermediate_size": 48, "num_hidden_layers": 2, "num_attention_heads": 2, "num_key_value_heads": 2,
           "hidden_act": "silu", "max_position_embeddings": 512, "rms_norm_eps": 1e-6,
           "rope_parameters": {"rope_type": "llama3", "rope_theta": 500000.0, "factor": 4.0, "low_freq_factor": 2.0,
                               "high_freq_factor": 8.0, "original_max_position_embeddings": 128},
           "tie_word_embeddings": True, "torch_dtype": "float32"}
    write_llama_dir("llama3_v5", cfg, 9, "F32", 16)
    # LongRoPE, Phi-3 style: original_max_position_embeddings at the top level (factor 64 / 16 = 4,
    # attention factor sqrt(1 + ln 4 / ln 16)), "type" rather than "rope_type"; the test sequence
    # (24) is longer than 16, so the long factors apply. Dyadic factors: exact in float32 as HF
    # reads them.
    cfg = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 64, "hidden_size": 32,
           "intermediate_size": 48, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
           "hidden_act": "silu", "max_position_embeddings": 64, "original_max_position_embeddings": 16,
           "rms_norm_eps": 1e-5, "rope_theta": 10000.0,
           "rope_scaling": {"type": "longrope", "short_factor": [1.0, 1.125, 1.25, 1.5],
                            "long_factor": [1.0, 1.5, 3.25, 6.0]},
           "tie_word_embeddings": False, "torch_dtype": "float32"}
    write_llama_dir("longrope", cfg, 10, "F32", 17)

    write_safetensors(os.path.join(OUT, "logits.safetensors"), logits)
    for root, _, files in os.walk(OUT):
        for f in files:
            size = os.path.getsize(os.path.join(root, f))
            assert size < 200_000, (f, size)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
