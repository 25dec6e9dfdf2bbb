/* lower_ops.c: typed graph nodes for the operators of the DSL and for its
 * built-in functions, applied to arguments already evaluated (lower_expr.c
 * evaluates them and checks their count and names). Numbers are folded at
 * compile time; anything touching a tensor becomes IR. Values computed
 * inside the time loop live in the scan body; values computed after it
 * (from last, mean) live at the top level; the two never mix. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "lower.h"

/* The region a node computed from these operands lives in, or -1 when the
 * operands mix per-step values with values computed after the loop. */
static int region_for(Lower *L, const int *args, int n)
{
	int step = 0, after = 0;
	for (int i = 0; i < n; i++) {
		Node *a = &L->g->nodes.items[args[i]];
		if (a->region == L->body)
			step = 1;
		else if (a->type.batched)
			after = 1;
	}
	if (step && after)
		return -1;
	return step ? L->body : 0;
}

static const char *shape_words(Type t, char *buf, size_t n)
{
	char ty[64];
	ir_type_str(t, ty, sizeof ty);
	if (t.rank == 0)
		snprintf(buf, n, "a scalar");
	else
		snprintf(buf, n, "%s", ty);
	return buf;
}

Value lower_make_op(Lower *L, Op op, const int *args, int nargs, SrcLoc loc, const char *opname)
{
	int region = region_for(L, args, nargs);
	if (region < 0) {
		lower_error(L, loc, "'%s' mixes a per-step value with one computed after the time loop "
			    "(by last or mean)", opname);
		return (Value){0};
	}
	Type t, a = lower_type_of(L, args[0]), b = nargs > 1 ? lower_type_of(L, args[1]) : a;
	char sa[64], sb[64];
	if (op == OP_MATMUL) {
		if (a.rank != 2) {
			lower_error(L, loc, "the left operand of '@' must be a weight matrix, got %s",
				    shape_words(a, sa, sizeof sa));
			return (Value){0};
		}
		if (b.rank != 1 || !b.batched) {
			lower_error(L, loc, "the right operand of '@' must be a vector of activations, got %s",
				    shape_words(b, sb, sizeof sb));
			return (Value){0};
		}
		if (!ir_matmul_type(a, b, &t)) {
			lower_error(L, loc, "shape mismatch in '@': the matrix is %s but the vector has %d values",
				    shape_words(a, sa, sizeof sa), b.dim[0]);
			return (Value){0};
		}
	} else if (!ir_elem_type(op, a, b, &t)) {
		if (nargs == 1)
			lower_error(L, loc, "'%s' needs a vector, got %s", opname, shape_words(a, sa, sizeof sa));
		else
			lower_error(L, loc, "shape mismatch in '%s': %s and %s", opname,
				    shape_words(a, sa, sizeof sa), shape_words(b, sb, sizeof sb));
		return (Value){0};
	}
	int n = ir_add(L->g, op, region, t, args, nargs, loc);
	return lower_node_value(n, loc);
}

Value lower_binary(Lower *L, char op, Value a, Value b, SrcLoc loc)
{
	if (a.kind == V_NONE || b.kind == V_NONE)
		return (Value){0};
	char opname[2] = {op, 0};
	if (a.kind == V_NUM && b.kind == V_NUM && op != '@') {
		double r = 0;
		switch (op) {
		case '+': r = a.num + b.num; break;
		case '-': r = a.num - b.num; break;
		case '*': r = a.num * b.num; break;
		case '/':
			if (b.num == 0) {
				lower_error(L, loc, "division by zero");
				return (Value){0};
			}
			r = a.num / b.num;
			break;
		}
		return (Value){.kind = V_NUM, .num = r, .is_int = a.is_int && b.is_int && r == floor(r),
			       .loc = loc};
	}
	Value *bad = a.kind != V_NUM && a.kind != V_NODE ? &a : b.kind != V_NUM && b.kind != V_NODE ? &b : NULL;
	if (bad || (op == '@' && (a.kind != V_NODE || b.kind != V_NODE))) {
		if (!bad)
			bad = a.kind != V_NODE ? &a : &b;
		lower_error(L, bad->loc, "operand of '%s' must be %s, not %s", opname,
			    op == '@' ? "a tensor" : "a number or a tensor", lower_value_kind(bad));
		return (Value){0};
	}
	int args[2] = {a.kind == V_NUM ? lower_const(L, a.num, a.loc) : a.node,
		       b.kind == V_NUM ? lower_const(L, b.num, b.loc) : b.node};
	Op o = op == '+' ? OP_ADD : op == '-' ? OP_SUB : op == '*' ? OP_MUL : op == '/' ? OP_DIV : OP_MATMUL;
	return lower_make_op(L, o, args, 2, loc, opname);
}

/* ---- built-in functions ------------------------------------------------ */

static Value *named_arg(Args *a, const char *name)
{
	for (int k = 0; k < a->nnamed; k++)
		if (strcmp(a->named[k], name) == 0)
			return &a->nval[k];
	return NULL;
}

