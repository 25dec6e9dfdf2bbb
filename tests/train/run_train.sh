#!/bin/sh
# run_train.sh: training end to end, through the command line (`spikec run`,
# `eval`, `grad`, `init`, `infer`), on models small enough to train in well
# under a second:
#
#   1. tiny.snn trains 10 epochs fast, its losses match tiny.losses and fall,
#      and `spikec eval` of the last checkpoint reports the logged test mse;
#   2. a run resumed from epoch 5 ends byte-identical to an unbroken run (and
#      the same for digits.snn, a classifier, on the fake MNIST fixture), and
#      keeps the metrics lines up to its checkpoint;
#   2b. --threads 1, 2 and 3 end with byte-identical checkpoints;
#   3. a truncated-BPTT window K = T gives exactly the full-BPTT gradients,
#      and K < T changes the recurrent gradients but not the loss;
#   4. `spikec grad` writes grad.<param> for every parameter, with the loss
#      that `spikec infer` outputs give;
#   5. bad input gets a clear error and exit 1, never a crash or a hang;
#   6. checkpoints are written atomically: no *.tmp.* file is ever left, and
#      a run removes the ones that killed runs left in its folder.
#
#   sh tests/train/run_train.sh       (after `make`: needs bin/spikec and
#                                      build/libspikec.a, for train_tool.c)
#
# SPIKEC_GOLDEN_UPDATE=1 rewrites tests/train/tiny.losses from this machine's
# run (review the diff before committing). Work files stay under
# build/test/train. Each check prints PASS or FAIL; the last line is
# `N passed, M failed`; exits 1 if any check failed.
# shellcheck disable=SC2086  # $WARN is a word list on purpose
set -u
cd "$(dirname "$0")/../.." || exit 2

SPIKEC=${SPIKEC:-bin/spikec}
LIB=${SPIKEC_BUILD:-build}/libspikec.a
OUT=build/test/train
CC=${CC:-cc}
WARN="-std=c99 -O2 -Wall -Wextra -pedantic -Werror"
MODEL=tests/train/tiny.snn
GOLDEN=tests/train/tiny.losses
TOOL=$OUT/train_tool

. tests/lib.sh
# The private, empty build cache means the first run of each model compiles
# its C, so the timing below includes compilation.
test_begin "$OUT" "$SPIKEC" "$LIB"
unset SPIKEC_MNIST_DIR SPIKEC_FASHION_MNIST_DIR

script_start=$(date +%s.%N)
# show FILE: a log under a failure, indented.

# A driver that loops instead of stopping must fail the check, not hang the
# suite: every spikec call gets 60 s where coreutils' timeout exists.
if command -v timeout >/dev/null 2>&1; then
	spikec() { timeout 60 "$SPIKEC" "$@"; }
else
	spikec() { "$SPIKEC" "$@"; }
fi

# elapsed START: seconds since START (a `date +%s.%N` value), 2 decimals.
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }'; }

# close A B REL: |A - B| <= REL * max(|A|, |B|), both numbers.
close() {
	awk -v a="$1" -v b="$2" -v r="$3" 'BEGIN {
		if (a "" !~ /^-?[0-9.]+([eE][-+]?[0-9]+)?$/ || b "" !~ /^-?[0-9.]+([eE][-+]?[0-9]+)?$/) exit 1
		d = a - b; if (d < 0) d = -d
		m = a < 0 ? -a : a; n = b < 0 ? -b : b; if (n > m) m = n
		exit !(d <= r * m) }'
}

# losses METRICS: the train_loss of each line, one per line.
losses() { sed -n 's/.*"train_loss": \([^,}]*\).*/\1/p' "$1"; }

# fixed METRICS: each line without its timings (samples/s, seconds), which
# are the only fields that may differ between two identical runs.
fixed() { sed 's/, "samples_per_s".*//' "$1"; }

# no_tmp DIR: no temporary checkpoint (NAME.tmp.PID) is left in DIR.
no_tmp() {
	nt_left=$(find "$1" -name '*.tmp.*' 2>/dev/null)
	[ -z "$nt_left" ] || { echo "     left behind: $nt_left"; return 1; }
}

