/* kir.h: the kernel IR, what both backends print.
 *
 * A model becomes buffers and three kernel lists:
 *   init     once per sequence, before the first step (zero the state)
 *   step     one time step for a batch: reads step t of each input through
 *            a step view, updates the state, writes step t of stacked outputs
 *   readout  after the last step: what the outputs need of the final state
 * forward = init; for t in 0..T-1: step; readout. The streaming entry point
 * runs the same step and readout with batch 1, keeping the state between
 * calls. Buffers are float arrays; a batched buffer of n features holds
 * (B, n), a timed one (T, B, n), and kernels inside `step` see a timed
 * buffer through its step-t view (B, n).
 *
 * Kernels:
 *   ZERO  buf = 0
 *   COPY  dst = src (same shape)
 *   GEMM  out (B, M) = x (B, K) W^T (W is (M, K)), or out += ... when
 *         accumulate; x may be a step view
 *   MAP   a fused elementwise loop over (B, n): a list of lets, each one
 *         graph node computed from earlier lets, loads and constants, and
 *         stores of lets into buffers. */
#ifndef SPIKEC_KIR_H
#define SPIKEC_KIR_H

#include "ir.h"

typedef enum {
	KB_PARAM,   /* in the parameter array at `offset` */
	KB_INPUT,   /* a model input (T, B, n) */
	KB_OUTPUT,  /* the model's output array */
	KB_STATE,   /* a carry: lives across steps (in the state for streaming) */
	KB_ACT,     /* scratch for one step or the readout */
} KBufClass;

typedef struct {
	const char *name;   /* C identifier, unique */
	const char *what;   /* what it holds, for comments: "h.weight_ih", "state c of h" */
	KBufClass cls;
	Type type;          /* dims; batched/timed say (B, ...) / (T, B, ...) */
	long offset;        /* KB_PARAM: float offset in the parameter array */
	int index;          /* KB_PARAM: parameter index; KB_INPUT: input index */
} KBuf;

typedef enum { KV_LET, KV_LOAD, KV_CONST } KValKind;

typedef struct {
	KValKind kind;
	int let;            /* KV_LET */
	int buf, off;       /* KV_LOAD: element j + off of row b (unbatched: of the vector) */
	float c;            /* KV_CONST */
} KVal;

typedef struct {
	Op op;              /* an F_ELEM op */
	KVal a, b;          /* b unused for unary ops */
	Surrogate sur;      /* OP_SPIKE */
	const char *name;   /* C identifier of the local */
	int node;           /* the graph node computed (at feature offset `off`) */
	int off;
} KLet;

typedef struct {
	int let;
	int buf;
	int off;            /* feature offset into the destination row */
} KStore;

typedef enum { K_ZERO, K_COPY, K_GEMM, K_MAP } KKind;

typedef struct {
	KKind kind;
	const char *comment;
	int out;            /* ZERO, COPY: dst; GEMM: out */
	int src;            /* COPY */
	int w, x;           /* GEMM */
	int accumulate;     /* GEMM: out += */
	int n;              /* MAP: features per row */
	int batched;        /* MAP: rows per batch element (0: one row) */
	Vec(KLet) lets;     /* MAP */
	Vec(KStore) stores; /* MAP */
} Kernel;

typedef Vec(Kernel) KList;

typedef struct {
	Arena *arena;
	const Graph *g;
	const char *model;
	int steps;
	Vec(KBuf) bufs;
	KList init, step, readout;
	int output;         /* the output buffer */
	int output_timed;   /* the output is written at every step */
	long nparams;       /* floats */
} Kir;

/* Lowers a verified, scheduled graph to kernels. */
Kir *kir_lower(Arena *arena, const Graph *g);
void kir_print(const Kir *k, FILE *out);
/* Floats of scratch for a batch: states and activations. */
long kir_workspace_floats(const Kir *k, int batch);
long kir_buf_floats(const Kir *k, int buf, int batch);

#endif
