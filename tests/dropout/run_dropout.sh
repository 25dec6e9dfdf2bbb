#!/bin/sh
# run_dropout.sh: dropout(x, p) end to end, through the command line, on
# tiny_dropout.snn (examples/tiny.snn with dropout on its input and on its
# readout's input) and tiny_p0.snn (the same with p = 0):
#
#   1. training draws the same masks however the batch is run: --threads 1,
#      2 and 4, and --backend c and llvm, end with byte-identical
#      checkpoints; a run resumed from epoch 1 ends byte-identical to an
#      unbroken one (the masks follow the step counter, not the process);
#   2. the masks matter: tiny_dropout's losses are not tiny's;
#   3. p = 0 is no dropout, bit for bit: tiny_p0 trains to tiny's losses and
#      parameters;
#   4. the forward pass has no dropout: spikec infer and eval give the same
#      bytes and numbers with tiny_dropout.snn as with tiny.snn on one
#      checkpoint; spikec grad draws the same masks twice, and other ones
#      than a model without dropout gets; a raster plot (the forward pass)
#      says it is not checked against the training pass, and warns of nothing;
#   5. in the forward pass a dropout of spikes is the spikes themselves: the
#      product reading dropout(x) adds spike events, and the model quantizes
#      (docs/quantize.md).
# (Gradients against PyTorch with the same masks: tests/grad/g_dropout.snn;
# C against LLVM step by step: tests/llvm/run_llvm.sh; p outside [0, 1):
# tests/errors/dropout_*.snn.)
#
#   sh tests/dropout/run_dropout.sh   (after `make`: needs bin/spikec,
#                                      bin/spikec-llvm.so and build/libspikec.a)
#
# Work files stay under build/test/dropout. Each check prints PASS or FAIL;
# the last line is `N passed, M failed`; exits 1 if any check failed.
set -u
cd "$(dirname "$0")/../.." || exit 2

SPIKEC=${SPIKEC:-bin/spikec}
LIB=${SPIKEC_BUILD:-build}/libspikec.a
OUT=build/test/dropout
CC=${CC:-cc}
D=tests/dropout/tiny_dropout.snn
P0=tests/dropout/tiny_p0.snn
TINY=examples/tiny.snn
TOOL=$OUT/train_tool

. tests/lib.sh
test_begin "$OUT" "$SPIKEC" "$(dirname "$SPIKEC")/spikec-llvm.so" "$LIB"

if command -v timeout >/dev/null 2>&1; then
	spikec() { timeout 120 "$SPIKEC" "$@"; }
else
	spikec() { "$SPIKEC" "$@"; }
fi
losses() { sed -n 's/.*"train_loss": \([^,}]*\).*/\1/p' "$1"; }
# same_tensors A B: every tensor of the two checkpoints is byte-identical
# (their metadata name different models).
same_tensors() { "$TOOL" cmp "$1" "$2" >"$OUT/cmp.log" 2>&1; ! grep -v '^meta ' "$OUT/cmp.log" | grep -qv '^same '; }
# train NAME MODEL ARGS...: spikec run into $OUT/NAME, quietly.
train() {
	t_name=$1 t_model=$2
	shift 2
	if spikec run "$t_model" --out "$OUT/$t_name" "$@" >"$OUT/$t_name.log" 2>&1 </dev/null; then
		ok "spikec run $t_model $* exits 0"
	else
		bad "spikec run $t_model $* exits 1"
		show "$OUT/$t_name.log"
	fi
}

if $CC -std=c99 -O2 -I. -o "$TOOL" tests/train/train_tool.c "$LIB" -lopenblas -lz -ljansson -lm >"$OUT/tool.log" 2>&1; then
	ok "build tests/train/train_tool.c"
else
	bad "build tests/train/train_tool.c (log $OUT/tool.log)"
	summary
	exit 1
fi

# ---- 1. the same masks on any threads, either backend, resumed ------------------
train t1 "$D" --epochs 2 --threads 1
for n in 2 4; do
	train "t$n" "$D" --epochs 2 --threads "$n"
	check "--threads $n: byte-identical checkpoint to --threads 1" \
		cmp -s "$OUT/t1/last.safetensors" "$OUT/t$n/last.safetensors"
done
train llvm "$D" --epochs 2 --backend llvm --threads 2
check "--backend llvm: byte-identical checkpoint to --backend c" \
	cmp -s "$OUT/t1/last.safetensors" "$OUT/llvm/last.safetensors"
check "--backend llvm: the same losses as --backend c ($(losses "$OUT/t1/metrics.jsonl" | tr '\n' ' '))" \
	[ "$(losses "$OUT/t1/metrics.jsonl")" = "$(losses "$OUT/llvm/metrics.jsonl")" ]
