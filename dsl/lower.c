/* lower.c: model and cell statements to graph IR (see lower.h). */
#include <limits.h>
#include <math.h>
#include <string.h>
#include "lower.h"

int lower_new_carry(Lower *L, int init)
{
	vec_push(&L->inits, init);
	vec_push(&L->nexts, -1);
	vec_push(&L->carry_guess, -1);
	return L->inits.len - 1;
}

int lower_stack(Lower *L, int node, SrcLoc loc)
{
	for (int i = 0; i < L->outs.len; i++)
		if (L->outs.items[i] == node)
			return L->out_nodes.items[i];
	Type t = L->g->nodes.items[node].type;
	t.timed = 1;
	int out = ir_add(L->g, OP_SCAN_OUT, 0, t, &L->scan, 1, loc);
	vec_push(&L->outs, node);
	vec_push(&L->out_nodes, out);
	return out;
}

static const char *qualify(Lower *L, const char *name)
{
	return L->prefix ? arena_printf(L->arena, "%s.%s", L->prefix, name) : name;
}

int lower_check_new(Lower *L, Scope *scope, const char *name, SrcLoc loc)
{
	Binding *old = lower_lookup(scope, name);
	if (!old)
		return 1;
	lower_error(L, loc, "redefinition of '%s'", name);
	if (!L->builtin && old->loc.line)
		diag_note(old->loc, "'%s' was defined here", name);
	return 0;
}