Value lower_surrogate(Lower *L, const Expr *call, SurKind kind, Args *a)
{
	const SurInfo *si = &ir_surrogates[kind];
	Surrogate s = {kind, {(float)si->pdefault[0], (float)si->pdefault[1]}};
	for (int i = 0; i < si->nparams; i++) {
		Value *v = i < a->npos ? &a->pos[i] : named_arg(a, si->pname[i]);
		if (!v)
			continue;
		if (v->kind != V_NUM || !(v->num > 0) || isinf(v->num)) {
			if (v->kind == V_NUM)
				lower_error(L, v->loc, "surrogate parameter '%s' must be positive, got %g",
					    si->pname[i], v->num);
			else
				lower_error(L, v->loc, "surrogate parameter '%s' must be a number, not %s",
					    si->pname[i], lower_value_kind(v));
			return (Value){0};
		}
		s.p[i] = (float)v->num;
	}
	if (kind == SUR_GAUSSIAN && isnan(s.p[1]))
		s.p[1] = (float)(1 / sqrt(2 * 3.14159265358979323846 * s.p[0]));
	return (Value){.kind = V_SUR, .sur = s, .loc = call->loc};
}

/* The single tensor argument of a call: reports and returns a V_NONE
 * value unless that is what a holds. */
static Value one_tensor(Lower *L, const Expr *call, const Args *a)
{
	if (a->npos != 1) {
		lower_error(L, call->loc, "'%s' takes one argument", call->name);
		return (Value){0};
	}
	if (!lower_want_node(L, &a->pos[0], "the argument"))
		return (Value){0};
	return a->pos[0];
}

Value lower_activation(Lower *L, const Expr *call, Op op, const Args *a)
{
	Value x = one_tensor(L, call, a);
	if (x.kind == V_NONE)
		return x;
	return lower_make_op(L, op, &x.node, 1, call->loc, call->name);
}

/* spike(v, surrogate): the Heaviside step S(v) = v > 0, trained through the
 * surrogate's psi. The surrogate defaults to gaussian(). */
Value lower_spike(Lower *L, const Expr *call, Args *a)
{
	if (a->npos < 1) {
		lower_error(L, call->loc, "'spike' needs the value to threshold: spike(v, surrogate)");
		return (Value){0};
	}
	if (!lower_want_node(L, &a->pos[0], "the first argument of 'spike'"))
		return (Value){0};
	Value *s = a->npos > 1 ? &a->pos[1] : named_arg(a, "surrogate");
	Surrogate sur = {SUR_GAUSSIAN, {0.15f, (float)(1 / sqrt(2 * 3.14159265358979323846 * 0.15))}};
	if (s && s->kind != V_SUR) {
		lower_error(L, s->loc, "the surrogate of 'spike' must be a surrogate such as gaussian(var = 0.15), "
			    "not %s", lower_value_kind(s));
		return (Value){0};
	}
	if (s)
		sur = s->sur;
	Value r = lower_make_op(L, OP_SPIKE, &a->pos[0].node, 1, call->loc, "spike");
	if (r.kind == V_NODE)
		L->g->nodes.items[r.node].a.sur = sur;
	return r;
}

/* dropout(x, p): in training, each value of x zeroed with probability p and
 * the others scaled by 1 / (1 - p); the identity in the forward pass, and
 * x itself when p is 0. Each call is a site of its own (ir.h). */
Value lower_dropout(Lower *L, const Expr *call, Args *a)
{
	enum { MAX_SITES = 65536 };  /* the site is 16 bits of the Philox stream (runtime/dropout.h) */
	Value *p = a->npos > 1 ? &a->pos[1] : named_arg(a, "p");
	if (a->npos < 1 || !p) {
		lower_error(L, call->loc, "'dropout' needs the value and the probability of dropping: dropout(x, p = 0.5)");
		return (Value){0};
	}
	if (!lower_want_node(L, &a->pos[0], "the first argument of 'dropout'"))
		return (Value){0};
	Type t = lower_type_of(L, a->pos[0].node);
	if (t.rank != 1 || !t.batched) {
		char sa[64];
		lower_error(L, a->pos[0].loc, "'dropout' needs a vector of activations, got %s",
			    shape_words(t, sa, sizeof sa));
		return (Value){0};
	}
	if (p->kind != V_NUM || !(p->num >= 0 && (float)p->num < 1.0f)) {
		if (p->kind == V_NUM)
			lower_error(L, p->loc, "the dropout probability p must be in [0, 1), got %g", p->num);
		else
			lower_error(L, p->loc, "the dropout probability p must be a number, not %s", lower_value_kind(p));
		return (Value){0};
	}
	if (p->num == 0)  /* keeps everything: x itself, spikes staying spikes */
		return a->pos[0];
	if (L->ndropout == MAX_SITES) {
		lower_error(L, call->loc, "more than %d dropout calls in one model", MAX_SITES);
		return (Value){0};
	}
	Value r = lower_make_op(L, OP_DROPOUT, &a->pos[0].node, 1, call->loc, "dropout");
	if (r.kind == V_NODE) {
		L->g->nodes.items[r.node].a.drop.p = (float)p->num;
		L->g->nodes.items[r.node].a.drop.site = L->ndropout++;
	}
	return r;
}

