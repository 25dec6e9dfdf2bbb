/* test_train.c: the train block checker (dsl/train_block.c).
 *
 * Train blocks are parsed from text and checked against small graphs built
 * here by hand, which carry just what train_check reads (steps, inputs, the
 * loss and its prediction's type): lowering a model in the unit tests would
 * fail once another suite has reported errors, because diag's error count
 * is global. The full-program path (model + train, through the pipeline) is
 * covered by the golden cases tests/errors/train_*.snn. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "dsl/train_block.h"
#include "unit.h"

typedef struct {
	int steps, size, spikes;
	Op loss;                /* OP_CROSS_ENTROPY, OP_MSE, or OP_COUNT for no loss */
	int pred, timed;        /* the loss's prediction: size per sample, per step or not */
} Net;

static const Net mnist_rows = {28, 28, 1, OP_CROSS_ENTROPY, 10, 0};

static Graph *graph(Arena *a, Net m)
{
	Graph *g = ir_new(a, "m", m.steps);
	Type in = ir_vec(m.spikes ? DT_SPIKE : DT_F32, m.size, 1, 1);
	vec_push(&g->inputs, ((Input){"x", m.spikes ? IN_SPIKES : IN_ANALOG, in, NOLOC, 0, 0}));
	if (m.loss == OP_COUNT)
		return g;
	int args[2];
	args[0] = ir_add(g, OP_ZEROS, 0, ir_vec(DT_F32, m.pred, 1, m.timed), NULL, 0, NOLOC);
	Type lt = m.loss == OP_MSE ? ir_vec(DT_F32, m.pred, 1, m.timed) : (Type){DT_I32, 0, 1, (uint8_t)m.timed, {0, 0}};
	vec_push(&g->inputs, ((Input){"labels", m.loss == OP_MSE ? IN_TARGET : IN_CLASS, lt, NOLOC, 0, 0}));
	args[1] = ir_add(g, OP_LABELS, 0, lt, NULL, 0, NOLOC);
	g->loss = ir_add(g, m.loss, 0, ir_scalar(), args, 2, NOLOC);
	return g;
}

/* Captured stderr of the last check. */
static char errs[16384];

/* Parses `text` (a train block), checks it against model m into *tc, and
 * returns the number of errors. */
static int check(const char *text, Net m, TrainConfig *tc)
{
	Arena a = {0};
	Program prog = {0};
	int file = diag_add_source("t.snn", text, (long)strlen(text));
	FILE *tmp = tmpfile();
	int saved = dup(2), n = -1;
	fflush(stderr);
	dup2(fileno(tmp), 2);
	if (dsl_parse(&a, file, &prog, 0) == 0 && prog.train) {
		Graph *g = graph(&a, m);
		n = train_check(prog.train, g, tc);
		ir_free(g);
	}
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	size_t got = fread(errs, 1, sizeof errs - 1, tmp);
	errs[got] = 0;
	fclose(tmp);
	vec_free(&prog.cells);
	arena_free(&a);
	return n;
}

/* The first line of the messages, after "t.snn:". */
static const char *first_error(void)
{
	static char line[1024];
	const char *s = strncmp(errs, "t.snn:", 6) ? errs : errs + 6;
	snprintf(line, sizeof line, "%.*s", (int)strcspn(s, "\n"), s);
	return line;
}

