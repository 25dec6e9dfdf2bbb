/* lower.h: from the syntax tree to the graph IR, with every semantic check.
 *
 * dsl_lower resolves names, evaluates compile-time numbers, expands cell calls
 * (built-in and user cells alike) and types every value, reporting user errors
 * through diag at the locations in the tree. The whole time-dependent part of
 * a model becomes one scan whose body holds every cell's step; `last` and
 * `mean` become carries, and per-step values used after the loop become
 * stacked scan outputs. Returns NULL if any error was reported. */
#ifndef SPIKEC_LOWER_H
#define SPIKEC_LOWER_H

#include "ast.h"
#include "compiler/ir.h"

Graph *dsl_lower(Arena *arena, Program *prog, int file);

/* ---- private to dsl/lower*.c ------------------------------------------ *
 *   lower.c        the model: inputs, statements, loss, the time loop
 *   lower_expr.c   expressions, calls and cell expansion (the recursive core)
 *   lower_ops.c    operators and built-in functions on evaluated arguments
 *   lower_scope.c  errors, scopes, value checks, carries, suggestions */

typedef enum { V_NONE, V_NUM, V_NODE, V_SUR, V_SYM } ValKind;

typedef struct {
	ValKind kind;
	double num;
	int is_int;
	int node;
	Surrogate sur;
	const char *sym;
	SrcLoc loc;
} Value;

/* A name in scope. A definition that failed binds its name to a poisoned
 * value (kind V_NONE): using it reports nothing more, so one mistake gives
 * one message. */
typedef struct {
	const char *name;
	Value v;
	SrcLoc loc;         /* where it was defined */
	int state;          /* carry index + 1 for a state not yet updated, else 0 */
	int updated;        /* state: updated in this step */
} Binding;

typedef Vec(Binding) Scope;

typedef struct Lower {
	Arena *arena;
	Program *prog;
	Graph *g;
	int body;            /* the scan body region */
	int scan;            /* the SCAN node, operands filled in at the end */
	Vec(int) seqs;       /* scan sequence operands */
	Vec(int) inits;      /* initial carry values */
	Vec(int) nexts;      /* next carry values, -1 until assigned */
	Vec(int) outs;       /* per-step outputs */
	Vec(int) out_nodes;  /* the SCAN_OUT node of each per-step output */
	Vec(int) guess;      /* DType assumed for each carry made by a `state` */
	Vec(int) carry_guess; /* carry index -> its index in guess, -1 for last/mean */
	int nstate;          /* `state` carries made so far in this attempt */
	int retry;           /* a state's dtype differed from its guess */
	const char *prefix;  /* parameter-name prefix of the cell being expanded */
	const char *cell_name; /* name of the cell being expanded */
	const char *target;  /* what names the current statement's layers: the name
	                      * it assigns, or output, loss, return */
	Vec(const char *) layers;  /* layer names given out, each once */
	Vec(const char *) calls;   /* cells being expanded, for recursion */
	const char *builtin; /* innermost built-in cell being expanded, or NULL */
	SrcLoc callsite;     /* its call in user code */
	int ndropout;        /* dropout calls so far: the next one's site */
} Lower;

/* A call's evaluated arguments: positional, then named. */
typedef struct {
	const Expr *call;
	Value pos[4];
	int npos;
	const char *named[4];
	Value nval[4];
	int nnamed;
} Args;

static inline Value lower_node_value(int n, SrcLoc loc)
{
	return (Value){.kind = V_NODE, .node = n, .loc = loc};
}

static inline Type lower_type_of(Lower *L, int n)
{
	return L->g->nodes.items[n].type;
}

/* Reports at loc, or at the user's call site when inside a built-in cell. */
void lower_error(Lower *L, SrcLoc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
Value lower_expr(Lower *L, Scope *scope, const Expr *e);
/* `a, b, c, d = split(x, 4)` and friends: binds targets in scope. */
void lower_multi_assign(Lower *L, Scope *scope, const Stmt *s);
Binding *lower_lookup(Scope *scope, const char *name);
/* Returns 1 if name is not yet defined in scope; otherwise reports the
 * redefinition, with a note at the first definition, and returns 0. */
int lower_check_new(Lower *L, Scope *scope, const char *name, SrcLoc loc);
/* Binds a name checked by lower_check_new; a V_NONE value poisons it. */
void lower_define(Scope *scope, const char *name, SrcLoc loc, Value v);
const char *lower_value_kind(const Value *v);
/* Checks that v is a tensor; reports and returns 0 otherwise. */
int lower_want_node(Lower *L, const Value *v, const char *what);
/* Checks that v is a positive integer of at most LOWER_MAX_COUNT; reports
 * and returns 0 otherwise. */
#define LOWER_MAX_COUNT (1 << 24)
int lower_want_count(Lower *L, const Value *v, const char *what);
/* Expands a call of cell c; returns its result. */
Value lower_cell_call(Lower *L, Scope *scope, const Cell *c, const Expr *call);
/* A carry of the scan: returns its index. init must be a region-0 node. */
int lower_new_carry(Lower *L, int init);
/* The value of a per-step node after the loop: its stack over time. */
int lower_stack(Lower *L, int node, SrcLoc loc);
int lower_is_step(Lower *L, int node);
int lower_const(Lower *L, double v, SrcLoc loc);
/* A node of op on args, typed by the IR's rules; reports (naming the
 * operator opname) and returns a V_NONE value when the operands do not fit. */
Value lower_make_op(Lower *L, Op op, const int *args, int nargs, SrcLoc loc, const char *opname);
/* a OP b for op one of + - * / @, numbers folded. */
Value lower_binary(Lower *L, char op, Value a, Value b, SrcLoc loc);
/* The built-in functions, on their evaluated arguments: a surrogate such
 * as gaussian(var = 0.15); sigmoid or tanh of a tensor; spike(v, surrogate);
 * size(x); last(h) or mean(h) (mean = 1). */
Value lower_surrogate(Lower *L, const Expr *call, SurKind kind, Args *a);
Value lower_activation(Lower *L, const Expr *call, Op op, const Args *a);
Value lower_spike(Lower *L, const Expr *call, Args *a);
Value lower_dropout(Lower *L, const Expr *call, Args *a);
Value lower_embed(Lower *L, const Expr *call, const Args *a);
/* The prefix of the parameters of a cell (or built-in layer) `cell` called
 * by the current statement: the statement's target (`y` in `y = cell(...)`),
 * under the enclosing layer's prefix. The target is a name the user chose,
 * or output, loss or return; a second layer that would get the same name
 * gets `y.2`, a third `y.3`. A user's name cannot start with a digit, so
 * these never clash with one. */
const char *lower_layer_name(Lower *L, const char *cell);
Value lower_size(Lower *L, const Expr *call, const Args *a);
Value lower_over_time(Lower *L, const Expr *call, int mean, const Args *a);
/* The closest of `n` names to `name`, or NULL if none is close. */
const char *lower_suggest(const char *name, const char *const *names, int n);

#endif