# none_exist FILE...: no FILE exists; all_exist FILE...: each one does.
none_exist() { for ne_f; do [ ! -e "$ne_f" ] || return 1; done; }
all_exist() { for ae_f; do [ -e "$ae_f" ] || return 1; done; }

# expect STATUS TEXT LABEL -- ARGS...: `spikec ARGS` must exit with STATUS
# and say TEXT (a grep -E pattern) on stderr, never an internal error.
expect() {
	e_status=$1
	e_text=$2
	e_label=$3
	shift 4
	spikec "$@" >"$OUT/stdout" 2>"$OUT/stderr" </dev/null
	e_got=$?
	e_why=
	if [ "$e_got" -ne "$e_status" ]; then
		e_why="exit status $e_got, expected $e_status"
	elif [ -n "$e_text" ] && ! grep -qE -- "$e_text" "$OUT/stderr"; then
		e_why="stderr does not match '$e_text'"
	elif grep -qi 'internal error' "$OUT/stderr"; then
		e_why="internal error"
	fi
	if [ -z "$e_why" ]; then
		ok "$e_label"
	else
		bad "$e_label: $e_why"
		show "$OUT/stderr"
	fi
}

# ---- the helper program ----------------------------------------------------
if $CC $WARN -I. -o "$TOOL" tests/train/train_tool.c "$LIB" -lopenblas -lz -ljansson -lm >"$OUT/tool.log" 2>&1; then
	ok "build tests/train/train_tool.c"
else
	bad "build tests/train/train_tool.c (log $OUT/tool.log)"
	show "$OUT/tool.log"
fi

# ---- 1. tiny training: fast, pinned losses, falling --------------------------
A=$OUT/a
t0=$(date +%s.%N)
spikec run "$MODEL" --out "$A" >"$OUT/a.log" 2>&1 </dev/null
status=$?
secs=$(elapsed "$t0")
compile=$(sed -n 's/^compiled .* in \([0-9.]*\)s.*/\1/p' "$OUT/a.log")
if [ "$status" -eq 0 ]; then
	ok "spikec run $MODEL (10 epochs) exits 0"
else
	bad "spikec run $MODEL exits $status"
	show "$OUT/a.log"
fi
# It takes about 1 s here, most of it compiling the emitted C; the limit is
# 5 s so that slow or loaded CI machines do not fail it. How fast training
# is gets measured by `make bench`, not asserted here.
if awk -v s="$secs" 'BEGIN { exit !(s <= 5) }'; then
	ok "tiny training took ${secs}s wall, ${compile:-?}s of it compiling (limit 5s)"
else
	bad "tiny training took ${secs}s wall, ${compile:-?}s of it compiling (limit 5s)"
fi

losses "$A/metrics.jsonl" >"$OUT/a.losses" 2>/dev/null
n=$(wc -l <"$OUT/a.losses")
check "metrics.jsonl has a train_loss for each of the 10 epochs (got $n)" [ "$n" -eq 10 ]

# The losses are pinned to 1e-4 relative, not bit for bit: the emitted C calls
# OpenBLAS, which picks its GEMM kernels for the CPU it runs on, so sums are
# taken in another order (and with or without FMA) on another machine and
# the last bits of each loss differ. A difference larger than 1e-4 means the
# arithmetic changed (or a rounding flipped a spike): look at it before
# regenerating with SPIKEC_GOLDEN_UPDATE=1.
if [ "${SPIKEC_GOLDEN_UPDATE:-}" = 1 ] && [ "$n" -eq 10 ]; then
	cp "$OUT/a.losses" "$GOLDEN"
	ok "updated $GOLDEN"
elif [ ! -f "$GOLDEN" ]; then
	bad "$GOLDEN is missing (SPIKEC_GOLDEN_UPDATE=1 writes it)"
elif [ "$(wc -l <"$GOLDEN")" -ne 10 ]; then
	bad "$GOLDEN does not hold 10 losses"
