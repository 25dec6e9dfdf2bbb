/* parser.y: the grammar of model files (docs/grammar.md) and its messages.
 *
 * Builds the tree of ast.h in the caller's arena. Each rule carries the
 * production of docs/grammar.md it implements. Syntax errors never say
 * "syntax error": report_syntax_error turns the set of tokens the parser
 * could accept (exact, thanks to LAC) into words, and names the bracket or
 * block a missing closer would close. Recovery is per definition: after an
 * error the parser skips to the next 'cell', 'model' or 'train' keyword
 * (they can only start a definition), so one broken definition gives one
 * message and later definitions are still checked. */
%define api.pure full
%define api.prefix {dsl_yy}
%define api.token.prefix {TK_}
%define parse.error custom
%define parse.lac full
%locations
%param {yyscan_t scanner}
%parse-param {DslParser *p}

%code requires {
#include "dsl/ast.h"

#ifndef YY_TYPEDEF_YY_SCANNER_T
#define YY_TYPEDEF_YY_SCANNER_T
typedef void *yyscan_t;
#endif

/* Front-end private declarations, shared by parser.y, lexer.l and ast.c. */
#define DSL_MAX_NEST 256     /* open brackets at once */
#define DSL_MAX_DEPTH 1000   /* depth of one expression tree */

typedef struct {
	int tok;                 /* TK_ code */
	const char *text;        /* spelling: the name, the number, or the token */
	SrcLoc loc;
	int end_col;             /* column of its last byte */
} DslToken;

typedef struct {
	char ch;                 /* '(', '[' or '{' */
	SrcLoc loc;
	const char *what;        /* '{' only: "'model' block", "'cell f'" ... */
} DslOpener;

/* One parse: the scanner's extra data and the parser's parameter. */
typedef struct {
	Arena *arena;
	Program *prog;
	int file, builtin;
	int line, col;                    /* where the scanner is */
	DslToken prev, cur;               /* cur: the last token scanned */
	DslOpener open[DSL_MAX_NEST];     /* brackets open after cur ... */
	int nopen, nopen_before;          /* ... and before it */
	int item_kw;                      /* TK_CELL/MODEL/TRAIN of the current definition */
	const char *item_name;
	int recovering;                   /* an error was reported in this definition */
} DslParser;

/* Lists built during the parse, in the arena (nothing to free on error). */
typedef struct {
	void **items;
	int len, cap;
	int depth;               /* deepest expression in it (argument lists) */
} DslList;
typedef struct { const char *name; SrcLoc loc; Expr *dim; } DslName;
typedef struct { Expr *e; int depth; } DslExpr;
}

%code provides {
int dsl_yylex(DSL_YYSTYPE *val, DSL_YYLTYPE *loc, yyscan_t scanner);
const char *dsl_token_spelling(int tok);

/* ast.c: constructors. Lists are copied into exact-size arrays. */
void dsl_list_push(Arena *a, DslList *l, void *item);
Expr *dsl_num(Arena *a, SrcLoc loc, double v, int is_int);
Expr *dsl_name(Arena *a, SrcLoc loc, const char *name);
Expr *dsl_string(Arena *a, SrcLoc loc, const char *text);
Expr *dsl_call(Arena *a, SrcLoc loc, const char *name, const DslList *args);
Expr *dsl_binary(Arena *a, SrcLoc loc, char op, Expr *lhs, Expr *rhs);
Expr *dsl_negate(Arena *a, SrcLoc loc, Expr *e);
Arg *dsl_arg(Arena *a, const char *name, SrcLoc loc, Expr *value);
DslName *dsl_dname(Arena *a, const char *name, SrcLoc loc, Expr *dim);
CellParam *dsl_cparam(Arena *a, const char *name, SrcLoc loc, Expr *def);
/* names: DslName*, their dims (if any) become the statement's dims. */
Stmt *dsl_stmt(Arena *a, StmtKind kind, SrcLoc loc, const DslList *names, Expr *value);
void dsl_stmt_dims(Arena *a, Stmt *s, const DslList *dims);
Cell *dsl_cell(Arena *a, const char *name, SrcLoc loc, int builtin,
	const DslList *params, const DslList *body);
Model *dsl_model(Arena *a, const char *name, SrcLoc loc, const DslList *body);
Train *dsl_train(Arena *a, SrcLoc loc, const DslList *body);
/* Adds a definition to p->prog, reporting a second model or train block, a
 * cell defined twice (the prelude's included) or a repeated parameter. */
void dsl_add_cell(DslParser *p, Cell *c);
void dsl_add_model(DslParser *p, Model *m, SrcLoc kw);
void dsl_add_train(DslParser *p, Train *t);
}

