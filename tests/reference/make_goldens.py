#!/usr/bin/python3
"""Independent PyTorch reference ("goldens") for the Ablate C++ Transformer engine.

What it does
------------
Implements, in plain torch (no `transformers`, no `safetensors` package), the decoder-only
Transformer family that Ablate's YAML `model:` section describes (GPT-2 style and Llama style
variants), runs a forward pass, a mean cross-entropy loss and an autograd backward pass for a
few small presets, and writes everything to hand-written safetensors files:

  tests/reference/goldens/<preset>.safetensors   (gpt2, llama, yarn, sinusoidal, dynamic, none,
                                                  llama3, longrope)
      every parameter under its HF-Llama-style name (F32), `grad.<name>` for every parameter
      (F32), `input_ids` and `targets` (I32, (B,T)), `logits` (F32, (B,T,V)), `loss` (F32, [1]);
      __metadata__ = {"preset": name, "model": json of the model config}.
  tests/reference/goldens/rope_tables.safetensors
      `inv_freq.<case>` (F32) and `attention_factor.<case>` (F32, [1]) for a set of RoPE
      scaling cases; __metadata__ = {"cases": json of {case: {theta, head_dim, rotary_dim,
      seq_len, scaling}}}, `scaling` being the model.position.scaling block in Ablate's YAML keys
      (omitted keys take Ablate's defaults), so that the C++ test reads it with the config reader.

Numerics: weights are drawn with a fixed seed, rounded to float32 (those float32 values are
what is stored), then every computation (RoPE tables included) is done in torch.float64; the
outputs are rounded to float32 only when written.

How to run (from the repository root; Debian's python has torch, the pyenv one does not):

    /usr/bin/python3 tests/reference/make_goldens.py

It regenerates all files deterministically, then self-checks: it reloads every file with its
own reader and compares against the in-memory values, and checks autograd gradients against
float64 central finite differences for a few weight entries (llama: a q_proj entry through
RoPE; gpt2: a tied embedding entry; yarn: a k_proj entry through partial-rotary YaRN; llama3 and
longrope: a k_proj / q_proj entry), and checks the llama3 and longrope tables against values
worked out by hand (rope_sanity: the dimensions in each llama3 band, two blended frequencies, the
longrope attention factors sqrt(13/11) and sqrt(17/12)).

RoPE inverse frequencies -- which Hugging Face function each follows
--------------------------------------------------------------------
(transformers/src/transformers/modeling_rope_utils.py; checked against the stored copies
huggingface/transformers@ef46806472a64b0013ed413781e3afed82bfa047 (v4.4x),
huggingface/transformers@0044e3b3facff1a1ad60b235c69d5b45beae75a4, and the v5-dev fork
cyyever/transformers@89539b0672a0cdc52b29f9ea6f1554a179195e40.)  d = rotary dim, base = theta.
  none         -> _compute_default_rope_parameters: inv_freq = 1 / base^(arange(0,d,2)/d).
  linear       -> _compute_linear_scaling_rope_parameters: default / factor.
  ntk (static) -> _compute_ntk_parameters (only in the 0044e3b snapshot's ROPE_INIT_FUNCTIONS
                  as "ntk"; released HF has no static-NTK type): base' = base*factor^(d/(d-2)).
  dynamic_ntk  -> _compute_dynamic_ntk_parameters + dynamic_rope_update: L = max(seq_len, M),
                  base' = base*((factor*L/M) - (factor-1))^(d/(d-2)).  HF uses
                  M = config.max_position_embeddings (it has a TODO to use
                  original_max_position_embeddings); here M = original_context (0 = context).
                  In the model, HF's dynamic_rope_update passes seq_len = max(position_ids)+1,
                  i.e. T for positions 0..T-1.
  yarn         -> _compute_yarn_parameters (v5-dev version, with mscale/mscale_all_dim/truncate):
                  get_mscale(s, m=1) = 1 if s <= 1 else 0.1*m*ln(s) + 1;
                  attention_factor = given, else get_mscale(f,mscale)/get_mscale(f,mscale_all_dim)
                  if both mscale and mscale_all_dim are set (non-zero), else get_mscale(f);
                  find_correction_dim(r) = d*ln(M/(r*2*pi)) / (2*ln(base));
                  low = dim(beta_fast), high = dim(beta_slow), floor/ceil when truncate;
                  low = max(low, 0), high = min(high, d-1); if low == high: high += 0.001;
                  ramp = clamp((arange(d/2) - low)/(high - low), 0, 1);
                  extrapolation_factor = 1 - ramp;
                  inv_freq = inv_interp*(1 - extrapolation_factor) + inv_extrap*extrapolation_factor
                  with inv_extrap = default, inv_interp = default/factor; M = original context
                  (HF: rope_parameters["original_max_position_embeddings"], falling back to
                  max_position_embeddings).
                  Note (HF version drift): in the v5-dev fork above, when
                  original_max_position_embeddings is present HF *overrides* factor with
                  max_position_embeddings / original_max_position_embeddings; the newest HF only
                  derives factor that way when factor is None.  Here factor is always the given
                  one (equivalent to HF whenever max_position_embeddings == factor * M).
                  Older HF (ef46806) used max_position_embeddings for M, no mscale, and
                  attention_factor = 0.1*ln(f)+1 (same as get_mscale for f > 1).
  llama3       -> _compute_llama3_parameters (Llama 3.1): M = original context,
                  wavelen = 2*pi/inv_default; wavelen < M/high_freq_factor: kept;
                  wavelen > M/low_freq_factor: inv/factor; in between (both ends included)
                  smooth = (M/wavelen - low_freq_factor)/(high_freq_factor - low_freq_factor),
                  inv = (1 - smooth)*inv/factor + smooth*inv (continuous at both edges).
                  Attention factor 1. Defaults (Ablate's): low_freq_factor 1, high_freq_factor 4.
  longrope     -> _compute_longrope_parameters (LongRoPE / Phi-3) with seq_len, the newer form
                  (v4.4x+, v5): ext = long_factor if seq_len > M else short_factor (seq_len == M
                  and seq_len 0 = unknown: short), inv_i = 1/(ext_i * base^(2i/d));
                  attention_factor = given, else 1 if factor <= 1 else sqrt(1 + ln(factor)/ln(M)).
                  HF's dynamic_rope_update (longrope_frequency_update) switches to the long
                  factors once max(position_ids)+1 > original_max_position_embeddings, i.e. T > M.
                  The 0044e3b snapshot instead picked long whenever factor > 1 (no seq_len).
                  HF derives factor = max_position_embeddings / original_max_position_embeddings
                  when the original is at the config's top level (Phi-3, 4.x) or factor is
                  absent (v5); here factor is the given one. HF stores the factor lists as
                  float32; the lists here are dyadic (exact in float32).
HF computes these tables in float32; this reference computes them in float64.

RoPE application follows HF Llama's rotate_half (q*cos + rotate_half(q)*sin with
cos/sin = cat(freqs, freqs)), applied to the first rotary_dim dims of each head only, the rest
passing through (as HF's partial-rotary models, e.g. GPT-NeoX/Phi, do); cos and sin are
multiplied by attention_factor (HF's `attention_scaling`).
"""

