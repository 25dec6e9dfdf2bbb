#!/bin/sh
# run_npy.sh: `data = npy(...)`, training on the user's .npy arrays
# (docs/data.md), on data sets that tests/npy/make_npy.c generates:
#
#   1. examples/npy_classify.snn learns its 4-class task: test accuracy well
#      above chance (25%), and `spikec eval` (and `eval --json`) gives the logged accuracy;
#   2. every input dtype (f4, f8, u1, b1; spikes and intensities, through the
#      bernoulli, threshold and analog encoders) and label dtype (i4, i8, u1)
#      trains; split = 0.75 cuts 300 / 100 deterministically;
#   3. per-step labels (T, N) and per-step regression targets (T, N, O);
#   4. bad data gets its exact message and exit 1: shapes against the model,
#      labels out of range, NaN, dtypes, Fortran order, missing files, empty
#      sets, a split that leaves nothing to test.
#
#   sh tests/npy/run_npy.sh       (after `make`: needs bin/spikec and
#                                  build/libspikec.a, for make_npy.c)
#
# Work files stay under build/test/npy. Each check prints PASS or FAIL; the
# last line is `N passed, M failed`; exits 1 if any check failed.
set -u
cd "$(dirname "$0")/../.." || exit 2

SPIKEC=${SPIKEC:-bin/spikec}
LIB=${SPIKEC_BUILD:-build}/libspikec.a
OUT=build/test/npy
CC=${CC:-cc}
GEN=$OUT/make_npy

. tests/lib.sh
test_begin "$OUT" "$SPIKEC" "$LIB"
mkdir -p "$OUT/data/npy_classify" || exit 2
# metric FILE KEY: the value of KEY on the last line.
metric() { tail -n 1 "$1" | sed -n "s/.*\"$2\": \([-0-9.e+]*\).*/\1/p"; }
# gt A B: A > B as numbers.
gt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 > b + 0) }'; }
# model NAME INPUT LOSSLINES DATA [TRAIN...]: writes $OUT/NAME.snn, a model
# of 8 inputs over 16 steps (INPUT: spikes or analog) with the given
# readout and loss lines, trained on DATA.
model() {
	cat >"$OUT/$1.snn" <<EOM
model $1 {
    input  x[8] $2 over 16 steps
    h    = slstm(x, 16)
$3
}
train {
    data      = $4
    optimizer = adam(lr = 1e-2)
    batch = 25   epochs = ${5:-2}   seed = 1
}
EOM
}
CLASSIFY="    y    = dense(last(h), 4)
    loss = cross_entropy(y)"

if $CC -std=c99 -O2 -Wall -Wextra -pedantic -Werror -I. -o "$GEN" tests/npy/make_npy.c "$LIB" -lopenblas -lz -lm \
	>"$OUT/gen.log" 2>&1; then
	ok "build tests/npy/make_npy.c"
else
	bad "build tests/npy/make_npy.c (log $OUT/gen.log)"
	show "$OUT/gen.log"
fi
# gen PREFIX N XDTYPE XMODE YKIND SEED [T I C]: one generated set under $OUT.
gen() { "$GEN" task "$OUT/$1" "$2" "${7:-16}" "${8:-8}" "${9:-4}" "$3" "$4" "$5" "$6"; }

# ---- 1. the example learns -----------------------------------------------------
cp examples/npy_classify.snn "$OUT/"
if "$GEN" task "$OUT/data/npy_classify/train" 1000 16 8 4 f4 spikes i4 1 &&
	"$GEN" task "$OUT/data/npy_classify/test" 400 16 8 4 u1 spikes i8 2; then
	ok "make_npy writes the example's data (1000 train, 400 test)"
else
	bad "make_npy cannot write the example's data"
fi
if "$SPIKEC" run "$OUT/npy_classify.snn" --out "$OUT/ex" >"$OUT/ex.log" 2>&1; then
	ok "spikec run examples/npy_classify.snn exits 0"
else
	bad "spikec run examples/npy_classify.snn"
	show "$OUT/ex.log"
fi
acc=$(metric "$OUT/ex/metrics.jsonl" test_accuracy)
if [ -n "$acc" ] && gt "$acc" 0.6; then
	ok "the example learns: test accuracy $acc after 5 epochs (chance 0.25, limit 0.6)"
else
	bad "the example does not learn: test accuracy '$acc' (chance 0.25, limit 0.6)"
fi
evaled=$("$SPIKEC" eval "$OUT/npy_classify.snn" --checkpoint "$OUT/ex/epoch-5.safetensors" 2>&1 |
	sed -n 's/.*accuracy \([0-9.]*\)%.*/\1/p')
