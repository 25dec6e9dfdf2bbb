#!/bin/sh
# run_replay.sh: every saved input of tests/fuzz/corpus/TARGET/ (the seeds,
# seed-*, and the inputs that once crashed a target, crash-*) through
# build/fuzz-replay/TARGET, the target built without libFuzzer (make check
# builds them). PASS per target when every input runs to the end; a crash or
# a broken contract (fuzz.h) is a FAIL with the input's name. Seconds.
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/lib.sh
TEST_OUT=$(mktemp -d) || exit 2
trap 'rm -rf "$TEST_OUT"' EXIT INT TERM

for dir in tests/fuzz/corpus/*/; do
	t=$(basename "$dir")
	bin=${SPIKEC_BUILD:-build}/fuzz-replay/$t
	if [ ! -x "$bin" ]; then
		bad "$t: no $bin (make check builds it)"
		continue
	fi
	n=0
	failed=
	for f in "$dir"*; do
		n=$((n + 1))
		TMPDIR=$TEST_OUT "$bin" "$f" >/dev/null 2>"$TEST_OUT/err.txt" || failed="$failed $(basename "$f")"
	done
	if [ -z "$failed" ]; then
		ok "fuzz target $t replays its $n saved inputs"
	else
		bad "fuzz target $t crashed on:$failed"
		show "$TEST_OUT/err.txt"
	fi
done
summary
