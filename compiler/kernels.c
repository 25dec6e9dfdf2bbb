/* kernels.c: graph IR to kernel IR (see kir.h).
 *
 * requires: a verified, scheduled graph with at most one scan.
 * guarantees: every value the output needs is computed by a kernel in the
 * right list, in dependence order; elementwise chains are fused into MAP
 * loops; `W x + U h` accumulates into one GEMM buffer; the next value of a
 * state is written into the state in place when nothing reads the old value
 * afterwards, else copied at the end of the step. The loss is not lowered
 * here: forward kernels compute the output only. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "kir.h"

typedef struct {
	Kir *k;
	const Graph *g;
	int *buf;        /* node -> buffer, -1 if none */
	int *uses;       /* node -> number of uses */
	int *mat;        /* node -> must be materialized */
	int *absorbed;   /* MATMUL node -> accumulated into its ADD's buffer */
	int *needed;     /* node -> the output depends on it */
	int scan;
	Vec(int) stack_buf; /* per-step output index -> its stacked buffer */
} KL;

/* Names the backends use themselves, and C's keywords: no buffer or local
 * may take them. */
static int reserved(const char *s)
{
	static const char *const words[] = {
		"a", "b", "j", "p", "batch", "out", "params", "state", "workspace", "seed", "ws",
		"auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else",
		"enum", "extern", "float", "for", "goto", "if", "inline", "int", "long", "register",
		"restrict", "return", "short", "signed", "sizeof", "static", "struct", "switch", "typedef",
		"union", "unsigned", "void", "volatile", "while", "expf", "tanhf", "sqrt", "memset", "memcpy",
		"matmul_xwt", "step", "readout", "clear_state", "Params", "Buffers", NULL};
	for (int i = 0; words[i]; i++)
		if (!strcmp(words[i], s))
			return 1;
	return !strncmp(s, "spk_", 4) || !strncmp(s, "cblas", 5);
}

/* `name` as a C identifier, not reserved and not among `taken`. */
static const char *c_ident(Arena *arena, const char *name, int (*taken)(void *, const char *), void *ctx)
{
	char tmp[128];
	size_t n = 0;
	for (const char *s = name; *s && n < sizeof tmp - 8; s++)
		tmp[n++] = isalnum((unsigned char)*s) ? *s : '_';
	tmp[n] = 0;
	if (!n || isdigit((unsigned char)tmp[0])) {
		memmove(tmp + 1, tmp, n + 1);
		tmp[0] = '_';
	}
	if (reserved(tmp))
		strcat(tmp, "_");
	const char *id = arena_strdup(arena, tmp);
	for (int suffix = 2; taken(ctx, id); suffix++)
		id = arena_printf(arena, "%s_%d", tmp, suffix);
	return id;
}

static int buf_taken(void *ctx, const char *id)
{
	Kir *k = ctx;
	for (int i = 0; i < k->bufs.len; i++)
		if (!strcmp(k->bufs.items[i].name, id))
			return 1;
	return 0;
}

static int add_buf(KL *L, KBufClass cls, const char *name, const char *what, Type t)
{
	KBuf b = {c_ident(L->k->arena, name, buf_taken, L->k), what, cls, t, 0, -1};
	vec_push(&L->k->bufs, b);
	return L->k->bufs.len - 1;
}

static Node *N(KL *L, int i)
{
	return &L->g->nodes.items[i];
}

/* A node's name, or the name of the first named node it feeds. */
static const char *display_name(KL *L, int i)
{
	if (N(L, i)->name)
		return N(L, i)->name;
	for (int j = i + 1; j < L->g->nodes.len; j++)
		for (int k = 0; k < N(L, j)->nargs; k++)
			if (N(L, j)->args[k] == i && N(L, j)->op != OP_YIELD)
				return display_name(L, j);
	return ir_ops[N(L, i)->op].name;
}

static int is_elem(const Node *n)
{
	return (ir_ops[n->op].flags & F_ELEM) || n->op == OP_SLICE;
}

