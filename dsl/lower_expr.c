/* lower_expr.c: the recursive core of lowering: expressions, calls (their
 * arguments evaluated and checked here, then applied by lower_ops.c, or a
 * cell expanded), the statements of a cell's body, and multiple assignment.
 * Expressions contain calls of cells whose bodies contain expressions, so
 * these live in one file. */
#include <limits.h>
#include <math.h>
#include <string.h>
#include "lower.h"

/* ---- calls --------------------------------------------------------------- */

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

static Value call(Lower *L, Scope *scope, const Expr *e)
{
	const char *f = e->name;
	Args a;
	for (int k = 0; k < SUR_COUNT; k++) {
		if (strcmp(f, ir_surrogates[k].name) != 0)
			continue;
		/* sigmoid(tensor) is the activation; sigmoid(slope = 5) the surrogate. */
		if (k == SUR_SIGMOID && e->nargs == 1 && !e->args[0].name)
			break;
		const SurInfo *si = &ir_surrogates[k];
		if (!eval_args(L, scope, e, si->nparams, si->pname, si->nparams, &a))
			return (Value){0};
		return lower_surrogate(L, e, (SurKind)k, &a);
	}
	if (strcmp(f, "spike") == 0) {
		static const char *const names[] = {"surrogate"};
		if (!eval_args(L, scope, e, 2, names, 1, &a))
			return (Value){0};
		return lower_spike(L, e, &a);
	}
	if (strcmp(f, "embed") == 0) {
		if (!eval_args(L, scope, e, 2, NULL, 0, &a))
			return (Value){0};
		return lower_embed(L, e, &a);
	}
	if (strcmp(f, "dropout") == 0) {
		static const char *const names[] = {"p"};
		if (!eval_args(L, scope, e, 2, names, 1, &a))
			return (Value){0};
		return lower_dropout(L, e, &a);
	}
	int last = strcmp(f, "last") == 0, mean = strcmp(f, "mean") == 0;
	if ((last || mean) && L->prefix) {
		lower_error(L, e->loc, "'%s' ends the time loop and can only be used in the model", f);
		return (Value){0};
	}
	if (strcmp(f, "sigmoid") == 0 || strcmp(f, "tanh") == 0 || strcmp(f, "size") == 0 || last || mean) {
		if (!eval_args(L, scope, e, 1, NULL, 0, &a))
			return (Value){0};
		if (last || mean)
			return lower_over_time(L, e, mean, &a);
		if (strcmp(f, "size") == 0)
			return lower_size(L, e, &a);
		return lower_activation(L, e, strcmp(f, "tanh") == 0 ? OP_TANH : OP_SIGMOID, &a);
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
					       "mse", "dropout", "embed"};
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
		return lower_make_op(L, OP_NEG, &v.node, 1, e->loc, "-");
	}
	case E_BIN: {
		Value a = lower_expr(L, scope, e->lhs);
		if (a.kind == V_NONE)
			return a;
		Value b = lower_expr(L, scope, e->rhs);
		return lower_binary(L, e->op, a, b, e->loc);
	}
	}
	SPK_BUG("bad expression kind %d", e->kind);
}

/* ---- multiple assignment --------------------------------------------------- */

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
	Type t = lower_type_of(L, *x);
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
	Type t = lower_type_of(L, x);
	int len = t.dim[0] / parts;
	for (int i = 0; i < parts; i++) {
		Type st = t;
		st.dim[0] = len;
		int n = ir_add(L->g, OP_SLICE, L->g->nodes.items[x].region, st, &x, 1, s->value->loc);
		Node *nd = &L->g->nodes.items[n];
		nd->a.slice.off = i * len;
		nd->a.slice.len = len;
		nd->name = L->prefix ? arena_printf(L->arena, "%s.%s", L->prefix, s->names[i]) : s->names[i];
		Binding b = {s->names[i], lower_node_value(n, s->name_locs[i]), s->name_locs[i], 0, 0};
		vec_push(scope, b);
	}
}

/* ---- cells ----------------------------------------------------------------- */

static const char *qualify(Lower *L, const char *name)
{
	return L->prefix ? arena_printf(L->arena, "%s.%s", L->prefix, name) : name;
}

