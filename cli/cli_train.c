/* cli_train.c: the commands that train or differentiate: run, eval, grad. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "backends/c/load.h"
#include "backends/llvm/llvm.h"
#include "io/npy.h"
#include "io/layout.h"
#include "io/safetensors.h"
#include "train/train.h"
#include "train/checkpoint.h"
#include "train/shards.h"
#include "cli.h"
#include "cli_args.h"
#include "pipeline.h"

void cli_load_trainable(CliTrainable *L, const CliArgs *a, int need_train_block)
{
	L->llvm = cli_backend_is_llvm(a);
	PipelineOptions po = {0};
	po.input_grads = a->inputs;
	po.quantized = a->quantized;
	if (pipeline_compile(&L->c, a->model, &po))
		diag_exit();
	const Kir *k = L->c.kir;
	if (!k->has_train && !k->quant)
		diag_fatal("model '%s' has no loss, so it cannot be trained; add e.g. 'loss = cross_entropy(y)'", k->model);
	if (need_train_block && !L->c.has_train)
		diag_fatal("%s has no 'train' block; add one (see docs/train.md), e.g.\n"
			   "    train { data = mnist(rows)  optimizer = adam(lr = 1e-3)  batch = 100  epochs = 5 }",
			   a->model);
	const KBuf *in = cli_only_input(k);
	if (a->inputs && L->c.graph->inputs.items[in->index].ids)
		diag_fatal("input '%s' of model '%s' is read by embed as token ids, which have no gradient; "
			   "drop --inputs", in->what, k->model);
	BackendOptions eo = pipeline_backend_options(&L->c, a->model);
	cli_module_open(k, &eo, L->llvm, &L->mod);
	const Graph *g = L->c.graph;
	const KBuf *out = &k->bufs.items[k->output];
	ckpt_surrogates(g, &L->surrogates);
	const Input *lab = &g->inputs.items[g->inputs.len - 1];
	TrainModel *tm = &L->tm;
	tm->name = k->model;
	tm->steps = k->steps;
	tm->inputs = cli_only_input(k)->type.dim[0];
	tm->outputs = out->type.dim[0];
	tm->output_timed = out->type.timed;
	tm->classes = lab->kind == IN_CLASS ? tm->outputs : 0;
	tm->per_step = lab->type.timed;
	tm->carry_state = g->carry_state;
	tm->nparams = k->nparams;
	TrainConfig dflt;
	train_defaults(&dflt);
	const TrainConfig *tc = L->c.has_train ? &L->c.train : &dflt;
	tm->opt_state_floats = (tc->optim.kind == OPTIM_ADAM ? 2 : 1) * k->nparams;
	tm->tensors = L->mod.tensors;
	tm->model_hash = L->c.hash;
	tm->surrogates = L->surrogates.buf;
	tm->init = L->mod.init;
	tm->workspace_floats = L->mod.workspace_floats;
	tm->forward = L->mod.forward;
	tm->train_workspace_floats = L->mod.train_workspace_floats;
	tm->forward_train = L->mod.forward_train;
	tm->backward = L->mod.backward;
	tm->zero_grad = L->mod.zero_grad;
	tm->step = L->mod.step;
	tm->spikes = L->mod.spikes;
	tm->spike_counts = L->mod.spike_counts;
	tm->dropout_key = L->mod.dropout_key;
}

void cli_unload_trainable(CliTrainable *L)
{
	cli_module_close(L->llvm, &L->mod);
	sb_free(&L->surrogates);
	pipeline_free(&L->c);
}

/* --seed S of `spikec run`: replaces the train block's seed (initialisation,
 * shuffles and spike draws), as the block's own `seed = S` would. */
static uint32_t run_seed(const char *s)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < 0 || v > 2147483647L)
		diag_fatal("--seed must be an integer from 0 to 2147483647, got '%s'", s);
	return (uint32_t)v;
}

/* A run continues only with the seed it started with: its spike draws and
 * shuffles are functions of the seed, so another one would splice two runs.
 * The seed is run identity, not model identity, so it is checked here
 * against the checkpoint's "seed" metadata rather than folded into the model
 * hash (which names the model file and keys the compile cache). A file that
 * cannot be read is left for train_run to report. */
static void check_resume_seed(const char *ckpt, uint32_t seed, int from_option)
{
	StFile f;
	char err[1024];
	if (st_read(ckpt, &f, err, sizeof err))
		return;
	const char *s = st_meta(&f, "seed");
	if (s && strtoul(s, NULL, 10) != seed) {
		char was[32];
		snprintf(was, sizeof was, "%s", s);
		st_free(&f);
		diag_fatal("%s was trained with seed %s, but this run's seed is %u (%s); resume with --seed %s, or "
			   "start a new run in another --out directory", ckpt, was, (unsigned)seed,
			   from_option ? "--seed" : "the train block's", was);
	}
	st_free(&f);
}

