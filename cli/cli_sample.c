/* cli_sample.c: `spikec sample`, text from a character-level model.
 *
 * The model reads one token per step (a `tokens` input) and predicts the
 * next one at every step; its train block's text("file") gives the
 * vocabulary, exactly as training built it. The prime text runs through the
 * streaming API one character at a time, then each next character is drawn
 * from softmax(logits / temperature) and fed back. Draws come from Philox
 * (runtime/rng.h) keyed by the seed, so a (checkpoint, seed, prime,
 * temperature) always gives the same text. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/rng.h"
#include "train/text.h"
#include "train/checkpoint.h"
#include "cli.h"
#include "cli_args.h"
#include "pipeline.h"

#define SAMPLE_KEY 0x534d504cu  /* "SMPL": high 32 bits of the draw key */

static long parse_long(const char *opt, const char *s, long lo, long hi)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < lo || v > hi)
		diag_fatal("%s must be an integer from %ld to %ld, got '%s'", opt, lo, hi, s);
	return v;
}

static double parse_temperature(const char *s)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (!*s || *end || errno || !(v > 0) || v > 100)
		diag_fatal("--temperature must be a number in (0, 100], got '%s' (1 samples the model's own "
			   "distribution, lower is more conservative)", s);
	return v;
}

/* The index drawn from softmax(logits / temp) with uniform u in [0, 1);
 * weight (n doubles) is scratch. */
static int draw(const float *logits, int n, double temp, double u, double *weight)
{
	double mx = logits[0], sum = 0, acc = 0;
	for (int j = 1; j < n; j++)
		if (logits[j] > mx)
			mx = logits[j];
	for (int j = 0; j < n; j++)
		sum += weight[j] = exp((logits[j] - mx) / temp);
	for (int j = 0; j < n; j++) {
		acc += weight[j] / sum;
		if (u < acc)
			return j;
	}
	return n - 1;
}

static int sample(const CliArgs *a)
{
	long length = a->length ? parse_long("--length", a->length, 0, 100000000) : 500;
	double temp = a->temperature ? parse_temperature(a->temperature) : 1.0;
	uint32_t seed = a->seed ? (uint32_t)parse_long("--seed", a->seed, 0, 2147483647L) : 0;
	const char *prime = a->prime ? a->prime : "\n";
	if (!*prime)
		diag_fatal("--prime must hold at least one character (the default is a newline)");

	Compilation c = {0};
	if (pipeline_compile(&c, a->model, NULL))
		diag_exit();
	const Kir *k = c.kir;
	const Graph *g = c.graph;
	const KBuf *in = cli_only_input(k), *ob = &k->bufs.items[k->output];
	const Input *tok = &g->inputs.items[in->index];
	int V = tok->vocab, ids = tok->ids;
	if (tok->kind != IN_TOKENS || !ob->type.timed || ob->type.dim[0] != V)
		diag_fatal("model '%s' is not a character-level model: sample needs a 'tokens' input and an output of "
			   "the same size at every step (see examples/alice_chars.snn)", k->model);
	if (!c.has_train || c.train.data.dataset != DATA_TEXT)
		diag_fatal("%s has no train block with data = text(\"file\"), which gives the vocabulary", a->model);
	char err[1024];
	TextFile text;
	if (text_read(c.train.data.path, c.train.data.split, &text, err, sizeof err))
		diag_fatal("%s", err);
	const TextVocab *vocab = &text.vocab;
	if (vocab->size > V)
		diag_fatal("%s: the training text has %d distinct characters, but the model's tokens input takes %d",
			   c.train.data.path, vocab->size, V);
	for (const char *p = prime; *p; p++)
		if (vocab->ids[(unsigned char)*p] < 0)
			diag_fatal("--prime: character %ld (byte 0x%02X) is not in the vocabulary of %s", (long)(p - prime) + 1,
				   (unsigned char)*p, c.train.data.path);
	float *params = cli_load_checkpoint(&c, a->checkpoint, a->strict);
	int llvm = cli_backend_is_llvm(a);
	CompiledModel m;
	BackendOptions eo = pipeline_backend_options(&c, a->model);
	cli_module_open(k, &eo, llvm, &m);
	FILE *out = stdout;
	if (a->out && !(out = fopen(a->out, "w")))
		diag_fatal("cannot write '%s': %s", a->out, strerror(errno));

	float *state = xcalloc((size_t)kir_workspace_floats(k, PROG_INFER, 1) + 1, sizeof(float));
	float *x = xcalloc((size_t)V, sizeof(float)), *logits = xcalloc((size_t)V, sizeof(float));
	double *weight = xcalloc((size_t)V, sizeof(double));
	m.stream_reset(state);
	const long nprime = (long)strlen(prime);
	int token = vocab->ids[(unsigned char)prime[0]];
	fputs(prime, out);
	for (long i = 1; i < nprime + length; i++) {
		x[ids ? 0 : token] = ids ? (float)token : 1;  /* its id for embed, else one-hot */
		m.stream_step(params, state, x, logits);
		x[ids ? 0 : token] = 0;
		if (i < nprime) {
			token = vocab->ids[(unsigned char)prime[i]];
			continue;
		}
		double u = spk_rng_uniform((uint64_t)SAMPLE_KEY << 32 | seed, 0, (uint64_t)i);
		token = draw(logits, vocab->size, temp, u, weight);
		fputc(vocab->chars[token], out);
	}
	if (out == stdout)
		fputc('\n', out);
	if (ferror(out) | (out != stdout && fclose(out)))
		diag_fatal("cannot write '%s': %s", a->out ? a->out : "stdout", strerror(errno));
	free(state), free(x), free(logits), free(weight), free(params);
	text_free(&text);
	cli_module_close(llvm, &m);
	pipeline_free(&c);
	return 0;
}

static const CliOpt sample_opts[] = {
	{"checkpoint", 0, "F", CLI_REQUIRED, CLI_FIELD(checkpoint), "the parameters (from spikec run)"},
	{"length", 0, "N", 0, CLI_FIELD(length), "characters to draw after the prime (default 500)"},
	{"temperature", 0, "X", 0, CLI_FIELD(temperature),
	 "draw from softmax(logits / X), X in (0, 100] (default 1: the model's own distribution)"},
	{"prime", 0, "TEXT", 0, CLI_FIELD(prime), "the text the model reads first (default a newline)"},
	{"seed", 0, "S", 0, CLI_FIELD(seed), "the seed of the draws, 0 to 2147483647 (default 0)"},
	{"output", 'o', "F", 0, CLI_FIELD(out), "write the text to F (default: stdout)"},
	{"out", 0, "F", 0, CLI_FIELD(out), NULL},
	CLI_OPT_BACKEND,
	CLI_OPT_STRICT,
	{0},
};
const CliCommand cli_cmd_sample = {
	"sample", "model.snn", 0, "generate text from a character-level model (examples/alice_chars.snn)",
	"The same checkpoint, seed, prime and temperature always give the same text.", sample_opts, sample,
};