/* A bare dataset and optimizer: everything else at its documented default. */
static void test_defaults(void)
{
	TrainConfig tc, d;
	CU_ASSERT_EQUAL_FATAL(check("train { data = mnist  optimizer = adam }", mnist_rows, &tc), 0);
	CU_ASSERT_STRING_EQUAL(errs, "");
	CU_ASSERT_EQUAL(tc.data.dataset, DATA_MNIST);
	CU_ASSERT_EQUAL(tc.data.layout, LAYOUT_ROWS);
	CU_ASSERT_EQUAL(tc.data.encode, ENCODE_BERNOULLI);
	CU_ASSERT_DOUBLE_EQUAL(tc.data.level, 0.5, 0);
	CU_ASSERT_EQUAL(tc.data.fresh_draws, 1);
	CU_ASSERT_EQUAL(tc.data.steps, 28);
	CU_ASSERT_EQUAL(tc.data.size, 28);
	CU_ASSERT_EQUAL(tc.data.classes, 10);
	CU_ASSERT_EQUAL(tc.optim.kind, OPTIM_ADAM);
	CU_ASSERT_DOUBLE_EQUAL(tc.optim.lr, 1e-3, 0);
	CU_ASSERT_DOUBLE_EQUAL(tc.optim.beta1, 0.9, 0);
	CU_ASSERT_DOUBLE_EQUAL(tc.optim.beta2, 0.999, 0);
	CU_ASSERT_DOUBLE_EQUAL(tc.optim.eps, 1e-8, 0);
	CU_ASSERT_DOUBLE_EQUAL(tc.optim.momentum, 0, 0);
	CU_ASSERT_DOUBLE_EQUAL(tc.optim.weight_decay, 0, 0);
	CU_ASSERT_EQUAL(tc.schedule.kind, SCHEDULE_CONSTANT);
	CU_ASSERT_EQUAL(tc.schedule.every, 10);
	CU_ASSERT_DOUBLE_EQUAL(tc.schedule.gamma, 0.5, 0);
	CU_ASSERT_DOUBLE_EQUAL(tc.schedule.min_lr, 0, 0);
	CU_ASSERT_DOUBLE_EQUAL(tc.clip, 0, 0);
	CU_ASSERT_EQUAL(tc.batch, 32);
	CU_ASSERT_EQUAL(tc.eval_batch, 32);
	CU_ASSERT_EQUAL(tc.epochs, 10);
	CU_ASSERT_EQUAL(tc.tbptt, 0);
	CU_ASSERT_EQUAL(tc.seed, 0);
	/* train_defaults gives the same. */
	train_defaults(&d);
	CU_ASSERT_EQUAL(d.data.dataset, tc.data.dataset);
	CU_ASSERT_EQUAL(d.data.layout, tc.data.layout);
	CU_ASSERT_EQUAL(d.data.encode, tc.data.encode);
	CU_ASSERT_EQUAL(d.data.level, tc.data.level);
	CU_ASSERT_EQUAL(d.data.fresh_draws, tc.data.fresh_draws);
	CU_ASSERT_EQUAL(d.data.steps, tc.data.steps);
	CU_ASSERT_EQUAL(d.data.size, tc.data.size);
	CU_ASSERT_EQUAL(d.data.classes, tc.data.classes);
	CU_ASSERT_EQUAL(memcmp(&d.optim, &tc.optim, sizeof d.optim), 0);  /* no padding: an enum, then doubles */
	CU_ASSERT_EQUAL(d.schedule.kind, tc.schedule.kind);
	CU_ASSERT_EQUAL(d.schedule.every, tc.schedule.every);
	CU_ASSERT_EQUAL(d.schedule.gamma, tc.schedule.gamma);
	CU_ASSERT_EQUAL(d.schedule.min_lr, tc.schedule.min_lr);
	CU_ASSERT_EQUAL(d.clip, tc.clip);
	CU_ASSERT_EQUAL(d.batch, tc.batch);
	CU_ASSERT_EQUAL(d.eval_batch, tc.eval_batch);
	CU_ASSERT_EQUAL(d.epochs, tc.epochs);
	CU_ASSERT_EQUAL(d.tbptt, tc.tbptt);
	CU_ASSERT_EQUAL(d.seed, tc.seed);
	/* eval_batch follows batch unless given. */
	CU_ASSERT_EQUAL(check("train { data = mnist(rows)  optimizer = adam(lr = 1e-3)  batch = 100 }", mnist_rows,
			      &tc), 0);
	CU_ASSERT_EQUAL(tc.batch, 100);
	CU_ASSERT_EQUAL(tc.eval_batch, 100);
}

