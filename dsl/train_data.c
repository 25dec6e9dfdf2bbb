/* train_data.c: the `data` setting of a train block, and the checks that the
 * data set fits the model: one input sequence of the data's steps and
 * values per step (spikes, intensities or tokens), and a loss that fits its
 * labels or targets. */
#include <stdio.h>
#include <string.h>
#include "train_check.h"

const char *const train_dataset_names[DATA_COUNT] = {"mnist", "fashion_mnist", "toy_signal", "fsdd", "text", "npy"};
const char *const train_layout_names[LAYOUT_COUNT] = {"rows", "pixels", "signal", "tokens", "array"};
const char *const train_encoder_names[ENCODE_COUNT] = {"bernoulli", "threshold", "analog"};

/* encode = bernoulli | threshold(level = 0.5) | analog, given (not the default) */
static int parse_encoder(Check *c, const Expr *e)
{
	static const char *const threshold[] = {"level"};
	TrainData *d = &c->tc->data;
	const Expr *val[1];
	c->encode_given = 1;
	c->encode_loc = tb_start(e);
	int k = tb_pick(e, "encode", "encoder", train_encoder_names, ENCODE_COUNT, "bernoulli");
	if (k < 0 || !tb_bind(e, threshold, k == ENCODE_THRESHOLD, val))
		return 0;
	d->encode = (TrainEncoder)k;
	if (k == ENCODE_THRESHOLD && val[0])
		return tb_want_real(val[0], "level", R_FRACTION, &d->level);
	return 1;
}

/* out = the string file, relative to the model file's folder (what names
 * the file in messages, example an instance). */
static int resolve_path(const Expr *file, const char *what, const char *example, char *out, size_t n)
{
	char buf[64];
	if (file->kind != E_STRING || !file->name[0]) {
		diag_error(tb_start(file), "the %s must be a non-empty string such as \"%s\", got %s", what, example,
			   file->kind == E_STRING ? "\"\"" : tb_describe(file, buf, sizeof buf));
		return 0;
	}
	const char *model = file->loc.file >= 0 ? diag_source_name(file->loc.file) : NULL;
	const char *dir = model ? strrchr(model, '/') : NULL;
	int dirlen = file->name[0] == '/' || !dir ? 0 : (int)(dir - model) + 1;
	if ((size_t)dirlen + strlen(file->name) >= n) {
		diag_error(file->loc, "the path of the %s is too long (the limit is %zu bytes)", what, n - 1);
		return 0;
	}
	snprintf(out, n, "%.*s%s", dirlen, model ? model : "", file->name);
	return 1;
}

/* split = S, a share in (0, 1) of what trains. */
static int parse_split(const Expr *split, const char *of, double *out)
{
	if (!tb_want_real(split, "split", R_FRACTION, out))
		return 0;
	if (*out <= 0) {
		diag_error(tb_start(split), "'split' must be a number in (0, 1), the share of the %s that trains; got 0", of);
		return 0;
	}
	return 1;
}

/* data = text("file", split = 0.9): the file is relative to the model
 * file's folder; the vocabulary and steps come from the model's tokens input. */
static int parse_text(Check *c, const Expr *file, const Expr *split)
{
	TrainData *d = &c->tc->data;
	d->layout = LAYOUT_TOKENS;
	if (!file) {
		diag_error(c->data_loc, "text(...) needs the text file, e.g. text(\"../data/alice/alice.txt\")");
		return 0;
	}
	if (!resolve_path(file, "text file", "alice.txt", d->path, sizeof d->path))
		return 0;
	return !split || parse_split(split, "text", &d->split);
}

/* data = npy(train = "x.npy", labels = "y.npy", test = "xt.npy", test_labels = "yt.npy", encode = ...)
 *      | npy(train = "x.npy", labels = "y.npy", split = 0.9, encode = ...)
 * The shapes, steps and classes are checked against the model when the
 * files are read (train/npy_data.c). */
static int parse_npy(Check *c, const Expr *e)
{
	static const char *const params[] = {"train", "labels", "test", "test_labels", "split", "encode"};
	static const char *const example[] = {"x.npy", "y.npy", "x_test.npy", "y_test.npy"};
	TrainData *d = &c->tc->data;
	const Expr *val[6];
	if (!tb_bind(e, params, 6, val))
		return 0;
	d->dataset = DATA_NPY;
	d->layout = LAYOUT_ARRAY;
	c->data_loc = e->loc;
	int ok = 1;
	for (int f = NPY_X; f <= NPY_LABELS; f++)
		if (!val[f]) {
			diag_error(e->loc, "npy(...) needs '%s', the %s: e.g. npy(train = \"x.npy\", labels = \"y.npy\")",
				   params[f], f == NPY_X ? "training inputs" : "training labels or targets");
			ok = 0;
		}
	for (int f = 0; f < NPY_FILES; f++) {
		char what[32];
		snprintf(what, sizeof what, "'%s' file", params[f]);
		if (val[f])
			ok &= resolve_path(val[f], what, example[f], d->files[f], sizeof d->files[f]);
	}
	if (!val[NPY_TEST_X] != !val[NPY_TEST_LABELS]) {
		int have = val[NPY_TEST_X] ? NPY_TEST_X : NPY_TEST_LABELS;
		diag_error(tb_start(val[have]), "'%s' needs '%s' too: a test set is inputs and their labels", params[have],
			   params[NPY_TEST_X + NPY_TEST_LABELS - have]);
		ok = 0;
	}
	if (val[NPY_TEST_X] && val[4]) {
		diag_error(tb_start(val[4]), "'split' cuts a test set out of the training files, but 'test' gives one; "
			   "drop one of them");
		ok = 0;
	}
	if (val[4])
		ok &= parse_split(val[4], "samples", &d->split);
	if (val[5]) {
		ok &= parse_encoder(c, val[5]);
	}
	return ok;
}

