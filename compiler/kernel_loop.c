/* kernel_loop.c: a scan as a LOOP kernel (see kernels.c).
 *
 * The body's kernels are lowered in order; the yield becomes copies into
 * the states and stacks, which are then removed where the value can be
 * computed into its destination directly (kernel_copies.c). The training
 * forward loop also counts spikes for firing rates. */
#include <stdlib.h>
#include "kernels.h"

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

/* The training forward pass counts each named spike value of the step
 * (gates, cells, outputs), for the firing rates the driver reports. */
static void count_spikes(KL *L, KList *list, Kernel *loop, int body)
{
	Kir *k = L->k;
	/* Per node, the first MAP of the body (and its let) computing it at offset 0. */
	int nn = L->g->nodes.len, *map = xmalloc(sizeof(int) * (size_t)(2 * nn + 1)), *let = map + nn;
	for (int i = 0; i < nn; i++)
		map[i] = -1;
	for (int c = loop->body->len - 1; c >= 0; c--)
		for (int j = loop->body->items[c].kind == K_MAP ? loop->body->items[c].lets.len - 1 : -1; j >= 0; j--) {
			const KLet *l = &loop->body->items[c].lets.items[j];
			if (l->off == 0)
				map[l->node] = c, let[l->node] = j;
		}
	for (int i = 0; i < nn; i++) {
		const Node *n = kl_node(L, i);
		if (n->region != body || !n->name || n->type.dtype != DT_SPIKE || !L->needed[i] ||
		    (n->op != OP_SPIKE && n->op != OP_MUL) || map[i] < 0)
			continue;
		Kernel *m = &loop->body->items[map[i]];
		if (k->spike_counts < 0)
			k->spike_counts = kl_add_buf(L, KB_ACT, "spike_counts", "spikes counted per value", ir_vec(DT_F32, 1, 0, 0));
		KStore st = {let[i], k->spike_counts, k->spikes.len, 1, 1};
		vec_push(&m->stores, st);
		vec_push(&k->spikes, ((KSpike){n->name, n->type.dim[0]}));
	}
	free(map);
	if (k->spike_counts >= 0) {
		k->bufs.items[k->spike_counts].type.dim[0] = k->spikes.len;
		vec_push(list, ((Kernel){.kind = K_ZERO, .out = k->spike_counts}));
	}
}

void kl_lower_scan(KL *L, KList *list, int s)
{
	const Graph *g = L->g;
	const Node *scan = kl_node(L, s);
	int nseq = scan->a.scan.nseq, nc = scan->a.scan.ncarry, nout = scan->a.scan.nout;
	int body = scan->a.scan.body;
	int *state = xmalloc(sizeof(int) * (size_t)(nc + 1));
	Kernel loop = {.kind = K_LOOP, .reverse = scan->a.scan.reverse, .window = scan->a.scan.window, .out = -1};
	loop.body = arena_alloc(L->k->arena, sizeof(KList));
	/* A state's name: its init's, or that of the last carry of it. */
	const char **names = xmalloc(sizeof(char *) * (size_t)(nc + 1));
	for (int c = 0; c < nc; c++)
		names[c] = kl_node(L, scan->args[nseq + c])->name;
	for (int j = 0; j < s; j++)
		if (kl_node(L, j)->op == OP_CARRY && kl_node(L, j)->region == body)
			names[kl_node(L, j)->a.k] = kl_node(L, j)->name;
	for (int c = 0; c < nc; c++) {
		int init = scan->args[nseq + c];
		const char *name = names[c];
		state[c] = kl_add_buf(L, KB_STATE, name ? name : "state", name ? name : "state", kl_node(L, init)->type);
		vec_push(&loop.states, state[c]);
		/* `carry state`: the forward states start where the previous
		 * pass on the workspace left them (zero in a zeroed workspace);
		 * the backward pass still starts from zero adjoints. */
		if (kl_node(L, init)->op == OP_ZEROS) {
			if (!g->carry_state || scan->a.scan.reverse)
				vec_push(list, ((Kernel){.kind = K_ZERO, .out = state[c]}));
		} else {
			vec_push(list, ((Kernel){.kind = K_COPY, .out = state[c], .a = L->buf[init]}));
		}
	}
	free(names);
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
			*sb = i == g->output ? kl_output_buf(L, n->type)
					     : kl_add_buf(L, KB_ACT, kl_display_name(L, i), kl_display_name(L, i), n->type);
		L->buf[i] = *sb;
	}
	save_states(L, loop.body, scan, kl_node(L, ir_yield_of(g, s)), state);
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
			kl_lower_node(L, loop.body, i, body);
	}
	kl_remove_copies(L->k, loop.body);
	if (L->program == PROG_TRAIN && !scan->a.scan.reverse)
		count_spikes(L, list, &loop, body);
	vec_push(list, loop);
	free(L->stack_buf);
	L->stack_buf = NULL;
	free(state);
}
