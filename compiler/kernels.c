/* kernels.c: graph IR to kernel IR (see kir.h).
 *
 * requires: a verified, scheduled graph; scans only at the top level.
 * guarantees: each program computes exactly what its roots need (infer: the
 * output; train: output, loss and gradients), in dependence order; chains
 * of elementwise nodes become fused MAP loops (kernel_map.c); `W x + U h`
 * accumulates into one GEMM buffer; gradients accumulate into the gradient
 * array; the next value of a state is written into the state in place when
 * nothing later in the step reads the old value, else copied at the end of
 * the step; scratch no kernel reads is not kept. */
#include <stdlib.h>
#include <string.h>
#include "kernels.h"

/* ---- what a program needs ---------------------------------------------- */

static void mark(KL *L, int i)
{
	if (L->needed[i])
		return;
	L->needed[i] = 1;
	const Node *n = kl_node(L, i);
	for (int k = 0; k < n->nargs; k++)
		mark(L, n->args[k]);
	if (n->op == OP_SCAN) {
		const Node *y = kl_node(L, ir_yield_of(L->g, i));
		for (int k = 0; k < n->a.scan.ncarry; k++)
			mark(L, y->args[k]);
	}
	if (n->op == OP_SCAN_OUT)
		mark(L, kl_node(L, ir_yield_of(L->g, n->args[0]))->args[n->a.k]);
}

/* Which nodes get a buffer of their own. */
static void plan(KL *L)
{
	const Graph *g = L->g;
	for (int i = 0; i < g->nodes.len; i++) {
		const Node *n = kl_node(L, i);
		if (!L->needed[i])
			continue;
		for (int k = 0; k < n->nargs; k++) {
			int a = n->args[k];
			L->uses[a]++;
			/* A scan's operands are read where they are (sequences) or
			 * copied into its states (initial values, zeros excepted). */
			if (n->op == OP_SCAN && kl_node(L, a)->op == OP_ZEROS)
				continue;
			if (!kl_is_elem(n) || kl_node(L, a)->region != n->region)
				L->mat[a] = 1;
		}
		if (n->op == OP_SCAN) {
			const Node *y = kl_node(L, ir_yield_of(g, i));
			for (int k = 0; k < y->nargs; k++)
				if ((L->needed[y->args[k]] || k < n->a.scan.ncarry) && kl_node(L, y->args[k])->op != OP_ZEROS)
					L->mat[y->args[k]] = 1;
		}
	}
	for (int r = 0; r < ir_root_count(g); r++)
		if (ir_root(g, r) >= 0 && L->needed[ir_root(g, r)])
			L->mat[ir_root(g, r)] = 1;
	for (int i = 0; i < g->nodes.len; i++) {
		const Node *n = kl_node(L, i);
		if (kl_is_gemm(n->op) || n->op == OP_SUM_ROWS || n->op == OP_EMBED || n->op == OP_SCATTER ||
		    n->op == OP_CONCAT || n->op == OP_CE_GRAD ||
		    n->op == OP_MSE_GRAD || n->op == OP_CROSS_ENTROPY || n->op == OP_MSE)
			L->mat[i] = 1;
		/* W x + U h: the second product accumulates into the first's buffer. */
		if (n->op == OP_ADD && kl_is_gemm(kl_node(L, n->args[0])->op) &&
		    kl_node(L, n->args[0])->op == kl_node(L, n->args[1])->op && L->uses[n->args[0]] == 1 &&
		    L->uses[n->args[1]] == 1 && n->args[0] != n->args[1]) {
			L->mat[i] = 1;
			L->absorbed[n->args[0]] = L->absorbed[n->args[1]] = 1;
		}
		if (n->op == OP_YIELD || n->op == OP_SCAN || n->op == OP_SCAN_OUT || (ir_ops[n->op].flags & F_LEAF))
			L->mat[i] = n->op == OP_ZEROS && L->mat[i];
	}
}

/* ---- programs ------------------------------------------------------------ */

