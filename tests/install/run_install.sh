#!/bin/sh
# run_install.sh: spikec installed like a GNU tool (docs/install.md).
#   - man/spikec.1 names every command and every option of the CLI's tables
#     (read from each command's --help) in that command's section, and no
#     option that is not there; groff renders it without a warning; its
#     version is spikec's.
#   - `make install PREFIX=/opt/spikec DESTDIR=$tmp` installs spikec, the
#     LLVM plugin (and the MPI plugin, where mpicc is), spikec-runtime.pc
#     and spikec(1), and nothing else; the installed spikec runs check,
#     emit, init and a JIT infer (which finds the plugin in
#     PREFIX/lib/spikec), and a run under mpirun -np 2 (the MPI plugin, from
#     there too), and --version names LLVM and the BLAS;
#     the emitted C built with only `pkg-config --cflags --libs
#     spikec-runtime` gives the JIT's outputs bit for bit.
#   - `make uninstall` with the same variables leaves no file behind.
# Uses the tree's build (make install builds nothing new after `make`).
set -u
cd "$(dirname "$0")/../.." || exit 2
spikec=${SPIKEC:-bin/spikec}
. tests/lib.sh
test_begin build/test/install "$spikec"
OUT=$(pwd)/$TEST_OUT

# ---- the man page ----------------------------------------------------------
man=man/spikec.1
unroff() { sed 's/\\-/-/g; s/\\f[BIRP]//g' "$@"; }
# section CMD: the man page's section of spikec CMD, dashes plain.
section() { unroff "$man" | sed -n "/^\.SS \"spikec $1 /,/^\.S[SH] /p" | sed '$d'; }
cmds=$("$spikec" --help | sed -n 's/^  \([a-z][a-z]*\)  .*/\1/p')
check "spikec --help lists commands" test -n "$cmds"
for c in $cmds; do
	section "$c" >"$OUT/man_$c"
	if [ ! -s "$OUT/man_$c" ]; then
		bad "spikec.1 has no section for spikec $c"
		continue
	fi
	"$spikec" "$c" --help | grep -o -- '--[a-z][a-z-]*' | grep -vx -- '--help' | sort -u >"$OUT/opts_$c"
	missing=
	for o in $(cat "$OUT/opts_$c"); do
		grep -q -- "$o\([^a-z-]\|$\)" "$OUT/man_$c" || missing="$missing $o"
	done
	check "spikec.1 documents every option of spikec $c${missing:+ (missing:$missing)}" test -z "$missing"
	stale=
	for o in $(sed -n 's/^\.[A-Z]* *\(--[a-z][a-z-]*\).*/\1/p' "$OUT/man_$c" | sort -u); do
		grep -qx -- "$o" "$OUT/opts_$c" || stale="$stale $o"
	done
	check "spikec.1 lists no option spikec $c lacks${stale:+ (stale:$stale)}" test -z "$stale"
done
extra=
for c in $(unroff "$man" | sed -n 's/^\.SS "spikec \([a-z]*\) .*/\1/p'); do
	echo "$cmds" | grep -qx "$c" || extra="$extra $c"
done
check "spikec.1 has no section for a command spikec lacks${extra:+ (stale:$extra)}" test -z "$extra"
groff -man -Tutf8 -ww -z "$man" >"$OUT/groff.txt" 2>&1
check "groff renders spikec.1 without warnings" test ! -s "$OUT/groff.txt"
version=$("$spikec" --version | sed -n '1s/^spikec //p')
check "spikec.1 is the page of spikec $version" grep -q "^\.TH SPIKEC 1 .* \"spikec $version\"" "$man"

# ---- make install into a staging directory ---------------------------------
stage=$OUT/stage
prefix=/opt/spikec
root=$stage$prefix
# A sanitized test run (make check SANITIZE=1) installs its own build.
vars="PREFIX=$prefix DESTDIR=$stage${SPIKEC_SANITIZED:+ SANITIZE=1}"
# shellcheck disable=SC2086  # $vars is a list of make variables
if make -s install $vars >"$OUT/install.log" 2>&1; then ok "make install $vars"; else bad "make install"; show "$OUT/install.log"; fi
(cd "$stage" && find . -type f | sort) >"$OUT/files"
# The MPI plugin is built, and installed, where mpicc is.
mpi=
command -v mpicc >/dev/null 2>&1 && mpi=".$prefix/lib/spikec/spikec-mpi.so"
{
	echo ".$prefix/bin/spikec"
	echo ".$prefix/lib/pkgconfig/spikec-runtime.pc"
	echo ".$prefix/lib/spikec/spikec-llvm.so"
	[ -z "$mpi" ] || echo "$mpi"
	echo ".$prefix/share/man/man1/spikec.1"
} >"$OUT/files.expected"
if diff -u "$OUT/files.expected" "$OUT/files"; then
	ok "make install: exactly spikec, the plugins, the .pc, the man page"
else
	bad "installed files"
fi
check "the installed spikec is executable, the rest is not" \
	sh -c "[ -x '$root/bin/spikec' ] && [ ! -x '$root/lib/pkgconfig/spikec-runtime.pc' ] && [ ! -x '$root/share/man/man1/spikec.1' ]"

