#!/bin/sh
# run_json.sh: the --json output of spikec check and spikec eval
# (docs/cli-json.md): each is one JSON object that python3's json module
# parses, holding the values the text output prints, and equal to its golden
# (tests/json/*.json; the model hash masked, so that an edit of the prelude
# does not churn them). SPIKEC_GOLDEN_UPDATE=1 rewrites the goldens.
set -u
cd "$(dirname "$0")/../.." || exit 2
spikec=${SPIKEC:-bin/spikec}
. tests/lib.sh
test_begin build/test/json "$spikec"
OUT=$TEST_OUT
tiny=examples/tiny.snn
mnist=examples/mnist_rows.snn

# masked LABEL GOLDEN ACTUAL: ACTUAL with its hash masked equals GOLDEN.
masked() {
	sed 's/"hash": "[0-9a-f]*"/"hash": "(masked)"/' "$3" >"$3.masked"
	golden "$1" "$2" "$3.masked"
}

# py LABEL FILE CODE: python3 CODE with the JSON of FILE as `d` succeeds
# (CODE asserts).
py() {
	if python3 -c "import json, sys
d = json.load(open(sys.argv[1]))
$3" "$2" 2>"$OUT/py.err"; then
		ok "$1"
	else
		bad "$1"
		show "$OUT/py.err"
	fi
}

"$spikec" check --json "$tiny" >"$OUT/tiny.json" || bad "check --json $tiny"
py "check --json $tiny: the model, inputs, shapes and train block" "$OUT/tiny.json" '
assert d["model"] == "tiny" and d["steps"] == 20 and d["parameters"] == 329, d
assert [(i["name"], i["kind"], i["type"]) for i in d["inputs"]] == [
    ("x", "spikes", "spike[T,B,1]"), ("targets", "targets", "f32[T,B,1]")], d["inputs"]
assert {p["name"]: p["shape"] for p in d["params"]} == {
    "h.weight_ih": [32, 1], "h.weight_hh": [32, 8], "h.bias": [32], "y.weight": [1, 8], "y.bias": [1]}
assert [(l["name"], l["cell"], l["parameters"]) for l in d["layers"]] == [("h", "slstm", 320), ("y", "dense", 9)]
assert sum(p["size"] for p in d["params"]) == d["parameters"]
assert d["output"]["timed"] and d["output"]["dims"] == [1] and d["loss"] == "mse"
t = d["train"]
assert t["data"]["dataset"] == "toy_signal" and t["data"]["encode"] == "bernoulli", t
assert (t["optimizer"]["kind"], t["optimizer"]["lr"], t["batch"], t["epochs"], t["seed"]) == ("adam", 0.01, 16, 2, 1)
assert t["schedule"] == {"kind": "constant"} and t["clip"] == 0 and t["tbptt"] == 0'
masked "check --json $tiny golden" tests/json/tiny_check.json "$OUT/tiny.json"

"$spikec" check --json "$mnist" >"$OUT/mnist.json" || bad "check --json $mnist"
"$spikec" check "$mnist" >"$OUT/mnist.txt" || bad "check $mnist"
py "check --json $mnist: a spiking classifier, as the text output says" "$OUT/mnist.json" '
text = open(sys.argv[1].replace(".json", ".txt")).read()
assert "parameters: %d " % d["parameters"] in text and d["parameters"] == 185210, d["parameters"]
assert d["inputs"][0]["type"] == "spike[T,B,28]" and d["inputs"][1]["kind"] == "labels"
assert d["layers"][0] == {"name": "h", "cell": "slstm", "parameters": 183200}
assert not d["output"]["timed"] and d["output"]["dims"] == [10] and d["loss"] == "cross_entropy"
t = d["train"]
assert (t["data"]["dataset"], t["data"]["layout"], t["data"]["classes"]) == ("mnist", "rows", 10)
assert t["schedule"] == {"kind": "cosine", "min_lr": 0.0001} and t["eval_batch"] == 100'
masked "check --json $mnist golden" tests/json/mnist_rows_check.json "$OUT/mnist.json"

printf 'model bare {\n    input x[3] spikes over 4 steps\n    output dense(last(slstm(x, 2)), 2)\n}\n' >"$OUT/bare.snn"
"$spikec" check --json "$OUT/bare.snn" >"$OUT/bare.json" || bad "check --json of a model without train block"
py "check --json without a train block or a loss: null" "$OUT/bare.json" '
assert d["train"] is None and d["loss"] is None and d["carry_state"] is False, d'

# eval: the JSON holds the numbers of the text line.
"$spikec" init "$tiny" --seed 3 --output "$OUT/tiny.safetensors" >/dev/null || bad "init $tiny"
"$spikec" eval "$tiny" --checkpoint "$OUT/tiny.safetensors" >"$OUT/eval.txt" 2>/dev/null || bad "eval $tiny"
"$spikec" eval "$tiny" --checkpoint "$OUT/tiny.safetensors" --json >"$OUT/eval.json" 2>/dev/null ||
	bad "eval --json $tiny"
py "eval --json $tiny: the mse and rmse of the text line" "$OUT/eval.json" '
text = open(sys.argv[1].replace(".json", ".txt")).read()
assert text == "%s: test mse %.6f, rmse %.4f on %d samples\n" % (d["checkpoint"], d["loss"], d["rmse"], d["samples"]), text
assert d["metric"] == "rmse" and d["accuracy"] is None and d["bits_per_char"] is None and d["model"] == "tiny"
assert abs(d["rmse"] ** 2 - d["loss"]) < 1e-6'
golden "eval --json $tiny golden" tests/json/tiny_eval.json "$OUT/eval.json"

summary
