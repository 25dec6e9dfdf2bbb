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

/* ---- buffers ------------------------------------------------------------- */

typedef struct {
	const Kir *k;
	int program;
} NameCtx;

static int buf_taken(void *ctx, const char *id)
{
	const NameCtx *c = ctx;
	for (int i = 0; i < c->k->bufs.len; i++) {
		const KBuf *b = &c->k->bufs.items[i];
		if ((b->program < 0 || b->program == c->program) && !strcmp(b->name, id))
			return 1;
	}
	return 0;
}

int kl_add_buf(KL *L, KBufClass cls, const char *name, const char *what, Type t)
{
	int program = cls == KB_STATE || cls == KB_ACT ? L->program : -1;
	NameCtx ctx = {L->k, -2};
	ctx.program = program < 0 ? -3 : program;
	/* Shared buffers must be unique against every program's names. */
	const char *id = program < 0 ? kl_ident(L->k->arena, name, buf_taken, &(NameCtx){L->k, PROG_INFER})
				     : kl_ident(L->k->arena, name, buf_taken, &ctx);
	while (program < 0 && buf_taken(&(NameCtx){L->k, PROG_TRAIN}, id))
		id = kl_ident(L->k->arena, arena_printf(L->k->arena, "%s_", id), buf_taken, &(NameCtx){L->k, PROG_TRAIN});
	KBuf b = {id, what, cls, program, t, 0, -1};
	vec_push(&L->k->bufs, b);
	return L->k->bufs.len - 1;
}

/* The shared buffer of class cls for parameter or input `index`. */
int kl_shared_buf(KL *L, KBufClass cls, int index, const char *name, Type t)
{
	for (int b = 0; b < L->k->bufs.len; b++)
		if (L->k->bufs.items[b].cls == cls && L->k->bufs.items[b].index == index)
			return b;
	int b = kl_add_buf(L, cls, name, name, t);
	L->k->bufs.items[b].index = index;
	return b;
}

/* The model's output: the caller's array in inference; scratch in training,
 * where the backward pass reads it and the caller may not want it. */
int kl_output_buf(KL *L, Type t)
{
	if (L->program == PROG_INFER)
		return kl_shared_buf(L, KB_OUTPUT, 0, "output", t);
	if (L->k->train_output < 0)
		L->k->train_output = kl_add_buf(L, KB_ACT, "y", "the model's output", t);
	return L->k->train_output;
}

/* A node's name, or the name of the first named node it feeds. */
const char *kl_display_name(KL *L, int i)
{
	if (kl_node(L, i)->name)
		return kl_node(L, i)->name;
	for (int j = i + 1; j < L->g->nodes.len; j++)
		for (int k = 0; k < kl_node(L, j)->nargs; k++)
			if (kl_node(L, j)->args[k] == i && kl_node(L, j)->op != OP_YIELD)
				return kl_display_name(L, j);
	return ir_ops[kl_node(L, i)->op].name;
}

static Type row_type(Type t)
{
	t.timed = 0;
	return t;
}

/* ---- what a program needs ---------------------------------------------- */

int kl_yield_of(const Graph *g, int scan)
{
	int body = g->nodes.items[scan].a.scan.body;
	for (int i = scan - 1; i >= 0; i--)
		if (g->nodes.items[i].op == OP_YIELD && g->nodes.items[i].region == body)
			return i;
	SPK_BUG("scan %%%d has no yield", scan);
}

static void mark(KL *L, int i)
{
	if (L->needed[i])
		return;
	L->needed[i] = 1;
	const Node *n = kl_node(L, i);
	for (int k = 0; k < n->nargs; k++)
		mark(L, n->args[k]);
	if (n->op == OP_SCAN) {
		const Node *y = kl_node(L, kl_yield_of(L->g, i));
		for (int k = 0; k < n->a.scan.ncarry; k++)
			mark(L, y->args[k]);
	}
	if (n->op == OP_SCAN_OUT)
		mark(L, kl_node(L, kl_yield_of(L->g, n->args[0]))->args[n->a.k]);
}

static int is_gemm_op(Op op)
{
	return op == OP_MATMUL || op == OP_MATMUL_T || op == OP_OUTER;
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
			const Node *y = kl_node(L, kl_yield_of(g, i));
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
		if (is_gemm_op(n->op) || n->op == OP_SUM_ROWS || n->op == OP_CONCAT || n->op == OP_CE_GRAD ||
		    n->op == OP_MSE_GRAD || n->op == OP_CROSS_ENTROPY || n->op == OP_MSE)
			L->mat[i] = 1;
		/* W x + U h: the second product accumulates into the first's buffer. */
		if (n->op == OP_ADD && is_gemm_op(kl_node(L, n->args[0])->op) &&
		    kl_node(L, n->args[0])->op == kl_node(L, n->args[1])->op && L->uses[n->args[0]] == 1 &&
		    L->uses[n->args[1]] == 1 && n->args[0] != n->args[1]) {
			L->mat[i] = 1;
			L->absorbed[n->args[0]] = L->absorbed[n->args[1]] = 1;
		}
		if (n->op == OP_YIELD || n->op == OP_SCAN || n->op == OP_SCAN_OUT || (ir_ops[n->op].flags & F_LEAF))
			L->mat[i] = n->op == OP_ZEROS && L->mat[i];
	}
}

/* ---- kernels for nodes ------------------------------------------------- */

static void gemm(KList *list, GemmKind kind, int out, int a, int b, int accumulate, const char *comment)
{
	Kernel kn = {.kind = K_GEMM, .gemm = kind, .out = out, .a = a, .b = b, .accumulate = accumulate,
		     .comment = comment};
	if (a < 0 || b < 0)
		SPK_BUG("GEMM operand without a buffer");
	vec_push(list, kn);
}