train half "$D" --epochs 1
train half "$D" --epochs 2 --resume "$OUT/half/epoch-1.safetensors"
check "resumed from epoch 1: byte-identical epoch-2 checkpoint to the unbroken run's" \
	cmp -s "$OUT/t1/epoch-2.safetensors" "$OUT/half/epoch-2.safetensors"

# ---- 2, 3. the masks matter; p = 0 is no dropout -------------------------------
train tiny "$TINY" --epochs 2
train p0 "$P0" --epochs 2
check "tiny_dropout's losses differ from tiny's" \
	[ "$(losses "$OUT/t1/metrics.jsonl")" != "$(losses "$OUT/tiny/metrics.jsonl")" ]
check "p = 0: tiny's losses exactly ($(losses "$OUT/tiny/metrics.jsonl" | tr '\n' ' '))" \
	[ "$(losses "$OUT/p0/metrics.jsonl")" = "$(losses "$OUT/tiny/metrics.jsonl")" ]
check "p = 0: tiny's trained parameters and optimizer state, byte for byte" \
	same_tensors "$OUT/p0/last.safetensors" "$OUT/tiny/last.safetensors"
if "$SPIKEC" ir "$P0" | grep -q dropout; then
	bad "dropout(x, 0) leaves a dropout node in the IR"
else
	ok "dropout(x, 0) is x itself: no dropout node in the IR"
fi

# ---- 4. no dropout in the forward pass -------------------------------------------
CK=$OUT/t1/last.safetensors
"$TOOL" spikes "$OUT/x.npy" 20 5 1 3 >/dev/null 2>&1
for m in "$D" "$TINY"; do
	b=$(basename "$m" .snn)
	spikec infer "$m" --checkpoint "$CK" --input "$OUT/x.npy" --output "$OUT/y_$b.npy" >"$OUT/infer_$b.log" 2>&1
	spikec eval "$m" --checkpoint "$CK" >"$OUT/eval_$b.txt" 2>&1
done
check "spikec infer: byte-identical outputs with and without dropout" \
	cmp -s "$OUT/y_tiny_dropout.npy" "$OUT/y_tiny.npy"
check "spikec eval: the same test loss with and without dropout ($(grep -o 'mse [0-9.e-]*' "$OUT/eval_tiny.txt" | head -n 1))" \
	[ -s "$OUT/eval_tiny.txt" ] && [ "$(grep -v warning "$OUT/eval_tiny_dropout.txt")" = "$(grep -v warning "$OUT/eval_tiny.txt")" ]
"$TOOL" targets "$OUT/t.npy" 20 5 1 >/dev/null 2>&1
for i in 1 2; do
	spikec grad "$D" --checkpoint "$CK" --input "$OUT/x.npy" --labels "$OUT/t.npy" \
		--output "$OUT/g$i.safetensors" >"$OUT/grad$i.log" 2>&1
done
spikec grad "$TINY" --checkpoint "$CK" --input "$OUT/x.npy" --labels "$OUT/t.npy" \
	--output "$OUT/g_tiny.safetensors" >"$OUT/grad_tiny.log" 2>&1
check "spikec grad: the same masks twice (byte-identical gradients)" \
	cmp -s "$OUT/g1.safetensors" "$OUT/g2.safetensors"
check "spikec grad: dropout changes the gradients" \
	[ -s "$OUT/g1.safetensors" ] && ! same_tensors "$OUT/g1.safetensors" "$OUT/g_tiny.safetensors"
if spikec plot "$D" --checkpoint "$CK" --raster --output "$OUT/raster.svg" >"$OUT/raster.out" 2>"$OUT/raster.err" &&
	grep -q '^not checked against the training forward pass: it applies dropout' "$OUT/raster.out" &&
	[ ! -s "$OUT/raster.err" ]; then
	ok "spikec plot --raster: the forward pass's raster, not checked against the training pass's dropout"
else
	bad "spikec plot --raster of a model with dropout:"
	show "$OUT/raster.out"
	show "$OUT/raster.err"
fi

spikec ir "$D" --after kernels | sed -n '/^infer:/,/^train:/p' >"$OUT/infer.kir"
check "the forward pass: dropout(x) of spikes is x, its product adds spike events" \
	grep -q 'gemm h_a = x @ h_weight_ih^T  (spike events)' "$OUT/infer.kir"
check "a model with dropout quantizes, its time loop integer-only" sh -c \
	"'$SPIKEC' quantize '$D' --checkpoint '$CK' -o '$OUT/q.safetensors' | grep -q 'integer-only: int8 sums'"

summary