if [ -n "$evaled" ] && [ -n "$acc" ] && awk -v a="$evaled" -v b="$acc" 'BEGIN { d = a / 100 - b; exit !(d < 1e-4 && d > -1e-4) }'; then
	ok "spikec eval gives the logged test accuracy ($evaled%)"
else
	bad "spikec eval gives test accuracy '$evaled'%, the run logged '$acc'"
fi
# eval --json of a classifier (docs/cli-json.md): the logged accuracy, no rmse.
"$SPIKEC" eval "$OUT/npy_classify.snn" --checkpoint "$OUT/ex/epoch-5.safetensors" --json >"$OUT/eval.json" 2>/dev/null
if python3 -c "import json, sys
d = json.load(open(sys.argv[1]))
assert d['metric'] == 'accuracy' and d['rmse'] is None and d['bits_per_char'] is None, d
assert abs(d['accuracy'] - float(sys.argv[2])) < 1e-6 and d['samples'] == 400 and d['loss'] > 0, d" \
	"$OUT/eval.json" "${acc:-nan}" 2>"$OUT/eval.err"; then
	ok "spikec eval --json: metric accuracy, the logged $acc, 400 samples"
else
	bad "spikec eval --json of a classifier"
	show "$OUT/eval.err"
fi

# ---- 2. dtypes, encoders, split ---------------------------------------------------
# NAME XDTYPE XMODE YKIND INPUT ENCODE
while read -r name xd xm yk input encode; do
	gen "$name" 200 "$xd" "$xm" "$yk" 3
	enc=
	[ "$encode" = - ] || enc=", encode = $encode"
	model "$name" "$input" "$CLASSIFY" "npy(train = \"${name}_x.npy\", labels = \"${name}_y.npy\", split = 0.75$enc)" 4
	if "$SPIKEC" run "$OUT/$name.snn" --out "$OUT/$name" >"$OUT/$name.log" 2>&1 &&
		grep -q ": 150 train / 50 test samples" "$OUT/$name.log"; then
		a=$(metric "$OUT/$name/metrics.jsonl" test_accuracy)
		if gt "$a" 0.4; then
			ok "x $xd $xm, labels $yk, $input input, encode $encode: trains on 150 / 50, test accuracy $a"
		else
			bad "x $xd $xm, labels $yk, $input input, encode $encode: test accuracy $a (limit 0.4)"
		fi
	else
		bad "x $xd $xm, labels $yk, $input input, encode $encode: spikec run"
		show "$OUT/$name.log"
	fi
done <<EOT
f8spk f8 spikes i8 spikes -
u1spk u1 spikes u1 spikes -
b1spk b1 spikes i4 spikes threshold
f4int f4 intensity i4 spikes bernoulli
f8int f8 intensity i4 analog -
EOT
# The split is the first 75% (floor) of the samples, whatever the seed.
gen split 400 f4 spikes i4 4
model split spikes "$CLASSIFY" 'npy(train = "split_x.npy", labels = "split_y.npy", split = 0.75)' 1
"$SPIKEC" run "$OUT/split.snn" --out "$OUT/split" >"$OUT/split.log" 2>&1
check "split = 0.75 of 400 samples: 300 train / 100 test" grep -q ": 300 train / 100 test samples" "$OUT/split.log"

# ---- 3. per-step labels and targets ------------------------------------------------
gen step 200 f4 spikes step 5
model step spikes "    y    = dense(h, 4)
    loss = cross_entropy(y)" 'npy(train = "step_x.npy", labels = "step_y.npy", split = 0.75)' 4
"$SPIKEC" run "$OUT/step.snn" --out "$OUT/step" >"$OUT/step.log" 2>&1
a=$(metric "$OUT/step/metrics.jsonl" test_accuracy)
if [ -n "$a" ] && gt "$a" 0.4; then
	ok "per-step labels (T, N): test accuracy over all steps $a (chance 0.25, limit 0.4)"
else
	bad "per-step labels (T, N): test accuracy '$a'"
	show "$OUT/step.log"
fi
gen reg 200 f4 spikes target 6
model reg spikes "    y    = dense(h, 1)
    loss = mse(y)" 'npy(train = "reg_x.npy", labels = "reg_y.npy", split = 0.75)' 6
"$SPIKEC" run "$OUT/reg.snn" --out "$OUT/reg" >"$OUT/reg.log" 2>&1
first=$(head -n 1 "$OUT/reg/metrics.jsonl" 2>/dev/null | sed -n 's/.*"test_mse": \([-0-9.e+]*\).*/\1/p')
last=$(metric "$OUT/reg/metrics.jsonl" test_mse)
if [ -n "$last" ] && [ -n "$first" ] && gt "$first" "$last"; then
	ok "per-step targets (T, N, 1): test mse falls from $first to $last"
