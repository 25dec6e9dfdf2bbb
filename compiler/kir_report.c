/* kir_report.c: see kir_report.h. */
#include <stdlib.h>
#include <string.h>
#include "kir_report.h"

/* The counted spike value (index in k->spikes) that `list` stores into
 * buffer b, through copies; -1 if none. */
static int spike_stored(const Kir *k, const KList *list, int b, int depth)
{
	for (int i = 0; i < list->len && depth < 8; i++) {
		const Kernel *kn = &list->items[i];
		int s = -1;
		if (kn->kind == K_LOOP)
			s = spike_stored(k, kn->body, b, depth);
		else if (kn->kind == K_COPY && kn->out == b)
			s = spike_stored(k, &k->prog[PROG_INFER].kernels, kn->a, depth + 1);
		for (int j = 0; kn->kind == K_MAP && j < kn->stores.len && s < 0; j++) {
			const char *name = k->g->nodes.items[kn->lets.items[kn->stores.items[j].let].node].name;
			if (kn->stores.items[j].buf != b || !name)
				continue;
			for (int q = 0; q < k->spikes.len && s < 0; q++)
				if (!strcmp(k->spikes.items[q].name, name))
					s = q;
		}
		if (s >= 0)
			return s;
	}
	return -1;
}

/* The products of list (inside a loop when in_loop); zeroed marks the
 * buffers zeroed before the loop. */
static void products(const Kir *k, const KList *list, int in_loop, unsigned char *zeroed, KReport *r)
{
	for (int i = 0; i < list->len; i++) {
		const Kernel *kn = &list->items[i];
		if (kn->kind == K_ZERO && !in_loop)
			zeroed[kn->out] = 1;
		if (kn->kind == K_LOOP)
			products(k, kn->body, 1, zeroed, r);
		if (kn->kind != K_GEMM || kn->gemm != GEMM_XWT)
			continue;
		const KBuf *x = &k->bufs.items[kn->a], *w = &k->bufs.items[kn->b];
		KProduct p = {x->name, w->name, w->type.dim[0], w->type.dim[1], 1, kn->spikes, -1, 0};
		if (in_loop || x->type.timed)
			p.apps = k->steps;
		if (p.events && x->cls != KB_INPUT) {
			int s = spike_stored(k, &k->prog[PROG_INFER].kernels, kn->a, 0);
			p.spike = s < 0 ? KPRODUCT_UNCOUNTED : s;
			p.live = p.apps - (in_loop && zeroed[kn->a]);
		}
		r->macs += (long)p.m * p.k * p.apps;
		vec_push(&r->products, p);
	}
}

/* Floats per sample of the timed buffers of the train program that its
 * forward part writes and its backward part reads. */
static long tape_floats(const Kir *k)
{
	const KProgram *pr = &k->prog[PROG_TRAIN];
	KUses fwd, bwd;
	kir_uses_init(&fwd, k);
	kir_uses_init(&bwd, k);
	for (int i = 0; i < pr->kernels.len; i++)
		kir_uses_add(i < pr->loss_at ? &fwd : &bwd, &pr->kernels.items[i]);
	long n = 0;
	for (int b = 0; b < k->bufs.len; b++) {
		const KBuf *kb = &k->bufs.items[b];
		if (kb->cls == KB_ACT && kb->program == PROG_TRAIN && kb->type.timed && (fwd.use[b] & KIR_WRITE) &&
		    (bwd.use[b] & KIR_READ))
			n += kir_buf_floats(k, b, 1);
	}
	kir_uses_free(&fwd);
	kir_uses_free(&bwd);
	return n;
}

void kir_report(const Kir *k, KReport *r)
{
	memset(r, 0, sizeof *r);
	r->params = k->nparams;
	r->infer_floats = kir_workspace_floats(k, PROG_INFER, 1);
	if (k->has_train) {
		r->train_floats = kir_workspace_floats(k, PROG_TRAIN, 1);
		r->tape_floats = tape_floats(k);
	}
	unsigned char *zeroed = xcalloc((size_t)k->bufs.len + 1, 1);
	products(k, &k->prog[PROG_INFER].kernels, 0, zeroed, r);
	free(zeroed);
}

void kir_report_free(KReport *r)
{
	vec_free(&r->products);
}

double kir_report_synops(const Kir *k, const KProduct *p, double input_ones, const double *spike_counts,
			 double *active)
{
	*active = 0;
	if (!p->events || p->spike == KPRODUCT_UNCOUNTED)
		return 0;
	*active = p->spike < 0 ? input_ones : spike_counts[p->spike] / k->steps * p->live;
	return *active * p->m;
}
