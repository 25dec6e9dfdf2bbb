/* test_dsl.c: the DSL front end (dsl/lexer.l, dsl/parser.y, dsl/ast.c) and
 * the diagnostics it prints (compiler/diag.c).
 *
 * Valid programs are checked against the tree they must build and against
 * the printer (print, parse, print: same text). Errors are checked by the
 * exact message; the whole stderr output of the golden tests lives in
 * tests/errors/ instead. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "dsl/ast.h"
#include "unit.h"

static const char mnist[] =
	"# examples/mnist_rows.snn: the paper's row-wise spiking MNIST classifier\n"
	"model mnist_rows {\n"
	"    input  x[28] spikes over 28 steps\n"
	"    h    = slstm(x, 200, threshold = 0.1)\n"
	"    y    = dense(last(h), 10)\n"
	"    loss = cross_entropy(y)\n"
	"}\n"
	"train {\n"
	"    data      = mnist(rows, encode = bernoulli)\n"
	"    optimizer = adam(lr = 1e-3)\n"
	"    batch = 100   epochs = 5   seed = 1\n"
	"}\n";

static const char cell[] =
	"cell mycell(x, hidden, theta = 0.1, s = gaussian(var = 0.5)) {\n"
	"\tparam w[4 * hidden, size(x)] = he_normal\n"
	"\tparam b[4 * hidden];\n"
	"\tstate h[hidden], c[hidden]\n"
	"\ta = w @ x + w @ h + b\n"
	"\tai, af = split(a, 2)\n"
	"\tc = -ai @ af - c - 1 / 2 * theta\n"
	"\treturn spike(c - theta, s)\n"
	"}\n";

/* Captured stderr of the last parse. */
static char errs[16384];

/* Parses text as file `name` into prog, capturing what diag prints. */
static int parse(Arena *a, Program *prog, const char *name, const char *text, long len,
	int builtin)
{
	int file = diag_add_source(name, text, len < 0 ? (long)strlen(text) : len);
	FILE *tmp = tmpfile();
	int saved = dup(2);
	fflush(stderr);
	dup2(fileno(tmp), 2);
	int n = dsl_parse(a, file, prog, builtin);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	size_t got = fread(errs, 1, sizeof errs - 1, tmp);
	errs[got] = 0;
	fclose(tmp);
	return n;
}

static void clear(Arena *a, Program *prog)
{
	vec_free(&prog->cells);
	arena_free(a);
	memset(prog, 0, sizeof *prog);
}

/* The first line of the messages of a file that must fail with one error. */
static const char *first_error(const char *text)
{
	static char line[1024];
	Arena a = {0};
	Program prog = {0};
	int n = parse(&a, &prog, "t.snn", text, -1, 0);
	clear(&a, &prog);
	CU_ASSERT_EQUAL(n, 1);
	size_t k = strcspn(errs, "\n");
	snprintf(line, sizeof line, "%.*s", (int)k, errs);
	return line;
}

#define ASSERT_ERROR(text, msg) CU_ASSERT_STRING_EQUAL(first_error(text), msg)

