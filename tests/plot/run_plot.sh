#!/bin/sh
# run_plot.sh: `spikec plot` end to end (docs/plots.md):
#
#   1. training curves from the committed metrics files under fixtures/
#      (tiny: tests/train/tiny.snn, 10 epochs of regression; spiking and
#      lstm: fixtures/spiking.snn and fixtures/lstm.snn, 8 epochs of MNIST)
#      are well-formed SVG with one <polyline> per curve, alone and
#      overlaid, with their runs' names in the legend; repeated epochs of a
#      resumed run count once; a missing value breaks a curve; any
#      directory name gives a well-formed file; plotting is deterministic;
#   2. the chart writer itself (svg_check.c) on what the CLI never draws;
#   3. missing, empty and malformed metrics files and wrong options give a
#      clear error and exit 1, never a crash;
#   4. the spike raster of tests/train/tiny.snn (after `spikec init`), of a
#      stacked and a user-cell model, from the test split or random input:
#      one raster per spike value, counts equal to the training forward
#      pass's, deterministic, no temporary file left; spikes of nested cell
#      calls listed as not shown; and its errors.
#
#   sh tests/plot/run_plot.sh     (after `make`: needs bin/spikec and
#                                  build/libspikec.a, for svg_check.c)
#
# Well-formed means `xmllint --noout` accepts it where xmllint (Debian
# package libxml2-utils) is installed; elsewhere a grep for the <?xml
# prologue, one <svg> root and a closing </svg>. Work files stay under
# build/test/plot. Each check prints PASS or FAIL; the last line is
# `N passed, M failed`; exits 1 if any check failed.
set -u
cd "$(dirname "$0")/../.." || exit 2

SPIKEC=${SPIKEC:-bin/spikec}
LIB=${SPIKEC_BUILD:-build}/libspikec.a
OUT=build/test/plot
FIX=tests/plot/fixtures
CC=${CC:-cc}

. tests/lib.sh
test_begin "$OUT" "$SPIKEC" "$LIB"
mkdir -p "$OUT/tmp" || exit 2
TMPDIR=$(pwd)/$OUT/tmp
export TMPDIR
unset SPIKEC_MNIST_DIR SPIKEC_FASHION_MNIST_DIR

if command -v timeout >/dev/null 2>&1; then
	spikec() { timeout 120 "$SPIKEC" "$@"; }
else
	spikec() { "$SPIKEC" "$@"; }
fi

# wellformed FILE: the file is one well-formed SVG document.
if command -v xmllint >/dev/null 2>&1; then
	wellformed() { xmllint --noout "$1" 2>"$OUT/xmllint.log" || { show "$OUT/xmllint.log"; return 1; }; }
	echo "(checking SVG with xmllint)"
else
	wellformed() {
		head -n 1 "$1" | grep -q '^<?xml version="1.0" encoding="UTF-8"?>$' &&
			[ "$(grep -c '<svg ' "$1")" -eq 1 ] && [ "$(tail -n 1 "$1")" = "</svg>" ]
	}
	echo "(xmllint not found: checking SVG by grep; apt-get install libxml2-utils for a real check)"
fi
count() { grep -o "$1" "$2" | wc -l | tr -d ' '; }

# plot LABEL POLYLINES ARGS...: `spikec plot ARGS --output OUT/LABEL.svg`
# exits 0 and writes a well-formed SVG with POLYLINES <polyline>s.
plot() {
	p_label=$1
	p_lines=$2
	shift 2
	p_svg=$OUT/$p_label.svg
	if ! spikec plot "$@" --output "$p_svg" >"$OUT/$p_label.out" 2>"$OUT/$p_label.err" </dev/null; then
		bad "$p_label: spikec plot $* exits non-zero"
		show "$OUT/$p_label.err"
	elif ! wellformed "$p_svg"; then
		bad "$p_label: $p_svg is not well-formed SVG"
	elif [ "$(count '<polyline' "$p_svg")" -ne "$p_lines" ]; then
		bad "$p_label: $(count '<polyline' "$p_svg") <polyline>s, expected $p_lines"
	else
		ok "$p_label: well-formed SVG with $p_lines curves ($(cat "$OUT/$p_label.out"))"
	fi
}

