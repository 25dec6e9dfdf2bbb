/* llvm.h: the LLVM JIT backend. Builds the kernel IR as an LLVM module
 * through the LLVM C API, with exactly the entry points, signatures and
 * arithmetic of the emitted C (backends/c, docs/emitted-c.md), verifies it,
 * optimizes it for the host CPU (new pass manager, "default<O2>") and runs it
 * in ORC LLJIT. docs/backends.md compares the two backends.
 *
 * Results are bit-identical to the C backend compiled with
 * `cc -std=c99 -O2`: the same float operations in the same order, the same
 * libm functions, the same cblas_sgemm calls, no fast-math and no FP
 * contraction.
 *
 * The optimized object is cached under $SPIKEC_CACHE/llvm (else
 * ~/.cache/spikec/llvm), keyed by the kernel IR, the optimizer settings, the
 * host target and the spikec version, so an unchanged model compiles once. */
#ifndef SPIKEC_LLVM_H
#define SPIKEC_LLVM_H

#include <stddef.h>
#include "backends/backend.h"

/* Fills m as cload_build does (same function-pointer table, same meaning).
 * m->compile_seconds is 0 when the object came from the cache. Returns 0, or
 * -1 with a message in err: "internal error: ..." when the backend built
 * invalid IR (naming the function) or LLVM failed. opt->portable makes the
 * dense products call the portable GEMM instead of OpenBLAS. */
int llvm_build(const Kir *k, const BackendOptions *opt, CompiledModel *m, char *err, size_t errlen);
/* Frees the JIT and everything it compiled; m's pointers become invalid. */
void llvm_close(CompiledModel *m);
/* The version of the LLVM the backend was built with ("14.0.6"). */
const char *llvm_version(void);

/* The same contract, for bin/spikec: the backend is the plugin
 * bin/spikec-llvm.so (see plugin.c), loaded on the first call, so that
 * commands that do not JIT never load libLLVM. A missing plugin is an
 * error in err that says how to build it. */
int llvm_plugin_build(const Kir *k, const BackendOptions *opt, CompiledModel *m, char *err, size_t errlen);
void llvm_plugin_close(CompiledModel *m);
/* llvm_version of the plugin (loading it), or NULL with the reason in err. */
const char *llvm_plugin_version(char *err, size_t errlen);

#endif
