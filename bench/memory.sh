#!/bin/sh
# memory.sh: training memory of pixel-wise MNIST (T = 784, I = 1, H = 128,
# batch 100), spikec against PyTorch, in one run (make bench runs it; alone:
# sh bench/memory.sh after make). Both sides train 2 steps on the same
# Bernoulli-0.3 spikes and report their peak RSS; spikec also its training
# workspace (the BPTT tape and every buffer of a step) per sample. Writes
# build/bench/memory/raw.jsonl (one "memory" object holding both sides'
# training records) and prints its rows.
set -eu
cd "$(dirname "$0")/.."
PY=${PY:-/usr/bin/python3}
OUT=build/bench/memory
mkdir -p "$OUT"
[ -x bin/spikec ] || { echo "memory.sh: bin/spikec is missing; run make first" >&2; exit 1; }
sh bench/driver.sh bench/mnist_pixels.snn "$OUT"
export BENCH_SHAPE="784 1 128"
"$PY" bench/torch_bench.py data "$OUT/data" --batches 2 --batch 100 >/dev/null
OPENBLAS_NUM_THREADS=1 "$OUT/mnist_pixels_bench" train "$OUT/data" 1 1 1 >"$OUT/spikec.json"
OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 "$PY" bench/torch_bench.py train "$OUT/data" mnist_rows 1 1 1 >"$OUT/pytorch.json"
printf '{"what": "memory", "model": "mnist_pixels", "threads": 1, "spikec": %s, "pytorch": %s}\n' \
	"$(cat "$OUT/spikec.json")" "$(cat "$OUT/pytorch.json")" >"$OUT/raw.jsonl"
"$PY" bench/report.py --summary "$OUT/raw.jsonl"
