/* autodiff_private.h: shared by autodiff.c (the walk and the backward scan),
 * derivatives.c (one derivative rule per op) and autodiff_build.c (the
 * builders both use). */
#ifndef SPIKEC_AUTODIFF_PRIVATE_H
#define SPIKEC_AUTODIFF_PRIVATE_H

#include "autodiff.h"

typedef struct {
	int off, len, d;
} Part;

typedef Vec(Part) Parts;

typedef struct {
	Op op;        /* OP_OUTER, OP_SCATTER or OP_SUM_ROWS */
	int target;   /* top-level node that receives the sum */
	int out;      /* backward per-step output holding d */
	int x;        /* OUTER: the (T, B, K) stack of the matmul's input;
		       * SCATTER: the (T, B, 1) stack of the token ids */
} Deferred;

typedef struct AD AD;
typedef void (*GradRule)(AD *ad, int n, int d);

struct AD {
	Graph *g;
	int n0;               /* nodes before differentiation */
	int region;           /* where backward nodes go: 0 or the backward body */
	int *adj;             /* node -> adjoint so far, -1 */
	Parts *parts;         /* node -> contributions through slices */
	unsigned char *live;  /* between a parameter (or input) and the loss */
	/* the scan being differentiated */
	int fscan, fbody, fyield;
	int lean_tape;        /* recompute products over spikes (autodiff_build.c) */
	int *stack_of;        /* forward body node -> its (T, B, n) stack, -1 */
	int *step_of;         /* forward body node -> STEP of it in the backward body, -1 */
	Vec(int) bseqs;       /* backward scan sequence operands */
	Vec(int) bouts;       /* backward per-step outputs */
	Vec(Deferred) deferred;
	int *final_adj;       /* forward carry k -> adjoint of its final value */
	int *stack_adj;       /* forward output j -> adjoint of its stack */
	int *input_out;       /* forward sequence k -> backward output of its adjoint */
};

static inline Node *N(AD *ad, int i)
{
	return &ad->g->nodes.items[i];
}

static inline Type type_of(AD *ad, int i)
{
	return ad->g->nodes.items[i].type;
}

static inline Type f32(Type t)
{
	t.dtype = DT_F32;
	return t;
}

/* Builders: a node in the region being built (ad_elem types it by the
 * elementwise rules), a top-level constant. */
int ad_mk(AD *ad, Op op, Type t, int a, int b);
int ad_elem(AD *ad, Op op, int a, int b);
int ad_cnst(AD *ad, double v);
/* Adds d to the adjoint of a, as it is (ad_accum) or undoing broadcasts and
 * deferring contributions to parameters from inside the loop (ad_contrib). */
void ad_accum(AD *ad, int a, int d);
void ad_contrib(AD *ad, int a, int d);
/* Forward node v where backward nodes are built: itself, recomputed, or a
 * step of its stack (ad_stack_of, saved by the forward scan). */
int ad_fwd(AD *ad, int v);
int ad_stack_of(AD *ad, int v);
/* A sequence operand of the backward scan (a stack), read at the current step. */
int ad_bstep(AD *ad, int stack);
/* A backward per-step output holding d; returns its index. */
int ad_bout(AD *ad, int d);
/* Names: a node's (or its first named user's); "h.c" -> "h.d_c". */
const char *ad_label(AD *ad, int v);
const char *ad_adjoint_name(AD *ad, const char *name);

/* The rules, indexed by op (derivatives.c, from the rule column of ops.h). */
extern const GradRule ad_rules[OP_COUNT];

#endif