else
	i=0
	mism=
	while read -r want && read -r got <&3; do
		i=$((i + 1))
		close "$got" "$want" 1e-4 || mism="$mism epoch $i: $got, golden $want;"
	done <"$GOLDEN" 3<"$OUT/a.losses"
	if [ "$i" -eq 10 ] && [ -z "$mism" ]; then
		ok "the 10 losses match $GOLDEN within 1e-4 relative"
	else
		bad "the losses differ from $GOLDEN:$mism (compared $i)"
	fi
fi

first=$(head -n 1 "$OUT/a.losses")
last=$(tail -n 1 "$OUT/a.losses")
if [ -n "$first" ] && awk -v f="$first" -v l="$last" 'BEGIN { exit !(l + 0 < f + 0) }'; then
	ok "the loss falls: epoch 1 $first, epoch 10 $last"
else
	bad "the loss does not fall: epoch 1 '$first', epoch 10 '$last'"
fi

# eval recomputes the test mse that the run logged after epoch 10 (eval
# prints 6 decimals).
logged=$(tail -n 1 "$A/metrics.jsonl" | sed -n 's/.*"test_mse": \([^,}]*\).*/\1/p')
evaled=$(spikec eval "$MODEL" --checkpoint "$A/epoch-10.safetensors" 2>"$OUT/eval.log" </dev/null |
	sed -n 's/.*test mse \([0-9.]*\),.*/\1/p')
if [ -n "$evaled" ] && [ -n "$logged" ] &&
	awk -v a="$evaled" -v b="$logged" 'BEGIN { d = a - b; exit !(d <= 1e-6 && d >= -1e-6) }'; then
	ok "spikec eval of epoch-10.safetensors gives the logged test mse ($evaled)"
else
	bad "spikec eval of epoch-10.safetensors gives test mse '$evaled', the run logged '$logged'"
	show "$OUT/eval.log"
fi

# ---- 2. resume: 5 + 5 epochs are 10 epochs -----------------------------------
B=$OUT/b
expect 0 "" "spikec run --epochs 5 (first half)" -- run "$MODEL" --out "$B" --epochs 5
if [ -f "$B/epoch-5.safetensors" ] && [ ! -f "$B/epoch-6.safetensors" ]; then
	ok "the first half stops after epoch 5"
else
	bad "the first half does not stop after epoch 5 (no epoch-5.safetensors, or an epoch-6 one)"
fi
expect 0 "resumed" "spikec run --epochs 10 --resume epoch-5.safetensors (second half)" -- \
	run "$MODEL" --out "$B" --epochs 10 --resume "$B/epoch-5.safetensors"
if cmp "$A/epoch-10.safetensors" "$B/epoch-10.safetensors" >"$OUT/cmp.log" 2>&1; then
	ok "resumed epoch-10.safetensors is byte-identical to the unbroken run's"
else
	bad "resumed epoch-10.safetensors differs from the unbroken run's"
	"$TOOL" cmp "$A/epoch-10.safetensors" "$B/epoch-10.safetensors" | grep -v same | sed 's/^/     /'
fi
n=$(wc -l <"$B/metrics.jsonl" 2>/dev/null || echo 0)
check "the resumed run appends to metrics.jsonl (10 lines, got $n)" [ "$n" -eq 10 ]
fixed "$A/metrics.jsonl" | tail -n 5 >"$OUT/a.tail"
fixed "$B/metrics.jsonl" | tail -n 5 >"$OUT/b.tail"
if [ -s "$OUT/a.tail" ] && cmp -s "$OUT/a.tail" "$OUT/b.tail"; then
	ok "epochs 6-10 log the same metrics (all but the timings)"
else
	bad "epochs 6-10 log other metrics when resumed"
	diff "$OUT/a.tail" "$OUT/b.tail" | sed 's/^/     /'
fi

# Resumed from an earlier epoch than the log reaches, a run keeps the log's
# lines up to its checkpoint: 12 epochs, then 5 to 8, log epochs 1..8 once.
R=$OUT/r
expect 0 "" "spikec run --epochs 12" -- run "$MODEL" --out "$R" --epochs 12
expect 0 "resumed" "spikec run --epochs 8 --resume epoch-5.safetensors of a 12-epoch run" -- \
	run "$MODEL" --out "$R" --epochs 8 --resume "$R/epoch-5.safetensors"
