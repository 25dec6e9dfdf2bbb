#!/bin/sh
# run_report.sh: `spikec report` (docs/report.md) against numbers found
# another way:
#
#   1. parameters and their bytes: the count of `spikec check`, 4 bytes each;
#      int8 bytes from the parameter shapes by hand and as spikec quantize writes them;
#   2. dense MACs per sample from the layer shapes by hand (tiny, mnist_rows);
#   3. workspace bytes: what the emitted C's <model>_workspace_floats(1) and
#      <model>_train_workspace_floats(batch) return, 4 bytes a float;
#   4. the BPTT tape per sample from the training buffers of the kernel IR
#      listing, by hand;
#   5. SynOps: all-silent input from spikec init's parameters (zero biases:
#      no spike anywhere) gives 0; all-ones input with every parameter 1
#      (every gate, cell and output spikes at every step) gives the dense
#      MACs less the first step of the recurrent product, whose h_0 is zero;
#      the same counts on both backends and any OpenBLAS thread count;
#      --data on tiny's test split;
#   6. the text output against goldens (tests/report/*.txt; rewritten with
#      SPIKEC_GOLDEN_UPDATE=1); --json parsed by io/json.c, jansson (report_helper.c);
#   7. the errors: measuring without a checkpoint, a checkpoint of another
#      model, inputs of the wrong shape, a model without a loss or without a
#      train block, conflicting options: a clear message and exit 1.
#
#   sh tests/report/run_report.sh   (after `make`: needs bin/spikec and
#                                    build/libspikec.a, for report_helper.c)
#
# Work files stay under build/test/report. Each check prints PASS or FAIL;
# the last line is `N passed, M failed`; exits 1 if any check failed.
set -u
cd "$(dirname "$0")/../.." || exit 2

SPIKEC=${SPIKEC:-bin/spikec}
LIB=${SPIKEC_BUILD:-build}/libspikec.a
OUT=build/test/report
GOLD=tests/report
CC=${CC:-cc}
update=${SPIKEC_GOLDEN_UPDATE:-0}

. tests/lib.sh
test_begin "$OUT" "$SPIKEC" "$LIB"

H=$OUT/report_helper
if ! $CC -std=c99 -O2 -Wall -Wextra -pedantic -Werror -D_POSIX_C_SOURCE=200809L -I. -o "$H" \
	tests/report/report_helper.c "$LIB" -ljansson -lm >"$OUT/helper.log" 2>&1; then
	bad "report_helper.c compiles"
	show "$OUT/helper.log"
	summary
	exit 1
fi

# json FILE PATH: the value at PATH of the JSON in FILE.
json() { "$H" json "$@"; }
# same LABEL GOT WANT
same() {
	if [ "$2" = "$3" ]; then ok "$1 ($2)"; else bad "$1: got '$2', want '$3'"; fi
}
# golden NAME FILE: FILE against tests/report/NAME.txt.
golden() {
	[ "$update" = 1 ] && cp "$2" "$GOLD/$1.txt"
	if diff -u "$GOLD/$1.txt" "$2" >"$OUT/$1.diff"; then ok "golden $1"; else bad "golden $1"; show "$OUT/$1.diff"; fi
}

# ---- 1-4: bytes and MACs of tiny and mnist_rows -----------------------------
for m in tiny mnist_rows; do
	if "$SPIKEC" report "examples/$m.snn" --json >"$OUT/$m.json" 2>"$OUT/$m.err" && json "$OUT/$m.json" model >/dev/null
	then ok "$m: --json is one JSON object"; else bad "$m: --json"; show "$OUT/$m.err"; fi
	"$SPIKEC" report "examples/$m.snn" >"$OUT/$m.txt" 2>&1
	golden "$m" "$OUT/$m.txt"
	n=$("$SPIKEC" check "examples/$m.snn" | sed -n 's/^parameters: \([0-9]*\) .*/\1/p')
	same "$m: parameters as spikec check counts them" "$(json "$OUT/$m.json" parameters)" "$n"
	same "$m: float32 bytes = 4 x parameters" "$(json "$OUT/$m.json" param_bytes_f32)" "$((4 * n))"
done

# tiny: x[1] over 20 steps, slstm of 8 units (weight_ih 32x1, weight_hh 32x8,
# bias 32), dense(h, 1) at every step (weight 1x8, bias 1).
# Quantized (docs/quantize.md): a byte a weight, a float32 scale per row of
# each sum (h's 32, y's 1), an int32 threshold per row h's spikes read, the
# biases as float32; every int8 tensor here fills whole 4-byte words.
same "tiny: int8 bytes = a byte a weight, 4 a row's scale and threshold, 4 a bias" \
	"$(json "$OUT/tiny.json" param_bytes_int8)" "$(((32 + 256 + 8) + 4 * (32 + 1) + 4 * 32 + 4 * (32 + 1)))"
