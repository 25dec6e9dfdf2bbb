/* lower_scope.c: what every part of lowering shares: errors located at the
 * user's code, scopes of names, checks of values, the scan's carries and
 * stacks, and "did you mean" suggestions. */
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

void lower_define(Scope *scope, const char *name, SrcLoc loc, Value v)
{
	vec_push(scope, ((Binding){name, v, loc, 0, 0}));
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

const char *lower_layer_name(Lower *L, const char *cell)
{
	const char *base = L->target ? L->target : cell;
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
