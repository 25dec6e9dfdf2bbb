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

static int add_buf(KL *L, KBufClass cls, const char *name, const char *what, Type t)
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
static int shared_buf(KL *L, KBufClass cls, int index, const char *name, Type t)
{
	for (int b = 0; b < L->k->bufs.len; b++)
		if (L->k->bufs.items[b].cls == cls && L->k->bufs.items[b].index == index)
			return b;
	int b = add_buf(L, cls, name, name, t);
	L->k->bufs.items[b].index = index;
	return b;
}

/* The model's output: the caller's array in inference; scratch in training,
 * where the backward pass reads it and the caller may not want it. */
static int output_buf(KL *L, Type t)
{
	if (L->program == PROG_INFER)
		return shared_buf(L, KB_OUTPUT, 0, "output", t);
	if (L->k->train_output < 0)
		L->k->train_output = add_buf(L, KB_ACT, "y", "the model's output", t);
	return L->k->train_output;
}

/* A node's name, or the name of the first named node it feeds. */
static const char *display_name(KL *L, int i)
{
	if (kl_node(L, i)->name)
		return kl_node(L, i)->name;
	for (int j = i + 1; j < L->g->nodes.len; j++)
		for (int k = 0; k < kl_node(L, j)->nargs; k++)
			if (kl_node(L, j)->args[k] == i && kl_node(L, j)->op != OP_YIELD)
				return display_name(L, j);
	return ir_ops[kl_node(L, i)->op].name;
}

static Type row_type(Type t)
{
	t.timed = 0;
	return t;
}

/* ---- what a program needs ---------------------------------------------- */

static int yield_of(const Graph *g, int scan)
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
		const Node *y = kl_node(L, yield_of(L->g, i));
		for (int k = 0; k < n->a.scan.ncarry; k++)
			mark(L, y->args[k]);
	}
	if (n->op == OP_SCAN_OUT)
		mark(L, kl_node(L, yield_of(L->g, n->args[0]))->args[n->a.k]);
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
			const Node *y = kl_node(L, yield_of(g, i));
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

