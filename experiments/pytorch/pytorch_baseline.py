#!/usr/bin/python3
"""PyTorch CPU eager baseline for `ablate bench`: the same Llama-style model, the same shapes.

Decoder-only Transformer, fp32, eager: token embedding, n_layers pre-norm blocks of
RMSNorm -> causal attention with RoPE (Hugging Face rotate_half layout; GQA/MQA by repeating K/V
heads) -> residual, RMSNorm -> SwiGLU MLP (down(silu(gate(x)) * up(x))) -> residual, final RMSNorm,
untied lm_head; no biases. torch 1.13 has no fused scaled_dot_product_attention, so attention is
softmax(q kᵀ / √D + causal mask) v with the T×T scores materialised (what eager PyTorch did then).

Measured, each with `warmup` untimed and `repeats` timed runs (median, min, max of tokens/s):
  train    B·T tokens / (forward + cross-entropy + backward + clip_grad_norm_(1.0) + AdamW step)
           (AdamW lr 1e-4, betas (0.9, 0.95), weight decay 0.1: Ablate's AdamWConfig defaults)
  prefill  T tokens / one forward of B = 1 under torch.no_grad()
  matmul   best GFLOP/s of an n×n×n torch.mm (what this torch's BLAS delivers; in bf16, of bf16
           tensors: oneDNN's bf16 GEMM inside torch)
--precision bf16 runs forward and loss under torch.autocast("cpu", dtype=torch.bfloat16) (the
mixed precision a PyTorch user turns on: linear layers and matmuls in bf16 through oneDNN, fp32
master weights and AdamW), as Ablate's `precision: bf16` does.
Threads: torch.set_num_threads(--threads) (intra-op; inter-op threads set to 1).
Prints one JSON object on stdout. Used by experiments/pytorch/compare_pytorch.sh.
"""
import argparse
import json
import math
import re
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class RMSNorm(nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rotate_half(x):
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat((-x2, x1), dim=-1)


class Attention(nn.Module):
    def __init__(self, d, n_heads, n_kv_heads):
        super().__init__()
        self.h, self.hkv, self.dh = n_heads, n_kv_heads, d // n_heads
        self.q_proj = nn.Linear(d, n_heads * self.dh, bias=False)
        self.k_proj = nn.Linear(d, n_kv_heads * self.dh, bias=False)
        self.v_proj = nn.Linear(d, n_kv_heads * self.dh, bias=False)
        self.o_proj = nn.Linear(n_heads * self.dh, d, bias=False)

    def forward(self, x, cos, sin, mask):
        B, T, _ = x.shape
        q = self.q_proj(x).view(B, T, self.h, self.dh).transpose(1, 2)
        k = self.k_proj(x).view(B, T, self.hkv, self.dh).transpose(1, 2)
        v = self.v_proj(x).view(B, T, self.hkv, self.dh).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        if self.hkv != self.h:
            k = k.repeat_interleave(self.h // self.hkv, dim=1)
            v = v.repeat_interleave(self.h // self.hkv, dim=1)
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.dh) + mask
        o = torch.softmax(scores, dim=-1) @ v
        return self.o_proj(o.transpose(1, 2).reshape(B, T, self.h * self.dh))


class SwiGLU(nn.Module):
    def __init__(self, d, hidden):
        super().__init__()
        self.gate_proj = nn.Linear(d, hidden, bias=False)
        self.up_proj = nn.Linear(d, hidden, bias=False)
        self.down_proj = nn.Linear(hidden, d, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class Block(nn.Module):
    def __init__(self, a):
        super().__init__()
        self.input_layernorm = RMSNorm(a.d_model, a.eps)
        self.self_attn = Attention(a.d_model, a.n_heads, a.n_kv_heads)
        self.post_attention_layernorm = RMSNorm(a.d_model, a.eps)
        self.mlp = SwiGLU(a.d_model, a.hidden)

    def forward(self, x, cos, sin, mask):
        h = x + self.self_attn(self.input_layernorm(x), cos, sin, mask)
        return h + self.mlp(self.post_attention_layernorm(h))


class Llama(nn.Module):
    def __init__(self, a):
        super().__init__()
        self.embed_tokens = nn.Embedding(a.vocab, a.d_model)
        self.layers = nn.ModuleList(Block(a) for _ in range(a.n_layers))
        self.norm = RMSNorm(a.d_model, a.eps)
        self.lm_head = nn.Linear(a.d_model, a.vocab, bias=False)
        self.dh, self.theta = a.d_model // a.n_heads, a.theta
        for p in self.parameters():
            if p.dim() == 2:
                nn.init.normal_(p, std=0.02)

    def forward(self, tokens):
        T = tokens.shape[1]
        inv_freq = 1.0 / (self.theta ** (torch.arange(0, self.dh, 2, dtype=torch.float32) / self.dh))
        freqs = torch.outer(torch.arange(T, dtype=torch.float32), inv_freq)
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos(), emb.sin()
        mask = torch.full((T, T), float("-inf")).triu(1)
        x = self.embed_tokens(tokens)
        for layer in self.layers:
            x = layer(x, cos, sin, mask)
        return self.lm_head(self.norm(x))


def time_rate(warmup, repeats, units, run):
    for _ in range(warmup):
        run()
    rates = []
    for _ in range(repeats):
        t = time.perf_counter()
        run()
        rates.append(units / (time.perf_counter() - t))
    return {"tokens_per_second": statistics.median(rates), "min": min(rates), "max": max(rates)}


def matmul_gflops(n, repeats, dtype):
    a, b = torch.randn(n, n).to(dtype), torch.randn(n, n).to(dtype)
    torch.mm(a, b)
    best = 0.0
    for _ in range(max(repeats, 3)):
        t = time.perf_counter()
        torch.mm(a, b)
        best = max(best, 2.0 * n ** 3 / (time.perf_counter() - t) / 1e9)
    return best


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--vocab", type=int, default=256)
    p.add_argument("--d-model", type=int, default=512)
    p.add_argument("--n-layers", type=int, default=6)
    p.add_argument("--n-heads", type=int, default=8)
    p.add_argument("--n-kv-heads", type=int, default=8)
    p.add_argument("--hidden", type=int, default=1368, help="SwiGLU hidden size (Ablate's auto size for d=512)")
    p.add_argument("--theta", type=float, default=10000.0)
    p.add_argument("--eps", type=float, default=1e-5)
    p.add_argument("--batch-size", type=int, default=4)
    p.add_argument("--train-context", type=int, default=256)
    p.add_argument("--prefill-context", type=int, default=1024)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--matmul-size", type=int, default=1024)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--model-name", default="mha", help="echoed in the output (which bench model this mirrors)")
    p.add_argument("--precision", choices=["fp32", "bf16"], default="fp32",
                   help="bf16: torch.autocast('cpu', dtype=torch.bfloat16) around forward and loss")
    a = p.parse_args()

    torch.manual_seed(a.seed)
    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    model = Llama(a)
    n_params = sum(p.numel() for p in model.parameters())
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.1)

    B, T = a.batch_size, a.train_context
    inputs = torch.randint(0, a.vocab, (B, T))
    targets = torch.randint(0, a.vocab, (B, T))

    bf16 = a.precision == "bf16"

    def train_step():
        optimizer.zero_grad(set_to_none=False)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            logits = model(inputs)
            loss = F.cross_entropy(logits.view(-1, a.vocab), targets.view(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()

    train = time_rate(a.warmup, a.repeats, B * T, train_step)
    prompt = torch.randint(0, a.vocab, (1, a.prefill_context))

    def prefill():
        with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            model(prompt)

    prefill_rate = time_rate(a.warmup, a.repeats, a.prefill_context, prefill)
    prefill_rate["context"] = a.prefill_context
    print(json.dumps({
        "model_name": a.model_name,
        "precision": a.precision,
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "parameters": n_params,
        "matmul_gflops": matmul_gflops(a.matmul_size, a.repeats, torch.bfloat16 if bf16 else torch.float32),
        "blas": (re.findall(r"BLAS_INFO=(\w+)", torch.__config__.show()) or ["unknown"])[0],
        "train_batch_size": B,
        "train_context": T,
        "train_tokens_per_second": train["tokens_per_second"],
        "train_tokens_per_second_min": train["min"],
        "train_tokens_per_second_max": train["max"],
        "prefill": prefill_rate,
    }, indent=2))


if __name__ == "__main__":
    main()
