/* autodiff.c: reverse-mode differentiation of the graph IR.
 *
 * requires: a verified, scheduled graph with a scalar loss and at most one
 * scan.  guarantees: Graph.param_grad[k] is d loss / d param k (and
 * input_grad[k] for inputs when asked), built from one derivative rule per op
 * (the `rule` column of ops.h), walked only over the nodes that lie between
 * a parameter and the loss. The result needs rescheduling (ad_run does it).
 *
 * The backward of the scan is a reverse scan (BPTT). Its carries are the
 * adjoints of the forward carries; it reads, step by step, the adjoints of
 * the stacked forward outputs and the forward values its rules need, which
 * the forward scan saves as extra stacked outputs. Contributions to
 * parameters from inside the loop are stacked over time and reduced once
 * after it: one GEMM over all (T x B) rows for a weight, one row sum for a
 * bias. */
#include <stdlib.h>
#include <string.h>
#include "autodiff_private.h"

static int name_adjoint(AD *ad, int n, int d)
{
	if (d >= ad->n0 && !N(ad, d)->name && N(ad, n)->name)
		N(ad, d)->name = ad_adjoint_name(ad, N(ad, n)->name);
	return d;
}

static int finalize(AD *ad, int n)
{
	int d = ad->adj[n];
	Parts *ps = &ad->parts[n];
	if (!ps->len)
		return d < 0 ? d : name_adjoint(ad, n, d);
	for (int i = 1; i < ps->len; i++)
		for (int j = i; j > 0 && ps->items[j].off < ps->items[j - 1].off; j--) {
			Part t = ps->items[j];
			ps->items[j] = ps->items[j - 1];
			ps->items[j - 1] = t;
		}
	Type t = f32(type_of(ad, n));
	int args[64], nargs = 0, at = 0;
	for (int i = 0; i <= ps->len && nargs < 62; i++) {
		int off = i < ps->len ? ps->items[i].off : t.dim[0];
		if (off < at)
			SPK_BUG("overlapping slices of %%%d are not differentiable yet", n);
		if (off > at) {
			Type z = t;
			z.dim[0] = off - at;
			args[nargs++] = ir_add(ad->g, OP_ZEROS, ad->region, z, NULL, 0, NOLOC);
		}
		if (i < ps->len) {
			args[nargs++] = ps->items[i].d;
			at = off + ps->items[i].len;
		}
	}
	if (nargs >= 62)
		SPK_BUG("too many slices of %%%d", n);
	int c = ir_add(ad->g, OP_CONCAT, ad->region, t, args, nargs, NOLOC);
	vec_free(ps);
	return name_adjoint(ad, n, d < 0 ? c : ad_elem(ad, OP_ADD, d, c));
}

/* ---- which nodes to differentiate -------------------------------------- */

/* live = depends on a parameter (or a differentiated input) and the loss
 * depends on it. Carries make both relations cyclic: iterate to a fixpoint. */
