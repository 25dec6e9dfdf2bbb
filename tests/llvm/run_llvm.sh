#!/bin/sh
# run_llvm.sh: the LLVM JIT backend against the C backend, bit for bit.
#
#   1. tests/llvm/parity.c (both backends in one process) on every model of
#      examples/, tests/grad/, tests/golden/, tests/models/, tests/train/, tests/text/
#      and tests/dropout/:
#      tables, init, forward, streaming, 10 training steps (losses,
#      gradients, optimizer state, parameters, spike counts) and
#      backward_inputs give the same bits;
#   2. the same on GEN_COUNT generated models (parity gen: cells, sizes,
#      surrogates, readouts, dropout, losses, truncated BPTT, sgd/adam, clipping,
#      weight decay, smooth spikes, portable GEMM);
#   3. end to end: `spikec run examples/tiny.snn --epochs 10` logs the same
#      10 losses and writes the same checkpoint with --backend llvm and c;
#      `spikec infer` and `spikec grad` write the same files;
#   4. the object cache: a second run compiles nothing and says "(cached)",
#      a changed model compiles again;
#   5. bad --backend values and a missing plugin are clear errors (exit 1).
#
#   sh tests/llvm/run_llvm.sh     (after `make`: needs bin/spikec,
#                                  bin/spikec-llvm.so, build/libspikec.a and
#                                  build/libspikec_llvm.a)
#
# Work files stay under build/test/llvm. The compiled-C cache there is kept
# between runs (it only makes the C side faster); the LLVM cache is emptied,
# so every run compiles with LLVM from scratch. Each check prints PASS or
# FAIL; the last line is `N passed, M failed`; exits 1 if any check failed.
set -u
cd "$(dirname "$0")/../.." || exit 2

SPIKEC=${SPIKEC:-bin/spikec}
BUILD=${SPIKEC_BUILD:-build}
OUT=build/test/llvm
CC=${CC:-cc}
LLVM_CONFIG=${LLVM_CONFIG:-llvm-config-14}
GEN_COUNT=${GEN_COUNT:-24}
TOOL=$OUT/parity

for f in "$SPIKEC" "$(dirname "$SPIKEC")/spikec-llvm.so" "$BUILD/libspikec.a" "$BUILD/libspikec_llvm.a"; do
	if [ ! -f "$f" ]; then
		echo "run_llvm.sh: $f not found; run 'make' first" >&2
		exit 2
	fi
done
rm -rf "$OUT/gen" "$OUT/runs" "$OUT/cache/llvm" "$OUT/logs"
mkdir -p "$OUT/gen" "$OUT/runs" "$OUT/cache" "$OUT/logs" || exit 2
SPIKEC_CACHE=$(pwd)/$OUT/cache
export SPIKEC_CACHE

. tests/lib.sh

if command -v timeout >/dev/null 2>&1; then
	run() { timeout 120 "$@"; }
else
	run() { "$@"; }
fi

# ---- the parity program --------------------------------------------------------
# shellcheck disable=SC2046  # llvm-config prints a word list
if $CC -std=c11 -O2 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L -I. -I"$BUILD/gen" -o "$TOOL" \
	tests/llvm/parity.c "$BUILD/libspikec_llvm.a" "$BUILD/libspikec.a" -lopenblas -lz -lm -ldl \
	$($LLVM_CONFIG --ldflags --libs) >"$OUT/tool.log" 2>&1; then
	ok "build tests/llvm/parity.c"
else
	bad "build tests/llvm/parity.c (log $OUT/tool.log)"
	show "$OUT/tool.log"
	echo "$pass passed, $fail failed"
	exit 1
fi