/* Under mpirun (comm.h): this process's rank of the run; whether it is to
 * stay quiet (all but the first). Exits after an error (the first rank
 * says it). */
static int open_comm(Comm *comm)
{
	char err[1024];
	int quiet = 0;
	if (comm_open(comm, TRAIN_SHARDS, &quiet, err, sizeof err)) {
		if (quiet)
			mem_exit_failure();
		diag_fatal("%s", err);
	}
	return quiet;
}

/* --threads N (1 to 256), by default the processors online, or 1 per MPI
 * rank (a node's ranks would otherwise oversubscribe its processors). */
static int threads_of(const CliArgs *a)
{
	if (!a->threads && comm_under_mpirun())
		return 1;
	if (!a->threads) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		return n < 1 ? 1 : n > 256 ? 256 : (int)n;
	}
	char *end;
	long n = strtol(a->threads, &end, 10);
	if (*end || n < 1 || n > 256)
		diag_fatal("--threads must be an integer from 1 to 256, got '%s'", a->threads);
	return (int)n;
}

static int run(const CliArgs *a)
{
	CliTrainable L = {0};
	cli_load_trainable(&L, a, 1);
	uint32_t block_seed = L.c.train.seed;
	if (a->seed)
		L.c.train.seed = run_seed(a->seed);
	if (a->resume)
		check_resume_seed(a->resume, L.c.train.seed, a->seed != NULL);
	TrainOptions opt = {0};
	char dir[4096];
	snprintf(dir, sizeof dir, "runs/%s", L.c.kir->model);
	opt.out_dir = a->out ? a->out : dir;
	opt.resume = a->resume;
	opt.backend = L.llvm ? "llvm" : "c";
	opt.compile_seconds = L.mod.compile_seconds;
	opt.threads = threads_of(a);
	if (a->epochs) {
		char *end;
		long e = strtol(a->epochs, &end, 10);
		if (*end || e < 1 || e > 1000000)
			diag_fatal("--epochs must be a positive integer, got '%s'", a->epochs);
		opt.epochs = (int)e;
	}
	/* MPI starts after every check of the command line, so that none of
	 * them exits a rank that MPI would then wait for. */
	Comm comm;
	int quiet = open_comm(&comm) || a->quiet;
	opt.comm = &comm;
	opt.quiet = quiet;
	if (!quiet)
		fprintf(stderr, "compiled %s with %s in %.2fs%s\n", L.c.kir->model, L.llvm ? "LLVM" : "the C backend",
			L.mod.compile_seconds, L.mod.compile_seconds == 0 ? " (cached)" : "");
	if (!quiet && a->seed)
		fprintf(stderr, "seed %u (--seed; the train block says %u)\n", (unsigned)L.c.train.seed,
			(unsigned)block_seed);
	int rc = train_run(&L.tm, &L.c.train, &opt);
	comm_close(&comm);
	cli_unload_trainable(&L);
	return rc ? 1 : 0;
}

static const CliOpt run_opts[] = {
	{"epochs", 0, "N", 0, CLI_FIELD(epochs), "train N epochs in all (the train block's by default)"},
	{"seed", 0, "S", 0, CLI_FIELD(seed),
	 "replaces the train block's seed (initialisation, shuffles and spike draws)"},
	{"out", 'o', "DIR", 0, CLI_FIELD(out), "metrics.jsonl and a checkpoint per epoch go here (runs/<model>)"},
	{"output", 0, "DIR", 0, CLI_FIELD(out), NULL},
	{"resume", 0, "CKPT", 0, CLI_FIELD(resume),
	 "continue the run of this checkpoint (written from the same model file and seed)"},
	{"threads", 0, "N", 0, CLI_FIELD(threads),
	 "training threads, 1 to 256 (default: the processors online; under mpirun 1 per rank)"},
	{"quiet", 0, NULL, 0, CLI_FIELD(quiet), "no progress lines"},
	CLI_OPT_BACKEND,
	{0},
};
const CliCommand cli_cmd_run = {
	"run", "model.snn", 0, "train as the train block says; metrics (JSONL) and a checkpoint per epoch in DIR",
	"docs/training.md describes what a run writes and how it resumes; `mpirun -np N spikec run` (N = 1, 2 or 4)\n"
	"trains data-parallel over MPI with the same results (docs/mpi.md).", run_opts, run,
};

