/* autodiff.h: reverse-mode differentiation (see autodiff.c). */
#ifndef SPIKEC_AUTODIFF_H
#define SPIKEC_AUTODIFF_H

#include "ir.h"

typedef struct {
	int tbptt;          /* truncated BPTT window in steps; 0 for full BPTT */
	int input_grads;    /* also d loss / d inputs */
} AdOptions;

/* Adds the backward graph: fills Graph.param_grad (and input_grad), then
 * reschedules. The graph must have a loss. */
void pass_autodiff(Graph *g, const AdOptions *opt);

#endif
