#!/bin/sh
# run_tests.sh: every test script, in order (`make check` runs this after
# bin/unit_tests):
#   tests/run_errors.sh       error-message goldens
#   tests/run_golden.sh       IR, kernel IR and emitted-C goldens
#   tests/ref/run_forward.sh  emitted C against the reference and PyTorch
#   tests/run_cli.sh          the command line's exit statuses and messages
#   tests/json/run_json.sh    spikec check --json and eval --json: parsed, values, goldens
#   tests/install/run_install.sh  the man page against the CLI; make install, pkg-config, make uninstall
#   tests/torch/run_readme.sh the README's PyTorch snippet against spikec infer (skips without torch)
#   tests/grad/run_grad.sh    gradients against PyTorch fixtures and finite differences
#   tests/train/run_train.sh  training end to end: pinned losses, resume, TBPTT, grad, errors
#   tests/dropout/run_dropout.sh  dropout: the same masks on any threads and backend, p = 0, no dropout in infer
#   tests/text/run_text.sh    character-level models: carried state, bits per character, sample
#   tests/npy/run_npy.sh      training on the user's .npy arrays: dtypes, split, per-step, errors
#   tests/plot/run_plot.sh    spikec plot: training curves and spike rasters as SVG
#   tests/report/run_report.sh  spikec report: bytes, MACs and SynOps against hand counts and the emitted C
#   tests/quant/run_quant.sh  spikec quantize, --quantized: a numpy reference, LLVM against C, the emitted C, errors
#   tests/nir/run_nir.sh      spikec export --nir: the HDF5 file read back, its weights, the graph stepped against infer
#   tests/llvm/run_llvm.sh    the LLVM JIT backend bit-identical to the C backend
#   tests/cross/run_cross.sh  the emitted C on aarch64 and armhf (qemu) bit-identical to the host's
#   tests/mcu/run_mcu.sh      --target cortex-m4 firmware under qemu-system-arm bit-identical to the host's
#   tests/reliability/run_alloc.sh  every allocation of check, emit, init, export failing: "out of memory", no file
#   tests/reliability/run_kill.sh   spikec run killed with -9 and resumed; a full disk at a checkpoint
#   tests/mpi/run_mpi.sh      mpirun -np 1, 2, 4: byte-identical checkpoints, resume, a killed rank, errors
#   tests/badinput/run_badinput.sh  malformed .npy, safetensors, IDX, WAV and text files: exit 1, golden messages
#   tests/fuzz/run_replay.sh  the fuzz targets' seeds and past crashers, without libFuzzer
#   tests/layout/run_layout.sh  layers include only downward, no file cycles, files under 600 lines, user CFLAGS
# Each script prints `N passed, M failed` last; this one shows their output,
# then one summary line per script, then the sum `N passed, M failed` as its
# last line, and exits 1 if any script failed. A script that ends without a
# summary line, or exits non-zero with no failures counted, adds a failure.
# SPIKEC_GOLDEN_UPDATE=1 is passed on, so the golden scripts rewrite their
# files (review the diff before committing). Arguments, when given, are the
# scripts to run instead of all of them (`make check TESTS="..."`).
set -u
cd "$(dirname "$0")/.." || exit 2

SCRIPTS="tests/run_errors.sh tests/run_golden.sh tests/ref/run_forward.sh tests/run_cli.sh tests/json/run_json.sh
	tests/install/run_install.sh tests/torch/run_readme.sh tests/grad/run_grad.sh tests/train/run_train.sh tests/dropout/run_dropout.sh tests/text/run_text.sh
	tests/npy/run_npy.sh tests/plot/run_plot.sh tests/report/run_report.sh tests/quant/run_quant.sh tests/nir/run_nir.sh tests/llvm/run_llvm.sh tests/cross/run_cross.sh
	tests/mcu/run_mcu.sh tests/badinput/run_badinput.sh tests/fuzz/run_replay.sh
	tests/reliability/run_alloc.sh tests/reliability/run_kill.sh tests/mpi/run_mpi.sh tests/layout/run_layout.sh"
[ $# -gt 0 ] && SCRIPTS=$*
log=$(mktemp) || exit 2
st=$(mktemp) || exit 2
trap 'rm -f "$log" "$st"' EXIT INT TERM

pass=0
fail=0
summary=
for script in $SCRIPTS; do
	echo "==== $script"
	{
		sh "$script" 2>&1
		echo $? >"$st"
	} | tee "$log"
	status=$(cat "$st")
	counts=$(sed -n 's/^\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed$/\1 \2/p' "$log" | tail -n 1)
	if [ -n "$counts" ]; then
		p=${counts% *}
		f=${counts#* }
	else
		p=0
		f=0
	fi
	if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "FAIL $script exited with status $status without counting a failure"
	fi
	pass=$((pass + p))
	fail=$((fail + f))
	summary="$summary$(printf '%-32s %s passed, %s failed' "$script" "$p" "$f")
"
done

echo "==== summary"
printf '%s' "$summary"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
