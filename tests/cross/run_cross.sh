#!/bin/sh
# run_cross.sh: the emitted C gives the same bits on aarch64 and armhf (under
# qemu) and under valgrind as on this machine, and valgrind finds no memory
# error in it (docs/targets.md says why the bits can agree).
#
#   sh tests/cross/run_cross.sh        (after `make`: needs bin/spikec)
#
# For each examples/*.snn: `spikec emit --portable` into build/test/cross/NAME,
# then examples/demo/run_emitted.c and the emitted C built with the build line
# of docs/targets.md, once for the host (cc, with -march=native) and once per
# target with Debian's cross compiler (statically linked, run under
# qemu-user). Each build runs `run_emitted --bits $BATCH $STEPS`: the forward
# outputs of BATCH sequences from `init` seed 1, the losses of STEPS training
# steps (forward_train, backward, step) and the outputs after them, as
# exact hexadecimal floats; a target's must be byte-identical (cmp) to the
# host's. The host and the two targets of one model build and run side by side.
# A model whose emitted C is an earlier model's but for its name
# (fashion_rows is mnist_rows with another train block) passes as that one's
# twin instead of running again. CROSS_BATCH and CROSS_STEPS override the
# batch (1) and the number of steps (10). Then the same for the quantized
# forward pass (spikec quantize, --quantized) of tiny and mnist_rows
# (CROSS_QUANTIZED), its weights baked in: the forward outputs.
#
# Under valgrind too: the same program built for this machine's baseline
# (no -march=native: valgrind knows no AVX-512) runs under memcheck, which
# must find no invalid access, no use of an uninitialised value and no leak,
# and give the host's bits.
#
# A target whose cross compiler, qemu or valgrind is not installed is skipped
# with the reason (scripts/deps.sh --check-test installs them, so `make check`
# as root and CI never skip); valgrind is skipped on a sanitized build (make
# check SANITIZE=1), whose programs it cannot run. Logs stay under
# build/test/cross. Prints `N passed, M failed` last and exits 1 if anything
# failed.
# shellcheck disable=SC2086  # $FLAGS, $defs are word lists on purpose
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh

SPIKEC=${SPIKEC:-bin/spikec}
OUT=build/test/cross
# Batch 1 and 10 steps keep qemu to about a minute of CPU for all examples.
BATCH=${CROSS_BATCH:-1}
STEPS=${CROSS_STEPS:-10}
# The build line of docs/targets.md (plus -Werror: the emitted C promises to
# compile cleanly on every target).
FLAGS="-std=c99 -O2 -ftree-vectorize -ffp-contract=off -Wall -Wextra -pedantic -Werror -D_POSIX_C_SOURCE=200809L"
# TRIPLE:QEMU for each target.
TARGETS="aarch64-linux-gnu:qemu-aarch64 arm-linux-gnueabihf:qemu-arm"

if [ ! -x "$SPIKEC" ]; then
	bad "$SPIKEC does not exist: run make first"
	summary
	exit 1
fi

# valgrind's memcheck: any error, or any leak, exits 99.
memcheck() {
	valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=all "$@"
}
valgrind=1
if [ -n "${SPIKEC_SANITIZED:-}" ]; then
	echo "SKIP valgrind: a sanitized build's programs do not run under valgrind (ASan checks them instead)"
	valgrind=
elif ! command -v valgrind >/dev/null 2>&1; then
	echo "SKIP valgrind: not installed (sh scripts/deps.sh --check-test installs it)"
	valgrind=
fi

