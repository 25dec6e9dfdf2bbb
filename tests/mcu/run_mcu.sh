#!/bin/sh
# run_mcu.sh: `spikec emit --target cortex-m4` runs on an emulated Cortex-M4
# with the host's bits, and its model object needs no heap and no stdio.
#
#   sh tests/mcu/run_mcu.sh        (after `make`: needs bin/spikec)
#
# For each example in MODELS (each cell, input and loss kind of examples/
# once: every spiking model but fashion_rows, the twin of mnist_rows, and
# one LSTM, mnist_rows_lstm; MCU_MODELS overrides it): `spikec init --seed 1`
# gives a checkpoint, `spikec emit --target cortex-m4 --checkpoint` bakes it
# in, and examples/cortex-m4 builds two firmwares with arm-none-eabi-gcc and
# newlib: `infer` (the forward pass of one sequence and the streaming
# check) and `train` (also 3 training steps: zero_grad, forward_train,
# backward, step), the latter only when the header's RAM_TRAIN_BYTES fits
# the board's 4 MB (not alice_chars). Each runs under qemu-system-arm on
# mps2-an386 (semihosting output, under `timeout`) and must print, byte
# for byte (cmp), what the same main.c and emitted C print built for this
# machine: each forward output, loss and output after training as its 8
# hexadecimal bits; the header's workspace constants, which size main.c's
# static arrays, must be what workspace_floats() returns, and the emitted C
# must be --portable's but for the banner and the header's RAM section. The
# model object may reference nothing but memcpy/memset, libm and libgcc's
# soft double routines (arm-none-eabi-nm).
# Prints each image's flash and RAM (arm-none-eabi-size: flash is text +
# data, RAM is data + bss, which includes the 16 KB stack of link.ld), the
# numbers of docs/targets.md#cortex-m4.
#
# Skipped, with the reason, when arm-none-eabi-gcc, newlib or
# qemu-system-arm is missing (scripts/deps.sh --check-test installs them).
# Logs stay under build/test/mcu. Prints `N passed, M failed` last and
# exits 1 if anything failed.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh

SPIKEC=${SPIKEC:-bin/spikec}
test_begin build/test/mcu "$SPIKEC"
OUT=$(pwd)/$TEST_OUT

fails_with "--target names a target spikec knows" "the one target is cortex-m4" \
	"$SPIKEC" emit examples/tiny.snn -o "$OUT/bad" --target cortex-m3
if [ -e "$OUT/bad" ]; then bad "--target cortex-m3 wrote $OUT/bad"; else ok "--target cortex-m3 writes nothing"; fi

missing=
command -v arm-none-eabi-gcc >/dev/null 2>&1 || missing="arm-none-eabi-gcc (package gcc-arm-none-eabi)"
[ -z "$missing" ] && [ ! -e /usr/lib/arm-none-eabi/newlib/libc.a ] && missing="newlib (package libnewlib-arm-none-eabi)"
[ -z "$missing" ] && ! command -v qemu-system-arm >/dev/null 2>&1 && missing="qemu-system-arm (package qemu-system-arm)"
if [ -n "$missing" ]; then
	echo "SKIP the Cortex-M4 builds: no $missing; sh scripts/deps.sh --check-test installs it"
	summary
	exit
fi

MODELS=${MCU_MODELS:-"tiny npy_classify toy_timing mnist_rows mnist_rows_lstm slstm_analog fsdd_digits alice_chars"}
# What the model object may reference: memcpy, memset, libm, and libgcc's
# double arithmetic (the Cortex-M4's FPU is single precision).
ALLOWED='^(memcpy|memset|sqrtf|sqrt|exp|log|pow|cos|fabsf|fmaxf|fminf|erff|atanf|__aeabi_[a-z0-9]+)$'

# firmware DIR NAME TAG LABEL_IS_CLASS TOKENS: builds DIR/TAG/NAME.elf and .host,
# runs both, stdout to DIR/TAG/{qemu,host}.bits, exit statuses checked;
# LABEL_IS_CLASS empty: no training; TOKENS 1 for a tokens input.
firmware() {
	f_dir=$1 f_name=$2 f_tag=$3
	mkdir -p "$f_dir/$f_tag"
	set -- make -s -C examples/cortex-m4 MODEL="$f_name" EMITTED="$f_dir" OUT="$f_dir/$f_tag" \
		HOSTCC="${CC:-cc}" ${4:+LABEL_IS_CLASS=$4} ${5:+TOKENS=1}
	if ! "$@" >"$f_dir/$f_tag/build.log" 2>&1; then
		bad "$f_name $f_tag: the firmware does not build (log $f_dir/$f_tag/build.log)"
		show "$f_dir/$f_tag/build.log"
		return 1
	fi
	"$f_dir/$f_tag/$f_name.host" >"$f_dir/$f_tag/host.bits"
	h_status=$?
	"$@" run >"$f_dir/$f_tag/qemu.bits" 2>"$f_dir/$f_tag/qemu.log"
	q_status=$?
	if [ "$h_status" -ne 0 ] || [ "$q_status" -ne 0 ] || [ ! -s "$f_dir/$f_tag/qemu.bits" ]; then
		bad "$f_name $f_tag: host exit $h_status, make run (qemu) exit $q_status (log $f_dir/$f_tag/qemu.log)"
		show "$f_dir/$f_tag/qemu.log"
		return 1
	fi
	n=$(wc -l <"$f_dir/$f_tag/host.bits")
	if cmp -s "$f_dir/$f_tag/host.bits" "$f_dir/$f_tag/qemu.bits"; then
		ok "$f_name $f_tag on qemu's Cortex-M4: the host's bits ($n values)"
	else
		bad "$f_name $f_tag on qemu's Cortex-M4: not the host's bits ($f_dir/$f_tag/host.bits, qemu.bits)"
		diff "$f_dir/$f_tag/host.bits" "$f_dir/$f_tag/qemu.bits" | head -n 10 | sed 's/^/     /'
	fi
	arm-none-eabi-size "$f_dir/$f_tag/$f_name.elf" | awk -v what="$f_name $f_tag" \
		'NR == 2 { printf "     %s: flash %d bytes (text %d + data %d), RAM %d bytes (data %d + bss %d)\n", what, $1 + $2, $1, $2, $2 + $3, $2, $3 }'
	nm_bad=$(arm-none-eabi-nm -u "$f_dir/$f_name.arm.o" | awk '{ print $2 }' | grep -Ev "$ALLOWED" | tr '\n' ' ')
	if [ -z "$nm_bad" ]; then
		ok "$f_name $f_tag: the model object references no heap, no stdio (only memcpy/memset, libm, libgcc)"
	else
		bad "$f_name $f_tag: the model object references $nm_bad"
	fi
}

