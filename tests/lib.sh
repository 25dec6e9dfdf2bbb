# lib.sh: what the test scripts share; sourced after `cd` to the repository.
# Each check prints PASS or FAIL and counts into $pass and $fail; a script
# ends with `summary`, whose line `N passed, M failed` run_tests.sh reads.
# shellcheck shell=sh
pass=0
fail=0

# test_begin OUT FILE...: exits with status 2, saying to run make, unless
# every FILE (bin/spikec, a library) exists; then OUT is a fresh, empty
# folder, $TEST_OUT, holding $SPIKEC_CACHE, a private build cache, so that
# nothing leaks into a test or out of it.
test_begin() {
	TEST_OUT=$1
	shift
	for tb_f; do
		[ -e "$tb_f" ] || { echo "$(basename "$0"): $tb_f not found; run 'make' first" >&2; exit 2; }
	done
	rm -rf "$TEST_OUT"
	mkdir -p "$TEST_OUT" || exit 2
	SPIKEC_CACHE=$(pwd)/$TEST_OUT/cache
	export SPIKEC_CACHE
}

ok() { pass=$((pass + 1)); echo "PASS $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
# show FILE: its first lines, indented, under a failure.
show() { sed 's/^/     /' "$1" | head -n 20; }
# check LABEL CMD...: PASS if CMD succeeds.
check() {
	c_label=$1
	shift
	if "$@"; then ok "$c_label"; else bad "$c_label"; fi
}
# fails_with LABEL TEXT CMD...: CMD exits 1 and its stderr contains TEXT
# (stdout and stderr are left in $TEST_OUT/err.out and err.txt).
fails_with() {
	f_label=$1 f_text=$2
	shift 2
	"$@" >"$TEST_OUT/err.out" 2>"$TEST_OUT/err.txt" </dev/null
	f_status=$?
	if [ "$f_status" -eq 1 ] && grep -qF -- "$f_text" "$TEST_OUT/err.txt"; then
		ok "$f_label"
	else
		bad "$f_label: exit $f_status, stderr:"
		show "$TEST_OUT/err.txt"
	fi
}
# golden LABEL GOLDEN ACTUAL: PASS if file ACTUAL equals GOLDEN (shown as a
# diff otherwise); with SPIKEC_GOLDEN_UPDATE=1, GOLDEN is rewritten first.
golden() {
	if [ "${SPIKEC_GOLDEN_UPDATE:-0}" = 1 ]; then
		cp "$3" "$2"
	fi
	if [ ! -f "$2" ]; then
		bad "$1: no $2 (SPIKEC_GOLDEN_UPDATE=1 creates it)"
	elif diff -u "$2" "$3"; then
		ok "$1"
	else
		bad "$1"
	fi
}
# summary: the last line, and the exit status.
summary() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}