/* Every setting given, none at its default. */
static void test_every_field(void)
{
	static const char text[] =
		"train {\n"
		"    data       = fashion_mnist(pixels, encode = threshold(level = 0.25))\n"
		"    optimizer  = sgd(0.05, momentum = 0.9, weight_decay = 5e-4)\n"
		"    schedule   = step(every = 3, gamma = 0.1)\n"
		"    clip       = 1\n"
		"    batch      = 64\n"
		"    eval_batch = 500\n"
		"    epochs     = 2\n"
		"    seed       = 42\n"
		"    tbptt      = 100;\n"
		"}\n";
	Net pixels = {784, 1, 1, OP_CROSS_ENTROPY, 10, 0};
	TrainConfig tc;
	CU_ASSERT_EQUAL_FATAL(check(text, pixels, &tc), 0);
	CU_ASSERT_STRING_EQUAL(errs, "");
	CU_ASSERT_EQUAL(tc.data.dataset, DATA_FASHION_MNIST);
	CU_ASSERT_EQUAL(tc.data.layout, LAYOUT_PIXELS);
	CU_ASSERT_EQUAL(tc.data.encode, ENCODE_THRESHOLD);
	CU_ASSERT_DOUBLE_EQUAL(tc.data.level, 0.25, 0);
	CU_ASSERT_EQUAL(tc.data.fresh_draws, 0);
	CU_ASSERT_EQUAL(tc.data.steps, 784);
	CU_ASSERT_EQUAL(tc.data.size, 1);
	CU_ASSERT_EQUAL(tc.data.classes, 10);
	CU_ASSERT_EQUAL(tc.optim.kind, OPTIM_SGD);
	CU_ASSERT_DOUBLE_EQUAL(tc.optim.lr, 0.05, 0);
	CU_ASSERT_DOUBLE_EQUAL(tc.optim.momentum, 0.9, 0);
	CU_ASSERT_DOUBLE_EQUAL(tc.optim.weight_decay, 5e-4, 0);
	CU_ASSERT_DOUBLE_EQUAL(tc.optim.beta1, 0, 0);
	CU_ASSERT_DOUBLE_EQUAL(tc.optim.beta2, 0, 0);
	CU_ASSERT_DOUBLE_EQUAL(tc.optim.eps, 0, 0);
	CU_ASSERT_EQUAL(tc.schedule.kind, SCHEDULE_STEP);
	CU_ASSERT_EQUAL(tc.schedule.every, 3);
	CU_ASSERT_DOUBLE_EQUAL(tc.schedule.gamma, 0.1, 0);
	CU_ASSERT_DOUBLE_EQUAL(tc.clip, 1, 0);
	CU_ASSERT_EQUAL(tc.batch, 64);
	CU_ASSERT_EQUAL(tc.eval_batch, 500);
	CU_ASSERT_EQUAL(tc.epochs, 2);
	CU_ASSERT_EQUAL(tc.seed, 42);
	CU_ASSERT_EQUAL(tc.tbptt, 100);
}

/* Adam's and cosine's arguments; constant arithmetic in numbers. */
static void test_adam_cosine(void)
{
	TrainConfig tc;
	CU_ASSERT_EQUAL_FATAL(check("train {\n"
				    "  data = mnist(layout = rows, encode = bernoulli)\n"
				    "  optimizer = adam(2 * 1e-3, beta1 = 0.8, beta2 = 0.99, eps = 1e-6, weight_decay = 1 / 100)\n"
				    "  schedule = cosine(min_lr = 1e-5)\n"
				    "  clip = 0.5  epochs = 3 - 1\n"
				    "}\n", mnist_rows, &tc), 0);
	CU_ASSERT_STRING_EQUAL(errs, "");
	CU_ASSERT_EQUAL(tc.optim.kind, OPTIM_ADAM);
	CU_ASSERT_DOUBLE_EQUAL(tc.optim.lr, 2e-3, 1e-15);
	CU_ASSERT_DOUBLE_EQUAL(tc.optim.beta1, 0.8, 0);
	CU_ASSERT_DOUBLE_EQUAL(tc.optim.beta2, 0.99, 0);
	CU_ASSERT_DOUBLE_EQUAL(tc.optim.eps, 1e-6, 0);
	CU_ASSERT_DOUBLE_EQUAL(tc.optim.weight_decay, 0.01, 1e-15);
	CU_ASSERT_EQUAL(tc.schedule.kind, SCHEDULE_COSINE);
	CU_ASSERT_DOUBLE_EQUAL(tc.schedule.min_lr, 1e-5, 0);
	CU_ASSERT_DOUBLE_EQUAL(tc.clip, 0.5, 0);
	CU_ASSERT_EQUAL(tc.epochs, 2);
	/* A bare sgd and a bare threshold take their defaults. */
	CU_ASSERT_EQUAL_FATAL(check("train { data = mnist(rows, encode = threshold)  optimizer = sgd  schedule = step }",
				    mnist_rows, &tc), 0);
	CU_ASSERT_EQUAL(tc.optim.kind, OPTIM_SGD);
	CU_ASSERT_DOUBLE_EQUAL(tc.optim.lr, 0.01, 0);
	CU_ASSERT_DOUBLE_EQUAL(tc.optim.momentum, 0, 0);
	CU_ASSERT_EQUAL(tc.data.encode, ENCODE_THRESHOLD);
	CU_ASSERT_DOUBLE_EQUAL(tc.data.level, 0.5, 0);
	CU_ASSERT_EQUAL(tc.schedule.kind, SCHEDULE_STEP);
	CU_ASSERT_EQUAL(tc.schedule.every, 10);
	CU_ASSERT_DOUBLE_EQUAL(tc.schedule.gamma, 0.5, 0);
}

