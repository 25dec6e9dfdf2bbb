/* load.h: runs emitted C in this process. The model is emitted, compiled by
 * the system C compiler into a shared object (cached by a hash of the C
 * source and the compiler command) and loaded with dlopen. This is how
 * `spikec infer` executes a model until the LLVM JIT backend exists. */
#ifndef SPIKEC_LOAD_C_H
#define SPIKEC_LOAD_C_H

#include <stddef.h>
#include <stdint.h>
#include "../../compiler/kir.h"

typedef struct {
	void *handle;
	void (*init)(float *params, uint64_t seed);
	size_t (*workspace_floats)(int batch);
	/* Single-input models; the pointer is cast from the emitted signature. */
	void (*forward)(const float *params, const float *x, int batch, float *out, float *workspace);
	void (*stream_reset)(float *state);
	void (*stream_step)(const float *params, float *state, const float *x_t, float *out);
} CModule;

/* Returns 0, or -1 with a message in err (compiler failure, dlopen error). */
int cload_build(const Kir *k, CModule *m, char *err, size_t errlen);
void cload_close(CModule *m);

#endif
