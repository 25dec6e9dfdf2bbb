#!/bin/sh
# run_mpi.sh: data-parallel training over MPI (docs/mpi.md), with Open MPI's
# mpirun on this one machine (--oversubscribe: 4 ranks on 2 cores).
#
#   1. digits.snn (fake MNIST: uneven shards, a short last batch, empty
#      shards) and lm.snn (text, state carried across batches) trained by a
#      plain `spikec run` and by `mpirun -np 1`, `-np 2` and `-np 4`:
#      byte-identical last.safetensors, the same metrics.jsonl (timings
#      aside), written by rank 0 alone, whose progress alone is printed;
#      digits.snn on the C backend at -np 2 too; tests/dropout/tiny_dropout.snn
#      (each rank draws its shards' dropout masks);
#   2. a run resumed under MPI (2 ranks to epoch 1, then 4 ranks from its
#      checkpoint) ends byte-identical to the unbroken run;
#   3. `spikec eval` under mpirun -np 2 prints the plain eval's line (and
#      --json object), once;
#   4. -np 3, and a missing plugin: a clear error, exit 1; an error on one
#      rank (rank 0 cannot create --out, rank 1 cannot read --resume's
#      checkpoint), and ranks whose parameters differ: every rank exits 1,
#      one message, naming the rank;
#   5. a rank killed with -9 in the middle of a run: mpirun ends the run,
#      non-zero, naming the rank; the newest checkpoint loads, and a run
#      resumed from it under MPI ends byte-identical to an unbroken one,
#      leaving no temporary.
#
#   sh tests/mpi/run_mpi.sh              (after `make`; about 35 s on 2 cores)
#   MPI_FULL=1 sh tests/mpi/run_mpi.sh   also the issue's case: 2 epochs of
#       examples/mnist_rows.snn (real MNIST) and examples/alice_chars.snn,
#       plain and -np 1, 2, 4, byte-identical, with the times (several
#       minutes on 2 cores)
#
# Skipped, with the reason, without mpirun or bin/spikec-mpi.so (make builds
# it when mpicc is there; scripts/deps.sh --check-test installs Open MPI, so
# `make check` as root and CI never skip), and on a sanitized build (Open
# MPI's own allocations at exit are leaks to LeakSanitizer). Work files stay
# under build/test/mpi. Prints `N passed, M failed` last; exits 1 if
# anything failed.
set -u
cd "$(dirname "$0")/../.." || exit 2

SPIKEC=${SPIKEC:-bin/spikec}
OUT=build/test/mpi
. tests/lib.sh
test_begin "$OUT" "$SPIKEC"
PLUGIN=$(dirname "$SPIKEC")/spikec-mpi.so
skip=
if ! command -v mpirun >/dev/null 2>&1; then
	skip="no mpirun (Debian: openmpi-bin, libopenmpi-dev)"
elif [ ! -f "$PLUGIN" ]; then
	skip="no $PLUGIN (make builds it when mpicc is installed)"
elif [ -n "${SPIKEC_SANITIZED:-}" ]; then
	skip="a sanitized build (LeakSanitizer would report Open MPI's allocations)"
fi
if [ -n "$skip" ]; then
	echo "SKIP tests/mpi: $skip"
	summary
	exit
fi
# As root (CI), mpirun wants to be told; 4 ranks on 2 cores need --oversubscribe.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
SPIKEC_MNIST_DIR=tests/fixtures/data/mnist
export SPIKEC_MNIST_DIR
# mpirun_t ARGS: mpirun on no input, ended after 300 s (a rank left waiting fails
# the check).
if command -v timeout >/dev/null 2>&1; then
	mpirun_t() { timeout 300 mpirun --oversubscribe "$@" </dev/null; }
else
	mpirun_t() { mpirun --oversubscribe "$@" </dev/null; }
fi
mpi() { mpirun_t -np "$@"; }
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
# fixed METRICS: each line without its timings.
fixed() { sed 's/, "samples_per_s".*//' "$1"; }
# same DIR1 DIR2: the same last.safetensors and metrics (timings aside).
same() {
	cmp -s "$1/last.safetensors" "$2/last.safetensors" && fixed "$1/metrics.jsonl" >"$OUT/m1" &&
		fixed "$2/metrics.jsonl" >"$OUT/m2" && cmp -s "$OUT/m1" "$OUT/m2"
}
# temporaries DIR: the names of DIR's temporaries (NAME.tmp.PID).
temporaries() { ls "$1" 2>/dev/null | grep '\.tmp\.[0-9]*$'; }