static void test_mnist(void)
{
	Arena a = {0};
	Program prog = {0};
	CU_ASSERT_EQUAL(parse(&a, &prog, "mnist.snn", mnist, -1, 0), 0);
	CU_ASSERT_STRING_EQUAL(errs, "");
	CU_ASSERT_EQUAL(prog.cells.len, 0);
	Model *m = prog.model;
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT_STRING_EQUAL(m->name, "mnist_rows");
	CU_ASSERT_EQUAL(m->loc.line, 2);
	CU_ASSERT_EQUAL(m->loc.col, 7);
	CU_ASSERT_EQUAL_FATAL(m->nbody, 4);

	Stmt *in = m->body[0];
	CU_ASSERT_EQUAL(in->kind, S_INPUT);
	CU_ASSERT_STRING_EQUAL(in->names[0], "x");
	CU_ASSERT_EQUAL(in->name_locs[0].col, 12);
	CU_ASSERT_EQUAL(in->ndims, 1);
	CU_ASSERT_EQUAL(in->dims[0]->kind, E_NUM);
	CU_ASSERT_EQUAL(in->dims[0]->num, 28);
	CU_ASSERT_TRUE(in->dims[0]->is_int);
	CU_ASSERT_TRUE(in->spikes);
	CU_ASSERT_EQUAL(in->value->num, 28);

	Stmt *h = m->body[1];
	CU_ASSERT_EQUAL(h->kind, S_ASSIGN);
	CU_ASSERT_EQUAL(h->nnames, 1);
	CU_ASSERT_STRING_EQUAL(h->names[0], "h");
	CU_ASSERT_EQUAL(h->loc.line, 4);
	CU_ASSERT_EQUAL(h->loc.col, 5);
	Expr *call = h->value;
	CU_ASSERT_EQUAL(call->kind, E_CALL);
	CU_ASSERT_STRING_EQUAL(call->name, "slstm");
	CU_ASSERT_EQUAL(call->loc.col, 12);
	CU_ASSERT_EQUAL_FATAL(call->nargs, 3);
	CU_ASSERT_PTR_NULL(call->args[0].name);
	CU_ASSERT_EQUAL(call->args[0].value->kind, E_NAME);
	CU_ASSERT_EQUAL(call->args[1].loc.col, 21);
	CU_ASSERT_STRING_EQUAL(call->args[2].name, "threshold");
	CU_ASSERT_EQUAL(call->args[2].loc.col, 26);
	CU_ASSERT_DOUBLE_EQUAL(call->args[2].value->num, 0.1, 0);
	CU_ASSERT_FALSE(call->args[2].value->is_int);

	Expr *dense = m->body[2]->value;
	CU_ASSERT_EQUAL(dense->nargs, 2);
	CU_ASSERT_EQUAL(dense->args[0].value->kind, E_CALL);
	CU_ASSERT_STRING_EQUAL(dense->args[0].value->name, "last");
	CU_ASSERT_STRING_EQUAL(m->body[3]->names[0], "loss");

	Train *t = prog.train;
	CU_ASSERT_FATAL(t != NULL);
	CU_ASSERT_EQUAL(t->loc.line, 8);
	CU_ASSERT_EQUAL_FATAL(t->nbody, 5);
	const char *names[] = {"data", "optimizer", "batch", "epochs", "seed"};
	for (int i = 0; i < 5; i++) {
		CU_ASSERT_EQUAL(t->body[i]->kind, S_SETTING);
		CU_ASSERT_STRING_EQUAL(t->body[i]->names[0], names[i]);
	}
	Expr *data = t->body[0]->value;
	CU_ASSERT_STRING_EQUAL(data->args[0].value->name, "rows");
	CU_ASSERT_STRING_EQUAL(data->args[1].name, "encode");
	CU_ASSERT_STRING_EQUAL(data->args[1].value->name, "bernoulli");
	CU_ASSERT_DOUBLE_EQUAL(t->body[1]->value->args[0].value->num, 1e-3, 0);
	CU_ASSERT_EQUAL(t->body[3]->loc.col, 19);
	CU_ASSERT_EQUAL(t->body[3]->value->num, 5);
	clear(&a, &prog);
}

