/* ir.h: the graph IR.
 *
 * A Graph is one model: nodes in a growable array (the arena), referenced by
 * index. Invariant (checked by ir_verify): every operand index is smaller than
 * its user's index, so index order is a topological order.
 *
 * Time is a scan node. Its body is a region: the nodes whose `region` field
 * names it, all placed before the scan node. Inside the body, STEP k reads step
 * t of the scan's k-th sequence operand, CARRY k reads carry k as it was before
 * the step, and the body's single YIELD lists the next value of every carry,
 * then the per-step outputs. Body nodes may also use nodes of enclosing
 * regions (parameters, constants) directly. After the scan, SCAN_OUT k gives
 * the final value of carry k (k < ncarry) or the (T, B, n) stack of per-step
 * output k - ncarry.
 *
 * Types: a value is a scalar (rank 0), a vector (rank 1) or a matrix (rank 2).
 * `batched` adds a leading batch dimension B and `timed` a leading time
 * dimension T; neither is stored in dim[]. Parameters are unbatched. */
#ifndef SPIKEC_IR_H
#define SPIKEC_IR_H

#include <stdint.h>
#include <stdio.h>
#include "diag.h"
#include "util.h"

enum { F_LEAF = 1, F_ELEM = 2, F_SMOOTH = 4 };

typedef enum {
#define OP(id, spelling, arity, flags, rule) OP_##id,
#include "ops.h"
#undef OP
	OP_COUNT
} Op;

typedef struct {
	const char *name;
	int arity;
	int flags;
} OpInfo;
extern const OpInfo ir_ops[OP_COUNT];

typedef enum {
#define SURROGATE(id, name, n, p0, d0, p1, d1) SUR_##id,
#include "surrogates.h"
#undef SURROGATE
	SUR_COUNT
} SurKind;

typedef struct {
	SurKind kind;
	float p[2];         /* parameters in the order of surrogates.h */
} Surrogate;

typedef struct {
	const char *name;
	int nparams;
	const char *pname[2];
	double pdefault[2];
} SurInfo;
extern const SurInfo ir_surrogates[SUR_COUNT];
/* psi(v) of DESIGN section 2; also used to check emitted code. */
double ir_surrogate_psi(Surrogate s, double v);

typedef enum { DT_F32, DT_SPIKE, DT_I32 } DType;

typedef struct {
	uint8_t dtype;      /* DType */
	uint8_t rank;       /* 0, 1 or 2 */
	uint8_t batched;
	uint8_t timed;
	int dim[2];
} Type;

typedef struct {
	uint16_t op;        /* Op */
	int16_t region;     /* 0 is the top level */
	Type type;
	int nargs;
	int *args;          /* arena-allocated operand indices */
	union {
		double f;       /* CONST */
		int k;          /* PARAM, INPUT, LABELS, CARRY, STEP, SCAN_OUT */
		struct { int off, len; } slice;
		Surrogate sur;  /* SPIKE, SURROGATE */
		/* DROPOUT: in the training program x times its mask, 0 with
		 * probability p, else 1 / (1 - p) (runtime/dropout.h); `site`
		 * numbers the model's dropout calls, so that each draws its own
		 * masks, and the adjoint (a DROPOUT of the same site) reuses them.
		 * The forward pass (infer) is the identity. */
		struct { float p; int site; } drop;
		/* SCAN: reverse runs t = T-1 down to 0 (a backward scan); window > 0
		 * zeroes the carries at the start of every window of that many
		 * steps, counted from the end (truncated BPTT). */
		struct { int body, nseq, ncarry, nout, reverse, window; } scan;
	} a;
	const char *name;   /* source-level name, for printing and emitted C; may be NULL */
	SrcLoc loc;
} Node;

typedef enum { INIT_ZEROS, INIT_HE_NORMAL } InitKind;

