# spikec: `make` builds bin/spikec; `make check` runs every test; `make demo` runs the main job.
# Dependencies are Debian packages; scripts/deps.sh installs what is missing.

CC      ?= cc
# CFLAGS, CPPFLAGS and LDFLAGS are the user's (the GNU convention): a
# sanitizer build is `make CC=clang CFLAGS='-O1 -g -fsanitize=address,undefined'`
# (link lines get CFLAGS too; LDFLAGS adds to them). The project's own flags stay.
CFLAGS  ?= -O2 -g
# `make SANITIZE=1 [check]`: everything built apart, in build/san/ (its
# bin/ too), with AddressSanitizer and UBSan, and the suite run on that build
# (docs/reliability.md#sanitizers). O is where objects and libraries go, BIN
# the programs.
ifeq ($(SANITIZE),1)
O         := build/san
BIN       := build/san/bin
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
else
O         := build
BIN       := bin
endif
SPIKEC_CFLAGS := -std=c11 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L -I$(O)/gen -I. $(SAN_FLAGS)
# HDF5 (spikec export --nir, io/nir.c): Debian keeps its headers and library
# under hdf5/serial/, which its pkg-config file names.
HDF5_CFLAGS := $(shell pkg-config --cflags hdf5 2>/dev/null)
HDF5_LIBS   := $(or $(shell pkg-config --libs hdf5 2>/dev/null),-lhdf5)
ALL_CFLAGS = $(SPIKEC_CFLAGS) $(HDF5_CFLAGS) $(CPPFLAGS) $(CFLAGS)
LDLIBS  += -lopenblas -lsndfile -lfftw3 -lz -ljansson $(HDF5_LIBS) -lm -ldl -lpthread
BISON   ?= bison
# The LLVM JIT backend is a plugin, bin/spikec-llvm.so, that bin/spikec loads
# the first time it JITs (backends/llvm/plugin.c): loading libLLVM costs
# ~0.15 s, which commands that do not JIT should not pay. The plugin calls
# back into bin/spikec, hence -rdynamic. LLVM's headers come in with -isystem
# so that -Wall -Wextra -Werror applies to our code only.
LLVM_CONFIG ?= llvm-config-14
LLVM_INC    := $(shell $(LLVM_CONFIG) --includedir 2>/dev/null)
LLVM_LIBS   := $(shell $(LLVM_CONFIG) --ldflags --libs 2>/dev/null)
FLEX    ?= flex
# Data-parallel training over MPI is a plugin too, bin/spikec-mpi.so, the
# only code that links libmpi (train/comm.h loads it under mpirun). Built
# when mpicc is found (Debian: openmpi-bin, libopenmpi-dev); without it
# everything else builds and the MPI test skips.
MPICC     ?= mpicc
HAVE_MPI  := $(shell command -v $(MPICC) >/dev/null 2>&1 && echo 1)
MPI_BUILD := $(if $(HAVE_MPI),$(BIN)/spikec-mpi.so)
# A recipe line after `deps.sh --check-test` or `--check-bench`, which may
# just have installed Open MPI: then the plugin too.
MPI_AFTER_DEPS = @if command -v $(MPICC) >/dev/null 2>&1; then $(MAKE) --no-print-directory $(BIN)/spikec-mpi.so; fi