/* Binds a name checked by lower_check_new; a V_NONE value poisons it. */
static void define(Scope *scope, const char *name, SrcLoc loc, Value v)
{
	vec_push(scope, ((Binding){name, v, loc, 0, 0}));
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
	define(scope, name, s->name_locs[0], (Value){.kind = V_NODE, .node = n, .loc = s->loc});
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
		define(scope, s->names[i], s->name_locs[i],
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
		define(scope, name, s->name_locs[0], v);
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

/* The prefix of the parameters of a cell called by the current statement:
 * the statement's target (`y` in `y = cell(...)`), under the enclosing
 * layer's prefix. The target is a name the user chose, or output, loss or
 * return; a second layer that would get the same name gets `y.2`, a third
 * `y.3`. A user's name cannot start with a digit, so these never clash
 * with one. */
static const char *layer_name(Lower *L, const Cell *c)
{
	const char *base = L->target ? L->target : c->name;
	const char *name = L->prefix ? arena_printf(L->arena, "%s.%s", L->prefix, base) : base;
	const char *cand = name;
	for (int n = 2;; n++) {
		int used = 0;
		for (int i = 0; i < L->layers.len && !used; i++)
			used = strcmp(L->layers.items[i], cand) == 0;
		if (!used)
			break;
		cand = arena_printf(L->arena, "%s.%d", name, n);
	}
	vec_push(&L->layers, cand);
	return cand;
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
	const char *prefix = layer_name(L, c);
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

static void model_input(Lower *L, Scope *ms, const Stmt *s)
{
	if (!lower_check_new(L, ms, s->names[0], s->name_locs[0]))
		return;
	L->target = s->names[0];
	Value size = lower_expr(L, ms, s->dims[0]);
	Value steps = lower_expr(L, ms, s->value);
	Graph *g = L->g;
	if (!lower_want_count(L, &size, "the input size") || !lower_want_count(L, &steps, "the number of steps")) {
		define(ms, s->names[0], s->name_locs[0], (Value){0});
		return;
	}
	if (g->steps && g->steps != (int)steps.num) {
		lower_error(L, s->value->loc, "all inputs must run over the same number of steps: %d here, %d before",
			    (int)steps.num, g->steps);
		define(ms, s->names[0], s->name_locs[0], (Value){0});
		return;
	}
	g->steps = (int)steps.num;
	Type t = ir_vec(s->spikes != IN_ENC_ANALOG ? DT_SPIKE : DT_F32, (int)size.num, 1, 1);
	InputKind kind = s->spikes == IN_ENC_TOKENS ? IN_TOKENS : s->spikes ? IN_SPIKES : IN_ANALOG;
	if (kind == IN_TOKENS && size.num < 2) {
		lower_error(L, s->dims[0]->loc, "a tokens input needs a vocabulary of at least 2 tokens, got %d",
			    (int)size.num);
		define(ms, s->names[0], s->name_locs[0], (Value){0});
		return;
	}
	vec_push(&g->inputs, ((Input){s->names[0], kind, t, s->loc}));
	int in = ir_add(g, OP_INPUT, 0, t, NULL, 0, s->loc);
	g->nodes.items[in].a.k = g->inputs.len - 1;
	g->nodes.items[in].name = s->names[0];
	t.timed = 0;
	int step = ir_add(g, OP_STEP, L->body, t, NULL, 0, s->loc);
	g->nodes.items[step].a.k = L->seqs.len;
	g->nodes.items[step].name = s->names[0];
	vec_push(&L->seqs, in);
	define(ms, s->names[0], s->name_locs[0], (Value){.kind = V_NODE, .node = step, .loc = s->loc});
}

/* The value a loss or output reads: per-step values are stacked over time. */
static int after_loop(Lower *L, Value v, SrcLoc loc)
{
	return lower_is_step(L, v.node) ? lower_stack(L, v.node, loc) : v.node;
}

/* loss = cross_entropy(y) | mse(y): y is (B, n), or (T, B, n) for a loss at
 * every step; the labels or targets become an input of the model. */
static void model_loss(Lower *L, Scope *ms, const Stmt *s, int *first_arg)
{
	static const char *const losses[] = {"cross_entropy", "mse"};
	const Expr *e = s->value;
	int ce = e->kind == E_CALL && strcmp(e->name, "cross_entropy") == 0;
	if (!ce && !(e->kind == E_CALL && strcmp(e->name, "mse") == 0)) {
		const char *m = e->kind == E_CALL || e->kind == E_NAME ? lower_suggest(e->name, losses, 2) : NULL;
		lower_error(L, e->loc, "'loss' must be cross_entropy(y) or mse(y)%s%s%s", m ? " (did you mean '" : "",
			    m ? m : "", m ? "'?)" : "");
		return;
	}
	if (e->nargs != 1 || e->args[0].name) {
		lower_error(L, e->loc, "'%s' takes one argument, the model's prediction", e->name);
		return;
	}
	L->target = "loss";
	Value y = lower_expr(L, ms, e->args[0].value);
	if (y.kind == V_NONE || !lower_want_node(L, &y, "the prediction"))
		return;
	Type yt = L->g->nodes.items[y.node].type;
	if (yt.rank != 1 || !yt.batched) {
		lower_error(L, y.loc, "the prediction must be a vector per sample");
		return;
	}
	if (ce && yt.dim[0] < 2) {
		lower_error(L, y.loc, "cross_entropy needs at least 2 classes, the prediction has %d", yt.dim[0]);
		return;
	}
	Graph *g = L->g;
	int pred = after_loop(L, y, y.loc);
	Type pt = g->nodes.items[pred].type;
	Type lt = ce ? (Type){DT_I32, 0, 1, pt.timed, {0, 0}} : pt;
	lt.dtype = ce ? DT_I32 : DT_F32;
	vec_push(&g->inputs, ((Input){ce ? "labels" : "targets", ce ? IN_CLASS : IN_TARGET, lt, e->loc}));
	int labels = ir_add(g, OP_LABELS, 0, lt, NULL, 0, e->loc);
	g->nodes.items[labels].a.k = g->inputs.len - 1;
	int args[2] = {pred, labels};
	g->loss = ir_add(g, ce ? OP_CROSS_ENTROPY : OP_MSE, 0, ir_scalar(), args, 2, e->loc);
	g->nodes.items[g->loss].name = "loss";
	*first_arg = pred;
}

/* The loss's labels or targets are an input of the model called `labels`
 * or `targets`; a user input must not take that name. */
static void check_loss_input(Lower *L, const Model *m, SrcLoc loss_loc)
{
	Graph *g = L->g;
	const Input *li = NULL;
	for (int i = 0; i < g->inputs.len; i++)
		if (g->inputs.items[i].kind == IN_CLASS || g->inputs.items[i].kind == IN_TARGET)
			li = &g->inputs.items[i];
	if (!li)
		return;
	for (int i = 0; i < m->nbody; i++) {
		const Stmt *s = m->body[i];
		if (s->kind != S_INPUT || strcmp(s->names[0], li->name) != 0)
			continue;
		lower_error(L, s->name_locs[0], "'%s' is the name of the loss's %s input; rename this input", li->name,
			    li->name);
		diag_note(loss_loc, "the loss reads its %s from an input called '%s'", li->name, li->name);
	}
}

static void lower_model(Lower *L, const Model *m)
{
	Scope ms = {0};
	SrcLoc loss_loc = NOLOC, out_loc = NOLOC, carry_loc = NOLOC;
	int output = -1, loss_pred = -1, errors = diag_error_count();
	for (int i = 0; i < m->nbody; i++) {
		const Stmt *s = m->body[i];
		switch (s->kind) {
		case S_INPUT: model_input(L, &ms, s); break;
		case S_CARRY:
			if (carry_loc.line) {
				lower_error(L, s->loc, "the model says 'carry state' twice");
				diag_note(carry_loc, "the first is here");
				break;
			}
			carry_loc = s->loc;
			L->g->carry_state = 1;
			break;
		case S_OUTPUT: {
			if (out_loc.line) {
				lower_error(L, s->loc, "the model has a second 'output'");
				diag_note(out_loc, "the first is here");
				break;
			}
			out_loc = s->loc;
			L->target = "output";
			Value v = lower_expr(L, &ms, s->value);
			if (v.kind != V_NONE && lower_want_node(L, &v, "the output"))
				output = after_loop(L, v, s->loc);
			break;
		}
		case S_ASSIGN:
			if (s->nnames > 1) {
				lower_multi_assign(L, &ms, s);
			} else if (strcmp(s->names[0], "loss") == 0) {
				if (loss_loc.line) {
					lower_error(L, s->name_locs[0], "redefinition of 'loss'");
					diag_note(loss_loc, "'loss' was defined here");
					break;
				}
				loss_loc = s->name_locs[0];
				model_loss(L, &ms, s, &loss_pred);
			} else if (lower_check_new(L, &ms, s->names[0], s->name_locs[0])) {
				/* The name is checked first: redefining `h = slstm(...)`
				 * is reported as such, not as its layer's clash. */
				L->target = s->names[0];
				Value v = lower_expr(L, &ms, s->value);
				if (v.kind == V_NODE && !L->g->nodes.items[v.node].name)
					L->g->nodes.items[v.node].name = s->names[0];
				define(&ms, s->names[0], s->name_locs[0], v);
			}
			break;
		default:
			lower_error(L, s->loc, "this statement is only allowed in a cell");
			break;
		}
	}
	vec_free(&ms);
	if (L->g->loss >= 0)
		check_loss_input(L, m, loss_loc);
	if (diag_error_count() != errors)
		return;
	if (!L->seqs.len) {
		lower_error(L, m->loc, "model '%s' has no input (add e.g. 'input x[28] spikes over 28 steps')",
			    m->name);
		return;
	}
	if (output < 0 && loss_pred < 0) {
		lower_error(L, m->loc, "model '%s' has neither an 'output' nor a 'loss'", m->name);
		return;
	}
	if (carry_loc.line && !L->inits.len) {
		lower_error(L, carry_loc, "'carry state', but model '%s' has no state to carry (no stateful cell "
			    "such as slstm or lstm)", m->name);
		return;
	}
	L->g->output = output >= 0 ? output : loss_pred;
}

/* Fills in the scan's operands and the body's yield once every statement has
 * added its carries and per-step outputs. */
static void close_scan(Lower *L)
{
	Graph *g = L->g;
	int nseq = L->seqs.len, ncarry = L->inits.len, nout = L->outs.len;
	Node *scan = &g->nodes.items[L->scan];
	scan->nargs = nseq + ncarry;
	scan->args = arena_alloc(L->arena, sizeof(int) * (size_t)(scan->nargs + 1));
	for (int i = 0; i < nseq; i++)
		scan->args[i] = L->seqs.items[i];
	for (int i = 0; i < ncarry; i++)
		scan->args[nseq + i] = L->inits.items[i];
	scan->a.scan.body = L->body;
	scan->a.scan.nseq = nseq;
	scan->a.scan.ncarry = ncarry;
	scan->a.scan.nout = nout;
	int y = ir_add(g, OP_YIELD, L->body, ir_scalar(), NULL, ncarry + nout, NOLOC);
	for (int i = 0; i < ncarry; i++) {
		if (L->nexts.items[i] < 0)
			SPK_BUG("carry %d has no next value", i);
		g->nodes.items[y].args[i] = L->nexts.items[i];
	}
	for (int i = 0; i < nout; i++) {
		g->nodes.items[y].args[ncarry + i] = L->outs.items[i];
		g->nodes.items[L->out_nodes.items[i]].a.k = ncarry + i;
	}
	g->regions.items[L->body].scan = L->scan;
}

static void lower_reset(Lower *L)
{
	vec_free(&L->seqs);
	vec_free(&L->inits);
	vec_free(&L->nexts);
	vec_free(&L->outs);
	vec_free(&L->out_nodes);
	vec_free(&L->carry_guess);
	vec_free(&L->calls);
	vec_free(&L->layers);
}

Graph *dsl_lower(Arena *arena, Program *prog, int file)
{
	if (!prog->model) {
		diag_error((SrcLoc){file, 1, 1}, "no 'model' block in this file");
		return NULL;
	}
	Lower L = {0};
	int errors = diag_error_count();  /* errors of this compilation only */
	for (int attempt = 0;; attempt++) {
		if (attempt == 8)
			SPK_BUG("state dtypes did not settle");
		lower_reset(&L);
		int *guess = L.guess.items, nguess = L.guess.len, cap = L.guess.cap;
		memset(&L, 0, sizeof L);
		L.guess.items = guess;
		L.guess.len = nguess;
		L.guess.cap = cap;
		L.arena = arena;
		L.prog = prog;
		L.g = ir_new(arena, prog->model->name, 0);
		L.body = ir_new_region(L.g, 0);
		L.scan = ir_add(L.g, OP_SCAN, 0, ir_scalar(), NULL, 0, prog->model->loc);
		lower_model(&L, prog->model);
		if (diag_error_count() != errors) {
			lower_reset(&L);
			vec_free(&L.guess);
			ir_free(L.g);
			return NULL;
		}
		if (!L.retry)
			break;
		ir_free(L.g);
	}
	close_scan(&L);
	lower_reset(&L);
	vec_free(&L.guess);
	ir_schedule(L.g);
	return L.g;
}