import json
import math
import os
import struct
import sys

import numpy as np
import torch

from safetensors_layout import write_layout

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.join(HERE, "goldens")
F64 = torch.float64


# ----------------------------------------------------------------------------------------------
# safetensors, by hand
# ----------------------------------------------------------------------------------------------

_DTYPES = {"F32": np.dtype("<f4"), "I32": np.dtype("<i4")}


def write_safetensors(path, tensors, metadata):
    """tensors: dict name -> (dtype_str, np.ndarray). Written in sorted name order."""
    entries = []
    for name in sorted(tensors):
        dtype, arr = tensors[name]
        arr = np.ascontiguousarray(np.asarray(arr, dtype=_DTYPES[dtype]))
        entries.append((name, dtype, arr.shape, arr.tobytes(order="C")))
    write_layout(path, entries, {str(k): str(v) for k, v in metadata.items()})


def read_safetensors(path):
    """Returns (dict name -> np.ndarray, metadata dict). Checks the layout strictly."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    assert n % 8 == 0, "header length not a multiple of 8"
    header = json.loads(data[8:8 + n].decode("utf-8"))
    body = data[8 + n:]
    meta = header.pop("__metadata__", {})
    out = {}
    spans = []
    for name, info in header.items():
        dt = _DTYPES[info["dtype"]]
        b, e = info["data_offsets"]
        count = int(np.prod(info["shape"])) if info["shape"] else 1
        assert e - b == count * dt.itemsize, name
        out[name] = np.frombuffer(body[b:e], dtype=dt).reshape(info["shape"]).copy()
        spans.append((b, e))
    spans.sort()
    pos = 0
    for b, e in spans:
        assert b == pos, "gap or overlap in data section"
        pos = e
    assert pos == len(body), "trailing bytes in data section"
    return out, meta


# ----------------------------------------------------------------------------------------------
# Config helpers
# ----------------------------------------------------------------------------------------------

def make_config(vocab_size, d_model, n_layers, context, tie, bias, norm, mlp, position, attention):
    return {
        "vocab_size": vocab_size, "d_model": d_model, "n_layers": n_layers, "context": context,
        "tie_embeddings": tie, "bias": bias, "norm": norm, "mlp": mlp,
        "position": position, "attention": attention,
    }


def scaling(type_="none", factor=1.0, original_context=0, beta_fast=32.0, beta_slow=1.0,
            mscale=0.0, mscale_all_dim=0.0, attention_factor=0.0, truncate=True):
    return {"type": type_, "factor": factor, "original_context": original_context,
            "beta_fast": beta_fast, "beta_slow": beta_slow, "mscale": mscale,
            "mscale_all_dim": mscale_all_dim, "attention_factor": attention_factor,
            "truncate": truncate}


def position(type_, theta=10000.0, rotary_dim=0, sc=None):
    return {"type": type_, "theta": theta, "rotary_dim": rotary_dim,
            "scaling": sc if sc is not None else scaling()}


def head_dim(cfg):
    return cfg["d_model"] // cfg["attention"]["n_heads"]


def n_kv_heads(cfg):
    a = cfg["attention"]
    return {"mha": a["n_heads"], "mqa": 1, "gqa": a.get("n_kv_heads")}[a["type"]]


def mlp_hidden(cfg):
    m = cfg["mlp"]
    if m["hidden"] != "auto":
        return int(m["hidden"])
    d = cfg["d_model"]
    if m["type"] == "gelu":
        return 4 * d
    h = (2 * 4 * d) // 3
    mo = m.get("multiple_of", 8)
    return mo * ((h + mo - 1) // mo)


# ----------------------------------------------------------------------------------------------
# RoPE tables (float64)
# ----------------------------------------------------------------------------------------------

def _default_inv_freq(base, d):
    return 1.0 / (torch.tensor(float(base), dtype=F64) ** (torch.arange(0, d, 2, dtype=F64) / d))


def _get_mscale(s, m=1.0):
    return 1.0 if s <= 1 else 0.1 * m * math.log(s) + 1.0


# The defaults of Ablate's RopeScalingConfig (components/model/model_config.h): a scaling block
# (YAML keys of model.position.scaling) names only what differs from them.
SCALING_DEFAULTS = {"type": "none", "factor": 1.0, "original_context": 0, "beta_fast": 32.0,
                    "beta_slow": 1.0, "mscale": 0.0, "mscale_all_dim": 0.0, "attention_factor": 0.0,
                    "truncate": True, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                    "short_factor": None, "long_factor": None}


def rope_inv_freq(theta, d, block, original_context, seq_len=0):
    """RoPE table of one scaling block: (inv_freq float64 tensor of length d/2, attention_factor).

    original_context: M, already resolved (block's original_context, else the model's context);
    seq_len: the sequence length seen (0 = unknown; dynamic_ntk then uses M, longrope its short
    factors). The arguments mirror Ablate's rope_frequencies(theta, rotary_dim, scaling, M, seq_len)."""
    assert d % 2 == 0 and d > 2
    unknown = set(block) - set(SCALING_DEFAULTS)
    assert not unknown, unknown
    sc = dict(SCALING_DEFAULTS, **block)
    type_, factor, M = sc["type"], float(sc["factor"]), original_context
    base = float(theta)
    default = _default_inv_freq(base, d)
    if type_ == "none":
        return default, 1.0
    if type_ == "linear":
        return default / factor, 1.0
    if type_ == "ntk":
        return _default_inv_freq(base * factor ** (d / (d - 2)), d), 1.0
    if type_ == "dynamic_ntk":
        L = max(seq_len, M) if seq_len else M
        b = base * ((factor * L / M) - (factor - 1)) ** (d / (d - 2))
        return _default_inv_freq(b, d), 1.0
    if type_ == "yarn":
        if sc["attention_factor"]:
            af = float(sc["attention_factor"])
        elif sc["mscale"] and sc["mscale_all_dim"]:
            af = _get_mscale(factor, sc["mscale"]) / _get_mscale(factor, sc["mscale_all_dim"])
        else:
            af = _get_mscale(factor)

        def corr_dim(r):
            return d * math.log(M / (r * 2 * math.pi)) / (2 * math.log(base))

        low, high = corr_dim(sc["beta_fast"]), corr_dim(sc["beta_slow"])
        if sc["truncate"]:
            low, high = math.floor(low), math.ceil(high)
        low, high = max(low, 0), min(high, d - 1)
        if low == high:
            high += 0.001
        ramp = torch.clamp((torch.arange(d // 2, dtype=F64) - low) / (high - low), 0, 1)
        extrap_factor = 1 - ramp
        inv_interp = default / factor
        inv = inv_interp * (1 - extrap_factor) + default * extrap_factor
        return inv, af
    if type_ == "llama3":
        # Wavelengths shorter than M/high_freq_factor keep their frequency, longer than
        # M/low_freq_factor are divided by the factor, and in between the two are blended by
        # how many turns the dimension makes in M positions.
        low_ff, high_ff = float(sc["low_freq_factor"]), float(sc["high_freq_factor"])
        wavelength = 2 * math.pi / default
        turns = M / wavelength
        smooth = (turns - low_ff) / (high_ff - low_ff)
        blended = (1 - smooth) * default / factor + smooth * default
        inv = torch.where(wavelength < M / high_ff, default,
                          torch.where(wavelength > M / low_ff, default / factor, blended))
        return inv, 1.0
    if type_ == "longrope":
        # Per-dimension divisors: long_factor once the sequence is longer than M, else short_factor.
        ext = sc["long_factor"] if seq_len > M else sc["short_factor"]
        assert ext is not None and len(ext) == d // 2, "longrope needs rotary_dim/2 factors"
        ext = torch.tensor(ext, dtype=F64)
        inv = 1.0 / (ext * torch.tensor(base, dtype=F64) ** (torch.arange(0, d, 2, dtype=F64) / d))
        if sc["attention_factor"]:
            af = float(sc["attention_factor"])
        else:
            af = 1.0 if factor <= 1 else math.sqrt(1 + math.log(factor) / math.log(M))
        return inv, af
    raise ValueError("unknown rope scaling type " + type_)


def rope_for_model(cfg, T):
    p = cfg["position"]
    sc = p["scaling"]
    d = p["rotary_dim"] or head_dim(cfg)
    M = sc.get("original_context") or cfg["context"]
    return rope_inv_freq(p["theta"], d, sc, M, seq_len=T), d


def apply_rope(x, cos, sin, rd):
    """x: (B,T,H,D); cos/sin: (T, rd/2). HF rotate_half convention within the first rd dims."""
    half = rd // 2
    x1 = x[..., :half]
    x2 = x[..., half:rd]
    c = cos[None, :, None, :]
    s = sin[None, :, None, :]
    o1 = x1 * c - x2 * s
    o2 = x2 * c + x1 * s
    return torch.cat([o1, o2, x[..., rd:]], dim=-1)


# ----------------------------------------------------------------------------------------------
# Model
# ----------------------------------------------------------------------------------------------

def param_shapes(cfg):
    """Ordered list of (name, shape, kind) with kind in {matrix, normw, normb, bias}."""
    V, C, L = cfg["vocab_size"], cfg["d_model"], cfg["n_layers"]
    H, Hkv, D = cfg["attention"]["n_heads"], n_kv_heads(cfg), head_dim(cfg)
    hid = mlp_hidden(cfg)
    ln = cfg["norm"]["type"] == "layernorm"
    bias = cfg["bias"]
    out = [("model.embed_tokens.weight", (V, C), "matrix")]
    if cfg["position"]["type"] == "learned":
        out.append(("model.embed_positions.weight", (cfg["context"], C), "matrix"))

    def norm(prefix):
        out.append((prefix + ".weight", (C,), "normw"))
        if ln:
            out.append((prefix + ".bias", (C,), "normb"))

    def linear(prefix, o, i):
        out.append((prefix + ".weight", (o, i), "matrix"))
        if bias:
            out.append((prefix + ".bias", (o,), "bias"))

    for i in range(L):
        p = "model.layers.%d" % i
        norm(p + ".input_layernorm")
        linear(p + ".self_attn.q_proj", H * D, C)
        linear(p + ".self_attn.k_proj", Hkv * D, C)
        linear(p + ".self_attn.v_proj", Hkv * D, C)
        linear(p + ".self_attn.o_proj", C, H * D)
        norm(p + ".post_attention_layernorm")
        if cfg["mlp"]["type"] == "swiglu":
            linear(p + ".mlp.gate_proj", hid, C)
        linear(p + ".mlp.up_proj", hid, C)
        linear(p + ".mlp.down_proj", C, hid)
    norm("model.norm")
    if not cfg["tie_embeddings"]:
        out.append(("lm_head.weight", (V, C), "matrix"))
    return out


def init_params(cfg, gen):
    params = {}
    for name, shape, kind in param_shapes(cfg):
        r = torch.randn(shape, dtype=F64, generator=gen)
        if kind == "matrix":
            w = 0.2 * r
        elif kind == "normw":
            w = 1.0 + 0.1 * r
        else:  # normb, bias
            w = 0.1 * r
        params[name] = w.float().double()  # rounded to float32, computed in float64
    return params


def norm_apply(cfg, params, prefix, x):
    eps = cfg["norm"]["eps"]
    if cfg["norm"]["type"] == "layernorm":
        mu = x.mean(-1, keepdim=True)
        var = ((x - mu) ** 2).mean(-1, keepdim=True)
        return (x - mu) / torch.sqrt(var + eps) * params[prefix + ".weight"] + params[prefix + ".bias"]
    ms = (x * x).mean(-1, keepdim=True)
    return x / torch.sqrt(ms + eps) * params[prefix + ".weight"]


def linear_apply(params, prefix, x):
    y = x @ params[prefix + ".weight"].t()
    b = params.get(prefix + ".bias")
    return y + b if b is not None else y


def sinusoidal_table(T, C):
    pos = torch.arange(T, dtype=F64)[:, None]
    i2 = torch.arange(0, C, 2, dtype=F64)[None, :]
    ang = pos / (10000.0 ** (i2 / C))
    pe = torch.zeros(T, C, dtype=F64)
    pe[:, 0::2] = torch.sin(ang)
    pe[:, 1::2] = torch.cos(ang)
    return pe


def embedding_scale(cfg):
    """model.embedding_scale: a number, or auto (absent) = sqrt(d_model) for sinusoidal positions
    (Vaswani et al. 2017, section 3.4: the embedding weights are multiplied by sqrt(d_model)), else 1."""
    s = cfg.get("embedding_scale", "auto")
    if s in ("auto", 0):
        return math.sqrt(cfg["d_model"]) if cfg["position"]["type"] == "sinusoidal" else 1.0
    return float(s)


def gelu(x, form):
    if form == "tanh":
        return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))
    return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))


