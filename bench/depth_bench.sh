#!/bin/sh
# depth_bench.sh: `make bench`'s compile-time row: how `spikec check` and
# `spikec emit` (and, for the depths in DEPTH_JIT, the LLVM JIT build of
# `spikec run`, cache empty) grow with the depth of a model, on chains of
# 2-unit spiking LSTM layers (bench/chain_model.sh), and with T = 10,000
# steps. Medians of 3 wall-clock runs, in seconds. Measures, asserts nothing.
#
#   sh bench/depth_bench.sh        knobs: DEPTHS ("30 120 500"), DEPTH_JIT ("30"; "" for none)
set -eu
cd "$(dirname "$0")/.."
[ -x bin/spikec ] || { echo "depth_bench.sh: bin/spikec is missing; run make first" >&2; exit 1; }
OUT=build/bench/depth
mkdir -p "$OUT"
DEPTHS=${DEPTHS:-30 120 500}
DEPTH_JIT=${DEPTH_JIT-30}

now() { date +%s.%N; }
median3() { printf '%s\n' "$@" | sort -g | sed -n 2p; }
time3() { # command...: median wall seconds of 3 runs
	r=""
	for _ in 1 2 3; do
		t0=$(now)
		"$@" > /dev/null
		r="$r $(echo "$(now) - $t0" | bc)"
	done
	# shellcheck disable=SC2086  # the list of three times
	median3 $r
}
jit3() { # model: median of the "compiled ... with LLVM in Xs" of 3 runs, empty cache
	r=""
	for _ in 1 2 3; do
		rm -rf "$OUT/cache" "$OUT/run"
		s=$(SPIKEC_CACHE=$(pwd)/$OUT/cache bin/spikec run "$1" --epochs 1 --out "$OUT/run" 2>&1 |
			sed -n 's/^compiled .* with LLVM in \([0-9.]*\)s$/\1/p')
		r="$r ${s:-nan}"
	done
	# shellcheck disable=SC2086
	median3 $r
}

echo "spikec compile time against depth (bench/chain_model.sh N [T]); medians of 3, seconds"
printf '%-22s %8s %8s %8s\n' "model" "check" "emit" "jit"
row() { # label N T
	m=$OUT/chain$2_$3.snn
	sh bench/chain_model.sh "$2" "$3" > "$m"
	c=$(time3 bin/spikec check "$m")
	e=$(time3 bin/spikec emit "$m" -o "$OUT/gen")
	j=-
	case " $DEPTH_JIT " in *" $2 "*) [ "$3" != 20 ] || j=$(jit3 "$m") ;; esac
	printf '%-22s %8.3f %8.3f %8s\n' "$1" "$c" "$e" "$j"
}
for n in $DEPTHS; do
	row "$n layers, T = 20" "$n" 20
done
row "30 layers, T = 10000" 30 10000
