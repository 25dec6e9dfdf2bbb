#!/bin/sh
# run_text.sh: character-level language models end to end.
#
#   1. `carry state` against its definition (test_carry.c on the emitted C,
#      BLAS and portable builds): two carried 8-step passes == one 16-step
#      pass, for forward and forward_train;
#   2. tiny_lm.snn trains on tiny.txt (a Gutenberg-style file with a BOM, a
#      header, a licence and CR LF line ends): bits per character fall below
#      the unigram entropy, `spikec eval` reports the logged test loss, and a
#      run resumed from epoch 2 ends byte-identical to an unbroken one;
#   3. `spikec sample` is a function of (checkpoint, seed, prime,
#      temperature) and writes exactly --length characters after the prime;
#   4. `spikec infer` takes token ids (T, B) for a tokens input;
#   4b. tiny_lm_embed.snn (embed: the text loader gives token ids, not
#      one-hot) trains below the unigram entropy, the same bits with
#      --threads 1 and 3 and --backend llvm and c; sample and infer feed it ids;
#   5. bad text and bad sample options get a clear error and exit 1.
#
#   sh tests/text/run_text.sh       (after `make`)
#
# Work files stay under build/test/text. Each check prints PASS or FAIL; the
# last line is `N passed, M failed`; exits 1 if any check failed.
set -u
cd "$(dirname "$0")/../.." || exit 2

SPIKEC=${SPIKEC:-bin/spikec}
OUT=build/test/text
CC=${CC:-cc}
WARN="-std=c99 -O2 -Wall -Wextra -pedantic -Werror"
MODEL=tests/text/tiny_lm.snn

. tests/lib.sh
test_begin "$OUT" "$SPIKEC"
# metric FILE EPOCH KEY: the value of KEY on the line of EPOCH.
metric() {
	grep "\"epoch\": $2," "$1" | sed -n "s/.*\"$3\": \([-0-9.e+]*\).*/\1/p"
}
# lt A B: A < B as numbers.
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 < b + 0) }'; }

# ---- 1. carry state == one long pass -------------------------------------------
for build in blas portable; do
	dir=$OUT/carry-$build
	opt=
	libs="-lopenblas -lm"
	if [ $build = portable ]; then
		opt=--portable
		libs=-lm
	fi
	# shellcheck disable=SC2086  # opt and libs are word lists
	if "$SPIKEC" emit tests/text/carry.snn -o "$dir" $opt >/dev/null &&
		"$SPIKEC" emit tests/text/whole.snn -o "$dir" $opt >/dev/null &&
		$CC $WARN -I"$dir" -o "$dir/test_carry" tests/text/test_carry.c "$dir/carry.c" "$dir/whole.c" $libs \
			2>"$dir/cc.log"; then
		"$dir/test_carry" >"$dir/out.txt"
		st=$?
		while read -r verdict what; do
			if [ "$verdict" = PASS ]; then ok "carry ($build): $what"; else bad "carry ($build): $what"; fi
		done <"$dir/out.txt"
		[ "$st" -eq 0 ] || bad "carry ($build): test_carry exits $st"
	else
		bad "carry ($build): emit or compile (see $dir/cc.log)"
	fi
done

# ---- 2. training, evaluation, resume ---------------------------------------------
RUN=$OUT/run
if "$SPIKEC" run "$MODEL" --out "$RUN" --quiet >"$OUT/run.log" 2>&1; then
	ok "spikec run $MODEL"
else
	bad "spikec run $MODEL (log $OUT/run.log)"
fi
first=$(metric "$RUN/metrics.jsonl" 1 test_bpc)
last=$(metric "$RUN/metrics.jsonl" 4 test_bpc)
floor=$(metric "$RUN/metrics.jsonl" 4 test_unigram_bpc)
check "test bits per character fall ($first -> $last)" lt "$last" "$first"
check "and end below the test text's unigram entropy ($last < $floor)" lt "$last" "$floor"
check "the unigram entropy of the test text is logged" test -n "$floor"
loss=$(metric "$RUN/metrics.jsonl" 4 test_loss)
"$SPIKEC" eval "$MODEL" --checkpoint "$RUN/epoch-4.safetensors" >"$OUT/eval.txt" 2>&1
check "spikec eval reports the logged test loss $loss" grep -qF "test loss $(printf '%.4f' "$loss")" "$OUT/eval.txt"
check "spikec eval reports bits per character" grep -qF "bits per character" "$OUT/eval.txt"
"$SPIKEC" run "$MODEL" --out "$OUT/half" --epochs 2 --quiet >/dev/null 2>&1
"$SPIKEC" run "$MODEL" --out "$OUT/half" --resume "$OUT/half/epoch-2.safetensors" --quiet >/dev/null 2>&1
check "a run resumed at epoch 2 ends byte-identical" cmp -s "$RUN/epoch-4.safetensors" "$OUT/half/epoch-4.safetensors"
for t in 1 3; do
	"$SPIKEC" run "$MODEL" --out "$OUT/threads$t" --threads $t --quiet >/dev/null 2>&1
