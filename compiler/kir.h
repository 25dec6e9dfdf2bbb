/* kir.h: the kernel IR, what both backends print.
 *
 * A model becomes a table of buffers and two programs, each a list of
 * kernels:
 *   infer   the forward pass: output only
 *   train   the forward pass saving what the backward pass needs, the loss,
 *           then the backward pass, accumulating into the gradients
 * A LOOP kernel runs its body once per time step, t = 0..T-1 (or T-1..0 for
 * a reverse loop). Buffers are float arrays (labels: int32); a batched
 * buffer of n features holds (B, n), a timed one (T, B, n). Inside a loop a
 * timed buffer is seen through its step-t view (B, n); outside, whole, as
 * T*B rows.
 *
 * Kernels:
 *   ZERO      buf = 0
 *   COPY      dst = src (same shape); packs into, or unpacks from, a bits
 *             buffer
 *   GEMM      XWT:   out (R, M) = x (R, K) W^T, W (M, K)
 *             DW:    out (R, K) = d (R, M) W, W (M, K)
 *             OUTER: out (M, K) = d (R, M)^T x (R, K)
 *             (+= instead of = when accumulate). `spikes`: x holds 0/1
 *             spikes, so XWT and OUTER may add weight rows per event
 *             instead (runtime/events.h). Shapes are PyTorch's; the backends
 *             store every rank-2 buffer transposed (io/layout.h).
 *   SUM_ROWS  out (n) = sum of the R rows of a (R, n)      (+= when accumulate)
 *   LOSS      CE: out (1) = mean over rows of -log softmax(a)[label]; MSE:
 *             out (1) = mean of (a - b)^2
 *   LOSS_GRAD CE: out = (softmax(a) - onehot(label)) / R;  MSE: 2 (a - b) / (R n)
 *   GATHER    out (R, n) = rows a[r] (token ids, as floats) of the table b (V, n)
 *   SCATTER   out (V, n) += row r of a (R, n) added to row b[r] (token ids)
 *             (= instead of += when not accumulate: zeroed first)
 *   MAP       a fused elementwise loop over (B, n): lets, each one graph node
 *             computed from earlier lets, loads and constants, and stores of
 *             lets into buffers (+= for accumulating stores)
 *   LOOP      the body list, per time step */
#ifndef SPIKEC_KIR_H
#define SPIKEC_KIR_H

#include "ir.h"

typedef enum {
	KB_PARAM,   /* in the parameter array at `offset` */
	KB_GRAD,    /* in the gradient array at `offset` (same layout as params) */
	KB_DINPUT,  /* d loss / d input `index` (T, B, n), when asked for */
	KB_INPUT,   /* a model input (T, B, n) */
	KB_LABELS,  /* the loss's labels (int32) or targets (float) */
	KB_OUTPUT,  /* the model's output array */
	KB_LOSS,    /* the mean loss of the batch, one float */
	KB_STATE,   /* a carry: lives across steps (in the state for streaming) */
	KB_ACT,     /* scratch of one program */
} KBufClass;

enum { PROG_INFER, PROG_TRAIN, PROG_COUNT };

/* Element storage. An int32 takes a float's 4 bytes; int8 buffers (only
 * parameters) are packed, 4 to a float's place, rounded up to whole words. */
typedef enum { KE_F32, KE_I32, KE_I8 } KElem;

typedef struct {
	const char *name;   /* C identifier, unique among the buffers one program sees */
	const char *what;   /* what it holds, for comments */
	KBufClass cls;
	int program;        /* STATE and ACT: the program that owns it; else -1 */
	Type type;
	long offset;        /* PARAM, GRAD: float offset in their array */
	int index;          /* PARAM, GRAD: parameter index; INPUT, LABELS: input index */
	int bits;           /* ACT spikes, one bit per value (kernel_pack.c) */
	KElem elem;         /* what each element is stored as (the quantized forward
			     * pass, kir_quant.h, has int32 and int8 buffers) */
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
	KVal a, b;          /* b unused for unary ops but DROPOUT, whose b loads
			     * the dropout key (Kir.dropout_key) */
	Surrogate sur;      /* OP_SPIKE, OP_SURROGATE */
	const char *name;   /* C identifier of the local */
	int node;           /* the graph node computed (at feature offset `off`) */
	int off;
	int named;          /* the node has a source-level name */
	int integer;        /* an int32 value (the quantized forward pass): its
			     * operands are int32 too, constants integral */
} KLet;

typedef struct {
	int let;
	int buf;
	int off;            /* feature offset into the destination row */
	int accumulate;     /* += */
	int reduce;         /* buf[off] += value: summed over rows and features */
} KStore;

typedef enum { K_ZERO, K_COPY, K_GEMM, K_SUM_ROWS, K_LOSS, K_LOSS_GRAD, K_MAP, K_LOOP, K_GATHER, K_SCATTER } KKind;
typedef enum { GEMM_XWT, GEMM_DW, GEMM_OUTER, GEMM_KINDS } GemmKind;

typedef struct Kernel Kernel;
typedef Vec(Kernel) KList;