# ---- 1, 2. parity on the tree's models and on generated ones ---------------------
# Each model runs in its own process (a crash fails that model only), JOBS
# at a time; the verdicts are printed afterwards in list order.
for m in examples/*.snn tests/grad/*.snn tests/golden/*.snn tests/models/*.snn tests/train/*.snn tests/text/*.snn tests/dropout/*.snn; do
	echo "$m"
done >"$OUT/list"
if run "$TOOL" gen "$OUT/gen" "$GEN_COUNT" 11 >"$OUT/gen.log" 2>&1; then
	ok "generate $GEN_COUNT models"
	cat "$OUT/gen/models.txt" >>"$OUT/list"
else
	bad "generate $GEN_COUNT models"
	show "$OUT/gen.log"
fi
JOBS=${JOBS:-$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)}
OPENBLAS_NUM_THREADS=1
export OPENBLAS_NUM_THREADS
i=0
while read -r m opts; do
	i=$((i + 1))
	# shellcheck disable=SC2086  # opts is a word list
	(
		run "$TOOL" $opts "$m" >"$OUT/logs/$i.log" 2>&1
		echo $? >"$OUT/logs/$i.status"
	) &
	[ $((i % JOBS)) -ne 0 ] || wait
done <"$OUT/list"
wait
unset OPENBLAS_NUM_THREADS

i=0
while read -r m opts; do
	i=$((i + 1))
	log=$OUT/logs/$i.log
	st=$(cat "$OUT/logs/$i.status" 2>/dev/null || echo 127)
	np=$(grep -c '^PASS' "$log")
	nf=$(grep -c '^FAIL' "$log")
	if grep -q '^SKIP' "$log"; then
		ok "parity $m: $(sed -n 's/^SKIP [^:]*: //p' "$log") (skipped)"
	elif [ "$st" -eq 0 ] && [ "$nf" -eq 0 ] && [ "$np" -ge 4 ]; then
		ok "parity $m${opts:+ $opts}: $np checks bit-identical"
	else
		bad "parity $m${opts:+ $opts}: exit $st, $nf of $((np + nf)) checks failed (log $log)"
		grep -v '^PASS' "$log" | sed 's/^/     /' | head -n 10
	fi
done <"$OUT/list"

# ---- 3. end to end through the command line -------------------------------------
MODEL=examples/tiny.snn
losses() { sed -n 's/.*"train_loss": \([^,}]*\).*/\1/p' "$1"; }
for b in llvm c; do
	run "$SPIKEC" run "$MODEL" --backend $b --epochs 10 --out "$OUT/runs/$b" >"$OUT/runs/$b.log" 2>&1 </dev/null
	echo $? >"$OUT/runs/$b.status"
done
if [ "$(cat "$OUT/runs/llvm.status")" -eq 0 ] && [ "$(cat "$OUT/runs/c.status")" -eq 0 ]; then
	ok "spikec run $MODEL --epochs 10 with both backends"
else
	bad "spikec run $MODEL: exit $(cat "$OUT/runs/llvm.status") (llvm), $(cat "$OUT/runs/c.status") (c)"
	show "$OUT/runs/llvm.log"
fi
losses "$OUT/runs/llvm/metrics.jsonl" >"$OUT/runs/llvm.losses" 2>/dev/null
losses "$OUT/runs/c/metrics.jsonl" >"$OUT/runs/c.losses" 2>/dev/null
n=$(wc -l <"$OUT/runs/llvm.losses")
if [ "$n" -eq 10 ] && cmp -s "$OUT/runs/llvm.losses" "$OUT/runs/c.losses"; then
	ok "the 10 losses of $MODEL are identical on both backends ($(head -n 1 "$OUT/runs/llvm.losses") .. $(tail -n 1 "$OUT/runs/llvm.losses"))"
else
	bad "the losses of $MODEL differ between backends ($n logged)"
	paste "$OUT/runs/llvm.losses" "$OUT/runs/c.losses" | sed 's/^/     llvm, c: /' | head -n 10
fi
if cmp -s "$OUT/runs/llvm/last.safetensors" "$OUT/runs/c/last.safetensors"; then
	ok "the last checkpoints of both backends are byte-identical"
else
	bad "the last checkpoints of the two backends differ"
fi
if grep -q '^compiled tiny with LLVM in [0-9.]*s' "$OUT/runs/llvm.log" &&
	grep -q '^compiled tiny with the C backend in [0-9.]*s' "$OUT/runs/c.log"; then
	ok "spikec run names the backend and its compile time"
else
	bad "spikec run does not say which backend compiled the model"
	show "$OUT/runs/llvm.log"
fi

