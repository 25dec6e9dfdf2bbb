#!/bin/sh
# run_alloc.sh: running out of memory (docs/reliability.md). For each
# command below, count its allocations (SPIKEC_COUNT_ALLOC=1), then run it
# once per allocation with that one failing (SPIKEC_FAIL_ALLOC=N, N = 1 ..
# count), and check every run:
#
#   - exits 1 (not 0: every allocation of a successful run is needed), says
#     "spikec: error: out of memory", no internal error, no crash, no hang;
#   - leaves its output folder as it was: no output file, no temporary, no
#     folder made.
#
# Then failure points again under valgrind (one per command, or
# ALLOC_VALGRIND): no definite leak and no memory error (memory still
# reachable at exit(1) is fine).
#
#   sh tests/reliability/run_alloc.sh   (after `make`)
#   ALLOC_STRIDE=K sh tests/reliability/run_alloc.sh   every K-th point only
#   ALLOC_VALGRIND=K ...     K points per command under valgrind (default 1;
#                            0 for a sanitizer build: SPIKEC=that/bin/spikec)
#
# Work files stay under build/test/alloc. Each check prints PASS or FAIL;
# the last line is `N passed, M failed`; exits 1 if any check failed.
set -u
cd "$(dirname "$0")/../.." || exit 2

SPIKEC=${SPIKEC:-bin/spikec}
OUT=build/test/alloc
STRIDE=${ALLOC_STRIDE:-1}
VALGRIND=${ALLOC_VALGRIND:-1}
MODEL=examples/tiny.snn
. tests/lib.sh
test_begin "$OUT" "$SPIKEC"
mkdir -p "$OUT/in" || exit 2
unset SPIKEC_FAIL_ALLOC SPIKEC_COUNT_ALLOC
script_start=$(date +%s.%N)
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
if command -v timeout >/dev/null 2>&1; then
	limit() { timeout 20 "$@"; }
else
	limit() { "$@"; }
fi

# The checkpoints that `emit --checkpoint` bakes in, `quantize` reads and
# `export --nir` writes out (made before any sweep).
"$SPIKEC" init "$MODEL" --seed 3 --output "$OUT/in/ck.safetensors" >/dev/null || exit 2
LIF=examples/lif_classify.snn
"$SPIKEC" init "$LIF" --seed 3 --output "$OUT/in/lif.safetensors" >/dev/null || exit 2

# The work folder of every run: each command writes only there.
W=$OUT/w

# run_cmd NAME ARGS...: spikec NAME ARGS (under $WRAP) with W emptied first,
# stdout and stderr into W.out and W.err.
WRAP=
run_cmd() {
	rm -rf "$W" && mkdir "$W" || exit 2
	limit $WRAP "$SPIKEC" "$@" >"$W.out" 2>"$W.err" </dev/null
}

# run_failing N NAME ARGS...: run_cmd NAME ARGS with its N-th allocation
# failing (exported and unset here: assignments before a function call may
# outlive it in some shells).
run_failing() {
	SPIKEC_FAIL_ALLOC=$1
	export SPIKEC_FAIL_ALLOC
	shift
	run_cmd "$@"
	rf_st=$?
	unset SPIKEC_FAIL_ALLOC
	return $rf_st
}

# count NAME ARGS...: the allocations of a successful run, or nothing.
count() {
	SPIKEC_COUNT_ALLOC=1
	export SPIKEC_COUNT_ALLOC
	run_cmd "$@"
	c_st=$?
	unset SPIKEC_COUNT_ALLOC
	[ "$c_st" -eq 0 ] || return
	sed -n 's/^spikec: allocations: \([0-9][0-9]*\)$/\1/p' "$W.err"
}

# oom_only FILE: FILE is one line, an error that says "out of memory" (the
# command's own "spikec: error: out of memory", or a message of its own that
# names the file it was reading or writing). Shell builtins only: this runs
# a thousand times.
oom_only() {
	oo_n=0
	oo_line=
	while IFS= read -r oo_l; do
		oo_n=$((oo_n + 1))
		oo_line=$oo_l
	done <"$1"
	[ "$oo_n" -eq 1 ] || return 1
	case $oo_line in
	"spikec: error: out of memory" | "spikec "*": error: "*"out of memory"*) return 0 ;;
	esac
	return 1
}