struct Kernel {
	KKind kind;
	const char *comment;
	int out;            /* every kind but MAP and LOOP */
	int a, b;           /* COPY: a is the source. GEMM: XWT x, W; DW d, W; OUTER d, x.
			     * GATHER: ids, table. SCATTER: d, ids.
			     * SUM_ROWS: a. LOSS, LOSS_GRAD: prediction, labels */
	GemmKind gemm;
	Op loss;            /* LOSS, LOSS_GRAD: OP_CROSS_ENTROPY or OP_MSE */
	int accumulate;     /* GEMM, SUM_ROWS, SCATTER: out += */
	int spikes;         /* GEMM XWT, OUTER: the x operand is a spike value */
	int q8;             /* GEMM XWT with spikes: int8 weights summed into an
			     * int32 out (the quantized forward pass) */
	int n;              /* MAP: features per row */
	int batched;        /* MAP: 0: a single row; 1: a row per sample (B rows); 2: a row
			     * per sample and step (T*B rows, outside loops) */
	Vec(KLet) lets;     /* MAP */
	Vec(KStore) stores; /* MAP */
	KList *body;        /* LOOP */
	int reverse;        /* LOOP: t = T-1 down to 0 */
	int window;         /* LOOP: zero the states of this loop at the end of
			     * every window of that many steps (truncated BPTT) */
	Vec(int) states;    /* LOOP: its carry buffers */
};

typedef struct {
	KList kernels;
	int loss_at;        /* train: index of the LOSS kernel; the forward part ends there */
} KProgram;

/* A spike value the training forward pass counts (firing rates). */
typedef struct {
	const char *name;   /* "h.i" */
	int size;           /* values per sample and step */
} KSpike;

typedef struct {
	Arena *arena;
	const Graph *g;
	const char *model;
	int steps;
	Vec(KBuf) bufs;
	KProgram prog[PROG_COUNT];
	int has_train;      /* the model has a loss: prog[PROG_TRAIN] exists */
	int output;         /* the output buffer (infer) */
	int train_output;   /* where train computes the output: scratch, copied out */
	int labels;         /* the labels buffer, -1 without a loss */
	long nparams;       /* floats */
	Vec(KSpike) spikes; /* counted into `spike_counts` by the train program */
	int spike_counts;   /* that buffer, -1 if none */
	struct KQuant *quant; /* the quantized forward pass (kir_quant.h), or NULL */
	/* The train program's dropout key (six floats holding the uint64 seed,
	 * step and first row of runtime/dropout.h), set by <model>_dropout_key;
	 * -1 for a model without dropout. */
	int dropout_key;
	/* Per program, how many of the buffers it sees (its own and the
	 * shared ones) have each name: kir_count_name keeps it in step. */
	StrMap names[PROG_COUNT];
} Kir;

/* Lowers a verified, scheduled graph to kernels. spike_bits: the training
 * tape keeps spikes as bits (not when a backend will smooth the spikes, so
 * that they are no longer 0/1: BackendOptions.smooth_spikes). */
Kir *kir_lower(Arena *arena, const Graph *g, int spike_bits);
void kir_free(Kir *k);
/* Frees the kernels of a program, leaving it empty. */
void kir_drop_program(Kir *k, int program);
void kir_print(const Kir *k, FILE *out);
/* Floats of the buffers of `program` that live in its workspace (states and
 * scratch) for a batch. */
long kir_workspace_floats(const Kir *k, int program, int batch);
long kir_buf_floats(const Kir *k, int buf, int batch);
/* Floats (or, for bits, uint32 words) of one row of a buffer: of one
 * sample and step if batched or timed. */
long kir_row_floats(const KBuf *kb);
/* Whether a kernel (or, for a loop, its body) reads or writes buffer b. */
int kir_reads(const Kernel *kn, int b);
int kir_writes(const Kernel *kn, int b);
/* Whether a kernel reads b other than at element j of its row. */
int kir_reads_shifted(const Kernel *kn, int b);
void kir_rename_buf(Kernel *kn, int from, int to);
/* Every buffer b of the kernels of list (and of their loops) becomes map[b]. */
void kir_remap_bufs(KList *list, const int *map);
/* What kernels read and write, for passes that ask it of many buffers:
 * use[b] is KIR_READ | KIR_WRITE, as kir_reads and kir_writes say, over
 * the kernels added since the last clear (a loop: its body); `touched`
 * lists the buffers whose use is not 0, in the order first touched, so
 * that a clear costs what the adds did. For the buffers k has at
 * kir_uses_init. */
enum { KIR_READ = 1, KIR_WRITE = 2 };
typedef struct {
	unsigned char *use;
	Vec(int) touched;
} KUses;
void kir_uses_init(KUses *u, const Kir *k);
void kir_uses_add(KUses *u, const Kernel *kn);
void kir_uses_add_list(KUses *u, const KList *list);
void kir_uses_clear(KUses *u);
void kir_uses_free(KUses *u);
/* Adds delta to the count of buffer b's name in k->names of each program
 * that sees b: +1 once b has its name, -1 before it loses it. */
void kir_count_name(Kir *k, int b, int delta);
/* Which lets of a MAP are computed where they are used (both backends
 * print or build them inside their user): those without a source name used
 * once (malloc'd, one flag per let). */
unsigned char *kir_inlined_lets(const Kernel *m);
/* Which lets of a MAP a store needs, directly or through other lets
 * (malloc'd, one flag per let). */
unsigned char *kir_live_lets(const Kernel *m);
/* Whether operand v of MAP m is an int32: an integer let, or a load of an
 * int32 buffer (the quantized forward pass, kir_quant.h). */
int kir_is_int(const Kir *k, const Kernel *m, KVal v);
/* Whether the iterations j of a MAP are independent, so that a backend may
 * vectorize it without checking its buffers for overlap: no store sums over
 * the features (reduce) unless `local_reduce` (the backend sums those in a
 * local per row), and where the MAP stores into a buffer, every load and
 * store of that buffer is at the store's offset or a whole row slice away.
 * (Distinct buffers never overlap; the caller's arrays must not either,
 * docs/emitted-c.md.) */
int kir_map_independent(const Kernel *m, int local_reduce);
/* Drops stores into scratch nothing reads, then scratch nothing touches. */
void kir_drop_dead(Kir *k);

#endif
