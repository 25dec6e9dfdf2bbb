/* kir.c: kernel-IR utilities shared by lowering and the backends: what a
 * kernel touches, renaming a buffer, dropping what nothing reads, sizes. */
#include <stdlib.h>
#include <string.h>
#include "kir.h"

/* Whether the kernel's b field names a buffer it reads. */
static int reads_b(const Kernel *kn)
{
	return kn->kind == K_GEMM || kn->kind == K_LOSS || kn->kind == K_LOSS_GRAD || kn->kind == K_GATHER ||
	       kn->kind == K_SCATTER;
}

int kir_reads(const Kernel *kn, int b)
{
	switch (kn->kind) {
	case K_ZERO: return 0;
	case K_COPY: case K_SUM_ROWS: return kn->a == b || (kn->accumulate && kn->out == b);
	case K_GEMM: case K_GATHER: case K_SCATTER: return kn->a == b || kn->b == b || (kn->accumulate && kn->out == b);
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

void kir_rename_buf(Kernel *kn, int from, int to)
{
	if (kn->out == from)
		kn->out = to;
	if (kn->kind != K_MAP && kn->kind != K_ZERO && kn->a == from)
		kn->a = to;
	if (reads_b(kn) && kn->b == from)
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

void kir_count_name(Kir *k, int b, int delta)
{
	const KBuf *kb = &k->bufs.items[b];
	for (int p = 0; p < PROG_COUNT; p++)
		if (kb->program < 0 || kb->program == p)
			strmap_put(&k->names[p], kb->name, strmap_get(&k->names[p], kb->name) + delta);
}

/* Loads of b other than element j of the row (offsets) in a MAP. */
int kir_reads_shifted(const Kernel *kn, int b)
{
	for (int i = 0; kn->kind == K_MAP && i < kn->lets.len; i++) {
		const KLet *l = &kn->lets.items[i];
		if ((l->a.kind == KV_LOAD && l->a.buf == b && l->a.off) ||
		    (l->b.kind == KV_LOAD && l->b.buf == b && l->b.off))
			return 1;
	}
	return kn->kind != K_MAP;
}

static void mark(KUses *u, int b, int how)
{
	if (b < 0)
		return;
	if (!u->use[b])
		vec_push(&u->touched, b);
	u->use[b] |= (unsigned char)how;
}

static void mark_kernel(KUses *u, const Kernel *kn)
{
	int acc = kn->accumulate && (kn->kind == K_COPY || kn->kind == K_SUM_ROWS || kn->kind == K_GEMM ||
				     kn->kind == K_SCATTER);
	switch (kn->kind) {
	case K_LOOP: kir_uses_add_list(u, kn->body); break;
	case K_MAP:
		for (int j = 0; j < kn->lets.len; j++) {
			const KLet *l = &kn->lets.items[j];
			if (l->a.kind == KV_LOAD)
				mark(u, l->a.buf, KIR_READ);
			if (l->b.kind == KV_LOAD)
				mark(u, l->b.buf, KIR_READ);
		}
		for (int j = 0; j < kn->stores.len; j++)
			mark(u, kn->stores.items[j].buf, KIR_WRITE | (kn->stores.items[j].accumulate ? KIR_READ : 0));
		break;
	case K_GEMM: case K_LOSS: case K_LOSS_GRAD: case K_GATHER: case K_SCATTER:
		mark(u, kn->b, KIR_READ); /* fall through */
	case K_COPY: case K_SUM_ROWS: mark(u, kn->a, KIR_READ); /* fall through */
	case K_ZERO: mark(u, kn->out, KIR_WRITE | (acc ? KIR_READ : 0));
	}
}

void kir_uses_init(KUses *u, const Kir *k)
{
	*u = (KUses){xcalloc((size_t)k->bufs.len + 1, 1), {0}};
}

void kir_uses_add(KUses *u, const Kernel *kn)
{
	mark_kernel(u, kn);
}

void kir_uses_add_list(KUses *u, const KList *list)
{
	for (int i = 0; i < list->len; i++)
		mark_kernel(u, &list->items[i]);
}

void kir_uses_clear(KUses *u)
{
	for (int i = 0; i < u->touched.len; i++)
		u->use[u->touched.items[i]] = 0;
	u->touched.len = 0;
}

void kir_uses_free(KUses *u)
{
	free(u->use);
	vec_free(&u->touched);
}

/* Every buffer's uses in both programs. */
static KUses uses(const Kir *k)
{
	KUses u;
	kir_uses_init(&u, k);
	for (int p = 0; p < PROG_COUNT; p++)
		kir_uses_add_list(&u, &k->prog[p].kernels);
	return u;
}

/* Drops stores into scratch buffers that no kernel reads (use: uses(k)). */
static void drop_dead_stores_in(Kir *k, KList *list, const KUses *use)
{
	for (int i = 0; i < list->len; i++) {
		Kernel *kn = &list->items[i];
		if (kn->kind == K_LOOP)
			drop_dead_stores_in(k, kn->body, use);
		for (int j = 0; kn->kind == K_MAP && j < kn->stores.len; j++) {
			int b = kn->stores.items[j].buf;
			if (k->bufs.items[b].cls == KB_ACT && !(use->use[b] & KIR_READ)) {
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

void kir_remap_bufs(KList *list, const int *map)
{
	for (int i = 0; i < list->len; i++) {
		Kernel *kn = &list->items[i];
		if (kn->kind == K_LOOP) {
			kir_remap_bufs(kn->body, map);
			for (int s = 0; s < kn->states.len; s++)
				remap(&kn->states.items[s], map);
			continue;
		}
		if (kn->kind != K_MAP) {
			remap(&kn->out, map);
			if (kn->kind != K_ZERO)
				remap(&kn->a, map);
			if (reads_b(kn))
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

/* Removes the scratch buffers no kernel touches any more. */
static void drop_unused_buffers(Kir *k)
{
	int nb = k->bufs.len, n = 0, *map = xmalloc(sizeof(int) * (size_t)(nb + 1));
	KUses use = uses(k);
	for (int b = 0; b < nb; b++) {
		map[b] = -1;
		if (k->bufs.items[b].cls != KB_ACT || use.use[b])
			map[b] = n++;
		else
			kir_count_name(k, b, -1);
	}
	kir_uses_free(&use);
	for (int b = 0; b < nb; b++)
		if (map[b] >= 0)
			k->bufs.items[map[b]] = k->bufs.items[b];
	k->bufs.len = n;
	for (int p = 0; p < PROG_COUNT; p++)
		kir_remap_bufs(&k->prog[p].kernels, map);
	remap(&k->output, map);
	remap(&k->labels, map);
	remap(&k->train_output, map);
	remap(&k->spike_counts, map);
	remap(&k->dropout_key, map);
	free(map);
}

void kir_drop_dead(Kir *k)
{
	KUses use = uses(k);
	for (int p = 0; p < PROG_COUNT; p++)
		drop_dead_stores_in(k, &k->prog[p].kernels, &use);
	kir_uses_free(&use);
	drop_unused_buffers(k);
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

void kir_drop_program(Kir *k, int program)
{
	free_list(&k->prog[program].kernels);
	k->prog[program].loss_at = 0;
}

void kir_free(Kir *k)
{
	for (int p = 0; p < PROG_COUNT; p++)
		free_list(&k->prog[p].kernels);
	vec_free(&k->bufs);
	vec_free(&k->spikes);
	for (int p = 0; p < PROG_COUNT; p++)
		strmap_free(&k->names[p]);
}

int kir_is_int(const Kir *k, const Kernel *m, KVal v)
{
	return v.kind == KV_LET ? m->lets.items[v.let].integer
	       : v.kind == KV_LOAD && k->bufs.items[v.buf].elem != KE_F32;
}

long kir_row_floats(const KBuf *kb)
{
	Type t = kb->type;
	if (kb->bits)
		return (t.dim[0] + 31) / 32;
	long n = t.rank == 2 ? (long)t.dim[0] * t.dim[1] : t.rank == 1 ? t.dim[0] : 1;
	return kb->elem == KE_I8 ? (n + 3) / 4 : n;
}

long kir_buf_floats(const Kir *k, int b, int batch)
{
	Type t = k->bufs.items[b].type;
	long n = kir_row_floats(&k->bufs.items[b]);
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

static void count_use(int *uses, int n, int let)
{
	if (let >= 0 && let < n)
		uses[let]++;
}

unsigned char *kir_inlined_lets(const Kernel *m)
{
	int n = m->lets.len, *uses = xcalloc((size_t)n + 1, sizeof(int));
	for (int i = 0; i < n; i++) {
		const KLet *l = &m->lets.items[i];
		if (l->a.kind == KV_LET)
			count_use(uses, n, l->a.let);
		if (ir_ops[l->op].arity == 2 && l->b.kind == KV_LET)
			count_use(uses, n, l->b.let);
	}
	for (int i = 0; i < m->stores.len; i++)
		count_use(uses, n, m->stores.items[i].let);
	unsigned char *inlined = xcalloc((size_t)n + 1, 1);
	for (int i = 0; i < n; i++)
		inlined[i] = !m->lets.items[i].named && uses[i] == 1;
	free(uses);
	return inlined;
}

unsigned char *kir_live_lets(const Kernel *m)
{
	unsigned char *live = xcalloc((size_t)m->lets.len + 1, 1);
	for (int i = 0; i < m->stores.len; i++)
		live[m->stores.items[i].let] = 1;
	for (int i = m->lets.len - 1; i >= 0; i--) {
		const KLet *l = &m->lets.items[i];
		if (!live[i])
			continue;
		if (l->a.kind == KV_LET)
			live[l->a.let] = 1;
		if (ir_ops[l->op].arity == 2 && l->b.kind == KV_LET)
			live[l->b.let] = 1;
	}
	return live;
}

/* Element j + a and element j' + b, for any j, j' < n, are the same only if j = j'. */
static int apart(int a, int b, int n)
{
	return a == b || a - b >= n || b - a >= n;
}

int kir_map_independent(const Kernel *m, int local_reduce)
{
	for (int i = 0; i < m->stores.len; i++) {
		const KStore *s = &m->stores.items[i];
		if (s->reduce) {
			if (!local_reduce)
				return 0;
			continue;
		}
		for (int k = 0; k < m->stores.len; k++)
			if (m->stores.items[k].buf == s->buf && !apart(m->stores.items[k].off, s->off, m->n))
				return 0;
		for (int k = 0; k < m->lets.len; k++) {
			const KLet *l = &m->lets.items[k];
			if ((l->a.kind == KV_LOAD && l->a.buf == s->buf && !apart(l->a.off, s->off, m->n)) ||
			    (ir_ops[l->op].arity == 2 && l->b.kind == KV_LOAD && l->b.buf == s->buf &&
			     !apart(l->b.off, s->off, m->n)))
				return 0;
		}
	}
	return 1;
}
