/* lower_expr.c: expressions and the built-in functions of the DSL.
 *
 * Numbers are folded at compile time; anything touching a tensor becomes IR.
 * Values computed inside the time loop live in the scan body; values computed
 * after it (from last, mean) live at the top level; the two never mix. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "lower.h"

void lower_error(Lower *L, SrcLoc loc, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (L->builtin)
		diag_error(L->callsite, "%s (inside built-in cell '%s')", msg, L->builtin);
	else
		diag_error(loc, "%s", msg);
}

Binding *lower_lookup(Scope *scope, const char *name)
{
	for (int i = scope->len - 1; i >= 0; i--)
		if (strcmp(scope->items[i].name, name) == 0)
			return &scope->items[i];
	return NULL;
}

const char *lower_value_kind(const Value *v)
{
	switch (v->kind) {
	case V_NUM: return "a number";
	case V_NODE: return "a tensor";
	case V_SUR: return "a surrogate";
	case V_SYM: return "a name";
	case V_NONE: break;
	}
	return "nothing";
}

int lower_want_node(Lower *L, const Value *v, const char *what)
{
	if (v->kind == V_NODE)
		return 1;
	if (v->kind != V_NONE)
		lower_error(L, v->loc, "%s must be a tensor, not %s", what, lower_value_kind(v));
	return 0;
}

int lower_want_count(Lower *L, const Value *v, const char *what)
{
	int whole = v->kind == V_NUM && v->num == floor(v->num) && v->num >= 1;
	if (whole && v->num <= LOWER_MAX_COUNT)
		return 1;
	if (whole)
		lower_error(L, v->loc, "%s is %.0f, more than the limit of %d", what, v->num, LOWER_MAX_COUNT);
	else if (v->kind == V_NUM)
		lower_error(L, v->loc, "%s must be a positive integer, got %g", what, v->num);
	else if (v->kind != V_NONE)
		lower_error(L, v->loc, "%s must be a positive integer, not %s", what, lower_value_kind(v));
	return 0;
}

int lower_const(Lower *L, double v, SrcLoc loc)
{
	int n = ir_add(L->g, OP_CONST, 0, ir_scalar(), NULL, 0, loc);
	L->g->nodes.items[n].a.f = v;
	return n;
}

int lower_is_step(Lower *L, int node)
{
	return L->g->nodes.items[node].region == L->body;
}

static Value node_value(int n, SrcLoc loc)
{
	return (Value){.kind = V_NODE, .node = n, .loc = loc};
}

static Type type_of(Lower *L, int n)
{
	return L->g->nodes.items[n].type;
}

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

static Value make_op(Lower *L, Op op, const int *args, int nargs, SrcLoc loc, const char *opname)
{
	int region = region_for(L, args, nargs);
	if (region < 0) {
		lower_error(L, loc, "'%s' mixes a per-step value with one computed after the time loop "
			    "(by last or mean)", opname);
		return (Value){0};
	}
	Type t, a = type_of(L, args[0]), b = nargs > 1 ? type_of(L, args[1]) : a;
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
	return node_value(n, loc);
}

static Value binary(Lower *L, char op, Value a, Value b, SrcLoc loc)
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
	return make_op(L, o, args, 2, loc, opname);
}

/* ---- built-in functions ------------------------------------------------ */

typedef struct {
	const Expr *call;
	Value pos[4];
	int npos;
	const char *named[4];
	Value nval[4];
	int nnamed;
} Args;

/* Evaluates a call's arguments; names must be among `allowed`. */
static int eval_args(Lower *L, Scope *scope, const Expr *call, int maxpos, const char *const *allowed,
		     int nallowed, Args *out)
{
	memset(out, 0, sizeof *out);
	out->call = call;
	for (int i = 0; i < call->nargs; i++) {
		const Arg *a = &call->args[i];
		Value v = lower_expr(L, scope, a->value);
		if (v.kind == V_NONE)
			return 0;
		if (!a->name) {
			if (out->nnamed) {
				lower_error(L, a->loc, "positional argument after a named one in '%s'", call->name);
				return 0;
			}
			if (out->npos == maxpos) {
				lower_error(L, a->loc, "'%s' takes %d positional argument%s, got %d", call->name,
					    maxpos, maxpos == 1 ? "" : "s", call->nargs);
				return 0;
			}
			out->pos[out->npos++] = v;
			continue;
		}
		int ok = 0;
		for (int k = 0; k < nallowed; k++)
			ok |= strcmp(allowed[k], a->name) == 0;
		if (!ok) {
			const char *s = lower_suggest(a->name, allowed, nallowed);
			lower_error(L, a->loc, "'%s' has no argument '%s'%s%s%s", call->name, a->name,
				    s ? " (did you mean '" : "", s ? s : "", s ? "'?)" : "");
			return 0;
		}
		for (int k = 0; k < out->nnamed; k++)
			if (strcmp(out->named[k], a->name) == 0) {
				lower_error(L, a->loc, "argument '%s' given twice", a->name);
				return 0;
			}
		out->named[out->nnamed] = a->name;
		out->nval[out->nnamed++] = v;
	}
	return 1;
}

