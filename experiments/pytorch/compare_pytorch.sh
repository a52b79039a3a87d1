#!/bin/bash
# Ablate vs PyTorch CPU eager (experiments/pytorch/pytorch_baseline.py) on the same model and shapes, in
# one invocation: `ablate bench CONFIG`, then the PyTorch baseline built from the first bench model
# of the resulting bench.json (or $MODEL), on the same thread count, once per precision the bench
# measured (bench.precisions: fp32 plain, bf16 under torch.autocast); prints both and the ratios
# Ablate / PyTorch for training tokens/s and prefill tokens/s (at the largest prefill context).
#
#   experiments/pytorch/compare_pytorch.sh [CONFIG] [THREADS]
#     CONFIG   default configs/bench/llama_6x512.yaml (the model must be Llama-style: rmsnorm,
#              swiglu, rope, no biases, untied lm_head, as the baseline builds only that)
#     THREADS  default: every core
#   env: ABLATE (binary, default build/ablate), PYTHON (default /usr/bin/python3: Debian's torch),
#        MODEL (bench model to compare), OUT (folder for bench.json, pytorch_fp32.json, pytorch_bf16.json; default a temp dir),
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
precisions=$("$python" -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["bench"].get("precisions", ["fp32"])))' "$out/bench.json")
for precision in $precisions; do
  echo "pytorch_baseline.py $baseline_args --threads $threads --precision $precision" >&2
  LD_LIBRARY_PATH="${BASELINE_LD_LIBRARY_PATH:+$BASELINE_LD_LIBRARY_PATH:}${LD_LIBRARY_PATH:-}" \
    OMP_NUM_THREADS="$threads" OPENBLAS_NUM_THREADS="$threads" "$python" "$root/experiments/pytorch/pytorch_baseline.py" \
    $baseline_args --threads "$threads" --precision "$precision" > "$out/pytorch_$precision.json"
done
echo "load average after: $(cat /proc/loadavg)" >&2
echo "files: $out/bench.json, $out/pytorch_{$(echo $precisions | tr ' ' ,)}.json" >&2

"$python" - "$out/bench.json" $(for p in $precisions; do echo "$out/pytorch_$p.json"; done) <<'EOF'
import json, sys
result = json.load(open(sys.argv[1]))
bench = result["bench"]
print("%d threads, CPU %s, oneDNN ISA %s" % (bench["threads"], result["machine"]["cpu"], bench.get("onednn_isa", "?")))
print("%-30s %12s %12s %8s" % ("tokens/s (median)", "Ablate", "PyTorch", "ratio"))
rows = []
for path in sys.argv[2:]:
    torch = json.load(open(path))
    precision = torch.get("precision", "fp32")
    m = next(m for m in bench["models"] if m["name"] == torch["model_name"] and m.get("precision", "fp32") == precision)
    prefill = next(p for p in m["prefill"] if p["context"] == torch["prefill"]["context"])
    peak = bench["matmul_bf16_peak_gflops" if precision == "bf16" else "matmul_peak_gflops"]
    print("%s %s: PyTorch %s (%s, matmul %.1f GFLOP/s), Ablate matmul %.1f GFLOP/s"
          % (m["name"], precision, torch["torch"], "BLAS " + torch["blas"] if precision == "fp32" else "oneDNN via autocast",
             torch["matmul_gflops"], peak))
    row = {"model": m["name"], "precision": precision,
           "train_ratio": m["train_tokens_per_second"] / torch["train_tokens_per_second"],
           "prefill_ratio": prefill["tokens_per_second"] / torch["prefill"]["tokens_per_second"],
           "ablate_train_tokens_per_second": m["train_tokens_per_second"],
           "pytorch_train_tokens_per_second": torch["train_tokens_per_second"],
           "ablate_prefill_tokens_per_second": prefill["tokens_per_second"],
           "pytorch_prefill_tokens_per_second": torch["prefill"]["tokens_per_second"]}
    print("%-30s %12.1f %12.1f %7.2fx" % ("%s train B=%d T=%d" % (precision, m["train_batch_size"], m["train_context"]),
          m["train_tokens_per_second"], torch["train_tokens_per_second"], row["train_ratio"]))
    print("%-30s %12.1f %12.1f %7.2fx" % ("%s prefill T=%d" % (precision, prefill["context"]), prefill["tokens_per_second"],
          torch["prefill"]["tokens_per_second"], row["prefill_ratio"]))
    rows.append(row)
print(json.dumps(rows))
EOF