def forward(cfg, params, tokens):
    B, T = tokens.shape
    C = cfg["d_model"]
    H, Hkv, D = cfg["attention"]["n_heads"], n_kv_heads(cfg), head_dim(cfg)
    ptype = cfg["position"]["type"]
    x = params["model.embed_tokens.weight"][tokens] * embedding_scale(cfg)
    if ptype == "learned":
        x = x + params["model.embed_positions.weight"][:T][None]
    elif ptype == "sinusoidal":
        x = x + sinusoidal_table(T, C)[None]
    cos = sin = None
    if ptype == "rope":
        (inv_freq, af), rd = rope_for_model(cfg, T)
        ang = torch.arange(T, dtype=F64)[:, None] * inv_freq[None, :]
        cos, sin = torch.cos(ang) * af, torch.sin(ang) * af
    mask = torch.ones(T, T, dtype=torch.bool).tril()
    group = H // Hkv
    for i in range(cfg["n_layers"]):
        p = "model.layers.%d" % i
        hN = norm_apply(cfg, params, p + ".input_layernorm", x)
        q = linear_apply(params, p + ".self_attn.q_proj", hN).view(B, T, H, D)
        k = linear_apply(params, p + ".self_attn.k_proj", hN).view(B, T, Hkv, D)
        v = linear_apply(params, p + ".self_attn.v_proj", hN).view(B, T, Hkv, D)
        if ptype == "rope":
            q = apply_rope(q, cos, sin, rd)
            k = apply_rope(k, cos, sin, rd)
        kv_idx = torch.arange(H) // group  # query head h uses kv head h // (H/Hkv)
        k = k[:, :, kv_idx]
        v = v[:, :, kv_idx]
        scores = torch.einsum("bthd,bshd->bhts", q, k) / math.sqrt(D)
        scores = scores.masked_fill(~mask, float("-inf"))
        P = torch.softmax(scores, dim=-1)
        att = torch.einsum("bhts,bshd->bthd", P, v).reshape(B, T, H * D)
        h = x + linear_apply(params, p + ".self_attn.o_proj", att)
        hN = norm_apply(cfg, params, p + ".post_attention_layernorm", h)
        if cfg["mlp"]["type"] == "swiglu":
            g = linear_apply(params, p + ".mlp.gate_proj", hN)
            u = linear_apply(params, p + ".mlp.up_proj", hN)
            m = linear_apply(params, p + ".mlp.down_proj", torch.nn.functional.silu(g) * u)
        else:
            u = linear_apply(params, p + ".mlp.up_proj", hN)
            m = linear_apply(params, p + ".mlp.down_proj", gelu(u, cfg["mlp"]["form"]))
        x = h + m
    x = norm_apply(cfg, params, "model.norm", x)
    W = params["model.embed_tokens.weight"] if cfg["tie_embeddings"] else params["lm_head.weight"]
    return x @ W.t()


