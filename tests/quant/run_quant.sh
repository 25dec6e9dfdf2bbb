#!/bin/sh
# run_quant.sh: the quantized forward pass (spikec quantize, --quantized;
# docs/quantize.md), against numbers found another way:
#
#   1. the int8 weights, scales and thresholds `spikec quantize` writes equal
#      those tests/quant/ref_quant.py derives in numpy from the float
#      checkpoint (docs/quantize.md's rules), bit for bit;
#   2. `spikec infer --quantized` equals ref_quant.py's integer forward pass
#      bit for bit (mnist_rows: a last-step readout; tiny: a per-step one);
#   3. the LLVM JIT and the C backend give the same bits for every example
#      that quantizes, and eval --quantized the same result on 1 and 2
#      threads;
#   4. the emitted C (--quantized --portable, weights baked from the
#      quantized checkpoint) compiles with -Werror under gcc and clang, and
#      the time step of mnist_rows and fsdd_digits has no float in it;
#   5. errors: an lstm model, a float checkpoint with --quantized and a
#      quantized one without it, a quantized checkpoint with a tensor of the
#      wrong dtype: a clear message and exit 1, no file written.
#
#   sh tests/quant/run_quant.sh   (after `make`; numpy from Debian's
#                                  python3-numpy, $NUMPY_PYTHON)
set -u
cd "$(dirname "$0")/../.." || exit 2
spikec=${SPIKEC:-bin/spikec}
py=${NUMPY_PYTHON:-/usr/bin/python3}
CC=${CC:-cc}
. tests/lib.sh
test_begin build/test/quant "$spikec"
OUT=$TEST_OUT

if ! "$py" -c "import numpy" 2>"$OUT/import.err"; then
	echo "SKIP the quantized forward pass: $py cannot import numpy ($(tail -n 1 "$OUT/import.err")); install python3-numpy"
	summary
	exit
fi

# quant MODEL: a float checkpoint (init --seed 1) and its quantized one.
quant() {
	"$spikec" init "examples/$1.snn" --seed 1 --output "$OUT/$1.safetensors" >/dev/null &&
		"$spikec" quantize "examples/$1.snn" --checkpoint "$OUT/$1.safetensors" -o "$OUT/$1_q.safetensors" \
			>"$OUT/$1_q.txt" 2>&1
}

# spikes NAME T B I P: random 0/1 inputs (T, B, I), each 1 with probability P.
spikes() {
	"$py" -c "
import numpy as np
np.save('$OUT/$1.npy', (np.random.default_rng(7).random(($2, $3, $4)) < $5).astype(np.float32))"
}

# 1, 2: the numpy reference.
for spec in "mnist_rows 28 28 200 last" "tiny 20 1 8 step"; do
	set -- $spec
	check "$1: quantize" quant "$1"
	if "$py" tests/quant/ref_quant.py derive "$OUT/$1.safetensors" "$OUT/$1_q.safetensors" h y 0.1 \
		>"$OUT/$1_derive.txt" 2>&1; then
		ok "$1: int8 weights, scales and thresholds equal the numpy reference"
	else
		bad "$1: quantized tensors"
		show "$OUT/$1_derive.txt"
	fi
	spikes "x_$1" "$2" 9 "$3" 0.3
	"$spikec" infer "examples/$1.snn" --quantized --checkpoint "$OUT/$1_q.safetensors" --input "$OUT/x_$1.npy" \
		-o "$OUT/y_$1.npy" >/dev/null 2>"$OUT/infer.err" || { bad "$1: infer --quantized"; show "$OUT/infer.err"; }
	if "$py" tests/quant/ref_quant.py forward "$OUT/$1_q.safetensors" "$OUT/x_$1.npy" "$OUT/y_$1.npy" "$4" "$5" \
		>"$OUT/$1_forward.txt" 2>&1; then
		ok "$1: infer --quantized equals the numpy integer forward pass bit for bit"
	else
		bad "$1: infer --quantized against the reference"
		show "$OUT/$1_forward.txt"
	fi
done
check "mnist_rows: quantize says the time loop is integer-only" grep -q "integer-only: int8 sums" "$OUT/mnist_rows_q.txt"