got=$(sed -n 's/^{"epoch": \([0-9]*\),.*/\1/p' "$R/metrics.jsonl" | tr '\n' ' ')
check "... metrics.jsonl logs epochs 1..8 in order (got: $got)" [ "$got" = "1 2 3 4 5 6 7 8 " ]
sed '3s/.*/{"epoch": 3, oops/' "$R/metrics.jsonl" >"$OUT/r.jsonl" && mv "$OUT/r.jsonl" "$R/metrics.jsonl"
expect 1 "metrics.jsonl:3:17: string or '}' expected near 'oops'" "--resume with a metrics line that is not JSON names the file, line and column" -- \
	run "$MODEL" --out "$R" --epochs 8 --resume "$R/epoch-5.safetensors"
sed '3s/.*/[3]/' "$R/metrics.jsonl" >"$OUT/r.jsonl" && mv "$OUT/r.jsonl" "$R/metrics.jsonl"
expect 1 "metrics.jsonl:3: an array, not an object" "--resume with a metrics line that is JSON but not an object" -- \
	run "$MODEL" --out "$R" --epochs 8 --resume "$R/epoch-5.safetensors"
cp "$R/epoch-5.safetensors" "$OUT/nan-resume.safetensors"
size=$(wc -c <"$OUT/nan-resume.safetensors")
printf '\000\000\300\177' | dd of="$OUT/nan-resume.safetensors" bs=1 seek=$((size - 4)) conv=notrunc 2>/dev/null
expect 1 "nan-resume.safetensors: tensor '.*' holds NaN at element" "--resume from a checkpoint with a NaN is refused" -- \
	run "$MODEL" --out "$OUT/nan-run" --resume "$OUT/nan-resume.safetensors"

# The same for a classifier: the 26 fake digits of tests/fixtures/data/mnist
# (made for tests/unit/test_data.c) give 3 shuffled batches an epoch with fresh
# spike draws and a step schedule, 2 epochs against 1 + 1.
DIGITS=tests/fixtures/data/mnist
if [ -f "$DIGITS/0.json" ]; then
	t0=$(date +%s.%N)
	export SPIKEC_MNIST_DIR="$DIGITS"
	expect 0 "" "spikec run digits.snn (2 epochs, fake MNIST)" -- run tests/train/digits.snn --out "$OUT/da"
	expect 0 "" "spikec run digits.snn --epochs 1" -- run tests/train/digits.snn --out "$OUT/db" --epochs 1
	expect 0 "resumed" "spikec run digits.snn --resume epoch-1.safetensors" -- \
		run tests/train/digits.snn --out "$OUT/db" --resume "$OUT/db/epoch-1.safetensors"
	unset SPIKEC_MNIST_DIR
	if cmp "$OUT/da/epoch-2.safetensors" "$OUT/db/epoch-2.safetensors" >"$OUT/cmp.log" 2>&1; then
		ok "digits: resumed epoch-2.safetensors is byte-identical to the unbroken run's ($(elapsed "$t0")s)"
	else
		bad "digits: resumed epoch-2.safetensors differs from the unbroken run's"
		"$TOOL" cmp "$OUT/da/epoch-2.safetensors" "$OUT/db/epoch-2.safetensors" | grep -v same | sed 's/^/     /'
	fi
	fixed "$OUT/da/metrics.jsonl" >"$OUT/da.fixed"
	fixed "$OUT/db/metrics.jsonl" >"$OUT/db.fixed"
	if [ "$(wc -l <"$OUT/da.fixed")" -eq 2 ] && cmp -s "$OUT/da.fixed" "$OUT/db.fixed"; then
		ok "digits: both runs log the same 2 epochs (all but the timings)"
	else
		bad "digits: the resumed run logs other metrics"
		diff "$OUT/da.fixed" "$OUT/db.fixed" | sed 's/^/     /'
	fi
else
	echo "SKIP digits resume check: no $DIGITS/0.json"
fi