# ---- 1. plain and 1, 2, 4 ranks: the same bits ------------------------------
# identical NAME MODEL EPOCHS [OPTIONS]: plain against -np 1, 2, 4.
identical() {
	id_name=$1 id_model=$2 id_epochs=$3
	shift 3
	t0=$(date +%s.%N)
	"$SPIKEC" run "$id_model" --out "$OUT/$id_name-plain" --epochs "$id_epochs" --quiet "$@" \
		2>"$OUT/$id_name-plain.log"
	check "$id_name: spikec run, $id_epochs epochs ($(elapsed "$t0")s)" [ -f "$OUT/$id_name-plain/last.safetensors" ]
	for n in 1 2 4; do
		t0=$(date +%s.%N)
		mpi $n "$SPIKEC" run "$id_model" --out "$OUT/$id_name-np$n" --epochs "$id_epochs" "$@" \
			>"$OUT/$id_name-np$n.out" 2>"$OUT/$id_name-np$n.log"
		st=$?
		if [ $st -eq 0 ] && same "$OUT/$id_name-plain" "$OUT/$id_name-np$n"; then
			ok "$id_name: mpirun -np $n: last.safetensors and metrics.jsonl identical to the plain run's" \
				"($(elapsed "$t0")s)"
		else
			bad "$id_name: mpirun -np $n: exit $st, or another checkpoint or metrics (log $OUT/$id_name-np$n.log)"
			show "$OUT/$id_name-np$n.log"
		fi
	done
}
identical digits tests/mpi/digits.snn 2
identical lm tests/mpi/lm.snn 2
identical digits-c tests/mpi/digits.snn 2 --backend c
identical dropout tests/dropout/tiny_dropout.snn 2
# Rank 0 alone prints: one line per epoch, and the MPI line.
check "-np 4 prints each epoch's line once" [ "$(grep -c '^epoch 2/2' "$OUT/digits-np4.log")" -eq 1 ]
check "-np 4 says how the run is split" grep -q "^MPI: 4 ranks of 1 thread, 1 shard each" "$OUT/digits-np4.log"
check "-np 2 says how the run is split" grep -q "^MPI: 2 ranks of 1 thread, 2 shards each" "$OUT/lm-np2.log"

# ---- 2. resume under MPI -------------------------------------------------------
mpi 2 "$SPIKEC" run tests/mpi/lm.snn --out "$OUT/resume" --epochs 1 --quiet >/dev/null 2>"$OUT/resume1.log"
mpi 4 "$SPIKEC" run tests/mpi/lm.snn --out "$OUT/resume" --resume "$OUT/resume/epoch-1.safetensors" \
	>/dev/null 2>"$OUT/resume2.log"
check "lm: 1 epoch on 2 ranks, resumed on 4: last.safetensors identical to the unbroken run's" \
	cmp -s "$OUT/resume/last.safetensors" "$OUT/lm-plain/last.safetensors"
check "the resumed run says so" grep -q "(resumed)" "$OUT/resume2.log"

# ---- 3. eval ---------------------------------------------------------------------
"$SPIKEC" eval tests/mpi/lm.snn --checkpoint "$OUT/lm-plain/last.safetensors" >"$OUT/eval-plain.txt" 2>&1
mpi 2 "$SPIKEC" eval tests/mpi/lm.snn --checkpoint "$OUT/lm-plain/last.safetensors" >"$OUT/eval-np2.txt" \
	2>"$OUT/eval-np2.log"
check "spikec eval under mpirun -np 2 prints the plain eval's line, once" cmp -s "$OUT/eval-plain.txt" "$OUT/eval-np2.txt"
"$SPIKEC" eval tests/mpi/lm.snn --checkpoint "$OUT/lm-plain/last.safetensors" --json >"$OUT/eval-plain.json" 2>&1
mpi 2 "$SPIKEC" eval tests/mpi/lm.snn --checkpoint "$OUT/lm-plain/last.safetensors" --json >"$OUT/eval-np2.json" \
	2>"$OUT/eval-np2.log"
check "  and its --json object, once" cmp -s "$OUT/eval-plain.json" "$OUT/eval-np2.json"

# ---- 4. errors -------------------------------------------------------------------
fails_with "-np 3 is an error naming the limit" "a run takes 1, 2 or 4 MPI ranks" \
	mpi 3 "$SPIKEC" run tests/mpi/digits.snn --out "$OUT/np3"
check "  and the error is printed once" [ "$(grep -c "a run takes 1, 2 or 4" "$TEST_OUT/err.txt")" -eq 1 ]
check "  and the run writes nothing" [ ! -e "$OUT/np3" ]
SPIKEC_MPI_PLUGIN=$OUT/none.so fails_with "a missing MPI plugin is an error saying how to build it" \
	"but the MPI plugin is not available" mpi 2 "$SPIKEC" run tests/mpi/digits.snn --out "$OUT/noplugin"
