#!/bin/sh
# driver.sh MODEL.snn OUTDIR: emits MODEL.snn into OUTDIR/gen and builds
# OUTDIR/<model>_bench, bench/spikec_bench.c against that C, with the flags
# `spikec run` uses for its own build and OpenBLAS. For bench.sh, memory.sh
# and profile.sh; run from the repository root, after make.
set -eu
CC=${CC:-cc}
m=$(basename "$1" .snn)
up=$(echo "$m" | tr '[:lower:]' '[:upper:]')
mkdir -p "$2/gen"
bin/spikec emit "$1" -o "$2/gen" >/dev/null
"$CC" -std=c99 -O2 -ftree-vectorize -march=native -Wall -Wextra -pedantic -Werror -D_POSIX_C_SOURCE=200809L \
	-I. -DMODEL="$m" -DMODEL_UPPER="$up" -include "$2/gen/$m.h" \
	-o "$2/${m}_bench" bench/spikec_bench.c io/layout.c "$2/gen/$m.c" -lopenblas -lm