static void liveness(AD *ad, const AdOptions *opt)
{
	const Graph *g = ad->g;
	int n = ad->n0, changed = 1;
	unsigned char *dep = xcalloc((size_t)n, 1), *need = xcalloc((size_t)n, 1);
	while (changed) {
		changed = 0;
		for (int i = 0; i < n; i++) {
			const Node *x = &g->nodes.items[i];
			int v = x->op == OP_PARAM || (x->op == OP_INPUT && opt->input_grads);
			for (int k = 0; k < x->nargs && !v; k++)
				v = dep[x->args[k]];
			if (x->op == OP_STEP || x->op == OP_CARRY || x->op == OP_SCAN_OUT) {
				int s = x->op == OP_SCAN_OUT ? x->args[0] : g->regions.items[x->region].scan;
				const Node *sn = &g->nodes.items[s];
				if (x->op == OP_STEP)
					v = dep[sn->args[x->a.k]];
				else
					v = dep[g->nodes.items[ir_yield_of(g, s)].args[x->a.k]] ||
					    (x->op == OP_CARRY && dep[sn->args[sn->a.scan.nseq + x->a.k]]);
			}
			if (v && !dep[i])
				dep[i] = changed = 1;
		}
	}
	need[g->loss] = changed = 1;
	while (changed) {
		changed = 0;
		for (int i = n - 1; i >= 0; i--) {
			const Node *x = &g->nodes.items[i];
			if (!need[i])
				continue;
			int extra[2] = {-1, -1};
			if (x->op == OP_SCAN_OUT)
				extra[0] = g->nodes.items[ir_yield_of(g, x->args[0])].args[x->a.k];
			if (x->op == OP_CARRY) {
				int s = g->regions.items[x->region].scan;
				extra[0] = g->nodes.items[ir_yield_of(g, s)].args[x->a.k];
				extra[1] = g->nodes.items[s].args[g->nodes.items[s].a.scan.nseq + x->a.k];
			}
			if (x->op == OP_STEP) {
				int s = g->regions.items[x->region].scan;
				extra[0] = g->nodes.items[s].args[x->a.k];
			}
			for (int k = 0; k < x->nargs + 2; k++) {
				int a = k < x->nargs ? x->args[k] : extra[k - x->nargs];
				if (a >= 0 && !need[a])
					need[a] = changed = 1;
			}
		}
	}
	for (int i = 0; i < n; i++)
		ad->live[i] = dep[i] && need[i];
	free(dep);
	free(need);
}

/* ---- the backward scan ------------------------------------------------- */

/* Whether the backward scan recomputes the forward products over spikes
 * instead of reading them from the tape: when storing them would take more
 * than AD_TAPE_PRODUCT_BYTES per sample. Below that the tape is small
 * enough that recomputing (a second event-driven product per step) costs
 * more than the memory is worth; above it, it is what lets a long sequence
 * train in little memory (docs/speed.md, "The tape"). */
enum { AD_TAPE_PRODUCT_BYTES = 1 << 20 };

static int lean_tape(AD *ad, const AdOptions *opt)
{
	if (opt->tape != AD_TAPE_AUTO)
		return opt->tape == AD_TAPE_RECOMPUTE;
	double bytes = 0;
	for (int i = 0; i < ad->n0; i++)
		if (N(ad, i)->region == ad->fbody && N(ad, i)->op == OP_MATMUL &&
		    type_of(ad, N(ad, i)->args[1]).dtype == DT_SPIKE)
			bytes += 4.0 * type_of(ad, i).dim[0] * ad->g->steps;
	return bytes > AD_TAPE_PRODUCT_BYTES;
}

