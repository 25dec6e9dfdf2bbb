/* kernel_map.c: building fused elementwise loops (MAP kernels).
 *
 * A MAP computes, per element (b, j), a list of lets: each a graph node at a
 * feature offset, from loads of buffers, constants and earlier lets. Chains
 * of elementwise nodes that have no buffer of their own are inlined; a
 * slice becomes an offset on the loads beneath it; a value is computed once
 * per loop even when several stores need it. A node that needs an element
 * of a buffer this same loop writes at another offset cannot join it, and
 * starts a new loop. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "kernels.h"

/* Names the backends use themselves, and C's keywords: no buffer or local
 * may take them. */
static int reserved(const char *s)
{
	static const char *const words[] = {
		"a", "b", "j", "p", "t", "T", "g", "r", "m", "s", "y", "dy", "batch", "out", "params", "grads", "state", "workspace", "seed",
		"ws", "loss", "labels", "auto", "break", "case", "char", "const", "continue", "default", "do",
		"double", "else", "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long",
		"register", "restrict", "return", "short", "signed", "sizeof", "static", "struct", "switch",
		"typedef", "union", "unsigned", "void", "volatile", "while", "expf", "tanhf", "fabsf", "logf",
		"sqrt", "memset", "memcpy", "matmul_xwt", "matmul_dw", "matmul_outer", "sum_rows", "step",
		"readout", "clear_state", "Params", "Buffers", "TrainBuffers", NULL};
	for (int i = 0; words[i]; i++)
		if (!strcmp(words[i], s))
			return 1;
	return !strncmp(s, "spk_", 4) || !strncmp(s, "cblas", 5);
}

const char *kl_ident(Arena *arena, const char *name, const StrMap *taken, StrMap *next)
{
	char tmp[128], id[160];
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
	if (!strmap_get(taken, tmp))
		return arena_strdup(arena, tmp);
	int suffix = next && strmap_get(next, tmp) ? strmap_get(next, tmp) : 2;
	for (;; suffix++) {
		snprintf(id, sizeof id, "%s_%d", tmp, suffix);
		if (!strmap_get(taken, id))
			break;
	}
	const char *base = arena_strdup(arena, tmp);
	if (next)
		strmap_put(next, base, suffix + 1);
	return arena_strdup(arena, id);
}

int kl_is_elem(const Node *n)
{
	return (ir_ops[n->op].flags & F_ELEM) || n->op == OP_SLICE;
}

typedef struct {
	KL *L;
	Kernel *m;
	int failed;
} MapBuild;

/* The lets' names while a MAP's lets are named in order (kl_name_lets):
 * taken, the names given so far and the inputs' and labels'; next, the
 * suffix to try first per name. */
typedef struct {
	StrMap taken, next;
} LetNames;

/* The source name of a let, until kl_name_lets makes it an identifier: the
 * node's last name component, or that of the slice through which the value
 * was asked for. */
static const char *let_source_name(const Node *n, const char *hint)
{
	const char *name = hint ? hint : n->name;
	const char *base = name ? strrchr(name, '.') : NULL;
	return base ? base + 1 : name ? name : ir_ops[n->op].name;
}

typedef Vec(const char *) Names;

/* fixed: the names of the inputs and labels, which no let may take. */
static void name_map(Kir *k, Kernel *m, const Names *fixed)
{
	LetNames ln = {0};
	for (int i = 0; i < fixed->len; i++)
		strmap_put(&ln.taken, fixed->items[i], 1);
	for (int i = 0; i < m->lets.len; i++) {
		KLet *l = &m->lets.items[i];
		l->name = kl_ident(k->arena, l->name, &ln.taken, &ln.next);
		strmap_put(&ln.taken, l->name, 1);
	}
	strmap_free(&ln.taken);
	strmap_free(&ln.next);
}

static void name_list(Kir *k, KList *list, const Names *fixed)
{
	for (int c = 0; c < list->len; c++) {
		if (list->items[c].kind == K_MAP)
			name_map(k, &list->items[c], fixed);
		if (list->items[c].kind == K_LOOP)
			name_list(k, list->items[c].body, fixed);
	}
}

void kl_name_lets(Kir *k, KList *list)
{
	Names fixed = {0};
	for (int b = 0; b < k->bufs.len; b++)
		if (k->bufs.items[b].cls == KB_INPUT || k->bufs.items[b].cls == KB_LABELS)
			vec_push(&fixed, k->bufs.items[b].name);
	name_list(k, list, &fixed);
	vec_free(&fixed);
}

static KVal kval(MapBuild *mb, int node, int off, const char *hint);

