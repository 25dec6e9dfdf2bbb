#!/bin/sh
# demo.sh (make demo): the main job. Type-checks the paper's MNIST model,
# emits it as standalone C, builds the emitted C with a small driver and runs
# it: batch forward pass and single-sample streaming. Training comes with
# the training work; until then the parameters are freshly initialised.
set -eu
cd "$(dirname "$0")/.."
model=examples/mnist_rows.snn
out=build/demo
mkdir -p "$out"
echo "== spikec check $model"
bin/spikec check "$model"
echo "== spikec emit $model -o $out"
bin/spikec emit "$model" -o "$out"
echo "== building the emitted C (cc -std=c99 -O2 -march=native, OpenBLAS)"
${CC:-cc} -std=c99 -O2 -march=native -Wall -Wextra -pedantic -Werror \
	-D_POSIX_C_SOURCE=200809L -DMODEL=mnist_rows -DMODEL_UPPER=MNIST_ROWS -include "$out/mnist_rows.h" \
	-o "$out/mnist_rows_demo" examples/demo/run_emitted.c "$out/mnist_rows.c" -lopenblas -lm
echo "== running it"
"$out/mnist_rows_demo"
