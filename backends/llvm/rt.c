/* rt.c: what JIT-compiled models call, bound by address in this process.
 *
 * The C backend's shared object resolves erff, cblas_sgemm, ... through the
 * dynamic linker; the JIT gets exactly the same functions from this table
 * (jit.c defines each name as an absolute symbol), so nothing depends on
 * bin/spikec exporting its symbols (-rdynamic). The RNG, the portable GEMM and
 * the spike-event products are header-only in runtime/; the wrappers below give them an address, and
 * run the very code that emitted C pastes in, so the bits agree. */
#include <cblas.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#include "runtime/events.h"
#include "runtime/events_q8.h"
#include "runtime/gemm_portable.h"
#include "runtime/rng.h"
#include "runtime/dropout.h"
#include "llvm_private.h"

float llvm_rt_rng_normal(uint64_t seed, uint64_t stream, uint64_t index)
{
	return spk_rng_normal(seed, stream, index);
}

void llvm_rt_sgemm_portable(int trans_a, int trans_b, int m, int n, int k, float alpha, const float *a, int lda,
			    const float *b, int ldb, float beta, float *c, int ldc)
{
	spk_sgemm_portable(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void llvm_rt_events_xwt(int rows, int m, int k, const float *x, const float *wt, float *out, float beta)
{
	spk_events_xwt(rows, m, k, x, wt, out, beta);
}

int llvm_rt_events_outer(int rows, int m, int k, const float *d, const float *x, float *gt, float beta)
{
	return spk_events_outer(rows, m, k, d, x, gt, beta);
}

void llvm_rt_events_xwt_q8(int rows, int m, int k, const float *xf, const int32_t *xi, const int8_t *wt, int32_t *out,
			   int accumulate)
{
	spk_events_xwt_q8(rows, m, k, xf, xi, wt, out, accumulate);
}

/* The bits are uint32 words; the module passes every buffer as a float *. */
void llvm_rt_bits_pack(int rows, int n, const float *x, float *bits)
{
	spk_bits_pack(rows, n, x, (uint32_t *)(void *)bits);
}

void llvm_rt_bits_unpack(int rows, int n, const float *bits, float *x)
{
	spk_bits_unpack(rows, n, (const uint32_t *)(const void *)bits, x);
}

float llvm_rt_dropout_mask(const float *key, uint32_t site, uint64_t row, uint64_t t, uint64_t steps, uint64_t j,
			   uint64_t n, float p, float scale)
{
	return spk_dropout_mask(key, site, row, t, steps, j, n, p, scale);
}

void llvm_rt_dropout_set_key(float *key, uint32_t seed, uint64_t step, uint64_t row0)
{
	spk_dropout_set_key(key, seed, step, row0);
}

#define SYM(name, fn) {name, (void (*)(void))(fn)}

/* Every external name the module declares (codegen.c, rt_decl), plus the
 * libc functions LLVM itself may call for memset/memcpy intrinsics. */
const LlvmRtSymbol llvm_rt_symbols[] = {
	SYM("erff", erff),
	SYM("atanf", atanf),
	SYM("fabsf", fabsf),
	SYM("sqrtf", sqrtf),
	SYM("fmaxf", fmaxf),
	SYM("fminf", fminf),
	SYM("exp", exp),
	SYM("log", log),
	SYM("sqrt", sqrt),
	SYM("pow", pow),
	SYM("cblas_sgemm", cblas_sgemm),
	SYM("llvm_rt_sgemm_portable", llvm_rt_sgemm_portable),
	SYM("llvm_rt_rng_normal", llvm_rt_rng_normal),
	SYM("llvm_rt_events_xwt", llvm_rt_events_xwt),
	SYM("llvm_rt_events_outer", llvm_rt_events_outer),
	SYM("llvm_rt_bits_pack", llvm_rt_bits_pack),
	SYM("llvm_rt_bits_unpack", llvm_rt_bits_unpack),
	SYM("llvm_rt_events_xwt_q8", llvm_rt_events_xwt_q8),
	SYM("llvm_rt_dropout_mask", llvm_rt_dropout_mask),
	SYM("llvm_rt_dropout_set_key", llvm_rt_dropout_set_key),
	SYM("memset", memset),
	SYM("memcpy", memcpy),
	SYM("memmove", memmove),
	{NULL, NULL},
};
