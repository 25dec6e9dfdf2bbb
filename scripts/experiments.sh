#!/bin/sh
# experiments.sh (make experiments): the paper's classification and
# spike-timing experiments, each spiking model side by side with its
# conventional-LSTM twin, over several seeds; then docs/results.md and the
# figures in docs/figures/ (docs/experiments.md says what is run, how the
# numbers are computed and how long it takes).
#
# For each task of experiments/suite.conf, each model (spiking, lstm) and
# each seed, `spikec run MODEL --seed N` trains into
# runs/experiments/TASK/MODEL/seedN. A run whose final checkpoint exists is
# skipped; an interrupted one resumes from its last epoch checkpoint, so the
# suite can be stopped and started again at any time.
#
# Knobs (environment):
#   EXPERIMENTS  (every task)        tasks to train (short names or task names)
#   SEEDS        1 2 3               seeds (spaces or commas)
#   EPOCHS       (the train block's) shorter runs for smoke tests; they go to
#                seedN-epochsE, never mixed with the full runs in seedN
#   RUNS         runs/experiments    where the runs go
#   BACKEND      llvm                spikec's backend (llvm or c)
#   REPORT       1                   0: train only, no docs/results.md or figures
# The report (experiments/report.py) covers every finished run under RUNS,
# not only the ones this invocation trained.
set -eu
cd "$(dirname "$0")/.."

SPIKEC=bin/spikec
ALL_TASKS=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' experiments/suite.conf | awk '{ print $1 }' | tr '\n' ' ')
EXPERIMENTS=$(echo "${EXPERIMENTS:-$ALL_TASKS}" | tr ',' ' ')
SEEDS=$(echo "${SEEDS:-1 2 3}" | tr ',' ' ')
EPOCHS=${EPOCHS:-}
RUNS=${RUNS:-runs/experiments}
BACKEND=${BACKEND:-llvm}
REPORT=${REPORT:-1}
PY=/usr/bin/python3
CC=${CC:-cc}

die() {
	echo "experiments.sh: $*" >&2
	exit 1
}

[ -x "$SPIKEC" ] || die "$SPIKEC is missing; run make first"
[ -f build/libspikec.a ] || die "build/libspikec.a is missing; run make first"
[ "$REPORT" = 0 ] || [ -x "$PY" ] ||
	die "$PY is missing (it writes docs/results.md); install it with: sudo apt-get install python3"
case "$EPOCHS" in
'' | *[!0-9]* | 0) [ -z "$EPOCHS" ] || die "EPOCHS must be a positive integer, got '$EPOCHS'" ;;
esac
for s in $SEEDS; do
	case "$s" in *[!0-9]*) die "SEEDS must be non-negative integers, got '$s'" ;; esac
done

for e in $EXPERIMENTS; do
	grep -Eq "^($e|[a-z]+[[:space:]]+$e)[[:space:]]" experiments/suite.conf ||
		die "EXPERIMENTS: no task '$e' in experiments/suite.conf (the tasks: $ALL_TASKS)"
done

# The helper that measures the input firing rate of each data set (0.3 s).
mkdir -p build/experiments
$CC -O2 -std=c11 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L -Ibuild/gen -I. \
	-o build/experiments/input_rate experiments/input_rate.c build/libspikec.a -lopenblas -lsndfile -lfftw3 -lz -lm -ldl

# The epochs a model's train block asks for ("... 30 epochs, seed 1").
block_epochs() {
	"$SPIKEC" check "$1" | sed -n 's/^train: .*, \([0-9][0-9]*\) epochs\{0,1\}, seed .*/\1/p'
}

# train MODEL DIR SEED EPOCHS: one run, skipped when finished, resumed when
# interrupted. stderr goes to DIR/train.log; one summary line here.
train() {
	model=$1 dir=$2 seed=$3 epochs=$4
	if [ -f "$dir/epoch-$epochs.safetensors" ]; then
		echo "   done already: $dir"
		return 0
	fi
	mkdir -p "$dir"
	last=0
	for f in "$dir"/epoch-*.safetensors; do
		[ -f "$f" ] || continue
		k=${f##*/epoch-}
		k=${k%.safetensors}
		if [ "$k" -lt "$epochs" ] && [ "$k" -gt "$last" ]; then last=$k; fi
	done
	set -- run "$model" --seed "$seed" --epochs "$epochs" --out "$dir" --backend "$BACKEND"
	if [ "$last" -gt 0 ]; then
		set -- "$@" --resume "$dir/epoch-$last.safetensors"
		echo "   resuming from epoch $last: $dir (log: $dir/train.log)"
	else
		echo "   training: $dir (log: $dir/train.log)"
	fi
	start=$(date +%s)
	if ! "$SPIKEC" "$@" 2>> "$dir/train.log"; then
		tail -n 3 "$dir/train.log" >&2
		die "spikec $* failed; see $dir/train.log"
	fi
	echo "   $(grep '^epoch ' "$dir/train.log" | tail -n 1)  [$(($(date +%s) - start)) s]"
}

ran=0
while read -r short task spiking lstm; do
	case "$short" in '' | '#'*) continue ;; esac
	want=0
	for e in $EXPERIMENTS; do
		if [ "$e" = "$short" ] || [ "$e" = "$task" ]; then want=1; fi
	done
	[ "$want" = 1 ] || continue
	ran=1
	for kind in spiking lstm; do
		if [ "$kind" = spiking ]; then model=$spiking; else model=$lstm; fi
		full=$(block_epochs "$model")
		[ -n "$full" ] || die "cannot read the epochs of $model's train block"
		epochs=${EPOCHS:-$full}
		for seed in $SEEDS; do
			dir=$RUNS/$task/$kind/seed$seed
			[ "$epochs" = "$full" ] || dir=$dir-epochs$epochs
			echo "== $task, $kind ($model), seed $seed, $epochs of $full epochs"
			train "$model" "$dir" "$seed" "$epochs"
		done
	done
done < experiments/suite.conf
[ "$ran" = 1 ] || die "EXPERIMENTS='$EXPERIMENTS' names no task of experiments/suite.conf"

if [ "$REPORT" != 0 ]; then
	echo "== docs/results.md and docs/figures/"
	"$PY" experiments/report.py --runs "$RUNS" --suite experiments/suite.conf --spikec "$SPIKEC" \
		--input-rate build/experiments/input_rate --results docs/results.md --figures docs/figures
fi
