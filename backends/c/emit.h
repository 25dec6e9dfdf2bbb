/* emit.h: the C backend. Prints kernel IR as a standalone C99 library:
 * <model>.h declares the API, <model>.c implements it (docs/emitted-c.md).
 * With `portable`, the output needs nothing but libm; otherwise dense
 * products call cblas_sgemm (OpenBLAS). */
#ifndef SPIKEC_EMIT_C_H
#define SPIKEC_EMIT_C_H

#include "compiler/kir.h"
#include "dsl/train_block.h"

typedef struct {
	int portable;
	const char *source;        /* model file name, for the banner */
	const TrainConfig *train;  /* optimizer of <model>_step; NULL: train_defaults */
	int smooth_spikes;         /* test mode: spike(v) computes the primitive of its
				    * surrogate, so the model is smooth and finite
				    * differences check its gradient */
} CEmitOptions;

void cemit_header(const Kir *k, const CEmitOptions *opt, StrBuf *out);
void cemit_source(const Kir *k, const CEmitOptions *opt, StrBuf *out);
/* Writes DIR/<model>.h and DIR/<model>.c, each atomically; on failure
 * returns -1 with a message in err. */
int cemit_write(const Kir *k, const CEmitOptions *opt, const char *dir, char *err, size_t errlen);

#endif
