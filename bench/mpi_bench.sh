#!/bin/sh
# mpi_bench.sh (make bench): data-parallel training over MPI (docs/mpi.md)
# on bench/mpi_h512.snn (two spiking LSTM layers of 512 units, 3.2 M
# parameters, batch 100) on made-up data: training samples/s of one process
# on one thread, of mpirun -np 2 with one thread per rank, and of one process
# on two threads (the same shards on threads instead of ranks), and the
# bytes the ranks exchange per step. Each configuration runs BENCH_MPI_RUNS
# times, interleaved; each run trains 2 epochs of 400 samples (4 steps) and
# the rate is epoch 2's, as metrics.jsonl reports it (training only, no
# evaluation); the table gives the median over the runs. The runs' last
# checkpoints must be byte-identical. Appends a section to $BENCH_RESULTS
# (bench/results.md, which bench/bench.sh writes first) and prints it.
#
# Knobs: BENCH_MPI_RUNS (3), BENCH_NOTE (a line for the section),
# BENCH_RESULTS (bench/results.md).
set -eu
cd "$(dirname "$0")/.."

RUNS=${BENCH_MPI_RUNS:-3}
RESULTS=${BENCH_RESULTS:-bench/results.md}
OUT=build/bench/mpi
MODEL=bench/mpi_h512.snn

die() {
	echo "mpi_bench.sh: $*" >&2
	exit 1
}
[ -x bin/spikec ] || die "bin/spikec is missing; run make first"
command -v mpirun >/dev/null 2>&1 || die "no mpirun; install openmpi-bin and libopenmpi-dev (scripts/deps.sh --check-bench)"
[ -f bin/spikec-mpi.so ] || die "bin/spikec-mpi.so is missing; run make (with mpicc installed)"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

mkdir -p "$OUT"
rm -f "$OUT"/*.rates
make --no-print-directory build/make_npy >/dev/null
build/make_npy task "$OUT/train" 400 28 28 10 f4 spikes i4 1
build/make_npy task "$OUT/test" 100 28 28 10 f4 spikes i4 2

# rate DIR: epoch 2's samples/s.
rate() { sed -n 's/.*"epoch": 2,.*"samples_per_s": \([0-9.]*\).*/\1/p' "$1/metrics.jsonl"; }
median() { sort -n | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

CONFIGS="np1 np2 t2"
load0=$(cut -d' ' -f1-3 /proc/loadavg)
bin/spikec run "$MODEL" --epochs 1 --quiet --out "$OUT/warm" 2>/dev/null  # compiles (the cache) once
for r in $(seq "$RUNS"); do
	for c in $CONFIGS; do
		dir=$OUT/$c-$r
		case $c in
		np1) mpirun -np 1 bin/spikec run "$MODEL" --quiet --threads 1 --out "$dir" ;;
		np2) mpirun --oversubscribe -np 2 bin/spikec run "$MODEL" --threads 1 --out "$dir" 2>"$OUT/np2.log" ;;
		t2) bin/spikec run "$MODEL" --quiet --threads 2 --out "$dir" ;;
		esac
		rate "$dir" >>"$OUT/$c.rates"
		cmp -s "$dir/last.safetensors" "$OUT/np1-1/last.safetensors" ||
			die "$dir/last.safetensors differs from $OUT/np1-1's"
		echo "run $r $c: $(rate "$dir") samples/s"
	done
done
mb=$(sed -n 's/^MPI: .*; \([0-9.]*\) MB gathered per step$/\1/p' "$OUT/np2.log")
one=$(median <"$OUT/np1.rates")
{
	echo
	echo "## Data-parallel training over MPI (bench/mpi_bench.sh)"
	echo
	echo "bench/mpi_h512.snn: two spiking LSTM layers of 512 units, 3,212,298 parameters, batch 100, T = 28;" \
		"training samples/s of epoch 2 (4 steps), the median of $RUNS runs each, interleaved; every run's" \
		"checkpoint byte-identical. A step gathers ${mb} MB on every rank (each rank sends its half: its 2" \
		"shards' gradients, losses, spike counts and outputs). $(nproc) CPUs; load average $load0 before," \
		"$(cut -d' ' -f1-3 /proc/loadavg) after.${BENCH_NOTE:+ $BENCH_NOTE}"
	echo
	echo "| configuration | samples/s (median) | each run | against 1 rank |"
	echo "|---|---|---|---|"
	for c in $CONFIGS; do
		m=$(median <"$OUT/$c.rates")
		case $c in
		np1) what="mpirun -np 1, 1 thread" ;;
		np2) what="mpirun -np 2, 1 thread per rank" ;;
		t2) what="one process, --threads 2" ;;
		esac
		echo "| $what | $m | $(paste -sd ' ' "$OUT/$c.rates") | $(awk -v a="$m" -v b="$one" 'BEGIN { printf "%.2fx", a / b }') |"
	done
} >"$OUT/section.md"
cat "$OUT/section.md" >>"$RESULTS"
cat "$OUT/section.md"
