/* train_block.c: the `train` block to a TrainConfig (see train_block.h,
 * docs/train.md); the `data` setting is train_data.c's, the value checks
 * train_values.c's.
 *
 * Two passes over the settings: the first notes where each known setting is
 * first given, the second checks every statement in source order. The
 * checks against the model come last, and only for settings that were
 * themselves correct, so one mistake gives one message. Every error is
 * located at the offending setting name, argument or value. */
#include <string.h>
#include "train_check.h"

const char *const train_schedule_names[SCHEDULE_COUNT] = {"constant", "step", "cosine"};

static const char *const setting_names[SET_COUNT] = {"data", "optimizer", "schedule", "clip", "batch",
						     "eval_batch", "epochs", "seed", "tbptt", "tape"};
const char *const train_tape_names[TAPE_COUNT] = {"auto", "store", "recompute"};

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
	{"labels", "data", "npy(train = \"x.npy\", labels = ...)"},
	{"every", "schedule", "step(every = ...)"},
	{"gamma", "schedule", "step(gamma = ...)"},
	{"min_lr", "schedule", "cosine(min_lr = ...)"},
};

void train_defaults(TrainConfig *tc)
{
	memset(tc, 0, sizeof *tc);
	tc->data = (TrainData){DATA_MNIST, LAYOUT_ROWS, ENCODE_BERNOULLI, 0.5, 1, 28, 28, 10, "", 0.9, 0, 0, 0, {""}, 0, 0};
	optim_default(&tc->optim, OPTIM_ADAM);
	tc->schedule = (TrainLr){SCHEDULE_CONSTANT, 10, 0.5, 0};
	tc->batch = 32;
	tc->eval_batch = 32;
	tc->epochs = 10;
}

/* optimizer = adam(lr, beta1, beta2, eps, weight_decay) | sgd(lr, momentum, weight_decay) */
static int parse_optimizer(Check *c, const Expr *e)
{
	static const char *const adam[] = {"lr", "beta1", "beta2", "eps", "weight_decay"};
	static const char *const sgd[] = {"lr", "momentum", "weight_decay"};
	TrainOptim *o = &c->tc->optim;
	const Expr *val[5];
	int k = tb_pick(e, "optimizer", "optimizer", train_optimizer_names, OPTIM_COUNT, "adam(lr = 1e-3)");
	if (k < 0 || !tb_bind(e, k == OPTIM_ADAM ? adam : sgd, k == OPTIM_ADAM ? 5 : 3, val))
		return 0;
	int ok = 1;
	optim_default(o, (TrainOptimizer)k);
	if (val[0])
		ok &= tb_want_real(val[0], "lr", R_POSITIVE, &o->lr);
	if (k == OPTIM_ADAM) {
		if (val[1])
			ok &= tb_want_real(val[1], "beta1", R_FRACTION, &o->beta1);
		if (val[2])
			ok &= tb_want_real(val[2], "beta2", R_FRACTION, &o->beta2);
		if (val[3])
			ok &= tb_want_real(val[3], "eps", R_POSITIVE, &o->eps);
		if (val[4])
			ok &= tb_want_real(val[4], "weight_decay", R_NONNEG, &o->weight_decay);
	} else {
		if (val[1])
			ok &= tb_want_real(val[1], "momentum", R_FRACTION, &o->momentum);
		if (val[2])
			ok &= tb_want_real(val[2], "weight_decay", R_NONNEG, &o->weight_decay);
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
	int k = tb_pick(e, "schedule", "schedule", train_schedule_names, SCHEDULE_COUNT, "step(every = 10, gamma = 0.5)");
	if (k < 0 || !tb_bind(e, k == SCHEDULE_STEP ? step : cosine, nparams[k], val))
		return 0;
	int ok = 1;
	s->kind = (TrainSchedule)k;
	if (k == SCHEDULE_STEP && val[0])
		ok &= tb_want_int(val[0], "every", 1, &s->every);
	if (k == SCHEDULE_STEP && val[1])
		ok &= tb_want_real(val[1], "gamma", R_FACTOR, &s->gamma);
	if (k == SCHEDULE_COSINE && val[0]) {
		c->min_lr_loc = tb_start(val[0]);
		ok &= tb_want_real(val[0], "min_lr", R_NONNEG, &s->min_lr);
	}
	return ok;
}

static int parse_setting(Check *c, int k, const Expr *e)
{
	TrainConfig *tc = c->tc;
	switch (k) {
	case SET_DATA: return tb_parse_data(c, e);
	case SET_OPTIMIZER: return parse_optimizer(c, e);
	case SET_SCHEDULE: return parse_schedule(c, e);
	case SET_CLIP: return tb_want_real(e, "clip", R_NONNEG, &tc->clip);
	case SET_BATCH: return tb_want_int(e, "batch", 1, &tc->batch);
	case SET_EVAL_BATCH: return tb_want_int(e, "eval_batch", 1, &tc->eval_batch);
	case SET_EPOCHS: return tb_want_int(e, "epochs", 1, &tc->epochs);
	case SET_TBPTT: return tb_want_int(e, "tbptt", 0, &tc->tbptt);
	case SET_TAPE: {
		int k = tb_pick(e, "tape", "tape setting", train_tape_names, TAPE_COUNT, "recompute");
		if (k < 0)
			return 0;
		if (e->kind == E_CALL) {
			diag_error(tb_start(e), "'tape = %s' takes no arguments", e->name);
			return 0;
		}
		tc->tape = (TrainTape)k;
		return 1;
	}
	case SET_SEED: {
		int seed;
		if (!tb_want_int(e, "seed", 0, &seed))
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
	tb_unknown(s->name_locs[0], "setting", name, setting_names, SET_COUNT);
}

int train_check(const Train *t, const Graph *g, TrainConfig *tc)
{
	int before = diag_error_count();
	Check c = {.g = g, .tc = tc};
	train_defaults(tc);
	for (int i = 0; i < t->nbody; i++) {
		int k = tb_find(t->body[i]->names[0], setting_names, SET_COUNT);
		if (k >= 0 && !c.first[k])
			c.first[k] = t->body[i];
	}
	for (int i = 0; i < t->nbody; i++) {
		const Stmt *s = t->body[i];
		int k = tb_find(s->names[0], setting_names, SET_COUNT);
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
		diag_error(tb_start(c.first[SET_TBPTT]->value), "'tbptt' is %d, but the model runs over %d steps; use a "
			   "window of at most %d, or 0 for full BPTT", tc->tbptt, g->steps, g->steps);
	if (c.ok[SET_DATA])
		tb_check_model(&c, c.first[SET_DATA]->value);
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
	else if (d->dataset == DATA_NPY && d->files[NPY_TEST_X][0])
		fprintf(out, "\"%s\", test \"%s\"", d->files[NPY_X], d->files[NPY_TEST_X]);
	else if (d->dataset == DATA_NPY)
		fprintf(out, "\"%s\", first %g trains", d->files[NPY_X], d->split);
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
	if (tc->tape != TAPE_AUTO)
		fprintf(out, ", tape %s", train_tape_names[tc->tape]);
	fprintf(out, ", eval batch %d\n", tc->eval_batch);
}
