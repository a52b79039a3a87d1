#!/bin/bash
# Ablate vs PyTorch CPU eager (experiments/pytorch/pytorch_baseline.py) on the same model and shapes, in
# one invocation: `ablate bench CONFIG`, then the PyTorch baseline built from the first bench model
# of the resulting bench.json (or $MODEL), on the same thread count, once per precision the bench
# measured (bench.precisions: fp32 plain, bf16 under torch.autocast); prints both and the ratios
# Ablate / PyTorch for training tokens/s and prefill tokens/s (at the largest prefill context).
# With ROUNDS=R > 1 it does this R times in turn (Ablate, PyTorch, Ablate, PyTorch, ...) and
# prints each round's ratios and their median and range: on a shared VM both sides' figures move
# by 20% between minutes, and a pair measured back to back moves together, so the per-round ratio
# is steadier than one run's.
#
#   experiments/pytorch/compare_pytorch.sh [CONFIG] [THREADS]
#     CONFIG   default configs/bench/llama_6x512.yaml (the model must be Llama-style: rmsnorm,
#              swiglu, rope, no biases, untied lm_head, as the baseline builds only that)
#     THREADS  default: every core
#   env: ABLATE (binary, default build/ablate), PYTHON (default /usr/bin/python3: Debian's torch),
#        MODEL (bench model to compare), OUT (folder for bench.json, pytorch_fp32.json, pytorch_bf16.json; default a temp dir),
#        BASELINE_LD_LIBRARY_PATH (prepended to LD_LIBRARY_PATH for PyTorch only, e.g. a folder
#        with another libblas.so.3: Debian's torch calls whatever libblas.so.3 it loads, by
#        default the netlib reference BLAS), ROUNDS (default 1; round K's files go to OUT/round_K).
#        OMP_NUM_THREADS and OPENBLAS_NUM_THREADS are set to THREADS for the baseline.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
config=${1:-$root/configs/bench/llama_6x512.yaml}
threads=${2:-$(nproc)}
ablate=${ABLATE:-$root/build/ablate}
python=${PYTHON:-/usr/bin/python3}
out=${OUT:-$(mktemp -d)}
rounds=${ROUNDS:-1}
case "$rounds" in ''|*[!0-9]*|0) echo "compare_pytorch: ROUNDS must be a positive integer, not '$rounds'" >&2; exit 2;; esac
mkdir -p "$out"

# Each round: `ablate bench`, then the baseline in each precision the bench measured. (The loop's
# body is not indented: it holds here-documents.)
round_dirs=()
for round in $(seq 1 "$rounds"); do
dir=$out
if [ "$rounds" -gt 1 ]; then dir=$out/round_$round; echo "compare_pytorch: round $round of $rounds" >&2; fi
mkdir -p "$dir"
round_dirs+=("$dir")
echo "load average before: $(cat /proc/loadavg)" >&2
"$ablate" bench "$config" -o "$dir" --threads "$threads" | tee "$dir/ablate.txt" >&2

baseline_args=$("$python" - "$dir/bench.json" "${MODEL:-}" <<'EOF'
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
precisions=$("$python" -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["bench"].get("precisions", ["fp32"])))' "$dir/bench.json")
for precision in $precisions; do
  echo "pytorch_baseline.py $baseline_args --threads $threads --precision $precision" >&2
  LD_LIBRARY_PATH="${BASELINE_LD_LIBRARY_PATH:+$BASELINE_LD_LIBRARY_PATH:}${LD_LIBRARY_PATH:-}" \
    OMP_NUM_THREADS="$threads" OPENBLAS_NUM_THREADS="$threads" "$python" "$root/experiments/pytorch/pytorch_baseline.py" \
    $baseline_args --threads "$threads" --precision "$precision" > "$dir/pytorch_$precision.json"
done
echo "load average after: $(cat /proc/loadavg)" >&2
echo "files: $dir/bench.json, $dir/pytorch_{$(echo $precisions | tr ' ' ,)}.json" >&2

done

"$python" "$root/experiments/pytorch/compare_summary.py" "${round_dirs[@]}"