CKPT=$OUT/runs/llvm/last.safetensors
X=$OUT/runs/x.npy
Y=$OUT/runs/y.npy
run "$TOOL" npy "$X" 20 3 1 1 >/dev/null 2>&1
run "$TOOL" npy "$Y" 20 3 1 2 >/dev/null 2>&1
for b in llvm c; do
	run "$SPIKEC" infer "$MODEL" --backend $b --checkpoint "$CKPT" --input "$X" --output "$OUT/runs/infer-$b.npy" \
		>"$OUT/runs/infer-$b.log" 2>&1
	run "$SPIKEC" grad "$MODEL" --backend $b --checkpoint "$CKPT" --input "$X" --labels "$Y" --inputs \
		--output "$OUT/runs/grad-$b.safetensors" >"$OUT/runs/grad-$b.log" 2>&1
done
if [ -s "$OUT/runs/infer-llvm.npy" ] && cmp -s "$OUT/runs/infer-llvm.npy" "$OUT/runs/infer-c.npy"; then
	ok "spikec infer writes identical outputs with both backends"
else
	bad "spikec infer: outputs differ or missing"
	show "$OUT/runs/infer-llvm.log"
fi
if [ -s "$OUT/runs/grad-llvm.safetensors" ] && cmp -s "$OUT/runs/grad-llvm.safetensors" "$OUT/runs/grad-c.safetensors"; then
	ok "spikec grad --inputs writes identical gradients with both backends"
else
	bad "spikec grad: gradients differ or missing"
	show "$OUT/runs/grad-llvm.log"
fi

# ---- 4. the cache -----------------------------------------------------------------
run "$SPIKEC" run "$MODEL" --epochs 1 --out "$OUT/runs/again" >"$OUT/runs/again.log" 2>&1 </dev/null
if grep -q '^compiled tiny with LLVM in 0.00s (cached)$' "$OUT/runs/again.log"; then
	ok "an unchanged model compiles nothing the second time (cached)"
else
	bad "the second run of $MODEL was not served from the cache"
	show "$OUT/runs/again.log"
fi
sed 's/slstm(x, 8)/slstm(x, 8, threshold = 0.2)/' "$MODEL" >"$OUT/runs/tiny.snn"
run "$SPIKEC" run "$OUT/runs/tiny.snn" --epochs 1 --out "$OUT/runs/changed" >"$OUT/runs/changed.log" 2>&1 </dev/null
if grep -q '^compiled tiny with LLVM in [0-9.]*s$' "$OUT/runs/changed.log" && ! grep -q cached "$OUT/runs/changed.log"; then
	ok "a changed model compiles again: $(grep '^compiled' "$OUT/runs/changed.log")"
else
	bad "a changed model was served from the cache"
	show "$OUT/runs/changed.log"
fi
objs=$(find "$OUT/cache/llvm" -name '*.o' | wc -l)
if [ "$objs" -ge 2 ] && [ -z "$(find "$OUT/cache/llvm" -name '*.tmp.*')" ]; then
	ok "the cache holds one object per compiled model ($objs) and no temporary file"
else
	bad "the cache holds $objs objects or temporary files"
fi

# ---- 5. errors ----------------------------------------------------------------------
run "$SPIKEC" run "$MODEL" --backend jvm >"$OUT/runs/err.log" 2>&1 </dev/null
st=$?
if [ "$st" -eq 1 ] && grep -q "unknown backend 'jvm'; use --backend llvm" "$OUT/runs/err.log"; then
	ok "--backend jvm: exit 1 with a message that lists the backends"
else
	bad "--backend jvm: exit $st"
	show "$OUT/runs/err.log"
fi
SPIKEC_LLVM_PLUGIN=$OUT/missing.so run "$SPIKEC" infer "$MODEL" --checkpoint "$CKPT" --input "$X" --output "$OUT/runs/no.npy" \
	>"$OUT/runs/err.log" 2>&1 </dev/null
st=$?
if [ "$st" -eq 1 ] && grep -q "the LLVM backend is not available.*--backend c" "$OUT/runs/err.log"; then
	ok "a missing plugin: exit 1, says how to build it or to use --backend c"
else
	bad "a missing plugin: exit $st"
	show "$OUT/runs/err.log"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