%code {
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The parser's stack, past its first 200 entries, is counted like every
 * other allocation (mem/mem.h). */
#define YYMALLOC mem_malloc
#define YYFREE free

#define A (p->arena)
#define LOC(l) ((SrcLoc){p->file, (l).first_line, (l).first_column})

static void dsl_yyerror(DSL_YYLTYPE *loc, yyscan_t scanner, DslParser *p, const char *msg);
static DslExpr node(Expr *e, int depth);
static DslExpr binary(DslParser *p, char op, SrcLoc loc, DslExpr l, DslExpr r);
static DslList list1(DslParser *p, void *item);
}

%union {
	const char *str;
	struct { double v; int is_int; } num;
	DslExpr ex;
	DslList list;
	struct { Arg *a; int depth; } arg;
	CellParam *cparam;
	Stmt *stmt;
	DslName *dname;
	int flag;
}

%token EOF 0 "end of file"
%token NAME "a name" NUMBER "a number" STRING "a string" LEXERROR "invalid token"
/* The order matters to the messages: keywords run from CELL to STEPS, the
 * reserved ones from CELL to OUTPUT (SPIKES to STEPS are keywords only in
 * an input statement), and those that start a statement from PARAM to
 * OUTPUT. */
%token CELL "cell" MODEL "model" TRAIN "train"
%token PARAM "param" STATE "state" RETURN "return"
%token INPUT "input" OUTPUT "output" SPIKES "spikes" ANALOG "analog" TOKENS "tokens" CARRY "carry"
%token OVER "over" STEPS "steps"
%token LPAREN "(" RPAREN ")" LBRACK "[" RBRACK "]" LBRACE "{" RBRACE "}"
%token COMMA "," ASSIGN "=" SEMI ";"
%token PLUS "+" MINUS "-" STAR "*" SLASH "/" AT "@"

%type <str> NAME STRING name
%type <num> NUMBER
%type <ex> expr primary
%type <list> cparams_opt cparams cell_body model_body settings targets exprs
%type <list> state_decls args_opt args
%type <arg> arg
%type <cparam> cparam
%type <stmt> cell_stmt model_stmt setting
%type <dname> state_decl init_opt
%type <flag> encoding

%left "+" "-"
%left "*" "/" "@"
%precedence NEG

%%

/* program := item* */
program
	: %empty
	| program item
	| program error        /* skip to the next definition */
	;

/* item := cell_def | model_def | train_def */
item
	: cell_def
	| model_def
	| train_def
	;

/* cell_def := 'cell' NAME '(' [cparam (',' cparam)*] ')' '{' cell_stmt* '}' */
cell_def
	: "cell" name "(" cparams_opt ")" "{" cell_body "}"
		{ dsl_add_cell(p, dsl_cell(A, $2, LOC(@2), p->builtin, &$4, &$7)); }
	;

cparams_opt
	: %empty               { $$ = (DslList){0}; }
	| cparams
	;

cparams
	: cparam               { $$ = list1(p, $1); }
	| cparams "," cparam   { $$ = $1; dsl_list_push(A, &$$, $3); }
	;

/* cparam := NAME ['=' expr] */
cparam
	: name                 { $$ = dsl_cparam(A, $1, LOC(@1), NULL); }
	| name "=" expr        { $$ = dsl_cparam(A, $1, LOC(@1), $3.e); }
	;

cell_body
	: %empty               { $$ = (DslList){0}; }
	| cell_body cell_stmt semi_opt { $$ = $1; dsl_list_push(A, &$$, $2); }
	;

/* cell_stmt := 'param' NAME '[' expr (',' expr)* ']' ['=' NAME]
 *            | 'state' NAME '[' expr ']' (',' NAME '[' expr ']')*
 *            | NAME (',' NAME)* '=' expr
 *            | 'return' expr */
