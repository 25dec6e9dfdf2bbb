/* train.c: the `train` block to a TrainConfig (see train.h, docs/train.md).
 *
 * Two passes over the settings: the first notes where each known setting is
 * first given, the second checks every statement in source order. The
 * checks against the model come last, and only for settings that were
 * themselves correct, so one mistake gives one message. Every error is
 * located at the offending setting name, argument or value. */
#include <limits.h>
#include <math.h>
#include <string.h>
#include "lower.h"
#include "train_block.h"
#include "train/audio.h"     /* FSDD_STEPS, FSDD_MELS */

const char *const train_dataset_names[DATA_COUNT] = {"mnist", "fashion_mnist", "toy_signal", "fsdd", "text"};
const char *const train_layout_names[LAYOUT_COUNT] = {"rows", "pixels", "signal", "tokens"};
const char *const train_encoder_names[ENCODE_COUNT] = {"bernoulli", "threshold", "analog"};
const char *const train_schedule_names[SCHEDULE_COUNT] = {"constant", "step", "cosine"};

enum { SET_DATA, SET_OPTIMIZER, SET_SCHEDULE, SET_CLIP, SET_BATCH, SET_EVAL_BATCH, SET_EPOCHS, SET_SEED,
	SET_TBPTT, SET_COUNT };
static const char *const setting_names[SET_COUNT] = {"data", "optimizer", "schedule", "clip", "batch",
						     "eval_batch", "epochs", "seed", "tbptt"};

/* Arguments that are easily mistaken for settings, and where they belong. */
static const struct {
	const char *arg, *setting, *example;
} misplaced[] = {
	{"lr", "optimizer", "adam(lr = ...)"},
	{"beta1", "optimizer", "adam(beta1 = ...)"},
	{"beta2", "optimizer", "adam(beta2 = ...)"},
	{"eps", "optimizer", "adam(eps = ...)"},
	{"weight_decay", "optimizer", "adam(weight_decay = ...)"},
	{"momentum", "optimizer", "sgd(momentum = ...)"},
	{"encode", "data", "mnist(rows, encode = ...)"},
	{"layout", "data", "mnist(layout = ...)"},
	{"split", "data", "text(\"file.txt\", split = ...)"},
	{"every", "schedule", "step(every = ...)"},
	{"gamma", "schedule", "step(gamma = ...)"},
	{"min_lr", "schedule", "cosine(min_lr = ...)"},
};

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

void train_defaults(TrainConfig *tc)
{
	memset(tc, 0, sizeof *tc);
	tc->data = (TrainData){DATA_MNIST, LAYOUT_ROWS, ENCODE_BERNOULLI, 0.5, 1, 28, 28, 10, "", 0.9, 0, 0};
	optim_default(&tc->optim, OPTIM_ADAM);
	tc->schedule = (TrainLr){SCHEDULE_CONSTANT, 10, 0.5, 0};
	tc->batch = 32;
	tc->eval_batch = 32;
	tc->epochs = 10;
}

static int find(const char *name, const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (strcmp(name, names[i]) == 0)
			return i;
	return -1;
}

/* "a, b and c" */
static const char *join(char *buf, size_t size, const char *const *names, int n)
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
static SrcLoc start(const Expr *e)
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
static const char *describe(const Expr *e, char *buf, size_t n)
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
static int want_int(const Expr *e, const char *what, int min, int *out)
{
	double v;
	int is_int;
	char buf[64];
	if (!number(e, &v, &is_int) || !is_int || v < min) {
		diag_error(start(e), "'%s' must be %s, got %s", what, min > 0 ? "a positive integer" : "an integer >= 0",
			   describe(e, buf, sizeof buf));
		return 0;
	}
	if (v > INT_MAX) {
		diag_error(start(e), "'%s' is too large (the largest is %d)", what, INT_MAX);
		return 0;
	}
	*out = (int)v;
	return 1;
}

typedef enum { R_POSITIVE, R_NONNEG, R_FRACTION, R_FACTOR } Range;

/* Checks that e is a number in range r. */
static int want_real(const Expr *e, const char *what, Range r, double *out)
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
		diag_error(start(e), "'%s' must be %s, got %s", what, need[r], describe(e, buf, sizeof buf));
		return 0;
	}
	*out = v;
	return 1;
}

