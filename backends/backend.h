/* backend.h: what both backends take and give.
 *
 * A backend turns a model's kernel IR into code: backends/c prints it as C
 * (and, to run it in this process, compiles that with the system compiler),
 * backends/llvm builds it as an LLVM module and JIT-compiles it. Both take
 * BackendOptions and fill a CompiledModel: the same entry points, with the
 * signatures and meaning of the emitted C (docs/emitted-c.md), and the same
 * bits (docs/backends.md). */
#ifndef SPIKEC_BACKEND_H
#define SPIKEC_BACKEND_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include "compiler/kir.h"
#include "compiler/optim.h"

typedef struct {
	int portable;              /* dense products in plain C (no BLAS): needs only libm */
	const char *source;        /* model file name, for the banner */
	const TrainOptim *optim;   /* the update of <model>_step; NULL: adam's defaults */
	double clip;               /* <model>_step clips the gradient to this global L2
				    * norm first; 0: no clipping */
	int smooth_spikes;         /* test mode: spike(v) computes the primitive of its
				    * surrogate, so the model is smooth and finite
				    * differences check its gradient */
	const float *weights;      /* C backend: parameters (NUM_PARAMS floats) to bake
				    * into <model>_weights.c; NULL: none */
	const char *weights_source; /* where they came from, for the banner */
	int mcu;                   /* C backend: for a Cortex-M4 (implies portable): the
				    * header states the RAM the caller provides */
} BackendOptions;

/* Whether a GEMM adds weight rows per spike event (runtime/events.h): its
 * x operand is a spike value and spikes are 0/1 (not smoothed). */
static inline int backend_gemm_events(const Kernel *kn, const BackendOptions *o)
{
	return kn->kind == K_GEMM && kn->spikes && !o->smooth_spikes;
}

/* Whether every reducing store of MAP m sums 0/1 spikes (firing-rate
 * counts): then both backends count them as integers per row, in a local,
 * and add each row's count to the float total, so the loop vectorizes. The
 * total is the same as adding the spikes one by one while it stays below
 * 2^24 (every partial sum is an exact integer either way). */
static inline int backend_counts_spikes(const Kir *k, const Kernel *m, const BackendOptions *o)
{
	for (int i = 0; i < m->stores.len; i++) {
		const KStore *s = &m->stores.items[i];
		if (s->reduce && (o->smooth_spikes ||
				  k->g->nodes.items[m->lets.items[s->let].node].type.dtype != DT_SPIKE))
			return 0;
	}
	return 1;
}

/* Whether the kernel IR keeps spikes as bits (kernel_pack.c). */
static inline int backend_has_bits(const Kir *k)
{
	for (int b = 0; b < k->bufs.len; b++)
		if (k->bufs.items[b].bits)
			return 1;
	return 0;
}

/* Smoothed spikes are not 0/1, so they cannot be built from a kernel IR
 * that keeps spikes as bits (lower it with spike_bits off): then an error
 * into err and 1. */
static inline int backend_refuses(const Kir *k, const BackendOptions *o, char *err, size_t errlen)
{
	if (!o->smooth_spikes || !backend_has_bits(k))
		return 0;
	snprintf(err, errlen, "internal error: smooth spikes asked of a model lowered with spikes as bits");
	return 1;
}

/* The optimizer the options ask for. */
static inline TrainOptim backend_optim(const BackendOptions *o)
{
	TrainOptim d;
	if (o->optim)
		return *o->optim;
	optim_default(&d, OPTIM_ADAM);
	return d;
}

/* A model's entry points, once compiled (and its tables). */
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
	/* Models with dropout: sets the dropout key in a training workspace
	 * (runtime/dropout.h); NULL without dropout. */
	void (*dropout_key)(float *workspace, int batch, uint32_t seed, uint64_t step, uint64_t row0);
	const void *spikes;      /* <model>_spikes */
	void (*spike_counts)(const float *workspace, int batch, float *counts);
} CompiledModel;

#endif
