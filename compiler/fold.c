/* fold.c: constant folding and algebraic identities.
 *
 * requires: a verified graph.  guarantees: no elementwise node has only
 * constant operands; x + 0, x - 0, x * 1, x / 1 and -(-x) are x when that
 * keeps the node's type. Spike of a constant is folded too: it has no
 * gradient to keep (its input depends on no parameter); so is the
 * straight-through surrogate, whose psi is 1. */
#include <stdlib.h>
#include "passes.h"

static int is_const(const Graph *g, int n, double *v)
{
	const Node *c = &g->nodes.items[n];
	if (c->op != OP_CONST)
		return 0;
	if (v)
		*v = c->a.f;
	return 1;
}

static int fold_value(Op op, double a, double b, double *r)
{
	switch (op) {
	case OP_ADD: *r = a + b; return 1;
	case OP_SUB: *r = a - b; return 1;
	case OP_MUL: *r = a * b; return 1;
	case OP_DIV: if (b == 0) return 0; *r = a / b; return 1;
	case OP_NEG: *r = -a; return 1;
	case OP_SPIKE: *r = a > 0; return 1;
	default: return 0;
	}
}

/* The operand that `x op c` reduces to, or -1. */
static int identity(const Graph *g, const Node *n)
{
	double c;
	if (n->nargs != 2)
		return -1;
	int x = n->args[0], y = n->args[1];
	if (is_const(g, y, &c) && ((c == 0 && (n->op == OP_ADD || n->op == OP_SUB)) ||
				   (c == 1 && (n->op == OP_MUL || n->op == OP_DIV))))
		return x;
	if (is_const(g, x, &c) && ((c == 0 && n->op == OP_ADD) || (c == 1 && n->op == OP_MUL)))
		return y;
	return -1;
}

void pass_fold(Graph *g)
{
	int *fwd = xmalloc(sizeof(int) * (size_t)g->nodes.len);
	for (int i = 0; i < g->nodes.len; i++) {
		fwd[i] = i;
		Node *n = &g->nodes.items[i];
		for (int k = 0; k < n->nargs; k++)
			n->args[k] = fwd[n->args[k]];
		if (!(ir_ops[n->op].flags & F_ELEM))
			continue;
		if (n->op == OP_SURROGATE && n->a.sur.kind == SUR_STRAIGHT_THROUGH) {
			n->op = OP_CONST;  /* psi = 1 */
			n->nargs = 0;
			n->a.f = 1;
			n->type = ir_scalar();
			continue;
		}
		double a, b = 0, r;
		if (n->type.rank == 0 && is_const(g, n->args[0], &a) &&
		    (n->nargs == 1 || is_const(g, n->args[1], &b)) && fold_value(n->op, a, b, &r)) {
			n->op = OP_CONST;
			n->nargs = 0;
			n->a.f = r;
			n->type.rank = n->type.batched = n->type.timed = 0;  /* a scalar of the same dtype */
			continue;
		}
		int x = identity(g, n);
		if (x < 0 && n->op == OP_NEG && g->nodes.items[n->args[0]].op == OP_NEG)
			x = g->nodes.items[n->args[0]].args[0];
		if (x >= 0 && ir_type_eq(g->nodes.items[x].type, n->type))
			fwd[i] = x;
	}
	pass_forward_uses(g, fwd);
	free(fwd);
}