static void lower_program(Kir *k, const Graph *g, int program, int *shared)
{
	int nn = g->nodes.len;
	KL L = {k, g, program, xmalloc(sizeof(int) * (size_t)(nn + 1)), xcalloc((size_t)nn + 1, sizeof(int)),
		xcalloc((size_t)nn + 1, sizeof(int)), xcalloc((size_t)nn + 1, sizeof(int)),
		xcalloc((size_t)nn + 1, sizeof(int)), xmalloc(sizeof(int) * (size_t)(nn + 1)), NULL, shared};
	for (int i = 0; i < nn; i++)
		L.buf[i] = L.grad_of[i] = -1;
	mark(&L, g->output);
	if (program == PROG_TRAIN) {
		mark(&L, g->loss);
		for (int p = 0; p < g->params.len; p++)
			if (g->param_grad[p] >= 0) {
				mark(&L, g->param_grad[p]);
				L.grad_of[g->param_grad[p]] = p;
			}
		for (int in = 0; g->input_grad && in < g->inputs.len; in++)
			if (g->input_grad[in] >= 0) {
				int d = g->input_grad[in];
				mark(&L, d);
				L.buf[d] = kl_shared_buf(&L, KB_DINPUT, in,
						      arena_printf(k->arena, "d_%s", g->inputs.items[in].name), g->nodes.items[d].type);
			}
	}
	plan(&L);
	for (int i = 0; program == PROG_TRAIN && k->dropout_key < 0 && i < nn; i++)
		if (L.needed[i] && kl_node(&L, i)->op == OP_DROPOUT)
			k->dropout_key = kl_add_buf(&L, KB_ACT, "dropout_key", "the dropout key: seed, step, first row",
						    ir_vec(DT_F32, 6, 0, 0));
	for (int i = 0; i < nn; i++) {
		const Node *n = kl_node(&L, i);
		if (n->op == OP_PARAM)
			L.buf[i] = kl_shared_buf(&L, KB_PARAM, n->a.k, g->params.items[n->a.k].name, n->type);
		if ((n->op == OP_INPUT || n->op == OP_LABELS) && L.needed[i])
			L.buf[i] = kl_shared_buf(&L, n->op == OP_INPUT ? KB_INPUT : KB_LABELS, n->a.k,
					      g->inputs.items[n->a.k].name, n->type);
	}
	KProgram *prog = &k->prog[program];
	prog->loss_at = -1;
	for (int i = 0; i < nn; i++) {
		const Node *n = kl_node(&L, i);
		if (n->region != 0 || !L.needed[i])
			continue;
		if (n->op == OP_SCAN)
			kl_lower_scan(&L, &prog->kernels, i);
		else
			kl_lower_node(&L, &prog->kernels, i, 0);
		if (i == g->loss)
			prog->loss_at = prog->kernels.len - 1;
	}
	kl_name_lets(k, &prog->kernels);
	/* An output that is a state (output last(h)) is copied out. */
	int ob = kl_output_buf(&L, kl_node(&L, g->output)->type);
	if (L.buf[g->output] != ob)
		vec_push(&prog->kernels, ((Kernel){.kind = K_COPY, .a = L.buf[g->output], .out = ob}));
	free(L.buf), free(L.uses), free(L.mat), free(L.absorbed), free(L.needed), free(L.grad_of);
}

Kir *kir_lower(Arena *arena, const Graph *g, int spike_bits)
{
	Kir *k = arena_alloc(arena, sizeof *k);
	k->arena = arena;
	k->g = g;
	k->model = g->model;
	k->steps = g->steps;
	k->labels = k->train_output = k->spike_counts = k->dropout_key = -1;
	KL L = {k, g, -1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, kl_shared_table(g)};
	for (int p = 0; p < g->params.len; p++) {  /* parameter buffers first, in order */
		int b = kl_shared_buf(&L, KB_PARAM, p, g->params.items[p].name, g->params.items[p].type);
		k->bufs.items[b].offset = k->nparams;
		Type t = g->params.items[p].type;
		k->nparams += t.rank == 2 ? (long)t.dim[0] * t.dim[1] : t.dim[0];
	}
	k->has_train = g->loss >= 0 && g->param_grad;
	lower_program(k, g, PROG_INFER, L.shared);
	if (k->has_train)
		lower_program(k, g, PROG_TRAIN, L.shared);
	free(L.shared);
	if (k->has_train) {
		kir_hoist_projections(k);
		kir_drop_dead(k);
		kir_sink_reductions(k);
		if (spike_bits)
			kir_pack_spike_stacks(k);
	}
	for (int b = 0; b < k->bufs.len; b++) {
		KBuf *kb = &k->bufs.items[b];
		if (kb->cls == KB_GRAD)
			kb->offset = k->bufs.items[kb->index].offset;
	}
	for (int b = 0; b < k->bufs.len; b++) {
		if (k->bufs.items[b].cls == KB_OUTPUT)
			k->output = b;
		if (k->bufs.items[b].cls == KB_LABELS)
			k->labels = b;
	}
	kir_drop_dead(k);
	return k;
}