static void mark_needed(KL *L, int i)
{
	if (L->needed[i])
		return;
	L->needed[i] = 1;
	for (int k = 0; k < N(L, i)->nargs; k++)
		mark_needed(L, N(L, i)->args[k]);
	if (N(L, i)->op == OP_SCAN)
		for (int j = 0; j < i; j++)
			if (N(L, j)->op == OP_YIELD && N(L, j)->region == N(L, i)->a.scan.body)
				mark_needed(L, j);
}

/* Which nodes get a buffer of their own. */
static void plan(KL *L)
{
	const Graph *g = L->g;
	for (int i = 0; i < g->nodes.len; i++) {
		const Node *n = N(L, i);
		if (!L->needed[i])
			continue;
		for (int k = 0; k < n->nargs; k++) {
			int a = n->args[k];
			L->uses[a]++;
			if (!is_elem(n) || N(L, a)->region != n->region)
				L->mat[a] = 1;
		}
	}
	L->mat[g->output] = 1;
	for (int i = 0; i < g->nodes.len; i++) {
		const Node *n = N(L, i);
		if (n->op == OP_MATMUL)
			L->mat[i] = 1;
		if (n->op == OP_ADD && N(L, n->args[0])->op == OP_MATMUL && N(L, n->args[1])->op == OP_MATMUL &&
		    L->uses[n->args[0]] == 1 && L->uses[n->args[1]] == 1 && n->args[0] != n->args[1]) {
			L->mat[i] = 1;
			L->absorbed[n->args[0]] = L->absorbed[n->args[1]] = 1;
		}
		if (n->op == OP_YIELD || n->op == OP_SCAN || n->op == OP_SCAN_OUT)
			L->mat[i] = 0;
	}
}

/* ---- MAP construction ---------------------------------------------------- */

typedef struct {
	Kernel *m;
	int failed;
} MapBuild;

static KVal kval(KL *L, MapBuild *mb, int node, int off, const char *hint);

typedef struct {
	Kir *k;
	Kernel *m;
} LetCtx;

static int let_taken(void *ctx, const char *id)
{
	LetCtx *c = ctx;
	for (int i = 0; i < c->m->lets.len; i++)
		if (!strcmp(c->m->lets.items[i].name, id))
			return 1;
	for (int i = 0; i < c->k->bufs.len; i++)
		if (c->k->bufs.items[i].cls == KB_INPUT && !strcmp(c->k->bufs.items[i].name, id))
			return 1;
	return 0;
}

/* The local's name: the source name's last component, or the name of the
 * slice through which the value was asked for. */
static const char *let_name(KL *L, Kernel *m, const Node *n, const char *hint)
{
	const char *name = hint ? hint : n->name;
	const char *base = name ? strrchr(name, '.') : NULL;
	base = base ? base + 1 : name ? name : ir_ops[n->op].name;
	LetCtx ctx = {L->k, m};
	return c_ident(L->k->arena, base, let_taken, &ctx);
}

static KVal compute(KL *L, MapBuild *mb, int node, int off, const char *hint)
{
	Kernel *m = mb->m;
	for (int i = 0; i < m->lets.len; i++)
		if (m->lets.items[i].node == node && m->lets.items[i].off == off)
			return (KVal){KV_LET, i, 0, 0, 0};
	const Node *n = N(L, node);
	KLet let = {(Op)n->op, {0}, {0}, n->a.sur, NULL, node, off};
	let.a = kval(L, mb, n->args[0], off, NULL);
	if (n->nargs > 1)
		let.b = kval(L, mb, n->args[1], off, NULL);
	if (mb->failed)
		return (KVal){0};
	let.name = let_name(L, m, n, hint);
	vec_push(&m->lets, let);
	return (KVal){KV_LET, m->lets.len - 1, 0, 0, 0};
}