static void backward_scan(AD *ad, int s, const AdOptions *opt)
{
	Graph *g = ad->g;
	ad->fscan = s;
	ad->fbody = N(ad, s)->a.scan.body;
	ad->fyield = ir_yield_of(g, s);
	ad->lean_tape = lean_tape(ad, opt);
	int nseq = N(ad, s)->a.scan.nseq, ncarry = N(ad, s)->a.scan.ncarry;
	int nout = N(ad, s)->a.scan.nout;
	int body = ir_new_region(g, 0);
	int outer = ad->region;
	ad->region = body;

	/* Backward carries: the adjoints of the forward carries, seeded at the
	 * last step with the adjoints of the final values. */
	Vec(int) binit = {0};
	Vec(int) bcarry_of = {0};  /* forward carry -> backward carry index, -1 */
	Vec(int) bcarry_node = {0};
	for (int k = 0; k < ncarry; k++) {
		int next = N(ad, ad->fyield)->args[k];
		if (!ad->live[next]) {
			vec_push(&bcarry_of, -1);
			continue;
		}
		Type t = f32(type_of(ad, next));
		int init = ad->final_adj[k] >= 0 ? ad->final_adj[k] : ir_add(g, OP_ZEROS, 0, t, NULL, 0, NOLOC);
		int c = ir_add(g, OP_CARRY, body, t, NULL, 0, NOLOC);
		N(ad, c)->a.k = binit.len;
		N(ad, c)->name = ad_adjoint_name(ad, N(ad, next)->name ? N(ad, next)->name : "carry");
		vec_push(&bcarry_of, binit.len);
		vec_push(&binit, init);
		vec_push(&bcarry_node, c);
		ad_contrib(ad, next, c);
	}
	for (int j = 0; j < nout; j++) {
		int v = N(ad, ad->fyield)->args[ncarry + j];
		if (ad->stack_adj[j] >= 0 && ad->live[v])
			ad_contrib(ad, v, ad_bstep(ad, ad->stack_adj[j]));
	}
	/* The body, last node first. */
	Vec(int) bnext = {0};
	for (int k = 0; k < binit.len; k++)
		vec_push(&bnext, -1);
	for (int i = s - 1; i >= 0; i--) {
		if (N(ad, i)->region != ad->fbody || i >= ad->n0 || N(ad, i)->op == OP_YIELD)
			continue;
		int d = finalize(ad, i);
		if (d < 0)
			continue;
		if (N(ad, i)->op == OP_CARRY) {
			int bk = bcarry_of.items[N(ad, i)->a.k];
			if (bk >= 0)
				bnext.items[bk] = d;
		} else if (N(ad, i)->op == OP_STEP) {
			if (opt->input_grads)
				ad->input_out[N(ad, i)->a.k] = ad_bout(ad, d);
		} else {
			ad_rules[N(ad, i)->op](ad, i, d);
		}
	}
	/* The yield: each backward carry's value before this step. */
	int nb = binit.len, nbout = ad->bouts.len;
	int y = ir_add(g, OP_YIELD, body, ir_scalar(), NULL, nb + nbout, NOLOC);
	for (int k = 0; k < nb; k++) {
		int next = bnext.items[k];
		if (next < 0)
			next = ir_add(g, OP_ZEROS, body, type_of(ad, bcarry_node.items[k]), NULL, 0, NOLOC);
		N(ad, y)->args[k] = next;
	}
	for (int j = 0; j < nbout; j++)
		N(ad, y)->args[nb + j] = ad->bouts.items[j];
	int bs = ir_add(g, OP_SCAN, 0, ir_scalar(), NULL, ad->bseqs.len + nb, NOLOC);
	for (int k = 0; k < ad->bseqs.len; k++)
		N(ad, bs)->args[k] = ad->bseqs.items[k];
	for (int k = 0; k < nb; k++)
		N(ad, bs)->args[ad->bseqs.len + k] = binit.items[k];
	N(ad, bs)->a.scan.body = body;
	N(ad, bs)->a.scan.nseq = ad->bseqs.len;
	N(ad, bs)->a.scan.ncarry = nb;
	N(ad, bs)->a.scan.nout = nbout;
	N(ad, bs)->a.scan.reverse = 1;
	N(ad, bs)->a.scan.window = opt->tbptt;
	N(ad, bs)->name = "backward";
	g->regions.items[body].scan = bs;

	/* After the loop: the stacked contributions, reduced over (T, B). */
	ad->region = outer;
	int *stacks = xmalloc(sizeof(int) * (size_t)(nbout + 1));
	for (int j = 0; j < nbout; j++) {
		int d = ad->bouts.items[j];
		if (N(ad, d)->op == OP_STEP && N(ad, d)->region == body) {
			stacks[j] = ad->bseqs.items[N(ad, d)->a.k];  /* already a stack */
			continue;
		}
		Type t = type_of(ad, d);
		t.timed = 1;
		stacks[j] = ir_add(g, OP_SCAN_OUT, 0, t, &bs, 1, NOLOC);
		N(ad, stacks[j])->a.k = nb + j;
		N(ad, stacks[j])->name = arena_printf(g->arena, "%s_seq", N(ad, d)->name ? N(ad, d)->name : "d");
	}
	for (int i = 0; i < ad->deferred.len; i++) {
		Deferred *df = &ad->deferred.items[i];
		int st = stacks[df->out];
		if (df->op == OP_OUTER || df->op == OP_SCATTER)
			ad_accum(ad, df->target, ad_mk(ad, df->op, type_of(ad, df->target), st, df->x));
		else
			ad_accum(ad, df->target, ad_mk(ad, OP_SUM_ROWS, f32(type_of(ad, df->target)), st, -1));
	}
	for (int k = 0; k < nseq; k++)
		if (ad->input_out[k] >= 0) {
			int in = N(ad, s)->args[k];
			if (N(ad, in)->op == OP_INPUT)
				g->input_grad[N(ad, in)->a.k] = stacks[ad->input_out[k]];
		}
	free(stacks);
	vec_free(&binit);
	vec_free(&bcarry_of);
	vec_free(&bcarry_node);
	vec_free(&bnext);
}

