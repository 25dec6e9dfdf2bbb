#!/bin/sh
# run_cli.sh: the command line's contract (DESIGN section 7): exit 0 on
# success, 1 on a user error with a message on stderr, never a crash; the
# option syntax (--opt VALUE, --opt=VALUE, -o VALUE, --), each command's
# --help, and the warning for a checkpoint of another model.
#
# Each check runs bin/spikec (or $SPIKEC) once and prints PASS/FAIL; the last
# line is `N passed, M failed`; exits 1 if any check failed.
set -u
cd "$(dirname "$0")/.." || exit 2
spikec=${SPIKEC:-bin/spikec}
OUT=build/test/cli

if [ ! -x "$spikec" ]; then
	echo "run_cli.sh: $spikec not found; run 'make' first" >&2
	exit 2
fi
rm -rf "$OUT"
mkdir -p "$OUT" || exit 2

. tests/lib.sh
abs_spikec=$(cd "$(dirname "$spikec")" && pwd)/$(basename "$spikec")

# expect STATUS STREAM TEXT -- ARGS...: `spikec ARGS` must exit with STATUS
# and its STREAM (stdout or stderr) must contain TEXT (any text if empty).
# stderr must never mention an internal error.
expect() {
	e_status=$1
	e_stream=$2
	e_text=$3
	shift 4
	"$spikec" "$@" >"$OUT/stdout" 2>"$OUT/stderr" </dev/null
	e_got=$?
	e_why=
	if [ "$e_got" -ne "$e_status" ]; then
		e_why="exit status $e_got, expected $e_status"
	elif [ -n "$e_text" ] && ! grep -qF -- "$e_text" "$OUT/$e_stream"; then
		e_why="$e_stream does not contain '$e_text'"
	elif grep -qi 'internal error' "$OUT/stderr"; then
		e_why="internal error"
	fi
	if [ -z "$e_why" ]; then
		pass=$((pass + 1))
		echo "PASS spikec $*"
	else
		fail=$((fail + 1))
		echo "FAIL spikec $*: $e_why"
		sed 's/^/     /' "$OUT/stderr" | head -n 10
	fi
}

expect 0 stdout "usage: spikec" -- --help
expect 0 stdout "usage: spikec" -- -h
expect 0 stdout "spikec " -- --version
expect 1 stderr "usage: spikec" --
expect 1 stderr "unknown command 'frobnicate'" -- frobnicate model.snn
expect 1 stderr "cannot open" -- check "$OUT/no_such_model.snn"
expect 1 stderr "cannot open" -- ir "$OUT/no_such_model.snn"
expect 1 stderr "cannot open" -- emit "$OUT/no_such_model.snn" -o "$OUT/emit"
expect 1 stderr "spikec check: error: no model file given" -- check