def loss_fn(logits, targets):
    V = logits.shape[-1]
    return torch.nn.functional.cross_entropy(logits.reshape(-1, V), targets.reshape(-1),
                                             reduction="mean")


# ----------------------------------------------------------------------------------------------
# Presets
# ----------------------------------------------------------------------------------------------

def presets():
    V, C = 64, 32
    rms6 = {"type": "rmsnorm", "eps": 1e-6}
    ln5 = {"type": "layernorm", "eps": 1e-5}
    P = {}
    P["gpt2"] = (make_config(
        V, C, 2, 16, True, True, ln5,
        {"type": "gelu", "hidden": "auto", "multiple_of": 8, "form": "tanh"},
        position("learned"),
        {"type": "mha", "n_heads": 4}), 2, 16)
    P["llama"] = (make_config(
        V, C, 2, 16, False, False, rms6,
        {"type": "swiglu", "hidden": "auto", "multiple_of": 8},
        position("rope", 10000.0, 0),
        {"type": "gqa", "n_heads": 4, "n_kv_heads": 2}), 2, 16)
    P["yarn"] = (make_config(
        V, C, 2, 8, False, False, rms6,
        {"type": "swiglu", "hidden": "auto", "multiple_of": 8},
        position("rope", 10000.0, 4, scaling("yarn", 4.0, 8)),
        {"type": "mqa", "n_heads": 4}), 2, 32)
    P["sinusoidal"] = (make_config(
        V, C, 2, 16, True, False, ln5,
        {"type": "gelu", "hidden": 48, "multiple_of": 8, "form": "erf"},
        position("sinusoidal"),
        {"type": "mqa", "n_heads": 4}), 2, 16)
    P["dynamic"] = (make_config(
        V, C, 1, 8, False, True, rms6,
        {"type": "gelu", "hidden": "auto", "multiple_of": 8, "form": "tanh"},
        position("rope", 10000.0, 0, scaling("dynamic_ntk", 2.0, 8)),
        {"type": "mha", "n_heads": 2}), 2, 24)
    P["none"] = (make_config(
        V, C, 1, 16, True, False, rms6,
        {"type": "swiglu", "hidden": 40, "multiple_of": 8},
        position("none"),
        {"type": "gqa", "n_heads": 4, "n_kv_heads": 2}), 2, 12)
    # head_dim 8 at theta 1e4: wavelengths 6.3, 63, 628, 6283 positions; with M = context = 128
    # (low/high_freq_factor left at 1 and 4) dimension 0 keeps its frequency, 1 is blended and
    # 2, 3 are divided by 8.
    P["llama3"] = (make_config(
        V, C, 2, 128, False, False, rms6,
        {"type": "swiglu", "hidden": "auto", "multiple_of": 8},
        position("rope", 10000.0, 0, {"type": "llama3", "factor": 8.0}),
        {"type": "gqa", "n_heads": 4, "n_kv_heads": 2}), 2, 16)
    # T = 16 > M = 8: the long factors; attention factor auto, sqrt(1 + ln 4 / ln 8).
    P["longrope"] = (make_config(
        V, C, 2, 32, True, False, rms6,
        {"type": "swiglu", "hidden": "auto", "multiple_of": 8},
        position("rope", 10000.0, 0, {"type": "longrope", "factor": 4.0, "original_context": 8,
                                      "short_factor": [1.0, 1.25, 1.5, 2.0],
                                      "long_factor": [1.0, 2.0, 4.5, 8.0]}),
        {"type": "mqa", "n_heads": 4}), 2, 16)
    return P