static int eval(const CliArgs *a)
{
	CliTrainable L = {0};
	cli_load_trainable(&L, a, 1);
	if (a->seed)  /* evaluation's spike draw is seeded: match a `run --seed S` */
		L.c.train.seed = run_seed(a->seed);
	float *params = cli_load_checkpoint(&L.c, a->checkpoint, a->strict);
	int threads = threads_of(a);
	Comm comm;
	int speaks = !open_comm(&comm);  /* the first rank prints the result */
	EvalResult r;
	int rc = train_evaluate(&L.tm, &L.c.train, params, threads, &comm, &r);
	comm_close(&comm);
	if (rc)
		return 1;
	if (speaks && a->json)
		cli_eval_json(a->checkpoint, L.c.kir->model, L.tm.steps, L.tm.classes, &r);
	else if (speaks && r.bits_per_char)
		printf("%s: test loss %.4f, %.4f bits per character (unigram entropy %.4f), next-character accuracy "
		       "%.2f%% on %ld windows of %d characters\n", a->checkpoint, r.loss, r.loss / CLI_LN2,
		       r.unigram_bits, 100 * r.accuracy, r.samples, L.tm.steps);
	else if (speaks && L.tm.classes)
		printf("%s: test loss %.4f, accuracy %.2f%% on %ld samples\n", a->checkpoint, r.loss, 100 * r.accuracy,
		       r.samples);
	else if (speaks)
		printf("%s: test mse %.6f, rmse %.4f on %ld samples\n", a->checkpoint, r.loss, r.rmse, r.samples);
	free(params);
	cli_unload_trainable(&L);
	return 0;
}

static const CliOpt eval_opts[] = {
	{"checkpoint", 0, "F", CLI_REQUIRED, CLI_FIELD(checkpoint), "the parameters (from spikec run or spikec init)"},
	{"seed", 0, "S", 0, CLI_FIELD(seed), "the seed of the evaluation's spike draws: that of a 'run --seed S'"},
	{"threads", 0, "N", 0, CLI_FIELD(threads),
	 "threads, 1 to 256 (default: the processors online; under mpirun 1 per rank)"},
	CLI_OPT_BACKEND,
	CLI_OPT_QUANTIZED,
	CLI_OPT_STRICT,
	CLI_OPT_JSON,
	{0},
};
const CliCommand cli_cmd_eval = {
	"eval", "model.snn", 0, "test loss and accuracy (or RMSE, or bits per character) of a checkpoint", NULL,
	eval_opts, eval,
};

/* labels.npy: int class labels (B) or (T, B), or float targets shaped like
 * the outputs; checked against the model. */
static void *read_labels(const TrainModel *tm, const char *path, int batch)
{
	NpyArray y;
	char err[1024];
	if (npy_read(path, &y, err, sizeof err))
		diag_fatal("%s", err);
	long want[3], nd = 0;
	if (tm->per_step)
		want[nd++] = tm->steps;
	want[nd++] = batch;
	if (!tm->classes)
		want[nd++] = tm->outputs;
	int ok = y.ndim == nd;
	for (int d = 0; ok && d < nd; d++)
		ok = y.shape[d] == want[d];
	if (!ok) {
		char got[128] = "", need[128] = "";
		for (int d = 0; d < y.ndim; d++)
			snprintf(got + strlen(got), sizeof got - strlen(got), "%s%ld", d ? ", " : "", y.shape[d]);
		for (int d = 0; d < nd; d++)
			snprintf(need + strlen(need), sizeof need - strlen(need), "%s%ld", d ? ", " : "", want[d]);
		diag_fatal("%s: shape (%s), but model '%s' needs %s of shape (%s) for this batch of %d", path, got,
			   tm->name, tm->classes ? "class labels" : "targets", need, batch);
	}
	float *f = npy_as_f32(&y);
	if (!f)
		diag_fatal("%s: dtype '%s' is not numeric", path, y.dtype);
	void *out = f;
	if (tm->classes) {
		int32_t *l = xmalloc(sizeof(int32_t) * (y.count ? y.count : 1));
		for (size_t i = 0; i < y.count; i++) {
			if (f[i] != (int32_t)f[i] || f[i] < 0 || f[i] >= tm->classes)
				diag_fatal("%s: element %zu is %g, not a class label in 0..%d", path, i, (double)f[i],
					   tm->classes - 1);
			l[i] = (int32_t)f[i];
		}
		free(f);
		out = l;
	}
	npy_free(&y);
	return out;
}