# has LABEL FILE TEXT: FILE contains TEXT (fixed string).
has() {
	if grep -qF -- "$3" "$2"; then ok "$1"; else bad "$1: '$3' not in $2"; fi
}

# expect STATUS TEXT LABEL -- ARGS...: `spikec ARGS` exits with STATUS and
# says TEXT (grep -E) on stderr, never an internal error.
expect() {
	e_status=$1
	e_text=$2
	e_label=$3
	shift 4
	spikec "$@" >"$OUT/stdout" 2>"$OUT/stderr" </dev/null
	e_got=$?
	if [ "$e_got" -ne "$e_status" ]; then
		bad "$e_label: exit status $e_got, expected $e_status"
		show "$OUT/stderr"
	elif [ -n "$e_text" ] && ! grep -qE -- "$e_text" "$OUT/stderr"; then
		bad "$e_label: stderr does not match '$e_text'"
		show "$OUT/stderr"
	elif grep -qi 'internal error' "$OUT/stderr"; then
		bad "$e_label: internal error"
		show "$OUT/stderr"
	else
		ok "$e_label"
	fi
}

# ---- 1. training curves ------------------------------------------------------
# tiny: loss (train, test mse), RMSE (all, x >= 0.5), 6 firing rates.
plot tiny 10 --metrics "$FIX/tiny/metrics.jsonl"
has "tiny: a loss, an RMSE and a firing-rate panel" "$OUT/tiny.out" "3 panels, 1 run (tiny: 10 epochs)"
# spiking: loss and accuracy (train, test), 6 firing rates.
plot spiking 10 --metrics "$FIX/spiking/metrics.jsonl"
has "spiking: accuracy in percent" "$OUT/spiking.svg" "accuracy (%)"
# overlaid (the lstm given as its directory): 4 + 4 + the spiking run's 6.
plot overlay 14 --metrics "$FIX/spiking/metrics.jsonl" --metrics "$FIX/lstm"
has "overlay: the legend names the spiking run" "$OUT/overlay.svg" "spiking: test"
has "overlay: the legend names the lstm run" "$OUT/overlay.svg" "lstm: train"
# classification and regression together: loss 4, accuracy 2, RMSE 2, rates 12.
plot mixed 20 --metrics "$FIX/spiking" --metrics "$FIX/tiny"
has "mixed: 4 panels" "$OUT/mixed.out" "4 panels, 2 runs"

# A resumed run cut short may repeat epochs: the last line of each counts.
mkdir -p "$OUT/resumed"
{ head -n 5 "$FIX/tiny/metrics.jsonl"; tail -n 8 "$FIX/tiny/metrics.jsonl"; } >"$OUT/resumed/metrics.jsonl"
plot resumed 10 --metrics "$OUT/resumed/metrics.jsonl"
has "resumed: 13 lines make 10 epochs" "$OUT/resumed.out" "resumed: 10 epochs"
# A line without test_mse breaks the test curve in two.
mkdir -p "$OUT/gap"
head -n 3 "$FIX/tiny/metrics.jsonl" | sed '2s/"test_mse": [^,]*, //' >"$OUT/gap/metrics.jsonl"
plot gap 11 --metrics "$OUT/gap/metrics.jsonl"

# Directory names are labels: XML specials, invalid UTF-8, and two runs of
# the same name (labelled by their paths).
weird="$OUT/a&b<c>\"d"
bytes="$OUT/$(printf 'x\377y')"
mkdir -p "$weird" "$bytes" "$OUT/other/tiny"
cp "$FIX/tiny/metrics.jsonl" "$weird/"
cp "$FIX/tiny/metrics.jsonl" "$bytes/"
cp "$FIX/tiny/metrics.jsonl" "$OUT/other/tiny/"
plot names 40 --metrics "$weird" --metrics "$bytes" --metrics "$FIX/tiny" --metrics "$OUT/other/tiny"
has "names: XML specials are escaped" "$OUT/names.svg" 'a&amp;b&lt;c&gt;&quot;d: train'
has "names: an invalid UTF-8 byte becomes '?'" "$OUT/names.svg" 'x?y: train'
has "names: runs of the same name are labelled by path" "$OUT/names.svg" "$OUT/other/tiny: train"