cell_stmt
	: "param" name "[" exprs "]" init_opt
		{
			DslList n = list1(p, dsl_dname(A, $2, LOC(@2), NULL));
			$$ = dsl_stmt(A, S_PARAM, LOC(@1), &n, NULL);
			dsl_stmt_dims(A, $$, &$4);
			if ($6) {
				$$->init = $6->name;
				$$->init_loc = $6->loc;
			}
		}
	| "state" state_decls  { $$ = dsl_stmt(A, S_STATE, LOC(@1), &$2, NULL); }
	| targets "=" expr     { $$ = dsl_stmt(A, S_ASSIGN, LOC(@1), &$1, $3.e); }
	| "return" expr        { $$ = dsl_stmt(A, S_RETURN, LOC(@1), NULL, $2.e); }
	;

init_opt
	: %empty               { $$ = NULL; }
	| "=" name             { $$ = dsl_dname(A, $2, LOC(@2), NULL); }
	;

state_decls
	: state_decl           { $$ = list1(p, $1); }
	| state_decls "," state_decl { $$ = $1; dsl_list_push(A, &$$, $3); }
	;

state_decl
	: name "[" expr "]"    { $$ = dsl_dname(A, $1, LOC(@1), $3.e); }
	;

targets
	: name                 { $$ = list1(p, dsl_dname(A, $1, LOC(@1), NULL)); }
	| targets "," name     { $$ = $1; dsl_list_push(A, &$$, dsl_dname(A, $3, LOC(@3), NULL)); }
	;

exprs
	: expr                 { $$ = list1(p, $1.e); }
	| exprs "," expr       { $$ = $1; dsl_list_push(A, &$$, $3.e); }
	;

/* model_def := 'model' NAME '{' model_stmt* '}' */
model_def
	: "model" name "{" model_body "}"
		{ dsl_add_model(p, dsl_model(A, $2, LOC(@2), &$4), LOC(@1)); }
	;

model_body
	: %empty               { $$ = (DslList){0}; }
	| model_body model_stmt semi_opt { $$ = $1; dsl_list_push(A, &$$, $2); }
	;

/* model_stmt := 'input' NAME '[' expr ']' ('spikes' | 'analog' | 'tokens') 'over' expr 'steps'
 *             | 'carry' 'state'
 *             | NAME (',' NAME)* '=' expr
 *             | 'output' expr */
model_stmt
	: "input" name "[" expr "]" encoding "over" expr "steps"
		{
			DslList n = list1(p, dsl_dname(A, $2, LOC(@2), $4.e));
			$$ = dsl_stmt(A, S_INPUT, LOC(@1), &n, $8.e);
			$$->spikes = $6;
		}
	| targets "=" expr     { $$ = dsl_stmt(A, S_ASSIGN, LOC(@1), &$1, $3.e); }
	| "carry" "state"      { $$ = dsl_stmt(A, S_CARRY, LOC(@1), NULL, NULL); }
	| "output" expr        { $$ = dsl_stmt(A, S_OUTPUT, LOC(@1), NULL, $2.e); }
	;

encoding
	: "spikes"             { $$ = IN_ENC_SPIKES; }
	| "analog"             { $$ = IN_ENC_ANALOG; }
	| "tokens"             { $$ = IN_ENC_TOKENS; }
	;

/* train_def := 'train' '{' (NAME '=' expr)* '}' */
train_def
	: "train" "{" settings "}" { dsl_add_train(p, dsl_train(A, LOC(@1), &$3)); }
	;

settings
	: %empty               { $$ = (DslList){0}; }
	| settings setting semi_opt { $$ = $1; dsl_list_push(A, &$$, $2); }
	;

setting
	: name "=" expr
		{
			DslList n = list1(p, dsl_dname(A, $1, LOC(@1), NULL));
			$$ = dsl_stmt(A, S_SETTING, LOC(@1), &n, $3.e);
		}
	;

/* NAME, or a contextual keyword: 'spikes', 'analog', 'tokens', 'over' and
 * 'steps' are keywords only where an input statement expects them, 'carry'
 * only before 'state' in a model. */
name
	: NAME
	| "spikes"             { $$ = "spikes"; }
	| "analog"             { $$ = "analog"; }
	| "tokens"             { $$ = "tokens"; }
	| "carry"              { $$ = "carry"; }
	| "over"               { $$ = "over"; }
	| "steps"              { $$ = "steps"; }
	;

