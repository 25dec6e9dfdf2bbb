/* train_check.h: private to dsl/train_*.c, the train block's checker:
 *   train_block.c   the settings, the optimizer and schedule, train_check
 *   train_data.c    the data setting and its fit to the model
 *   train_values.c  numbers, names and arguments, checked and reported */
#ifndef SPIKEC_TRAIN_CHECK_H
#define SPIKEC_TRAIN_CHECK_H

#include <stddef.h>
#include "train_block.h"

enum { SET_DATA, SET_OPTIMIZER, SET_SCHEDULE, SET_CLIP, SET_BATCH, SET_EVAL_BATCH, SET_EPOCHS, SET_SEED,
	SET_TBPTT, SET_TAPE, SET_COUNT };

typedef struct {
	const Graph *g;
	TrainConfig *tc;
	const Stmt *first[SET_COUNT];  /* where each setting is first given, or NULL */
	int ok[SET_COUNT];             /* given, and correct in itself */
	int encode_given;              /* the data setting names its encoder */
	SrcLoc encode_loc;
	int steps_given;               /* toy_signal(steps = N) */
	SrcLoc min_lr_loc;             /* cosine(min_lr = ...), when given */
	SrcLoc data_loc;               /* the data set's name */
} Check;

typedef enum { R_POSITIVE, R_NONNEG, R_FRACTION, R_FACTOR } Range;

/* The index of name among names, or -1. */
int tb_find(const char *name, const char *const *names, int n);
/* "a, b and c" in buf. */
const char *tb_join(char *buf, size_t size, const char *const *names, int n);
/* Where an expression starts: a binary expression is located at its
 * operator, but an error about the whole value points at its beginning. */
SrcLoc tb_start(const Expr *e);
/* The user's value as the "got ..." of a message. */
const char *tb_describe(const Expr *e, char *buf, size_t n);
/* e as an integer >= min (0 or 1), or a number in range r: reports and
 * returns 0 when it is not one. */
int tb_want_int(const Expr *e, const char *what, int min, int *out);
int tb_want_real(const Expr *e, const char *what, Range r, double *out);
/* "unknown dataset 'x' (did you mean 'y'?); the datasets are a, b and c" */
void tb_unknown(SrcLoc loc, const char *what, const char *name, const char *const *names, int n);
/* The index of e's function (`adam` or `adam(...)`) among names; reports
 * and returns -1 when there is none. */
int tb_pick(const Expr *e, const char *setting, const char *what, const char *const *names, int n,
	    const char *example);
/* Binds the arguments of call e to its n parameters (only the first may be
 * positional): val[i] is the value of params[i], or NULL. Reports every
 * misplaced, unknown or repeated argument; returns 0 if there was one. */
int tb_bind(const Expr *e, const char *const *params, int n, const Expr **val);
/* data = ...; and, after every setting, the data set against the model. */
int tb_parse_data(Check *c, const Expr *e);
void tb_check_model(Check *c, const Expr *at);

#endif
