#!/bin/sh
# run_kill.sh: training that is killed, or runs out of disk (docs/reliability.md).
#
#   1. `spikec run` of wide.snn (3 MB checkpoints) is killed with -9 again and
#      again into one folder, each run resuming from the newest checkpoint
#      the previous ones left: half the kills at a random moment (0.05 s
#      to 0.55 s in, or to 3 epochs' time of the uninterrupted run when that
#      is less: loading, a step, evaluation, a write), half the
#      moment a temporary appears (a checkpoint being written). After each
#      kill the newest epoch-N.safetensors and last.safetensors load
#      (`spikec eval`). Then a run resumed to the last epoch leaves no
#      temporary (each run removes those the killed ones left), and its
#      last.safetensors and metrics.jsonl are byte-identical (timings
#      aside) to an uninterrupted run's.
#   2. A full disk (`ulimit -f`: a file may not grow past a limit, and the
#      write fails with EFBIG) at a checkpoint: exit 1 with "cannot write
#      ...: File too large", no temporary, and the previous checkpoints
#      unchanged and loadable. The same at a metrics line: exit 1, and a run
#      resumed from the last checkpoint drops the torn line and goes on.
#
#   sh tests/reliability/run_kill.sh        (after `make`)
#   KILLS=N KILL_EPOCHS=E sh tests/reliability/run_kill.sh   up to N kills
#       (default 12) over E epochs (default 20; the kills stop 6 epochs
#       before the end, which the last run trains)
#
# Work files stay under build/test/kill. Each check prints PASS or FAIL;
# the last line is `N passed, M failed`; exits 1 if any check failed.
set -u
cd "$(dirname "$0")/../.." || exit 2

SPIKEC=${SPIKEC:-bin/spikec}
OUT=build/test/kill
MODEL=tests/reliability/wide.snn
EPOCHS=${KILL_EPOCHS:-20}  # constant lr: the number of epochs changes no step
KILLS=${KILLS:-12}
. tests/lib.sh
test_begin "$OUT" "$SPIKEC"
unset SPIKEC_FAIL_ALLOC SPIKEC_COUNT_ALLOC
script_start=$(date +%s.%N)
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
if command -v timeout >/dev/null 2>&1; then
	spikec() { timeout 120 "$SPIKEC" "$@"; }
else
	spikec() { "$SPIKEC" "$@"; }
fi

# newest DIR: N of DIR's newest epoch-N.safetensors, or nothing.
newest() { ls "$1" 2>/dev/null | sed -n 's/^epoch-\([0-9]*\)\.safetensors$/\1/p' | sort -n | tail -n 1; }
# temporaries DIR: the names of DIR's temporaries (NAME.tmp.PID).
temporaries() { ls "$1" 2>/dev/null | grep '\.tmp\.[0-9]*$'; }
# fixed METRICS: each line without its timings.
fixed() { sed 's/, "samples_per_s".*//' "$1"; }
# loads CKPT: `spikec eval` reads CKPT.
loads() { spikec eval "$MODEL" --checkpoint "$1" >"$OUT/eval.out" 2>&1; }

# ---- 1. kill -9 and resume ------------------------------------------------
t0=$(date +%s.%N)
spikec run "$MODEL" --out "$OUT/whole" --epochs "$EPOCHS" --quiet </dev/null 2>"$OUT/whole.log"
whole=$(elapsed "$t0")
check "an uninterrupted run of $EPOCHS epochs (${whole}s)" [ -f "$OUT/whole/epoch-$EPOCHS.safetensors" ]
# The latest random kill: 0.55 s in, or 3 epochs' time when that is less,
# so that a killed run gets through at most 3 epochs on a fast machine too.
late=$(awk -v w="$whole" -v e="$EPOCHS" 'BEGIN { l = 3 * w / e; printf "%.2f", l < 0.5 ? l : 0.5 }')

K=$OUT/killed
t0=$(date +%s.%N)
kills=0 mid_write=0 unloadable= kept= stopped=
i=1
while [ "$i" -le "$KILLS" ]; do
	n=$(newest "$K")
	# Leave the last epochs to the run that finishes (a killed run gets
	# through at most 3).
	if [ "${n:-0}" -ge $((EPOCHS - 6)) ]; then
		stopped=$i
		break
	fi
	left_before=$(temporaries "$K")
	if [ -n "$n" ]; then
		"$SPIKEC" run "$MODEL" --out "$K" --epochs "$EPOCHS" --quiet --resume "$K/epoch-$n.safetensors" \
			</dev/null 2>>"$OUT/killed.log" &
	else
		"$SPIKEC" run "$MODEL" --out "$K" --epochs "$EPOCHS" --quiet </dev/null 2>>"$OUT/killed.log" &
	fi
	pid=$!
	if [ $((i % 2)) -eq 1 ]; then
		sleep "$(awk -v s="$$$i" -v l="$late" 'BEGIN { srand(s); printf "%.2f", 0.05 + l * rand() }')"
	else
		# The moment one of this run's temporaries appears (or 3 s).
		w=0
		while [ "$w" -lt 300 ] && ! ls "$K" 2>/dev/null | grep -q "\.tmp\.$pid\$"; do
			sleep 0.01
			w=$((w + 1))
		done
	fi
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	kills=$((kills + 1))
	temporaries "$K" | grep -q "\.tmp\.$pid\$" && mid_write=$((mid_write + 1))
	# What an earlier killed run left is gone once this one has started
	# (unless this one was killed before it got that far: then the next).
	for f in $left_before; do
		case $f in *".tmp.$pid") continue ;; esac
		[ -e "$K/$f" ] && kept="$kept $f"
	done
	n=$(newest "$K")
	if [ -n "$n" ]; then
		loads "$K/epoch-$n.safetensors" || unloadable="$unloadable epoch-$n"
		loads "$K/last.safetensors" || unloadable="$unloadable last(after epoch-$n)"
	fi
	i=$((i + 1))