/* toy_signal: steps default to the model's, targets per step. */
static void test_toy_signal(void)
{
	Net toy = {100, 1, 1, OP_MSE, 1, 1};
	TrainConfig tc;
	CU_ASSERT_EQUAL_FATAL(check("train { data = toy_signal  optimizer = sgd(0.1) }", toy, &tc), 0);
	CU_ASSERT_EQUAL(tc.data.dataset, DATA_TOY_SIGNAL);
	CU_ASSERT_EQUAL(tc.data.layout, LAYOUT_SIGNAL);
	CU_ASSERT_EQUAL(tc.data.steps, 100);
	CU_ASSERT_EQUAL(tc.data.size, 1);
	CU_ASSERT_EQUAL(tc.data.classes, 0);
	CU_ASSERT_EQUAL(tc.data.encode, ENCODE_BERNOULLI);
	CU_ASSERT_DOUBLE_EQUAL(tc.optim.lr, 0.1, 0);
	CU_ASSERT_EQUAL(check("train { data = toy_signal(100)  optimizer = sgd }", toy, &tc), 0);
	CU_ASSERT_EQUAL(check("train { data = toy_signal(99)  optimizer = sgd }", toy, &tc), 1);
	CU_ASSERT_STRING_EQUAL(first_error(), "1:16: error: data toy_signal(steps = 99) gives 1 value per step over 99 "
			       "steps, but input 'x' is x[1] over 100 steps");
	CU_ASSERT_EQUAL(check("train { data = toy_signal(encode = bernoulli, steps = 100)  optimizer = sgd }", toy,
			      &tc), 0);
	CU_ASSERT_EQUAL(tc.data.steps, 100);
	CU_ASSERT_EQUAL(check("train { data = toy_signal(encode = bernoulli, step = 100)  optimizer = sgd }", toy,
			      &tc), 1);
	CU_ASSERT_STRING_EQUAL(first_error(), "1:47: error: 'toy_signal' has no argument 'step' (did you mean "
			       "'steps'?); its arguments are steps and encode");
}

/* fsdd: 32 mel bands over 32 steps, 10 classes; only an encoder to choose. */
static void test_fsdd(void)
{
	Net fsdd = {32, 32, 1, OP_CROSS_ENTROPY, 10, 0};
	TrainConfig tc;
	CU_ASSERT_EQUAL_FATAL(check("train { data = fsdd(encode = threshold(0.5))  optimizer = adam }", fsdd, &tc), 0);
	CU_ASSERT_EQUAL(tc.data.dataset, DATA_FSDD);
	CU_ASSERT_EQUAL(tc.data.steps, 32);
	CU_ASSERT_EQUAL(tc.data.size, 32);
	CU_ASSERT_EQUAL(tc.data.classes, 10);
	CU_ASSERT_EQUAL(tc.data.encode, ENCODE_THRESHOLD);
	CU_ASSERT_DOUBLE_EQUAL(tc.data.level, 0.5, 0);
	CU_ASSERT_EQUAL(tc.data.fresh_draws, 0);
	CU_ASSERT_EQUAL_FATAL(check("train { data = fsdd  optimizer = adam }", fsdd, &tc), 0);
	CU_ASSERT_EQUAL(tc.data.encode, ENCODE_BERNOULLI);
	CU_ASSERT_EQUAL(tc.data.fresh_draws, 1);
	CU_ASSERT_EQUAL(check("train { data = fsdd(analog)  optimizer = adam }", fsdd, &tc), 1);
	CU_ASSERT_EQUAL(check("train { data = fsdd(rows)  optimizer = adam }", fsdd, &tc), 1);
	CU_ASSERT_STRING_EQUAL(first_error(), "1:21: error: unknown encoder 'rows'; the encoders are bernoulli, "
			       "threshold and analog");
	CU_ASSERT_EQUAL(check("train { data = fsdd(steps = 32)  optimizer = adam }", fsdd, &tc), 1);
	CU_ASSERT_STRING_EQUAL(first_error(), "1:21: error: 'fsdd' has no argument 'steps'; its only argument is "
			       "encode");
}