static KVal kval(KL *L, MapBuild *mb, int node, int off, const char *hint)
{
	const Node *n = N(L, node);
	if (n->op == OP_CONST)
		return (KVal){KV_CONST, 0, 0, 0, (float)n->a.f};
	if (L->buf[node] >= 0) {
		/* Computed by this very loop: only its own element is ready. */
		for (int i = 0; i < mb->m->stores.len; i++)
			if (mb->m->stores.items[i].buf == L->buf[node]) {
				if (off != 0 || n->type.dim[0] != mb->m->n)
					mb->failed = 1;
				return (KVal){KV_LET, mb->m->stores.items[i].let, 0, 0, 0};
			}
		return (KVal){KV_LOAD, 0, L->buf[node], off, 0};
	}
	if (n->op == OP_SLICE)
		return kval(L, mb, n->args[0], off + n->a.slice.off, n->name);
	if (!is_elem(n))
		SPK_BUG("node %%%d (%s) used in a loop but computed nowhere", node, ir_ops[n->op].name);
	return compute(L, mb, node, off, hint);
}

/* Adds `node` to the open MAP of list, or opens one; returns its let. */
static int map_node(KL *L, KList *list, int node, int dst)
{
	const Node *n = N(L, node);
	int rows = n->type.batched;
	Kernel *m = list->len ? &list->items[list->len - 1] : NULL;
	for (int attempt = 0; attempt < 2; attempt++) {
		if (!m || m->kind != K_MAP || m->n != n->type.dim[0] || m->batched != rows) {
			vec_push(list, ((Kernel){.kind = K_MAP, .n = n->type.dim[0], .batched = rows, .out = -1}));
			m = &list->items[list->len - 1];
		}
		int nlets = m->lets.len;
		MapBuild mb = {m, 0};
		KVal v = n->op == OP_SLICE ? kval(L, &mb, n->args[0], n->a.slice.off, n->name)
					   : compute(L, &mb, node, 0, NULL);
		if (!mb.failed && v.kind == KV_LET) {
			vec_push(&m->stores, ((KStore){v.let, dst, 0}));
			return v.let;
		}
		if (!mb.failed && v.kind == KV_LOAD) {  /* a slice of a buffer */
			KLet copy = {OP_ADD, v, {KV_CONST, 0, 0, 0, 0}, {0}, let_name(L, m, n, NULL), node, 0};
			vec_push(&m->lets, copy);
			vec_push(&m->stores, ((KStore){m->lets.len - 1, dst, 0}));
			return m->lets.len - 1;
		}
		m->lets.len = nlets;
		m = NULL;  /* conflict with this loop's own stores: start a new loop */
	}
	SPK_BUG("node %%%d cannot be placed in a loop", node);
}

static Type row_type(Type t)
{
	t.timed = 0;
	return t;
}

static void lower_node(KL *L, KList *list, int i, int region)
{
	const Node *n = N(L, i);
	if (!L->needed[i] || !L->mat[i] || L->absorbed[i] || n->region != region ||
	    (ir_ops[n->op].flags & F_LEAF))
		return;
	int out = L->buf[i];
	if (out < 0)
		out = L->buf[i] = add_buf(L, i == L->g->output ? KB_OUTPUT : KB_ACT,
					  i == L->g->output ? "output" : display_name(L, i), display_name(L, i),
					  row_type(n->type));
	if (n->op == OP_MATMUL || (n->op == OP_ADD && L->absorbed[n->args[0]])) {
		int mm[2] = {i, -1};
		if (n->op == OP_ADD)
			mm[0] = n->args[0], mm[1] = n->args[1];
		for (int k = 0; k < 2 && mm[k] >= 0; k++) {
			const Node *m = N(L, mm[k]);
			Kernel kn = {.kind = K_GEMM, .out = out, .w = L->buf[m->args[0]], .x = L->buf[m->args[1]],
				     .accumulate = k > 0, .comment = m->name};
			if (kn.w < 0 || kn.x < 0)
				SPK_BUG("matmul %%%d operand without a buffer", mm[k]);
			vec_push(list, kn);
		}
		return;
	}
	if (!is_elem(n))
		SPK_BUG("cannot lower %s to a kernel yet", ir_ops[n->op].name);
	map_node(L, list, i, out);
}