typedef struct {
	const char *name;   /* checkpoint name, e.g. "h.weight_ih" */
	const char *layer;  /* the layer it belongs to, e.g. "h" */
	const char *cell;   /* the cell that declared it, e.g. "slstm" */
	Type type;          /* rank 1 or 2, unbatched, f32 */
	InitKind init;
	int fan_in;         /* for He-normal: std = sqrt(2 / fan_in) */
	SrcLoc loc;
} Param;

/* TOKENS: a token id per sample and step, which the model sees as a one-hot
 * spike vector of the input's size (the data side does the one-hot), or,
 * when only `embed` reads it (`ids`), as the id itself: one float per step. */
typedef enum { IN_SPIKES, IN_ANALOG, IN_TOKENS, IN_CLASS, IN_TARGET } InputKind;

typedef struct {
	const char *name;
	InputKind kind;     /* CLASS: integer labels; TARGET: regression targets */
	Type type;          /* TOKENS: (T, B, vocab) one-hot spikes, or (T, B, 1) ids */
	SrcLoc loc;
	int vocab;          /* TOKENS: V, the ids are 0..V-1 */
	int ids;            /* TOKENS: read by embed alone, as ids */
} Input;

typedef struct {
	int parent;         /* enclosing region, -1 for the top level */
	int scan;           /* the SCAN node that owns it, -1 for the top level */
} Region;

typedef struct {
	Arena *arena;
	const char *model;  /* the model's name */
	int steps;          /* T */
	Vec(Node) nodes;
	Vec(Param) params;
	Vec(Input) inputs;
	Vec(Region) regions;
	int output;         /* node the model returns (logits or predictions) */
	int loss;           /* scalar loss node, -1 if the model has none */
	int carry_state;    /* `carry state`: a forward pass starts from the states the
			     * previous one on the same workspace ended with */
	int *param_grad;    /* after autodiff: d loss / d param k, or -1 */
	int *input_grad;    /* after autodiff: d loss / d input k (timed), or -1 */
} Graph;

Graph *ir_new(Arena *arena, const char *model, int steps);
void ir_free(Graph *g);
/* Appends a node and returns its index; args are copied into the arena. */
int ir_add(Graph *g, Op op, int region, Type type, const int *args, int nargs, SrcLoc loc);
int ir_new_region(Graph *g, int parent);

Type ir_scalar(void);
Type ir_vec(DType dt, int n, int batched, int timed);
Type ir_mat(int rows, int cols);
int ir_type_eq(Type a, Type b);
/* "f32[B,200]", "spike[T,B,28]", "f32[800,28]", "f32" */
const char *ir_type_str(Type t, char *buf, size_t n);
const char *ir_dtype_name(DType dt);

/* Typing rules shared by the lowerer (which reports user errors) and the
 * verifier: return 0 when the operands do not fit. */
int ir_elem_type(Op op, Type a, Type b, Type *out);
int ir_matmul_type(Type w, Type x, Type *out);

/* Renumbers the nodes so that operands come before users and each scan body
 * before its scan, keeping only what the roots (output, loss) need; node
 * indices held elsewhere are invalid afterwards (output and loss are
 * updated). Lowering builds nodes in any order and calls this once. */
void ir_schedule(Graph *g);

/* Every invariant of this file; on failure, an internal error naming the
 * stage and the node. */
void ir_verify(const Graph *g, const char *stage);

/* The factor a kept value of dropout(x, p) is scaled by: 1 / (1 - p),
 * rounded to float once (runtime/dropout.h). */
static inline float ir_dropout_scale(float p)
{
	return (float)(1.0 / (1.0 - (double)p));
}

/* Text form (`spikec ir`) and Graphviz dot (`spikec ir --dot`). */
void ir_print(const Graph *g, FILE *out);
void ir_print_dot(const Graph *g, FILE *out);

/* The nodes scheduling keeps: output, loss and gradients. */
int ir_root_count(const Graph *g);
int ir_root(const Graph *g, int i);
void ir_set_root(Graph *g, int i, int node);

/* The YIELD of scan node `scan`'s body. */
int ir_yield_of(const Graph *g, int scan);

/* Number of float parameters. */
long ir_param_count(const Graph *g);

#endif