/* The encoder follows the input when not given; analog needs an analog input. */
static void test_encoder_default(void)
{
	Net analog = {28, 28, 0, OP_CROSS_ENTROPY, 10, 0};
	TrainConfig tc;
	CU_ASSERT_EQUAL_FATAL(check("train { data = mnist  optimizer = adam }", analog, &tc), 0);
	CU_ASSERT_EQUAL(tc.data.encode, ENCODE_ANALOG);
	CU_ASSERT_EQUAL(tc.data.fresh_draws, 0);
	CU_ASSERT_EQUAL(check("train { data = mnist(rows, encode = analog)  optimizer = adam }", analog, &tc), 0);
	CU_ASSERT_EQUAL(tc.data.encode, ENCODE_ANALOG);
	CU_ASSERT_EQUAL(check("train { data = mnist(rows, encode = analog)  optimizer = adam }", mnist_rows, &tc), 1);
	CU_ASSERT_STRING_EQUAL(first_error(), "1:37: error: encode = analog gives intensities in [0, 1], but input 'x' "
			       "takes spikes; use bernoulli or threshold, or declare the input 'analog'");
	/* Spikes may feed an analog input. */
	CU_ASSERT_EQUAL(check("train { data = mnist(rows, encode = bernoulli)  optimizer = adam }", analog, &tc), 0);
	CU_ASSERT_EQUAL(tc.data.encode, ENCODE_BERNOULLI);
	CU_ASSERT_EQUAL(tc.data.fresh_draws, 1);
}

/* One line per mistake: the first message and its location. */
static void test_errors(void)
{
	static const struct {
		const char *text, *msg;
		int n;
	} cases[] = {
		{"train { optimizer = adam  data = mnist  epoch = 5 }",
		 "1:41: error: unknown setting 'epoch' (did you mean 'epochs'?); the settings are data, optimizer, "
		 "schedule, clip, batch, eval_batch, epochs, seed, tbptt and tape", 1},
		{"train { optimizer = adam  data = mnist  momentum = 0.9 }",
		 "1:41: error: 'momentum' is not a setting but an argument of 'optimizer': write 'optimizer = "
		 "sgd(momentum = ...)'", 1},
		{"train { optimizer = adam  data = mnist  seed = 1  seed = 2 }",
		 "1:51: error: 'seed' is set twice; keep one", 1},
		{"train { optimizer = adam }",
		 "1:1: error: the 'train' block has no 'data' setting; add one, e.g. 'data = mnist(rows, encode = "
		 "bernoulli)'", 1},
		{"train { data = mnist }",
		 "1:1: error: the 'train' block has no 'optimizer' setting; add one, e.g. 'optimizer = adam(lr = 1e-3)'", 1},
		{"train { data = emnist  optimizer = adam }",
		 "1:16: error: unknown dataset 'emnist' (did you mean 'mnist'?); the datasets are mnist, fashion_mnist, "
		 "toy_signal, fsdd, text and npy", 1},
		{"train { data = mnist  optimizer = rmsprop }",
		 "1:35: error: unknown optimizer 'rmsprop'; the optimizers are adam and sgd", 1},
		{"train { data = mnist  optimizer = adam  schedule = linear }",
		 "1:52: error: unknown schedule 'linear'; the schedules are constant, step and cosine", 1},
		{"train { data = mnist(rows, encode = bernouli)  optimizer = adam }",
		 "1:37: error: unknown encoder 'bernouli' (did you mean 'bernoulli'?); the encoders are bernoulli, "
		 "threshold and analog", 1},
		{"train { data = mnist(rows, rows)  optimizer = adam }",
		 "1:28: error: 'mnist' takes only 'layout' by position; name this argument: 'encode = ...'", 1},
		{"train { data = mnist(rows, layout = rows)  optimizer = adam }",
		 "1:28: error: argument 'layout' of 'mnist' is given twice", 1},
		{"train { data = mnist(rows(2))  optimizer = adam }",
		 "1:22: error: the layout must be rows or pixels, got 'rows(...)'", 1},
		{"train { data = mnist  optimizer = adam(lr = -1e-3) }",
		 "1:45: error: 'lr' must be a number > 0, got -0.001", 1},
		{"train { data = mnist  optimizer = adam  batch = 2.5 }",
		 "1:49: error: 'batch' must be a positive integer, got 2.5", 1},
		{"train { data = mnist  optimizer = adam  batch = adam }",
		 "1:49: error: 'batch' must be a positive integer, got 'adam'", 1},
		{"train { data = mnist  optimizer = adam  epochs = 0 }",
		 "1:50: error: 'epochs' must be a positive integer, got 0", 1},
		{"train { data = mnist  optimizer = adam  epochs = 2147483647 + 1 }",
		 "1:50: error: 'epochs' is too large (the largest is 2147483647)", 1},
		{"train { data = mnist  optimizer = adam  clip = w @ x }",
		 "1:48: error: 'clip' must be a number >= 0, got an expression", 1},
		{"train { data = mnist  optimizer = adam  tape = fast }",
		 "1:48: error: unknown tape setting 'fast'; the tape settings are auto, store and recompute", 1},
		{"train { data = mnist  optimizer = adam  tape = store(1) }",
		 "1:48: error: 'tape = store' takes no arguments", 1},
		{"train { data = mnist  optimizer = adam  tbptt = 29 }",
		 "1:49: error: 'tbptt' is 29, but the model runs over 28 steps; use a window of at most 28, or 0 for "
		 "full BPTT", 1},
		{"train { data = mnist  optimizer = adam(1e-3)  schedule = cosine(0.1) }",
		 "1:65: error: 'min_lr' is 0.1, above the optimizer's lr 0.001; the cosine schedule goes down from lr "
		 "to min_lr", 1},
		{"train { data = mnist(pixels)  optimizer = adam }",
		 "1:16: error: data mnist(pixels) gives 1 value per step over 784 steps, but input 'x' is x[28] over 28 "
		 "steps", 1},
		{"train { data = toy_signal  optimizer = adam }",
		 "1:16: error: data toy_signal gives 1 value per step over 28 steps, but input 'x' is x[28] over 28 "
		 "steps", 2},
		/* A wrong setting does not also fail the checks that depend on it. */
		{"train { data = mnist(pixels, encode = poisson)  optimizer = adam  tbptt = -1  batch = 0 }",
		 "1:39: error: unknown encoder 'poisson'; the encoders are bernoulli, threshold and analog", 3},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		TrainConfig tc;
		int n = check(cases[i].text, mnist_rows, &tc);
		CU_ASSERT_EQUAL(n, cases[i].n);
		CU_ASSERT_STRING_EQUAL(first_error(), cases[i].msg);
		if (n != cases[i].n || strcmp(first_error(), cases[i].msg))
			fprintf(stderr, "\ncase %zu: %d errors:\n%s", i, n, errs);
	}
	/* No loss: the block is reported at the 'train' keyword. */
	TrainConfig tc;
	Net no_loss = mnist_rows;
	no_loss.loss = OP_COUNT;
	CU_ASSERT_EQUAL(check("train { data = mnist  optimizer = adam }", no_loss, &tc), 1);
	CU_ASSERT_STRING_EQUAL(first_error(), "1:1: error: model 'm' has no 'loss' to train; add one, e.g. 'loss = "
			       "cross_entropy(y)'");
}

