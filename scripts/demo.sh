#!/bin/sh
# demo.sh (make demo): the main job. Trains the paper's row-wise spiking
# MNIST model (examples/mnist_rows.snn) for one epoch and prints its test
# accuracy; then emits the model as standalone C with the trained weights
# baked in, builds it with a small driver and runs the batch forward pass
# and single-sample streaming.
set -eu
cd "$(dirname "$0")/.."
model=examples/mnist_rows.snn
out=build/demo
mkdir -p "$out"
sh scripts/deps.sh --check-demo
echo "== spikec check $model"
bin/spikec check "$model"
echo "== spikec run $model --epochs 1 (of the 30 the train block asks for)"
bin/spikec run "$model" --epochs 1 --out "$out/run"
echo "== spikec eval $model --checkpoint $out/run/last.safetensors"
bin/spikec eval "$model" --checkpoint "$out/run/last.safetensors"
echo "== spikec emit $model --checkpoint $out/run/last.safetensors -o $out (the trained weights baked in)"
bin/spikec emit "$model" --checkpoint "$out/run/last.safetensors" -o "$out"
echo "== building the emitted C (cc -std=c99 -O2 -ftree-vectorize -march=native, OpenBLAS)"
${CC:-cc} -std=c99 -O2 -ftree-vectorize -march=native -Wall -Wextra -pedantic -Werror \
	-D_POSIX_C_SOURCE=200809L -DMODEL=mnist_rows -DMODEL_UPPER=MNIST_ROWS -DWEIGHTS \
	-include "$out/mnist_rows_weights.h" -o "$out/mnist_rows_demo" examples/demo/run_emitted.c \
	"$out/mnist_rows.c" "$out/mnist_rows_weights.c" -lopenblas -lm
echo "== running it"
"$out/mnist_rows_demo"