/* embed(c, dim): the row c_t of a learned table L.weight (V, dim), for a
 * tokens input c of V tokens, which then reaches the model as ids (and may
 * be read by embed alone: lower.c checks that). N(0, 1) at the start, as
 * torch.nn.Embedding (He-normal with fan-in 2). */
Value lower_embed(Lower *L, const Expr *call, const Args *a)
{
	if (a->npos != 2) {
		lower_error(L, call->loc, "'embed' needs the tokens input and the size of a vector: embed(c, 32)");
		return (Value){0};
	}
	if (!lower_want_node(L, &a->pos[0], "the first argument of 'embed'"))
		return (Value){0};
	Value dim = a->pos[1];
	if (!lower_want_count(L, &dim, "the size of an embedding"))
		return (Value){0};
	Graph *g = L->g;
	const Node *x = &g->nodes.items[a->pos[0].node];
	Input *in = x->op == OP_STEP ? &g->inputs.items[g->nodes.items[L->seqs.items[x->a.k]].a.k] : NULL;
	if (!in || in->kind != IN_TOKENS) {
		lower_error(L, a->pos[0].loc, "'embed' reads a tokens input itself ('input c[V] tokens over T steps'), "
			    "not a value computed from one");
		return (Value){0};
	}
	int V = in->vocab, n = (int)dim.num;
	if ((double)V * n > INT_MAX) {
		lower_error(L, dim.loc, "the embedding would hold %.0f values, more than the limit of %d", (double)V * n,
			    INT_MAX);
		return (Value){0};
	}
	/* The input becomes its ids: one float per step. */
	in->ids = 1;
	in->type = ir_vec(DT_F32, 1, 1, 1);
	g->nodes.items[L->seqs.items[x->a.k]].type = in->type;
	g->nodes.items[a->pos[0].node].type = ir_vec(DT_F32, 1, 1, 0);
	const char *layer = lower_layer_name(L, "embed");
	Param p = {arena_printf(L->arena, "%s.weight", layer), layer, "embed", ir_mat(V, n), INIT_HE_NORMAL, 2, call->loc};
	vec_push(&g->params, p);
	int w = ir_add(g, OP_PARAM, 0, p.type, NULL, 0, call->loc);
	g->nodes.items[w].a.k = g->params.len - 1;
	g->nodes.items[w].name = p.name;
	int args[2] = {w, a->pos[0].node};
	int r = ir_add(g, OP_EMBED, L->body, ir_vec(DT_F32, n, 1, 0), args, 2, call->loc);
	g->nodes.items[r].name = layer;
	return lower_node_value(r, call->loc);
}

Value lower_size(Lower *L, const Expr *call, const Args *a)
{
	Value x = one_tensor(L, call, a);
	if (x.kind == V_NONE)
		return x;
	Type t = lower_type_of(L, x.node);
	if (t.rank != 1) {
		lower_error(L, call->loc, "'size' needs a vector, got a matrix");
		return (Value){0};
	}
	return (Value){.kind = V_NUM, .num = t.dim[0], .is_int = 1, .loc = call->loc};
}

/* last(h): h at the final step; mean(h): h averaged over the steps. Both end
 * the time loop for their value. */
Value lower_over_time(Lower *L, const Expr *call, int mean, const Args *a)
{
	Value x = one_tensor(L, call, a);
	if (x.kind == V_NONE)
		return x;
	if (!lower_is_step(L, x.node)) {
		lower_error(L, call->loc, "'%s' needs a value that changes over time, and this one does not",
			    call->name);
		return (Value){0};
	}
	Graph *g = L->g;
	Type t = lower_type_of(L, x.node);
	if (mean)
		t.dtype = DT_F32;
	int init = ir_add(g, OP_ZEROS, 0, t, NULL, 0, call->loc);
	const Expr *arg = call->args[0].value;
	g->nodes.items[init].name = arena_printf(L->arena, "%s_%s", call->name,
						 arg->kind == E_NAME ? arg->name : "value");
	int k = lower_new_carry(L, init), next = x.node;
	if (mean) {
		int args[2] = {ir_add(g, OP_CARRY, L->body, t, NULL, 0, call->loc), x.node};
		g->nodes.items[args[0]].a.k = k;
		next = ir_add(g, OP_ADD, L->body, t, args, 2, call->loc);
	}
	L->nexts.items[k] = next;
	int out = ir_add(g, OP_SCAN_OUT, 0, t, &L->scan, 1, call->loc);
	g->nodes.items[out].a.k = k;
	if (!mean)
		return lower_node_value(out, call->loc);
	int args[2] = {out, lower_const(L, 1.0 / g->steps, call->loc)};
	return lower_node_value(ir_add(g, OP_MUL, 0, t, args, 2, call->loc), call->loc);
}