static void lower_gemm_node(KL *L, KList *list, int i, int out, int accumulate)
{
	const Node *m = kl_node(L, i);
	int x = L->buf[m->args[1]], w = L->buf[m->args[0]];
	switch ((Op)m->op) {
	case OP_MATMUL: gemm(list, GEMM_XWT, out, x, w, accumulate, m->name); break;
	case OP_MATMUL_T: gemm(list, GEMM_DW, out, x, w, accumulate, m->name); break;
	case OP_OUTER: gemm(list, GEMM_OUTER, out, w, x, accumulate, m->name); break;
	default: SPK_BUG("%s is not a product", ir_ops[m->op].name);
	}
}

void kl_lower_node(KL *L, KList *list, int i, int region)
{
	const Node *n = kl_node(L, i);
	if (!L->needed[i] || !L->mat[i] || L->absorbed[i] || n->region != region)
		return;
	int acc = L->grad_of[i] >= 0;
	int out = L->buf[i];
	if (out < 0) {
		if (acc)
			out = kl_shared_buf(L, KB_GRAD, L->grad_of[i],
					 arena_printf(L->k->arena, "d_%s", L->g->params.items[L->grad_of[i]].name),
					 L->g->params.items[L->grad_of[i]].type);
		else if (i == L->g->output)
			out = kl_output_buf(L, n->type);
		else if (i == L->g->loss)
			out = kl_shared_buf(L, KB_LOSS, 0, "loss", ir_scalar());
		else
			out = kl_add_buf(L, KB_ACT, kl_display_name(L, i), kl_display_name(L, i),
				      region == 0 ? n->type : row_type(n->type));
		L->buf[i] = out;
	}
	if (is_gemm_op(n->op)) {
		lower_gemm_node(L, list, i, out, acc);
		return;
	}
	if (n->op == OP_ADD && L->absorbed[n->args[0]]) {
		lower_gemm_node(L, list, n->args[0], out, acc);
		lower_gemm_node(L, list, n->args[1], out, 1);
		return;
	}
	switch ((Op)n->op) {
	case OP_ZEROS:
		vec_push(list, ((Kernel){.kind = K_ZERO, .out = out}));
		return;
	case OP_SUM_ROWS:
		vec_push(list, ((Kernel){.kind = K_SUM_ROWS, .out = out, .a = L->buf[n->args[0]], .accumulate = acc}));
		return;
	case OP_CROSS_ENTROPY:
	case OP_MSE:
	case OP_CE_GRAD:
	case OP_MSE_GRAD: {
		int grad = n->op == OP_CE_GRAD || n->op == OP_MSE_GRAD;
		Op loss = n->op == OP_CROSS_ENTROPY || n->op == OP_CE_GRAD ? OP_CROSS_ENTROPY : OP_MSE;
		vec_push(list, ((Kernel){.kind = grad ? K_LOSS_GRAD : K_LOSS, .loss = loss, .out = out,
					 .a = L->buf[n->args[0]], .b = L->buf[n->args[1]]}));
		return;
	}
	case OP_CONCAT: {
		int at = 0, zero = 0;
		for (int k = 0; k < n->nargs; k++)
			zero |= kl_node(L, n->args[k])->op == OP_ZEROS;
		if (zero)
			vec_push(list, ((Kernel){.kind = K_ZERO, .out = out}));
		for (int k = 0; k < n->nargs; k++) {
			const Node *p = kl_node(L, n->args[k]);
			if (p->op != OP_ZEROS)
				kl_map_node(L, list, n->args[k], out, at, 0);
			at += p->type.dim[0];
		}
		return;
	}
	default:
		break;
	}
	if (!kl_is_elem(n))
		SPK_BUG("cannot lower %s to a kernel yet", ir_ops[n->op].name);
	kl_map_node(L, list, i, out, 0, acc);
}

/* ---- programs ------------------------------------------------------------ */

static void lower_program(Kir *k, const Graph *g, int program)
{
	int nn = g->nodes.len;
	KL L = {k, g, program, xmalloc(sizeof(int) * (size_t)(nn + 1)), xcalloc((size_t)nn + 1, sizeof(int)),
		xcalloc((size_t)nn + 1, sizeof(int)), xcalloc((size_t)nn + 1, sizeof(int)),
		xcalloc((size_t)nn + 1, sizeof(int)), xmalloc(sizeof(int) * (size_t)(nn + 1)), NULL};
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
	/* An output that is a state (output last(h)) is copied out. */
	int ob = kl_output_buf(&L, kl_node(&L, g->output)->type);
	if (L.buf[g->output] != ob)
		vec_push(&prog->kernels, ((Kernel){.kind = K_COPY, .a = L.buf[g->output], .out = ob}));
	free(L.buf), free(L.uses), free(L.mat), free(L.absorbed), free(L.needed), free(L.grad_of);
}

Kir *kir_lower(Arena *arena, const Graph *g)
{
	Kir *k = arena_alloc(arena, sizeof *k);
	k->arena = arena;
	k->g = g;
	k->model = g->model;
	k->steps = g->steps;
	k->labels = k->train_output = k->spike_counts = -1;
	KL L = {k, g, -1, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
	for (int p = 0; p < g->params.len; p++) {  /* parameter buffers first, in order */
		int b = kl_shared_buf(&L, KB_PARAM, p, g->params.items[p].name, g->params.items[p].type);
		k->bufs.items[b].offset = k->nparams;
		Type t = g->params.items[p].type;
		k->nparams += t.rank == 2 ? (long)t.dim[0] * t.dim[1] : t.dim[0];
	}
	k->has_train = g->loss >= 0 && g->param_grad;
	lower_program(k, g, PROG_INFER);
	if (k->has_train)
		lower_program(k, g, PROG_TRAIN);
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