/* "unknown dataset 'x' (did you mean 'y'?); the datasets are a, b and c" */
static void unknown(SrcLoc loc, const char *what, const char *name, const char *const *names, int n)
{
	char list[256];
	const char *s = lower_suggest(name, names, n);
	diag_error(loc, "unknown %s '%s'%s%s%s; the %ss are %s", what, name, s ? " (did you mean '" : "", s ? s : "",
		   s ? "'?)" : "", what, join(list, sizeof list, names, n));
}

/* The index of e's function (`adam` or `adam(...)`) among names. Reports
 * and returns -1 when e is not a name or call, or names none of them. */
static int pick(const Expr *e, const char *setting, const char *what, const char *const *names, int n,
		const char *example)
{
	if (e->kind != E_NAME && e->kind != E_CALL) {
		char buf[64];
		diag_error(start(e), "'%s' must be %s %s such as '%s', got %s", setting, strchr("aeiou", what[0]) ? "an" : "a",
			   what, example, describe(e, buf, sizeof buf));
		return -1;
	}
	int k = find(e->name, names, n);
	if (k < 0)
		unknown(e->loc, what, e->name, names, n);
	return k;
}

/* Matches the arguments of call e to its n parameters, of which only the
 * first may be given by position: val[i] is the value given for params[i],
 * or NULL. A bare name (`adam`) has no arguments. Reports every misplaced,
 * unknown or repeated argument; returns 0 if there was one. */