same "tiny: the bytes that spikec quantize writes" "$(json "$OUT/tiny.json" param_bytes_int8)" \
	"$("$SPIKEC" init examples/tiny.snn -o "$OUT/q.ck" >/dev/null &&
		"$SPIKEC" quantize examples/tiny.snn --checkpoint "$OUT/q.ck" -o "$OUT/q.ckq" |
		sed -n 's/.* with int8 weights, \([0-9]*\) bytes.*/\1/p')"
same "tiny: dense MACs = T (4H I + 4H H + O H)" "$(json "$OUT/tiny.json" macs_per_sample)" "$((20 * (32 + 256 + 8)))"
# mnist_rows: I = 28, H = 200, T = 28, 10 classes read from last(h) once.
same "mnist_rows: dense MACs = T (4H I + 4H H) + O H" "$(json "$OUT/mnist_rows.json" macs_per_sample)" \
	"$((28 * (800 * 28 + 800 * 200) + 10 * 200))"
same "mnist_rows: products stay events" "$(json "$OUT/mnist_rows.json" dense_macs_done_per_sample)" 0
"$SPIKEC" report examples/mnist_rows_lstm.snn --json >"$OUT/lstm.json"
same "mnist_rows_lstm: the recurrent and readout products are dense" \
	"$(json "$OUT/lstm.json" dense_macs_done_per_sample products/1/events | tr "\n" " ")" "4482000 false "
# The tape, from `spikec ir --after kernels`: tiny keeps per step the
# pre-activations h_a_seq (32 floats), h_c_seq and h_h_seq as bits (a word
# each), h_h_seq_2 (8 floats, for the readout's weight gradient) and the
# outputs y_ (1 float, for the loss gradient); mnist_rows h_a_seq (800)
# and the two 200-spike stacks as bits (7 words each).
same "tiny: tape bytes per sample" "$(json "$OUT/tiny.json" tape_bytes_per_sample)" "$((4 * 20 * (32 + 1 + 1 + 8 + 1)))"
same "mnist_rows: tape bytes per sample" "$(json "$OUT/mnist_rows.json" tape_bytes_per_sample)" \
	"$((4 * 28 * (800 + 7 + 7)))"

# Workspaces against the emitted C's own functions.
for m in tiny mnist_rows; do
	mkdir -p "$OUT/emit_$m"
	"$SPIKEC" emit "examples/$m.snn" --portable -o "$OUT/emit_$m" >/dev/null
	b=$(json "$OUT/$m.json" train_batch)
	printf '#include <stdio.h>\nint main(void) { printf("%%zu %%zu %%zu\\n", 4 * %s_workspace_floats(1), 4 * %s_train_workspace_floats(1), 4 * %s_train_workspace_floats(%s)); return 0; }\n' \
		"$m" "$m" "$m" "$b" >"$OUT/emit_$m/ws.c"
	if $CC -std=c99 -O0 -include "$OUT/emit_$m/$m.h" -o "$OUT/emit_$m/ws" "$OUT/emit_$m/ws.c" "$OUT/emit_$m/$m.c" -lm \
		>"$OUT/emit_$m/cc.log" 2>&1; then
		same "$m: workspaces (forward batch 1, training batch 1 and $b) as the emitted C says" \
			"$(json "$OUT/$m.json" workspace_bytes/forward_batch_1 workspace_bytes/training_batch_1 \
				workspace_bytes/training_train_batch | tr '\n' ' ')" "$("$OUT/emit_$m/ws") "
	else
		bad "$m: the emitted C compiles"
		show "$OUT/emit_$m/cc.log"
	fi
done

# ---- 5: SynOps -------------------------------------------------------------
"$SPIKEC" init examples/tiny.snn --seed 1 -o "$OUT/init.safetensors" >/dev/null
"$H" fill "$OUT/init.safetensors" "$OUT/ones.safetensors" 1
"$H" npy "$OUT/silent.npy" 20 5 1 0
"$H" npy "$OUT/ones.npy" 20 5 1 1
"$SPIKEC" report examples/tiny.snn --checkpoint "$OUT/init.safetensors" --input "$OUT/silent.npy" --json >"$OUT/silent.json"
same "all-silent input: no SynOps" "$(json "$OUT/silent.json" measured/synops_per_sample measured/samples | tr '\n' ' ')" "0 5 "
"$SPIKEC" report examples/tiny.snn --checkpoint "$OUT/ones.safetensors" --input "$OUT/ones.npy" --json >"$OUT/ones.json"
same "all-active: every spike value fires at every step" \
	"$(json "$OUT/ones.json" measured/input_ones_per_sample measured/spikes_per_sample/h.h | tr '\n' ' ')" "20 160 "