static void test_cell(void)
{
	Arena a = {0};
	Program prog = {0};
	CU_ASSERT_EQUAL(parse(&a, &prog, "cell.snn", cell, -1, 0), 0);
	CU_ASSERT_PTR_NULL(prog.model);
	CU_ASSERT_EQUAL_FATAL(prog.cells.len, 1);
	Cell *c = prog.cells.items[0];
	CU_ASSERT_STRING_EQUAL(c->name, "mycell");
	CU_ASSERT_FALSE(c->builtin);
	CU_ASSERT_EQUAL_FATAL(c->nparams, 4);
	CU_ASSERT_PTR_NULL(c->params[1].def);
	CU_ASSERT_EQUAL(c->params[2].def->num, 0.1);
	CU_ASSERT_EQUAL(c->params[3].def->kind, E_CALL);
	CU_ASSERT_EQUAL_FATAL(c->nbody, 7);

	Stmt *w = c->body[0], *b = c->body[1], *st = c->body[2];
	CU_ASSERT_EQUAL(w->kind, S_PARAM);
	CU_ASSERT_EQUAL(w->ndims, 2);
	CU_ASSERT_EQUAL(w->dims[0]->kind, E_BIN);
	CU_ASSERT_EQUAL(w->dims[0]->op, '*');
	CU_ASSERT_STRING_EQUAL(w->init, "he_normal");
	CU_ASSERT_EQUAL(w->init_loc.col, 33);
	CU_ASSERT_PTR_NULL(b->init);
	CU_ASSERT_EQUAL(st->kind, S_STATE);
	CU_ASSERT_EQUAL(st->nnames, 2);
	CU_ASSERT_EQUAL(st->ndims, 2);
	CU_ASSERT_STRING_EQUAL(st->names[1], "c");
	CU_ASSERT_STRING_EQUAL(st->dims[1]->name, "hidden");

	/* a = w @ x + w @ h + b  is  ((w @ x) + (w @ h)) + b */
	Expr *e = c->body[3]->value;
	CU_ASSERT_EQUAL(e->op, '+');
	CU_ASSERT_EQUAL(e->loc.col, 20);   /* the operator; a tab counts as 1 */
	CU_ASSERT_EQUAL(e->lhs->loc.col, 12);
	CU_ASSERT_EQUAL(e->lhs->op, '+');
	CU_ASSERT_EQUAL(e->lhs->lhs->op, '@');
	CU_ASSERT_EQUAL(e->lhs->rhs->op, '@');

	Stmt *multi = c->body[4];
	CU_ASSERT_EQUAL(multi->kind, S_ASSIGN);
	CU_ASSERT_EQUAL(multi->nnames, 2);
	CU_ASSERT_EQUAL(multi->name_locs[1].col, 6);

	/* -ai @ af - c - 1 / 2 * theta  is  (((-ai) @ af) - c) - ((1 / 2) * theta) */
	e = c->body[5]->value;
	CU_ASSERT_EQUAL(e->op, '-');
	CU_ASSERT_EQUAL(e->lhs->op, '-');
	CU_ASSERT_EQUAL(e->lhs->lhs->op, '@');
	CU_ASSERT_EQUAL(e->lhs->lhs->lhs->kind, E_NEG);
	CU_ASSERT_EQUAL(e->rhs->op, '*');
	CU_ASSERT_EQUAL(e->rhs->lhs->op, '/');
	CU_ASSERT_EQUAL(c->body[6]->kind, S_RETURN);
	clear(&a, &prog);
}

static void test_numbers(void)
{
	static const struct { const char *text; double v; int is_int; } cases[] = {
		{"12", 12, 1}, {"0.1", 0.1, 0}, {"1e-3", 1e-3, 0}, {"2.5E+4", 2.5e4, 0},
		{".5", 0.5, 0}, {"7.", 7, 0}, {"2147483647", 2147483647.0, 1},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char src[128];
		Arena a = {0};
		Program prog = {0};
		snprintf(src, sizeof src, "train { x = %s }", cases[i].text);
		CU_ASSERT_EQUAL(parse(&a, &prog, "n.snn", src, -1, 0), 0);
		Expr *e = prog.train->body[0]->value;
		CU_ASSERT_EQUAL(e->kind, E_NUM);
		CU_ASSERT_DOUBLE_EQUAL(e->num, cases[i].v, 0);
		CU_ASSERT_EQUAL(e->is_int, cases[i].is_int);
		clear(&a, &prog);
	}
}

/* print -> parse -> print gives the same text, for every program here. */
static void round_trip(const char *text, int builtin)
{
	Arena a = {0}, b = {0};
	Program p1 = {0}, p2 = {0};
	StrBuf s1 = {0}, s2 = {0};
	CU_ASSERT_EQUAL(parse(&a, &p1, "rt1.snn", text, -1, builtin), 0);
	dsl_print_program(&p1, &s1);
	CU_ASSERT_EQUAL(parse(&b, &p2, "rt2.snn", s1.buf, -1, builtin), 0);
	dsl_print_program(&p2, &s2);
	CU_ASSERT_STRING_EQUAL(s1.buf, s2.buf);
	sb_free(&s1);
	sb_free(&s2);
	clear(&a, &p1);
	clear(&b, &p2);
}