static KVal compute(MapBuild *mb, int node, int off, const char *hint)
{
	Kernel *m = mb->m;
	for (int i = 0; i < m->lets.len; i++)
		if (m->lets.items[i].node == node && m->lets.items[i].off == off)
			return (KVal){KV_LET, i, 0, 0, 0};
	const Node *n = kl_node(mb->L, node);
	if (n->op == OP_DROPOUT && mb->L->program == PROG_INFER)  /* the identity */
		return kval(mb, n->args[0], off, hint ? hint : n->name);
	KLet let = {(Op)n->op, {0}, {0}, n->a.sur, NULL, node, off, (hint || n->name) != 0, 0};
	let.a = kval(mb, n->args[0], off, NULL);
	if (n->nargs > 1)
		let.b = kval(mb, n->args[1], off, NULL);
	if (n->op == OP_DROPOUT)
		let.b = (KVal){KV_LOAD, 0, mb->L->k->dropout_key, 0, 0};
	if (mb->failed)
		return (KVal){0};
	let.name = let_source_name(n, hint);
	vec_push(&m->lets, let);
	return (KVal){KV_LET, m->lets.len - 1, 0, 0, 0};
}

static KVal kval(MapBuild *mb, int node, int off, const char *hint)
{
	KL *L = mb->L;
	const Node *n = kl_node(L, node);
	if (n->op == OP_CONST)
		return (KVal){KV_CONST, 0, 0, 0, (float)n->a.f};
	int b = L->buf[node];
	if (b >= 0) {
		for (int i = 0; i < mb->m->stores.len; i++) {
			const KStore *s = &mb->m->stores.items[i];
			if (s->buf != b)
				continue;
			/* This loop writes that buffer: only the element at j is ready. */
			if (s->off == off && !s->accumulate)
				return (KVal){KV_LET, s->let, 0, 0, 0};
			mb->failed = 1;
			return (KVal){0};
		}
		return (KVal){KV_LOAD, 0, b, off, 0};
	}
	if (n->op == OP_SLICE)
		return kval(mb, n->args[0], off + n->a.slice.off, n->name);
	if (!kl_is_elem(n))
		SPK_BUG("node %%%d (%s) used in a loop but computed nowhere", node, ir_ops[n->op].name);
	return compute(mb, node, off, hint);
}

/* Places node, stored into dst, in the MAP at list index c. Fails (and
 * leaves the MAP as it was) when a value it needs is not ready there or when
 * a kernel after c writes a buffer it reads or touches dst. */
static int place(KL *L, KList *list, int c, int node, int dst, int off, int accumulate)
{
	Kernel *m = &list->items[c];
	const Node *n = kl_node(L, node);
	int nlets = m->lets.len, nstores = m->stores.len;
	MapBuild mb = {L, m, 0};
	int copy_of = n->op == OP_SLICE || (L->buf[node] >= 0 && L->buf[node] != dst);
	KVal v = copy_of ? kval(&mb, node, 0, NULL) : compute(&mb, node, 0, NULL);
	if (!mb.failed && v.kind == KV_LOAD) {  /* a copy of (part of) a buffer */
		KLet copy = {OP_ADD, v, {KV_CONST, 0, 0, 0, 0}, {0}, let_source_name(n, NULL), node, 0, 1, 0};
		vec_push(&m->lets, copy);
		v = (KVal){KV_LET, m->lets.len - 1, 0, 0, 0};
	}
	int ok = !mb.failed && v.kind == KV_LET;
	for (int r = c + 1; ok && r < list->len; r++) {
		const Kernel *kn = &list->items[r];
		if (kir_reads(kn, dst) || kir_writes(kn, dst))
			ok = 0;
		for (int i = nlets; ok && i < m->lets.len; i++) {
			const KLet *l = &m->lets.items[i];
			if ((l->a.kind == KV_LOAD && kir_writes(kn, l->a.buf)) || (l->b.kind == KV_LOAD && kir_writes(kn, l->b.buf)))
				ok = 0;
		}
	}
	if (!ok) {
		m->lets.len = nlets;
		m->stores.len = nstores;
		return 0;
	}
	vec_push(&m->stores, ((KStore){v.let, dst, off, accumulate, 0}));
	return 1;
}

void kl_map_node(KL *L, KList *list, int node, int dst, int off, int accumulate)
{
	const Node *n = kl_node(L, node);
	int rows = !n->type.batched ? 0 : n->type.timed ? 2 : 1;
	/* Join the latest loop over the same rows, even across other kernels,
	 * so that values it already computes are not computed again. */
	for (int c = list->len - 1; c >= 0 && list->items[c].kind != K_LOOP; c--) {
		const Kernel *m = &list->items[c];
		if (m->kind != K_MAP || m->n != n->type.dim[0] || m->batched != rows)
			continue;
		if (place(L, list, c, node, dst, off, accumulate))
			return;
		break;
	}
	vec_push(list, ((Kernel){.kind = K_MAP, .n = n->type.dim[0], .batched = rows, .out = -1}));
	if (!place(L, list, list->len - 1, node, dst, off, accumulate))
		SPK_BUG("node %%%d cannot be placed in a loop", node);
}