# example EXAMPLE: emits it, then builds and runs its firmwares.
example() {
	dir=$OUT/$1
	if ! "$SPIKEC" init "examples/$1.snn" -o "$OUT/$1.ck" --seed 1 >"$OUT/$1.init.log" 2>&1 ||
		! "$SPIKEC" emit "examples/$1.snn" -o "$dir" --target cortex-m4 --checkpoint "$OUT/$1.ck" \
			>"$OUT/$1.emit.log" 2>&1; then
		bad "$1: spikec init or emit --target cortex-m4 failed"
		show "$OUT/$1.emit.log"
		return
	fi
	# The model's name (the files' names), from "wrote DIR/NAME.c and DIR/NAME.h".
	name=$(sed -n 's|^wrote [^ ]*/\([a-z0-9_]*\)\.c and .*|\1|p' "$OUT/$1.emit.log")
	upper=$(printf '%s' "$name" | tr '[:lower:]' '[:upper:]')
	ram=$(sed -n "s/^#define ${upper}_RAM_TRAIN_BYTES \([0-9]*\).*/\1/p" "$dir/$name.h")
	if [ -n "$ram" ]; then
		ok "$name.h states the RAM the caller provides (training, batch 1: $ram bytes)"
	else
		bad "$name.h states no RAM_TRAIN_BYTES"
		return
	fi
	# The target changes no computation: the .c is --portable's but for its
	# banner, the .h --portable's with the RAM section before its #endif.
	"$SPIKEC" emit "examples/$1.snn" -o "$dir/portable" --portable >/dev/null 2>&1
	sed 2d "$dir/portable/$name.c" >"$dir/portable/body.c"
	n=$(($(wc -l <"$dir/portable/$name.h") - 1))
	head -n "$n" "$dir/portable/$name.h" >"$dir/portable/body.h"
	if sed 2d "$dir/$name.c" | cmp -s - "$dir/portable/body.c" &&
		head -n "$n" "$dir/$name.h" | cmp -s - "$dir/portable/body.h"; then
		ok "$name.c and .h: --portable's, but for the banner and the RAM section"
	else
		bad "$name.c or .h: not --portable's ($dir/$name.c, $dir/portable/$name.c)"
	fi
	class=0
	grep -q 'const int32_t \*labels_' "$dir/$name.h" && class=1
	tokens=
	grep -q 'passed one-hot' "$dir/$name.h" && tokens=1
	firmware "$dir" "$name" infer "" "$tokens"
	# The training image must fit qemu's 4 MB of RAM with the stack.
	if [ "$ram" -le $((4 * 1024 * 1024 - 32 * 1024)) ]; then
		firmware "$dir" "$name" train "$class" "$tokens"
	else
		echo "     $name train: not built, its $ram bytes of training RAM do not fit mps2-an386's 4 MB"
	fi
}

# quantized EXAMPLE: its integer forward pass (spikec quantize, --quantized,
# docs/quantize.md) with the int8 weights baked in: the infer firmware.
quantized() {
	dir=$OUT/$1_quantized
	if ! "$SPIKEC" init "examples/$1.snn" -o "$OUT/$1.q.ck" --seed 1 >/dev/null 2>&1 ||
		! "$SPIKEC" quantize "examples/$1.snn" --checkpoint "$OUT/$1.q.ck" -o "$OUT/$1.q.ckq" >/dev/null 2>&1 ||
		! "$SPIKEC" emit "examples/$1.snn" -o "$dir" --target cortex-m4 --quantized --checkpoint "$OUT/$1.q.ckq" \
			>"$OUT/$1.qemit.log" 2>&1; then
		bad "$1: spikec quantize or emit --target cortex-m4 --quantized failed"
		show "$OUT/$1.qemit.log"
		return
	fi
	firmware "$dir" "$1" quantized "" ""
}

MODELS="$MODELS ${MCU_QUANTIZED-mnist_rows}:quantized"
# Two examples at a time, each into its own log; then the logs in order,
# their PASS and FAIL lines counted here.
running=0
for e in $MODELS; do
	case $e in *:quantized) quantized "${e%:quantized}" >"$OUT/$e.result" 2>&1 & running=$((running + 1)) ;; *)
	example "$e" >"$OUT/$e.result" 2>&1 &
	running=$((running + 1)) ;;
	esac
	[ "$running" -ge 2 ] && wait && running=0
done
wait
for e in $MODELS; do
	cat "$OUT/$e.result"
	pass=$((pass + $(grep -c '^PASS' "$OUT/$e.result")))
	fail=$((fail + $(grep -c '^FAIL' "$OUT/$e.result")))
done

summary