static void test_print(void)
{
	round_trip(mnist, 0);
	round_trip(cell, 0);
	round_trip(dsl_prelude_text, 1);
	round_trip("cell k() { return -(a - b) - (c - d) / (e * f) @ -g + -(-h) }\n"
		"train { z = 1e300  y = 0.30000000000000004  w = 3.0 }", 0);

	/* the canonical form */
	Arena a = {0};
	Program prog = {0};
	StrBuf s = {0};
	parse(&a, &prog, "p.snn", "cell k(x,y=2){x=(a-b)-(c+d)*-e\nreturn f(x,n=1.5)}"
		"model m{input x[2] analog over 3 steps;output x}", -1, 0);
	dsl_print_program(&prog, &s);
	CU_ASSERT_STRING_EQUAL(s.buf,
		"cell k(x, y = 2) {\n"
		"\tx = a - b - (c + d) * -e\n"
		"\treturn f(x, n = 1.5)\n"
		"}\n"
		"\n"
		"model m {\n"
		"\tinput x[2] analog over 3 steps\n"
		"\toutput x\n"
		"}\n");
	sb_free(&s);
	clear(&a, &prog);
}

/* 'spikes', 'analog', 'over' and 'steps' are keywords only in an input
 * statement; everywhere else they are names. */
static void test_contextual_keywords(void)
{
	Arena a = {0};
	Program prog = {0};
	const char *src =
		"cell over(steps, spikes = 2) { param analog[spikes]  state over[2]  over = steps  return analog }\n"
		"model steps {\n"
		"  input spikes[3] analog over 2 steps\n"
		"  steps, over = split(spikes, 2)\n"
		"  analog = over(spikes, spikes = 4)\n"
		"  output analog\n"
		"}\n"
		"train { data = toy_signal(steps = 200, encode = analog) }\n";
	CU_ASSERT_EQUAL(parse(&a, &prog, "k.snn", src, -1, 0), 0);
	CU_ASSERT_STRING_EQUAL(errs, "");
	CU_ASSERT_EQUAL_FATAL(prog.cells.len, 1);
	Cell *c = prog.cells.items[0];
	CU_ASSERT_STRING_EQUAL(c->name, "over");
	CU_ASSERT_STRING_EQUAL(c->params[0].name, "steps");
	CU_ASSERT_STRING_EQUAL(c->params[1].name, "spikes");
	CU_ASSERT_STRING_EQUAL(c->body[0]->names[0], "analog");
	CU_ASSERT_STRING_EQUAL(c->body[1]->names[0], "over");
	Model *m = prog.model;
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT_STRING_EQUAL(m->name, "steps");
	CU_ASSERT_EQUAL_FATAL(m->nbody, 4);
	CU_ASSERT_EQUAL(m->body[0]->kind, S_INPUT);
	CU_ASSERT_STRING_EQUAL(m->body[0]->names[0], "spikes");
	CU_ASSERT_FALSE(m->body[0]->spikes);
	CU_ASSERT_STRING_EQUAL(m->body[1]->names[0], "steps");
	CU_ASSERT_STRING_EQUAL(m->body[1]->names[1], "over");
	Expr *call = m->body[2]->value;
	CU_ASSERT_STRING_EQUAL(call->name, "over");
	CU_ASSERT_STRING_EQUAL(call->args[1].name, "spikes");
	CU_ASSERT_EQUAL(call->args[1].loc.col, 25);
	Expr *data = prog.train->body[0]->value;
	CU_ASSERT_STRING_EQUAL(data->args[0].name, "steps");
	CU_ASSERT_STRING_EQUAL(data->args[1].name, "encode");
	CU_ASSERT_STRING_EQUAL(data->args[1].value->name, "analog");
	clear(&a, &prog);
	round_trip(src, 0);
	/* a broken cell named by a contextual keyword is still named */
	ASSERT_ERROR("cell steps(x) {\n  return x\n",
		"t.snn:2:11: error: unexpected end of file: expected '}' to close 'cell steps' at line 1");
}

