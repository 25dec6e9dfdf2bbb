#!/bin/sh
# run_layout.sh: the layout of the source tree is the architecture (README,
# Layout). Checks, from the sources and the built objects:
#   1. each folder includes only the folders below it (the table LAYERS);
#   2. no two files depend on each other, directly or through others: a file
#      depends on the file that defines a function or variable it uses;
#   3. every source file holds at most 600 lines;
#   4. the Makefile keeps its own flags when the user gives CFLAGS,
#      CPPFLAGS and LDFLAGS, and passes those on (a dry run, `make -n`).
# Needs `make` first (the objects of build/libspikec.a and the LLVM and MPI
# plugins; the MPI plugin's only where mpicc is).
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/lib.sh

# folder: the folders it may include, besides itself.
LAYERS='runtime:
mem:
io: mem
compiler: mem
dsl: compiler mem
backends: compiler mem
backends/c: backends compiler runtime io mem
backends/llvm: backends compiler runtime io mem
train: compiler dsl runtime io mem
cli: train dsl backends backends/c backends/llvm compiler runtime io mem'

SRC=$(git ls-files 'runtime/*' 'mem/*' 'io/*' 'compiler/*' 'dsl/*' 'backends/*' 'train/*' 'cli/*' |
	grep -E '\.(c|h|y|l)$')
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

folder_of() { # path -> its layer folder
	case $1 in
	backends/c/*) echo backends/c ;;
	backends/llvm/*) echo backends/llvm ;;
	*) echo "${1%%/*}" ;;
	esac
}

# 1. includes
nbad=0
for f in $SRC; do
	from=$(folder_of "$f")
	allowed=$(printf '%s\n' "$LAYERS" | sed -n "s#^$from:##p")
	for inc in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f"); do
		case $inc in
		*/*) to=$(folder_of "$inc") ;;
		*) continue ;;  # same folder (or generated: parser.h)
		esac
		[ "$to" = "$from" ] && continue
		case " $allowed " in
		*" $to "*) ;;
		*) echo "    $f includes $inc: $from may include only: ${allowed:-nothing}"; nbad=$((nbad + 1)) ;;
		esac
	done
done
check "every folder includes only the layers below it" [ "$nbad" -eq 0 ]

# 2. file dependencies: a.c depends on b.c when it uses a function or
# variable that b.c defines (from `nm` of build/obj). Cycles among them:
# repeatedly drop edges into a file that depends on nothing left or out of a
# file nothing left depends on; what remains lies on a cycle.
for f in $SRC; do
	case $f in *.c) ;; *) continue ;; esac
	o=${SPIKEC_BUILD:-build}/obj/${f%.c}.o
	# The MPI plugin is built only where mpicc is (Makefile, HAVE_MPI).
	case $f in train/mpi/*) [ -f "$o" ] || command -v mpicc >/dev/null 2>&1 || continue ;; esac
	[ -f "$o" ] || { echo "    no $o: run make first"; nbad=$((nbad + 1)); continue; }
	nm "$o" | awk -v f="$f" '$2 ~ /^[TDBRC]$/ {print "def", $3, f} $1 == "U" {print "use", $2, f}'
done > "$tmp/syms"
awk '$1 == "def" {def[$2] = $3} $1 == "use" && ($2 in def) && def[$2] != $3 {print $3, def[$2]}' \
	"$tmp/syms" "$tmp/syms" | sort -u > "$tmp/edges"
awk '
{ out[$1]++; in_[$2]++; e[NR] = $1 " " $2; n = NR }
END {
	do {
		changed = 0
		for (i = 1; i <= n; i++) {
			if (e[i] == "") continue
			split(e[i], p, " ")
			if (!out[p[2]] || !in_[p[1]]) {
				out[p[1]]--; in_[p[2]]--; e[i] = ""; changed = 1
			}
		}
	} while (changed)
	for (i = 1; i <= n; i++) if (e[i] != "") print "    on a cycle: " e[i]
}' "$tmp/edges" > "$tmp/cycles"
cat "$tmp/cycles"
check "no file depends on itself through others (no import cycles)" [ ! -s "$tmp/cycles" ]

# 3. size
big=$(for f in $SRC; do n=$(wc -l < "$f"); [ "$n" -gt 600 ] && echo "    $f: $n lines"; done)
[ -n "$big" ] && echo "$big"
check "every source file is at most 600 lines" [ -z "$big" ]

# 4. user flags: the compile line of an object and the link line of spikec
# under `make -n -B CFLAGS=... CPPFLAGS=... LDFLAGS=...`.
make -n -B SANITIZE= CFLAGS=-O1 CPPFLAGS=-DSPIKEC_USER LDFLAGS=-Wl,-O1 bin/spikec > "$tmp/make" 2>&1
compile=$(grep -- ' -c -o build/obj/compiler/ir.o ' "$tmp/make")
link=$(grep -- ' -o bin/spikec ' "$tmp/make")
has_all() { # text word...: text holds every word
	ha_t=" $1 "
	shift
	for ha_w; do case $ha_t in *" $ha_w "*) ;; *) return 1 ;; esac; done
}
check "make CFLAGS=-O1 CPPFLAGS=... compiles with the project's flags and the user's" \
	has_all "$compile" -std=c11 -Werror -D_POSIX_C_SOURCE=200809L -Ibuild/gen -I. -O1 -DSPIKEC_USER
check "make LDFLAGS=... links spikec with the user's CFLAGS and LDFLAGS" has_all "$link" -O1 -Wl,-O1 -lopenblas

summary
