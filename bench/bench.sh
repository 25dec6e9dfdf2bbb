#!/bin/sh
# bench.sh (make bench): spikec against PyTorch on the paper's MNIST model
# (H = 200, T = 28, I = 28, batch 100), the spiking LSTM and the LSTM twin.
# What is measured and how: docs/bench.md. Needs bin/spikec (make), cc,
# OpenBLAS, and Debian's python3-torch and python3-numpy in /usr/bin/python3.
#
# Also runs bench/memory.sh (pixel-wise MNIST training memory) and
# bench/profile.sh (perf: spikec training's top functions), and counts SynOps
# (bench/synops.py, from `spikec report`). Writes build/bench/torch/ (emitted C, drivers, input
# data, raw.jsonl: one JSON object per measurement, memory's and the
# profile's included) and bench/results.md; prints the summary table.
#
# Knobs (environment):
#   BENCH_THREADS  "1 2"  thread counts tried on each side (OpenBLAS, OpenMP)
#   BENCH_ROUNDS   2      passes over every configuration, interleaved; the
#                         report pools their repetitions and runs
#   BENCH_STEPS    10     training steps per repetition (batch 100)
#   BENCH_REPS     7      timed repetitions per round (the median is reported)
#   BENCH_WARMUP   3      untimed training steps first, per process
#   BENCH_RUNS     500    timed batch-1 inferences per round, after BENCH_RUNS/20 untimed
#   BENCH_RUN_E2E  1      also time `spikec run --epochs 1` on MNIST digits (0: skip)
#   BENCH_NOTE     ""     a line for results.md (e.g. "machine shared with other jobs")
#   BENCH_RESULTS  bench/results.md
set -eu
cd "$(dirname "$0")/.."

THREADS=${BENCH_THREADS:-1 2}
ROUNDS=${BENCH_ROUNDS:-2}
STEPS=${BENCH_STEPS:-10}
REPS=${BENCH_REPS:-7}
WARMUP=${BENCH_WARMUP:-3}
RUNS=${BENCH_RUNS:-500}
E2E=${BENCH_RUN_E2E:-1}
RESULTS=${BENCH_RESULTS:-bench/results.md}
PY=/usr/bin/python3
CC=${CC:-cc}
OUT=build/bench/torch
MODELS="mnist_rows mnist_rows_lstm"

die() {
	echo "bench.sh: $*" >&2
	exit 1
}

[ -x bin/spikec ] || die "bin/spikec is missing; run make first"
command -v "$CC" >/dev/null 2>&1 || die "no C compiler '$CC'; set CC"
"$PY" -c 'import torch, numpy' 2>/dev/null ||
	die "$PY cannot import torch and numpy; install them with: sudo apt-get install python3-torch python3-numpy"

mkdir -p "$OUT/gen" "$OUT/check"
RAW=$OUT/raw.jsonl
: > "$RAW"

echo "== emitting and building the drivers ($CC -std=c99 -O2 -ftree-vectorize -march=native, OpenBLAS)"
for m in $MODELS; do
	sh bench/driver.sh "examples/$m.snn" "$OUT"
done

echo "== input: Bernoulli spikes, rate 0.3, random labels, fixed seed"
"$PY" bench/torch_bench.py data "$OUT/data"

# Machine description for the report, and the load before we start.
{
	printf '{"what": "machine", "date": "%s", "nproc": %s' "$(date -u '+%Y-%m-%d %H:%M UTC')" "$(nproc)"
	printf ', "cpu": "%s"' "$(sed -n 's/^model name[[:space:]]*: *//p' /proc/cpuinfo | head -n 1)"
	printf ', "cc": "%s"' "$("$CC" --version | head -n 1)"
	printf ', "load_before": "%s"' "$(cut -d' ' -f1-3 /proc/loadavg)"
	printf ', "threads": "%s", "rounds": %s, "steps": %s, "reps": %s, "warmup": %s, "runs": %s' \
		"$THREADS" "$ROUNDS" "$STEPS" "$REPS" "$WARMUP" "$RUNS"
	printf ', "note": "%s"}\n' "$(printf '%s' "${BENCH_NOTE:-}" | tr -d '\042\134')"
} >> "$RAW"

