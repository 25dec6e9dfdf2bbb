/* ast.c: building the syntax tree (for parser.y), adding its definitions
 * to the program, and printing it back.
 *
 * Everything is carved from the compilation's arena, lists included, so a
 * parse that stops halfway leaves nothing to free. dsl_print_program writes
 * canonical source: parsing its output gives the same tree, and printing
 * that gives the same text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "parser.h"

void dsl_list_push(Arena *a, DslList *l, void *item)
{
	if (l->len == l->cap) {
		int cap = l->cap ? 2 * l->cap : 4;
		void **items = arena_alloc(a, (size_t)cap * sizeof *items);
		if (l->len)
			memcpy(items, l->items, (size_t)l->len * sizeof *items);
		l->items = items;
		l->cap = cap;
	}
	l->items[l->len++] = item;
}

static Expr *expr(Arena *a, ExprKind kind, SrcLoc loc)
{
	Expr *e = arena_alloc(a, sizeof *e);
	e->kind = kind;
	e->loc = loc;
	return e;
}

Expr *dsl_num(Arena *a, SrcLoc loc, double v, int is_int)
{
	Expr *e = expr(a, E_NUM, loc);
	e->num = v;
	e->is_int = is_int;
	return e;
}

Expr *dsl_name(Arena *a, SrcLoc loc, const char *name)
{
	Expr *e = expr(a, E_NAME, loc);
	e->name = name;
	return e;
}

Expr *dsl_string(Arena *a, SrcLoc loc, const char *text)
{
	Expr *e = expr(a, E_STRING, loc);
	e->name = text;
	return e;
}

Expr *dsl_call(Arena *a, SrcLoc loc, const char *name, const DslList *args)
{
	Expr *e = expr(a, E_CALL, loc);
	e->name = name;
	e->nargs = args->len;
	e->args = arena_alloc(a, (size_t)args->len * sizeof *e->args);
	for (int i = 0; i < args->len; i++)
		e->args[i] = *(Arg *)args->items[i];
	return e;
}

Expr *dsl_binary(Arena *a, SrcLoc loc, char op, Expr *lhs, Expr *rhs)
{
	Expr *e = expr(a, E_BIN, loc);
	e->op = op;
	e->lhs = lhs;
	e->rhs = rhs;
	return e;
}

Expr *dsl_negate(Arena *a, SrcLoc loc, Expr *operand)
{
	Expr *e = expr(a, E_NEG, loc);
	e->op = '-';
	e->lhs = operand;
	return e;
}

Arg *dsl_arg(Arena *a, const char *name, SrcLoc loc, Expr *value)
{
	Arg *g = arena_alloc(a, sizeof *g);
	g->name = name;
	g->loc = loc;
	g->value = value;
	return g;
}

DslName *dsl_dname(Arena *a, const char *name, SrcLoc loc, Expr *dim)
{
	DslName *n = arena_alloc(a, sizeof *n);
	n->name = name;
	n->loc = loc;
	n->dim = dim;
	return n;
}

CellParam *dsl_cparam(Arena *a, const char *name, SrcLoc loc, Expr *def)
{
	CellParam *c = arena_alloc(a, sizeof *c);
	c->name = name;
	c->loc = loc;
	c->def = def;
	return c;
}

Stmt *dsl_stmt(Arena *a, StmtKind kind, SrcLoc loc, const DslList *names, Expr *value)
{
	Stmt *s = arena_alloc(a, sizeof *s);
	int n = names ? names->len : 0;
	s->kind = kind;
	s->loc = loc;
	s->value = value;
	s->nnames = n;
	s->names = arena_alloc(a, (size_t)n * sizeof *s->names);
	s->name_locs = arena_alloc(a, (size_t)n * sizeof *s->name_locs);
	for (int i = 0; i < n; i++) {
		DslName *d = names->items[i];
		s->names[i] = d->name;
		s->name_locs[i] = d->loc;
		if (d->dim) {
			if (!s->dims)
				s->dims = arena_alloc(a, (size_t)n * sizeof *s->dims);
			s->dims[s->ndims++] = d->dim;
		}
	}
	return s;
}

void dsl_stmt_dims(Arena *a, Stmt *s, const DslList *dims)
{
	s->ndims = dims->len;
	s->dims = arena_alloc(a, (size_t)dims->len * sizeof *s->dims);
	for (int i = 0; i < dims->len; i++)
		s->dims[i] = dims->items[i];
}

static Stmt **body(Arena *a, const DslList *l)
{
	Stmt **b = arena_alloc(a, (size_t)l->len * sizeof *b);
	for (int i = 0; i < l->len; i++)
		b[i] = l->items[i];
	return b;
}

Cell *dsl_cell(Arena *a, const char *name, SrcLoc loc, int builtin,
	const DslList *params, const DslList *stmts)
{
	Cell *c = arena_alloc(a, sizeof *c);
	c->name = name;
	c->loc = loc;
	c->builtin = builtin;
	c->nparams = params->len;
	c->params = arena_alloc(a, (size_t)params->len * sizeof *c->params);
	for (int i = 0; i < params->len; i++)
		c->params[i] = *(CellParam *)params->items[i];
	c->nbody = stmts->len;
	c->body = body(a, stmts);
	return c;
}

Model *dsl_model(Arena *a, const char *name, SrcLoc loc, const DslList *stmts)
{
	Model *m = arena_alloc(a, sizeof *m);
	m->name = name;
	m->loc = loc;
	m->nbody = stmts->len;
	m->body = body(a, stmts);
	return m;
}

Train *dsl_train(Arena *a, SrcLoc loc, const DslList *stmts)
{
	Train *t = arena_alloc(a, sizeof *t);
	t->loc = loc;
	t->nbody = stmts->len;
	t->body = body(a, stmts);
	return t;
}

/* ---- printing ------------------------------------------------------- */

