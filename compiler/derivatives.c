/* derivatives.c: one derivative rule per op, named in the rule column of
 * ops.h. A rule receives node n and its adjoint d and adds each operand's
 * share through ad_contrib (which undoes broadcasting); forward values come
 * through ad_fwd so that inside the backward loop they are recomputed or
 * read from the forward pass's saved stacks. */
#include <string.h>
#include "autodiff_private.h"

static void grad_leaf(AD *ad, int n, int d)
{
	(void)ad, (void)n, (void)d;
}

static void grad_none(AD *ad, int n, int d)
{
	(void)d;
	SPK_BUG("no derivative rule for %s (node %%%d)", ir_ops[N(ad, n)->op].name, n);
}

static void grad_add(AD *ad, int n, int d)
{
	int a = N(ad, n)->args[0], b = N(ad, n)->args[1];
	ad_contrib(ad, a, d);
	ad_contrib(ad, b, d);
}

static void grad_sub(AD *ad, int n, int d)
{
	int a = N(ad, n)->args[0], b = N(ad, n)->args[1];
	ad_contrib(ad, a, d);
	if (ad->live[b])
		ad_contrib(ad, b, ad_elem(ad, OP_NEG, d, -1));
}

static void grad_mul(AD *ad, int n, int d)
{
	int a = N(ad, n)->args[0], b = N(ad, n)->args[1];
	if (ad->live[a])
		ad_contrib(ad, a, ad_elem(ad, OP_MUL, d, ad_fwd(ad, b)));
	if (ad->live[b])
		ad_contrib(ad, b, ad_elem(ad, OP_MUL, d, ad_fwd(ad, a)));
}

/* d(a/b) = d/b da - d (a/b)/b db */
static void grad_div(AD *ad, int n, int d)
{
	int a = N(ad, n)->args[0], b = N(ad, n)->args[1];
	int db = ad_elem(ad, OP_DIV, d, ad_fwd(ad, b));
	if (ad->live[a])
		ad_contrib(ad, a, db);
	if (ad->live[b])
		ad_contrib(ad, b, ad_elem(ad, OP_NEG, ad_elem(ad, OP_MUL, db, ad_fwd(ad, n)), -1));
}

static void grad_neg(AD *ad, int n, int d)
{
	ad_contrib(ad, N(ad, n)->args[0], ad_elem(ad, OP_NEG, d, -1));
}

/* The spike's rule is its surrogate: d S(v) = psi(v) dv. */
static void grad_spike(AD *ad, int n, int d)
{
	int v = N(ad, n)->args[0];
	Surrogate sur = N(ad, n)->a.sur;
	int psi = ad_elem(ad, OP_SURROGATE, ad_fwd(ad, v), -1);
	N(ad, psi)->a.sur = sur;
	ad_contrib(ad, v, ad_elem(ad, OP_MUL, d, psi));
}

/* dropout is linear in x given its mask: dx = mask * d, the same mask
 * (the same site, drawn at the same step, row and feature). */
static void grad_dropout(AD *ad, int n, int d)
{
	int m = ad_elem(ad, OP_DROPOUT, d, -1);
	N(ad, m)->a.drop = N(ad, n)->a.drop;
	ad_contrib(ad, N(ad, n)->args[0], m);
}

/* d sigmoid = s (1 - s), from the output s */
static void grad_sigmoid(AD *ad, int n, int d)
{
	int s = ad_fwd(ad, n);
	int ds = ad_elem(ad, OP_MUL, s, ad_elem(ad, OP_SUB, ad_cnst(ad, 1), s));
	ad_contrib(ad, N(ad, n)->args[0], ad_elem(ad, OP_MUL, d, ds));
}

/* d tanh = 1 - t^2, from the output t */
static void grad_tanh(AD *ad, int n, int d)
{
	int t = ad_fwd(ad, n);
	int dt = ad_elem(ad, OP_SUB, ad_cnst(ad, 1), ad_elem(ad, OP_MUL, t, t));
	ad_contrib(ad, N(ad, n)->args[0], ad_elem(ad, OP_MUL, d, dt));
}

static void grad_slice(AD *ad, int n, int d)
{
	int a = N(ad, n)->args[0];
	if (!ad->live[a])
		return;
	Part p = {N(ad, n)->a.slice.off, N(ad, n)->a.slice.len, d};
	vec_push(&ad->parts[a], p);
}

/* y = x W^T: dx = dy W; dW = dy^T x, summed over the batch (and, inside
 * the loop, over time: deferred to one GEMM after the backward scan). */
static void grad_matmul(AD *ad, int n, int d)
{
	int w = N(ad, n)->args[0], x = N(ad, n)->args[1];
	if (ad->live[x]) {
		Type t = f32(type_of(ad, x));
		ad_contrib(ad, x, ad_mk(ad, OP_MATMUL_T, t, w, d));
	}
	if (!ad->live[w])
		return;
	if (ad->region == 0 || N(ad, w)->region != 0) {
		ad_accum(ad, w, ad_mk(ad, OP_OUTER, type_of(ad, w), d, ad_fwd(ad, x)));
		return;
	}
	Deferred df = {OP_OUTER, w, ad_bout(ad, d), ad_stack_of(ad, x)};
	vec_push(&ad->deferred, df);
}

/* y = E[id]: dE[id] += dy, summed over the batch (and, inside the loop,
 * over time: deferred to one scatter after the backward scan). Token ids
 * have no gradient. */
static void grad_embed(AD *ad, int n, int d)
{
	int e = N(ad, n)->args[0], ids = N(ad, n)->args[1];
	if (!ad->live[e])
		return;
	if (ad->region == 0 || N(ad, e)->region != 0) {
		ad_accum(ad, e, ad_mk(ad, OP_SCATTER, type_of(ad, e), d, ad_fwd(ad, ids)));
		return;
	}
	Deferred df = {OP_SCATTER, e, ad_bout(ad, d), ad_stack_of(ad, ids)};
	vec_push(&ad->deferred, df);
}

static void grad_loss(AD *ad, int n, int d, Op rule)
{
	int y = N(ad, n)->args[0], labels = N(ad, n)->args[1];
	int g = ad_mk(ad, rule, f32(type_of(ad, y)), y, labels);
	N(ad, g)->name = ad_adjoint_name(ad, ad_label(ad, y));
	ad_contrib(ad, y, ad_elem(ad, OP_MUL, g, d));
}

static void grad_cross_entropy(AD *ad, int n, int d)
{
	grad_loss(ad, n, d, OP_CE_GRAD);
}

static void grad_mse(AD *ad, int n, int d)
{
	grad_loss(ad, n, d, OP_MSE_GRAD);
}

const GradRule ad_rules[OP_COUNT] = {
#define OP(id, spelling, arity, flags, rule) rule,
#include "ops.h"
#undef OP
};
