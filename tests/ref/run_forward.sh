#!/bin/sh
# run_forward.sh: the emitted C computes what the reference cells compute.
#
#   sh tests/ref/run_forward.sh        (after `make`: needs bin/spikec and
#                                       build/libspikec.a, for io/npy.c)
#
# 1. test_ref_vs_torch: tests/ref/ref_cells.c against every PyTorch fixture
#    in tests/fixtures/torch (made by tests/torch/make_fixtures.py).
# 2. For each tests/models/fwd_*.snn and each emission (default, which may
#    call OpenBLAS, and --portable, which must need nothing but libm):
#    `spikec emit` into build/test/fwd/NAME/MODE/, then for each compiler
#    ($CC, default cc, and clang) the emitted C and tests/ref/test_forward.c
#    compiled with -std=c99 -O2 -Wall -Wextra -pedantic -Werror, linked, and
#    run once per `# test_forward: ARGS` line of the model file, with ARGS.
#
# Each emission and each build counts as one test, each program adds its own
# counts; logs stay under build/test/fwd. Prints `N passed, M failed` last and
# exits 1 if anything failed.
# shellcheck disable=SC2086  # $WARN, $libs, $args are word lists on purpose
set -u
cd "$(dirname "$0")/../.." || exit 1

SPIKEC=${SPIKEC:-bin/spikec}
LIB=${SPIKEC_BUILD:-build}/libspikec.a
OUT=build/test/fwd
WARN="-std=c99 -O2 -Wall -Wextra -pedantic -Werror"
COMPILERS=${CC:-cc}
if [ -n "${SPIKEC_SANITIZED:-}" ]; then
	echo "SKIP clang: a sanitized build (make check SANITIZE=1) links with $COMPILERS only"
else
	[ "$COMPILERS" = clang ] || COMPILERS="$COMPILERS clang"
fi
pass=0
fail=0

ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

# run_counted LOG LABEL CMD...: runs a test program, adds its
# `N passed, M failed` to the totals, shows its failing lines on failure.
run_counted() {
	rc_log=$1
	rc_label=$2
	shift 2
	"$@" </dev/null >"$rc_log" 2>&1
	rc_status=$?
	rc_sum=$(sed -n 's/^\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed$/\1 \2/p' "$rc_log" | tail -n 1)
	rc_p=${rc_sum% *}
	rc_f=${rc_sum#* }
	[ -n "$rc_sum" ] || { rc_p=0; rc_f=0; }
	pass=$((pass + rc_p))
	fail=$((fail + rc_f))
	if [ "$rc_status" -eq 0 ] && [ -n "$rc_sum" ] && [ "$rc_f" -eq 0 ]; then
		echo "ok   $rc_label ($rc_p passed)"
	else
		# A crash or a usage error counts as one more failure.
		[ "$rc_f" -gt 0 ] || fail=$((fail + 1))
		echo "FAIL $rc_label (exit $rc_status; log $rc_log)"
		grep -v '^ok ' "$rc_log" | sed 's/^/     /'
	fi
}

mkdir -p "$OUT" || exit 1

# ---- 1. the reference against PyTorch ------------------------------------
cc_first=${COMPILERS%% *}
if $cc_first $WARN -I. -o "$OUT/test_ref_vs_torch" tests/ref/test_ref_vs_torch.c \
	tests/ref/ref_cells.c "$LIB" -lm >"$OUT/test_ref_vs_torch.build.log" 2>&1; then
	ok "build test_ref_vs_torch"
	run_counted "$OUT/test_ref_vs_torch.log" "test_ref_vs_torch" \
		"$OUT/test_ref_vs_torch" tests/fixtures/torch/*/
else
	bad "build test_ref_vs_torch (is build/libspikec.a built? run make)"
	sed 's/^/     /' "$OUT/test_ref_vs_torch.build.log"
fi

# ---- 2. the emitted C against the reference ------------------------------
if [ ! -x "$SPIKEC" ]; then
	bad "$SPIKEC does not exist: run make first"
	echo "$pass passed, $fail failed"
	exit 1
fi

for cc in $COMPILERS; do
	mkdir -p "$OUT/$cc"
	if ! $cc $WARN -c -o "$OUT/$cc/ref_cells.o" tests/ref/ref_cells.c; then
		bad "build tests/ref/ref_cells.c with $cc"
	fi
done

for snn in tests/models/fwd_*.snn; do
	name=$(basename "$snn" .snn)
	upper=$(printf '%s' "$name" | tr '[:lower:]' '[:upper:]')
	for mode in blas portable; do
		dir=$OUT/$name/$mode
		rm -rf "$dir"
		mkdir -p "$dir"
		flag=
		libs="-lopenblas -lm"
		if [ "$mode" = portable ]; then
			flag=--portable
			libs=-lm
		fi
		if ! "$SPIKEC" emit "$snn" -o "$dir" $flag >"$dir/emit.log" 2>&1 \
			|| [ ! -f "$dir/$name.c" ] || [ ! -f "$dir/$name.h" ]; then
			bad "$SPIKEC emit $snn -o $dir${flag:+ $flag}"
			sed 's/^/     /' "$dir/emit.log"
			continue
		fi
		ok "$SPIKEC emit $snn -o $dir${flag:+ $flag}"
		for cc in $COMPILERS; do
			exe=$dir/test_forward.$cc
			blog=$dir/build.$cc.log
			if $cc $WARN -c -o "$dir/$name.$cc.o" "$dir/$name.c" >"$blog" 2>&1 \
				&& $cc $WARN -I. -DMODEL="$name" -DMODEL_UPPER="$upper" \
					-include "$dir/$name.h" -c -o "$dir/test_forward.$cc.o" \
					tests/ref/test_forward.c >>"$blog" 2>&1 \
				&& $cc -o "$exe" "$dir/$name.$cc.o" "$dir/test_forward.$cc.o" \
					"$OUT/$cc/ref_cells.o" "$LIB" $libs >>"$blog" 2>&1; then
				ok "build $name [$mode, $cc]"
			else
				bad "build $name [$mode, $cc] (log $blog)"
				sed 's/^/     /' "$blog"
				continue
			fi
			run=0
			# One run per `# test_forward: ARGS` line (ARGS split on blanks).
			sed -n 's/^# test_forward: *//p' "$snn" >"$dir/runs"
			while read -r args; do
				run=$((run + 1))
				run_counted "$dir/run$run.$cc.log" "$name [$mode, $cc] $args" \
					"$exe" $args
			done <"$dir/runs"
			[ "$run" -gt 0 ] || bad "$snn has no '# test_forward: ARGS' line"
		done
	done
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