static int grad(const CliArgs *a)
{
	CliTrainable L = {0};
	cli_load_trainable(&L, a, 0);
	const Kir *k = L.c.kir;
	char err[1024];
	float *params = cli_load_checkpoint(&L.c, a->checkpoint, a->strict);
	int batch;
	float *x = cli_read_input(k, cli_only_input(k), a->input, &batch);
	void *labels = read_labels(&L.tm, a->labels, batch);
	float *ws = xcalloc(L.tm.train_workspace_floats(batch) + 1, sizeof(float));
	float *grads = xcalloc((size_t)k->nparams + 1, sizeof(float));
	if (L.tm.dropout_key)  /* the masks of step 0, which training never draws */
		L.tm.dropout_key(ws, batch, L.c.has_train ? L.c.train.seed : 0, 0, 0);
	float loss = L.tm.forward_train(params, x, labels, batch, NULL, ws);
	L.tm.zero_grad(grads);
	size_t nx = (size_t)k->steps * (size_t)batch * (size_t)L.tm.inputs;
	float *dx = a->inputs ? xcalloc(nx + 1, sizeof(float)) : NULL;
	if (a->inputs)
		L.mod.backward_inputs(params, x, labels, batch, grads, dx, ws);
	else
		L.tm.backward(params, x, labels, batch, grads, ws);

	int nt = 0;
	const TrainTensor *tt = L.tm.tensors;
	while (tt[nt].name)
		nt++;
	StWriteTensor *w = xcalloc((size_t)nt + 2, sizeof *w);
	long *shapes = xcalloc(2 * (size_t)nt + 1, sizeof(long));
	char **names = xcalloc((size_t)nt + 2, sizeof(char *));
	float *torch = xcalloc((size_t)L.tm.nparams + 1, sizeof(float));  /* PyTorch's order (io/layout.h) */
	for (int i = 0; i < nt; i++) {
		layout_to_torch(torch + tt[i].offset, grads + tt[i].offset, tt[i].rank, tt[i].shape);
		size_t len = strlen(tt[i].name) + 6;
		names[i] = xmalloc(len);
		snprintf(names[i], len, "grad.%s", tt[i].name);
		shapes[2 * i] = tt[i].shape[0];
		shapes[2 * i + 1] = tt[i].shape[1];
		w[i] = (StWriteTensor){names[i], "F32", tt[i].rank, &shapes[2 * i], torch + tt[i].offset};
	}
	long xshape[3] = {k->steps, batch, L.tm.inputs};
	if (dx) {
		const KBuf *in = cli_only_input(k);
		size_t len = strlen(in->name) + 6;
		names[nt] = xmalloc(len);
		snprintf(names[nt], len, "grad.%s", in->what);
		w[nt] = (StWriteTensor){names[nt], "F32", 3, xshape, dx};
	}
	char ls[64], bs[32];
	snprintf(ls, sizeof ls, "%.9g", (double)loss);
	snprintf(bs, sizeof bs, "%d", batch);
	const char *keys[] = {"format", "model", "loss", "batch"};
	const char *vals[] = {"spikec-gradients", k->model, ls, bs};
	if (st_write(a->out, w, nt + (dx != NULL), keys, vals, 4, err, sizeof err))
		diag_fatal("%s", err);
	printf("wrote %s: gradients of %d tensors, loss %.6g over a batch of %d\n", a->out, nt, (double)loss, batch);
	for (int i = 0; i < nt + (dx != NULL); i++)
		free(names[i]);
	free(dx);
	free(names), free(shapes), free(w), free(torch), free(grads), free(ws), free(labels), free(x), free(params);
	cli_unload_trainable(&L);
	return 0;
}

static const CliOpt grad_opts[] = {
	{"checkpoint", 0, "F", CLI_REQUIRED, CLI_FIELD(checkpoint), "the parameters (from spikec run or spikec init)"},
	{"input", 0, "x.npy", CLI_REQUIRED, CLI_FIELD(input), "the batch's inputs (T, B, I)"},
	{"labels", 0, "y.npy", CLI_REQUIRED, CLI_FIELD(labels),
	 "its class labels (B) or (T, B), or targets shaped like the outputs"},
	{"output", 'o', "g.safetensors", CLI_REQUIRED, CLI_FIELD(out), "the gradients, named grad.<parameter>"},
	{"out", 0, "g.safetensors", 0, CLI_FIELD(out), NULL},
	{"inputs", 0, NULL, 0, CLI_FIELD(inputs), "also the gradient with respect to the inputs"},
	CLI_OPT_BACKEND,
	CLI_OPT_STRICT,
	{0},
};
const CliCommand cli_cmd_grad = {
	"grad", "model.snn", 0, "the parameter (and input) gradients of the loss on one batch", NULL, grad_opts, grad,
};