static void test_print(void)
{
	TrainConfig tc;
	char out[512];
	FILE *f = tmpfile();
	CU_ASSERT_EQUAL_FATAL(check("train { data = mnist(rows, encode = bernoulli)  optimizer = adam(lr = 1e-3)\n"
				    "  batch = 100  epochs = 30  seed = 1 }", mnist_rows, &tc), 0);
	train_print(&tc, f);
	CU_ASSERT_EQUAL_FATAL(check("train { data = mnist(rows, encode = threshold(0.2))  optimizer = sgd(0.1, "
				    "momentum = 0.9)  schedule = step(5, gamma = 0.1)  clip = 1  tbptt = 7  "
				    "epochs = 1  eval_batch = 1000 }", mnist_rows, &tc), 0);
	train_print(&tc, f);
	rewind(f);
	size_t got = fread(out, 1, sizeof out - 1, f);
	out[got] = 0;
	fclose(f);
	CU_ASSERT_STRING_EQUAL(out,
		"train: mnist (rows, bernoulli), adam lr 0.001, batch 100, 30 epochs, seed 1\n"
		"       constant lr, no clipping, full BPTT, eval batch 100\n"
		"train: mnist (rows, threshold 0.2), sgd lr 0.1 momentum 0.9, batch 32, 1 epoch, seed 0\n"
		"       lr x0.1 every 5 epochs, clip gradient norm at 1, tbptt 7 steps, eval batch 1000\n");
}

UNIT_SUITE(train, "dsl/train",
	UNIT_TEST(test_defaults),
	UNIT_TEST(test_every_field),
	UNIT_TEST(test_adam_cosine),
	UNIT_TEST(test_toy_signal),
	UNIT_TEST(test_fsdd),
	UNIT_TEST(test_encoder_default),
	UNIT_TEST(test_errors),
	UNIT_TEST(test_print))