done
check "carried states: --threads 3 ends byte-identical to --threads 1" \
	cmp -s "$OUT/threads1/epoch-4.safetensors" "$OUT/threads3/epoch-4.safetensors"

# ---- 3. sampling -----------------------------------------------------------------
CK=$RUN/epoch-4.safetensors
"$SPIKEC" sample "$MODEL" --checkpoint "$CK" --seed 1 --length 200 --prime "The boat" >"$OUT/s1.txt" 2>&1
"$SPIKEC" sample "$MODEL" --checkpoint "$CK" --seed 1 --length 200 --prime "The boat" --backend c >"$OUT/s1c.txt" 2>&1
"$SPIKEC" sample "$MODEL" --checkpoint "$CK" --seed 2 --length 200 --prime "The boat" >"$OUT/s2.txt" 2>&1
check "sample: the same seed gives the same text" cmp -s "$OUT/s1.txt" "$OUT/s1c.txt"
check "sample: another seed gives another text" test -n "$(cmp "$OUT/s1.txt" "$OUT/s2.txt" 2>&1)"
check "sample: the text starts with the prime" test "$(head -c 8 "$OUT/s1.txt")" = "The boat"
# 8 prime characters, 200 drawn, and the newline that ends the output.
check "sample: --length 200 draws 200 characters" test "$(wc -c <"$OUT/s1.txt")" -eq 209
"$SPIKEC" sample "$MODEL" --checkpoint "$CK" --length 300 --temperature 0.01 --output "$OUT/cold.txt" >/dev/null 2>&1
check "sample: --output writes the file" test "$(wc -c <"$OUT/cold.txt")" -eq 301

fails_with "sample: a prime character outside the vocabulary" "--prime: character 3 (byte 0x23) is not in the vocabulary" \
	"$SPIKEC" sample "$MODEL" --checkpoint "$CK" --prime "Th#e"
fails_with "sample: temperature 0" "--temperature must be a number in (0, 100]" \
	"$SPIKEC" sample "$MODEL" --checkpoint "$CK" --temperature 0
fails_with "sample: a negative length" "--length must be an integer" \
	"$SPIKEC" sample "$MODEL" --checkpoint "$CK" --length -5
fails_with "sample: a model that is not a character model" "is not a character-level model" \
	"$SPIKEC" sample tests/train/digits.snn --checkpoint "$CK"
fails_with "sample: no checkpoint" "spikec sample: error: missing --checkpoint F" "$SPIKEC" sample "$MODEL"

# ---- 4. infer takes token ids -----------------------------------------------------
# npy_i4 FILE T B ID...: a little-endian int32 .npy of shape (T, B).
npy_i4() {
	n_file=$1 n_t=$2 n_b=$3
	shift 3
	{
		printf '\223NUMPY\001\000\166\000'  # version 1.0, a header of 118 bytes
		printf "%-117s\n" "{'descr': '<i4', 'fortran_order': False, 'shape': ($n_t, $n_b), }"
		for v in "$@"; do printf "\\$(printf %03o "$v")\000\000\000"; done
	} >"$n_file"
}
IDS="3 1 4 1 5 9 2 6 5 3 5 8 9 7 9 3"
# shellcheck disable=SC2086  # IDS is a word list
npy_i4 "$OUT/ids.npy" 8 2 $IDS
"$SPIKEC" infer "$MODEL" --checkpoint "$CK" --input "$OUT/ids.npy" --output "$OUT/y_ids.npy" >/dev/null 2>&1
check "infer: token ids (T, B) are read" test -s "$OUT/y_ids.npy"
# shellcheck disable=SC2086
npy_i4 "$OUT/bad_ids.npy" 8 2 $IDS
printf '\050' | dd of="$OUT/bad_ids.npy" bs=1 seek=128 conv=notrunc 2>/dev/null  # first id 40: outside
fails_with "infer: a token id outside the vocabulary" "element 0 is 40, not a token id of input 'c' (0 to 39)" \
	"$SPIKEC" infer "$MODEL" --checkpoint "$CK" --input "$OUT/bad_ids.npy" --output "$OUT/y_bad.npy"

# ---- 4b. a learned embedding reads token ids ----------------------------------------
EM=tests/text/tiny_lm_embed.snn
for v in "t1 --threads 1" "t3 --threads 3" "llvm --backend llvm"; do
	# shellcheck disable=SC2086  # $v: a name, then options
	set -- $v
	d=$1
	shift
	"$SPIKEC" run "$EM" --out "$OUT/embed_$d" --quiet "$@" >"$OUT/embed_$d.log" 2>&1