# spikec: OPENBLAS_NUM_THREADS only. PyTorch: its OpenMP pool and the
# system OpenBLAS that its GEMMs call, both set to the same count, with
# OpenMP's idle threads sleeping rather than spinning: libgomp's default spin
# fights OpenBLAS's own threads for the cores and made 2-thread PyTorch up to
# 20 times slower here (docs/bench.md). spikec has no OpenMP; it ignores both.
measure() { # threads command args...: one JSON line into raw.jsonl
	t=$1
	shift
	OPENBLAS_NUM_THREADS=$t OMP_NUM_THREADS=$t OMP_WAIT_POLICY=PASSIVE "$@" >> "$RAW"
}

echo "== cross-check: spikec's first training step redone in PyTorch (same parameters and batch)"
for m in $MODELS; do
	loss=$(OPENBLAS_NUM_THREADS=1 "$OUT/${m}_bench" check "$OUT/data" "$OUT/check" | tee -a "$RAW" |
		sed 's/.*"loss": \([^}]*\)}.*/\1/')
	measure 1 "$PY" bench/torch_bench.py check "$OUT/data" "$m" "$OUT/check" "$loss"
done

echo "== SynOps: the spikes of m_init on the same input, charged to the event products (spikec report, bench/synops.py)"
for m in $MODELS; do
	"$PY" bench/synops.py bin/spikec "examples/$m.snn" "$OUT/data" >> "$RAW"
done

# Interleaved (spikec then PyTorch in odd rounds, PyTorch then spikec in
# even ones) and repeated in rounds, so that a burst of load from other jobs
# lands on both sides rather than on one.
warm_runs=$((RUNS / 20))
side_spikec() { # model threads
	measure "$2" "$OUT/${1}_bench" train "$OUT/data" "$STEPS" "$REPS" "$WARMUP"
	measure "$2" "$OUT/${1}_bench" infer "$OUT/data" "$RUNS" "$warm_runs"
}
side_pytorch() { # model threads
	measure "$2" "$PY" bench/torch_bench.py train "$OUT/data" "$1" "$STEPS" "$REPS" "$WARMUP"
	measure "$2" "$PY" bench/torch_bench.py infer "$OUT/data" "$1" "$RUNS" "$warm_runs"
}
round=1
while [ "$round" -le "$ROUNDS" ]; do
	for m in $MODELS; do
		for t in $THREADS; do
			echo "== round $round/$ROUNDS, $m, $t thread(s): training ($WARMUP warm-up + $REPS x $STEPS" \
				"steps), batch-1 inference ($RUNS runs)"
			if [ $((round % 2)) -eq 1 ]; then
				side_spikec "$m" "$t"
				side_pytorch "$m" "$t"
			else
				side_pytorch "$m" "$t"
				side_spikec "$m" "$t"
			fi
		done
	done
	round=$((round + 1))
done

# For reference: spikec run end to end (real MNIST digits, the encoder,
# per-batch checks, evaluation and checkpoints), its own samples/s.
if [ "$E2E" = 1 ]; then
	for m in $MODELS; do
		for t in $THREADS; do
			echo "== spikec run examples/$m.snn --epochs 1, $t thread(s)"
			rm -rf "$OUT/run"
			if SPIKEC_CACHE=$OUT/cache bin/spikec run "examples/$m.snn" --epochs 1 --threads "$t" \
				--out "$OUT/run" --quiet; then
				printf '{"side": "spikec", "what": "run", "model": "%s", "threads": %s, "metrics": %s}\n' \
					"$m" "$t" "$(head -n 1 "$OUT/run/metrics.jsonl")" >> "$RAW"
			else
				echo "bench.sh: spikec run failed (MNIST digits missing? sh scripts/deps.sh); skipped" >&2
			fi
		done
	done
fi

echo "== pixel-wise MNIST training memory (bench/memory.sh)"
sh bench/memory.sh > /dev/null
cat build/bench/memory/raw.jsonl >> "$RAW"
echo "== profile of spikec training, 1 thread (bench/profile.sh)"
sh bench/profile.sh > /dev/null
cat build/bench/profile/raw.jsonl >> "$RAW"

printf '{"what": "load", "load_after": "%s"}\n' "$(cut -d' ' -f1-3 /proc/loadavg)" >> "$RAW"
"$PY" bench/report.py "$RAW" "$RESULTS"