spikec plot --metrics "$FIX/spiking" --metrics "$FIX/lstm" --output "$OUT/again.svg" >/dev/null 2>&1
if cmp -s "$OUT/overlay.svg" "$OUT/again.svg"; then
	ok "plotting the same metrics twice gives the same bytes"
else
	bad "plotting the same metrics twice gives different files"
fi

# ---- 2. the chart writer -------------------------------------------------------
if $CC -std=c99 -O2 -Wall -Wextra -pedantic -Werror -I. -o "$OUT/svg_check" tests/plot/svg_check.c "$LIB" -lm \
	>"$OUT/svg_check.log" 2>&1 && "$OUT/svg_check" "$OUT/svg_check.svg" && wellformed "$OUT/svg_check.svg" &&
	[ "$(count '<polyline' "$OUT/svg_check.svg")" -eq 6 ]; then
	ok "svg_check: scatter, NaN gaps, empty panel, 1x1 raster, odd labels: well-formed, 6 polylines"
else
	bad "svg_check (log $OUT/svg_check.log)"
	show "$OUT/svg_check.log"
fi

# ---- 3. errors -------------------------------------------------------------------
printf '' >"$OUT/empty.jsonl"
head -n 1 "$FIX/tiny/metrics.jsonl" >"$OUT/badjson.jsonl"
echo '{"epoch": 2, "train_loss": 0.5' >>"$OUT/badjson.jsonl"
echo '[1, 2]' >"$OUT/array.jsonl"
echo '{"step": 1, "train_loss": 0.5}' >"$OUT/noepoch.jsonl"
echo '{"epoch": 1, "train_loss": "low"}' >"$OUT/string.jsonl"
echo '{"epoch": 1, "train_loss": 0.5, "spike_rates": [0.1]}' >"$OUT/rates.jsonl"
printf '{"epoch": 1}\n\000\n' >"$OUT/nul.jsonl"
echo '{"epoch": 1, "lr": 0.1}' >"$OUT/nothing.jsonl"
mkdir -p "$OUT/emptydir"
expect 1 "cannot open '$OUT/missing.jsonl'" "a missing metrics file" -- \
	plot --metrics "$OUT/missing.jsonl" --output "$OUT/e.svg"
expect 1 "cannot open '$OUT/emptydir/metrics.jsonl'" "a run directory without metrics.jsonl" -- \
	plot --metrics "$OUT/emptydir" --output "$OUT/e.svg"
expect 1 "no epochs" "an empty metrics file" -- plot --metrics "$OUT/empty.jsonl" --output "$OUT/e.svg"
expect 1 "badjson.jsonl:2:30: not a JSON object \('}' expected near end of file\)" "a truncated JSON line (names line 2 and the column)" -- \
	plot --metrics "$OUT/badjson.jsonl" --output "$OUT/e.svg"
expect 1 "array.jsonl:1: an array, expected one JSON object" "a line that is not an object" -- \
	plot --metrics "$OUT/array.jsonl" --output "$OUT/e.svg"
expect 1 'no "epoch"' "a line without epoch" -- plot --metrics "$OUT/noepoch.jsonl" --output "$OUT/e.svg"
expect 1 "'train_loss' is a string, expected a number" "a string where a number belongs" -- \
	plot --metrics "$OUT/string.jsonl" --output "$OUT/e.svg"
expect 1 '"spike_rates" is an array' "spike_rates not an object" -- \
	plot --metrics "$OUT/rates.jsonl" --output "$OUT/e.svg"
expect 1 "NUL byte" "a file with a NUL byte" -- plot --metrics "$OUT/nul.jsonl" --output "$OUT/e.svg"
expect 1 "nothing.jsonl: no losses" "a file with nothing to plot" -- \
	plot --metrics "$OUT/nothing.jsonl" --output "$OUT/e.svg"
if [ ! -e "$OUT/e.svg" ]; then ok "... and none of them writes the output"; else bad "an error wrote $OUT/e.svg"; fi
expect 1 "missing --output curves.svg" "no --output" -- plot --metrics "$FIX/tiny"
expect 1 "unknown option '--colour'" "an unknown option" -- plot --metrics "$FIX/tiny" --colour red -o "$OUT/e.svg"
expect 1 "needs a value" "--metrics without a value" -- plot --output "$OUT/e.svg" --metrics
expect 1 "nothing to plot: give --metrics RUN or a model file" "nothing to plot" -- plot --output "$OUT/e.svg"
expect 1 "not both" "metrics and a model" -- plot tests/train/tiny.snn --metrics "$FIX/tiny" -o "$OUT/e.svg"
expect 1 "--raster applies to a spike raster" "--raster with metrics" -- \
	plot --metrics "$FIX/tiny" --raster -o "$OUT/e.svg"