# The installed spikec, run from elsewhere, with no hint where its plugin is.
ispikec=$root/bin/spikec
cp examples/tiny.snn "$OUT/tiny.snn"
cd "$OUT" || exit 2
unset SPIKEC_LLVM_PLUGIN
"$ispikec" --version >version.txt 2>&1
check "installed spikec --version: the version, LLVM (from the installed plugin) and OpenBLAS" \
	sh -c "grep -qx 'spikec $version' version.txt && grep -q '^llvm   [0-9][0-9]*\.[0-9]' version.txt && grep -q '^blas   OpenBLAS ' version.txt"
check "installed spikec check" sh -c "'$ispikec' check tiny.snn | grep -q 'parameters: 329 '"
check "installed spikec emit" sh -c "'$ispikec' emit tiny.snn -o emitted >/dev/null"
check "installed spikec init --seed 3" sh -c "'$ispikec' init tiny.snn --seed 3 --output ck.safetensors >/dev/null"
python3 -c "
import struct
T, B = 20, 2
hdr = \"{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d, 1), }\" % (T, B)
hdr += ' ' * (63 - (10 + len(hdr)) % 64) + '\n'
with open('x.npy', 'wb') as f:
    f.write(b'\x93NUMPY\x01\x00' + struct.pack('<H', len(hdr)) + hdr.encode())
    f.write(struct.pack('<%df' % (T * B), *[float((7 * t + 3 * b) % 5 == 0) for t in range(T) for b in range(B)]))
"
if "$ispikec" infer tiny.snn --checkpoint ck.safetensors --input x.npy --output y.npy >infer.out 2>infer.err &&
	ls "$SPIKEC_CACHE"/llvm/*.o >/dev/null 2>&1; then
	ok "installed spikec infer: the JIT, through PREFIX/lib/spikec/spikec-llvm.so"
else
	bad "installed spikec infer with the JIT"
	show infer.err
fi
if [ -n "$mpi" ] && [ -z "${SPIKEC_SANITIZED:-}" ]; then
	unset SPIKEC_MPI_PLUGIN
	if OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 timeout 120 mpirun --oversubscribe -np 2 \
		"$ispikec" run tiny.snn --epochs 1 --quiet --out mpirun </dev/null >mpirun.out 2>&1 &&
		[ -f mpirun/last.safetensors ]; then
		ok "installed spikec under mpirun -np 2: the MPI plugin, through PREFIX/lib/spikec/spikec-mpi.so"
	else
		bad "installed spikec under mpirun -np 2"
		show mpirun.out
	fi
fi

# The emitted C, built with only pkg-config's flags.
export PKG_CONFIG_PATH="$root/lib/pkgconfig"
flags=$(pkg-config --cflags --libs spikec-runtime)
check "pkg-config --cflags --libs spikec-runtime: OpenBLAS, libm, no FP contraction ($flags)" \
	sh -c "echo '$flags' | grep -q -- '-lopenblas' && echo '$flags' | grep -q -- '-lm' && echo '$flags' | grep -q -- '-ffp-contract=off'"
# shellcheck disable=SC2086  # $flags is pkg-config's word list
if ${CC:-cc} -std=c99 -O2 -Iemitted -o use_emitted "$OLDPWD/tests/install/use_emitted.c" emitted/tiny.c $flags \
	2>cc.log; then
	ok "the emitted C builds with pkg-config's flags only"
else
	bad "the emitted C does not build with: $flags"
	show cc.log
fi
./use_emitted >c.txt 2>&1
python3 -c "
import struct
with open('y.npy', 'rb') as f:
    raw = f.read()
n = struct.unpack('<H', raw[8:10])[0]
y = struct.unpack('<%df' % ((len(raw) - 10 - n) // 4), raw[10 + n:])
print('\n'.join(float(v).hex() for v in y))
" >jit.txt
python3 -c "
import sys
c = [float.fromhex(l) for l in open('c.txt')]
j = [float.fromhex(l) for l in open('jit.txt')]
sys.exit(not (len(c) == len(j) == 40 and c == j))
"
check "the emitted C built so gives the JIT's outputs bit for bit (40 floats)" test $? -eq 0
mkdir -p lonely/bin && cp "$ispikec" lonely/bin/spikec
check "a spikec with no plugin beside it nor in ../lib/spikec says LLVM is not available" \
	sh -c "lonely/bin/spikec --version | grep -q '^llvm   the LLVM backend is not available'"
cd "$OLDPWD" || exit 2

# ---- make uninstall ----------------------------------------------------------
# shellcheck disable=SC2086
if make -s uninstall $vars >"$OUT/uninstall.log" 2>&1; then ok "make uninstall $vars"; else bad "make uninstall"; show "$OUT/uninstall.log"; fi
left=$(cd "$stage" && find . -type f -o -type l -o -path "*/lib/spikec" -print)
check "make uninstall leaves no file and no spikec folder${left:+ (left: $left)}" test -z "$left"

summary