# ---- 2b. threads: 1, 2 and 3 threads give the same bits ---------------------
# A batch runs as fixed shards (train/shards.h) whatever the thread count:
# tiny.snn (one sample, regression) and digits.snn (a classifier with a short
# last batch, spike draws, shuffles) end with byte-identical checkpoints and
# the same metrics for --threads 1, 2 and 3.
for t in 1 2 3; do
	expect 0 "" "spikec run tiny.snn --threads $t" -- run "$MODEL" --out "$OUT/t$t" --epochs 3 --threads $t
	if [ -f "$DIGITS/0.json" ]; then
		export SPIKEC_MNIST_DIR="$DIGITS"
		expect 0 "" "spikec run digits.snn --threads $t" -- run tests/train/digits.snn --out "$OUT/dt$t" --threads $t
		unset SPIKEC_MNIST_DIR
	fi
done
for t in 2 3; do
	check "tiny: --threads $t ends byte-identical to --threads 1" cmp -s "$OUT/t1/last.safetensors" "$OUT/t$t/last.safetensors"
	fixed "$OUT/t1/metrics.jsonl" >"$OUT/t1.fixed"
	fixed "$OUT/t$t/metrics.jsonl" >"$OUT/t$t.fixed"
	check "tiny: --threads $t logs the same metrics as --threads 1" cmp -s "$OUT/t1.fixed" "$OUT/t$t.fixed"
	if [ -f "$DIGITS/0.json" ]; then
		check "digits: --threads $t ends byte-identical to --threads 1" \
			cmp -s "$OUT/dt1/epoch-2.safetensors" "$OUT/dt$t/epoch-2.safetensors"
	fi
done
expect 1 "--threads must be an integer from 1 to 256, got '0'" "spikec run --threads 0" -- \
	run "$MODEL" --out "$OUT/t0" --threads 0

# ---- 3. truncated BPTT -------------------------------------------------------
# Copies of tiny.snn that differ only in the window: 20 (= its steps) and 5.
sed 's/seed = 7/seed = 7   tbptt = 20/' "$MODEL" >"$OUT/tiny_k20.snn"
sed 's/seed = 7/seed = 7   tbptt = 5/' "$MODEL" >"$OUT/tiny_k5.snn"
if grep -q 'tbptt = 20' "$OUT/tiny_k20.snn" && grep -q 'tbptt = 5' "$OUT/tiny_k5.snn"; then
	ok "made copies of tiny.snn with tbptt = 20 and tbptt = 5"
else
	bad "could not add tbptt to $MODEL (has its 'seed = 7' changed?)"
fi
# Initialised with seed 7, the units spike on this input (with some seeds
# they stay silent at first and the recurrent gradient is all zero, which
# would hide what truncation does).
expect 0 "" "spikec init tiny.snn --seed 7" -- init "$MODEL" --seed 7 --output "$OUT/init.safetensors"
if "$TOOL" spikes "$OUT/x.npy" 20 4 1 1 && "$TOOL" targets "$OUT/y.npy" 20 4 1; then
	ok "train_tool writes x.npy, (20, 4, 1) spikes, and y.npy, (20, 4, 1) targets"
else
	bad "train_tool cannot write x.npy and y.npy"
fi
for m in "$MODEL" "$OUT/tiny_k20.snn" "$OUT/tiny_k5.snn"; do
	g=$OUT/g_$(basename "$m" .snn).safetensors
	expect 0 "" "spikec grad $(basename "$m")" -- grad "$m" --checkpoint "$OUT/init.safetensors" \
		--input "$OUT/x.npy" --labels "$OUT/y.npy" --output "$g"
done
G=$OUT/g_tiny.safetensors
if cmp "$G" "$OUT/g_tiny_k20.safetensors" >"$OUT/cmp.log" 2>&1; then
	ok "tbptt = T (20) gives byte-identical gradients to full BPTT"
else
	bad "tbptt = T (20) gives other gradients than full BPTT"
	"$TOOL" cmp "$G" "$OUT/g_tiny_k20.safetensors" | sed 's/^/     /'