# Errors that one rank sees end every rank with one message: rank 0's own,
# or another rank's naming it. Ranks that diverge (here MPMD runs of other
# seeds) stop after the epoch, before its checkpoint.
: >"$OUT/file"
fails_with "rank 0 cannot create --out: exit 1, no rank left waiting" "cannot create '$OUT/file/run'" \
	mpi 2 "$SPIKEC" run tests/mpi/digits.snn --out "$OUT/file/run"
check "  and the error is printed once" [ "$(grep -c "cannot create" "$TEST_OUT/err.txt")" -eq 1 ]
fails_with "a checkpoint only rank 1 cannot read: exit 1, the message names rank 1" \
	"spikec (rank 1 of 2): error: cannot open '$OUT/none.safetensors'" \
	mpirun_t -np 1 "$SPIKEC" run tests/mpi/digits.snn --out "$OUT/one-bad" : \
	-np 1 "$SPIKEC" run tests/mpi/digits.snn --out "$OUT/one-bad" --resume "$OUT/none.safetensors"
fails_with "ranks whose parameters differ stop after the epoch, naming the rank" \
	"after epoch 1 the parameters of MPI rank 1 differ from rank 0's" \
	mpirun_t -np 1 "$SPIKEC" run tests/mpi/digits.snn --out "$OUT/differ" --seed 1 : \
	-np 1 "$SPIKEC" run tests/mpi/digits.snn --out "$OUT/differ" --seed 2
check "  and write no checkpoint" [ ! -e "$OUT/differ/epoch-1.safetensors" ]

# ---- 5. a rank killed ------------------------------------------------------------
# wide.snn: 3 MB checkpoints, an epoch is one 16-row batch (a few per second).
WIDE=tests/reliability/wide.snn
"$SPIKEC" run "$WIDE" --out "$OUT/wide" --epochs 12 --quiet 2>"$OUT/wide.log"
mpi 2 "$SPIKEC" run "$WIDE" --out "$OUT/kill" --epochs 1000 >"$OUT/kill.out" 2>"$OUT/kill.log" &
job=$!
victim=
i=0
while [ $i -lt 600 ] && [ ! -f "$OUT/kill/epoch-3.safetensors" ]; do
	sleep 0.05
	i=$((i + 1))
done
# The rank-1 process: a spikec with OMPI_COMM_WORLD_RANK=1 that runs $OUT/kill.
for p in $(pgrep -f "run $WIDE --out $OUT/kill"); do
	if tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx OMPI_COMM_WORLD_RANK=1; then
		victim=$p
	fi
done
if [ -n "$victim" ]; then
	kill -9 "$victim"
fi
wait "$job"
st=$?
check "rank 1 found and killed with -9 after epoch 3" [ -n "$victim" ]
check "the run ends with a non-zero status ($st)" [ "$st" -ne 0 ]
check "mpirun names the killed rank" grep -q "rank 1 .*exited on signal 9" "$OUT/kill.log"
check "spikec says nothing misleading (no error of its own)" sh -c "! grep -q 'spikec.*error' '$OUT/kill.log'"
newest=$(ls "$OUT/kill" | sed -n 's/^epoch-\([0-9]*\)\.safetensors$/\1/p' | sort -n | tail -n 1)
# loads CKPT: `spikec eval` reads CKPT.
loads() { "$SPIKEC" eval "$WIDE" --checkpoint "$1" >"$OUT/eval.out" 2>&1; }
check "the newest checkpoint (epoch ${newest:-none}) loads" loads "$OUT/kill/epoch-${newest:-0}.safetensors"
check "last.safetensors loads" loads "$OUT/kill/last.safetensors"
if [ -n "$newest" ] && [ "$newest" -lt 12 ]; then
	mpi 2 "$SPIKEC" run "$WIDE" --out "$OUT/kill" --epochs 12 --resume "$OUT/kill/epoch-$newest.safetensors" \
		--quiet >/dev/null 2>"$OUT/kill-resume.log"
	check "resumed on 2 ranks from epoch $newest: last.safetensors identical to an unbroken run's" \
		cmp -s "$OUT/kill/last.safetensors" "$OUT/wide/last.safetensors"
else
	bad "the killed run got to epoch ${newest:-none}, not between 3 and 11"
fi
check "no temporary is left" [ -z "$(temporaries "$OUT/kill")" ]

# ---- MPI_FULL=1: the issue's case --------------------------------------------------
if [ -n "${MPI_FULL:-}" ]; then
	unset SPIKEC_MNIST_DIR
	identical mnist_rows examples/mnist_rows.snn 2
	identical alice_chars examples/alice_chars.snn 2
fi
summary
