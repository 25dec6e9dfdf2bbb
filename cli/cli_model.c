/* cli_model.c: the commands that touch parameters: init and infer. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backends/c/load.h"
#include "backends/llvm/llvm.h"
#include "io/npy.h"
#include "train/checkpoint.h"
#include "cli.h"
#include "cli_args.h"
#include "pipeline.h"

static uint64_t parse_seed(const char *s)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (!*s || *end || errno || s[0] == '-')
		diag_fatal("--seed must be a non-negative integer, got '%s'", s);
	return v;
}

static void compile(Compilation *c, const char *model, const PipelineOptions *po)
{
	if (pipeline_compile(c, model, po))
		diag_exit();
}

static int init(const CliArgs *a)
{
	uint64_t seed = a->seed ? parse_seed(a->seed) : 0;
	Compilation c = {0};
	compile(&c, a->model, NULL);
	float *p = ckpt_init(c.kir, seed);
	char err[1024];
	if (ckpt_save(c.kir, c.hash, p, a->out, err, sizeof err))
		diag_fatal("%s", err);
	printf("wrote %s: %ld parameters of model %s, seed %llu\n", a->out, c.kir->nparams, c.kir->model,
	       (unsigned long long)seed);
	free(p);
	pipeline_free(&c);
	return 0;
}

static const CliOpt init_opts[] = {
	{"seed", 0, "S", 0, CLI_FIELD(seed), "the seed of the He-normal draws (default 0), as <model>_init(seed)"},
	{"output", 'o', "F", CLI_REQUIRED, CLI_FIELD(out), "the safetensors file to write"},
	{"out", 0, "F", 0, CLI_FIELD(out), NULL},
	{0},
};
const CliCommand cli_cmd_init = {
	"init", "model.snn", 0, "write freshly initialised parameters as safetensors", NULL, init_opts, init,
};

const KBuf *cli_only_input(const Kir *k)
{
	const KBuf *in = NULL;
	for (int b = 0; b < k->bufs.len; b++)
		if (k->bufs.items[b].cls == KB_INPUT) {
			if (in)
				diag_fatal("model '%s' has several inputs; 'spikec infer' takes one", k->model);
			in = &k->bufs.items[b];
		}
	if (!in)
		diag_fatal("model '%s' does not read its input; nothing to infer from", k->model);
	return in;
}

/* x as float (T, B, I), checked against the model; spikes must be 0 or 1. */
/* A tokens input given as ids (T, B): one-hot (T, B, V), or the ids as
 * floats (T, B, 1) for an input that embed reads. */
static float *token_ids(const Kir *k, const KBuf *in, const char *path, NpyArray *x, int *batch)
{
	const Input *inp = &k->g->inputs.items[in->index];
	int V = inp->vocab;
	size_t I = inp->ids ? 1 : (size_t)V;
	if (x->shape[0] != k->steps || x->shape[1] < 1 || x->shape[1] > 1 << 24)
		diag_fatal("%s: shape (%ld, %ld), but model '%s' reads token ids (T, B) with T = %d and B from 1 to %d", path,
			   x->shape[0], x->shape[1], k->model, k->steps, 1 << 24);
	float *ids = npy_as_f32(x);
	if (!ids)
		diag_fatal("%s: dtype '%s' is not numeric", path, x->dtype);
	float *f = xcalloc(x->count * I + 1, sizeof(float));
	for (size_t i = 0; i < x->count; i++) {
		if (!(ids[i] >= 0 && ids[i] < V) || ids[i] != (int)ids[i])
			diag_fatal("%s: element %zu is %g, not a token id of input '%s' (0 to %d)", path, i, (double)ids[i],
				   in->what, V - 1);
		if (inp->ids)
			f[i] = ids[i];
		else
			f[i * I + (size_t)ids[i]] = 1;
	}
	*batch = (int)x->shape[1];
	free(ids);
	npy_free(x);
	return f;
}

float *cli_read_input(const Kir *k, const KBuf *in, const char *path, int *batch)
{
	NpyArray x;
	char err[1024];
	if (npy_read(path, &x, err, sizeof err))
		diag_fatal("%s", err);
	if (k->g->inputs.items[in->index].kind == IN_TOKENS && x.ndim == 2)
		return token_ids(k, in, path, &x, batch);
	char shape[256];
	if (x.ndim != 3 || x.shape[0] != k->steps || x.shape[2] != in->type.dim[0])
		diag_fatal("%s: shape %s, but model '%s' reads (T, B, I) = (%d, B, %d)", path,
			   npy_shape_str(shape, sizeof shape, x.ndim, x.shape), k->model, k->steps, in->type.dim[0]);
	if (x.shape[1] < 1 || x.shape[1] > 1 << 24)
		diag_fatal("%s: batch of %ld sequences; need between 1 and %d", path, x.shape[1], 1 << 24);
	float *f = npy_as_f32(&x);
	if (!f)
		diag_fatal("%s: dtype '%s' is not numeric", path, x.dtype);
	for (size_t i = 0; i < x.count; i++) {
		if (!isfinite(f[i]))
			diag_fatal("%s: element %zu is %g; inputs must be finite", path, i, (double)f[i]);
		if (in->type.dtype == DT_SPIKE && f[i] != 0 && f[i] != 1)
			diag_fatal("%s: input '%s' is declared as spikes, but element %zu is %g; encode it as 0/1 "
				   "or declare the input 'analog'", path, in->what, i, (double)f[i]);
	}
	*batch = (int)x.shape[1];
	npy_free(&x);
	return f;
}