static Value *named_arg(Args *a, const char *name)
{
	for (int k = 0; k < a->nnamed; k++)
		if (strcmp(a->named[k], name) == 0)
			return &a->nval[k];
	return NULL;
}

static Value surrogate(Lower *L, Scope *scope, const Expr *call, SurKind kind)
{
	const SurInfo *si = &ir_surrogates[kind];
	Args a;
	if (!eval_args(L, scope, call, si->nparams, si->pname, si->nparams, &a))
		return (Value){0};
	Surrogate s = {kind, {(float)si->pdefault[0], (float)si->pdefault[1]}};
	for (int i = 0; i < si->nparams; i++) {
		Value *v = i < a.npos ? &a.pos[i] : named_arg(&a, si->pname[i]);
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

static Value one_tensor(Lower *L, Scope *scope, const Expr *call, Args *a)
{
	if (!eval_args(L, scope, call, 1, NULL, 0, a))
		return (Value){0};
	if (a->npos != 1) {
		lower_error(L, call->loc, "'%s' takes one argument", call->name);
		return (Value){0};
	}
	if (!lower_want_node(L, &a->pos[0], "the argument"))
		return (Value){0};
	return a->pos[0];
}

static Value activation(Lower *L, Scope *scope, const Expr *call, Op op)
{
	Args a;
	Value x = one_tensor(L, scope, call, &a);
	if (x.kind == V_NONE)
		return x;
	return make_op(L, op, &x.node, 1, call->loc, call->name);
}

/* spike(v, surrogate): the Heaviside step S(v) = v > 0, trained through the
 * surrogate's psi. The surrogate defaults to gaussian(). */
static Value spike(Lower *L, Scope *scope, const Expr *call)
{
	static const char *const names[] = {"surrogate"};
	Args a;
	if (!eval_args(L, scope, call, 2, names, 1, &a))
		return (Value){0};
	if (a.npos < 1) {
		lower_error(L, call->loc, "'spike' needs the value to threshold: spike(v, surrogate)");
		return (Value){0};
	}
	if (!lower_want_node(L, &a.pos[0], "the first argument of 'spike'"))
		return (Value){0};
	Value *s = a.npos > 1 ? &a.pos[1] : named_arg(&a, "surrogate");
	Surrogate sur = {SUR_GAUSSIAN, {0.15f, (float)(1 / sqrt(2 * 3.14159265358979323846 * 0.15))}};
	if (s && s->kind != V_SUR) {
		lower_error(L, s->loc, "the surrogate of 'spike' must be a surrogate such as gaussian(var = 0.15), "
			    "not %s", lower_value_kind(s));
		return (Value){0};
	}
	if (s)
		sur = s->sur;
	Value r = make_op(L, OP_SPIKE, &a.pos[0].node, 1, call->loc, "spike");
	if (r.kind == V_NODE)
		L->g->nodes.items[r.node].a.sur = sur;
	return r;
}

static Value size_of(Lower *L, Scope *scope, const Expr *call)
{
	Args a;
	Value x = one_tensor(L, scope, call, &a);
	if (x.kind == V_NONE)
		return x;
	Type t = type_of(L, x.node);
	if (t.rank != 1) {
		lower_error(L, call->loc, "'size' needs a vector, got a matrix");
		return (Value){0};
	}
	return (Value){.kind = V_NUM, .num = t.dim[0], .is_int = 1, .loc = call->loc};
}

/* last(h): h at the final step; mean(h): h averaged over the steps. Both end
 * the time loop for their value. */
static Value over_time(Lower *L, Scope *scope, const Expr *call, int mean)
{
	Args a;
	Value x = one_tensor(L, scope, call, &a);
	if (x.kind == V_NONE)
		return x;
	if (!lower_is_step(L, x.node)) {
		lower_error(L, call->loc, "'%s' needs a value that changes over time, and this one does not",
			    call->name);
		return (Value){0};
	}
	Graph *g = L->g;
	Type t = type_of(L, x.node);
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
		return node_value(out, call->loc);
	int args[2] = {out, lower_const(L, 1.0 / g->steps, call->loc)};
	return node_value(ir_add(g, OP_MUL, 0, t, args, 2, call->loc), call->loc);
}

/* The names of `a, b = ...` must be new and distinct: reports the first
 * that is not. */
static int new_names(Lower *L, Scope *scope, const Stmt *s)
{
	for (int i = 0; i < s->nnames; i++) {
		if (!lower_check_new(L, scope, s->names[i], s->name_locs[i]))
			return 0;
		for (int j = 0; j < i; j++)
			if (strcmp(s->names[j], s->names[i]) == 0) {
				lower_error(L, s->name_locs[i], "'%s' is assigned twice in one statement", s->names[i]);
				if (!L->builtin)
					diag_note(s->name_locs[j], "'%s' is first assigned here", s->names[i]);
				return 0;
			}
	}
	return 1;
}

/* A multiple assignment that failed poisons its names. */
static void poison(Scope *scope, const Stmt *s)
{
	for (int i = 0; i < s->nnames; i++)
		vec_push(scope, ((Binding){s->names[i], {0}, s->name_locs[i], 0, 0}));
}

/* The vector and the part count of `a, b = split(x, 2)`; reports and
 * returns 0 unless they fit the names on the left. */
static int split_args(Lower *L, Scope *scope, const Stmt *s, int *x, int *parts)
{
	const Expr *e = s->value;
	if (e->kind != E_CALL || strcmp(e->name, "split") != 0) {
		lower_error(L, s->loc, "assigning to %d names needs 'split(x, %d)' on the right", s->nnames,
			    s->nnames);
		return 0;
	}
	Args a;
	if (!eval_args(L, scope, e, 2, NULL, 0, &a))
		return 0;
	if (a.npos != 2) {
		lower_error(L, e->loc, "'split' takes two arguments: split(x, parts)");
		return 0;
	}
	if (!lower_want_node(L, &a.pos[0], "the first argument of 'split'") ||
	    !lower_want_count(L, &a.pos[1], "the number of parts"))
		return 0;
	*parts = (int)a.pos[1].num;
	*x = a.pos[0].node;
	Type t = type_of(L, *x);
	if (*parts != s->nnames) {
		lower_error(L, a.pos[1].loc, "split into %d parts, but %d names on the left", *parts, s->nnames);
		return 0;
	}
	if (t.rank != 1 || t.dim[0] % *parts) {
		lower_error(L, e->loc, "cannot split a vector of %d values into %d equal parts", t.dim[0], *parts);
		return 0;
	}
	return 1;
}

void lower_multi_assign(Lower *L, Scope *scope, const Stmt *s)
{
	int x, parts;
	if (!new_names(L, scope, s))
		return;
	L->target = s->names[0];
	if (!split_args(L, scope, s, &x, &parts)) {
		poison(scope, s);
		return;
	}
	Type t = type_of(L, x);
	int len = t.dim[0] / parts;
	for (int i = 0; i < parts; i++) {
		Type st = t;
		st.dim[0] = len;
		int n = ir_add(L->g, OP_SLICE, L->g->nodes.items[x].region, st, &x, 1, s->value->loc);
		Node *nd = &L->g->nodes.items[n];
		nd->a.slice.off = i * len;
		nd->a.slice.len = len;
		nd->name = L->prefix ? arena_printf(L->arena, "%s.%s", L->prefix, s->names[i]) : s->names[i];
		Binding b = {s->names[i], node_value(n, s->name_locs[i]), s->name_locs[i], 0, 0};
		vec_push(scope, b);
	}
}

static Value call(Lower *L, Scope *scope, const Expr *e)
{
	const char *f = e->name;
	for (int k = 0; k < SUR_COUNT; k++) {
		if (strcmp(f, ir_surrogates[k].name) != 0)
			continue;
		/* sigmoid(tensor) is the activation; sigmoid(slope = 5) the surrogate. */
		if (k == SUR_SIGMOID && e->nargs == 1 && !e->args[0].name)
			break;
		return surrogate(L, scope, e, (SurKind)k);
	}
	if (strcmp(f, "sigmoid") == 0)
		return activation(L, scope, e, OP_SIGMOID);
	if (strcmp(f, "tanh") == 0)
		return activation(L, scope, e, OP_TANH);
	if (strcmp(f, "spike") == 0)
		return spike(L, scope, e);
	if (strcmp(f, "size") == 0)
		return size_of(L, scope, e);
	if (strcmp(f, "last") == 0 || strcmp(f, "mean") == 0) {
		if (L->prefix) {
			lower_error(L, e->loc, "'%s' ends the time loop and can only be used in the model", f);
			return (Value){0};
		}
		return over_time(L, scope, e, f[0] == 'm');
	}
	if (strcmp(f, "split") == 0) {
		lower_error(L, e->loc, "'split' must be assigned to names: a, b = split(x, 2)");
		return (Value){0};
	}
	if (strcmp(f, "cross_entropy") == 0 || strcmp(f, "mse") == 0) {
		lower_error(L, e->loc, "'%s' is a loss and can only be assigned to 'loss' in the model", f);
		return (Value){0};
	}
	for (int i = 0; i < L->prog->cells.len; i++)
		if (strcmp(L->prog->cells.items[i]->name, f) == 0)
			return lower_cell_call(L, scope, L->prog->cells.items[i], e);

	static const char *const builtins[] = {"tanh", "spike", "size", "last", "mean", "split", "cross_entropy",
					       "mse"};
	int nb = (int)(sizeof builtins / sizeof *builtins), nk = 0;
	const char **known = arena_alloc(L->arena, sizeof *known * (size_t)(nb + SUR_COUNT + L->prog->cells.len));
	for (int i = 0; i < nb; i++)
		known[nk++] = builtins[i];
	for (int k = 0; k < SUR_COUNT; k++)   /* sigmoid is one of them */
		known[nk++] = ir_surrogates[k].name;
	for (int i = 0; i < L->prog->cells.len; i++)
		known[nk++] = L->prog->cells.items[i]->name;
	const char *s = lower_suggest(f, known, nk);
	lower_error(L, e->loc, "unknown function or cell '%s'%s%s%s", f, s ? " (did you mean '" : "",
		    s ? s : "", s ? "'?)" : "");
	return (Value){0};
}

Value lower_expr(Lower *L, Scope *scope, const Expr *e)
{
	switch (e->kind) {
	case E_NUM:
		return (Value){.kind = V_NUM, .num = e->num, .is_int = e->is_int, .loc = e->loc};
	case E_NAME: {
		Binding *b = lower_lookup(scope, e->name);
		if (b && b->v.kind == V_NONE)
			return (Value){0};   /* poisoned: its definition failed */
		if (!b) {
			const char *names[128];
			int n = 0;
			for (int i = 0; i < scope->len && n < 128; i++)
				names[n++] = scope->items[i].name;
			const char *s = lower_suggest(e->name, names, n);
			lower_error(L, e->loc, "undefined name '%s'%s%s%s", e->name, s ? " (did you mean '" : "",
				    s ? s : "", s ? "'?)" : "");
			return (Value){0};
		}
		Value v = b->v;
		v.loc = e->loc;
		return v;
	}
	case E_CALL:
		return call(L, scope, e);
	case E_STRING:
		lower_error(L, e->loc, "a string has no meaning here; strings name files in a train block's data");
		return (Value){0};
	case E_NEG: {
		Value v = lower_expr(L, scope, e->lhs);
		if (v.kind == V_NUM) {
			v.num = -v.num;
			v.loc = e->loc;
			return v;
		}
		if (v.kind == V_NONE || !lower_want_node(L, &v, "the operand of '-'"))
			return (Value){0};
		return make_op(L, OP_NEG, &v.node, 1, e->loc, "-");
	}
	case E_BIN: {
		Value a = lower_expr(L, scope, e->lhs);
		if (a.kind == V_NONE)
			return a;
		Value b = lower_expr(L, scope, e->rhs);
		return binary(L, e->op, a, b, e->loc);
	}
	}
	SPK_BUG("bad expression kind %d", e->kind);
}

static int edit_distance(const char *a, const char *b)
{
	int la = (int)strlen(a), lb = (int)strlen(b);
	if (la > 40 || lb > 40)
		return 99;
	int d[41][41];
	for (int i = 0; i <= la; i++)
		d[i][0] = i;
	for (int j = 0; j <= lb; j++)
		d[0][j] = j;
	for (int i = 1; i <= la; i++)
		for (int j = 1; j <= lb; j++) {
			int c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < c)
				c = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < c)
				c = d[i][j - 1] + 1;
			d[i][j] = c;
		}
	return d[la][lb];
}

const char *lower_suggest(const char *name, const char *const *names, int n)
{
	const char *best = NULL;
	int bestd = (int)strlen(name) <= 3 ? 1 : 2;
	for (int i = 0; i < n; i++) {
		int d = edit_distance(name, names[i]);
		if (d <= bestd && strcmp(name, names[i]) != 0) {
			best = names[i];
			bestd = d - 1;
		}
	}
	return best;
}