# 3: both backends, and threads.
for spec in "mnist_rows 28 28" "tiny 20 1" "fsdd_digits 32 32" "toy_timing 200 1" "npy_classify 16 8" \
	"slstm_analog 28 28"; do
	set -- $spec
	[ "$1" = mnist_rows ] || [ "$1" = tiny ] || check "$1: quantize" quant "$1"
	spikes "x_$1" "$2" 5 "$3" 0.3
	for be in llvm c; do
		"$spikec" infer "examples/$1.snn" --quantized --backend $be --checkpoint "$OUT/$1_q.safetensors" \
			--input "$OUT/x_$1.npy" -o "$OUT/y_$1_$be.npy" >/dev/null 2>"$OUT/infer.err" ||
			{ bad "$1: infer --quantized --backend $be"; show "$OUT/infer.err"; }
	done
	check "$1: LLVM and C give the same bits" cmp -s "$OUT/y_$1_llvm.npy" "$OUT/y_$1_c.npy"
done
check "slstm_analog (an unbinarised cell): quantize says what stays float" \
	grep -q "not integer-only: the states of the time loop depend on" "$OUT/slstm_analog_q.txt"
for t in 1 2; do
	"$spikec" eval examples/tiny.snn --quantized --checkpoint "$OUT/tiny_q.safetensors" --threads $t \
		>"$OUT/eval_$t.txt" 2>"$OUT/eval.err" || { bad "eval --quantized --threads $t"; show "$OUT/eval.err"; }
done
check "eval --quantized: the same result on 1 and 2 threads" cmp -s "$OUT/eval_1.txt" "$OUT/eval_2.txt"
check "eval --quantized prints the test error" grep -q "rmse" "$OUT/eval_1.txt"

# 4: the emitted C.
for m in mnist_rows fsdd_digits; do
	rm -rf "$OUT/c_$m"
	"$spikec" emit "examples/$m.snn" --quantized --portable --checkpoint "$OUT/${m}_q.safetensors" -o "$OUT/c_$m" \
		>/dev/null 2>"$OUT/emit.err" || { bad "$m: emit --quantized"; show "$OUT/emit.err"; }
	for cc in gcc clang; do
		command -v $cc >/dev/null || continue
		for f in $m ${m}_weights; do
			check "$m: $f.c compiles with $cc -Werror" $cc -std=c99 -Wall -Wextra -pedantic -Werror -O2 \
				-ffp-contract=off -c "$OUT/c_$m/$f.c" -o "$OUT/c_$m/$f.$cc.o" 2>"$OUT/cc.err" || show "$OUT/cc.err"
		done
	done
	sed -n '/^static void step(/,/^}/p' "$OUT/c_$m/$m.c" >"$OUT/step_$m.c"
	check "$m: the emitted time step reads spikes as int32" grep -q "spk_events_xwt_q8" "$OUT/step_$m.c"
	check "$m: the emitted time step (but the input spikes' type) has no float in it" \
		sh -c "! grep -v 'const float \*x_t' '$OUT/step_$m.c' | grep -q float"
	check "$m: the weights table holds 32-bit words" grep -q "const uint32_t ${m}_weights" "$OUT/c_$m/${m}_weights.c"
done

# 5: errors.
fails_with "an lstm layer cannot be quantized" "which is not spikes: the integer forward pass needs" \
	"$spikec" quantize examples/mnist_rows_lstm.snn --checkpoint "$OUT/mnist_rows.safetensors" -o "$OUT/no.safetensors"
check "... and no file is written" test ! -e "$OUT/no.safetensors"
fails_with "--quantized with a float checkpoint" "is a float checkpoint; the quantized model reads what 'spikec quantize'" \
	"$spikec" infer examples/tiny.snn --quantized --checkpoint "$OUT/tiny.safetensors" --input "$OUT/x_tiny.npy" \
	-o "$OUT/no.npy"
fails_with "a quantized checkpoint without --quantized" "is a quantized checkpoint ('spikec quantize'); add --quantized" \
	"$spikec" eval examples/tiny.snn --checkpoint "$OUT/tiny_q.safetensors"
check "... and no output is written" test ! -e "$OUT/no.npy"
"$py" -c "
import json
b = open('$OUT/tiny_q.safetensors', 'rb').read()
n = int.from_bytes(b[:8], 'little')
h = json.loads(b[8:8 + n])
h['h.threshold']['dtype'] = 'F32'
s = json.dumps(h).encode()
s += b' ' * (-len(s) % 8)
open('$OUT/bad_q.safetensors', 'wb').write(len(s).to_bytes(8, 'little') + s + b[8 + n:])"
	fails_with "a quantized checkpoint with a float threshold" "tensor 'h.threshold' is F32[32], but model 'tiny' needs i32" \
	"$spikec" eval examples/tiny.snn --quantized --checkpoint "$OUT/bad_q.safetensors"
fails_with "quantize needs a checkpoint" "--checkpoint" "$spikec" quantize examples/tiny.snn -o "$OUT/no.safetensors"
summary