static int infer(const CliArgs *a)
{
	int llvm = cli_backend_is_llvm(a);
	Compilation c = {0};
	PipelineOptions po = {0};
	po.quantized = a->quantized;
	compile(&c, a->model, &po);
	const Kir *k = c.kir;
	char err[1024];
	float *params = cli_load_checkpoint(&c, a->checkpoint, a->strict);
	int batch;
	float *x = cli_read_input(k, cli_only_input(k), a->input, &batch);
	CompiledModel m;
	BackendOptions eo = pipeline_backend_options(&c, a->model);
	cli_module_open(k, &eo, llvm, &m);
	const KBuf *ob = &k->bufs.items[k->output];
	long o = ob->type.dim[0];
	long shape[3] = {k->steps, batch, o};
	size_t nout = (size_t)batch * (size_t)o * (ob->type.timed ? (size_t)k->steps : 1);
	float *out = xcalloc(nout, sizeof(float));
	float *ws = xcalloc(m.workspace_floats(batch) + 1, sizeof(float));
	m.forward(params, x, batch, out, ws);
	if (npy_write(a->out, "f4", ob->type.timed ? 3 : 2, ob->type.timed ? shape : shape + 1, out, err, sizeof err))
		diag_fatal("%s", err);
	printf("wrote %s: outputs %s(%s%d, %ld)\n", a->out, "", ob->type.timed ? "T, " : "", batch, o);
	free(ws);
	free(out);
	free(x);
	free(params);
	cli_module_close(llvm, &m);
	pipeline_free(&c);
	return 0;
}

static const CliOpt infer_opts[] = {
	{"checkpoint", 0, "F", CLI_REQUIRED, CLI_FIELD(checkpoint), "the parameters (from spikec run or spikec init)"},
	{"input", 0, "x.npy", CLI_REQUIRED, CLI_FIELD(input),
	 "the inputs (T, B, I), or token ids (T, B) for a tokens input"},
	{"output", 'o', "y.npy", CLI_REQUIRED, CLI_FIELD(out), "where the outputs go: (T, B, O) or (B, O)"},
	{"out", 0, "y.npy", 0, CLI_FIELD(out), NULL},
	CLI_OPT_BACKEND,
	CLI_OPT_QUANTIZED,
	CLI_OPT_STRICT,
	{0},
};
const CliCommand cli_cmd_infer = {
	"infer", "model.snn", 0, "run the forward pass on a batch of inputs and save the outputs", NULL, infer_opts,
	infer,
};

float *cli_load_checkpoint(const Compilation *c, const char *path, int strict)
{
	char err[1024], hash[32];
	CkptOrigin from;
	float *params = ckpt_load(c->kir, path, &from, err, sizeof err);
	if (!params)
		diag_fatal("%s", err);
	snprintf(hash, sizeof hash, "%016llx", (unsigned long long)c->hash);
	int named = from.model[0] || from.hash[0];
	if ((!strcmp(from.model, c->kir->model) && !strcmp(from.hash, hash)) || (!named && !strict))
		return params;
	StrBuf msg = {0};
	if (!named)
		sb_printf(&msg, "checkpoint %s names no model in its metadata", path);
	else
		sb_printf(&msg, "checkpoint %s was written from model '%s' (hash %s), not from %s (model '%s', hash %s)%s",
			  path, from.model, from.hash[0] ? from.hash : "none", diag_source_name(c->file), c->kir->model,
			  hash, strcmp(from.model, c->kir->model) ? "" : ": the model file or the prelude changed since");
	if (strict)
		diag_fatal("%s (--strict)", msg.buf);
	diag_warning(NOLOC, "%s; the shapes fit, so it is used (--strict makes this an error)", msg.buf);
	sb_free(&msg);
	return params;
}

void cli_module_open(const Kir *k, const BackendOptions *eo, int llvm, CompiledModel *m)
{
	char err[1024];
	if ((llvm ? llvm_plugin_build : cload_build)(k, eo, m, err, sizeof err))
		diag_fatal("%s", err);
}

void cli_module_close(int llvm, CompiledModel *m)
{
	if (llvm)
		llvm_plugin_close(m);
	else
		cload_close(m);
}
