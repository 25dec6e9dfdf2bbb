#!/bin/sh
# run_nir.sh: spikec export --nir (docs/nir.md), read back and run:
#
#   1. examples/lif_classify.snn with `spikec init --seed 1` parameters: the
#      file's objects against a golden listing (h5dump -n), its version and
#      node types by h5dump, and the messages against a golden;
#   2. the file read as nir.read reads it (h5py; check_nir.py structure):
#      exactly NIR's fields in every node, edges between nodes whose shapes
#      agree, the weights the checkpoint's bits, tau and r giving back beta;
#   3. the graph stepped by numpy (check_nir.py simulate) against spikec infer
#      on random spikes: equal with the LIF reset read as snnTorch's subtract,
#      different when it resets to zero (NIR's v_reset); --exact-reset (LI +
#      Threshold) equal under NIR's own reading; and --dt;
#   4. tests/nir/stack.snn: lif_learn with a decay per neuron (beta_raw drawn
#      at random), a lif on top, analog inputs, mean: the same checks;
#   5. the errors: a model with the LSTM cells and alif (every layer named,
#      golden message), a user's cell and arithmetic, beta = 1, a missing
#      checkpoint, an unwritable output, --nir or --checkpoint left out, a
#      bad --dt: exit 1, and no file written (an old file stays as it was).
#
#   sh tests/nir/run_nir.sh    (after `make`: needs bin/spikec)
#
# The reading needs h5dump (hdf5-tools) and Debian's python3 with h5py and
# numpy (python3-h5py, python3-numpy; $NIR_PYTHON, default /usr/bin/python3),
# which scripts/deps.sh installs for the tests; without one, its checks skip,
# saying why. Work files stay under build/test/nir. Each check prints PASS or
# FAIL; the last line is `N passed, M failed`; exits 1 if any check failed.
set -u
cd "$(dirname "$0")/../.." || exit 2

SPIKEC=${SPIKEC:-bin/spikec}
OUT=build/test/nir
GOLD=tests/nir
py=${NIR_PYTHON:-/usr/bin/python3}

. tests/lib.sh
test_begin "$OUT" "$SPIKEC"

have_h5dump=0
command -v h5dump >/dev/null 2>&1 && have_h5dump=1
have_py=0
"$py" -c "import h5py, numpy" >/dev/null 2>&1 && have_py=1
[ "$have_h5dump" = 1 ] || echo "SKIP the h5dump checks: no h5dump (Debian's hdf5-tools; scripts/deps.sh installs it)"
[ "$have_py" = 1 ] || echo "SKIP the h5py checks and the simulation: $py has no h5py or numpy (python3-h5py, python3-numpy)"

# export LABEL MODEL CK FILE [OPTION...]: spikec export --nir succeeds;
# stderr in FILE.err.
export_ok() {
	e_label=$1 e_model=$2 e_ck=$3 e_file=$4
	shift 4
	if "$SPIKEC" export --nir "$e_model" --checkpoint "$e_ck" -o "$e_file" "$@" >"$e_file.out" 2>"$e_file.err" &&
		[ -s "$e_file" ]; then
		ok "$e_label"
	else
		bad "$e_label"
		show "$e_file.err"
	fi
}
# pycheck LABEL ARG...: check_nir.py ARG... succeeds (its lines are shown).
pycheck() {
	p_label=$1
	shift
	[ "$have_py" = 1 ] || return 0
	if "$py" tests/nir/check_nir.py "$@" >"$OUT/py.log" 2>&1; then
		ok "$p_label: $(tail -n 1 "$OUT/py.log")"
	else
		bad "$p_label"
		show "$OUT/py.log"
	fi
}
# spikes FILE SHAPE SEED: random 0/1 float32 of SHAPE (T, B, I); analog with a 4th argument.
random_npy() {
	"$py" -c "import numpy as np, sys
rng = np.random.default_rng(int(sys.argv[3]))
shape = tuple(int(s) for s in sys.argv[2].split(','))
x = rng.normal(0.5, 1, shape) if len(sys.argv) > 4 else rng.random(shape) < 0.3
np.save(sys.argv[1], x.astype(np.float32))" "$@"
}

# ---- 1. lif_classify: the file and the messages ----------------------------
M=examples/lif_classify.snn
CK=$OUT/lif.safetensors
"$SPIKEC" init "$M" --seed 1 -o "$CK" >/dev/null || bad "init $M"
export_ok "export lif_classify" "$M" "$CK" "$OUT/lif.nir"
golden "the lif export's warning and notes" "$GOLD/lif_classify.err" "$OUT/lif.nir.err"
if grep -q "^wrote $OUT/lif.nir: model lif_classify as a NIR graph of 9 nodes and 8 edges" "$OUT/lif.nir.out"; then
	ok "the summary line"
else
	bad "the summary line"
	show "$OUT/lif.nir.out"
