#!/bin/sh
# run_golden.sh: golden tests for the graph IR, the kernel IR and emitted C
# (cproc's x.c / x.qbe pairs, compared with diff -u).
#
# For each tests/golden/NAME.snn:
#   NAME.ir   = stdout of `spikec ir NAME.snn`
#   NAME.kir  = stdout of `spikec ir NAME.snn --after kernels`
#   NAME.dot  = stdout of `spikec ir NAME.snn --dot`, if the model has a line
#               `# golden: dot`; also fed to `dot -Tsvg` when graphviz is
#               installed (skipped with a message otherwise)
#   NAME.c, NAME.h = the files of `spikec emit NAME.snn -o DIR [FLAGS]`, if
#               the model has a line `# golden: emit [FLAGS]`
# and every model is emitted both ways (default and --portable) and each
# NAME.c must compile with `-std=c99 -Wall -Wextra -pedantic -Werror -c`
# under $CC (default cc) and clang (skipped with a message if missing).
#
# Prints PASS/FAIL per check and `N passed, M failed` last; exits 1 if any
# check failed. With SPIKEC_GOLDEN_UPDATE=1 the golden files are rewritten
# from the current output first (review the diff before committing).
# SPIKEC overrides the compiler to run. Scratch files go to build/test/golden.
# shellcheck disable=SC2086  # $flags and $COMPILERS are word lists on purpose
set -u
cd "$(dirname "$0")/.." || exit 2
spikec=${SPIKEC:-bin/spikec}
OUT=build/test/golden
WARN="-std=c99 -Wall -Wextra -pedantic -Werror"

if [ ! -x "$spikec" ]; then
	echo "run_golden.sh: $spikec not found; run 'make' first" >&2
	exit 2
fi
rm -rf "$OUT"
mkdir -p "$OUT" || exit 2

COMPILERS=${CC:-cc}
if [ -n "${SPIKEC_SANITIZED:-}" ]; then
	echo "SKIP clang: a sanitized build (make check SANITIZE=1) links with $COMPILERS only"
elif [ "$COMPILERS" != clang ]; then
	if command -v clang >/dev/null 2>&1; then
		COMPILERS="$COMPILERS clang"
	else
		echo "SKIP clang is not installed: emitted C is compiled with $COMPILERS only"
	fi
fi
have_dot=0
if command -v dot >/dev/null 2>&1; then
	have_dot=1
else
	echo "SKIP graphviz is not installed: .dot goldens are diffed but not rendered"
fi

. tests/lib.sh

# run LABEL STDOUT CMD...: runs spikec; on failure shows its stderr.
run() {
	r_label=$1
	r_out=$2
	shift 2
	if "$@" >"$r_out" 2>"$r_out.err" && [ ! -s "$r_out.err" ]; then
		return 0
	fi
	bad "$r_label: '$*' failed or wrote to stderr"
	sed 's/^/     /' "$r_out.err"
	return 1
}

for snn in tests/golden/*.snn; do
	[ -e "$snn" ] || continue
	name=$(basename "$snn" .snn)
	dir=tests/golden
	tmp=$OUT/$name
	mkdir -p "$tmp"

	if run "$name.ir" "$tmp/$name.ir" "$spikec" ir "$snn"; then
		golden "$name.ir" "$dir/$name.ir" "$tmp/$name.ir"
	fi
	if run "$name.kir" "$tmp/$name.kir" "$spikec" ir "$snn" --after kernels; then
		golden "$name.kir" "$dir/$name.kir" "$tmp/$name.kir"
	fi

	if grep -q '^# golden: dot *$' "$snn" \
		&& run "$name.dot" "$tmp/$name.dot" "$spikec" ir "$snn" --dot; then
		golden "$name.dot" "$dir/$name.dot" "$tmp/$name.dot"
		if [ "$have_dot" = 1 ]; then
			if dot -Tsvg "$tmp/$name.dot" >"$tmp/$name.svg" 2>"$tmp/dot.log" \
				&& [ ! -s "$tmp/dot.log" ]; then
				ok "$name.dot renders with dot -Tsvg"
			else
				bad "$name.dot renders with dot -Tsvg"
				sed 's/^/     /' "$tmp/dot.log"
			fi
		fi
	fi

	# The flags of the emission kept as a golden ('-' when none is kept).
	kept=$(sed -n 's/^# golden: emit *//p' "$snn" | head -n 1)
	grep -q '^# golden: emit' "$snn" || kept=-
	for mode in default portable; do
		flags=
		[ "$mode" = portable ] && flags=--portable
		edir=$tmp/$mode
		mkdir -p "$edir"
		if ! run "$name emit [$mode]" "$edir/emit.log" "$spikec" emit "$snn" -o "$edir" $flags; then
			continue
		fi
		if [ ! -f "$edir/$name.c" ] || [ ! -f "$edir/$name.h" ]; then
			bad "$name emit [$mode]: $edir/$name.c or $name.h missing (is the model named $name?)"
			continue
		fi
		if [ "$kept" = "$flags" ]; then
			golden "$name.c" "$dir/$name.c" "$edir/$name.c"
			golden "$name.h" "$dir/$name.h" "$edir/$name.h"
		fi
		for cc in $COMPILERS; do
			if $cc $WARN -c -o "$edir/$name.$cc.o" "$edir/$name.c" >"$edir/$cc.log" 2>&1; then
				ok "$name.c [$mode] compiles with $cc"
			else
				bad "$name.c [$mode] compiles with $cc"
				sed 's/^/     /' "$edir/$cc.log"
			fi
		done
	done
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
