/* load.h: runs emitted C in this process. The model is emitted, compiled by
 * the system C compiler into a shared object (cached by a hash of the C
 * source and the compiler command) and loaded with dlopen. This is how
 * spikec runs a model until the LLVM JIT backend exists. */
#ifndef SPIKEC_LOAD_C_H
#define SPIKEC_LOAD_C_H

#include <stddef.h>
#include <stdint.h>
#include "emit.h"

typedef struct {
	void *handle;
	double compile_seconds;  /* 0 when the cache had it */
	const void *tensors;     /* <model>_tensors */
	void (*init)(float *params, uint64_t seed);
	size_t (*workspace_floats)(int batch);
	/* Single-input models; the pointers are cast from the emitted signatures. */
	void (*forward)(const float *params, const float *x, int batch, float *out, float *workspace);
	void (*stream_reset)(float *state);
	void (*stream_step)(const float *params, float *state, const float *x_t, float *out);
	/* Models with a loss; labels are int32 (cross_entropy) or float (mse). */
	size_t (*train_workspace_floats)(int batch);
	float (*forward_train)(const float *params, const float *x, const void *labels, int batch, float *out,
			       float *workspace);
	void (*backward)(const float *params, const float *x, const void *labels, int batch, float *grads,
			 float *workspace);
	void (*zero_grad)(float *grads);
	void (*step)(float *params, const float *grads, float *opt_state, float lr, long t);
	/* Compiled with input gradients: backward that also writes d loss / d x. */
	void (*backward_inputs)(const float *params, const float *x, const void *labels, int batch, float *grads,
				float *d_x, float *workspace);
	const void *spikes;      /* <model>_spikes */
	void (*spike_counts)(const float *workspace, int batch, float *counts);
} CModule;

/* Returns 0, or -1 with a message in err (compiler failure, dlopen error). */
int cload_build(const Kir *k, const CEmitOptions *opt, CModule *m, char *err, size_t errlen);
void cload_close(CModule *m);

#endif
