/* lower.c: a model to graph IR (see lower.h): its inputs, the statements
 * of its body, its loss and output, and the one time loop they make. */
#include <math.h>
#include <string.h>
#include "lower.h"

static void model_input(Lower *L, Scope *ms, const Stmt *s)
{
	if (!lower_check_new(L, ms, s->names[0], s->name_locs[0]))
		return;
	L->target = s->names[0];
	Value size = lower_expr(L, ms, s->dims[0]);
	Value steps = lower_expr(L, ms, s->value);
	Graph *g = L->g;
	if (!lower_want_count(L, &size, "the input size") || !lower_want_count(L, &steps, "the number of steps")) {
		lower_define(ms, s->names[0], s->name_locs[0], (Value){0});
		return;
	}
	if (g->steps && g->steps != (int)steps.num) {
		lower_error(L, s->value->loc, "all inputs must run over the same number of steps: %d here, %d before",
			    (int)steps.num, g->steps);
		lower_define(ms, s->names[0], s->name_locs[0], (Value){0});
		return;
	}
	g->steps = (int)steps.num;
	Type t = ir_vec(s->spikes != IN_ENC_ANALOG ? DT_SPIKE : DT_F32, (int)size.num, 1, 1);
	InputKind kind = s->spikes == IN_ENC_TOKENS ? IN_TOKENS : s->spikes ? IN_SPIKES : IN_ANALOG;
	if (kind == IN_TOKENS && size.num < 2) {
		lower_error(L, s->dims[0]->loc, "a tokens input needs a vocabulary of at least 2 tokens, got %d",
			    (int)size.num);
		lower_define(ms, s->names[0], s->name_locs[0], (Value){0});
		return;
	}
	vec_push(&g->inputs, ((Input){s->names[0], kind, t, s->loc, kind == IN_TOKENS ? (int)size.num : 0, 0}));
	int in = ir_add(g, OP_INPUT, 0, t, NULL, 0, s->loc);
	g->nodes.items[in].a.k = g->inputs.len - 1;
	g->nodes.items[in].name = s->names[0];
	t.timed = 0;
	int step = ir_add(g, OP_STEP, L->body, t, NULL, 0, s->loc);
	g->nodes.items[step].a.k = L->seqs.len;
	g->nodes.items[step].name = s->names[0];
	vec_push(&L->seqs, in);
	lower_define(ms, s->names[0], s->name_locs[0], (Value){.kind = V_NODE, .node = step, .loc = s->loc});
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
	vec_push(&g->inputs, ((Input){ce ? "labels" : "targets", ce ? IN_CLASS : IN_TARGET, lt, e->loc, 0, 0}));
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

/* A tokens input that embed reads reaches the model as ids: nothing else
 * may read it (a one-hot use would need the one-hot vector). */
static void check_ids_alone(Lower *L)
{
	const Graph *g = L->g;
	for (int i = 0; i < g->nodes.len; i++) {
		const Node *n = &g->nodes.items[i];
		for (int k = 0; k < n->nargs && n->op != OP_EMBED; k++) {
			const Node *a = &g->nodes.items[n->args[k]];
			if (a->op != OP_STEP || a->region != L->body)
				continue;
			const Input *in = &g->inputs.items[g->nodes.items[L->seqs.items[a->a.k]].a.k];
			if (in->ids) {
				lower_error(L, in->loc, "input '%s' is read by 'embed', so it reaches the model as token ids, "
					    "but another operation reads it too; read it through 'embed' only", in->name);
				return;
			}
		}
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
				lower_define(&ms, s->names[0], s->name_locs[0], v);
			}
			break;
		default:
			lower_error(L, s->loc, "this statement is only allowed in a cell");
			break;
		}
	}
	vec_free(&ms);
	check_ids_alone(L);
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
