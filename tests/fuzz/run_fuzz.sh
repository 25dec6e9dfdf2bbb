#!/bin/sh
# run_fuzz.sh SECONDS TARGET...: runs each fuzz target (build/fuzz/fuzz_TARGET,
# built by `make fuzz`) for SECONDS seconds, one after the other, niced.
#
# A target reads its seeds and regression cases from tests/fuzz/corpus/TARGET
# (and its dictionary from tests/fuzz/TARGET.dict when there is one)
# and keeps what it finds in build/fuzz/corpus/TARGET (not committed; a later
# run starts from it). A crash, hang (over 10 s per input), leak, sanitizer
# report or input needing over 2 GB leaves build/fuzz/crash-TARGET-* and makes
# the run fail; fix the bug, then copy the file into tests/fuzz/corpus/TARGET/
# as crash-NAME so make check replays it. Each target's log is
# build/fuzz/TARGET.log; its last lines (libFuzzer's final stats: executions
# in stat::number_of_executed_units) are printed. Exits 1 if any target
# failed. The readers take paths, so each input is written to a temporary
# file: under $FUZZ_TMPDIR, by default /dev/shm (tmpfs, 25 times faster
# than a disk) when it exists.
set -u
cd "$(dirname "$0")/../.." || exit 2
[ $# -ge 2 ] || { echo "usage: sh tests/fuzz/run_fuzz.sh SECONDS TARGET..." >&2; exit 2; }
seconds=$1
shift
if [ -n "${FUZZ_TMPDIR:-}" ]; then
	export TMPDIR="$FUZZ_TMPDIR"
elif [ -d /dev/shm ]; then
	export TMPDIR=/dev/shm
fi
failed=
for t in "$@"; do
	mkdir -p "build/fuzz/corpus/$t"
	dict=
	[ -f "tests/fuzz/$t.dict" ] && dict=-dict=tests/fuzz/$t.dict
	echo "==== fuzz_$t for ${seconds}s"
	nice -n 10 "build/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -close_fd_mask=2 -artifact_prefix="build/fuzz/crash-$t-" $dict \
		"build/fuzz/corpus/$t" "tests/fuzz/corpus/$t" >"build/fuzz/$t.log" 2>&1
	status=$?
	grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|Done )|ERROR|SUMMARY' "build/fuzz/$t.log"
	if [ "$status" -ne 0 ]; then
		echo "FAIL fuzz_$t (exit $status): see build/fuzz/$t.log"
		failed="$failed $t"
	fi
done
[ -z "$failed" ] || { echo "failed:$failed"; exit 1; }
echo "all targets ran clean"