PRESET_SEEDS = {"gpt2": 1001, "llama": 1002, "yarn": 1003, "sinusoidal": 1004, "dynamic": 1005,
                "none": 1006, "llama3": 1007, "longrope": 1008}


def build_preset(name, cfg, B, T):
    torch.manual_seed(PRESET_SEEDS[name])
    gen = torch.Generator().manual_seed(PRESET_SEEDS[name])
    params = init_params(cfg, gen)
    seq = torch.randint(0, cfg["vocab_size"], (B, T + 1), generator=gen)
    tokens, targets = seq[:, :-1].contiguous(), seq[:, 1:].contiguous()
    leaves = {k: v.clone().requires_grad_(True) for k, v in params.items()}
    logits = forward(cfg, leaves, tokens)
    loss = loss_fn(logits, targets)
    loss.backward()
    grads = {k: v.grad.detach().clone() for k, v in leaves.items()}
    return params, tokens, targets, logits.detach(), loss.detach(), grads


def preset_tensors(params, tokens, targets, logits, loss, grads):
    t = {}
    for k, v in params.items():
        t[k] = ("F32", v.float().numpy())
        t["grad." + k] = ("F32", grads[k].float().numpy())
    t["input_ids"] = ("I32", tokens.to(torch.int32).numpy())
    t["targets"] = ("I32", targets.to(torch.int32).numpy())
    t["logits"] = ("F32", logits.float().numpy())
    t["loss"] = ("F32", loss.reshape(1).float().numpy())
    return t


