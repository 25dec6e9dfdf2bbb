/* kernels.h: private to the graph-to-kernel lowering:
 *   kernels.c      what each program needs, which nodes get buffers, programs
 *   kernel_loop.c  a scan as a LOOP kernel; kernel_copies.c, the copies
 *                  of its yield removed where they can be
 *   kernel_node.c  the kernels of one node
 *   kernel_bufs.c  buffers and their names
 *   kernel_map.c   fused elementwise loops (MAP) and C identifiers
 * and, after it, the training program's passes: kernel_hoist.c,
 * kernel_sink.c, kernel_pack.c. */
#ifndef SPIKEC_KERNELS_H
#define SPIKEC_KERNELS_H

#include "kir.h"

typedef struct {
	Kir *k;
	const Graph *g;
	int program;
	int *buf;        /* node -> buffer, -1 if none */
	int *uses;       /* node -> number of uses */
	int *mat;        /* node -> gets a buffer of its own */
	int *absorbed;   /* GEMM-op node -> accumulated into its ADD's buffer */
	int *needed;     /* node -> the program's roots depend on it */
	int *grad_of;    /* node -> parameter whose gradient it is, -1 */
	int *stack_buf;  /* scan output -> its stacked buffer, per current scan */
	int *shared;     /* kl_shared_table: the shared buffers made so far */
} KL;

static inline const Node *kl_node(const KL *L, int i)
{
	return &L->g->nodes.items[i];
}

/* `name` as a C identifier, not reserved, not among the names that `taken`
 * maps to nonzero: itself, else with the first free suffix _2, _3, ...
 * `next` (or NULL) remembers per name where that search resumes; only for
 * callers whose taken names stay taken. */
const char *kl_ident(Arena *arena, const char *name, const StrMap *taken, StrMap *next);
int kl_is_elem(const Node *n);
int kl_is_gemm(Op op);  /* MATMUL, MATMUL_T, OUTER */
/* Buffers: a new one of this program, the shared one of a parameter or
 * input, the model's output. */
int kl_add_buf(KL *L, KBufClass cls, const char *name, const char *what, Type t);
int kl_shared_buf(KL *L, KBufClass cls, int index, const char *name, Type t);
/* The table by which kl_shared_buf finds a shared buffer it made (malloc'd;
 * for KL.shared, while kir_lower builds the programs: no buffer is dropped
 * before it is freed). */
int *kl_shared_table(const Graph *g);
int kl_output_buf(KL *L, Type t);
/* A node's name, or that of the first named node it feeds. */
const char *kl_display_name(KL *L, int i);
/* Kernels computing node i (of `region`) into list, if it has a buffer. */
void kl_lower_node(KL *L, KList *list, int i, int region);
/* The scan node s as a LOOP kernel appended to list (kernel_loop.c). */
void kl_lower_scan(KL *L, KList *list, int s);
/* The copies of a loop body into its states and stacks, where the value
 * can be computed into them directly, removed (kernel_copies.c). */
void kl_remove_copies(Kir *k, KList *body);
/* Computes elementwise `node` in the open MAP at the end of list (or a new
 * one) and stores it into dst at feature offset off. */
void kl_map_node(KL *L, KList *list, int node, int dst, int off, int accumulate);
/* Gives the lets of every MAP in list (and in its loops) their C
 * identifiers, unique in their MAP and against the inputs and labels, in
 * the order of the lets; until then a let's name is its source name. */
void kl_name_lets(Kir *k, KList *list);

/* kernel_hoist.c: the training program's input projections, out of the
 * time loop. */
void kir_hoist_projections(Kir *k);
/* kernel_sink.c: the training program's deferred weight-gradient sums, into
 * the backward loop, step by step. */
void kir_sink_reductions(Kir *k);
/* kernel_pack.c: the training tape's spike stacks, as bits. */
void kir_pack_spike_stacks(Kir *k);

#endif