static void lower_node(KL *L, KList *list, int i, int region)
{
	const Node *n = kl_node(L, i);
	if (!L->needed[i] || !L->mat[i] || L->absorbed[i] || n->region != region)
		return;
	int acc = L->grad_of[i] >= 0;
	int out = L->buf[i];
	if (out < 0) {
		if (acc)
			out = shared_buf(L, KB_GRAD, L->grad_of[i],
					 arena_printf(L->k->arena, "d_%s", L->g->params.items[L->grad_of[i]].name),
					 L->g->params.items[L->grad_of[i]].type);
		else if (i == L->g->output)
			out = output_buf(L, n->type);
		else if (i == L->g->loss)
			out = shared_buf(L, KB_LOSS, 0, "loss", ir_scalar());
		else
			out = add_buf(L, KB_ACT, display_name(L, i), display_name(L, i),
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

/* ---- scans --------------------------------------------------------------- */

int kir_reads(const Kernel *kn, int b)
{
	switch (kn->kind) {
	case K_ZERO: return 0;
	case K_COPY: case K_SUM_ROWS: return kn->a == b || (kn->accumulate && kn->out == b);
	case K_GEMM: return kn->a == b || kn->b == b || (kn->accumulate && kn->out == b);
	case K_LOSS: case K_LOSS_GRAD: return kn->a == b || kn->b == b;
	case K_MAP:
		for (int i = 0; i < kn->lets.len; i++) {
			const KLet *l = &kn->lets.items[i];
			if ((l->a.kind == KV_LOAD && l->a.buf == b) || (l->b.kind == KV_LOAD && l->b.buf == b))
				return 1;
		}
		for (int i = 0; i < kn->stores.len; i++)
			if (kn->stores.items[i].buf == b && kn->stores.items[i].accumulate)
				return 1;
		return 0;
	case K_LOOP:
		for (int i = 0; i < kn->body->len; i++)
			if (kir_reads(&kn->body->items[i], b))
				return 1;
		return 0;
	}
	return 0;
}

int kir_writes(const Kernel *kn, int b)
{
	if (kn->kind == K_MAP) {
		for (int i = 0; i < kn->stores.len; i++)
			if (kn->stores.items[i].buf == b)
				return 1;
		return 0;
	}
	if (kn->kind == K_LOOP) {
		for (int i = 0; i < kn->body->len; i++)
			if (kir_writes(&kn->body->items[i], b))
				return 1;
		return 0;
	}
	return kn->out == b;
}

/* Stacked outputs that are a state's value before the step are saved first
 * thing in the step, before anything overwrites the state. */
static void save_states(KL *L, KList *body, const Node *scan, const Node *y, const int *state)
{
	int nc = scan->a.scan.ncarry;
	for (int k = nc; k < y->nargs; k++) {
		const Node *v = kl_node(L, y->args[k]);
		if (v->op == OP_CARRY && L->stack_buf[k - nc] >= 0)
			vec_push(body, ((Kernel){.kind = K_COPY, .out = L->stack_buf[k - nc], .a = state[v->a.k]}));
	}
}

/* Ends the step: the other stacked outputs, then each state receives its
 * next value. */
static void lower_yield(KL *L, KList *body, const Node *scan, const Node *y, const int *state)
{
	int nc = scan->a.scan.ncarry;
	for (int pass = 0; pass < 2; pass++)
		for (int k = pass ? 0 : nc; k < (pass ? nc : y->nargs); k++) {
			int v = y->args[k];
			const Node *vn = kl_node(L, v);
			int dst = k < nc ? state[k] : L->stack_buf[k - nc];
			if (dst < 0 || (vn->op == OP_CARRY && (k >= nc || vn->a.k == k)))
				continue;
			if (vn->op == OP_ZEROS) {
				vec_push(body, ((Kernel){.kind = K_ZERO, .out = dst}));
				continue;
			}
			if (L->buf[v] < 0)
				SPK_BUG("yielded %%%d has no buffer", v);
			if (L->buf[v] != dst)
				vec_push(body, ((Kernel){.kind = K_COPY, .out = dst, .a = L->buf[v]}));
		}
}

static void rename_buf(Kernel *kn, int from, int to)
{
	if (kn->out == from)
		kn->out = to;
	if (kn->kind != K_MAP && kn->kind != K_ZERO && kn->a == from)
		kn->a = to;
	if ((kn->kind == K_GEMM || kn->kind == K_LOSS || kn->kind == K_LOSS_GRAD) && kn->b == from)
		kn->b = to;
	for (int j = 0; kn->kind == K_MAP && j < kn->lets.len; j++) {
		if (kn->lets.items[j].a.kind == KV_LOAD && kn->lets.items[j].a.buf == from)
			kn->lets.items[j].a.buf = to;
		if (kn->lets.items[j].b.kind == KV_LOAD && kn->lets.items[j].b.buf == from)
			kn->lets.items[j].b.buf = to;
	}
	for (int j = 0; kn->kind == K_MAP && j < kn->stores.len; j++)
		if (kn->stores.items[j].buf == from)
			kn->stores.items[j].buf = to;
}

/* Loads of b other than element j of the row (offsets) in a MAP. */
static int reads_shifted(const Kernel *kn, int b)
{
	for (int i = 0; kn->kind == K_MAP && i < kn->lets.len; i++) {
		const KLet *l = &kn->lets.items[i];
		if ((l->a.kind == KV_LOAD && l->a.buf == b && l->a.off) ||
		    (l->b.kind == KV_LOAD && l->b.buf == b && l->b.off))
			return 1;
	}
	return kn->kind != K_MAP;
}

/* COPY dst <- src, where src is stored by a MAP earlier in the step: that
 * MAP stores into dst as well, when nothing after it reads or writes dst
 * and it reads dst only at its own element. Handles a value that several
 * states take (h is both a state and last(h)). */
static void duplicate_stores(KList *list)
{
	for (int c = 0; c < list->len; c++) {
		Kernel *cp = &list->items[c];
		if (cp->kind != K_COPY)
			continue;
		int writer = -1, src = cp->a, dst = cp->out;
		for (int w = 0; w < c; w++)
			if (kir_writes(&list->items[w], src))
				writer = list->items[w].kind == K_MAP ? w : -2;
		if (writer < 0 || reads_shifted(&list->items[writer], dst))
			continue;
		int ok = 1;
		for (int r = writer + 1; r < list->len && ok; r++)
			if (r != c && (kir_reads(&list->items[r], dst) || kir_writes(&list->items[r], dst)))
				ok = 0;
		Kernel *w = &list->items[writer];
		for (int s = 0; ok && s < w->stores.len; s++)
			if (w->stores.items[s].buf == src && (w->stores.items[s].off || w->stores.items[s].accumulate))
				ok = 0;
		if (!ok)
			continue;
		for (int s = 0, n = w->stores.len; s < n; s++)
			if (w->stores.items[s].buf == src) {
				KStore st = {w->stores.items[s].let, dst, 0, 0, 0};
				vec_push(&w->stores, st);
			}
		memmove(&list->items[c], &list->items[c + 1], sizeof(Kernel) * (size_t)(list->len - c - 1));
		list->len--;
		c--;
	}
}

/* COPY dst <- src in a loop body, src being this body's scratch: computes
 * into dst directly, from the first kernel that writes src, when nothing in
 * between reads dst's old value (a loop may read it at its own element j,
 * before it stores). */
static void rename_copies(Kir *k, KList *list)
{
	for (int c = 0; c < list->len; c++) {
		const Kernel *cp = &list->items[c];
		if (cp->kind != K_COPY)
			continue;
		int src = cp->a, dst = cp->out, first = -1;
		Type ts = k->bufs.items[src].type, td = k->bufs.items[dst].type;
		if (k->bufs.items[src].cls != KB_ACT || ts.dim[0] != td.dim[0] || ts.rank != td.rank ||
		    ts.batched != td.batched || ts.timed)
			continue;
		for (int w = 0; w < c && first < 0; w++)
			if (kir_writes(&list->items[w], src))
				first = w;
		int ok = first >= 0;
		for (int r = first; ok && r < c; r++) {
			const Kernel *kn = &list->items[r];
			if (kir_writes(kn, dst) || (kir_reads(kn, dst) && (r != first || reads_shifted(kn, dst))))
				ok = 0;
		}
		for (int r = c + 1; ok && r < list->len; r++)
			ok = !kir_reads(&list->items[r], src) && !kir_writes(&list->items[r], src);
		if (!ok)
			continue;
		for (int r = first; r < c; r++)
			rename_buf(&list->items[r], src, dst);
		memmove(&list->items[c], &list->items[c + 1], sizeof(Kernel) * (size_t)(list->len - c - 1));
		list->len--;
		c = -1;  /* renaming may enable earlier copies */
	}
}

/* The training forward pass counts each named spike value of the step
 * (gates, cells, outputs), for the firing rates the driver reports. */
static void count_spikes(KL *L, KList *list, Kernel *loop, int body)
{
	Kir *k = L->k;
	for (int i = 0; i < L->g->nodes.len; i++) {
		const Node *n = kl_node(L, i);
		if (n->region != body || !n->name || n->type.dtype != DT_SPIKE || !L->needed[i] ||
		    (n->op != OP_SPIKE && n->op != OP_MUL))
			continue;
		for (int c = 0; c < loop->body->len; c++) {
			Kernel *m = &loop->body->items[c];
			int let = -1;
			for (int j = 0; m->kind == K_MAP && j < m->lets.len && let < 0; j++)
				if (m->lets.items[j].node == i && m->lets.items[j].off == 0)
					let = j;
			if (let < 0)
				continue;
			if (k->spike_counts < 0)
				k->spike_counts = add_buf(L, KB_ACT, "spike_counts", "spikes counted per value", ir_vec(DT_F32, 1, 0, 0));
			KStore st = {let, k->spike_counts, k->spikes.len, 1, 1};
			vec_push(&m->stores, st);
			vec_push(&k->spikes, ((KSpike){n->name, n->type.dim[0]}));
			break;
		}
	}
	if (k->spike_counts >= 0) {
		k->bufs.items[k->spike_counts].type.dim[0] = k->spikes.len;
		vec_push(list, ((Kernel){.kind = K_ZERO, .out = k->spike_counts}));
	}
}

static void lower_scan(KL *L, KList *list, int s)
{
	const Graph *g = L->g;
	const Node *scan = kl_node(L, s);
	int nseq = scan->a.scan.nseq, nc = scan->a.scan.ncarry, nout = scan->a.scan.nout;
	int body = scan->a.scan.body;
	int *state = xmalloc(sizeof(int) * (size_t)(nc + 1));
	Kernel loop = {.kind = K_LOOP, .reverse = scan->a.scan.reverse, .window = scan->a.scan.window, .out = -1};
	loop.body = arena_alloc(L->k->arena, sizeof(KList));
	for (int c = 0; c < nc; c++) {
		int init = scan->args[nseq + c];
		const char *name = kl_node(L, init)->name;
		for (int j = 0; j < s; j++)
			if (kl_node(L, j)->op == OP_CARRY && kl_node(L, j)->a.k == c && kl_node(L, j)->region == body)
				name = kl_node(L, j)->name;
		state[c] = add_buf(L, KB_STATE, name ? name : "state", name ? name : "state", kl_node(L, init)->type);
		vec_push(&loop.states, state[c]);
		if (kl_node(L, init)->op == OP_ZEROS)
			vec_push(list, ((Kernel){.kind = K_ZERO, .out = state[c]}));
		else
			vec_push(list, ((Kernel){.kind = K_COPY, .out = state[c], .a = L->buf[init]}));
	}
	L->stack_buf = xmalloc(sizeof(int) * (size_t)(nout + 1));
	for (int o = 0; o < nout; o++)
		L->stack_buf[o] = -1;
	for (int i = s + 1; i < g->nodes.len; i++) {
		const Node *n = kl_node(L, i);
		if (n->op != OP_SCAN_OUT || n->args[0] != s || !L->needed[i])
			continue;
		if (n->a.k < nc) {
			L->buf[i] = state[n->a.k];
			continue;
		}
		int *sb = &L->stack_buf[n->a.k - nc];
		if (*sb < 0 && L->buf[i] >= 0)
			*sb = L->buf[i];  /* an input's gradient */
		if (*sb < 0)
			*sb = i == g->output ? output_buf(L, n->type)
					     : add_buf(L, KB_ACT, display_name(L, i), display_name(L, i), n->type);
		L->buf[i] = *sb;
	}
	save_states(L, loop.body, scan, kl_node(L, yield_of(g, s)), state);
	for (int i = 0; i < s; i++) {
		const Node *n = kl_node(L, i);
		if (n->region != body)
			continue;
		if (n->op == OP_STEP)
			L->buf[i] = L->buf[scan->args[n->a.k]];
		if (n->op == OP_CARRY)
			L->buf[i] = state[n->a.k];
		if (n->op == OP_YIELD)
			lower_yield(L, loop.body, scan, n, state);
		else
			lower_node(L, loop.body, i, body);
	}
	duplicate_stores(loop.body);
	rename_copies(L->k, loop.body);
	if (L->program == PROG_TRAIN && !scan->a.scan.reverse)
		count_spikes(L, list, &loop, body);
	vec_push(list, loop);
	free(L->stack_buf);
	L->stack_buf = NULL;
	free(state);
}

/* ---- cleanup ------------------------------------------------------------- */

static int read_anywhere(const Kir *k, int b)
{
	for (int p = 0; p < PROG_COUNT; p++)
		for (int i = 0; i < k->prog[p].kernels.len; i++)
			if (kir_reads(&k->prog[p].kernels.items[i], b))
				return 1;
	return 0;
}

/* Drops stores into scratch buffers that no kernel reads. */
static void drop_dead_stores(Kir *k, KList *list)
{
	for (int i = 0; i < list->len; i++) {
		Kernel *kn = &list->items[i];
		if (kn->kind == K_LOOP)
			drop_dead_stores(k, kn->body);
		for (int j = 0; kn->kind == K_MAP && j < kn->stores.len; j++) {
			int b = kn->stores.items[j].buf;
			if (k->bufs.items[b].cls == KB_ACT && !read_anywhere(k, b)) {
				memmove(&kn->stores.items[j], &kn->stores.items[j + 1],
					sizeof(KStore) * (size_t)(kn->stores.len - j - 1));
				kn->stores.len--;
				j--;
			}
		}
	}
}

static void remap(int *b, const int *map)
{
	if (*b >= 0)
		*b = map[*b];
}

static void remap_list(KList *list, const int *map)
{
	for (int i = 0; i < list->len; i++) {
		Kernel *kn = &list->items[i];
		if (kn->kind == K_LOOP) {
			remap_list(kn->body, map);
			for (int s = 0; s < kn->states.len; s++)
				remap(&kn->states.items[s], map);
			continue;
		}
		if (kn->kind != K_MAP) {
			remap(&kn->out, map);
			if (kn->kind != K_ZERO)
				remap(&kn->a, map);
			if (kn->kind == K_GEMM || kn->kind == K_LOSS || kn->kind == K_LOSS_GRAD)
				remap(&kn->b, map);
		}
		for (int j = 0; kn->kind == K_MAP && j < kn->lets.len; j++) {
			if (kn->lets.items[j].a.kind == KV_LOAD)
				remap(&kn->lets.items[j].a.buf, map);
			if (kn->lets.items[j].b.kind == KV_LOAD)
				remap(&kn->lets.items[j].b.buf, map);
		}
		for (int j = 0; kn->kind == K_MAP && j < kn->stores.len; j++)
			remap(&kn->stores.items[j].buf, map);
	}
}

static int touched(const Kir *k, int b)
{
	for (int p = 0; p < PROG_COUNT; p++)
		for (int i = 0; i < k->prog[p].kernels.len; i++)
			if (kir_reads(&k->prog[p].kernels.items[i], b) || kir_writes(&k->prog[p].kernels.items[i], b))
				return 1;
	return 0;
}

/* Removes the scratch buffers no kernel touches any more. */
static void drop_unused_buffers(Kir *k)
{
	int nb = k->bufs.len, n = 0, *map = xmalloc(sizeof(int) * (size_t)(nb + 1));
	for (int b = 0; b < nb; b++) {
		map[b] = -1;
		if (k->bufs.items[b].cls != KB_ACT || touched(k, b))
			map[b] = n++;
	}
	for (int b = 0; b < nb; b++)
		if (map[b] >= 0)
			k->bufs.items[map[b]] = k->bufs.items[b];
	k->bufs.len = n;
	for (int p = 0; p < PROG_COUNT; p++)
		remap_list(&k->prog[p].kernels, map);
	remap(&k->output, map);
	remap(&k->labels, map);
	remap(&k->train_output, map);
	remap(&k->spike_counts, map);
	free(map);
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
				L.buf[d] = shared_buf(&L, KB_DINPUT, in,
						      arena_printf(k->arena, "d_%s", g->inputs.items[in].name), g->nodes.items[d].type);
			}
	}
	plan(&L);
	for (int i = 0; i < nn; i++) {
		const Node *n = kl_node(&L, i);
		if (n->op == OP_PARAM)
			L.buf[i] = shared_buf(&L, KB_PARAM, n->a.k, g->params.items[n->a.k].name, n->type);
		if ((n->op == OP_INPUT || n->op == OP_LABELS) && L.needed[i])
			L.buf[i] = shared_buf(&L, n->op == OP_INPUT ? KB_INPUT : KB_LABELS, n->a.k,
					      g->inputs.items[n->a.k].name, n->type);
	}
	KProgram *prog = &k->prog[program];
	prog->loss_at = -1;
	for (int i = 0; i < nn; i++) {
		const Node *n = kl_node(&L, i);
		if (n->region != 0 || !L.needed[i])
			continue;
		if (n->op == OP_SCAN)
			lower_scan(&L, &prog->kernels, i);
		else
			lower_node(&L, &prog->kernels, i, 0);
		if (i == g->loss)
			prog->loss_at = prog->kernels.len - 1;
	}
	/* An output that is a state (output last(h)) is copied out. */
	int ob = output_buf(&L, kl_node(&L, g->output)->type);
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
		int b = shared_buf(&L, KB_PARAM, p, g->params.items[p].name, g->params.items[p].type);
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
	for (int p = 0; p < PROG_COUNT; p++)
		drop_dead_stores(k, &k->prog[p].kernels);
	for (int b = 0; b < k->bufs.len; b++) {
		if (k->bufs.items[b].cls == KB_OUTPUT)
			k->output = b;
		if (k->bufs.items[b].cls == KB_LABELS)
			k->labels = b;
	}
	drop_unused_buffers(k);
	return k;
}

static void free_list(KList *list)
{
	for (int i = 0; i < list->len; i++) {
		Kernel *kn = &list->items[i];
		if (kn->kind == K_LOOP) {
			free_list(kn->body);
			vec_free(&kn->states);
		}
		vec_free(&kn->lets);
		vec_free(&kn->stores);
	}
	vec_free(list);
}

void kir_free(Kir *k)
{
	for (int p = 0; p < PROG_COUNT; p++)
		free_list(&k->prog[p].kernels);
	vec_free(&k->bufs);
	vec_free(&k->spikes);
}

long kir_buf_floats(const Kir *k, int b, int batch)
{
	Type t = k->bufs.items[b].type;
	long n = t.rank == 2 ? (long)t.dim[0] * t.dim[1] : t.rank == 1 ? t.dim[0] : 1;
	if (t.batched)
		n *= batch;
	if (t.timed)
		n *= k->steps;
	return n;
}

long kir_workspace_floats(const Kir *k, int program, int batch)
{
	long n = 0;
	for (int b = 0; b < k->bufs.len; b++) {
		const KBuf *kb = &k->bufs.items[b];
		if (((kb->cls == KB_STATE || kb->cls == KB_ACT) && kb->program == program) ||
		    (kb->cls == KB_DINPUT && program == PROG_TRAIN))
			n += kir_buf_floats(k, b, batch);
	}
	return n;
}