/* Any statement may end with ';'. */
semi_opt
	: %empty
	| ";"
	;

/* expr := expr ('+'|'-') expr | expr ('*'|'/'|'@') expr | '-' expr | primary */
expr
	: expr "+" expr        { $$ = binary(p, '+', LOC(@2), $1, $3); if (!$$.e) YYABORT; }
	| expr "-" expr        { $$ = binary(p, '-', LOC(@2), $1, $3); if (!$$.e) YYABORT; }
	| expr "*" expr        { $$ = binary(p, '*', LOC(@2), $1, $3); if (!$$.e) YYABORT; }
	| expr "/" expr        { $$ = binary(p, '/', LOC(@2), $1, $3); if (!$$.e) YYABORT; }
	| expr "@" expr        { $$ = binary(p, '@', LOC(@2), $1, $3); if (!$$.e) YYABORT; }
	| "-" expr %prec NEG
		{
			$$ = node(dsl_negate(A, LOC(@1), $2.e), 1 + $2.depth);
			if (!$$.e)
				YYABORT;
		}
	| primary
	;

/* primary := NUMBER | STRING | NAME | NAME '(' [arg (',' arg)*] ')' | '(' expr ')' */
primary
	: NUMBER               { $$ = node(dsl_num(A, LOC(@1), $1.v, $1.is_int), 1); }
	| STRING               { $$ = node(dsl_string(A, LOC(@1), $1), 1); }
	| name                 { $$ = node(dsl_name(A, LOC(@1), $1), 1); }
	| name "(" args_opt ")"
		{ $$ = node(dsl_call(A, LOC(@1), $1, &$3), 1 + $3.depth); if (!$$.e) YYABORT; }
	| "(" expr ")"         { $$ = $2; }
	;

args_opt
	: %empty               { $$ = (DslList){0}; }
	| args
	;

args
	: arg                  { $$ = list1(p, $1.a); $$.depth = $1.depth; }
	| args "," arg
		{
			$$ = $1;
			dsl_list_push(A, &$$, $3.a);
			if ($3.depth > $$.depth)
				$$.depth = $3.depth;
		}
	;

/* arg := expr | NAME '=' expr */
arg
	: expr                 { $$.a = dsl_arg(A, NULL, LOC(@1), $1.e); $$.depth = $1.depth; }
	| name "=" expr        { $$.a = dsl_arg(A, $1, LOC(@1), $3.e); $$.depth = $3.depth; }
	;

%%
/* ---- tree helpers --------------------------------------------------- */

static DslList list1(DslParser *p, void *item)
{
	DslList l = {0};
	dsl_list_push(A, &l, item);
	return l;
}

/* Wraps e with its depth; a tree deeper than DSL_MAX_DEPTH is an error
 * (returns a NULL node and the caller aborts), so that no later pass
 * recurses without bound. */
static DslExpr node(Expr *e, int depth)
{
	if (depth > DSL_MAX_DEPTH) {
		diag_error(e->loc, "expression nested too deeply (the limit is %d levels)",
			DSL_MAX_DEPTH);
		return (DslExpr){NULL, 0};
	}
	return (DslExpr){e, depth};
}

static DslExpr binary(DslParser *p, char op, SrcLoc loc, DslExpr l, DslExpr r)
{
	int d = l.depth > r.depth ? l.depth : r.depth;
	return node(dsl_binary(A, loc, op, l.e, r.e), d + 1);
}

/* ---- messages ------------------------------------------------------- */

const char *dsl_token_spelling(int tok)
{
	return yysymbol_name(YYTRANSLATE(tok));
}

/* The parser's stack overflowed: only a deeply nested expression does that. */
static void dsl_yyerror(DSL_YYLTYPE *loc, yyscan_t scanner, DslParser *p, const char *msg)
{
	(void)scanner;
	if (strstr(msg, "exhausted"))
		diag_error(LOC(*loc), "expression nested too deeply");
	else
		diag_error(LOC(*loc), "%s", msg);
}