# ----------------------------------------------------------------------------------------------
# RoPE table cases
# ----------------------------------------------------------------------------------------------

def rope_cases():
    """{case: {theta, head_dim, rotary_dim (0 = head_dim), seq_len (0 = unused), scaling}}, where
    scaling is the case's model.position.scaling block with Ablate's YAML keys; a key it omits
    takes Ablate's default (SCALING_DEFAULTS) and M = its original_context (each type that uses M
    names it)."""
    def case(scaling_block, theta=10000.0, head_dim=64, rotary_dim=0, seq_len=0):
        return {"theta": theta, "head_dim": head_dim, "rotary_dim": rotary_dim, "seq_len": seq_len,
                "scaling": scaling_block}

    def yarn(factor, original_context=2048, **extra):
        return dict({"type": "yarn", "factor": factor, "original_context": original_context}, **extra)

    def longrope(factor, original_context, n, **extra):
        # Dyadic values (exact in float32, as HF stores the lists).
        return dict({"type": "longrope", "factor": factor, "original_context": original_context,
                     "short_factor": [1 + i / 64 for i in range(n)],
                     "long_factor": [1 + 3 * i / 32 for i in range(n)]}, **extra)

    c = {}
    c["none"] = case({"type": "none"})
    c["linear_f4"] = case({"type": "linear", "factor": 4.0})
    c["ntk_f4"] = case({"type": "ntk", "factor": 4.0})
    c["dynamic_ntk_f4_s1024"] = case({"type": "dynamic_ntk", "factor": 4.0, "original_context": 2048},
                                     seq_len=1024)
    c["dynamic_ntk_f4_s8192"] = case({"type": "dynamic_ntk", "factor": 4.0, "original_context": 2048},
                                     seq_len=8192)
    c["yarn_f4"] = case(yarn(4.0))
    c["yarn_f8_theta500k_b16_2"] = case(yarn(8.0, 4096, beta_fast=16.0, beta_slow=2.0), theta=500000.0)
    c["yarn_f4_mscale"] = case(yarn(4.0, mscale=1.0, mscale_all_dim=0.5))
    c["yarn_f4_attnfactor"] = case(yarn(4.0, attention_factor=1.25))
    c["yarn_f4_rd32"] = case(yarn(4.0), rotary_dim=32)
    c["ntk_f8_rd32_theta500k"] = case({"type": "ntk", "factor": 8.0}, theta=500000.0, rotary_dim=32)
    c["linear_f1"] = case({"type": "linear", "factor": 1.0})
    # Llama 3.1 (config.json of Meta-Llama-3.1-8B): theta 5e5, head_dim 128, factor 8, M 8192.
    c["llama3_llama31"] = case({"type": "llama3", "factor": 8.0, "original_context": 8192,
                                "low_freq_factor": 1.0, "high_freq_factor": 4.0},
                               theta=500000.0, head_dim=128)
    # Short M, so that all three bands occur: dims 0-1 kept, 2-4 blended, 5-15 divided (and
    # low/high_freq_factor left at their defaults 1 and 4).
    c["llama3_f4_m64_bands"] = case({"type": "llama3", "factor": 4.0, "original_context": 64},
                                    head_dim=32)
    # Other band edges (M/8 = 32 and M/2 = 128), partial rotary: dims 0-1 kept, 2 blended, 3-7 divided.
    c["llama3_f16_lf2_hf8_m256_rd16"] = case({"type": "llama3", "factor": 16.0, "original_context": 256,
                                              "low_freq_factor": 2.0, "high_freq_factor": 8.0},
                                             rotary_dim=16)
    # longrope picks the long factors only when seq_len > M (seq_len == M: short).
    c["longrope_f4_s2048_short"] = case(longrope(4.0, 2048, 32), seq_len=2048)
    c["longrope_f4_s2049_long"] = case(longrope(4.0, 2048, 32), seq_len=2049)
    c["longrope_f4_s0_short"] = case(longrope(4.0, 2048, 32))
    c["longrope_f4_attnfactor_long"] = case(longrope(4.0, 2048, 32, attention_factor=1.5), seq_len=8192)
    c["longrope_f1_s1024_short"] = case(longrope(1.0, 2048, 32), seq_len=1024)
    # Phi-3-mini-128k's shape: M 4096, factor 32 (= 131072 / 4096); here with partial rotary.
    c["longrope_f32_rd32_long"] = case(longrope(32.0, 4096, 16), rotary_dim=32, seq_len=131072)
    return c