void pass_autodiff(Graph *g, const AdOptions *opt)
{
	if (g->loss < 0)
		SPK_BUG("autodiff needs a loss");
	int n0 = g->nodes.len;
	AD ad = {0};
	ad.g = g;
	ad.n0 = n0;
	ad.adj = xmalloc(sizeof(int) * (size_t)n0);
	ad.parts = xcalloc((size_t)n0, sizeof *ad.parts);
	ad.live = xcalloc((size_t)n0, 1);
	ad.stack_of = xmalloc(sizeof(int) * (size_t)n0);
	ad.step_of = xmalloc(sizeof(int) * (size_t)n0);
	ad.final_adj = xmalloc(sizeof(int) * (size_t)n0);
	ad.stack_adj = xmalloc(sizeof(int) * (size_t)n0);
	ad.input_out = xmalloc(sizeof(int) * (size_t)n0);
	for (int i = 0; i < n0; i++)
		ad.adj[i] = ad.stack_of[i] = ad.step_of[i] = ad.final_adj[i] = ad.stack_adj[i] =
			ad.input_out[i] = -1;
	g->param_grad = arena_alloc(g->arena, sizeof(int) * (size_t)(g->params.len + 1));
	g->input_grad = arena_alloc(g->arena, sizeof(int) * (size_t)(g->inputs.len + 1));
	for (int k = 0; k < g->params.len; k++)
		g->param_grad[k] = -1;
	for (int k = 0; k < g->inputs.len; k++)
		g->input_grad[k] = -1;
	liveness(&ad, opt);

	ad.adj[g->loss] = ad_cnst(&ad, 1);
	for (int i = n0 - 1; i >= 0; i--) {
		if (N(&ad, i)->region != 0)
			continue;
		if (N(&ad, i)->op == OP_SCAN) {
			/* Its adjoint is that of its results, gathered from the
			 * scan_outs above it. */
			const Node *sn = N(&ad, i);
			int any = 0;
			for (int k = 0; k < sn->a.scan.ncarry + sn->a.scan.nout; k++)
				any |= (k < sn->a.scan.ncarry ? ad.final_adj[k] : ad.stack_adj[k - sn->a.scan.ncarry]) >= 0;
			if (any)
				backward_scan(&ad, i, opt);
			continue;
		}
		int d = finalize(&ad, i);
		if (d < 0 || !ad.live[i])
			continue;
		const Node *n = N(&ad, i);
		switch ((Op)n->op) {
		case OP_SCAN_OUT: {
			const Node *s = N(&ad, n->args[0]);
			int *slot = n->a.k < s->a.scan.ncarry ? &ad.final_adj[n->a.k]
							      : &ad.stack_adj[n->a.k - s->a.scan.ncarry];
			*slot = *slot < 0 ? d : ad_elem(&ad, OP_ADD, *slot, d);
			break;
		}
		case OP_PARAM:
			g->param_grad[n->a.k] = d;
			break;
		default:
			ad_rules[n->op](&ad, i, d);
			break;
		}
	}
	for (int i = 0; i < n0; i++)
		vec_free(&ad.parts[i]);
	vec_free(&ad.bseqs);
	vec_free(&ad.bouts);
	vec_free(&ad.deferred);
	free(ad.adj), free(ad.parts), free(ad.live), free(ad.stack_of), free(ad.step_of);
	free(ad.final_adj), free(ad.stack_adj), free(ad.input_out);
	ir_schedule(g);
}
