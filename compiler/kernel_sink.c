/* kernel_sink.c: weight gradients summed step by step inside the backward
 * loop, so that the training tape holds no per-step gradients.
 *
 * Autodiff defers a parameter's contribution from inside the loop to one
 * reduction after it (kir.h: `gemm dW += d^T @ x`, `sum_rows db += d` over
 * T*B rows of stacks). Such a reduction, when the stacks it reads are final
 * for step t at the end of step t (the loop writes step t only at t, and
 * nothing between the loop and the reduction writes them) and nothing in
 * between touches its gradient, gives the same sum taken one step at a
 * time: it moves to the end of the loop body, where it reads the step-t
 * views. The sums' order changes (step by step instead of one product over
 * all rows), the same in both backends and for any thread count.
 *
 * A stack that is then only used inside one loop, written whole before it
 * is read in every step, needs no time axis: it becomes one step's rows. */
#include <stdlib.h>
#include <string.h>
#include "kernels.h"

static int is_deferred_reduction(const Kir *k, const Kernel *kn)
{
	if (!kn->accumulate || k->bufs.items[kn->out].cls != KB_GRAD)
		return 0;
	if (kn->kind == K_SUM_ROWS)
		return k->bufs.items[kn->a].type.timed;
	return kn->kind == K_GEMM && kn->gemm == GEMM_OUTER && k->bufs.items[kn->a].type.timed &&
	       k->bufs.items[kn->b].type.timed;
}

/* Whether kernels [from, to) of list leave buffer b alone. */
static int untouched(const KList *list, int from, int to, int b)
{
	for (int i = from; i < to; i++)
		if (kir_reads(&list->items[i], b) || kir_writes(&list->items[i], b))
			return 0;
	return 1;
}

static int sinkable(const Kir *k, const KList *prog, int loop, int i)
{
	const Kernel *kn = &prog->items[i];
	if (!is_deferred_reduction(k, kn) || !untouched(prog, loop + 1, i, kn->out))
		return 0;
	int ops[2] = {kn->a, kn->kind == K_GEMM ? kn->b : kn->a};
	for (int j = 0; j < 2; j++)
		for (int r = loop + 1; r < i; r++)
			if (kir_writes(&prog->items[r], ops[j]))
				return 0;
	return 1;
}

/* Whether kn, the first kernel of a loop body that touches b, writes all
 * of b without reading it (a MAP: non-accumulating stores covering its
 * row). */
static int written_first(const Kir *k, const Kernel *kn, int b)
{
	if (kir_reads(kn, b))
		return 0;
	if (kn->kind != K_MAP)
		return kn->kind != K_LOOP;
	int width = k->bufs.items[b].type.dim[0], covered = 0;
	unsigned char *done = xcalloc((size_t)width + 1, 1);
	for (int s = 0; s < kn->stores.len; s++) {
		const KStore *st = &kn->stores.items[s];
		for (int j = st->off; st->buf == b && !st->reduce && j < st->off + kn->n && j < width; j++)
			covered += !done[j], done[j] = 1;
	}
	free(done);
	return covered == width;
}

/* "h_d_a_seq" -> "h_d_a" for a stack that became one step, unless taken. */
static void drop_seq_suffix(Kir *k, KBuf *kb)
{
	size_t n = strlen(kb->name);
	if (n < 5 || strcmp(kb->name + n - 4, "_seq") != 0)
		return;
	const char *name = arena_printf(k->arena, "%.*s", (int)(n - 4), kb->name);
	for (int p = 0; p < PROG_COUNT; p++)
		if (strmap_get(&k->names[p], name))
			return;
	int b = (int)(kb - k->bufs.items);
	kir_count_name(k, b, -1);
	kb->name = name;
	kir_count_name(k, b, 1);
}

/* The timed scratch that only this loop uses and that each step writes
 * whole before reading it: one step's rows. */
static void untime_stacks(Kir *k, const KList *prog, int loop)
{
	const KList *body = prog->items[loop].body;
	int *first = xmalloc(sizeof(int) * (size_t)(k->bufs.len + 1));  /* the first kernel touching b */
	KUses in, out;
	kir_uses_init(&in, k);
	kir_uses_init(&out, k);
	for (int j = 0; j < body->len; j++) {
		int seen = in.touched.len;
		kir_uses_add(&in, &body->items[j]);
		for (int t = seen; t < in.touched.len; t++)
			first[in.touched.items[t]] = j;
	}
	for (int i = 0; i < prog->len; i++)
		if (i != loop)
			kir_uses_add(&out, &prog->items[i]);
	for (int b = 0; b < k->bufs.len; b++) {
		KBuf *kb = &k->bufs.items[b];
		if (kb->cls == KB_ACT && kb->type.timed && in.use[b] && !out.use[b] &&
		    written_first(k, &body->items[first[b]], b)) {
			kb->type.timed = 0;
			drop_seq_suffix(k, kb);
		}
	}
	kir_uses_free(&in);
	kir_uses_free(&out);
	free(first);
}

void kir_sink_reductions(Kir *k)
{
	KList *prog = &k->prog[PROG_TRAIN].kernels;
	for (int l = 0; l < prog->len; l++) {
		if (prog->items[l].kind != K_LOOP || !prog->items[l].reverse)
			continue;
		for (int i = l + 1; i < prog->len; i++)
			if (sinkable(k, prog, l, i)) {
				vec_push(prog->items[l].body, prog->items[i]);
				for (int j = i; j + 1 < prog->len; j++)
					prog->items[j] = prog->items[j + 1];
				prog->len--;
				i--;
			}
		untime_stacks(k, prog, l);
	}
}
