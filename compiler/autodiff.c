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

int ad_mk(AD *ad, Op op, Type t, int a, int b)
{
	int args[2] = {a, b};
	int nargs = ir_ops[op].arity < 0 ? 0 : ir_ops[op].arity;
	return ir_add(ad->g, op, ad->region, t, args, nargs, NOLOC);
}

int ad_elem(AD *ad, Op op, int a, int b)
{
	Type t;
	if (!ir_elem_type(op, type_of(ad, a), b >= 0 ? type_of(ad, b) : type_of(ad, a), &t))
		SPK_BUG("autodiff built an ill-typed %s", ir_ops[op].name);
	return ad_mk(ad, op, t, a, b);
}

int ad_cnst(AD *ad, double v)
{
	int n = ir_add(ad->g, OP_CONST, 0, ir_scalar(), NULL, 0, NOLOC);
	N(ad, n)->a.f = v;
	return n;
}

void ad_accum(AD *ad, int a, int d)
{
	ad->adj[a] = ad->adj[a] < 0 ? d : ad_elem(ad, OP_ADD, ad->adj[a], d);
}

/* A node's source name, else that of the first named node it feeds (for
 * the names of saved values and adjoints in the IR and the emitted C). */
const char *ad_label(AD *ad, int v)
{
	for (int depth = 0; depth < 8; depth++) {
		if (N(ad, v)->name)
			return N(ad, v)->name;
		int next = -1;
		for (int j = v + 1; j < ad->n0 && next < 0; j++)
			for (int k = 0; k < N(ad, j)->nargs; k++)
				if (N(ad, j)->args[k] == v && N(ad, j)->op != OP_YIELD)
					next = j;
		if (next < 0)
			break;
		v = next;
	}
	return ir_ops[N(ad, v)->op].name;
}

/* ---- forward values seen from the backward body ------------------------ */

/* The (T, B, n) stack of forward body node v: the scan's own sequence for a
 * STEP, otherwise a stacked output the forward scan now also yields. */
int ad_stack_of(AD *ad, int v)
{
	if (ad->stack_of[v] >= 0)
		return ad->stack_of[v];
	Node *scan = N(ad, ad->fscan);
	int st;
	if (N(ad, v)->op == OP_STEP) {
		st = scan->args[N(ad, v)->a.k];
	} else {
		Node *y = N(ad, ad->fyield);
		int *args = arena_alloc(ad->g->arena, sizeof(int) * (size_t)(y->nargs + 1));
		memcpy(args, y->args, sizeof(int) * (size_t)y->nargs);
		args[y->nargs] = v;
		y->args = args;
		y->nargs++;
		int k = scan->a.scan.ncarry + scan->a.scan.nout++;
		Type t = type_of(ad, v);
		t.timed = 1;
		st = ir_add(ad->g, OP_SCAN_OUT, 0, t, &ad->fscan, 1, NOLOC);
		N(ad, st)->a.k = k;
		N(ad, st)->name = arena_printf(ad->g->arena, "%s_seq", ad_label(ad, v));
	}
	return ad->stack_of[v] = st;
}

/* A sequence operand of the backward scan, read at the current step. */
static int bstep(AD *ad, int stack)
{
	Type t = type_of(ad, stack);
	t.timed = 0;
	int s = ir_add(ad->g, OP_STEP, ad->region, t, NULL, 0, NOLOC);
	N(ad, s)->a.k = ad->bseqs.len;
	N(ad, s)->name = N(ad, stack)->name;
	vec_push(&ad->bseqs, stack);
	return s;
}

/* Elementwise work is cheaper to redo in the backward body than to store
 * for every step; products (GEMM results) are stored. */
static int recompute(AD *ad, int v)
{
	const Node *n = N(ad, v);
	if (!(ir_ops[n->op].flags & F_ELEM) && n->op != OP_SLICE)
		return 0;
	return !(n->op == OP_ADD && N(ad, n->args[0])->op == OP_MATMUL && N(ad, n->args[1])->op == OP_MATMUL);
}