/* Ends the step: each carry receives its next value. The value's loop
 * writes the state directly when no later kernel of the step reads it. */
static void lower_yield(KL *L, const Node *scan, const Node *y)
{
	KList *list = &L->k->step;
	int nc = scan->a.scan.ncarry;
	for (int k = 0; k < y->nargs; k++) {
		int v = y->args[k];
		int dst = k < nc ? L->buf[scan->args[scan->a.scan.nseq + k]] : L->stack_buf.items[k - nc];
		if (N(L, v)->op == OP_CARRY && N(L, v)->a.k == k)
			continue;
		if (L->buf[v] == dst)
			continue;
		vec_push(list, ((Kernel){.kind = K_COPY, .out = dst, .src = L->buf[v]}));
	}
}

static int reads_buf(const Kernel *kn, int b)
{
	if (kn->kind == K_GEMM)
		return kn->x == b || kn->w == b || (kn->accumulate && kn->out == b);
	if (kn->kind == K_COPY)
		return kn->src == b;
	if (kn->kind == K_MAP)
		for (int i = 0; i < kn->lets.len; i++) {
			const KLet *l = &kn->lets.items[i];
			if ((l->a.kind == KV_LOAD && l->a.buf == b) || (l->b.kind == KV_LOAD && l->b.buf == b))
				return 1;
		}
	return 0;
}

static int reads_buf_elementwise(const Kernel *kn, int b)
{
	for (int i = 0; i < kn->lets.len; i++) {
		const KLet *l = &kn->lets.items[i];
		if ((l->a.kind == KV_LOAD && l->a.buf == b && l->a.off) ||
		    (l->b.kind == KV_LOAD && l->b.buf == b && l->b.off))
			return 0;
	}
	return 1;
}

/* COPY dst <- src at the end of the step, where src is stored by one MAP:
 * store into dst in that MAP instead, if nothing between reads dst. */
static void forward_copies(KL *L)
{
	KList *list = &L->k->step;
	for (int c = 0; c < list->len; c++) {
		Kernel *cp = &list->items[c];
		if (cp->kind != K_COPY)
			continue;
		int writer = -1, src = cp->src, dst = cp->out;
		for (int w = 0; w < c; w++) {
			Kernel *kn = &list->items[w];
			for (int s = 0; kn->kind == K_MAP && s < kn->stores.len; s++)
				if (kn->stores.items[s].buf == src)
					writer = w;
			if (kn->kind != K_MAP && kn->out == src)
				writer = -2;
		}
		if (writer < 0 || L->k->bufs.items[dst].type.dim[0] != list->items[writer].n)
			continue;
		int safe = reads_buf_elementwise(&list->items[writer], dst);
		for (int r = writer + 1; r < list->len && safe; r++)
			if (r != c && reads_buf(&list->items[r], dst))
				safe = 0;
		if (!safe)
			continue;
		Kernel *w = &list->items[writer];
		for (int s = 0, n = w->stores.len; s < n; s++)
			if (w->stores.items[s].buf == src)
				vec_push(&w->stores, ((KStore){w->stores.items[s].let, dst, 0}));
		vec_free(&cp->lets);
		vec_free(&cp->stores);
		memmove(cp, cp + 1, sizeof *cp * (size_t)(list->len - c - 1));
		list->len--;
		c--;
	}
}