found=0
for snn in examples/*.snn; do
	[ -e "$snn" ] || continue
	found=1
	expect 0 stdout "parameters:" -- check "$snn"
done
if [ "$found" = 0 ]; then
	fail=$((fail + 1))
	echo "FAIL no examples/*.snn to check"
fi

model=tests/golden/slstm_last.snn
expect 1 stderr "unknown stage 'nosuchpass'" -- ir "$model" --after nosuchpass
expect 1 stderr "--dot" -- ir "$model" --dot --after kernels
expect 0 stdout "model slstm_last" -- ir "$model" --after lower
expect 0 stdout "kernels slstm_last" -- ir "$model" --after kernels
expect 0 stdout "digraph" -- ir "$model" --dot
expect 0 stdout "slstm_last.c" -- emit "$model" -o "$OUT/emit"
for f in slstm_last.c slstm_last.h; do
	if [ -s "$OUT/emit/$f" ]; then
		pass=$((pass + 1))
		echo "PASS emit wrote $f"
	else
		fail=$((fail + 1))
		echo "FAIL emit did not write $OUT/emit/$f"
	fi
done

# ---- the option syntax (getopt_long) -----------------------------------------
expect 0 stdout "model slstm_last" -- ir "$model" --after=lower
expect 0 stdout "slstm_last.c" -- emit "$model" --output="$OUT/emit_eq"
expect 0 stdout "slstm_last.c" -- emit "$model" -o"$OUT/emit_short"
expect 0 stdout "slstm_last.c" -- emit "$model" --out "$OUT/emit_out"
expect 0 stdout "model slstm_last" -- ir --after lower -- "$model"
expect 1 stderr "spikec check: error: unknown option '--bogus' (see 'spikec check --help')" -- check "$model" --bogus
expect 1 stderr "spikec check: error: unknown option '--bogus' (see" -- check "$model" --bogus=1
expect 1 stderr "spikec check: error: unknown option '-x' (see" -- check "$model" -x
expect 1 stderr "spikec ir: error: option '--after' needs a value (see 'spikec ir --help')" -- ir "$model" --after
expect 1 stderr "spikec emit: error: option '-o' needs a value" -- emit "$model" -o
expect 1 stderr "spikec ir: error: option '--dot' takes no value" -- ir "$model" --dot=yes
expect 1 stderr "spikec emit: error: option '--s' is ambiguous: --strict, --smooth-spikes" -- emit "$model" --s
expect 1 stderr "spikec emit: error: missing --output DIR (see 'spikec emit --help')" -- emit "$model"
expect 1 stderr "spikec check: error: expected one model file, got" -- check "$model" extra.snn
expect 1 stderr "'-after' is not an option: long options take two dashes, '--after'" -- ir "$model" -after lower
expect 1 stderr "unknown command 'nosuch'" -- help nosuch
# An unknown option names the command once.
"$spikec" check "$model" --bogus 2>"$OUT/stderr" >/dev/null
check "an unknown option's message names 'spikec check' once" \
	test "$(grep -o 'spikec check' "$OUT/stderr" | wc -l)" -eq 2  # the prefix and the --help hint
# -- ends the options: a model file whose name starts with a dash.
cp "$model" "$OUT/-x.snn"
if (cd "$OUT" && "$abs_spikec" check -- -x.snn >stdout 2>stderr); then
	ok "spikec check -- -x.snn"
else
	bad "spikec check -- -x.snn"
	show "$OUT/stderr"
fi

# ---- --help of every command ------------------------------------------------
cmds=$("$spikec" --help | sed -n 's/^  \([a-z][a-z]*\)  .*/\1/p')
check "spikec --help lists 13 commands" test "$(echo "$cmds" | wc -l)" -eq 13
for c in $cmds; do
	expect 0 stdout "usage: spikec $c " -- "$c" --help
	expect 0 stdout "usage: spikec $c " -- "$c" -h
	expect 0 stdout "usage: spikec $c " -- help "$c"
	expect 0 stdout "  -h, --help" -- "$c" --help
done
expect 0 stdout "      --after STAGE" -- ir --help
expect 0 stdout "  -o, --output DIR" -- emit --help
expect 0 stdout "spikec plot --metrics RUN" -- plot --help
expect 0 stdout "    --data " -- report --help
# The usage line wraps between options, never inside one ("[--seed" / "S]").
split=
for c in $cmds; do
	"$spikec" "$c" --help | sed -n '/^usage:/,/^$/p' | grep -qE -- '--[a-z-]+$|^ +[^[ -]' && split="$split $c"
done
check "every usage line wraps between options, not inside one${split:+ (split:$split)}" [ -z "$split" ]

# ---- checkpoints of another model -------------------------------------------
# Same shapes, other model name: a warning, an error with --strict. The same
# model file: no warning.
tiny=tests/train/tiny.snn
sed 's/^model tiny /model other /' "$tiny" >"$OUT/other.snn"
expect 0 stdout "" -- init "$tiny" --seed 1 --output "$OUT/tiny.safetensors"
expect 0 stdout "" -- init "$OUT/other.snn" --seed 1 --output "$OUT/other.safetensors"
warn="spikec emit: warning: checkpoint $OUT/other.safetensors was written from model 'other' (hash "
expect 0 stderr "$warn" -- emit "$tiny" -o "$OUT/ck" --checkpoint "$OUT/other.safetensors"
expect 1 stderr "spikec emit: error: checkpoint $OUT/other.safetensors was written from model 'other'" -- \
	emit "$tiny" -o "$OUT/ck" --checkpoint "$OUT/other.safetensors" --strict
expect 0 stderr "not from $tiny (model 'tiny', hash " -- \
	eval "$tiny" --checkpoint "$OUT/other.safetensors" --backend c
expect 1 stderr "(--strict)" -- eval "$tiny" --checkpoint "$OUT/other.safetensors" --strict --backend c
"$spikec" emit "$tiny" -o "$OUT/ck" --checkpoint "$OUT/tiny.safetensors" --strict >/dev/null 2>"$OUT/stderr"
check "a checkpoint of the same model file: --strict passes, no warning" test ! -s "$OUT/stderr"
# The same model name from an edited file: its hash differs.
{ cat "$tiny"; echo "# edited"; } >"$OUT/tiny_edited.snn"
expect 0 stderr "the model file or the prelude changed since" -- \
	emit "$OUT/tiny_edited.snn" -o "$OUT/ck" --checkpoint "$OUT/tiny.safetensors"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