static int bind(const Expr *e, const char *const *params, int n, const Expr **val)
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
					   n == 1 ? "" : "s", join(list, sizeof list, params, n), i + 1);
			else
				diag_error(a->loc, "'%s' takes only '%s' by position; name this argument: '%s = ...'",
					   e->name, params[0], params[i]);
			ok = 0;
			continue;
		}
		if (a->name) {
			named = 1;
			k = find(a->name, params, n);
			if (k < 0) {
				const char *s = lower_suggest(a->name, params, n);
				diag_error(a->loc, "'%s' has no argument '%s'%s%s%s; its %s %s", e->name, a->name,
					   s ? " (did you mean '" : "", s ? s : "", s ? "'?)" : "",
					   n == 1 ? "only argument is" : "arguments are", join(list, sizeof list, params, n));
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

/* encode = bernoulli | threshold(level = 0.5) | analog */
static int parse_encoder(Check *c, const Expr *e)
{
	static const char *const threshold[] = {"level"};
	TrainData *d = &c->tc->data;
	const Expr *val[1];
	int k = pick(e, "encode", "encoder", train_encoder_names, ENCODE_COUNT, "bernoulli");
	if (k < 0 || !bind(e, threshold, k == ENCODE_THRESHOLD, val))
		return 0;
	d->encode = (TrainEncoder)k;
	if (k == ENCODE_THRESHOLD && val[0])
		return want_real(val[0], "level", R_FRACTION, &d->level);
	return 1;
}

/* data = text("file", split = 0.9): the file is relative to the model
 * file's folder; the vocabulary and steps come from the model's tokens input. */
static int parse_text(Check *c, const Expr *file, const Expr *split)
{
	TrainData *d = &c->tc->data;
	char buf[64];
	d->layout = LAYOUT_TOKENS;
	if (!file) {
		diag_error(c->data_loc, "text(...) needs the text file, e.g. text(\"../data/alice/alice.txt\")");
		return 0;
	}
	if (file->kind != E_STRING || !file->name[0]) {
		diag_error(start(file), "the text file must be a non-empty string such as \"alice.txt\", got %s",
			   file->kind == E_STRING ? "\"\"" : describe(file, buf, sizeof buf));
		return 0;
	}
	const char *model = file->loc.file >= 0 ? diag_source_name(file->loc.file) : NULL;
	const char *dir = model ? strrchr(model, '/') : NULL;
	int dirlen = file->name[0] == '/' || !dir ? 0 : (int)(dir - model) + 1;
	if ((size_t)dirlen + strlen(file->name) >= sizeof d->path) {
		diag_error(file->loc, "the path of the text file is too long (the limit is %zu bytes)", sizeof d->path - 1);
		return 0;
	}
	snprintf(d->path, sizeof d->path, "%.*s%s", dirlen, model ? model : "", file->name);
	if (split && !want_real(split, "split", R_FRACTION, &d->split))
		return 0;
	if (d->split <= 0) {
		diag_error(start(split), "'split' must be a number in (0, 1), the share of the text that trains; got 0");
		return 0;
	}
	return 1;
}

/* data = fsdd(encode = ...): FSDD_STEPS steps of FSDD_MELS log-mel
 * intensities per recording (runtime/audio.h, docs/audio.md), 10 digits. */
static int parse_fsdd(Check *c, const Expr *e)
{
	static const char *const params[] = {"encode"};
	TrainData *d = &c->tc->data;
	const Expr *val[1];
	if (!bind(e, params, 1, val))
		return 0;
	d->dataset = DATA_FSDD;
	d->layout = LAYOUT_ROWS;
	d->steps = FSDD_STEPS;
	d->size = FSDD_MELS;
	d->classes = 10;
	if (!val[0])
		return 1;
	c->encode_given = 1;
	c->encode_loc = start(val[0]);
	return parse_encoder(c, val[0]);
}

/* data = mnist(layout = rows, encode = ...) | fashion_mnist(...) | toy_signal(steps = T, encode = ...)
 *      | text("file", split = 0.9) */
static int parse_data(Check *c, const Expr *e)
{
	static const char *const image[] = {"layout", "encode"}, *const signal[] = {"steps", "encode"},
			  *const text[] = {"file", "split"};
	TrainData *d = &c->tc->data;
	const Expr *val[2];
	int k = pick(e, "data", "dataset", train_dataset_names, DATA_COUNT, "mnist(rows, encode = bernoulli)");
	if (k == DATA_FSDD)
		return parse_fsdd(c, e);
	if (k < 0 || !bind(e, k == DATA_TOY_SIGNAL ? signal : k == DATA_TEXT ? text : image, 2, val))
		return 0;
	int ok = 1;
	d->dataset = (TrainDataset)k;
	c->data_loc = e->loc;
	if (k == DATA_TEXT)
		return parse_text(c, val[0], val[1]);
	if (k == DATA_TOY_SIGNAL) {
		d->layout = LAYOUT_SIGNAL;
		d->size = 1;
		d->steps = c->g->steps;
		d->classes = 0;
		if (val[0]) {
			c->steps_given = 1;
			ok &= want_int(val[0], "steps", 1, &d->steps);
		}
	} else {
		d->layout = LAYOUT_ROWS;
		if (val[0] && val[0]->kind != E_NAME) {
			char buf[64];
			diag_error(start(val[0]), "the layout must be rows or pixels, got %s", describe(val[0], buf, sizeof buf));
			ok = 0;
		} else if (val[0]) {
			int l = find(val[0]->name, train_layout_names, 2);
			if (l < 0) {
				unknown(val[0]->loc, "layout", val[0]->name, train_layout_names, 2);
				ok = 0;
			} else {
				d->layout = (TrainLayout)l;
			}
		}
		d->size = d->layout == LAYOUT_ROWS ? 28 : 1;
		d->steps = d->layout == LAYOUT_ROWS ? 28 : 784;
		d->classes = 10;
	}
	if (val[1]) {
		c->encode_given = 1;
		c->encode_loc = start(val[1]);
		ok &= parse_encoder(c, val[1]);
	}
	return ok;
}

/* optimizer = adam(lr, beta1, beta2, eps, weight_decay) | sgd(lr, momentum, weight_decay) */
static int parse_optimizer(Check *c, const Expr *e)
{
	static const char *const adam[] = {"lr", "beta1", "beta2", "eps", "weight_decay"};
	static const char *const sgd[] = {"lr", "momentum", "weight_decay"};
	TrainOptim *o = &c->tc->optim;
	const Expr *val[5];
	int k = pick(e, "optimizer", "optimizer", train_optimizer_names, OPTIM_COUNT, "adam(lr = 1e-3)");
	if (k < 0 || !bind(e, k == OPTIM_ADAM ? adam : sgd, k == OPTIM_ADAM ? 5 : 3, val))
		return 0;
	int ok = 1;
	optim_default(o, (TrainOptimizer)k);
	if (val[0])
		ok &= want_real(val[0], "lr", R_POSITIVE, &o->lr);
	if (k == OPTIM_ADAM) {
		if (val[1])
			ok &= want_real(val[1], "beta1", R_FRACTION, &o->beta1);
		if (val[2])
			ok &= want_real(val[2], "beta2", R_FRACTION, &o->beta2);
		if (val[3])
			ok &= want_real(val[3], "eps", R_POSITIVE, &o->eps);
		if (val[4])
			ok &= want_real(val[4], "weight_decay", R_NONNEG, &o->weight_decay);
	} else {
		if (val[1])
			ok &= want_real(val[1], "momentum", R_FRACTION, &o->momentum);
		if (val[2])
			ok &= want_real(val[2], "weight_decay", R_NONNEG, &o->weight_decay);
	}
	return ok;
}

/* schedule = constant | step(every = 10, gamma = 0.5) | cosine(min_lr = 0) */
static int parse_schedule(Check *c, const Expr *e)
{
	static const char *const step[] = {"every", "gamma"}, *const cosine[] = {"min_lr"};
	static const int nparams[] = {0, 2, 1};
	TrainLr *s = &c->tc->schedule;
	const Expr *val[2];
	int k = pick(e, "schedule", "schedule", train_schedule_names, SCHEDULE_COUNT, "step(every = 10, gamma = 0.5)");
	if (k < 0 || !bind(e, k == SCHEDULE_STEP ? step : cosine, nparams[k], val))
		return 0;
	int ok = 1;
	s->kind = (TrainSchedule)k;
	if (k == SCHEDULE_STEP && val[0])
		ok &= want_int(val[0], "every", 1, &s->every);
	if (k == SCHEDULE_STEP && val[1])
		ok &= want_real(val[1], "gamma", R_FACTOR, &s->gamma);
	if (k == SCHEDULE_COSINE && val[0]) {
		c->min_lr_loc = start(val[0]);
		ok &= want_real(val[0], "min_lr", R_NONNEG, &s->min_lr);
	}
	return ok;
}

static int parse_setting(Check *c, int k, const Expr *e)
{
	TrainConfig *tc = c->tc;
	switch (k) {
	case SET_DATA: return parse_data(c, e);
	case SET_OPTIMIZER: return parse_optimizer(c, e);
	case SET_SCHEDULE: return parse_schedule(c, e);
	case SET_CLIP: return want_real(e, "clip", R_NONNEG, &tc->clip);
	case SET_BATCH: return want_int(e, "batch", 1, &tc->batch);
	case SET_EVAL_BATCH: return want_int(e, "eval_batch", 1, &tc->eval_batch);
	case SET_EPOCHS: return want_int(e, "epochs", 1, &tc->epochs);
	case SET_TBPTT: return want_int(e, "tbptt", 0, &tc->tbptt);
	case SET_SEED: {
		int seed;
		if (!want_int(e, "seed", 0, &seed))
			return 0;
		tc->seed = (uint32_t)seed;
		return 1;
	}
	}
	SPK_BUG("setting %d has no parser", k);
}

static void unknown_setting(const Stmt *s)
{
	const char *name = s->names[0];
	for (size_t i = 0; i < sizeof misplaced / sizeof misplaced[0]; i++)
		if (strcmp(name, misplaced[i].arg) == 0) {
			diag_error(s->name_locs[0], "'%s' is not a setting but an argument of '%s': write '%s = %s'", name,
				   misplaced[i].setting, misplaced[i].setting, misplaced[i].example);
			return;
		}
	unknown(s->name_locs[0], "setting", name, setting_names, SET_COUNT);
}

/* "mnist(rows)", "toy_signal" */
static const char *data_str(const TrainData *d, char *buf, size_t n)
{
	if (d->dataset == DATA_TOY_SIGNAL || d->dataset == DATA_FSDD)
		snprintf(buf, n, "%s", train_dataset_names[d->dataset]);
	else if (d->dataset == DATA_TEXT)
		snprintf(buf, n, "text(\"%s\")", d->path);
	else
		snprintf(buf, n, "%s(%s)", train_dataset_names[d->dataset], train_layout_names[d->layout]);
	return buf;
}

/* The loss must fit the data's labels (classes) or targets (toy_signal). */
static void check_loss(const Check *c, const Expr *at)
{
	const Graph *g = c->g;
	const TrainData *d = &c->tc->data;
	const Node *loss = &g->nodes.items[g->loss];
	Type pt = g->nodes.items[loss->args[0]].type;
	const char *have = ir_ops[loss->op].name;
	char ds[1100];
	data_str(d, ds, sizeof ds);
	if (d->classes && loss->op != OP_CROSS_ENTROPY)
		diag_error(at->loc, "data %s gives class labels, which need 'loss = cross_entropy(y)' with %d outputs, "
			   "but the model's loss is %s", ds, d->classes, have);
	else if (d->classes && pt.timed && d->dataset != DATA_TEXT)
		diag_error(at->loc, "data %s gives one label per sample, but the model's loss is computed at every "
			   "step; classify from 'last(h)' or 'mean(h)'", ds);
	else if (d->dataset == DATA_TEXT && !pt.timed)
		diag_error(at->loc, "data %s gives the next character as the label of every step, but the model's loss "
			   "is computed once per sample; apply cross_entropy to the per-step prediction", ds);
	else if (d->classes && pt.dim[0] != d->classes)
		diag_error(at->loc, "data %s has %d classes, but the prediction in the loss has %d values; give the last "
			   "layer %d outputs", ds, d->classes, pt.dim[0], d->classes);
	else if (!d->classes && loss->op != OP_MSE)
		diag_error(at->loc, "data %s gives an analog target at every step, which needs 'loss = mse(y)', but the "
			   "model's loss is %s", ds, have);
	else if (!d->classes && !pt.timed)
		diag_error(at->loc, "data %s gives a target at every step, but the model's loss is computed once per "
			   "sample; apply mse to the per-step prediction, not to last(...) or mean(...)", ds);
	else if (!d->classes && pt.dim[0] != 1)
		diag_error(at->loc, "data %s gives 1 target value per step, but the prediction in the loss has %d; "
			   "give the last layer 1 output", ds, pt.dim[0]);
	else
		return;
	diag_note(loss->loc, "the loss is defined here");
}

/* The data set must fit the model's one input sequence and its loss. */
static void check_model(Check *c, const Expr *at)
{
	const Graph *g = c->g;
	TrainData *d = &c->tc->data;
	const Input *in = NULL;
	int nin = 0;
	char ds[1100], names[256];
	const char *inputs[16];
	for (int i = 0; i < g->inputs.len; i++)
		if (g->inputs.items[i].kind == IN_SPIKES || g->inputs.items[i].kind == IN_ANALOG ||
		    g->inputs.items[i].kind == IN_TOKENS) {
			in = &g->inputs.items[i];
			if (nin < 16)
				inputs[nin] = in->name;
			nin++;
		}
	data_str(d, ds, sizeof ds);
	if (nin != 1) {
		diag_error(at->loc, "data %s gives one input sequence per sample, but model '%s' has %d inputs (%s)", ds,
			   g->model, nin, join(names, sizeof names, inputs, nin < 16 ? nin : 16));
		return;
	}
	if ((d->dataset == DATA_TEXT) != (in->kind == IN_TOKENS)) {
		if (in->kind == IN_TOKENS)
			diag_error(at->loc, "data %s gives intensities, but input '%s' takes tokens; token inputs read "
				   "text(\"file\")", ds, in->name);
		else
			diag_error(at->loc, "data %s gives one character per step as a token, but input '%s' takes %s; "
				   "declare it 'input %s[V] tokens over T steps'", ds, in->name,
				   in->kind == IN_ANALOG ? "analog values" : "spikes", in->name);
		diag_note(in->loc, "input '%s' is declared here", in->name);
		return;
	}
	if (d->dataset == DATA_TEXT) {
		d->size = d->classes = in->type.dim[0];
		d->steps = g->steps;
		d->train_streams = c->tc->batch;
		d->test_streams = c->tc->eval_batch;
	}
	if (!c->encode_given && d->dataset != DATA_TEXT)
		d->encode = in->kind == IN_ANALOG ? ENCODE_ANALOG : ENCODE_BERNOULLI;
	d->fresh_draws = d->encode == ENCODE_BERNOULLI && d->dataset != DATA_TEXT;  /* text: one-hot, no draws */
	if (in->type.dim[0] != d->size || g->steps != d->steps) {
		if (c->steps_given)
			snprintf(ds, sizeof ds, "toy_signal(steps = %d)", d->steps);
		diag_error(at->loc, "data %s gives %d value%s per step over %d steps, but input '%s' is %s[%d] over %d "
			   "steps", ds, d->size, d->size == 1 ? "" : "s", d->steps, in->name, in->name, in->type.dim[0],
			   g->steps);
		diag_note(in->loc, "input '%s' is declared here", in->name);
	}
	if (d->encode == ENCODE_ANALOG && in->kind == IN_SPIKES) {
		diag_error(c->encode_loc, "encode = analog gives intensities in [0, 1], but input '%s' takes spikes; "
			   "use bernoulli or threshold, or declare the input 'analog'", in->name);
		diag_note(in->loc, "input '%s' is declared here", in->name);
	}
	if (g->loss >= 0)
		check_loss(c, at);
}

int train_check(const Train *t, const Graph *g, TrainConfig *tc)
{
	int before = diag_error_count();
	Check c = {.g = g, .tc = tc};
	train_defaults(tc);
	for (int i = 0; i < t->nbody; i++) {
		int k = find(t->body[i]->names[0], setting_names, SET_COUNT);
		if (k >= 0 && !c.first[k])
			c.first[k] = t->body[i];
	}
	for (int i = 0; i < t->nbody; i++) {
		const Stmt *s = t->body[i];
		int k = find(s->names[0], setting_names, SET_COUNT);
		if (k < 0) {
			unknown_setting(s);
		} else if (c.first[k] != s) {
			diag_error(s->name_locs[0], "'%s' is set twice; keep one", s->names[0]);
			diag_note(c.first[k]->name_locs[0], "'%s' is first set here", s->names[0]);
		} else {
			c.ok[k] = parse_setting(&c, k, s->value);
		}
	}
	if (!c.first[SET_DATA])
		diag_error(t->loc, "the 'train' block has no 'data' setting; add one, e.g. 'data = mnist(rows, encode = "
			   "bernoulli)'");
	if (!c.first[SET_OPTIMIZER])
		diag_error(t->loc, "the 'train' block has no 'optimizer' setting; add one, e.g. 'optimizer = adam(lr = "
			   "1e-3)'");
	if (g->loss < 0)
		diag_error(t->loc, "model '%s' has no 'loss' to train; add one, e.g. 'loss = cross_entropy(y)'", g->model);
	if (!c.first[SET_EVAL_BATCH])
		tc->eval_batch = tc->batch;
	if (c.ok[SET_SCHEDULE] && c.ok[SET_OPTIMIZER] && tc->schedule.kind == SCHEDULE_COSINE &&
	    tc->schedule.min_lr > tc->optim.lr)
		diag_error(c.min_lr_loc, "'min_lr' is %g, above the optimizer's lr %g; the cosine schedule goes down "
			   "from lr to min_lr", tc->schedule.min_lr, tc->optim.lr);
	if (c.ok[SET_TBPTT] && tc->tbptt > g->steps)
		diag_error(start(c.first[SET_TBPTT]->value), "'tbptt' is %d, but the model runs over %d steps; use a "
			   "window of at most %d, or 0 for full BPTT", tc->tbptt, g->steps, g->steps);
	if (c.ok[SET_DATA])
		check_model(&c, c.first[SET_DATA]->value);
	return diag_error_count() - before;
}

void train_print(const TrainConfig *tc, FILE *out)
{
	const TrainData *d = &tc->data;
	const TrainOptim *o = &tc->optim;
	const TrainLr *s = &tc->schedule;
	fprintf(out, "train: %s (", train_dataset_names[d->dataset]);
	if (d->dataset == DATA_TOY_SIGNAL)
		fprintf(out, "%d steps", d->steps);
	else if (d->dataset == DATA_FSDD)
		fprintf(out, "%d mel bands x %d steps", d->size, d->steps);
	else if (d->dataset == DATA_TEXT)
		fprintf(out, "\"%s\", first %g trains, %d streams", d->path, d->split, d->train_streams);
	else
		fprintf(out, "%s", train_layout_names[d->layout]);
	if (d->dataset != DATA_TEXT)
		fprintf(out, ", %s", train_encoder_names[d->encode]);
	if (d->dataset != DATA_TEXT && d->encode == ENCODE_THRESHOLD)
		fprintf(out, " %g", d->level);
	fprintf(out, "), %s lr %g", train_optimizer_names[o->kind], o->lr);
	if (o->kind == OPTIM_SGD && o->momentum)
		fprintf(out, " momentum %g", o->momentum);
	if (o->weight_decay)
		fprintf(out, " weight_decay %g", o->weight_decay);
	fprintf(out, ", batch %d, %d epoch%s, seed %u\n", tc->batch, tc->epochs, tc->epochs == 1 ? "" : "s",
		(unsigned)tc->seed);
	fprintf(out, "       ");
	if (s->kind == SCHEDULE_STEP)
		fprintf(out, "lr x%g every %d epochs", s->gamma, s->every);
	else if (s->kind == SCHEDULE_COSINE)
		fprintf(out, "cosine lr down to %g", s->min_lr);
	else
		fprintf(out, "constant lr");
	if (tc->clip)
		fprintf(out, ", clip gradient norm at %g", tc->clip);
	else
		fprintf(out, ", no clipping");
	if (tc->tbptt)
		fprintf(out, ", tbptt %d steps", tc->tbptt);
	else
		fprintf(out, ", full BPTT");
	fprintf(out, ", eval batch %d\n", tc->eval_batch);
}