expect 1 "cannot|No such file" "an output in a missing directory" -- \
	plot --metrics "$FIX/tiny" --output "$OUT/no/such/dir/c.svg"

# ---- 4. spike rasters ---------------------------------------------------------------
TINY=tests/train/tiny.snn
expect 0 "" "spikec init tiny.snn --seed 7" -- init "$TINY" --seed 7 --output "$OUT/tiny.safetensors"
# The input x and h's i, f, g, o, c, h: 7 rasters, one <path> each.
raster() {
	r_label=$1
	r_paths=$2
	shift 2
	if ! spikec plot "$@" --raster --output "$OUT/$r_label.svg" >"$OUT/$r_label.out" 2>"$OUT/$r_label.err" </dev/null
	then
		bad "$r_label: spikec plot $* --raster exits non-zero"
		show "$OUT/$r_label.err"
	elif ! wellformed "$OUT/$r_label.svg"; then
		bad "$r_label: not well-formed SVG"
	elif [ "$(count '<path ' "$OUT/$r_label.svg")" -ne "$r_paths" ]; then
		bad "$r_label: $(count '<path ' "$OUT/$r_label.svg") rasters, expected $r_paths"
	elif ! grep -q '^checked: the spike counts of all .* values equal' "$OUT/$r_label.out"; then
		bad "$r_label: the spike counts were not checked against the training forward pass"
		show "$OUT/$r_label.out"
		show "$OUT/$r_label.err"
	else
		ok "$r_label: $r_paths rasters, counts equal the training forward pass's ($(head -n 1 "$OUT/$r_label.out"))"
	fi
}
raster raster 7 "$TINY" --checkpoint "$OUT/tiny.safetensors"
has "raster: gates, cell and output of h" "$OUT/raster.out" "(x; h: i f g o c h), test sample 0 of toy_signal"
has "raster: panels name the gates" "$OUT/raster.svg" "h.f (forget gate)"
raster raster3 7 "$TINY" --checkpoint "$OUT/tiny.safetensors" --sample 3
spikec plot "$TINY" --checkpoint "$OUT/tiny.safetensors" --raster --output "$OUT/raster_again.svg" >/dev/null 2>&1
if cmp -s "$OUT/raster.svg" "$OUT/raster_again.svg" && ! cmp -s "$OUT/raster.svg" "$OUT/raster3.svg"; then
	ok "the raster is deterministic, and --sample 3 draws another input"
else
	bad "the raster differs between two runs, or --sample 3 gives the same one"
fi
left=$(ls -A "$TMPDIR")
if [ -z "$left" ]; then ok "no probe model left in TMPDIR"; else bad "left in TMPDIR: $left"; fi

sed '/^train {/,$d' "$TINY" >"$OUT/notrain.snn"
raster random 7 "$OUT/notrain.snn" --checkpoint "$OUT/tiny.safetensors" --seed 5
has "random: a seeded Bernoulli input" "$OUT/random.out" "random Bernoulli(0.5) input (seed 5, draw 0)"
expect 0 "" "spikec init stacked.snn" -- init tests/golden/stacked.snn --output "$OUT/stacked.safetensors"
raster stacked 13 tests/golden/stacked.snn --checkpoint "$OUT/stacked.safetensors"
has "stacked: both layers" "$OUT/stacked.out" "(x; h1: i f g o c h; h2: i f g o c h)"
expect 0 "" "spikec init user_cells.snn" -- init tests/golden/user_cells.snn --output "$OUT/user.safetensors"
raster user_cells 7 tests/golden/user_cells.snn --checkpoint "$OUT/user.safetensors"
has "user_cells: the spikes of user cells" "$OUT/user_cells.out" "(x; v: s; h: i f g o h)"