fi
if [ "$have_h5dump" = 1 ]; then
	h5dump -n 1 "$OUT/lif.nir" | sed '1s/.*/HDF5 {/' >"$OUT/lif.list"
	golden "the file's groups and datasets (h5dump -n)" "$GOLD/lif_classify.list" "$OUT/lif.list"
	for spec in /version:'"1.0.0"' /node/type:'"NIRGraph"' /node/nodes/h/type:'"NIRGraph"' \
		/node/nodes/h/nodes/lif/type:'"LIF"' /node/nodes/h/nodes/weight_hh/type:'"Linear"' \
		/node/nodes/h.ih/type:'"Affine"' /node/nodes/y/type:'"Affine"' /node/nodes/x/type:'"Input"' \
		/node/nodes/output/type:'"Output"'; do
		ds=${spec%%:*} want=${spec#*:}
		if h5dump -d "$ds" "$OUT/lif.nir" 2>&1 | grep -qF "(0): $want"; then
			ok "h5dump $ds is $want"
		else
			bad "h5dump $ds is not $want"
			h5dump -d "$ds" "$OUT/lif.nir" 2>&1 | head -n 12
		fi
	done
	h5dump -d /node/edges "$OUT/lif.nir" | tr -d ' \n' >"$OUT/edges.txt"
	if grep -qF '(0,0):"x","h.ih",(1,0):"h.ih","h",(2,0):"h","y",(3,0):"y","output"' "$OUT/edges.txt"; then
		ok "h5dump: the top graph's edges x -> h.ih -> h -> y -> output"
	else
		bad "h5dump: the top graph's edges"
		show "$OUT/edges.txt"
	fi
fi

# ---- 2, 3. read as nir.read reads it; stepped against spikec infer ----------
pycheck "lif_classify: NIR's fields, shapes, the checkpoint's bits" structure "$OUT/lif.nir" "$CK" lif 1e-4 h=0.9:1.0
if [ "$have_py" = 1 ]; then
	random_npy "$OUT/x.npy" 16,8,8 1
	"$SPIKEC" infer "$M" --checkpoint "$CK" --input "$OUT/x.npy" --output "$OUT/y.npy" >/dev/null ||
		bad "spikec infer $M"
fi
pycheck "lif_classify stepped with snnTorch's subtract reset = spikec infer" \
	simulate "$OUT/lif.nir" "$OUT/x.npy" "$OUT/y.npy" last 1e-4 subtract same
pycheck "lif_classify stepped with NIR's reset to zero differs from spikec" \
	simulate "$OUT/lif.nir" "$OUT/x.npy" "$OUT/y.npy" last 1e-4 zero differs
export_ok "export lif_classify --exact-reset" "$M" "$CK" "$OUT/exact.nir" --exact-reset
if grep -q "warning" "$OUT/exact.nir.err"; then
	bad "--exact-reset warns about the reset"
	show "$OUT/exact.nir.err"
else
	ok "--exact-reset: no warning about the reset"
fi
pycheck "--exact-reset: LI, Threshold, weight_hh - threshold I" structure "$OUT/exact.nir" "$CK" exact 1e-4 h=0.9:1.0
pycheck "--exact-reset stepped under NIR's own reading = spikec infer" \
	simulate "$OUT/exact.nir" "$OUT/x.npy" "$OUT/y.npy" last 1e-4 zero same
export_ok "export lif_classify --dt 1e-3" "$M" "$CK" "$OUT/dt.nir" --dt 1e-3
pycheck "--dt 1e-3: tau and r for that step" structure "$OUT/dt.nir" "$CK" lif 1e-3 h=0.9:1.0
pycheck "--dt 1e-3 stepped = spikec infer" simulate "$OUT/dt.nir" "$OUT/x.npy" "$OUT/y.npy" last 1e-3 subtract same

# ---- 4. stack: lif_learn, lif on lif, analog inputs, mean -------------------
S=tests/nir/stack.snn
if [ "$have_py" = 1 ]; then
	"$SPIKEC" init "$S" --seed 1 -o "$OUT/stack0.safetensors" >/dev/null &&
		"$py" tests/nir/check_nir.py perturb "$OUT/stack0.safetensors" a.beta_raw 3 "$OUT/stack.safetensors" &&
		random_npy "$OUT/xs.npy" 12,8,6 2 analog &&
		"$SPIKEC" infer "$S" --checkpoint "$OUT/stack.safetensors" --input "$OUT/xs.npy" --output "$OUT/ys.npy" \
			>/dev/null || bad "stack: checkpoint, input and spikec infer"
	export_ok "export stack" "$S" "$OUT/stack.safetensors" "$OUT/stack.nir"
	export_ok "export stack --exact-reset" "$S" "$OUT/stack.safetensors" "$OUT/stack_exact.nir" --exact-reset
fi
pycheck "stack: a tau per neuron from beta_raw, the checkpoint's bits" \
	structure "$OUT/stack.nir" "$OUT/stack.safetensors" lif 1e-4 a=learn:0.5 b=0.8:1.0
pycheck "stack stepped (subtract reset, mean) = spikec infer" \
	simulate "$OUT/stack.nir" "$OUT/xs.npy" "$OUT/ys.npy" mean 1e-4 subtract same
pycheck "stack stepped (reset to zero) differs" simulate "$OUT/stack.nir" "$OUT/xs.npy" "$OUT/ys.npy" mean 1e-4 zero differs
pycheck "stack --exact-reset: fields and bits" \
	structure "$OUT/stack_exact.nir" "$OUT/stack.safetensors" exact 1e-4 a=learn:0.5 b=0.8:1.0
pycheck "stack --exact-reset stepped = spikec infer" \
	simulate "$OUT/stack_exact.nir" "$OUT/xs.npy" "$OUT/ys.npy" mean 1e-4 zero same

# ---- 5. errors: exit 1, the layer named, no file ----------------------------
# refuse LABEL MODEL TEXT: init MODEL's parameters; the export fails with TEXT
# in its stderr, leaves no file and no temporary, and an old file as it was.
refuse() {
	r_label=$1 r_model=$2 r_text=$3
	"$SPIKEC" init "$r_model" --seed 1 -o "$OUT/r.safetensors" >/dev/null || bad "init $r_model"
	rm -rf "$OUT/r"
	mkdir -p "$OUT/r"
	fails_with "$r_label" "$r_text" "$SPIKEC" export --nir "$r_model" --checkpoint "$OUT/r.safetensors" -o "$OUT/r/m.nir"
	if [ -z "$(ls "$OUT/r")" ]; then ok "$r_label: no file written"; else bad "$r_label: left $(ls "$OUT/r")"; fi
	echo old >"$OUT/r/m.nir"
	"$SPIKEC" export --nir "$r_model" --checkpoint "$OUT/r.safetensors" -o "$OUT/r/m.nir" >/dev/null 2>&1
	if [ "$(cat "$OUT/r/m.nir")" = old ] && [ "$(ls "$OUT/r")" = m.nir ]; then
		ok "$r_label: the old file stays"
	else
		bad "$r_label: the old file changed"
	fi
}
refuse "slstm, alif, snntorch_slstm refused" tests/nir/refused.snn "the binary-gate LSTM has no NIR primitive"
sed "s|$OUT/r/m.nir|OUT.nir|" "$OUT/err.txt" >"$OUT/refused.err"
golden "every refused layer named at its place" "$GOLD/refused.err" "$OUT/refused.err"
refuse "a user's cell refused" tests/nir/unmapped.snn "layer 'a' is your own cell 'leak', which has no NIR mapping"
fails_with "arithmetic refused" "unmapped.snn:12:26: error: the operator '+' has no NIR mapping" \
	"$SPIKEC" export --nir tests/nir/unmapped.snn --checkpoint "$OUT/r.safetensors" -o "$OUT/r/m.nir"
refuse "beta = 1 refused" tests/nir/beta_one.snn "beta = 1 (neuron 0) has no NIR time constant"
fails_with "a missing checkpoint" "cannot open '$OUT/none.safetensors'" \
	"$SPIKEC" export --nir "$M" --checkpoint "$OUT/none.safetensors" -o "$OUT/none.nir"
fails_with "an unwritable output" "cannot create '$OUT/no/such/dir/m.nir.tmp." \
	"$SPIKEC" export --nir "$M" --checkpoint "$CK" -o "$OUT/no/such/dir/m.nir"
fails_with "no --nir" "missing --nir (see 'spikec export --help')" \
	"$SPIKEC" export "$M" --checkpoint "$CK" -o "$OUT/m.nir"
fails_with "no --checkpoint" "missing --checkpoint CK" "$SPIKEC" export --nir "$M" -o "$OUT/m.nir"
fails_with "a bad --dt" "--dt must be a positive number of seconds, got '0'" \
	"$SPIKEC" export --nir "$M" --checkpoint "$CK" -o "$OUT/m.nir" --dt 0
sed 's/^model lif_classify/model other/' "$M" >"$OUT/other.snn"
"$SPIKEC" init "$OUT/other.snn" --seed 1 -o "$OUT/other.safetensors" >/dev/null || bad "init other.snn"
fails_with "a checkpoint of another model with --strict" "(--strict)" \
	"$SPIKEC" export --nir "$M" --checkpoint "$OUT/other.safetensors" -o "$OUT/m.nir" --strict
if [ -e "$OUT/none.nir" ] || [ -e "$OUT/m.nir" ]; then
	bad "a failed export left a file"
else
	ok "no failed export left a file"
fi

summary
