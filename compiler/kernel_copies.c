/* kernel_copies.c: the copies of a loop body made by its yield (see
 * kernel_loop.c) removed where the value can be computed into its
 * destination directly.
 *
 * Both passes ask, per copy, which kernels before or after it touch its
 * source or destination. They answer from an index of the kernels that
 * touch each buffer, kept while they change the body, so that a copy costs
 * what its two buffers' kernels do, not a walk of the body. */
#include <stdlib.h>
#include "kernels.h"

/* at[b]: the kernels that touch buffer b or once did, by index in the
 * body as it was built, ascending; gone[i]: kernel i was removed. Asking a
 * kernel of at[b] whether it still touches b (kir_reads, kir_writes) is up
 * to the reader. */
typedef Vec(int) Ints;
typedef struct {
	KList *list;
	Ints *at;
	unsigned char *gone;
} Index;

static Index index_body(Kir *k, KList *list)
{
	Index x = {list, xcalloc((size_t)k->bufs.len + 1, sizeof *x.at), xcalloc((size_t)list->len + 1, 1)};
	KUses u;
	kir_uses_init(&u, k);
	for (int i = 0; i < list->len; i++) {
		kir_uses_add(&u, &list->items[i]);
		for (int t = 0; t < u.touched.len; t++)
			vec_push(&x.at[u.touched.items[t]], i);
		kir_uses_clear(&u);
	}
	kir_uses_free(&u);
	return x;
}

/* Records that kernel i now touches b. */
static void index_add(Index *x, int b, int i)
{
	Ints *at = &x->at[b];
	int j = at->len;
	while (j > 0 && at->items[j - 1] > i)
		j--;
	if (j > 0 && at->items[j - 1] == i)
		return;
	vec_push(at, 0);
	for (int m = at->len - 1; m > j; m--)
		at->items[m] = at->items[m - 1];
	at->items[j] = i;
}

/* The body without the kernels removed; frees the index. */
static void index_close(Kir *k, Index *x)
{
	int n = 0;
	for (int i = 0; i < x->list->len; i++)
		if (!x->gone[i])
			x->list->items[n++] = x->list->items[i];
	x->list->len = n;
	for (int b = 0; b < k->bufs.len; b++)
		vec_free(&x->at[b]);
	free(x->at);
	free(x->gone);
}

static const Kernel *K(const Index *x, int i)
{
	return &x->list->items[i];
}

static int touches(const Index *x, int i, int b)
{
	return kir_reads(K(x, i), b) || kir_writes(K(x, i), b);
}

/* COPY dst <- src, where src is stored by a MAP earlier in the step: that
 * MAP stores into dst as well, when nothing after it reads or writes dst
 * and it reads dst only at its own element. Handles a value that several
 * states take (h is both a state and last(h)). */
static void duplicate_stores(Kir *k, KList *list)
{
	Index x = index_body(k, list);
	for (int c = 0; c < list->len; c++) {
		Kernel *cp = &list->items[c];
		if (cp->kind != K_COPY || x.gone[c])
			continue;
		int writer = -1, src = cp->a, dst = cp->out;
		for (int j = x.at[src].len - 1; j >= 0 && writer == -1; j--) {
			int w = x.at[src].items[j];
			if (w < c && !x.gone[w] && kir_writes(K(&x, w), src))
				writer = K(&x, w)->kind == K_MAP ? w : -2;
		}
		if (writer < 0 || kir_reads_shifted(K(&x, writer), dst))
			continue;
		int ok = 1;
		for (int j = x.at[dst].len - 1; j >= 0 && x.at[dst].items[j] > writer && ok; j--) {
			int r = x.at[dst].items[j];
			ok = r == c || x.gone[r] || !touches(&x, r, dst);
		}
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
		index_add(&x, dst, writer);
		x.gone[c] = 1;
	}
	index_close(k, &x);
}

/* COPY dst <- src in a loop body, src being this body's scratch: computes
 * into dst directly, from the first kernel that writes src, when nothing in
 * between reads dst's old value (a loop may read it at its own element j,
 * before it stores). */
static void rename_copies(Kir *k, KList *list)
{
	Index x = index_body(k, list);
	for (int c = 0; c < list->len; c++) {
		const Kernel *cp = &list->items[c];
		if (cp->kind != K_COPY || x.gone[c])
			continue;
		int src = cp->a, dst = cp->out, first = -1;
		Type ts = k->bufs.items[src].type, td = k->bufs.items[dst].type;
		if (k->bufs.items[src].cls != KB_ACT || ts.dim[0] != td.dim[0] || ts.rank != td.rank ||
		    ts.batched != td.batched || ts.timed)
			continue;
		for (int j = 0; j < x.at[src].len && first < 0; j++) {
			int w = x.at[src].items[j];
			if (w < c && !x.gone[w] && kir_writes(K(&x, w), src))
				first = w;
		}
		int ok = first >= 0;
		for (int j = 0; ok && j < x.at[dst].len && x.at[dst].items[j] < c; j++) {
			int r = x.at[dst].items[j];
			const Kernel *kn = K(&x, r);
			if (r >= first && !x.gone[r] &&
			    (kir_writes(kn, dst) || (kir_reads(kn, dst) && (r != first || kir_reads_shifted(kn, dst)))))
				ok = 0;
		}
		for (int j = x.at[src].len - 1; ok && j >= 0 && x.at[src].items[j] > c; j--) {
			int r = x.at[src].items[j];
			ok = x.gone[r] || !touches(&x, r, src);
		}
		if (!ok)
			continue;
		for (int j = 0; j < x.at[src].len && x.at[src].items[j] < c; j++) {
			int r = x.at[src].items[j];
			if (r >= first && !x.gone[r]) {
				kir_rename_buf(&list->items[r], src, dst);
				index_add(&x, dst, r);
			}
		}
		x.gone[c] = 1;
		c = -1;  /* renaming may enable earlier copies */
	}
	index_close(k, &x);
}

void kl_remove_copies(Kir *k, KList *body)
{
	duplicate_stores(k, body);
	rename_copies(k, body);
}