fi
"$TOOL" cmp "$G" "$OUT/g_tiny_k5.safetensors" >"$OUT/k5.cmp" 2>&1
status=$?
# Truncation cuts only the backward pass through the state: the loss and the
# readout's gradient (which never goes through the state) stay exactly the
# same, the recurrent weights' gradient changes.
if [ "$status" -eq 1 ] && grep -q '^differs grad.h.weight_hh' "$OUT/k5.cmp" &&
	grep -q '^meta same loss' "$OUT/k5.cmp" && grep -q '^same grad.y.weight' "$OUT/k5.cmp"; then
	ok "tbptt = 5 changes grad.h.weight_hh but neither the loss nor grad.y.weight"
else
	bad "tbptt = 5 against full BPTT (train_tool cmp exit $status):"
	show "$OUT/k5.cmp"
fi

# The tape (docs/train.md, `tape`): recomputing the products over spikes in
# the backward pass instead of storing them gives the same bits, on both
# backends, with and without truncation.
for tape in store recompute; do
	for k in 0 5; do
		sed "s/seed = 7/seed = 7   tbptt = $k   tape = $tape/" "$MODEL" >"$OUT/tiny_${tape}_k$k.snn"
		ref=$G
		[ "$k" = 5 ] && ref=$OUT/g_tiny_k5.safetensors
		for be in llvm c; do
			g=$OUT/g_${tape}_k${k}_$be.safetensors
			expect 0 "" "spikec grad tiny.snn, tape = $tape, tbptt = $k, --backend $be" -- \
				grad "$OUT/tiny_${tape}_k$k.snn" --checkpoint "$OUT/init.safetensors" \
				--input "$OUT/x.npy" --labels "$OUT/y.npy" --output "$g" --backend "$be"
			check "tape = $tape, tbptt = $k, --backend $be: byte-identical gradients to the default tape" \
				cmp -s "$ref" "$g"
		done
	done
done
if "$SPIKEC" ir "$OUT/tiny_recompute_k0.snn" --after kernels | grep -q 'h_a_seq'; then
	bad "tape = recompute still stacks the pre-activations (h_a_seq)"
else
	ok "tape = recompute stacks no pre-activations"
fi

# ---- 4. what spikec grad writes ----------------------------------------------
if "$TOOL" grads "$G" "$OUT/init.safetensors" >"$OUT/grads.log" 2>&1; then
	ok "spikec grad writes grad.<param> of each parameter's shape, a finite loss, nonzero gradients"
else
	bad "spikec grad output:"
	show "$OUT/grads.log"
fi
# Its loss is the mse of what `spikec infer` outputs for the same input and
# weights (a float sum in the emitted C, a double one in train_tool: 1e-5).
gloss=$(sed -n 's/^ok   loss //p' "$OUT/grads.log")
expect 0 "" "spikec infer tiny.snn on x.npy" -- infer "$MODEL" --checkpoint "$OUT/init.safetensors" \
	--input "$OUT/x.npy" --output "$OUT/y_infer.npy"
iloss=$("$TOOL" mse "$OUT/y_infer.npy" "$OUT/y.npy" 2>&1)
if [ -n "$gloss" ] && close "$gloss" "$iloss" 1e-5; then
	ok "the gradient file's loss ($gloss) is the mse of spikec infer's outputs ($iloss)"
else
	bad "the gradient file's loss '$gloss' is not the mse of spikec infer's outputs '$iloss'"
fi

# The same weights baked into the emitted C (spikec emit --checkpoint) give
# the same output bits as spikec infer with the checkpoint.
BK=$OUT/baked
expect 0 "" "spikec emit tiny.snn --checkpoint init.safetensors" -- \
	emit "$MODEL" --checkpoint "$OUT/init.safetensors" -o "$BK"
if $CC $WARN -I. -DMODEL=tiny -DMODEL_UPPER=TINY -include "$BK/tiny_weights.h" -o "$BK/run" \
	tests/train/baked_forward.c "$BK/tiny.c" "$BK/tiny_weights.c" "$LIB" -lopenblas -lz -lm >"$OUT/bk.log" 2>&1 &&
	"$BK/run" "$OUT/x.npy" "$BK/y.npy" >>"$OUT/bk.log" 2>&1; then
	check "emitted C with baked weights: byte-identical outputs to spikec infer" cmp -s "$BK/y.npy" "$OUT/y_infer.npy"
