#!/bin/sh
# compile_bench.sh: `make bench` for the backends: per example, compile time
# (cold and cached) and training samples/s with the LLVM JIT and with the
# emitted C, medians of 3 runs (bench/backend_bench.c). Not part of
# `make check`: it measures, it asserts nothing.
#
#   sh bench/compile_bench.sh [MODEL.snn...]     (default: examples/*.snn)
set -u
cd "$(dirname "$0")/.." || exit 2

OUT=build/bench
CC=${CC:-cc}
LLVM_CONFIG=${LLVM_CONFIG:-llvm-config-14}
mkdir -p "$OUT" || exit 2
SPIKEC_CACHE=$(pwd)/$OUT/cache
export SPIKEC_CACHE

# shellcheck disable=SC2046  # llvm-config prints a word list
$CC -std=c11 -O2 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L -I. -Ibuild/gen -o "$OUT/backend_bench" \
	bench/backend_bench.c build/libspikec_llvm.a build/libspikec.a -lopenblas -lz -lm -ldl \
	$($LLVM_CONFIG --ldflags --libs) || exit 1

if [ $# -eq 0 ]; then
	set -- examples/*.snn
fi
echo "spikec backends on $(uname -m), $(getconf _NPROCESSORS_ONLN 2>/dev/null || echo '?') cpus; medians of 3 runs"
"$OUT/backend_bench" "$@"
