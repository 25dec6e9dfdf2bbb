/* ast.h: the syntax tree of a model file, as the parser builds it.
 *
 * The tree is untyped and unchecked: names, shapes and argument types are
 * resolved by dsl/lower.c, which reports errors at the locations kept here.
 * All nodes live in the compilation's arena. */
#ifndef SPIKEC_AST_H
#define SPIKEC_AST_H

#include "compiler/diag.h"
#include "compiler/util.h"

typedef struct Expr Expr;
typedef struct Stmt Stmt;

typedef enum {
	E_NUM,   /* num, is_int */
	E_NAME,  /* name */
	E_CALL,  /* name(args) */
	E_BIN,   /* lhs op rhs, op one of + - * / @ */
	E_NEG,   /* -lhs */
	E_STRING, /* name: the text between the quotes (train settings only) */
} ExprKind;

typedef struct {
	const char *name;  /* NULL for a positional argument */
	SrcLoc loc;        /* of the name, or of the value when positional */
	Expr *value;
} Arg;

struct Expr {
	ExprKind kind;
	SrcLoc loc;        /* E_BIN: the operator; others: first token */
	double num;
	int is_int;        /* literal written without '.', 'e' */
	const char *name;
	char op;
	Expr *lhs, *rhs;
	Arg *args;
	int nargs;
};

/* How an input's values are given: any real, 0/1 spikes, or a token id
 * in [0, size) seen by the model as a one-hot spike vector. */
typedef enum { IN_ENC_ANALOG, IN_ENC_SPIKES, IN_ENC_TOKENS } InputEncoding;

typedef enum {
	S_PARAM,    /* param NAME[dims] (= init)?        cell only */
	S_STATE,    /* state NAME[dim], NAME[dim] ...    cell only */
	S_ASSIGN,   /* NAME, NAME ... = value */
	S_RETURN,   /* return value                      cell only */
	S_INPUT,    /* input NAME[dim] spikes|analog|tokens over value steps   model only */
	S_CARRY,    /* carry state                       model only */
	S_OUTPUT,   /* output value                      model only */
	S_SETTING,  /* NAME = value                      train only */
} StmtKind;

struct Stmt {
	StmtKind kind;
	SrcLoc loc;            /* first token */
	const char **names;    /* targets (ASSIGN), states (STATE), the one name otherwise */
	SrcLoc *name_locs;
	int nnames;
	Expr **dims;           /* PARAM: its dims; STATE: one dim per name; INPUT: one */
	int ndims;
	const char *init;      /* PARAM: initialiser name or NULL for the default */
	SrcLoc init_loc;
	Expr *value;           /* ASSIGN, RETURN, OUTPUT, SETTING; INPUT: the step count */
	int spikes;            /* INPUT: an InputEncoding */
};

typedef struct {
	const char *name;
	SrcLoc loc;
	Expr *def;             /* default value or NULL (required) */
} CellParam;

typedef struct {
	const char *name;
	SrcLoc loc;
	int builtin;           /* defined in the prelude */
	CellParam *params;
	int nparams;
	Stmt **body;
	int nbody;
} Cell;

typedef struct {
	const char *name;
	SrcLoc loc;
	Stmt **body;
	int nbody;
} Model;

typedef struct {
	SrcLoc loc;
	Stmt **body;           /* S_SETTING only */
	int nbody;
} Train;

typedef struct {
	Vec(Cell *) cells;     /* prelude cells first */
	Model *model;          /* NULL until a model block is parsed */
	Train *train;
} Program;

/* Parses source `file` (see diag_add_source) and appends its definitions to
 * prog. `builtin` marks the cells as prelude cells. Syntax errors are
 * reported through diag; returns the number of errors. */
int dsl_parse(Arena *arena, int file, Program *prog, int builtin);

/* The text of the built-in cells (dsl/prelude.snn, embedded at build time). */
extern const char dsl_prelude_text[];

/* Writes the tree back as source text (for tests and `spikec check -v`). */
void dsl_print_program(const Program *prog, StrBuf *out);

#endif
