#!/bin/sh
# memory.sh: training memory of pixel-wise MNIST (T = 784, I = 1, H = 128,
# batch 100), spikec against PyTorch, in one run (make bench runs it; alone:
# sh bench/memory.sh after make). Both sides train 2 steps on the same
# Bernoulli-0.3 spikes and report their peak RSS; spikec also its training
# workspace (the BPTT tape and every buffer of a step) per sample. Prints one
# table; writes build/bench/memory/raw.jsonl.
set -eu
cd "$(dirname "$0")/.."
PY=${PY:-/usr/bin/python3}
CC=${CC:-cc}
OUT=build/bench/memory
mkdir -p "$OUT/gen"
[ -x bin/spikec ] || { echo "memory.sh: bin/spikec is missing; run make first" >&2; exit 1; }
bin/spikec emit bench/mnist_pixels.snn -o "$OUT/gen" >/dev/null
"$CC" -std=c99 -O2 -ftree-vectorize -march=native -Wall -Wextra -pedantic -Werror -D_POSIX_C_SOURCE=200809L \
	-I. -DMODEL=mnist_pixels -DMODEL_UPPER=MNIST_PIXELS -include "$OUT/gen/mnist_pixels.h" \
	-o "$OUT/bench" bench/spikec_bench.c io/layout.c "$OUT/gen/mnist_pixels.c" -lopenblas -lm
export BENCH_SHAPE="784 1 128"
"$PY" bench/torch_bench.py data "$OUT/data" --batches 2 --batch 100 >/dev/null
OPENBLAS_NUM_THREADS=1 "$OUT/bench" train "$OUT/data" 1 1 1 >"$OUT/raw.jsonl"
OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 "$PY" bench/torch_bench.py train "$OUT/data" mnist_rows 1 1 1 >>"$OUT/raw.jsonl"
"$PY" - "$OUT/raw.jsonl" <<'PYEOF'
import json, sys
s, t = [json.loads(l) for l in open(sys.argv[1])]
mib = lambda k: k / 1024
print("pixel-wise MNIST (T = 784, I = 1, H = 128), batch 100, training, 1 thread")
print(f"| | spikec | PyTorch | spikec/PyTorch |")
print(f"|---|---|---|---|")
print(f"| peak RSS [MiB] | {mib(s['rss_peak_kib']):.1f} | {mib(t['rss_peak_kib']):.1f} | {s['rss_peak_kib'] / t['rss_peak_kib']:.3f} |")
ds, dt = s['rss_peak_kib'] - s['rss_base_kib'], t['rss_peak_kib'] - t['rss_base_kib']
print(f"| RSS growth while training [MiB] | {mib(ds):.1f} | {mib(dt):.1f} | {ds / dt:.3f} |")
print(f"| spikec training workspace per sample [KiB] | {s['train_workspace_bytes_per_sample'] / 1024:.1f} | | |")
print(f"| samples/s | {s['median_samples_per_s']:.0f} | {t['median_samples_per_s']:.0f} | {s['median_samples_per_s'] / t['median_samples_per_s']:.2f} |")
PYEOF