static void cell_param(Lower *L, Scope *scope, const Stmt *s)
{
	const char *name = s->names[0];
	int dims[2] = {1, 1};
	if (!lower_check_new(L, scope, name, s->name_locs[0]))
		return;
	if (s->ndims > 2) {
		lower_error(L, s->loc, "parameter '%s' has %d dimensions; parameters have 1 or 2", name, s->ndims);
		return;
	}
	L->target = name;
	const char *what = arena_printf(L->arena, "a dimension of parameter '%s'", name);
	for (int i = 0; i < s->ndims; i++) {
		Value v = lower_expr(L, scope, s->dims[i]);
		if (!lower_want_count(L, &v, what))
			return;
		dims[i] = (int)v.num;
	}
	if ((double)dims[0] * dims[1] > INT_MAX) {
		lower_error(L, s->loc, "parameter '%s' would hold %.0f values, more than the limit of %d", name,
			    (double)dims[0] * dims[1], INT_MAX);
		return;
	}
	Param p = {qualify(L, s->names[0]), L->prefix, L->cell_name, s->ndims == 2 ? ir_mat(dims[0], dims[1]) : ir_vec(DT_F32, dims[0], 0, 0),
		   s->ndims == 2 ? INIT_HE_NORMAL : INIT_ZEROS, s->ndims == 2 ? dims[1] : dims[0], s->loc};
	if (s->init) {
		if (strcmp(s->init, "zeros") == 0)
			p.init = INIT_ZEROS;
		else if (strcmp(s->init, "he_normal") == 0)
			p.init = INIT_HE_NORMAL;
		else {
			lower_error(L, s->init_loc, "unknown initialiser '%s' (expected zeros or he_normal)", s->init);
			return;
		}
	}
	/* Layer names are unique (layer_name) and a cell's names too, so a
	 * checkpoint name can only repeat through a bug. */
	for (int i = 0; i < L->g->params.len; i++)
		if (strcmp(L->g->params.items[i].name, p.name) == 0)
			SPK_BUG("parameter name '%s' is used twice", p.name);
	vec_push(&L->g->params, p);
	int n = ir_add(L->g, OP_PARAM, 0, p.type, NULL, 0, s->loc);
	L->g->nodes.items[n].a.k = L->g->params.len - 1;
	L->g->nodes.items[n].name = p.name;
	lower_define(scope, name, s->name_locs[0], (Value){.kind = V_NODE, .node = n, .loc = s->loc});
}

static void cell_state(Lower *L, Scope *scope, const Stmt *s, const Cell *c, int stepping)
{
	if (!stepping) {
		lower_error(L, L->callsite, "cell '%s' keeps state over time, so its input must be a sequence; "
			    "this one was computed after the time loop", c->name);
		return;
	}
	for (int i = 0; i < s->nnames; i++) {
		if (!lower_check_new(L, scope, s->names[i], s->name_locs[i]))
			return;
		L->target = s->names[i];
		Value v = lower_expr(L, scope, s->dims[i]);
		if (!lower_want_count(L, &v, "a state size"))
			return;
		if (L->nstate == L->guess.len)
			vec_push(&L->guess, DT_SPIKE);
		Type t = ir_vec((DType)L->guess.items[L->nstate++], (int)v.num, 1, 0);
		int init = ir_add(L->g, OP_ZEROS, 0, t, NULL, 0, s->name_locs[i]);
		int k = lower_new_carry(L, init);
		L->carry_guess.items[k] = L->nstate - 1;
		int carry = ir_add(L->g, OP_CARRY, L->body, t, NULL, 0, s->name_locs[i]);
		L->g->nodes.items[carry].a.k = k;
		L->g->nodes.items[carry].name = qualify(L, s->names[i]);
		lower_define(scope, s->names[i], s->name_locs[i],
		       (Value){.kind = V_NODE, .node = carry, .loc = s->name_locs[i]});
		scope->items[scope->len - 1].state = k + 1;
	}
}