/* Binding strength: + - bind loosest, then * / @, then unary minus. */
static int prec(const Expr *e)
{
	if (e->kind == E_BIN)
		return e->op == '+' || e->op == '-' ? 1 : 2;
	if (e->kind == E_NEG)
		return 3;
	return 4;
}

/* The shortest spelling that reads back as the same double, with a '.'
 * or an exponent unless the literal was an integer. */
static void print_num(const Expr *e, StrBuf *out)
{
	char buf[64];
	if (e->is_int) {
		sb_printf(out, "%.0f", e->num);
		return;
	}
	for (int digits = 1; digits <= 17; digits++) {
		snprintf(buf, sizeof buf, "%.*g", digits, e->num);
		if (strtod(buf, NULL) == e->num)
			break;
	}
	if (!strpbrk(buf, ".eEin"))
		strcat(buf, ".0");
	sb_puts(out, buf);
}

static void print_expr(const Expr *e, StrBuf *out);

/* Prints operand e of an operator of strength p, parenthesized when it
 * binds looser (or, on the right of a left-associative operator, equally). */
static void print_operand(const Expr *e, int p, int right, StrBuf *out)
{
	int paren = prec(e) < p || (right && prec(e) == p);
	if (paren)
		sb_puts(out, "(");
	print_expr(e, out);
	if (paren)
		sb_puts(out, ")");
}

static void print_expr(const Expr *e, StrBuf *out)
{
	switch (e->kind) {
	case E_NUM:
		print_num(e, out);
		break;
	case E_NAME:
		sb_puts(out, e->name);
		break;
	case E_STRING:
		sb_printf(out, "\"%s\"", e->name);
		break;
	case E_CALL:
		sb_printf(out, "%s(", e->name);
		for (int i = 0; i < e->nargs; i++) {
			if (i)
				sb_puts(out, ", ");
			if (e->args[i].name)
				sb_printf(out, "%s = ", e->args[i].name);
			print_expr(e->args[i].value, out);
		}
		sb_puts(out, ")");
		break;
	case E_BIN:
		print_operand(e->lhs, prec(e), 0, out);
		sb_printf(out, " %c ", e->op);
		print_operand(e->rhs, prec(e), 1, out);
		break;
	case E_NEG:
		sb_puts(out, "-");
		print_operand(e->lhs, prec(e), 0, out);
		break;
	}
}