else
	bad "build or run tests/train/baked_forward.c (log $OUT/bk.log)"
	show "$OUT/bk.log"
fi
cp "$OUT/init.safetensors" "$OUT/nan.safetensors"
size=$(wc -c <"$OUT/nan.safetensors")
printf '\000\000\300\177' | dd of="$OUT/nan.safetensors" bs=1 seek=$((size - 4)) conv=notrunc 2>/dev/null
expect 1 "NaN" "spikec emit --checkpoint with a NaN weight" -- \
	emit "$MODEL" --checkpoint "$OUT/nan.safetensors" -o "$OUT/baked_nan"
if [ ! -e "$OUT/baked_nan/tiny_weights.c" ]; then
	ok "no weights file is written for a checkpoint with a NaN"
else
	bad "a weights file was written for a checkpoint with a NaN"
fi
expect 1 "no-such" "spikec emit --checkpoint of a missing file" -- \
	emit "$MODEL" --checkpoint "$OUT/no-such.safetensors" -o "$OUT/baked_missing"

# ---- 5. bad input: a clear error and exit 1 -----------------------------------
sed '/^train {/,$d' "$MODEL" >"$OUT/notrain.snn"
# --seed: replaces the train block's seed, and a run resumes only with its own.
expect 0 "" "spikec run --seed 9 --epochs 2" -- run "$MODEL" --seed 9 --epochs 2 --out "$OUT/seed9"
if [ "$(losses "$OUT/seed9/metrics.jsonl" | head -n 1)" != "$(losses "$A/metrics.jsonl" | head -n 1)" ]; then
	ok "--seed 9 trains differently from the train block's seed"
else
	bad "--seed 9 gives the same first loss as the train block's seed"
fi
expect 1 "seed" "--resume with another --seed is refused" -- \
	run "$MODEL" --seed 8 --epochs 3 --out "$OUT/seed9" --resume "$OUT/seed9/epoch-2.safetensors"
expect 1 "no 'train' block" "run of a model without a train block" -- run "$OUT/notrain.snn" --out "$OUT/e1"
expect 1 "cannot be resumed" "--resume of a spikec init checkpoint (no progress)" -- \
	run "$MODEL" --out "$OUT/e2" --resume "$OUT/init.safetensors"
expect 1 "cannot open.*no_such.safetensors" "--resume of a missing file" -- \
	run "$MODEL" --out "$OUT/e3" --resume "$OUT/no_such.safetensors"
expect 1 "positive integer" "run --epochs 0" -- run "$MODEL" --out "$OUT/e4" --epochs 0
expect 1 "missing --checkpoint F" "eval without --checkpoint" -- eval "$MODEL"
head -c 1000 "$A/epoch-10.safetensors" >"$OUT/truncated.safetensors"
expect 1 "truncated" "eval of a truncated checkpoint" -- eval "$MODEL" --checkpoint "$OUT/truncated.safetensors"
"$TOOL" targets "$OUT/y_bad.npy" 20 3 1
expect 1 "y_bad.npy.*shape" "grad with targets of batch 3 for inputs of batch 4" -- \
	grad "$MODEL" --checkpoint "$OUT/init.safetensors" --input "$OUT/x.npy" --labels "$OUT/y_bad.npy" \
	--output "$OUT/g_bad.safetensors"
check "... and writes no gradient file" [ ! -e "$OUT/g_bad.safetensors" ]
expect 1 "cannot create '/proc/spikec'" "run --out /proc/spikec (cannot be created)" -- \
	run "$MODEL" --out /proc/spikec
: >"$OUT/a_file"
expect 1 "cannot create" "run --out below a regular file" -- run "$MODEL" --out "$OUT/a_file/run"
# lr = 1e30: the first step throws the weights to ~1e30 and the next loss is
# inf; the driver must stop there, naming the loss or a tensor.
sed 's/lr = 1e-2/lr = 1e30/' "$MODEL" >"$OUT/nan.snn"
expect 1 "loss is|not finite" "run with lr = 1e30 stops at the non-finite loss" -- run "$OUT/nan.snn" --out "$OUT/nan"