done
n=$(newest "$K")
ok "$kills runs killed with -9, $mid_write of them while writing a file, newest checkpoint epoch-${n:-none} ($(elapsed "$t0")s)"
check "... after each kill, the newest epoch-N.safetensors and last.safetensors load" [ -z "$unloadable" ]
[ -n "$unloadable" ] && echo "     do not load:$unloadable" && show "$OUT/eval.out"
# A run killed within its first moments may not have reached the removal;
# what no later run removed is checked below, after the last run.
[ -n "$kept" ] && echo "     (left for a later run:$kept)"
[ -n "$stopped" ] && echo "     (kills stopped at epoch $n, to leave the last epochs to the final run)"
spikec run "$MODEL" --out "$K" --epochs "$EPOCHS" --quiet --resume "$K/epoch-${n:-0}.safetensors" \
	</dev/null 2>"$OUT/resume.log"
check "... a run resumed from epoch-${n:-0}.safetensors finishes" [ $? -eq 0 ]
check "... and leaves no temporary in the folder" [ -z "$(temporaries "$K")" ]
check "... its last.safetensors is byte-identical to the uninterrupted run's" \
	cmp -s "$K/last.safetensors" "$OUT/whole/last.safetensors"
fixed "$K/metrics.jsonl" >"$OUT/killed.fixed" 2>/dev/null
fixed "$OUT/whole/metrics.jsonl" >"$OUT/whole.fixed"
check "... and its metrics.jsonl has the same $EPOCHS lines" cmp -s "$OUT/killed.fixed" "$OUT/whole.fixed"

# ---- 2. a full disk -----------------------------------------------------------
# The checkpoints are 3 MB; a limit of 2048 blocks (1 or 2 MB, by the shell's
# block size) lets the metrics line through and stops the checkpoint.
D=$OUT/full
spikec run "$MODEL" --out "$D" --epochs 2 --quiet </dev/null 2>"$OUT/full.log"
cp "$D/epoch-2.safetensors" "$OUT/epoch-2.copy" && cp "$D/last.safetensors" "$OUT/last.copy" || exit 2
(
	ulimit -f 2048 || exit 3
	exec "$SPIKEC" run "$MODEL" --out "$D" --epochs 4 --quiet --resume "$D/epoch-2.safetensors"
) </dev/null >/dev/null 2>"$OUT/full.err"
st=$?
if [ "$st" -eq 3 ]; then
	echo "SKIP ulimit -f is not permitted here: the full-disk checks do not run"
else
	if [ "$st" -eq 1 ] && grep -q "cannot write '$D/last.safetensors'.*File too large" "$OUT/full.err"; then
		ok "a full disk (ulimit -f) at the epoch-3 checkpoint: exit 1, 'cannot write .../last.safetensors: File too large'"
	else
		bad "a full disk at a checkpoint: exit $st, stderr:"
		show "$OUT/full.err"
	fi
	no_epoch3() { [ -z "$(temporaries "$D")" ] && [ ! -e "$D/epoch-3.safetensors" ]; }
	check "... no temporary left, no epoch-3.safetensors" no_epoch3
	unchanged() { cmp -s "$D/epoch-2.safetensors" "$OUT/epoch-2.copy" && cmp -s "$D/last.safetensors" "$OUT/last.copy"; }
	check "... epoch-2.safetensors and last.safetensors unchanged" unchanged
	check "... and last.safetensors loads" loads "$D/last.safetensors"

	# examples/tiny.snn: 5 KB checkpoints, ~350 bytes of metrics an epoch;
	# 16 blocks (8 or 16 KB) stop the metrics first.
	M=$OUT/metrics
	(
		ulimit -f 16
		exec "$SPIKEC" run examples/tiny.snn --out "$M" --epochs 200 --quiet
	) </dev/null >/dev/null 2>"$OUT/metrics.err"
	st=$?
	n=$(newest "$M")
	if [ "$st" -eq 1 ] && grep -q "cannot write '$M/metrics.jsonl': File too large" "$OUT/metrics.err"; then
		ok "a full disk at a metrics line (epoch $((${n:-0} + 1))): exit 1, 'cannot write .../metrics.jsonl: File too large'"
	else
		bad "a full disk at a metrics line: exit $st (was silent before), stderr:"
		show "$OUT/metrics.err"
	fi
	spikec run examples/tiny.snn --out "$M" --epochs $((${n:-0} + 2)) --quiet \
		--resume "$M/epoch-${n:-0}.safetensors" </dev/null 2>"$OUT/metrics2.err"
	st=$?
	got=$(sed -n 's/^{"epoch": \([0-9]*\),.*/\1/p' "$M/metrics.jsonl" | tail -n 3 | tr '\n' ' ')
	want="${n:-0} $((${n:-0} + 1)) $((${n:-0} + 2)) "
	check "... a run resumed from epoch-${n:-0} drops the torn line and logs on (last epochs: $got)" \
		[ "$st.$got" = "0.$want" ]
	[ "$st" -eq 0 ] || show "$OUT/metrics2.err"
fi

echo "run_kill.sh took $(elapsed "$script_start")s"
summary