static void print_stmt(const Stmt *s, StrBuf *out)
{
	sb_puts(out, "\t");
	switch (s->kind) {
	case S_PARAM:
		sb_printf(out, "param %s[", s->names[0]);
		for (int i = 0; i < s->ndims; i++) {
			if (i)
				sb_puts(out, ", ");
			print_expr(s->dims[i], out);
		}
		sb_puts(out, "]");
		if (s->init)
			sb_printf(out, " = %s", s->init);
		break;
	case S_STATE:
		sb_puts(out, "state ");
		for (int i = 0; i < s->nnames; i++) {
			sb_printf(out, "%s%s[", i ? ", " : "", s->names[i]);
			print_expr(s->dims[i], out);
			sb_puts(out, "]");
		}
		break;
	case S_ASSIGN:
	case S_SETTING:
		for (int i = 0; i < s->nnames; i++)
			sb_printf(out, "%s%s", i ? ", " : "", s->names[i]);
		sb_puts(out, " = ");
		print_expr(s->value, out);
		break;
	case S_RETURN:
		sb_puts(out, "return ");
		print_expr(s->value, out);
		break;
	case S_INPUT:
		sb_printf(out, "input %s[", s->names[0]);
		print_expr(s->dims[0], out);
		sb_printf(out, "] %s over ", s->spikes == IN_ENC_TOKENS ? "tokens" : s->spikes ? "spikes" : "analog");
		print_expr(s->value, out);
		sb_puts(out, " steps");
		break;
	case S_CARRY:
		sb_puts(out, "carry state");
		break;
	case S_OUTPUT:
		sb_puts(out, "output ");
		print_expr(s->value, out);
		break;
	}
	sb_puts(out, "\n");
}

static void print_body(Stmt *const *b, int n, StrBuf *out)
{
	sb_puts(out, " {\n");
	for (int i = 0; i < n; i++)
		print_stmt(b[i], out);
	sb_puts(out, "}\n");
}

/* Cells in definition order (built-in ones marked by a comment), then the
 * model, then the training block, separated by blank lines. */
void dsl_print_program(const Program *prog, StrBuf *out)
{
	const char *sep = "";
	for (int i = 0; i < prog->cells.len; i++) {
		const Cell *c = prog->cells.items[i];
		sb_printf(out, "%s%scell %s(", sep, c->builtin ? "# built-in\n" : "", c->name);
		for (int j = 0; j < c->nparams; j++) {
			sb_printf(out, "%s%s", j ? ", " : "", c->params[j].name);
			if (c->params[j].def) {
				sb_puts(out, " = ");
				print_expr(c->params[j].def, out);
			}
		}
		sb_puts(out, ")");
		print_body(c->body, c->nbody, out);
		sep = "\n";
	}
	if (prog->model) {
		sb_printf(out, "%smodel %s", sep, prog->model->name);
		print_body(prog->model->body, prog->model->nbody, out);
		sep = "\n";
	}
	if (prog->train) {
		sb_printf(out, "%strain", sep);
		print_body(prog->train->body, prog->train->nbody, out);
	}
}

/* ---- definitions ------------------------------------------------------- */

/* A cell name is defined once across all files, the prelude included;
 * a cell's parameters have distinct names. */
void dsl_add_cell(DslParser *p, Cell *c)
{
	for (int i = 0; i < c->nparams; i++)
		for (int j = 0; j < i; j++) {
			if (strcmp(c->params[i].name, c->params[j].name) != 0)
				continue;
			diag_error(c->params[i].loc, "duplicate parameter '%s' of cell '%s'", c->params[i].name,
				c->name);
			diag_note(c->params[j].loc, "the first '%s' is here", c->params[i].name);
			break;
		}
	for (int i = 0; i < p->prog->cells.len; i++) {
		Cell *old = p->prog->cells.items[i];
		if (strcmp(old->name, c->name) != 0)
			continue;
		diag_error(c->loc, "redefinition of cell '%s'", c->name);
		if (old->builtin)
			diag_note(old->loc, "'%s' is a built-in cell, defined here", c->name);
		else
			diag_note(old->loc, "the first definition of '%s' is here", c->name);
		return;
	}
	vec_push(&p->prog->cells, c);
}

/* "(the first is at line N)", naming the file when it is another one. */
static const char *first_at(DslParser *p, SrcLoc first)
{
	if (first.file == p->file)
		return arena_printf(p->arena, "line %d", first.line);
	return arena_printf(p->arena, "%s:%d", diag_source_name(first.file), first.line);
}

void dsl_add_model(DslParser *p, Model *m, SrcLoc kw)
{
	Model *old = p->prog->model;
	if (old) {
		diag_error(kw, "duplicate 'model' block (the first is at %s)", first_at(p, old->loc));
		diag_note(old->loc, "the first 'model' block is here");
		return;
	}
	p->prog->model = m;
}

void dsl_add_train(DslParser *p, Train *t)
{
	Train *old = p->prog->train;
	if (old) {
		diag_error(t->loc, "duplicate 'train' block (the first is at %s)", first_at(p, old->loc));
		diag_note(old->loc, "the first 'train' block is here");
		return;
	}
	p->prog->train = t;
}