def rope_case_values(p):
    d = p["rotary_dim"] or p["head_dim"]
    return rope_inv_freq(p["theta"], d, p["scaling"], p["scaling"].get("original_context", 0),
                         p["seq_len"])


# ----------------------------------------------------------------------------------------------
# Self-checks
# ----------------------------------------------------------------------------------------------

def check_file(path, expected, expected_meta):
    got, meta = read_safetensors(path)
    assert set(got) == set(expected), (path, set(got) ^ set(expected))
    for k, (dtype, arr) in expected.items():
        a = np.asarray(arr, dtype=_DTYPES[dtype])
        assert got[k].dtype == a.dtype and got[k].shape == a.shape, (path, k)
        assert np.array_equal(got[k], a), (path, k)
    assert meta == {str(k): str(v) for k, v in expected_meta.items()}, path


def finite_difference_check(name, cfg, B, T, pname, idxs, h=1e-5):
    params, tokens, targets, _, _, grads = build_preset(name, cfg, B, T)
    worst = 0.0
    for idx in idxs:
        def loss_at(delta):
            p = dict(params)
            w = p[pname].clone()
            w[idx] += delta
            p[pname] = w
            with torch.no_grad():
                return loss_fn(forward(cfg, p, tokens), targets).item()
        fd = (loss_at(h) - loss_at(-h)) / (2 * h)
        ag = grads[pname][idx].item()
        rel = abs(fd - ag) / max(abs(ag), 1e-8)
        worst = max(worst, rel)
        print("  fd-check %-10s %s%s: autograd % .10e  fd % .10e  rel %.2e"
              % (name, pname, list(idx), ag, fd, rel))
        assert abs(fd - ag) <= 1e-6 * abs(ag) + 1e-10, "finite-difference mismatch"
    return worst


