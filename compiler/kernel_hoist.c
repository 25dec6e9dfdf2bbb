/* kernel_hoist.c: input projections hoisted out of the time loop.
 *
 * In the training program, a GEMM `out = x @ W^T` in a forward LOOP, whose
 * x is a model input (read as its step-t view), whose W is a parameter and
 * whose out is a timed buffer that nothing earlier in the body touches,
 * computes step t's rows of out from step t's rows of x alone. Before the
 * loop, where a timed buffer is its T*B rows, one GEMM computes every step
 * at once: one large product instead of T small ones. The rows, and so the
 * bits, are the same (each output row depends on its input row only). The
 * forward program is left alone: its step is also `stream_step`, one step
 * at a time. */
#include <stdlib.h>
#include "kernels.h"

static int hoistable(const Kir *k, const KList *body, int i)
{
	const Kernel *kn = &body->items[i];
	if (kn->kind != K_GEMM || kn->gemm != GEMM_XWT || kn->accumulate)
		return 0;
	const KBuf *x = &k->bufs.items[kn->a], *w = &k->bufs.items[kn->b], *out = &k->bufs.items[kn->out];
	if (x->cls != KB_INPUT || !x->type.timed || w->cls != KB_PARAM || !out->type.timed || out->cls != KB_ACT)
		return 0;
	for (int j = 0; j < i; j++)
		if (kir_reads(&body->items[j], kn->out) || kir_writes(&body->items[j], kn->out))
			return 0;
	return 1;
}

void kir_hoist_projections(Kir *k)
{
	KList *prog = &k->prog[PROG_TRAIN].kernels, out = {0};
	int loss_at = k->prog[PROG_TRAIN].loss_at;
	for (int i = 0; i < prog->len; i++) {
		Kernel *loop = &prog->items[i];
		if (loop->kind == K_LOOP && !loop->reverse) {
			KList *body = loop->body, kept = {0};
			for (int j = 0; j < body->len; j++) {
				if (hoistable(k, body, j)) {
					vec_push(&out, body->items[j]);
					if (i < k->prog[PROG_TRAIN].loss_at)
						loss_at++;
				} else {
					vec_push(&kept, body->items[j]);
				}
			}
			free(body->items);
			*body = kept;
		}
		vec_push(&out, *loop);
	}
	free(prog->items);
	*prog = out;
	k->prog[PROG_TRAIN].loss_at = loss_at;
}