/* data = fsdd(encode = ...): FSDD_STEPS steps of FSDD_MELS log-mel
 * intensities per recording (train/audio.c, docs/audio.md), 10 digits. */
static int parse_fsdd(Check *c, const Expr *e)
{
	static const char *const params[] = {"encode"};
	TrainData *d = &c->tc->data;
	const Expr *val[1];
	if (!tb_bind(e, params, 1, val))
		return 0;
	d->dataset = DATA_FSDD;
	d->layout = LAYOUT_ROWS;
	d->steps = FSDD_STEPS;
	d->size = FSDD_MELS;
	d->classes = 10;
	if (!val[0])
		return 1;
	return parse_encoder(c, val[0]);
}

/* data = mnist(layout = rows, encode = ...) | fashion_mnist(...) | toy_signal(steps = T, encode = ...)
 *      | text("file", split = 0.9) | npy(...) */
int tb_parse_data(Check *c, const Expr *e)
{
	static const char *const image[] = {"layout", "encode"}, *const signal[] = {"steps", "encode"},
			  *const text[] = {"file", "split"};
	TrainData *d = &c->tc->data;
	const Expr *val[2];
	int k = tb_pick(e, "data", "dataset", train_dataset_names, DATA_COUNT, "mnist(rows, encode = bernoulli)");
	if (k == DATA_FSDD)
		return parse_fsdd(c, e);
	if (k == DATA_NPY)
		return parse_npy(c, e);
	if (k < 0 || !tb_bind(e, k == DATA_TOY_SIGNAL ? signal : k == DATA_TEXT ? text : image, 2, val))
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
			ok &= tb_want_int(val[0], "steps", 1, &d->steps);
		}
	} else {
		d->layout = LAYOUT_ROWS;
		if (val[0] && val[0]->kind != E_NAME) {
			char buf[64];
			diag_error(tb_start(val[0]), "the layout must be rows or pixels, got %s", tb_describe(val[0], buf, sizeof buf));
			ok = 0;
		} else if (val[0]) {
			int l = tb_find(val[0]->name, train_layout_names, 2);
			if (l < 0) {
				tb_unknown(val[0]->loc, "layout", val[0]->name, train_layout_names, 2);
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
		ok &= parse_encoder(c, val[1]);
	}
	return ok;
}

/* "mnist(rows)", "toy_signal" */
static const char *data_str(const TrainData *d, char *buf, size_t n)
{
	if (d->dataset == DATA_TOY_SIGNAL || d->dataset == DATA_FSDD)
		snprintf(buf, n, "%s", train_dataset_names[d->dataset]);
	else if (d->dataset == DATA_TEXT)
		snprintf(buf, n, "text(\"%s\")", d->path);
	else if (d->dataset == DATA_NPY)
		snprintf(buf, n, "npy(\"%s\")", d->files[NPY_X]);
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
	else if (d->classes && pt.timed && d->dataset != DATA_TEXT && d->dataset != DATA_NPY)
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
	else if (!d->classes && pt.dim[0] != 1 && d->dataset != DATA_NPY)
		diag_error(at->loc, "data %s gives 1 target value per step, but the prediction in the loss has %d; "
			   "give the last layer 1 output", ds, pt.dim[0]);
	else
		return;
	diag_note(loss->loc, "the loss is defined here");
}

/* The data set must fit the model's one input sequence and its loss. */
void tb_check_model(Check *c, const Expr *at)
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
			   g->model, nin, tb_join(names, sizeof names, inputs, nin < 16 ? nin : 16));
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
		d->size = d->classes = in->vocab;
		d->token_ids = in->ids;
		d->steps = g->steps;
		d->train_streams = c->tc->batch;
		d->test_streams = c->tc->eval_batch;
	}
	if (d->dataset == DATA_NPY) {
		/* the loss says what the labels file holds: class labels of the
		 * prediction's size, or targets (mse) */
		d->size = in->type.dim[0];
		d->steps = g->steps;
		if (g->loss >= 0) {
			const Node *loss = &g->nodes.items[g->loss];
			Type pt = g->nodes.items[loss->args[0]].type;
			d->per_step = pt.timed;
			d->classes = loss->op == OP_CROSS_ENTROPY ? pt.dim[0] : 0;
			d->outputs = loss->op == OP_CROSS_ENTROPY ? 0 : pt.dim[0];
		}
	}
	if (!c->encode_given && d->dataset != DATA_TEXT)
		d->encode = in->kind == IN_ANALOG ? ENCODE_ANALOG : ENCODE_BERNOULLI;
	d->fresh_draws = d->encode == ENCODE_BERNOULLI && d->dataset != DATA_TEXT;  /* text: one-hot, no draws */
	int width = in->kind == IN_TOKENS ? in->vocab : in->type.dim[0];  /* ids or one-hot: V tokens */
	if (width != d->size || g->steps != d->steps) {
		if (c->steps_given)
			snprintf(ds, sizeof ds, "toy_signal(steps = %d)", d->steps);
		diag_error(at->loc, "data %s gives %d value%s per step over %d steps, but input '%s' is %s[%d] over %d "
			   "steps", ds, d->size, d->size == 1 ? "" : "s", d->steps, in->name, in->name, width,
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