# Spikes that no model-level layer names are listed, not drawn.
cat >"$OUT/nested.snn" <<'EOF'
cell two(x, n) {
    a = slstm(x, n)
    return a
}
model nested {
    input x[3] spikes over 6 steps
    y = slstm(slstm(x, 4), 4)
    z = two(y, 3)
    output z
}
EOF
expect 0 "" "spikec init nested.snn" -- init "$OUT/nested.snn" --output "$OUT/nested.safetensors"
expect 0 "" "raster of a model with nested cell calls" -- \
	plot "$OUT/nested.snn" --checkpoint "$OUT/nested.safetensors" --raster -o "$OUT/nested.svg"
has "nested: y is drawn" "$OUT/stdout" "(x; y: i f g o c h)"
has "nested: the inner call y.2 and z's inner layer z.a are listed as not shown" "$OUT/stdout" \
	"not shown (no model-level layer 'NAME = cell(...)' assigns them): y.2.o"

expect 1 "--seed is for models without a train block" "--seed for a model with a train block" -- \
	plot "$TINY" --checkpoint "$OUT/tiny.safetensors" --raster --seed 1 -o "$OUT/e.svg"
expect 1 "--sample must be an integer" "--sample -1" -- \
	plot "$TINY" --checkpoint "$OUT/tiny.safetensors" --raster --sample -1 -o "$OUT/e.svg"
expect 1 "no tensor 'h.weight_ih'" "a checkpoint of another model" -- \
	plot "$TINY" --checkpoint "$OUT/stacked.safetensors" --raster -o "$OUT/e.svg"
expect 1 "cannot open" "a missing checkpoint" -- \
	plot "$TINY" --checkpoint "$OUT/missing.safetensors" --raster -o "$OUT/e.svg"
expect 1 "add --raster" "a model without --raster" -- plot "$TINY" --checkpoint "$OUT/tiny.safetensors" -o "$OUT/e.svg"
expect 1 "needs the model's parameters: --checkpoint" "--raster without --checkpoint" -- \
	plot "$TINY" --raster -o "$OUT/e.svg"
expect 0 "" "spikec init lstm_last.snn" -- init tests/golden/lstm_last.snn --output "$OUT/lstm.safetensors"
expect 1 "no spiking layer" "the raster of an lstm" -- \
	plot tests/golden/lstm_last.snn --checkpoint "$OUT/lstm.safetensors" --raster -o "$OUT/e.svg"
DIGITS=tests/fixtures/data/mnist
if [ -f "$DIGITS/0.json" ]; then
	export SPIKEC_MNIST_DIR="$DIGITS"
	expect 0 "" "spikec init digits.snn" -- init tests/train/digits.snn --output "$OUT/digits.safetensors"
	raster digits 7 tests/train/digits.snn --checkpoint "$OUT/digits.safetensors" --sample 2
	expect 1 "--sample 1000: the test split of mnist has [0-9]+ samples" "--sample past the test split" -- \
		plot tests/train/digits.snn --checkpoint "$OUT/digits.safetensors" --raster --sample 1000 -o "$OUT/e.svg"
	unset SPIKEC_MNIST_DIR
fi
if [ ! -e "$OUT/e.svg" ]; then ok "no failed raster writes its output"; else bad "a failed raster wrote $OUT/e.svg"; fi

# ---- 5. the toy task's predictions (--signal) ---------------------------------
# Two checkpoints: two panels, each with the target and a prediction.
if spikec plot "$TINY" --signal --checkpoint "$OUT/tiny.safetensors" --checkpoint "$OUT/tiny.safetensors" \
	--output "$OUT/signal.svg" >"$OUT/signal.out" 2>"$OUT/signal.err" </dev/null && wellformed "$OUT/signal.svg"; then
	if [ "$(count '<polyline' "$OUT/signal.svg")" -ge 4 ]; then
		ok "signal: two panels of target and prediction ($(head -n 1 "$OUT/signal.out"))"
	else
		bad "signal: $(count '<polyline' "$OUT/signal.svg") curves, expected at least 4"
	fi
else
	bad "signal: spikec plot --signal fails or writes bad SVG"
	show "$OUT/signal.err"
fi
expect 1 "checkpoint" "--signal without a checkpoint" -- plot "$TINY" --signal --output "$OUT/nosig.svg"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