same "all-active: the dense MACs less h_0's step of the recurrent product" \
	"$(json "$OUT/ones.json" measured/synops_per_sample)" "$((20 * (32 + 256 + 8) - 32 * 8))"
same "all-active: per product" "$(json "$OUT/ones.json" products/0/synops products/1/synops products/2/synops |
	tr '\n' ' ')" "640 4864 160 "
"$SPIKEC" report examples/tiny.snn --checkpoint "$OUT/ones.safetensors" --input "$OUT/ones.npy" >"$OUT/ones.txt" 2>&1
sed "s|$OUT/|OUT/|g" "$OUT/ones.txt" >"$OUT/ones_measured.txt"
golden ones_measured "$OUT/ones_measured.txt"

"$SPIKEC" report examples/tiny.snn --checkpoint "$OUT/init.safetensors" --data --json >"$OUT/data_llvm.json"
OPENBLAS_NUM_THREADS=2 "$SPIKEC" report examples/tiny.snn --checkpoint "$OUT/init.safetensors" --data --json \
	--backend c >"$OUT/data_c.json"
check "--data: the same counts on both backends and OpenBLAS thread counts" cmp -s "$OUT/data_llvm.json" "$OUT/data_c.json"
same "--data: the toy split is one batch of independent draws" "$(json "$OUT/data_llvm.json" measured/samples \
	measured/data | tr '\n' ' ')" "16 the test split "
s=$(json "$OUT/data_llvm.json" measured/synops_per_sample)
if awk -v s="$s" 'BEGIN { exit !(s > 0 && s < 5920) }'; then ok "--data: 0 < SynOps ($s) < dense MACs"; else
	bad "--data: SynOps $s"; fi

# ---- 7: errors -------------------------------------------------------------
printf 'model noblock {\n    input x[1] spikes over 20 steps\n    h = slstm(x, 8)\n    y = dense(h, 1)\n    loss = mse(y)\n}\n' \
	>"$OUT/noblock.snn"
T=examples/tiny.snn CK=$OUT/init.safetensors
fails_with "--data without --checkpoint" "give them with --checkpoint CK" "$SPIKEC" report $T --data
fails_with "--checkpoint alone" "give --data (the test split) or --input x.npy too" "$SPIKEC" report $T --checkpoint "$CK"
fails_with "--samples without --data" "--samples" "$SPIKEC" report $T --checkpoint "$CK" --input "$OUT/ones.npy" --samples 3
fails_with "--data and --input" "give one" "$SPIKEC" report $T --checkpoint "$CK" --data --input "$OUT/ones.npy"
fails_with "--samples 0" "--samples must be a positive integer" "$SPIKEC" report $T --checkpoint "$CK" --data --samples 0
fails_with "a missing checkpoint" "cannot open '$OUT/none.safetensors'" "$SPIKEC" report $T --data \
	--checkpoint "$OUT/none.safetensors"
fails_with "a checkpoint of another model" "but model 'mnist_rows' needs" "$SPIKEC" report examples/mnist_rows.snn --data \
	--checkpoint "$CK"
"$H" npy "$OUT/rows.npy" 28 5 28 1
fails_with "inputs of the wrong shape" "but model 'tiny' reads (T, B, I) = (20, B, 1)" "$SPIKEC" report $T \
	--checkpoint "$CK" --input "$OUT/rows.npy"
fails_with "a model without a loss" "has no loss" "$SPIKEC" report tests/models/fwd_slstm.snn --data --checkpoint "$CK"
fails_with "--data without a train block" "has no 'train' block, so --data has no data set" "$SPIKEC" report \
	"$OUT/noblock.snn" --data --checkpoint "$CK"
"$SPIKEC" report tests/models/fwd_slstm.snn --json >"$OUT/noloss.json"
same "no loss: no training workspace, no tape, no train batch" "$(json "$OUT/noloss.json" \
	workspace_bytes/training_batch_1 tape_bytes_per_sample train_batch | tr '\n' ' ')" "null null null "
"$SPIKEC" report "$OUT/noblock.snn" --checkpoint "$CK" --input "$OUT/ones.npy" --json >"$OUT/noblock.json" 2>"$OUT/noblock.err"
same "no train block: --input still measures" "$(json "$OUT/noblock.json" measured/samples train_batch | tr '\n' ' ')" "5 null "

summary
