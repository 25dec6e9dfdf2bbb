#!/bin/sh
# run_badinput.sh: golden tests for malformed data files, reader by reader.
#
# Each case of tests/badinput/READER/ (make_badinput.py wrote them) goes to
# spikec the way a user's file would:
#   npy/NAME.npy                  spikec infer npy/model.snn --input FILE
#   safetensors/NAME.safetensors  spikec emit safetensors/model.snn --checkpoint FILE
#   idx/NAME/                     SPIKEC_FASHION_MNIST_DIR=idx/NAME spikec run idx/model.snn
#   wav/NAME/                     SPIKEC_FSDD_DIR=wav/NAME spikec run wav/model.snn
#   text/NAME/, npy_data/NAME/    spikec run NAME/model.snn (data in the folder)
# and must exit with status 1 and print exactly READER/NAME.err on stderr,
# which names the file and the problem. SPIKEC_GOLDEN_UPDATE=1 rewrites the
# .err files from the current output instead (review the diff); arguments
# restrict the run to those cases (`sh tests/badinput/run_badinput.sh
# npy/empty wav/stereo`). Work files stay under build/test/badinput.
set -u
cd "$(dirname "$0")/../.." || exit 2
SPIKEC=${SPIKEC:-bin/spikec}
update=${SPIKEC_GOLDEN_UPDATE:-0}
B=tests/badinput
OUT=build/test/badinput
[ -x "$SPIKEC" ] || { echo "run_badinput.sh: $SPIKEC not found; run 'make' first" >&2; exit 2; }
rm -rf "$OUT"
mkdir -p "$OUT" || exit 2
TEST_OUT=$OUT
. tests/lib.sh
SPIKEC_CACHE=$(pwd)/$OUT/cache
export SPIKEC_CACHE
unset SPIKEC_FASHION_MNIST_DIR SPIKEC_FSDD_DIR
"$SPIKEC" init "$B/npy/model.snn" --seed 1 --output "$OUT/npy.safetensors" >/dev/null || exit 2

# run_case READER NAME: the case's command, stderr to $OUT/err.txt.
run_case() {
	c=$B/$1/$2
	case $1 in
	npy) "$SPIKEC" infer "$B/npy/model.snn" --checkpoint "$OUT/npy.safetensors" --input "$c.npy" \
		--output "$OUT/y.npy" --backend c ;;
	safetensors) "$SPIKEC" emit "$B/safetensors/model.snn" -o "$OUT/emit" --checkpoint "$c.safetensors" ;;
	idx) SPIKEC_FASHION_MNIST_DIR=$c "$SPIKEC" run "$B/idx/model.snn" --out "$OUT/run" --quiet ;;
	wav) SPIKEC_FSDD_DIR=$c "$SPIKEC" run "$B/wav/model.snn" --out "$OUT/run" --quiet ;;
	text | npy_data) "$SPIKEC" run "$c/model.snn" --out "$OUT/run" --quiet ;;
	esac >/dev/null 2>"$OUT/err.txt" </dev/null
}

all=
if [ $# -eq 0 ]; then
	for r in npy safetensors idx wav text npy_data; do
		for c in "$B/$r"/*; do
			case $c in *.err | */model.snn) continue ;; esac
			n=$(basename "$c")
			set -- "$@" "$r/${n%.*}"
		done
	done
	all=$*
fi
for arg in "$@"; do
	r=${arg%%/*} n=${arg#*/}
	err=$B/$r/$n.err
	run_case "$r" "$n"
	status=$?
	[ "$update" = 1 ] && cp "$OUT/err.txt" "$err"
	if [ "$status" -ne 1 ]; then
		bad "$arg: exit status $status, expected 1"
		show "$OUT/err.txt"
	elif [ ! -f "$err" ]; then
		bad "$arg: no $err (SPIKEC_GOLDEN_UPDATE=1 creates it)"
	elif ! diff -u "$err" "$OUT/err.txt"; then
		bad "$arg"
	else
		ok "$arg"
	fi
done
# The size checks are for regular files: a good array through a pipe reads
# (trailing_data.npy without its 4 extra bytes).
if [ $# -eq 0 ] || [ "$*" = "$all" ]; then
	head -c 152 "$B/npy/trailing_data.npy" | "$SPIKEC" infer "$B/npy/model.snn" --checkpoint "$OUT/npy.safetensors" \
		--input /dev/stdin --output "$OUT/y.npy" --backend c >/dev/null 2>"$OUT/err.txt"
	check "a .npy file through a pipe (no size to check against) reads" [ $? -eq 0 ]
fi
summary
