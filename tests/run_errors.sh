#!/bin/sh
# run_errors.sh: golden tests for error messages.
#
# For each tests/errors/NAME.snn, `bin/spikec check tests/errors/NAME.snn`
# must exit with status 1 and print exactly tests/errors/NAME.err on stderr
# (compared with diff -u). Prints PASS/FAIL per case and a summary; exits 1
# if any case failed. With SPIKEC_GOLDEN_UPDATE=1 the .err files are
# rewritten from the current output instead (review the diff before
# committing). Arguments restrict the run to those cases
# (`sh tests/run_errors.sh missing_paren two_models`), which is also the way
# to update only some goldens. SPIKEC overrides the compiler to run.
set -u
cd "$(dirname "$0")/.." || exit 2
spikec=${SPIKEC:-bin/spikec}
update=${SPIKEC_GOLDEN_UPDATE:-0}

if [ ! -x "$spikec" ]; then
	echo "run_errors.sh: $spikec not found; run 'make' first" >&2
	exit 2
fi

out=$(mktemp) || exit 2
trap 'rm -f "$out"' EXIT INT TERM
pass=0
fail=0
if [ $# -eq 0 ]; then
	set -- tests/errors/*.snn
fi
for arg in "$@"; do
	name=$(basename "$arg" .snn)
	snn=tests/errors/$name.snn
	if [ ! -f "$snn" ]; then
		echo "FAIL $name: no $snn"
		fail=$((fail + 1))
		continue
	fi
	err=tests/errors/$name.err
	"$spikec" check "$snn" >/dev/null 2>"$out"
	status=$?
	if [ "$update" = 1 ]; then
		cat "$out" >"$err"
	fi
	if [ "$status" -ne 1 ]; then
		echo "FAIL $name: exit status $status, expected 1"
		fail=$((fail + 1))
	elif [ ! -f "$err" ]; then
		echo "FAIL $name: no $err (SPIKEC_GOLDEN_UPDATE=1 creates it)"
		fail=$((fail + 1))
	elif ! diff -u "$err" "$out"; then
		echo "FAIL $name"
		fail=$((fail + 1))
	else
		echo "PASS $name"
		pass=$((pass + 1))
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