static int is_op(int k)
{
	return k == YYSYMBOL_PLUS || k == YYSYMBOL_MINUS || k == YYSYMBOL_STAR ||
		k == YYSYMBOL_SLASH || k == YYSYMBOL_AT;
}

static int is_closer(int k)
{
	return k == YYSYMBOL_RPAREN || k == YYSYMBOL_RBRACK || k == YYSYMBOL_RBRACE;
}

static int starts_item(int k)
{
	return k == YYSYMBOL_CELL || k == YYSYMBOL_MODEL || k == YYSYMBOL_TRAIN;
}

/* The keywords that can never be a name. */
static int is_reserved(int k)
{
	return k >= YYSYMBOL_CELL && k <= YYSYMBOL_OUTPUT;
}

/* 'spikes', 'analog', 'tokens', 'carry', 'over', 'steps': names too, except
 * in an input or before 'state'. */
static int is_contextual(int k)
{
	return k >= YYSYMBOL_SPIKES && k <= YYSYMBOL_STEPS;
}

static int closer_sym(char open)
{
	return open == '(' ? YYSYMBOL_RPAREN : open == '[' ? YYSYMBOL_RBRACK : YYSYMBOL_RBRACE;
}

/* "')' (to close '(' at 3:9)" or "'}' to close 'model' block at line 3". */
static const char *closing(DslParser *p, const DslOpener *o)
{
	const char *c = yysymbol_name(closer_sym(o->ch));
	if (o->ch == '{')
		return arena_printf(A, "'%s' to close %s at line %d", c, o->what, o->loc.line);
	return arena_printf(A, "'%s' (to close '%c' at %d:%d)", c, o->ch, o->loc.line, o->loc.col);
}

/* The words for what the parser could have accepted: groups of tokens
 * become "an expression" or "a statement"; operators are mentioned only
 * where the alternative is a new statement; ';' is never worth saying.
 * Fills items, returns how many. */
static int expected_words(DslParser *p, const int *want, const DslOpener *top,
	const char **items)
{
	int n = 0, absorbed[YYNTOKENS];
	int stmt = 0, ops = 0;

	for (int k = YYSYMBOL_PARAM; k <= YYSYMBOL_OUTPUT; k++)
		stmt |= want[k];
	if (want[YYSYMBOL_NAME] && want[YYSYMBOL_RBRACE] && p->item_kw == TK_TRAIN)
		stmt = 2;
	for (int k = 0; k < YYNTOKENS; k++)
		ops |= is_op(k) && want[k];
	/* Where a name may go, so may a contextual keyword: "a name" says it. */
	for (int k = 0; k < YYNTOKENS; k++)
		absorbed[k] = want[YYSYMBOL_NAME] && is_contextual(k);
	if (want[YYSYMBOL_NUMBER]) {
		items[n++] = "an expression";
		absorbed[YYSYMBOL_NUMBER] = absorbed[YYSYMBOL_NAME] = absorbed[YYSYMBOL_STRING] = 1;
		absorbed[YYSYMBOL_LPAREN] = absorbed[YYSYMBOL_MINUS] = 1;
	}
	if (ops && stmt)
		items[n++] = "an operator";
	if (stmt) {
		absorbed[YYSYMBOL_NAME] = 1;
		for (int k = YYSYMBOL_PARAM; k <= YYSYMBOL_OUTPUT; k++)
			absorbed[k] = 1;
	}
	/* In `h, c = ...` the ',' is a detail; in `f(a, b)` it is not; nor
	 * is a named argument's '='. After a name, '(' (a call) counts as an
	 * operator. */
	if (want[YYSYMBOL_ASSIGN] && !want[YYSYMBOL_RPAREN])
		absorbed[YYSYMBOL_COMMA] = 1;
	if (want[YYSYMBOL_ASSIGN] && want[YYSYMBOL_RPAREN])
		absorbed[YYSYMBOL_ASSIGN] = 1;
	if (ops)
		absorbed[YYSYMBOL_LPAREN] = 1;
	for (int k = 0; k < YYNTOKENS; k++) {
		if (!want[k] || absorbed[k] || is_op(k) || starts_item(k) || is_closer(k) ||
		    k == YYSYMBOL_SEMI || k == YYSYMBOL_YYEOF || k == YYSYMBOL_YYerror ||
		    k == YYSYMBOL_YYUNDEF)
			continue;
		if (k == YYSYMBOL_NAME)
			items[n++] = "a name";
		else
			items[n++] = arena_printf(A, "'%s'", yysymbol_name(k));
	}
	if (stmt)
		items[n++] = stmt == 2 ? "a setting name" : "a statement";
	if (want[YYSYMBOL_CELL] || want[YYSYMBOL_MODEL] || want[YYSYMBOL_TRAIN])
		items[n++] = "'cell', 'model' or 'train'";
	else if (want[YYSYMBOL_YYEOF])
		items[n++] = "end of file";
	/* closers last, the innermost one naming its opener */
	for (int k = 0; k < YYNTOKENS; k++) {
		if (!want[k] || !is_closer(k))
			continue;
		if (top && k == closer_sym(top->ch) && k != YYSYMBOL_RBRACE)
			items[n++] = closing(p, top);
		else
			items[n++] = arena_printf(A, "'%s'", yysymbol_name(k));
	}
	if (n == 0 && ops)
		items[n++] = "an operator";
	if (n == 0 && want[YYSYMBOL_SEMI])
		items[n++] = "';'";
	return n;
}

