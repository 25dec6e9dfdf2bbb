/* train_values.c: the checks of a train block's values that every setting
 * uses: numbers with their range, names among a list (with "did you
 * mean"), and a call's arguments bound to its parameters. Each reports at
 * the offending value, in the words the user wrote. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "lower.h"
#include "train_check.h"

int tb_find(const char *name, const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (strcmp(name, names[i]) == 0)
			return i;
	return -1;
}

/* "a, b and c" */
const char *tb_join(char *buf, size_t size, const char *const *names, int n)
{
	size_t len = 0;
	buf[0] = 0;
	for (int i = 0; i < n && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s", i == 0 ? "" : i == n - 1 ? " and " : ", ",
					names[i]);
	return buf;
}

/* Where an expression starts: a binary expression is located at its
 * operator, but an error about the whole value points at its beginning. */
SrcLoc tb_start(const Expr *e)
{
	while (e->kind == E_BIN)
		e = e->lhs;
	return e->loc;
}

/* A setting's number: a literal, or + - * / and unary minus over literals.
 * Returns 0, without reporting, for anything else. */
static int number(const Expr *e, double *v, int *is_int)
{
	double a, b;
	int ia, ib;
	switch (e->kind) {
	case E_NUM:
		*v = e->num;
		*is_int = e->is_int;
		return 1;
	case E_NEG:
		if (!number(e->lhs, v, is_int))
			return 0;
		*v = -*v;
		return 1;
	case E_BIN:
		if (e->op == '@' || !number(e->lhs, &a, &ia) || !number(e->rhs, &b, &ib))
			return 0;
		*is_int = ia && ib && e->op != '/';
		*v = e->op == '+' ? a + b : e->op == '-' ? a - b : e->op == '*' ? a * b : a / b;
		return 1;
	default:
		return 0;
	}
}

/* The user's value as the "got ..." of a message. */
const char *tb_describe(const Expr *e, char *buf, size_t n)
{
	double v;
	int is_int;
	if (number(e, &v, &is_int)) {
		if (!isfinite(v))
			snprintf(buf, n, "a value that is not finite");
		else if (!is_int && v == floor(v) && fabs(v) < 1e15)
			snprintf(buf, n, "%.1f", v);
		else
			snprintf(buf, n, "%.10g", v);
	} else if (e->kind == E_NAME) {
		snprintf(buf, n, "'%s'", e->name);
	} else if (e->kind == E_CALL) {
		snprintf(buf, n, "'%s(...)'", e->name);
	} else {
		snprintf(buf, n, "an expression");
	}
	return buf;
}

/* Checks that e is an integer >= min (0 or 1). */
int tb_want_int(const Expr *e, const char *what, int min, int *out)
{
	double v;
	int is_int;
	char buf[64];
	if (!number(e, &v, &is_int) || !is_int || v < min) {
		diag_error(tb_start(e), "'%s' must be %s, got %s", what, min > 0 ? "a positive integer" : "an integer >= 0",
			   tb_describe(e, buf, sizeof buf));
		return 0;
	}
	if (v > INT_MAX) {
		diag_error(tb_start(e), "'%s' is too large (the largest is %d)", what, INT_MAX);
		return 0;
	}
	*out = (int)v;
	return 1;
}

/* Checks that e is a number in range r. */
int tb_want_real(const Expr *e, const char *what, Range r, double *out)
{
	static const char *const need[] = {"a number > 0", "a number >= 0", "a number in [0, 1)", "a number in (0, 1]"};
	double v;
	int is_int, ok = number(e, &v, &is_int) && isfinite(v);
	if (ok) {
		switch (r) {
		case R_POSITIVE: ok = v > 0; break;
		case R_NONNEG: ok = v >= 0; break;
		case R_FRACTION: ok = v >= 0 && v < 1; break;
		case R_FACTOR: ok = v > 0 && v <= 1; break;
		}
	}
	if (!ok) {
		char buf[64];
		diag_error(tb_start(e), "'%s' must be %s, got %s", what, need[r], tb_describe(e, buf, sizeof buf));
		return 0;
	}
	*out = v;
	return 1;
}

/* "unknown dataset 'x' (did you mean 'y'?); the datasets are a, b and c" */
void tb_unknown(SrcLoc loc, const char *what, const char *name, const char *const *names, int n)
{
	char list[256];
	const char *s = lower_suggest(name, names, n);
	diag_error(loc, "unknown %s '%s'%s%s%s; the %ss are %s", what, name, s ? " (did you mean '" : "", s ? s : "",
		   s ? "'?)" : "", what, tb_join(list, sizeof list, names, n));
}

/* The index of e's function (`adam` or `adam(...)`) among names. Reports
 * and returns -1 when e is not a name or call, or names none of them. */
int tb_pick(const Expr *e, const char *setting, const char *what, const char *const *names, int n,
		const char *example)
{
	if (e->kind != E_NAME && e->kind != E_CALL) {
		char buf[64];
		diag_error(tb_start(e), "'%s' must be %s %s such as '%s', got %s", setting, strchr("aeiou", what[0]) ? "an" : "a",
			   what, example, tb_describe(e, buf, sizeof buf));
		return -1;
	}
	int k = tb_find(e->name, names, n);
	if (k < 0)
		tb_unknown(e->loc, what, e->name, names, n);
	return k;
}

/* Matches the arguments of call e to its n parameters, of which only the
 * first may be given by position: val[i] is the value given for params[i],
 * or NULL. A bare name (`adam`) has no arguments. Reports every misplaced,
 * unknown or repeated argument; returns 0 if there was one. */
int tb_bind(const Expr *e, const char *const *params, int n, const Expr **val)
{
	SrcLoc at[8] = {{0}};
	char list[256];
	int ok = 1, named = 0;
	SPK_ASSERT(n <= 8);
	for (int i = 0; i < n; i++)
		val[i] = NULL;
	if (e->kind != E_CALL)
		return 1;
	for (int i = 0; i < e->nargs; i++) {
		const Arg *a = &e->args[i];
		int k = 0;
		if (n == 0) {
			diag_error(a->loc, "'%s' takes no arguments; write just '%s'", e->name, e->name);
			return 0;
		}
		if (!a->name && named) {
			diag_error(a->loc, "positional argument after a named one in '%s'; put it first or name it",
				   e->name);
			ok = 0;
			continue;
		}
		if (!a->name && i > 0) {
			if (i >= n)
				diag_error(a->loc, "'%s' takes %d argument%s (%s), but this is argument %d", e->name, n,
					   n == 1 ? "" : "s", tb_join(list, sizeof list, params, n), i + 1);
			else
				diag_error(a->loc, "'%s' takes only '%s' by position; name this argument: '%s = ...'",
					   e->name, params[0], params[i]);
			ok = 0;
			continue;
		}
		if (a->name) {
			named = 1;
			k = tb_find(a->name, params, n);
			if (k < 0) {
				const char *s = lower_suggest(a->name, params, n);
				diag_error(a->loc, "'%s' has no argument '%s'%s%s%s; its %s %s", e->name, a->name,
					   s ? " (did you mean '" : "", s ? s : "", s ? "'?)" : "",
					   n == 1 ? "only argument is" : "arguments are", tb_join(list, sizeof list, params, n));
				ok = 0;
				continue;
			}
		}
		if (val[k]) {
			diag_error(a->loc, "argument '%s' of '%s' is given twice", params[k], e->name);
			diag_note(at[k], "it is first given here");
			ok = 0;
			continue;
		}
		val[k] = a->value;
		at[k] = a->loc;
	}
	return ok;
}