/* `name = value` inside a cell: a state update or a new local. */
static void cell_assign(Lower *L, Scope *scope, const Stmt *s)
{
	if (s->nnames > 1) {
		lower_multi_assign(L, scope, s);
		return;
	}
	const char *name = s->names[0];
	/* The target is checked before the value is lowered: a mistaken
	 * definition gets the message about the name, not about its layer. */
	Binding *b = lower_lookup(scope, name);
	if (b && !b->state) {
		lower_check_new(L, scope, name, s->name_locs[0]);
		return;
	}
	if (b && b->updated) {
		lower_error(L, s->name_locs[0], "state '%s' is updated twice in one step", name);
		return;
	}
	L->target = name;
	Value v = lower_expr(L, scope, s->value);
	if (!b) {
		if (v.kind == V_NODE && !L->g->nodes.items[v.node].name)
			L->g->nodes.items[v.node].name = qualify(L, name);
		lower_define(scope, name, s->name_locs[0], v);
		return;
	}
	if (v.kind == V_NONE)
		return;
	int k = b->state - 1;
	Node *carry = &L->g->nodes.items[b->v.node];
	if (!lower_want_node(L, &v, "the new value of a state"))
		return;
	Node *n = &L->g->nodes.items[v.node];
	if (n->region != L->body || n->type.rank != 1 || n->type.dim[0] != carry->type.dim[0]) {
		char ty[64];
		lower_error(L, s->name_locs[0], "state '%s' holds %d values per step, but is assigned %s", name,
			    carry->type.dim[0], ir_type_str(n->type, ty, sizeof ty));
		return;
	}
	if (n->type.dtype != carry->type.dtype) {
		/* The state's dtype was guessed before its update was seen: guess
		 * again and lower the model once more (dsl_lower). */
		L->guess.items[L->carry_guess.items[k]] = n->type.dtype;
		L->retry = 1;
	}
	if (!n->name)
		n->name = qualify(L, name);
	L->nexts.items[k] = v.node;
	b->updated = 1;
	b->v.node = v.node;
}

/* The arguments given at a call of c, by parameter (vals, given), computed
 * in the caller's scope; errors point at the user's arguments. Checks that
 * every parameter without a default is given. */
static int given_args(Lower *L, Scope *caller, const Cell *c, const Expr *call, Value *vals, int *given,
		      int *stepping)
{
	int pos = 0, named = 0;
	for (int i = 0; i < call->nargs; i++) {
		const Arg *a = &call->args[i];
		int k = pos;
		if (a->name) {
			named = 1;
			for (k = 0; k < c->nparams && strcmp(c->params[k].name, a->name); k++)
				;
			if (k == c->nparams) {
				const char **names = arena_alloc(L->arena, sizeof *names * (size_t)(c->nparams + 1));
				for (int j = 0; j < c->nparams; j++)
					names[j] = c->params[j].name;
				const char *s = lower_suggest(a->name, names, c->nparams);
				lower_error(L, a->loc, "cell '%s' has no parameter '%s'%s%s%s", c->name, a->name,
					    s ? " (did you mean '" : "", s ? s : "", s ? "'?)" : "");
				return 0;
			}
		} else if (named) {
			lower_error(L, a->loc, "positional argument after a named one in '%s'", call->name);
			return 0;
		} else if (pos++ >= c->nparams) {
			lower_error(L, a->loc, "cell '%s' takes %d argument%s, got %d", c->name, c->nparams,
				    c->nparams == 1 ? "" : "s", call->nargs);
			return 0;
		}
		if (given[k]) {
			lower_error(L, a->loc, "argument '%s' of '%s' given twice", c->params[k].name, c->name);
			return 0;
		}
		given[k] = 1;
		vals[k] = lower_expr(L, caller, a->value);
		if (vals[k].kind == V_NONE)
			return 0;
		if (vals[k].kind == V_NODE && lower_is_step(L, vals[k].node))
			*stepping = 1;
	}
	for (int k = 0; k < c->nparams; k++)
		if (!given[k] && !c->params[k].def) {
			lower_error(L, call->loc, "missing argument '%s' of cell '%s'", c->params[k].name, c->name);
			if (!c->builtin)
				diag_note(c->loc, "'%s' is defined here", c->name);
			return 0;
		}
	return 1;
}