else
	bad "per-step targets (T, N, 1): test mse '$first' then '$last'"
	show "$OUT/reg.log"
fi

# ---- 4. errors: exact messages, exit 1 --------------------------------------------
E=$OUT/e
mkdir -p "$E"
gen e/ok 20 f4 spikes i4 7
gen e/n30 30 f4 spikes i4 7
gen e/i7 20 f4 spikes i4 7 16 7
gen e/t12 20 f4 spikes i4 7 12
gen e/c6 20 f4 spikes i4 7 16 8 6
gen e/i4x 20 i4 spikes i4 7
gen e/fy 20 f4 spikes target 7
gen e/empty 0 f4 spikes i4 7
gen e/int 20 f4 intensity i4 7
gen e/u1int 20 u1 intensity i4 7
"$GEN" nan "$E/nan_x.npy" 16 20 8 3 5 2
LC_ALL=C sed "s/'fortran_order': False/'fortran_order': True /" "$E/ok_x.npy" >"$E/fortran_x.npy"
# bad_data LABEL X Y MESSAGE: training on X with labels Y fails with MESSAGE.
bad_data() {
	model e_case spikes "$CLASSIFY" "npy(train = \"e/$2\", labels = \"e/$3\", split = 0.5)"
	fails_with "$1" "spikec: error: $OUT/e/$4" "$SPIKEC" run "$OUT/e_case.snn" --out "$OUT/e_run"
}
bad_data "inputs of the wrong size" i7_x.npy i7_y.npy \
	"i7_x.npy: shape (16, 20, 7) gives 7 values per step, but the model's input takes 8; save (T, N, I) = (16, N, 8)"
bad_data "inputs of the wrong steps" t12_x.npy t12_y.npy \
	"t12_x.npy: shape (12, 20, 8) gives 12 steps, but the model runs over 16; save (T, N, I) = (16, N, 8)"
bad_data "labels of another N" ok_x.npy n30_y.npy \
	"n30_y.npy: shape (30,); the labels must be (N,) = (20,), a class per sample of the inputs"
bad_data "labels out of range" c6_x.npy c6_y.npy \
	"c6_y.npy: label 4 at [4] is outside 0..3; the model's prediction has 4 classes"
bad_data "float labels" ok_x.npy fy_y.npy \
	"fy_y.npy: labels of dtype f4; class labels must be integers: save them as int32, int64 or uint8"
bad_data "a NaN in the inputs" nan_x.npy ok_y.npy \
	"nan_x.npy: element [3, 5, 2] is nan; inputs must be finite"
bad_data "inputs of an unsupported dtype" i4x_x.npy ok_y.npy \
	"i4x_x.npy: inputs of dtype i4 are not supported; save them as float32, float64, uint8 or bool"
bad_data "Fortran order" fortran_x.npy ok_y.npy \
	"fortran_x.npy: fortran_order arrays are not supported; save with np.ascontiguousarray"
bad_data "no samples" empty_x.npy empty_y.npy "empty_x.npy: shape (16, 0, 8) holds no samples"
bad_data "uint8 intensities (0..255) for bernoulli" u1int_x.npy u1int_y.npy \
	"u1int_x.npy: element [0, 0, 0] is 179, outside [0, 1]; the bernoulli encoder reads inputs as spike probabilities: scale them into [0, 1], or use encode = threshold(level), or encode = analog with an analog input"
model e_missing spikes "$CLASSIFY" 'npy(train = "e/no_such_x.npy", labels = "e/ok_y.npy", split = 0.5)'
fails_with "a missing file" "spikec: error: cannot open '$OUT/e/no_such_x.npy' for reading: No such file or directory" \
	"$SPIKEC" run "$OUT/e_missing.snn" --out "$OUT/e_run"
"$GEN" nan "$E/nan_y.npy" 16 20 1 2 7 0
model e_reg spikes "    y    = dense(h, 1)
    loss = mse(y)" 'npy(train = "e/ok_x.npy", labels = "e/nan_y.npy", split = 0.5)'
fails_with "a NaN in the targets" "spikec: error: $OUT/e/nan_y.npy: element [2, 7, 0] is nan; targets must be finite" \
	"$SPIKEC" run "$OUT/e_reg.snn" --out "$OUT/e_run"
model e_split spikes "$CLASSIFY" 'npy(train = "e/ok_x.npy", labels = "e/ok_y.npy", split = 0.01)'
fails_with "a split that leaves nothing to train" \
	"spikec: error: $OUT/e/ok_x.npy: split = 0.01 of its 20 samples leaves 0 to train and 20 to test, but each needs at least one; change split, or give test and test_labels" \
	"$SPIKEC" run "$OUT/e_split.snn" --out "$OUT/e_run"
summary
