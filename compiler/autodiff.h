/* autodiff.h: reverse-mode differentiation (see autodiff.c). */
#ifndef SPIKEC_AUTODIFF_H
#define SPIKEC_AUTODIFF_H

#include "ir.h"

/* What the backward scan reads from the tape: the forward products over
 * spikes stored, or recomputed from the stored spikes; AUTO recomputes
 * them when storing would take more than 1 MiB per sample (autodiff.c). */
typedef enum { AD_TAPE_AUTO, AD_TAPE_STORE, AD_TAPE_RECOMPUTE } AdTape;

typedef struct {
	int tbptt;          /* truncated BPTT window in steps; 0 for full BPTT */
	int input_grads;    /* also d loss / d inputs */
	AdTape tape;
} AdOptions;

/* Adds the backward graph: fills Graph.param_grad (and input_grad), then
 * reschedules. The graph must have a loss. */
void pass_autodiff(Graph *g, const AdOptions *opt);

#endif
