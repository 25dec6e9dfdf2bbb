/* autodiff_build.c: the builders that autodiff.c (the walk and the backward
 * scan) and derivatives.c (the rules) share: new nodes in the region being
 * built, adjoint accumulation, forward values seen from the backward body
 * (the node itself, recomputed, or a step of its saved stack) and names. */
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
int ad_bstep(AD *ad, int stack)
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
 * for every step. A product over spikes is too when the tape is large
 * (ad->lean_tape): its forward adds the weight rows of the active inputs,
 * and runtime/events.h gives every row the same bits however it is batched,
 * so the recomputation is exact and the tape of a spiking layer holds its
 * spikes only. Products over analog values are stored, and so is `W x + U h`
 * unless both are over spikes (its two products accumulate into one buffer,
 * which a recomputation must redo in the same order). */
static int recompute(AD *ad, int v)
{
	const Node *n = N(ad, v);
	if (n->op == OP_MATMUL)
		return ad->lean_tape && type_of(ad, n->args[1]).dtype == DT_SPIKE;
	if (!(ir_ops[n->op].flags & F_ELEM) && n->op != OP_SLICE)
		return 0;
	if (n->op == OP_ADD && N(ad, n->args[0])->op == OP_MATMUL && N(ad, n->args[1])->op == OP_MATMUL)
		return recompute(ad, n->args[0]) && recompute(ad, n->args[1]);
	return 1;
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
		r = ad_bstep(ad, ad_stack_of(ad, v));
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