# The targets whose tools are all here.
present=
for tq in $TARGETS; do
	triple=${tq%%:*}
	qemu=${tq#*:}
	if ! command -v "$triple-gcc" >/dev/null 2>&1; then
		echo "SKIP $triple: no $triple-gcc (sh scripts/deps.sh --check-test installs gcc-$triple)"
	elif ! command -v "$qemu" >/dev/null 2>&1; then
		echo "SKIP $triple: no $qemu (sh scripts/deps.sh --check-test installs qemu-user)"
	else
		present="$present $tq"
	fi
done

# build_run DIR NAME TAG CC LINKFLAGS RUNNER...: builds run_emitted for model
# NAME in DIR (with $defs and the sources $extra) as DIR/TAG and runs it for
# $steps training steps, stdout to DIR/TAG.bits; the exit status of each
# step goes to DIR/TAG.status ("build N" or "run N").
build_run() {
	b_dir=$1 b_name=$2 b_tag=$3 b_cc=$4 b_link=$5
	shift 5
	if ! $b_cc $FLAGS $b_link $defs -include "$b_dir/$b_name.h" -o "$b_dir/$b_tag" \
		examples/demo/run_emitted.c "$b_dir/$b_name.c" $extra -lm >"$b_dir/$b_tag.log" 2>&1; then
		echo "build $?" >"$b_dir/$b_tag.status"
		return
	fi
	"$@" "$b_dir/$b_tag" --bits "$BATCH" "$steps" >"$b_dir/$b_tag.bits" 2>>"$b_dir/$b_tag.log" </dev/null
	echo "run $?" >"$b_dir/$b_tag.status"
}

# ran DIR TAG WHAT: PASS if TAG built and ran (exit 0), else FAIL with its log.
ran() {
	if [ "$(cat "$1/$2.status")" = "run 0" ]; then
		ok "$3"
	else
		bad "$3: $(cat "$1/$2.status") (log $1/$2.log)"
		show "$1/$2.log"
	fi
}

# run_all DIR NAME WHAT: builds and runs NAME on the host, each target and
# under valgrind side by side, then checks each against the host's bits.
run_all() {
	build_run "$1" "$2" host "${CC:-cc}" -march=native &
	for tq in $present; do
		build_run "$1" "$2" "${tq%%:*}" "${tq%%:*}-gcc" -static "${tq#*:}" &
	done
	[ -n "$valgrind" ] && build_run "$1" "$2" valgrind "${CC:-cc}" -g memcheck &
	wait
	ran "$1" host "$2 on the host: built and ran"
	lines=$(wc -l <"$1/host.bits")
	if [ -n "$valgrind" ]; then
		ran "$1" valgrind "$2 under valgrind: no invalid access, uninitialised value or leak"
		if cmp -s "$1/host.bits" "$1/valgrind.bits"; then
			ok "$2 under valgrind (x86-64 baseline): the host's bits"
		else
			bad "$2 under valgrind: not the host's bits ($1/host.bits, $1/valgrind.bits)"
		fi
	fi
	for tq in $present; do
		triple=${tq%%:*}
		ran "$1" "$triple" "$2 on $triple (${tq#*:}): built and ran"
		if cmp -s "$1/host.bits" "$1/$triple.bits"; then
			ok "$2 on $triple: $3: the host's bits ($lines values)"
		else
			bad "$2 on $triple: not the host's bits ($1/host.bits, $1/$triple.bits): $3"
			diff "$1/host.bits" "$1/$triple.bits" | head -n 10 | sed 's/^/     /'
		fi
	done
}

mkdir -p "$OUT" || exit 1
extra=
steps=$STEPS
tested=
for snn in examples/*.snn; do
	dir=$OUT/$(basename "$snn" .snn)
	rm -rf "$dir"
	mkdir -p "$dir"
	if ! "$SPIKEC" emit "$snn" -o "$dir" --portable >"$dir/emit.log" 2>&1; then
		bad "$SPIKEC emit $snn --portable"
		show "$dir/emit.log"
		continue
	fi
	# The model's name (the files' names), from "wrote DIR/NAME.c and DIR/NAME.h".
	name=$(sed -n 's|^wrote .*/\([a-z0-9_]*\)\.c and .*|\1|p' "$dir/emit.log")
	upper=$(printf '%s' "$name" | tr '[:lower:]' '[:upper:]')
	class=0
	grep -q 'const int32_t \*labels_' "$dir/$name.h" && class=1
	defs="-DMODEL=$name -DMODEL_UPPER=$upper -DLABEL_IS_CLASS=$class"
	grep -q 'passed one-hot' "$dir/$name.h" && defs="$defs -DTOKENS"
	# A model whose C is an earlier one's but for its name (the same network
	# with another train block) would repeat that one's test bit for bit.
	sed "s/$name/MODEL/g; s/$upper/MODEL/g" "$dir/$name.h" "$dir/$name.c" >"$dir/anonymous.c"
	twin=
	for prev in $tested; do
		cmp -s "$dir/anonymous.c" "$OUT/$prev/anonymous.c" && twin=$prev && break
	done
	if [ -n "$twin" ]; then
		ok "$name: the emitted C of $twin but for its name (tested there)"
		continue
	fi
	tested="$tested $(basename "$dir")"

	run_all "$dir" "$name" "outputs, $STEPS losses, outputs after training"
done

# The quantized forward pass (docs/quantize.md) of CROSS_QUANTIZED, with its
# int8 weights (quantized from init --seed 1) baked in: the forward outputs.
steps=0
for m in ${CROSS_QUANTIZED-tiny mnist_rows}; do
	dir=$OUT/${m}_quantized
	rm -rf "$dir"
	mkdir -p "$dir"
	if ! "$SPIKEC" init "examples/$m.snn" --seed 1 -o "$dir/ck" >"$dir/emit.log" 2>&1 ||
		! "$SPIKEC" quantize "examples/$m.snn" --checkpoint "$dir/ck" -o "$dir/ckq" >>"$dir/emit.log" 2>&1 ||
		! "$SPIKEC" emit "examples/$m.snn" -o "$dir" --portable --quantized --checkpoint "$dir/ckq" \
			>>"$dir/emit.log" 2>&1; then
		bad "$m: quantize or emit --quantized"
		show "$dir/emit.log"
		continue
	fi
	upper=$(printf '%s' "$m" | tr '[:lower:]' '[:upper:]')
	defs="-DMODEL=$m -DMODEL_UPPER=$upper -DWEIGHTS -include $dir/${m}_weights.h"
	extra=$dir/${m}_weights.c
	run_all "$dir" "$m" "the quantized forward outputs"
done

summary
