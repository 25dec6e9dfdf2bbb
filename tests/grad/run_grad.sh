#!/bin/sh
# run_grad.sh: the emitted training pass's gradients against PyTorch autograd
# and, for smooth models, against finite differences.
#
#   sh tests/grad/run_grad.sh        (after `make`: needs bin/spikec and
#                                     build/libspikec.a, for io/npy.c)
#
# For each tests/grad/NAME.snn: `spikec emit` into build/test/grad/NAME/, then
# the emitted C with tests/grad/torch_check.c compiled with -std=c99 -O2
# -Wall -Wextra -pedantic -Werror, linked, and run on tests/fixtures/grad/NAME
# (made by tests/torch/make_grad_fixtures.py). A model with a
# `# fd_check: ARGS` line (smooth ones only) is also built with
# tests/grad/fd_check.c and run once per such line, with ARGS.
#
# Each emission and build counts as one test, each program adds its own
# counts; logs stay under build/test/grad. Prints `N passed, M failed` last
# and exits 1 if anything failed.
# shellcheck disable=SC2086  # $WARN, $DEFS, $args are word lists on purpose
set -u
cd "$(dirname "$0")/../.." || exit 1

SPIKEC=${SPIKEC:-bin/spikec}
LIB=${SPIKEC_BUILD:-build}/libspikec.a
OUT=build/test/grad
CC=${CC:-cc}
WARN="-std=c99 -O2 -Wall -Wextra -pedantic -Werror"
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

# build EXE SOURCE NAME DIR LOG: SOURCE against model NAME's emitted C in DIR.
build() {
	$CC $WARN -I. $DEFS -include "$4/$3.h" -c -o "$1.o" "$2" >>"$5" 2>&1 \
		&& $CC -o "$1" "$1.o" "$4/$3.o" "$LIB" -lopenblas -lm >>"$5" 2>&1
}

if [ ! -x "$SPIKEC" ] || [ ! -f "$LIB" ]; then
	bad "$SPIKEC or $LIB does not exist: run make first"
	echo "$pass passed, $fail failed"
	exit 1
fi

for snn in tests/grad/*.snn; do
	name=$(basename "$snn" .snn)
	upper=$(printf '%s' "$name" | tr '[:lower:]' '[:upper:]')
	dir=$OUT/$name
	rm -rf "$dir"
	mkdir -p "$dir"
	# `# emit: FLAGS` (e.g. --smooth-spikes for finite differences through spikes).
	eflags=$(sed -n 's/^# emit: *//p' "$snn")
	# shellcheck disable=SC2086
	if ! "$SPIKEC" emit "$snn" -o "$dir" $eflags >"$dir/emit.log" 2>&1 \
		|| [ ! -f "$dir/$name.c" ] || [ ! -f "$dir/$name.h" ]; then
		bad "$SPIKEC emit $snn -o $dir"
		sed 's/^/     /' "$dir/emit.log"
		continue
	fi
	ok "$SPIKEC emit $snn -o $dir"

	# cross_entropy takes int32 class labels, mse float targets.
	if grep -q 'forward_train(.*const int32_t \*' "$dir/$name.h"; then
		DEFS="-DMODEL=$name -DMODEL_UPPER=$upper -DLABEL_IS_CLASS=1 -DLABEL_T=int32_t"
	else
		DEFS="-DMODEL=$name -DMODEL_UPPER=$upper -DLABEL_IS_CLASS=0 -DLABEL_T=float"
	fi
	if grep -q '_INPUT_GRADS 1' "$dir/$name.h"; then
		DEFS="$DEFS -DCHECK_INPUT_GRADS"
	fi
	if grep -q '_DROPOUT 1' "$dir/$name.h"; then
		DEFS="$DEFS -DCHECK_DROPOUT"
	fi
	blog=$dir/build.log
	if ! $CC $WARN -c -o "$dir/$name.o" "$dir/$name.c" >"$blog" 2>&1; then
		bad "build $dir/$name.c (log $blog)"
		sed 's/^/     /' "$blog"
		continue
	fi
	if [ ! -d "tests/fixtures/grad/$name" ]; then
		:  # finite differences only
	elif build "$dir/torch_check" tests/grad/torch_check.c "$name" "$dir" "$blog"; then
		ok "build torch_check [$name]"
		run_counted "$dir/torch_check.log" "torch_check $name" \
			"$dir/torch_check" "tests/fixtures/grad/$name"
	else
		bad "build torch_check [$name] (log $blog)"
		sed 's/^/     /' "$blog"
	fi

	# One fd_check run per `# fd_check: ARGS` line (ARGS split on blanks).
	sed -n 's/^# fd_check: *//p' "$snn" >"$dir/fd_runs"
	[ -s "$dir/fd_runs" ] || continue
	if build "$dir/fd_check" tests/grad/fd_check.c "$name" "$dir" "$blog"; then
		ok "build fd_check [$name]"
	else
		bad "build fd_check [$name] (log $blog)"
		sed 's/^/     /' "$blog"
		continue
	fi
	run=0
	while read -r args; do
		run=$((run + 1))
		run_counted "$dir/fd_check$run.log" "fd_check $name $args" "$dir/fd_check" $args
	done <"$dir/fd_runs"
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