/* Forward node v as a value usable where backward nodes are being built:
 * itself outside the loop; inside, recomputed from other forward values or
 * read from its stack. */
int ad_fwd(AD *ad, int v)
{
	if (ad->region == 0 || N(ad, v)->region != ad->fbody)
		return v;
	if (ad->step_of[v] >= 0)
		return ad->step_of[v];
	int r;
	if (recompute(ad, v)) {
		int args[2], nargs = N(ad, v)->nargs;
		for (int k = 0; k < nargs; k++)
			args[k] = ad_fwd(ad, N(ad, v)->args[k]);
		r = ir_add(ad->g, (Op)N(ad, v)->op, ad->region, type_of(ad, v), args, nargs, NOLOC);
		N(ad, r)->a = N(ad, v)->a;
		N(ad, r)->name = N(ad, v)->name;
	} else {
		r = bstep(ad, ad_stack_of(ad, v));
	}
	return ad->step_of[v] = r;
}

/* A backward per-step output holding d; each value is stacked once. */
int ad_bout(AD *ad, int d)
{
	for (int j = 0; j < ad->bouts.len; j++)
		if (ad->bouts.items[j] == d)
			return j;
	vec_push(&ad->bouts, d);
	return ad->bouts.len - 1;
}

/* ---- contributions ------------------------------------------------------ */

/* Adds d (shaped like the user) to the adjoint of operand a, undoing
 * broadcasts: a parameter vector used per sample receives the sum over the
 * batch, and over time when the use is inside the loop. */
void ad_contrib(AD *ad, int a, int d)
{
	if (!ad->live[a])
		return;
	Type ta = type_of(ad, a), td = type_of(ad, d);
	if (ta.rank == 0)
		SPK_BUG("a scalar %%%d lies between a parameter and the loss", a);
	if (ad->region != 0 && N(ad, a)->region == 0) {
		Deferred df = {OP_SUM_ROWS, a, ad_bout(ad, d), -1};
		vec_push(&ad->deferred, df);
		return;
	}
	if (!ta.batched && td.batched)
		d = ad_mk(ad, OP_SUM_ROWS, f32(ta), d, -1);
	ad_accum(ad, a, d);
}

/* The adjoint of node n, complete once all its users are done. */
/* "h.c" -> "h.d_c": the adjoint's name, d_ on the last component. */
const char *ad_adjoint_name(AD *ad, const char *name)
{
	const char *dot = strrchr(name, '.');
	if (!dot)
		return arena_printf(ad->g->arena, "d_%s", name);
	return arena_printf(ad->g->arena, "%.*sd_%s", (int)(dot - name + 1), name, dot + 1);
}

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

static int yield_of(const Graph *g, int scan)
{
	int body = g->nodes.items[scan].a.scan.body;
	for (int i = scan - 1; i >= 0; i--)
		if (g->nodes.items[i].op == OP_YIELD && g->nodes.items[i].region == body)
			return i;
	SPK_BUG("scan %%%d has no yield", scan);
}

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
					v = dep[g->nodes.items[yield_of(g, s)].args[x->a.k]] ||
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
				extra[0] = g->nodes.items[yield_of(g, x->args[0])].args[x->a.k];
			if (x->op == OP_CARRY) {
				int s = g->regions.items[x->region].scan;
				extra[0] = g->nodes.items[yield_of(g, s)].args[x->a.k];
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

static void backward_scan(AD *ad, int s, const AdOptions *opt)
{
	Graph *g = ad->g;
	ad->fscan = s;
	ad->fbody = N(ad, s)->a.scan.body;
	ad->fyield = yield_of(g, s);
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
			ad_contrib(ad, v, bstep(ad, ad->stack_adj[j]));
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
		if (df->op == OP_OUTER)
			ad_accum(ad, df->target, ad_mk(ad, OP_OUTER, type_of(ad, df->target), st, df->x));
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