def rope_sanity(cases, values):
    # Relations that must hold regardless of implementation details.
    none = values["none"][0]
    assert torch.allclose(values["linear_f1"][0], none, rtol=0, atol=0)
    assert torch.allclose(values["dynamic_ntk_f4_s1024"][0], none, rtol=1e-15, atol=0)
    assert torch.allclose(values["linear_f4"][0], none / 4, rtol=1e-15, atol=0)
    y = values["yarn_f4"][0]
    assert abs(y[0].item() - none[0].item()) < 1e-15  # highest frequency extrapolated
    assert abs(y[-1].item() - none[-1].item() / 4) < 1e-18  # lowest frequency interpolated
    assert abs(values["yarn_f4"][1] - (0.1 * math.log(4) + 1)) < 1e-15
    assert values["yarn_f4_attnfactor"][1] == 1.25
    llama3_sanity(cases, values)
    longrope_sanity(cases, values)
    for k, p in cases.items():
        d = p["rotary_dim"] or p["head_dim"]
        assert values[k][0].shape == (d // 2,), k


def llama3_sanity(cases, values):
    # The bands, counted from the wavelength 2*pi*theta^(2i/d) in log space (dimension i is kept
    # below i = (d/2) ln(M/(high_ff 2 pi)) / ln theta and divided above the same with low_ff), and
    # checked against the dimensions counted by hand in rope_cases' comments.
    hand = {"llama3_llama31": (29, 6, 29), "llama3_f4_m64_bands": (2, 3, 11),
            "llama3_f16_lf2_hf8_m256_rd16": (2, 1, 5)}
    for k, counts in hand.items():
        p, (inv, af) = cases[k], values[k]
        sc = dict(SCALING_DEFAULTS, **p["scaling"])
        d, M, s = p["rotary_dim"] or p["head_dim"], sc["original_context"], sc["factor"]
        default = _default_inv_freq(p["theta"], d)
        kept_below = (d / 2) * math.log(M / (sc["high_freq_factor"] * 2 * math.pi)) / math.log(p["theta"])
        divided_above = (d / 2) * math.log(M / (sc["low_freq_factor"] * 2 * math.pi)) / math.log(p["theta"])
        kept = [i for i in range(d // 2) if i < kept_below]
        divided = [i for i in range(d // 2) if i > divided_above]
        assert (len(kept), d // 2 - len(kept) - len(divided), len(divided)) == counts, k
        for i in kept:
            assert inv[i].item() == default[i].item(), (k, i)
        for i in divided:
            assert abs(inv[i].item() - default[i].item() / s) <= 1e-16 * default[i].item(), (k, i)
        for i in range(len(kept), d // 2 - len(divided)):  # blended: strictly between the two
            assert default[i].item() / s < inv[i].item() < default[i].item(), (k, i)
        assert af == 1.0, k
    # Blended dimensions worked by hand: llama3_f4_m64_bands dim 2: inv 1e4^(-1/8) = 0.31622777,
    # wavelength 19.869177, 64 / 19.869177 = 3.221070 turns, smooth (3.221070 - 1) / 3 = 0.740357,
    # 0.31622777 * (0.740357 + 0.259643 / 4) = 0.254648.  Llama 3.1 dim 32: inv 5e5^(-1/2) =
    # 0.00141421, wavelength 4442.88, 8192 / 4442.88 = 1.843849 turns, smooth 0.281283,
    # 0.00141421 * (0.281283 + 0.718717 / 8) = 0.000524846.
    assert abs(values["llama3_f4_m64_bands"][0][2].item() - 0.254648) < 2e-6
    assert abs(values["llama3_llama31"][0][32].item() / 0.000524846 - 1) < 1e-5


def longrope_sanity(cases, values):
    for k, p in cases.items():
        sc = p["scaling"]
        if sc["type"] != "longrope":
            continue
        d = p["rotary_dim"] or p["head_dim"]
        default = _default_inv_freq(p["theta"], d)
        ext = sc["long_factor"] if k.endswith("_long") else sc["short_factor"]
        assert torch.allclose(values[k][0], default / torch.tensor(ext, dtype=F64), rtol=1e-15, atol=0), k
    # Attention factors by hand: sqrt(1 + ln 4 / ln 2048) = sqrt(1 + 2/11) = sqrt(13/11);
    # sqrt(1 + ln 32 / ln 4096) = sqrt(1 + 5/12) = sqrt(17/12); factor 1 -> 1; given 1.5.
    for k in ("longrope_f4_s2048_short", "longrope_f4_s2049_long", "longrope_f4_s0_short"):
        assert abs(values[k][1] - math.sqrt(13 / 11)) < 1e-15, k
    assert abs(values["longrope_f32_rd32_long"][1] - math.sqrt(17 / 12)) < 1e-15
    assert values["longrope_f1_s1024_short"][1] == 1.0
    assert values["longrope_f4_attnfactor_long"][1] == 1.5


# ----------------------------------------------------------------------------------------------

def main():
    torch.manual_seed(0)
    os.makedirs(OUT_DIR, exist_ok=True)
    written = {}

    for name, (cfg, B, T) in presets().items():
        params, tokens, targets, logits, loss, grads = build_preset(name, cfg, B, T)
        tensors = preset_tensors(params, tokens, targets, logits, loss, grads)
        meta = {"preset": name, "model": json.dumps(cfg)}
        path = os.path.join(OUT_DIR, name + ".safetensors")
        write_safetensors(path, tensors, meta)
        written[path] = (tensors, meta)
        print("%-12s B=%d T=%d hidden=%d loss=%.6f params=%d -> %s (%d bytes)"
              % (name, B, T, mlp_hidden(cfg), loss.item(), len(params),
                 os.path.relpath(path), os.path.getsize(path)))

    cases = rope_cases()
    values = {k: rope_case_values(p) for k, p in cases.items()}
    rope_sanity(cases, values)
    tensors = {}
    for k, (inv, af) in values.items():
        tensors["inv_freq." + k] = ("F32", inv.float().numpy())
        tensors["attention_factor." + k] = ("F32", np.array([af], dtype=np.float32))
    meta = {"cases": json.dumps(cases)}
    path = os.path.join(OUT_DIR, "rope_tables.safetensors")
    write_safetensors(path, tensors, meta)
    written[path] = (tensors, meta)
    print("rope_tables  %d cases -> %s (%d bytes)"
          % (len(cases), os.path.relpath(path), os.path.getsize(path)))

    # Self-check 1: reload everything with our own reader.
    for path, (tensors, meta) in written.items():
        check_file(path, tensors, meta)
        assert os.path.getsize(path) < 300 * 1024, path + " is over 300 KB"
    print("reload check: OK (%d files)" % len(written))

    # Self-check 2: autograd vs float64 central finite differences.
    P = presets()
    finite_difference_check("llama", *P["llama"], "model.layers.0.self_attn.q_proj.weight",
                            [(0, 0), (5, 17), (31, 3)])
    finite_difference_check("gpt2", *P["gpt2"], "model.embed_tokens.weight",
                            [(3, 7), (40, 0)])
    finite_difference_check("yarn", *P["yarn"], "model.layers.1.self_attn.k_proj.weight",
                            [(0, 1), (2, 9), (7, 30)])
    finite_difference_check("llama3", *P["llama3"], "model.layers.0.self_attn.k_proj.weight",
                            [(0, 2), (3, 11)])
    finite_difference_check("longrope", *P["longrope"], "model.layers.1.self_attn.q_proj.weight",
                            [(1, 4), (6, 20)])
    print("finite-difference check: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