/* Drops stores into scratch buffers that no kernel reads. */
static void drop_dead_stores(Kir *k)
{
	KList *lists[3] = {&k->init, &k->step, &k->readout};
	for (int s = 0; s < 3; s++)
		for (int i = 0; i < lists[s]->len; i++) {
			Kernel *kn = &lists[s]->items[i];
			for (int j = 0; kn->kind == K_MAP && j < kn->stores.len; j++) {
				int b = kn->stores.items[j].buf, read = k->bufs.items[b].cls != KB_ACT;
				for (int t = 0; t < 3 && !read; t++)
					for (int r = 0; r < lists[t]->len && !read; r++)
						read = reads_buf(&lists[t]->items[r], b);
				if (!read)
					kn->stores.items[j--] = kn->stores.items[--kn->stores.len];
			}
		}
}

static void remap(int *b, const int *map)
{
	if (*b >= 0)
		*b = map[*b];
}

/* Removes the scratch buffers no kernel touches any more. */
static void drop_unused_buffers(Kir *k)
{
	KList *lists[3] = {&k->init, &k->step, &k->readout};
	int nb = k->bufs.len, *used = xcalloc((size_t)nb, sizeof(int)), *map = xmalloc(sizeof(int) * (size_t)nb);
	for (int l = 0; l < 3; l++)
		for (int i = 0; i < lists[l]->len; i++) {
			Kernel *kn = &lists[l]->items[i];
			int refs[4] = {kn->out, kn->kind == K_COPY ? kn->src : -1, kn->kind == K_GEMM ? kn->w : -1,
				       kn->kind == K_GEMM ? kn->x : -1};
			for (int r = 0; r < 4; r++)
				if (refs[r] >= 0)
					used[refs[r]] = 1;
			for (int j = 0; kn->kind == K_MAP && j < kn->lets.len; j++) {
				if (kn->lets.items[j].a.kind == KV_LOAD)
					used[kn->lets.items[j].a.buf] = 1;
				if (kn->lets.items[j].b.kind == KV_LOAD)
					used[kn->lets.items[j].b.buf] = 1;
			}
			for (int j = 0; kn->kind == K_MAP && j < kn->stores.len; j++)
				used[kn->stores.items[j].buf] = 1;
		}
	int n = 0;
	for (int b = 0; b < nb; b++) {
		map[b] = -1;
		if (used[b] || k->bufs.items[b].cls != KB_ACT) {
			map[b] = n;
			k->bufs.items[n++] = k->bufs.items[b];
		}
	}
	k->bufs.len = n;
	for (int l = 0; l < 3; l++)
		for (int i = 0; i < lists[l]->len; i++) {
			Kernel *kn = &lists[l]->items[i];
			remap(&kn->out, map);
			if (kn->kind == K_COPY)
				remap(&kn->src, map);
			if (kn->kind == K_GEMM) {
				remap(&kn->w, map);
				remap(&kn->x, map);
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
	remap(&k->output, map);
	free(used);
	free(map);
}

Kir *kir_lower(Arena *arena, const Graph *g)
{
	Kir *k = arena_alloc(arena, sizeof *k);
	k->arena = arena;
	k->g = g;
	k->model = g->model;
	k->steps = g->steps;
	int nn = g->nodes.len;
	KL L = {k, g, xmalloc(sizeof(int) * (size_t)nn), xcalloc((size_t)nn, sizeof(int)),
		xcalloc((size_t)nn, sizeof(int)), xcalloc((size_t)nn, sizeof(int)), xcalloc((size_t)nn, sizeof(int)),
		-1, {0}};
	for (int i = 0; i < nn; i++)
		L.buf[i] = -1;
	mark_needed(&L, g->output);
	plan(&L);

	for (int p = 0; p < g->params.len; p++) {
		const Param *pr = &g->params.items[p];
		int b = add_buf(&L, KB_PARAM, pr->name, pr->name, pr->type);
		k->bufs.items[b].offset = k->nparams;
		k->bufs.items[b].index = p;
		k->nparams += pr->type.rank == 2 ? (long)pr->type.dim[0] * pr->type.dim[1] : pr->type.dim[0];
	}
	for (int i = 0; i < nn; i++) {
		const Node *n = &g->nodes.items[i];
		if (n->op == OP_PARAM)
			L.buf[i] = n->a.k;  /* parameter buffers come first, in order */
		if (n->op == OP_INPUT && L.needed[i]) {
			L.buf[i] = add_buf(&L, KB_INPUT, n->name, n->name, n->type);
			k->bufs.items[L.buf[i]].index = n->a.k;
		}
		if (n->op == OP_SCAN && L.needed[i])
			L.scan = i;
	}
	if (L.scan >= 0) {
		const Node *s = &g->nodes.items[L.scan];
		int nseq = s->a.scan.nseq, nc = s->a.scan.ncarry;
		for (int c = 0; c < nc; c++) {
			int init = s->args[nseq + c];
			if (g->nodes.items[init].op != OP_ZEROS)
				SPK_BUG("carry %d starts from a %s, not zeros", c, ir_ops[g->nodes.items[init].op].name);
			const char *name = g->nodes.items[init].name;
			for (int j = 0; j < L.scan; j++)
				if (g->nodes.items[j].op == OP_CARRY && g->nodes.items[j].a.k == c &&
				    g->nodes.items[j].region == s->a.scan.body)
					name = g->nodes.items[j].name;
			L.buf[init] = add_buf(&L, KB_STATE, name ? name : "state", name ? name : "state",
					      g->nodes.items[init].type);
			vec_push(&k->init, ((Kernel){.kind = K_ZERO, .out = L.buf[init]}));
		}
		for (int o = 0; o < s->a.scan.nout; o++)
			vec_push(&L.stack_buf, -1);
		for (int i = L.scan + 1; i < nn; i++) {
			const Node *n = &g->nodes.items[i];
			if (n->op != OP_SCAN_OUT || !L.needed[i])
				continue;
			if (n->a.k < nc) {
				L.buf[i] = L.buf[s->args[nseq + n->a.k]];
				continue;
			}
			int b = add_buf(&L, i == g->output ? KB_OUTPUT : KB_ACT, i == g->output ? "output" : n->name,
					n->name, n->type);
			L.stack_buf.items[n->a.k - nc] = L.buf[i] = b;
		}
		for (int i = 0; i < L.scan; i++) {
			const Node *n = &g->nodes.items[i];
			if (n->region != s->a.scan.body)
				continue;
			if (n->op == OP_STEP)
				L.buf[i] = L.buf[s->args[n->a.k]];
			if (n->op == OP_CARRY)
				L.buf[i] = L.buf[s->args[nseq + n->a.k]];
			lower_node(&L, &k->step, i, s->a.scan.body);
			if (n->op == OP_YIELD)
				lower_yield(&L, s, n);
		}
		forward_copies(&L);
	}
	for (int i = L.scan + 1; i < nn; i++)
		lower_node(&L, &k->readout, i, 0);
	if (L.buf[g->output] < 0)
		SPK_BUG("the output has no buffer");
	if (k->bufs.items[L.buf[g->output]].cls != KB_OUTPUT)
		vec_push(&k->readout, ((Kernel){.kind = K_COPY, .src = L.buf[g->output],
						.out = add_buf(&L, KB_OUTPUT, "output", "the model's output",
							       g->nodes.items[g->output].type)}));
	for (int b = 0; b < k->bufs.len; b++)
		if (k->bufs.items[b].cls == KB_OUTPUT) {
			k->output = b;
			k->output_timed = k->bufs.items[b].type.timed;
		}
	drop_dead_stores(k);
	drop_unused_buffers(k);
	free(L.buf);
	free(L.uses);
	free(L.mat);
	free(L.absorbed);
	free(L.needed);
	vec_free(&L.stack_buf);
	return k;
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

long kir_workspace_floats(const Kir *k, int batch)
{
	long n = 0;
	for (int b = 0; b < k->bufs.len; b++)
		if (k->bufs.items[b].cls == KB_STATE || k->bufs.items[b].cls == KB_ACT)
			n += kir_buf_floats(k, b, batch);
	return n;
}