done
last=$(metric "$OUT/embed_t1/metrics.jsonl" 4 test_bpc)
check "embed: trains below the unigram entropy ($last < $floor)" lt "$last" "$floor"
check "embed: --threads 3 ends byte-identical to --threads 1" \
	cmp -s "$OUT/embed_t1/epoch-4.safetensors" "$OUT/embed_t3/epoch-4.safetensors"
check "embed: --backend llvm ends byte-identical to --backend c" \
	cmp -s "$OUT/embed_t1/epoch-4.safetensors" "$OUT/embed_llvm/epoch-4.safetensors"
ECK=$OUT/embed_t1/epoch-4.safetensors
"$SPIKEC" sample "$EM" --checkpoint "$ECK" --seed 1 --length 100 --prime "The boat" >"$OUT/e1.txt" 2>&1
"$SPIKEC" sample "$EM" --checkpoint "$ECK" --seed 1 --length 100 --prime "The boat" --backend c >"$OUT/e1c.txt" 2>&1
check "embed: sample writes 100 characters after the prime, the same on both backends" \
	test "$(wc -c <"$OUT/e1.txt")" -eq 109 -a "$(cmp "$OUT/e1.txt" "$OUT/e1c.txt" 2>&1)" = ""
"$SPIKEC" infer "$EM" --checkpoint "$ECK" --input "$OUT/ids.npy" --output "$OUT/ye_ids.npy" >/dev/null 2>&1
check "embed: infer reads token ids (T, B)" test -s "$OUT/ye_ids.npy"
fails_with "embed: a token id outside the vocabulary" "element 0 is 40, not a token id of input 'c' (0 to 39)" \
	"$SPIKEC" infer "$EM" --checkpoint "$ECK" --input "$OUT/bad_ids.npy" --output "$OUT/ye_bad.npy"
if "$SPIKEC" ir "$EM" --after kernels | grep -q 'gemm.*e_weight'; then
	bad "embed: a GEMM reads e.weight (the V x dim product embed avoids)"
else
	ok "embed: e.weight is only gathered and scattered, never multiplied"
fi

# ---- 5. bad text ------------------------------------------------------------------
B=$OUT/bad
mkdir -p "$B"
variant() {  # variant NAME TEXTFILE SED: a copy of tiny_lm.snn reading TEXTFILE
	sed -e "s#\"tiny.txt\"#\"$2\"#" -e "$3" "$MODEL" >"$B/$1.snn"
}
# A character in the evaluation text (the last 20%) that training never saw.
sed 's/^\*\*\* END OF/the end #\r\n&/' tests/text/tiny.txt >"$B/hash.txt"
variant oov hash.txt ''
line=$(grep -n 'the end #' "$B/hash.txt" | cut -d: -f1)
fails_with "text: a character outside the vocabulary at evaluation" \
	"hash.txt:$line:9: '#' in the evaluation text (the last 20%) is not in the vocabulary" \
	"$SPIKEC" run "$B/oov.snn" --out "$B/run" --quiet
variant small ../../../../tests/text/tiny.txt 's/c\[40\]/c[20]/; s/dense(h, 40)/dense(h, 20)/'
fails_with "text: more characters than the tokens input" "has 30 distinct characters, but the model's tokens input takes 20; declare it [30]" \
	"$SPIKEC" run "$B/small.snn" --out "$B/run" --quiet
variant streams ../../../../tests/text/tiny.txt 's/batch = 4 /batch = 400 /'
fails_with "text: too short for the streams" "too few for 400 streams (the batch) of 8 steps" \
	"$SPIKEC" run "$B/streams.snn" --out "$B/run" --quiet
variant missing nothing.txt ''
fails_with "text: a missing file" "nothing.txt: cannot open: No such file or directory; the path in text(\"...\") is relative to the model file's folder" \
	"$SPIKEC" run "$B/missing.snn" --out "$B/run" --quiet
printf '*** START OF IT ***\r\n*** END OF IT ***\r\n' >"$B/hollow.txt"
variant hollow hollow.txt ''
fails_with "text: nothing between the Gutenberg markers" "nothing between its '*** START OF' and '*** END OF' lines" \
	"$SPIKEC" run "$B/hollow.snn" --out "$B/run" --quiet
: >"$B/empty.txt"
variant empty empty.txt ''
fails_with "text: an empty file" "empty.txt: the file is empty" "$SPIKEC" run "$B/empty.snn" --out "$B/run" --quiet
check "no checkpoint after a failed run" test ! -e "$B/run/epoch-1.safetensors"

summary