/* Called by the parser on a syntax error; see the file comment. */
static int yyreport_syntax_error(const yypcontext_t *ctx, yyscan_t scanner, DslParser *p)
{
	yysymbol_kind_t la = yypcontext_token(ctx);
	yysymbol_kind_t exp[YYNTOKENS];
	int want[YYNTOKENS] = {0};
	const char *items[YYNTOKENS + 4];
	SrcLoc at = LOC(*yypcontext_location(ctx));
	const DslOpener *top = p->nopen_before ? &p->open[p->nopen_before - 1] : NULL;
	StrBuf m = {0};

	(void)scanner;
	/* The scanner has already explained a bad token. */
	if (la == YYSYMBOL_LEXERROR) {
		p->recovering = 1;
		return 0;
	}
	/* After an error the parser skips to the next definition; if this
	 * token starts one, errors inside it are fresh ones. */
	if (!starts_item(la))
		p->recovering = 1;
	int nexp = yypcontext_expected_tokens(ctx, exp, YYNTOKENS);
	for (int i = 0; i < nexp; i++)
		want[exp[i]] = 1;

	const char *found = arena_printf(A, "'%s'", p->cur.text);
	if (is_closer(la) && (!top || (top->ch == '{' && la != YYSYMBOL_RBRACE))) {
		/* `)` with nothing open but a block */
		char open = la == YYSYMBOL_RPAREN ? '(' : la == YYSYMBOL_RBRACK ? '[' : '{';
		diag_error(at, "found %s without a matching '%c'", found, open);
		return 0;
	}
	if ((is_closer(la) || starts_item(la) || la == YYSYMBOL_YYEOF) && top &&
	    want[closer_sym(top->ch)]) {
		/* The closer of the innermost bracket is missing: we are at a
		 * wrong closer, at the next definition, or at the end. */
		if (la == YYSYMBOL_YYEOF)
			diag_error(at, "unexpected end of file: expected %s", closing(p, top));
		else
			diag_error(at, "expected %s, found %s", closing(p, top), found);
		return 0;
	}

	int n = expected_words(p, want, top, items);
	if (n == 0) {
		diag_error(at, "unexpected %s", la == YYSYMBOL_YYEOF ? "end of file" : found);
		return 0;
	}
	if (la == YYSYMBOL_YYEOF)
		sb_puts(&m, "unexpected end of file: ");
	sb_puts(&m, "expected ");
	for (int i = 0; i < n; i++)
		sb_printf(&m, "%s%s", i == 0 ? "" : i == n - 1 ? " or " : ", ", items[i]);
	/* One possibility reads best tied to what came before it. */
	if (n == 1 && !strstr(items[0], " or ") && !strstr(items[0], "to close") && p->prev.text)
		sb_printf(&m, " after '%s'", p->prev.text);
	if (la != YYSYMBOL_YYEOF)
		sb_printf(&m, ", found %s", found);
	if (is_reserved(la) && want[YYSYMBOL_NAME])
		sb_puts(&m, ", which is a keyword and cannot be used as a name");
	diag_error(at, "%s", m.buf);
	sb_free(&m);
	return 0;
}
