#!/bin/sh
# run_cli.sh: the command line's contract (DESIGN section 7): exit 0 on
# success, 1 on a user error with a message on stderr, never a crash.
#
# Each check runs bin/spikec (or $SPIKEC) once and prints PASS/FAIL; the last
# line is `N passed, M failed`; exits 1 if any check failed.
set -u
cd "$(dirname "$0")/.." || exit 2
spikec=${SPIKEC:-bin/spikec}
OUT=build/test/cli

if [ ! -x "$spikec" ]; then
	echo "run_cli.sh: $spikec not found; run 'make' first" >&2
	exit 2
fi
rm -rf "$OUT"
mkdir -p "$OUT" || exit 2

pass=0
fail=0

# expect STATUS STREAM TEXT -- ARGS...: `spikec ARGS` must exit with STATUS
# and its STREAM (stdout or stderr) must contain TEXT (any text if empty).
# stderr must never mention an internal error.
expect() {
	e_status=$1
	e_stream=$2
	e_text=$3
	shift 4
	"$spikec" "$@" >"$OUT/stdout" 2>"$OUT/stderr" </dev/null
	e_got=$?
	e_why=
	if [ "$e_got" -ne "$e_status" ]; then
		e_why="exit status $e_got, expected $e_status"
	elif [ -n "$e_text" ] && ! grep -qF -- "$e_text" "$OUT/$e_stream"; then
		e_why="$e_stream does not contain '$e_text'"
	elif grep -qi 'internal error' "$OUT/stderr"; then
		e_why="internal error"
	fi
	if [ -z "$e_why" ]; then
		pass=$((pass + 1))
		echo "PASS spikec $*"
	else
		fail=$((fail + 1))
		echo "FAIL spikec $*: $e_why"
		sed 's/^/     /' "$OUT/stderr" | head -n 10
	fi
}

expect 0 stdout "usage: spikec" -- --help
expect 0 stdout "usage: spikec" -- -h
expect 0 stdout "spikec " -- --version
expect 1 stderr "usage: spikec" --
expect 1 stderr "unknown command 'frobnicate'" -- frobnicate model.snn
expect 1 stderr "cannot open" -- check "$OUT/no_such_model.snn"
expect 1 stderr "cannot open" -- ir "$OUT/no_such_model.snn"
expect 1 stderr "cannot open" -- emit "$OUT/no_such_model.snn" -o "$OUT/emit"
expect 1 stderr "needs a model file" -- check

found=0
for snn in examples/*.snn; do
	[ -e "$snn" ] || continue
	found=1
	expect 0 stdout "parameters:" -- check "$snn"
done
if [ "$found" = 0 ]; then
	fail=$((fail + 1))
	echo "FAIL no examples/*.snn to check"
fi

model=tests/golden/slstm_last.snn
expect 1 stderr "-o DIR" -- emit "$model"
expect 1 stderr "unknown stage 'nosuchpass'" -- ir "$model" --after nosuchpass
expect 1 stderr "--dot" -- ir "$model" --dot --after kernels
expect 1 stderr "unknown option '--bogus'" -- check "$model" --bogus
expect 1 stderr "needs a value" -- ir "$model" --after
expect 1 stderr "one model file" -- check "$model" "$model"
expect 0 stdout "model slstm_last" -- ir "$model" --after lower
expect 0 stdout "kernels slstm_last" -- ir "$model" --after kernels
expect 0 stdout "digraph" -- ir "$model" --dot
expect 0 stdout "slstm_last.c" -- emit "$model" -o "$OUT/emit"
for f in slstm_last.c slstm_last.h; do
	if [ -s "$OUT/emit/$f" ]; then
		pass=$((pass + 1))
		echo "PASS emit wrote $f"
	else
		fail=$((fail + 1))
		echo "FAIL emit did not write $OUT/emit/$f"
	fi
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
