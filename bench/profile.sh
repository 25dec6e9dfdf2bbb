#!/bin/sh
# profile.sh: where spikec's training time goes, for make bench (bench.sh
# runs it; alone: sh bench/profile.sh after make). perf record of the bench
# driver training the row-MNIST spiking model (examples/mnist_rows.snn,
# batch 100, the bench's Bernoulli-0.3 input) on one OpenBLAS thread; the
# functions with the most self time and their share of all samples. Writes
# build/bench/profile/raw.jsonl (one "profile" object, or one that says why
# it was skipped: no perf, or perf not permitted) and prints its line.
#
#   PROFILE_STEPS  40   training steps recorded (after 3 untimed ones)
set -eu
cd "$(dirname "$0")/.."
PY=${PY:-/usr/bin/python3}
OUT=build/bench/profile
STEPS=${PROFILE_STEPS:-40}
RAW=$OUT/raw.jsonl
[ -x bin/spikec ] || { echo "profile.sh: bin/spikec is missing; run make first" >&2; exit 1; }
mkdir -p "$OUT"

skip() {
	printf '{"what": "profile", "model": "mnist_rows", "skipped": "%s"}\n' "$1" >"$RAW"
	"$PY" bench/report.py --summary "$RAW"
	exit 0
}
command -v perf >/dev/null 2>&1 || skip "perf is not installed; on Debian: apt-get install linux-perf"
perf record -q -o "$OUT/probe.data" -- true >/dev/null 2>&1 ||
	skip "perf record is not permitted here: kernel.perf_event_paranoid = $(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null || echo "?")"

sh bench/driver.sh examples/mnist_rows.snn "$OUT"
"$PY" bench/torch_bench.py data "$OUT/data" >/dev/null
OPENBLAS_NUM_THREADS=1 perf record -q -o "$OUT/perf.data" -- \
	"$OUT/mnist_rows_bench" train "$OUT/data" "$STEPS" 1 3 >"$OUT/train.json"
# Self time per symbol; gcc's clones (f.constprop.0, f.isra.0, f.part.0) count as f.
perf report -i "$OUT/perf.data" --stdio --no-children --sort symbol 2>/dev/null | "$PY" -c '
import json, re, sys
share = {}
for line in sys.stdin:
    m = re.match(r"\s*([\d.]+)%\s+\[[^]]*\]\s+(\S+)", line)
    if m:
        name = re.sub(r"\.(constprop|isra|part|cold)\.\d+$", "", m[2])
        share[name] = share.get(name, 0) + float(m[1])
top = sorted(share.items(), key=lambda kv: -kv[1])[:5]
print(json.dumps({"what": "profile", "model": "mnist_rows", "threads": 1, "steps": int(sys.argv[1]),
                  "top": [[n, round(s, 1)] for n, s in top]}))' "$STEPS" >"$RAW"
"$PY" bench/report.py --summary "$RAW"