/* A cell's parameters have distinct names. */
static void test_duplicate_param(void)
{
	Arena a = {0};
	Program prog = {0};
	CU_ASSERT_EQUAL(parse(&a, &prog, "dup.snn", "cell proj(x, out,\n out = 2) { return x }", -1, 0), 1);
	CU_ASSERT_STRING_EQUAL(errs,
		"dup.snn:2:2: error: duplicate parameter 'out' of cell 'proj'\n"
		"    2 |  out = 2) { return x }\n"
		"      |  ^\n"
		"dup.snn:1:14: note: the first 'out' is here\n"
		"    1 | cell proj(x, out,\n"
		"      |              ^\n");
	clear(&a, &prog);
}

/* The prelude then a user file, into one program. */
static void test_two_files(void)
{
	Arena a = {0};
	Program prog = {0};
	CU_ASSERT_EQUAL(parse(&a, &prog, "<prelude>", dsl_prelude_text, -1, 1), 0);
	int nbuiltin = prog.cells.len;
	CU_ASSERT_TRUE(nbuiltin >= 1);
	CU_ASSERT_EQUAL(parse(&a, &prog, "user.snn", "cell mine(x) { return x }\n" "model m { output x }", -1, 0), 0);
	CU_ASSERT_EQUAL(prog.cells.len, nbuiltin + 1);
	CU_ASSERT_TRUE(((Cell *)prog.cells.items[0])->builtin);
	CU_ASSERT_FALSE(((Cell *)prog.cells.items[nbuiltin])->builtin);

	CU_ASSERT_EQUAL(parse(&a, &prog, "again.snn", "cell slstm(x) { return x }", -1, 0), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(errs, "again.snn:1:6: error: redefinition of cell 'slstm'\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(errs, "<prelude>:"));
	CU_ASSERT_PTR_NOT_NULL(strstr(errs, ": note: 'slstm' is a built-in cell, defined here\n"));
	CU_ASSERT_EQUAL(prog.cells.len, nbuiltin + 1);
	clear(&a, &prog);
}

static void test_empty(void)
{
	Arena a = {0};
	Program prog = {0};
	CU_ASSERT_EQUAL(parse(&a, &prog, "e.snn", "", 0, 0), 0);
	CU_ASSERT_EQUAL(parse(&a, &prog, "c.snn", "# nothing here\n# at all", -1, 0), 0);
	CU_ASSERT_EQUAL(parse(&a, &prog, "bom.snn", "\xEF\xBB\xBFmodel m { output x }", -1, 0), 0);
	CU_ASSERT_EQUAL(prog.model->loc.col, 7);
	CU_ASSERT_EQUAL(parse(&a, &prog, "semi.snn", "train { a = 1; b = 2 c = f(x);\r\n }", -1, 0), 0);
	CU_ASSERT_EQUAL(prog.train->nbody, 3);
	clear(&a, &prog);
}

/* The exact format: excerpt, caret under the column, tabs echoed. */
static void test_diag_format(void)
{
	first_error("model m {\n\th =\tslstm(x, 200}\n}\n");
	CU_ASSERT_STRING_EQUAL(errs,
		"t.snn:2:18: error: expected ')' (to close '(' at 2:11), found '}'\n"
		"    2 | \th =\tslstm(x, 200}\n"
		"      | \t   \t            ^\n");
	first_error("model m {\n    h = x +");
	CU_ASSERT_STRING_EQUAL(errs,
		"t.snn:2:12: error: unexpected end of file: expected an expression after '+'\n"
		"    2 |     h = x +\n"
		"      |            ^\n");
}

static void test_syntax_errors(void)
{
	ASSERT_ERROR("model m {\n    h = slstm(x, 200}\n}",
		"t.snn:2:21: error: expected ')' (to close '(' at 2:14), found '}'");
	ASSERT_ERROR("cell c(x) {\n    param w[4, size(x) = zeros\n}",
		"t.snn:2:24: error: expected ',' or ']' (to close '[' at 2:12), found '='");
	ASSERT_ERROR("cell a(x) {\n    return x\ncell b(y) {\n    return y\n}",
		"t.snn:3:1: error: expected '}' to close 'cell a' at line 1, found 'cell'");
	ASSERT_ERROR("cell slstm2(x) {\n  return x\n",
		"t.snn:2:11: error: unexpected end of file: expected '}' to close 'cell slstm2' at line 1");
	ASSERT_ERROR("model m {\n  h = x",
		"t.snn:2:8: error: unexpected end of file: expected '}' to close 'model' block at line 1");
	ASSERT_ERROR("train {\n  batch = 100\n  epochs 5\n}",
		"t.snn:3:10: error: expected '=' after 'epochs', found '5'");
	ASSERT_ERROR("model state {}",
		"t.snn:1:7: error: expected a name after 'model', found 'state', which is a keyword and cannot be used as a name");
	ASSERT_ERROR("model m { input x[2] steps over 3 steps }",
		"t.snn:1:22: error: expected 'spikes', 'analog' or 'tokens', found 'steps'");
	ASSERT_ERROR("model m { input x[2] spikes over 3 steps steps }",
		"t.snn:1:48: error: expected '=' after 'steps', found '}'");
	ASSERT_ERROR("model m {\n  input x[28] spikes over 28\n  h = x\n}",
		"t.snn:3:3: error: expected 'steps' after '28', found 'h'");
	ASSERT_ERROR("model m { input x spikes over 28 steps }",
		"t.snn:1:19: error: expected '[' after 'x', found 'spikes'");
	ASSERT_ERROR("model m { input x[1] over 2 steps }",
		"t.snn:1:22: error: expected 'spikes', 'analog' or 'tokens', found 'over'");
	ASSERT_ERROR("model m { h = slstm(x, 200) 5 }",
		"t.snn:1:29: error: expected an operator, a statement or '}', found '5'");
	ASSERT_ERROR("model m { h = f(x,) }",
		"t.snn:1:19: error: expected an expression after ',', found ')'");
	ASSERT_ERROR("cell f { return 1 }",
		"t.snn:1:8: error: expected '(' after 'f', found '{'");
	ASSERT_ERROR("model m { h = x ) }",
		"t.snn:1:17: error: found ')' without a matching '('");
	ASSERT_ERROR("model m { h = x }\n}",
		"t.snn:2:1: error: found '}' without a matching '{'");
	ASSERT_ERROR("foo",
		"t.snn:1:1: error: expected 'cell', 'model' or 'train', found 'foo'");
	ASSERT_ERROR("train { batch = 1 ) }",
		"t.snn:1:19: error: found ')' without a matching '('");
	ASSERT_ERROR("train { 5 }",
		"t.snn:1:9: error: expected a setting name or '}', found '5'");
	ASSERT_ERROR("model m { h = f(x\n y = 2 }",
		"t.snn:2:2: error: expected ',' or ')' (to close '(' at 1:16), found 'y'");
	ASSERT_ERROR("model m { h, = x }",
		"t.snn:1:14: error: expected a name after ',', found '='");
}

static void test_lexical_errors(void)
{
	ASSERT_ERROR("model m { h = x $ 2 }", "t.snn:1:17: error: stray '$' in program");
	ASSERT_ERROR("model m { h = caf\xC3\xA9 }",
		"t.snn:1:18: error: stray byte 0xC3 (non-ASCII characters are only allowed in comments)");
	ASSERT_ERROR("model m { h = \x01 }", "t.snn:1:15: error: stray byte 0x01 in program");
	ASSERT_ERROR("train { lr = 1e }", "t.snn:1:14: error: malformed number '1e'");
	ASSERT_ERROR("train { lr = 1.2.3 }", "t.snn:1:14: error: malformed number '1.2.3'");
	ASSERT_ERROR("train { lr = 3x }", "t.snn:1:14: error: malformed number '3x'");
	ASSERT_ERROR("train { n = 2147483648 }",
		"t.snn:1:13: error: integer literal '2147483648' is too large (the largest is 2147483647)");
	ASSERT_ERROR("train { n = 1e999 }", "t.snn:1:13: error: number '1e999' is out of range");

	Arena a = {0};
	Program prog = {0};
	CU_ASSERT_EQUAL(parse(&a, &prog, "nul.snn", "model m {\n h = x\0 }", 19, 0), 1);
	CU_ASSERT_STRING_EQUAL(errs,
		"nul.snn:2:7: error: stray NUL byte in program\n"
		"    2 |  h = x? }\n"
		"      |       ^\n");
	/* non-ASCII in comments is fine */
	CU_ASSERT_EQUAL(parse(&a, &prog, "u.snn", "# caf\xC3\xA9 \x01\n", -1, 0), 0);
	clear(&a, &prog);
}

/* One message per broken definition, later definitions still checked;
 * nothing cascades out of a bad definition. */
static void test_recovery(void)
{
	Arena a = {0};
	Program prog = {0};
	const char *src =
		"cell a(x) { return x $ $ ) ) }\n"
		"cell b(x) { return x + }\n"
		"cell ok(x) { return x }\n"
		"model m { h = f(x] y = ( ( }\n"
		"train { a = 1 }\n";
	CU_ASSERT_EQUAL(parse(&a, &prog, "r.snn", src, -1, 0), 3);
	CU_ASSERT_EQUAL(prog.cells.len, 1);
	CU_ASSERT_PTR_NULL(prog.model);
	CU_ASSERT_PTR_NOT_NULL(prog.train);
	clear(&a, &prog);

	CU_ASSERT_EQUAL(parse(&a, &prog, "d.snn",
		"model m { output x }\nmodel n { output y }\ntrain {}\ntrain {}", -1, 0), 2);
	CU_ASSERT_STRING_EQUAL(prog.model->name, "m");
	CU_ASSERT_PTR_NOT_NULL(strstr(errs,
		"d.snn:2:1: error: duplicate 'model' block (the first is at line 1)\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(errs, "d.snn:1:7: note: the first 'model' block is here\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(errs,
		"d.snn:4:1: error: duplicate 'train' block (the first is at line 3)\n"));
	clear(&a, &prog);
}

/* Deep nesting is an error with a location, never a crash. */
static void test_deep(void)
{
	static const char *shapes[] = {"(", "-", "f(", "x + "};
	for (int k = 0; k < 4; k++) {
		StrBuf s = {0};
		Arena a = {0};
		Program prog = {0};
		sb_puts(&s, "model m {\n h = ");
		for (int i = 0; i < 20000; i++)
			sb_puts(&s, shapes[k]);
		sb_puts(&s, "x");
		for (int i = 0; i < 20000 && k != 1 && k != 3; i++)
			sb_puts(&s, ")");
		sb_puts(&s, "\n}\n");
		CU_ASSERT_EQUAL(parse(&a, &prog, "deep.snn", s.buf, -1, 0), 1);
		CU_ASSERT_PTR_NOT_NULL(strstr(errs, "error: expression nested too deeply"));
		CU_ASSERT_PTR_NOT_NULL(strstr(errs, "deep.snn:2:"));
		sb_free(&s);
		clear(&a, &prog);
	}
}

/* After 20 errors in one file the rest are counted but not printed, and the
 * parse still fails (nothing exits). */
static void test_error_limit(void)
{
	StrBuf s = {0};
	Arena a = {0};
	Program prog = {0};
	for (int i = 0; i < 30; i++)
		sb_printf(&s, "cell c%d( { }\n", i);
	CU_ASSERT_TRUE(parse(&a, &prog, "many.snn", s.buf, -1, 0) > 20);
	int printed = 0;
	for (const char *p = errs; (p = strstr(p, "many.snn:")); p++)
		printed++;
	CU_ASSERT_EQUAL(printed, 21);  /* 20 errors and the line that stops */
	CU_ASSERT_PTR_NOT_NULL(strstr(errs, "many.snn: error: too many errors; stopping\n"));
	sb_free(&s);
	clear(&a, &prog);
}

UNIT_SUITE(dsl, "dsl/parser",
	UNIT_TEST(test_mnist),
	UNIT_TEST(test_cell),
	UNIT_TEST(test_numbers),
	UNIT_TEST(test_print),
	UNIT_TEST(test_contextual_keywords),
	UNIT_TEST(test_duplicate_param),
	UNIT_TEST(test_two_files),
	UNIT_TEST(test_empty),
	UNIT_TEST(test_diag_format),
	UNIT_TEST(test_syntax_errors),
	UNIT_TEST(test_lexical_errors),
	UNIT_TEST(test_recovery),
	UNIT_TEST(test_deep),
	UNIT_TEST(test_error_limit))
