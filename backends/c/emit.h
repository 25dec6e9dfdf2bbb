/* emit.h: the C backend. Prints kernel IR as a standalone C99 library:
 * <model>.h declares the API, <model>.c implements it (docs/emitted-c.md).
 * With `portable`, the output needs nothing but libm; otherwise dense
 * products call cblas_sgemm (OpenBLAS). */
#ifndef SPIKEC_EMIT_C_H
#define SPIKEC_EMIT_C_H

#include "backends/backend.h"

void cemit_header(const Kir *k, const BackendOptions *opt, StrBuf *out);
void cemit_source(const Kir *k, const BackendOptions *opt, StrBuf *out);
/* Writes DIR/<model>.h and DIR/<model>.c (and, with opt->weights,
 * DIR/<model>_weights.h and .c), each atomically, making DIR and its
 * parents if missing; on failure returns nonzero with a message in err. */
int cemit_write(const Kir *k, const BackendOptions *opt, const char *dir, char *err, size_t errlen);

#endif