SRC_COMPILER := $(sort $(wildcard compiler/*.c))
SRC_DSL      := $(sort $(wildcard dsl/*.c))
SRC_BACKENDS := $(sort $(wildcard backends/c/*.c)) backends/llvm/plugin.c
SRC_LLVM     := $(filter-out backends/llvm/plugin.c,$(sort $(wildcard backends/llvm/*.c)))
LLVM_OBJ     := $(patsubst %.c,$(O)/obj/%.o,$(SRC_LLVM))
SRC_RUNTIME  := $(sort $(wildcard runtime/*.c))
SRC_IO       := $(sort $(wildcard io/*.c))
SRC_MEM      := $(sort $(wildcard mem/*.c))
SRC_TRAIN    := $(sort $(wildcard train/*.c))
SRC_CLI      := $(sort $(wildcard cli/*.c))
GEN_C        := $(O)/gen/parser.c $(O)/gen/lexer.c $(O)/gen/embedded.c

LIB_SRC  := $(SRC_COMPILER) $(SRC_DSL) $(SRC_BACKENDS) $(SRC_RUNTIME) $(SRC_MEM) $(SRC_IO) $(SRC_TRAIN) \
	    $(filter-out cli/main.c,$(SRC_CLI))
LIB_OBJ  := $(patsubst %.c,$(O)/obj/%.o,$(LIB_SRC)) $(patsubst $(O)/gen/%.c,$(O)/obj/gen/%.o,$(GEN_C))
HEADERS  := $(wildcard mem/*.h compiler/*.h dsl/*.h backends/*/*.h runtime/*.h io/*.h train/*.h cli/*.h) $(O)/gen/parser.h

.PHONY: all deps check demo clean golden-update example-data bench experiments reliability fuzz fuzz-build \
	install uninstall
all: deps-ok $(BIN)/spikec $(BIN)/spikec-llvm.so $(O)/libspikec_llvm.a $(MPI_BUILD)

deps-ok:
	@sh scripts/deps.sh --check-build

deps:
	@sh scripts/deps.sh

$(BIN)/spikec: $(O)/obj/cli/main.o $(O)/libspikec.a
	@mkdir -p $(BIN)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -rdynamic -o $@ $^ $(LDLIBS)

$(BIN)/spikec-llvm.so: $(LLVM_OBJ)
	@mkdir -p $(BIN)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -shared -o $@ $^ $(LLVM_LIBS) -lopenblas -lm

$(BIN)/spikec-mpi.so: $(O)/obj/train/mpi/comm_mpi.o
	@mkdir -p $(BIN)
	$(MPICC) $(ALL_CFLAGS) $(LDFLAGS) -shared -o $@ $^

$(O)/obj/train/mpi/comm_mpi.o: train/mpi/comm_mpi.c
	@mkdir -p $(dir $@)
	$(MPICC) $(ALL_CFLAGS) -fPIC -c -o $@ $<

# The backend for programs that link it in (tests/llvm, bench): link it
# before build/libspikec.a, and add $(LLVM_LIBS).
$(O)/libspikec_llvm.a: $(LLVM_OBJ)
	rm -f $@; ar rcs $@ $^

$(O)/libspikec.a: $(LIB_OBJ)
	rm -f $@; ar rcs $@ $^

$(O)/obj/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(O)/obj/backends/llvm/%.o: backends/llvm/%.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fPIC -isystem $(LLVM_INC) -c -o $@ $<

# Generated code is exempt from -Wextra's unused-parameter noise of flex/bison.
$(O)/obj/gen/%.o: $(O)/gen/%.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Wno-unused-function -Wno-sign-compare -c -o $@ $<

$(O)/gen/parser.c $(O)/gen/parser.h: dsl/parser.y
	@mkdir -p $(O)/gen
	$(BISON) -Wall -Werror --defines=$(O)/gen/parser.h -o $(O)/gen/parser.c $<

$(O)/gen/lexer.c: dsl/lexer.l $(O)/gen/parser.h
	@mkdir -p $(O)/gen
	$(FLEX) -o $@ $<

# Text that spikec carries inside itself: the DSL prelude and the runtime
# headers that emitted C inlines (so --portable output needs nothing but libm).
EMBED := dsl/prelude.snn runtime/rng.h runtime/vmath.h runtime/gemm_portable.h runtime/events.h runtime/events_q8.h \
	runtime/dropout.h
$(O)/gen/embedded.c: scripts/embed.sh $(EMBED)
	@mkdir -p $(O)/gen
	sh scripts/embed.sh $(EMBED) > $@

# ---- tests ---------------------------------------------------------------
UNIT_SRC := $(sort $(wildcard tests/unit/*.c))
$(BIN)/unit_tests: $(patsubst %.c,$(O)/obj/%.o,$(UNIT_SRC)) $(O)/libspikec.a
	@mkdir -p $(BIN)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ -lcunit $(LDLIBS)

# The fuzz targets of tests/fuzz (docs/reliability.md#fuzzing), in the normal
# build: build/fuzz-replay/TARGET runs saved inputs through them (make check).
FUZZ_TARGETS := model npy safetensors idx wav text
FUZZ_COMMON  := tests/fuzz/fuzz_file.c
REPLAY_BIN   := $(patsubst %,$(O)/fuzz-replay/%,$(FUZZ_TARGETS))
$(O)/fuzz-replay/%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(FUZZ_COMMON) tests/fuzz/fuzz.h $(O)/libspikec.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(filter %.c %.a,$^) $(LDLIBS)

# TESTS: the scripts to run (run_tests.sh's list when empty).
check: all $(BIN)/unit_tests $(REPLAY_BIN)
	@sh scripts/deps.sh --check-test
	$(MPI_AFTER_DEPS)
	$(TEST_ENV) $(BIN)/unit_tests
	$(TEST_ENV) sh tests/run_tests.sh $(TESTS)

# The environment of the tests on a sanitized build: its spikec and
# libraries; emitted C and test programs built sanitized too, by $(BIN)/san-cc
# (so one compiler: no clang second); a sanitizer report exits 99, never the
# 1 of a clean error; no valgrind (it cannot run ASan programs).
ifeq ($(SANITIZE),1)
SAN_OPTIONS := exitcode=99:abort_on_error=0:detect_leaks=1:print_stacktrace=1
TEST_ENV := SPIKEC=$(BIN)/spikec SPIKEC_BUILD=$(O) SPIKEC_SANITIZED=1 PATH="$(CURDIR)/$(BIN):$$PATH" CC=san-cc \
	ALLOC_VALGRIND=0 ASAN_OPTIONS=$(SAN_OPTIONS) UBSAN_OPTIONS=$(SAN_OPTIONS)
check: $(BIN)/san-cc
$(BIN)/san-cc:
	@mkdir -p $(BIN)
	printf '#!/bin/sh\nexec %s %s "$$@"\n' '$(CC)' '$(SAN_FLAGS)' > $@ && chmod +x $@
endif

# The reliability tests at full strength (not part of check; a few minutes):
# ten failure points per command under valgrind instead of one, and 40 kills
# over 48 epochs instead of 12 over 16 (docs/reliability.md).
reliability: all
	ALLOC_VALGRIND=10 sh tests/reliability/run_alloc.sh
	KILLS=40 KILL_EPOCHS=48 sh tests/reliability/run_kill.sh

# Compile times (against depth too), training speed of both backends, and
# data-parallel training over MPI (not part of check).
bench: all
	@sh scripts/deps.sh --check-bench
	$(MPI_AFTER_DEPS)
	sh bench/compile_bench.sh
	sh bench/depth_bench.sh
	sh bench/bench.sh
	sh bench/mpi_bench.sh

golden-update: all
	SPIKEC_GOLDEN_UPDATE=1 sh tests/run_tests.sh

# The .npy files of examples/npy_classify.snn, generated (never committed).
example-data: $(O)/make_npy
	@mkdir -p examples/data/npy_classify
	$(O)/make_npy task examples/data/npy_classify/train 1000 16 8 4 f4 spikes i4 1
	$(O)/make_npy task examples/data/npy_classify/test 400 16 8 4 u1 spikes i8 2

$(O)/make_npy: tests/npy/make_npy.c $(O)/libspikec.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# libFuzzer builds, apart in build/fuzz: the library compiled by clang with
# coverage and sanitizers, each target linked with -fsanitize=fuzzer.
# `make fuzz FUZZ_SECONDS=N` runs each target N seconds, one after the other.
FUZZ_CC      ?= clang-14
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS  := $(SPIKEC_CFLAGS) $(HDF5_CFLAGS) -O1 -g $(FUZZ_SAN)
FUZZ_SECONDS ?= 60
FUZZ_OBJ     := $(patsubst %,build/fuzz/%,$(LIB_OBJ:$(O)/obj/%=obj/%))
FUZZ_BIN     := $(patsubst %,build/fuzz/fuzz_%,$(FUZZ_TARGETS))

build/fuzz/obj/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

build/fuzz/obj/gen/%.o: $(O)/gen/%.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -Wno-unused-function -Wno-sign-compare -c -o $@ $<

build/fuzz/libspikec.a: $(FUZZ_OBJ)
	rm -f $@; ar rcs $@ $^

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_COMMON) tests/fuzz/fuzz.h build/fuzz/libspikec.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $(filter %.c %.a,$^) $(LDLIBS)

fuzz-build:
	@sh scripts/deps.sh --check-fuzz
	$(MAKE) $(FUZZ_BIN)

fuzz: fuzz-build
	sh tests/fuzz/run_fuzz.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

demo: all
	sh scripts/demo.sh

# ---- install (GNU conventions; docs/install.md) ---------------------------
# `make install PREFIX=/usr/local DESTDIR=/tmp/stage`: spikec, its LLVM
# plugin and, where mpicc is, its MPI plugin (which spikec looks for in
# ../lib/spikec/ from its own executable,
# so libdir must stay $(exec_prefix)/lib and bindir $(exec_prefix)/bin, or
# SPIKEC_LLVM_PLUGIN must name the plugin), the pkg-config file of what
# emitted C links with, and spikec(1). No headers and no library: the
# runtime headers are inlined into the emitted C, which needs only OpenBLAS
# and libm. `make uninstall` with the same variables removes exactly these.
PREFIX       ?= /usr/local
prefix       ?= $(PREFIX)
exec_prefix  ?= $(prefix)
bindir       ?= $(exec_prefix)/bin
libdir       ?= $(exec_prefix)/lib
pkglibdir    ?= $(libdir)/spikec
datarootdir  ?= $(prefix)/share
mandir       ?= $(datarootdir)/man
man1dir      ?= $(mandir)/man1
pkgconfigdir ?= $(libdir)/pkgconfig
INSTALL      ?= install
INSTALL_PROGRAM ?= $(INSTALL) -m 755
INSTALL_DATA    ?= $(INSTALL) -m 644
VERSION      := $(shell sed -n 's/^\#define SPIKEC_VERSION "\(.*\)"/\1/p' compiler/version.h)

install: all
	sed -e 's|@prefix@|$(prefix)|' -e 's|@version@|$(VERSION)|' scripts/spikec-runtime.pc.in > $(O)/spikec-runtime.pc
	$(INSTALL) -d '$(DESTDIR)$(bindir)' '$(DESTDIR)$(pkglibdir)' '$(DESTDIR)$(pkgconfigdir)' '$(DESTDIR)$(man1dir)'
	$(INSTALL_PROGRAM) $(BIN)/spikec '$(DESTDIR)$(bindir)/spikec'
	$(INSTALL_DATA) $(BIN)/spikec-llvm.so '$(DESTDIR)$(pkglibdir)/spikec-llvm.so'
	$(if $(HAVE_MPI),$(INSTALL_DATA) $(BIN)/spikec-mpi.so '$(DESTDIR)$(pkglibdir)/spikec-mpi.so')
	$(INSTALL_DATA) $(O)/spikec-runtime.pc '$(DESTDIR)$(pkgconfigdir)/spikec-runtime.pc'
	$(INSTALL_DATA) man/spikec.1 '$(DESTDIR)$(man1dir)/spikec.1'

uninstall:
	rm -f '$(DESTDIR)$(bindir)/spikec' '$(DESTDIR)$(pkglibdir)/spikec-llvm.so' '$(DESTDIR)$(pkglibdir)/spikec-mpi.so' \
	      '$(DESTDIR)$(pkgconfigdir)/spikec-runtime.pc' '$(DESTDIR)$(man1dir)/spikec.1'
	-rmdir '$(DESTDIR)$(pkglibdir)'

clean:
	rm -rf build bin

# The paper's experiments, spiking and conventional side by side (about 70
# minutes on 2 cores; docs/experiments.md). Not part of check. Smoke test:
#   EXPERIMENTS=toy,mnist SEEDS=1 EPOCHS=1 make experiments
experiments: all
	sh scripts/experiments.sh
