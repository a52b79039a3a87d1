#!/bin/bash
# Ablate vs PyTorch CPU eager (experiments/pytorch/pytorch_baseline.py) on the same model and shapes, in
# one invocation: `ablate bench CONFIG`, then the PyTorch baseline built from the first bench model
# of the resulting bench.json (or $MODEL), on the same thread count; prints both and the ratios
# Ablate / PyTorch for training tokens/s and prefill tokens/s (at the largest prefill context).
#
#   experiments/pytorch/compare_pytorch.sh [CONFIG] [THREADS]
#     CONFIG   default configs/bench/llama_6x512.yaml (the model must be Llama-style: rmsnorm,
#              swiglu, rope, no biases, untied lm_head, as the baseline builds only that)
#     THREADS  default: every core
#   env: ABLATE (binary, default build/ablate), PYTHON (default /usr/bin/python3: Debian's torch),
#        MODEL (bench model to compare), OUT (folder for bench.json, pytorch.json; default a temp dir),
#        BASELINE_LD_LIBRARY_PATH (prepended to LD_LIBRARY_PATH for PyTorch only, e.g. a folder
#        with another libblas.so.3: Debian's torch calls whatever libblas.so.3 it loads, by
#        default the netlib reference BLAS). OMP_NUM_THREADS and OPENBLAS_NUM_THREADS are set to
#        THREADS for the baseline.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
config=${1:-$root/configs/bench/llama_6x512.yaml}
threads=${2:-$(nproc)}
ablate=${ABLATE:-$root/build/ablate}
python=${PYTHON:-/usr/bin/python3}
out=${OUT:-$(mktemp -d)}
mkdir -p "$out"

echo "load average before: $(cat /proc/loadavg)" >&2
"$ablate" bench "$config" -o "$out" --threads "$threads" | tee "$out/ablate.txt" >&2

baseline_args=$("$python" - "$out/bench.json" "${MODEL:-}" <<'EOF'
import json, sys
bench = json.load(open(sys.argv[1]))["bench"]
models = bench["models"]
m = next((m for m in models if m["name"] == sys.argv[2]), None) if sys.argv[2] else models[0]
if m is None:
    sys.exit("compare_pytorch: no bench model named %r (have: %s)" % (sys.argv[2], ", ".join(x["name"] for x in models)))
c = m["model"]
llama = (c["norm"]["type"], c["mlp"]["type"], c["position"]["type"], c["bias"], c["tie_embeddings"],
         c["position"]["scaling"]["type"], c["position"]["rotary_dim"])
if llama != ("rmsnorm", "swiglu", "rope", False, False, "none", 0):
    sys.exit("compare_pytorch: the baseline builds only Llama-style models (rmsnorm, swiglu, rope without "
             "scaling, no bias, untied lm_head); model %r is %r" % (m["name"], llama))
if not m["prefill"]:
    sys.exit("compare_pytorch: bench.prefill_contexts is empty")
config = json.load(open(sys.argv[1]))["config"]["bench"]
print(" ".join("--%s %s" % kv for kv in [
    ("vocab", c["vocab_size"]), ("d-model", c["d_model"]), ("n-layers", c["n_layers"]),
    ("n-heads", c["attention"]["n_heads"]), ("n-kv-heads", c["attention"]["n_kv_heads"]),
    ("hidden", c["mlp"]["hidden"]), ("theta", c["position"]["theta"]), ("eps", c["norm"]["eps"]),
    ("batch-size", m["train_batch_size"]), ("train-context", m["train_context"]),
    ("prefill-context", max(p["context"] for p in m["prefill"])), ("warmup", config["warmup"]),
    ("repeats", config["repeats"]), ("matmul-size", config["matmul_size"]), ("model-name", m["name"])]))
EOF
)
echo "pytorch_baseline.py $baseline_args --threads $threads" >&2
LD_LIBRARY_PATH="${BASELINE_LD_LIBRARY_PATH:+$BASELINE_LD_LIBRARY_PATH:}${LD_LIBRARY_PATH:-}" \
  OMP_NUM_THREADS="$threads" OPENBLAS_NUM_THREADS="$threads" "$python" "$root/experiments/pytorch/pytorch_baseline.py" $baseline_args --threads "$threads" > "$out/pytorch.json"
echo "load average after: $(cat /proc/loadavg)" >&2
echo "files: $out/bench.json, $out/pytorch.json" >&2

"$python" - "$out/bench.json" "$out/pytorch.json" <<'EOF'
import json, sys
result = json.load(open(sys.argv[1]))
torch = json.load(open(sys.argv[2]))
m = next(m for m in result["bench"]["models"] if m["name"] == torch["model_name"])
prefill = next(p for p in m["prefill"] if p["context"] == torch["prefill"]["context"])
train_ratio = m["train_tokens_per_second"] / torch["train_tokens_per_second"]
prefill_ratio = prefill["tokens_per_second"] / torch["prefill"]["tokens_per_second"]
print("model %s, %d threads; PyTorch %s (BLAS %s, matmul %.1f GFLOP/s), Ablate matmul %.1f GFLOP/s"
      % (m["name"], result["bench"]["threads"], torch["torch"], torch["blas"], torch["matmul_gflops"],
         result["bench"]["matmul_peak_gflops"]))
print("%-22s %14s %14s %8s" % ("tokens/s (median)", "Ablate", "PyTorch", "ratio"))
print("%-22s %14.1f %14.1f %7.2fx" % ("train B=%d T=%d" % (m["train_batch_size"], m["train_context"]),
      m["train_tokens_per_second"], torch["train_tokens_per_second"], train_ratio))
print("%-22s %14.1f %14.1f %7.2fx" % ("prefill T=%d" % prefill["context"], prefill["tokens_per_second"],
      torch["prefill"]["tokens_per_second"], prefill_ratio))
print(json.dumps({"model": m["name"], "train_ratio": train_ratio, "prefill_ratio": prefill_ratio,
                  "ablate_train_tokens_per_second": m["train_tokens_per_second"],
                  "pytorch_train_tokens_per_second": torch["train_tokens_per_second"],
                  "ablate_prefill_tokens_per_second": prefill["tokens_per_second"],
                  "pytorch_prefill_tokens_per_second": torch["prefill"]["tokens_per_second"]}))
EOF