/* A call of c while c is being expanded: reports the cycle, returns 1. */
static int recursive(Lower *L, const Cell *c, const Expr *call)
{
	int i = 0;
	while (i < L->calls.len && strcmp(L->calls.items[i], c->name) != 0)
		i++;
	if (i == L->calls.len)
		return 0;
	if (i == L->calls.len - 1) {
		lower_error(L, call->loc, "cell '%s' calls itself; cells cannot be recursive", c->name);
		return 1;
	}
	StrBuf m = {0};
	sb_printf(&m, "cell '%s' calls '%s'", c->name, L->calls.items[i + 1]);
	for (int j = i + 2; j < L->calls.len; j++)
		sb_printf(&m, ", which calls '%s'", L->calls.items[j]);
	sb_printf(&m, ", which calls '%s'; cells cannot be recursive", c->name);
	lower_error(L, call->loc, "%s", m.buf);
	sb_free(&m);
	return 1;
}

Value lower_cell_call(Lower *L, Scope *caller, const Cell *c, const Expr *call)
{
	if (recursive(L, c, call))
		return (Value){0};
	Scope cs = {0};
	int stepping = 0, errors = diag_error_count();
	Value result = {0};
	Lower saved = *L;
	const char *prefix = lower_layer_name(L, c->name);
	Value *vals = arena_alloc(L->arena, sizeof *vals * (size_t)(c->nparams + 1));
	int *given = arena_alloc(L->arena, sizeof *given * (size_t)(c->nparams + 1));
	if (!given_args(L, caller, c, call, vals, given, &stepping))
		goto out;
	/* From here on the code is the cell's own: errors inside a built-in
	 * cell are reported at the user's call. */
	if (!L->builtin && c->builtin) {
		L->builtin = c->name;
		L->callsite = call->loc;
	} else if (!L->builtin) {
		L->callsite = call->loc;
	}
	vec_push(&L->calls, c->name);
	L->prefix = prefix;
	L->cell_name = c->name;
	/* Defaults are computed in the cell's scope, after the parameters
	 * before them, and may call cells (but not this one). */
	for (int k = 0; k < c->nparams && diag_error_count() == errors; k++) {
		if (!given[k]) {
			L->target = c->params[k].name;
			vals[k] = lower_expr(L, &cs, c->params[k].def);
			if (vals[k].kind == V_NODE && lower_is_step(L, vals[k].node))
				stepping = 1;
		}
		vec_push(&cs, ((Binding){c->params[k].name, vals[k], c->params[k].loc, 0, 0}));
	}
	for (int i = 0; i < c->nbody && diag_error_count() == errors; i++) {
		const Stmt *s = c->body[i];
		if (result.kind != V_NONE) {
			lower_error(L, s->loc, "statement after 'return' in cell '%s'", c->name);
			break;
		}
		switch (s->kind) {
		case S_PARAM: cell_param(L, &cs, s); break;
		case S_STATE: cell_state(L, &cs, s, c, stepping); break;
		case S_ASSIGN: cell_assign(L, &cs, s); break;
		case S_RETURN:
			L->target = "return";
			result = lower_expr(L, &cs, s->value);
			if (result.kind == V_NONE && diag_error_count() == errors)
				SPK_BUG("return without a value");
			if (result.kind == V_NODE && !L->g->nodes.items[result.node].name)
				L->g->nodes.items[result.node].name = prefix;
			break;
		default:
			lower_error(L, s->loc, "this statement is not allowed in a cell");
			break;
		}
	}
	L->calls.len--;
	if (diag_error_count() != errors) {
		result = (Value){0};
		goto out;
	}
	for (int i = 0; i < cs.len; i++)
		if (cs.items[i].state && !cs.items[i].updated) {
			lower_error(L, cs.items[i].loc, "state '%s' is never updated", cs.items[i].name);
			result = (Value){0};
		}
	if (result.kind == V_NONE && diag_error_count() == errors)
		lower_error(L, c->loc, "cell '%s' has no return statement", c->name);
out:
	vec_free(&cs);
	L->prefix = saved.prefix;
	L->cell_name = saved.cell_name;
	L->target = saved.target;
	L->builtin = saved.builtin;
	L->callsite = saved.callsite;
	if (result.kind != V_NONE)
		result.loc = call->loc;
	return result;
}