# ---- 6. atomic checkpoints -------------------------------------------------------
check "no *.tmp.* file left in any output directory" no_tmp "$OUT"
# A checkpoint that cannot be renamed into place (a directory is in the way)
# is an error that leaves no temporary file and the earlier checkpoints whole.
mkdir -p "$OUT/blocked/epoch-2.safetensors"
expect 1 "cannot write.*epoch-2.safetensors" "run whose epoch-2 checkpoint cannot be written" -- \
	run "$MODEL" --out "$OUT/blocked"
check "... leaves no *.tmp.* file behind" no_tmp "$OUT/blocked"
expect 0 "" "... and last.safetensors is whole" -- \
	eval "$MODEL" --checkpoint "$OUT/blocked/last.safetensors"

# A killed run leaves its temporaries (NAME.tmp.PID). The next run into the
# folder removes those of the files a run writes whose process is gone, and
# says so; a live process's temporaries and other files stay.
S=$OUT/stale
mkdir -p "$S"
sh -c 'exit 0' &
dead=$!
wait "$dead"
for f in epoch-3.safetensors last.safetensors metrics.jsonl; do : >"$S/$f.tmp.$dead"; done
: >"$S/last.safetensors.tmp.$$"
: >"$S/notes.txt.tmp.$dead"
: >"$S/notes.txt"
expect 0 "removed stale temporary $S/last.safetensors.tmp.$dead" "a run removes the stale temporaries in its folder" -- \
	run "$MODEL" --out "$S" --epochs 1
check "... epoch-3.safetensors.tmp, last.safetensors.tmp and metrics.jsonl.tmp of the dead process are gone" \
	none_exist "$S/epoch-3.safetensors.tmp.$dead" "$S/last.safetensors.tmp.$dead" "$S/metrics.jsonl.tmp.$dead"
check "... the live process's last.safetensors.tmp and the unrelated files stay" \
	all_exist "$S/last.safetensors.tmp.$$" "$S/notes.txt.tmp.$dead" "$S/notes.txt"
rm -f "$S/last.safetensors.tmp.$$" "$S/notes.txt.tmp.$dead"

# kill -9 during training, a few times into the same folder (mostly while a
# checkpoint is written: most kills leave a temporary); then a run resumed
# from the newest checkpoint starts from a whole file and leaves no
# temporary behind.
K=$OUT/killed
t0=$(date +%s.%N)
for i in 1 2 3 4 5; do
	"$SPIKEC" run "$MODEL" --out "$K" --epochs 100000 --quiet </dev/null 2>>"$OUT/killed.log" &
	pid=$!
	sleep "$(awk -v s="$$$i" 'BEGIN { srand(s); printf "%.2f", 0.2 + 0.3 * rand() }')"
	kill -9 "$pid"
	wait "$pid" 2>/dev/null
done
left=$(find "$K" -name '*.tmp.*' | wc -l)
newest=$(ls "$K" 2>/dev/null | sed -n 's/^epoch-\([0-9]*\)\.safetensors$/\1/p' | sort -n | tail -n 1)
if [ -n "$newest" ]; then
	ok "5 runs killed with -9 (${left} temporaries left, newest checkpoint epoch-$newest, $(elapsed "$t0")s)"
else
	bad "5 runs killed with -9 wrote no checkpoint"
	show "$OUT/killed.log"
	newest=0
fi
expect 0 "resumed" "... a run resumed from epoch-$newest.safetensors" -- \
	run "$MODEL" --out "$K" --epochs $((newest + 1)) --resume "$K/epoch-$newest.safetensors"
check "... leaves no *.tmp.* file in the folder" no_tmp "$K"
expect 0 "" "... and its last.safetensors loads" -- eval "$MODEL" --checkpoint "$K/last.safetensors"

echo "run_train.sh took $(elapsed "$script_start")s"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
