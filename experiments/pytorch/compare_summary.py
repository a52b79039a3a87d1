#!/usr/bin/env python3
"""Ablate / PyTorch ratios of the rounds of experiments/pytorch/compare_pytorch.sh.

    compare_summary.py DIR [DIR ...]

Each DIR holds one round: bench.json (`ablate bench`) and pytorch_PRECISION.json
(pytorch_baseline.py) for each precision measured. Prints each round's tokens/s and ratios for
training and prefill (at the baseline's prefill context); with more than one round, also each
ratio's median and range over the rounds (the ratio is taken per round, Ablate against the
PyTorch run right after it). The last line is the rows as JSON.
"""
import json
import os
import statistics
import sys


def round_rows(folder):
    result = json.load(open(os.path.join(folder, "bench.json")))
    bench = result["bench"]
    print("%s: %d threads, CPU %s, oneDNN ISA %s" % (folder, bench["threads"], result["machine"]["cpu"],
                                                     bench.get("onednn_isa", "?")))
    print("%-30s %12s %12s %8s" % ("tokens/s (median)", "Ablate", "PyTorch", "ratio"))
    rows = []
    for precision in bench.get("precisions", ["fp32"]):
        path = os.path.join(folder, "pytorch_%s.json" % precision)
        torch = json.load(open(path))
        m = next(m for m in bench["models"]
                 if m["name"] == torch["model_name"] and m.get("precision", "fp32") == precision)
        prefill = next(p for p in m["prefill"] if p["context"] == torch["prefill"]["context"])
        peak = bench["matmul_bf16_peak_gflops" if precision == "bf16" else "matmul_peak_gflops"]
        print("%s %s: PyTorch %s (%s, matmul %.1f GFLOP/s), Ablate matmul %.1f GFLOP/s"
              % (m["name"], precision, torch["torch"],
                 "BLAS " + torch["blas"] if precision == "fp32" else "oneDNN via autocast",
                 torch["matmul_gflops"], peak))
        row = {"model": m["name"], "precision": precision,
               "train_ratio": m["train_tokens_per_second"] / torch["train_tokens_per_second"],
               "prefill_ratio": prefill["tokens_per_second"] / torch["prefill"]["tokens_per_second"],
               "ablate_train_tokens_per_second": m["train_tokens_per_second"],
               "pytorch_train_tokens_per_second": torch["train_tokens_per_second"],
               "ablate_prefill_tokens_per_second": prefill["tokens_per_second"],
               "pytorch_prefill_tokens_per_second": torch["prefill"]["tokens_per_second"]}
        print("%-30s %12.1f %12.1f %7.2fx" % ("%s train B=%d T=%d" % (precision, m["train_batch_size"],
                                                                     m["train_context"]),
              row["ablate_train_tokens_per_second"], row["pytorch_train_tokens_per_second"], row["train_ratio"]))
        print("%-30s %12.1f %12.1f %7.2fx" % ("%s prefill T=%d" % (precision, prefill["context"]),
              row["ablate_prefill_tokens_per_second"], row["pytorch_prefill_tokens_per_second"],
              row["prefill_ratio"]))
        rows.append(row)
    return rows


def main(folders):
    rounds = [round_rows(folder) for folder in folders]
    if len(rounds) == 1:
        print(json.dumps(rounds[0]))
        return
    print("over %d rounds (ratio per round; median [min, max])" % len(rounds))
    summary = []
    for i, first in enumerate(rounds[0]):
        row = {"model": first["model"], "precision": first["precision"], "rounds": [r[i] for r in rounds]}
        for key in ("train", "prefill"):
            ratios = [r[i]["%s_ratio" % key] for r in rounds]
            row["%s_ratio" % key] = statistics.median(ratios)
            row["%s_ratio_min" % key], row["%s_ratio_max" % key] = min(ratios), max(ratios)
            print("%s %s %-8s %s  median %.2fx [%.2f, %.2f]" % (
                first["model"], first["precision"], key, " ".join("%.2f" % x for x in ratios),
                row["%s_ratio" % key], min(ratios), max(ratios)))
        summary.append(row)
    print(json.dumps(summary))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