# is_empty DIR: DIR holds nothing (dot files included).
is_empty() {
	for ie_f in "$1"/* "$1"/.[!.]* "$1"/..?*; do
		[ -e "$ie_f" ] && return 1
	done
	return 0
}

# sweep KEY LABEL NAME ARGS...: the sweep of one command; one check, with the
# first failing points shown. Sets points_KEY to the number of allocations.
sweep() {
	sw_key=$1
	sw_label=$2
	shift 2
	n=$(count "$@")
	n2=$(count "$@")
	if [ -z "$n" ] || [ "$n" != "$n2" ]; then
		bad "$sw_label: counting allocations gave '$n' then '$n2'"
		show "$W.err"
		return
	fi
	run_failing $((n + 1)) "$@"
	[ $? -eq 0 ] || { bad "$sw_label: run with SPIKEC_FAIL_ALLOC=$((n + 1)) (past the last) fails"; return; }
	sw_t0=$(date +%s.%N)
	sw_bad=0
	sw_runs=0
	i=1
	while [ "$i" -le "$n" ]; do
		run_failing "$i" "$@"
		st=$?
		sw_runs=$((sw_runs + 1))
		why=
		if [ "$st" -gt 128 ]; then
			why="killed by signal $((st - 128)) (124: the 20 s timeout)"
		elif [ "$st" -ne 1 ]; then
			why="exit status $st"
		elif ! oom_only "$W.err"; then
			why="stderr is not one 'out of memory' error"
		elif ! is_empty "$W"; then
			why="left $(ls -A "$W" | tr '\n' ' ')"
		fi
		if [ -n "$why" ]; then
			sw_bad=$((sw_bad + 1))
			[ "$sw_bad" -le 5 ] && { echo "     allocation $i of $n: $why"; show "$W.err"; }
		fi
		i=$((i + STRIDE))
	done
	if [ "$sw_bad" -eq 0 ]; then
		ok "$sw_label: each of $sw_runs of $n allocations failing: 'out of memory', exit 1, no file ($(elapsed "$sw_t0")s)"
	else
		bad "$sw_label: $sw_bad of $sw_runs failure points misbehave"
	fi
	eval "points_$sw_key=$n"
}

sweep check "check tiny.snn" check "$MODEL"
sweep cell "check slstm_analog.snn (a user-defined cell)" check examples/slstm_analog.snn
sweep emit "emit tiny.snn -o DIR (DIR missing)" emit "$MODEL" -o "$W/c"
sweep emit_ck "emit tiny.snn --checkpoint CK" emit "$MODEL" -o "$W/c" --checkpoint "$OUT/in/ck.safetensors"
sweep init "init tiny.snn --output F" init "$MODEL" --seed 3 --output "$W/p.safetensors"
sweep quantize "quantize tiny.snn --checkpoint CK -o F" quantize "$MODEL" --checkpoint "$OUT/in/ck.safetensors" -o "$W/q.safetensors"
sweep export "export --nir lif_classify.snn -o F" export --nir "$LIF" --checkpoint "$OUT/in/lif.safetensors" -o "$W/m.nir"

# ---- no leak: a few failure points of each command under valgrind ----------
if [ "$VALGRIND" -eq 0 ]; then
	echo "SKIP valgrind: ALLOC_VALGRIND=0 (a sanitizer build checks leaks itself)"
elif command -v valgrind >/dev/null 2>&1; then
	vg_t0=$(date +%s.%N)
	vg_bad=0
	vg_runs=0
	# vg KEY NAME ARGS...: at VALGRIND points spread evenly over the
	# allocations (one: the middle one).
	vg() {
		eval "vg_n=\${points_$1:-2}"
		shift
		for p in $(awk -v n="$vg_n" -v k="$VALGRIND" 'BEGIN { for (j = 1; j <= k; j++) print int(n * j / (k + 1)) + 1 }' | uniq); do
			WRAP="valgrind -q --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99"
			run_failing "$p" "$@"
			st=$?
			WRAP=
			vg_runs=$((vg_runs + 1))
			if [ "$st" -ne 1 ]; then
				vg_bad=$((vg_bad + 1))
				echo "     $1 failing at allocation $p of $vg_n: exit $st under valgrind"
				show "$W.err"
			fi
		done
	}
	vg check check "$MODEL"
	vg emit emit "$MODEL" -o "$W/c"
	vg emit_ck emit "$MODEL" -o "$W/c" --checkpoint "$OUT/in/ck.safetensors"
	vg init init "$MODEL" --seed 3 --output "$W/p.safetensors"
	vg quantize quantize "$MODEL" --checkpoint "$OUT/in/ck.safetensors" -o "$W/q.safetensors"
	vg export export --nir "$LIF" --checkpoint "$OUT/in/lif.safetensors" -o "$W/m.nir"
	check "valgrind: $vg_runs failure points, no definite leak, no memory error ($(elapsed "$vg_t0")s)" \
		[ "$vg_bad" -eq 0 ]
else
	echo "SKIP valgrind not installed: leaks not checked"
fi

echo "run_alloc.sh took $(elapsed "$script_start")s"
summary
