/* cli_report.c: spikec report: what a model costs in bytes and operations
 * (compiler/kir_report.h), and with a checkpoint and data, the SynOps its
 * spikes do (docs/report.md). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "compiler/kir_quant.h"
#include "compiler/kir_report.h"
#include "train/checkpoint.h"
#include "io/json_write.h"
#include "mem/mem.h"
#include "cli.h"
#include "cli_args.h"
#include "pipeline.h"

/* The size of the quantized parameters (spikec quantize), or why there are none. */
typedef struct {
	long bytes;          /* -1: the model cannot be quantized */
	char why[1024];
} Quantized;

/* What the spikes did on the data: the tally, per sample (input_ones and
 * counts divided by samples), and where it came from. */
typedef struct {
	const char *checkpoint;
	const char *source;  /* "the test split" or the --input file */
	SpikeTally t;
	const KSpike *spikes;
	int nspikes;
} Measured;

/* The model compiled again and quantized (compiler/kir_quant.h). */
static Quantized quantized(const char *model)
{
	Quantized q = {-1, ""};
	Compilation c = {0};
	if (!pipeline_compile(&c, model, NULL) && !kir_quantize(c.kir, q.why, sizeof q.why))
		q.bytes = 4 * c.kir->nparams;
	pipeline_free(&c);
	return q;
}

static long parse_samples(const char *s)
{
	char *end;
	errno = 0;
	long n = strtol(s, &end, 10);
	if (!*s || *end || errno || n < 1)
		diag_fatal("--samples must be a positive integer, got '%s'", s);
	return n;
}

/* Runs the model on --input in chunks of `chunk` rows (all rows at once for
 * a carried state, which lives per row), labels all zero: only the loss
 * reads them. */
static void tally_input(const CliTrainable *L, const float *params, const char *path, int chunk, SpikeTally *t)
{
	const Kir *k = L->c.kir;
	const TrainModel *m = &L->tm;
	int batch;
	float *x = cli_read_input(k, cli_only_input(k), path, &batch);
	if (m->carry_state || chunk > batch)
		chunk = batch;
	size_t T = (size_t)k->steps, I = (size_t)m->inputs;
	float *part = xcalloc(T * (size_t)chunk * I + 1, sizeof(float));
	void *labels = xcalloc(T * (size_t)chunk * (size_t)(m->outputs + 1), sizeof(float));
	float *ws = xcalloc(m->train_workspace_floats(chunk) + 1, sizeof(float));
	for (int at = 0; at < batch; at += chunk) {
		int n = batch - at < chunk ? batch - at : chunk;
		for (size_t s = 0; s < T; s++)
			memcpy(part + s * n * I, x + (s * batch + at) * I, sizeof(float) * n * I);
		train_tally_batch(m, params, part, labels, n, ws, t);
	}
	free(ws), free(labels), free(part), free(x);
}

/* Checks what measuring needs before anything is built; c is compiled. */
static void check_measure(const CliArgs *a, const Compilation *c, const KReport *r)
{
	if (a->data && a->input)
		diag_fatal("--data and --input both name the data to measure on; give one");
	if (a->samples && !a->data)
		diag_fatal("--samples counts samples of --data's test split; give --data too");
	if (!a->checkpoint)
		diag_fatal("--%s measures the spikes of trained parameters; give them with --checkpoint CK",
			   a->data ? "data" : "input");
	if (!c->kir->has_train)
		diag_fatal("model '%s' has no loss, so it has no training forward pass to count spikes in; SynOps "
			   "need one (add e.g. 'loss = cross_entropy(y)')", c->kir->model);
	if (a->data && !c->has_train)
		diag_fatal("%s has no 'train' block, so --data has no data set to read; give --input x.npy instead",
			   a->model);
	for (int i = 0; i < r->products.len; i++)
		if (r->products.items[i].spike == KPRODUCT_UNCOUNTED)
			diag_fatal("model '%s': the product %s @ %s^T reads spikes that the training forward pass does not "
				   "count, so its SynOps are unknown (give the spike value a name in its cell)",
				   c->kir->model, r->products.items[i].x, r->products.items[i].w);
}

/* Runs the model that c compiled (built again, with its backend) on the
 * data that a names; the spike values' names are c's. */
static void measure(const CliArgs *a, const Compilation *c, Measured *ms)
{
	CliTrainable L = {0};
	cli_load_trainable(&L, a, 0);
	float *params = cli_load_checkpoint(&L.c, a->checkpoint, a->strict);
	ms->nspikes = c->kir->spikes.len;
	ms->spikes = c->kir->spikes.items;
	ms->t.counts = xcalloc((size_t)ms->nspikes + 1, sizeof(double));
	if (a->data) {
		ms->source = "the test split";
		if (train_tally_test(&L.tm, &L.c.train, params, a->samples ? parse_samples(a->samples) : 0, &ms->t))
			mem_exit_failure();
	} else {
		ms->source = a->input;
		tally_input(&L, params, a->input, L.c.has_train ? L.c.train.batch : 100, &ms->t);
	}
	ms->t.input_ones /= (double)ms->t.samples;
	for (int i = 0; i < ms->nspikes; i++)
		ms->t.counts[i] /= (double)ms->t.samples;
	ms->checkpoint = a->checkpoint;
	free(params);
	cli_unload_trainable(&L);
}

static void bytes_str(char *buf, size_t n, double b)
{
	if (b >= 1 << 20)
		snprintf(buf, n, "%.1f MiB", b / (1 << 20));
	else if (b >= 1 << 10)
		snprintf(buf, n, "%.1f KiB", b / (1 << 10));
	else
		snprintf(buf, n, "%.0f B", b);
}

/* 1234567 as "1,234,567" (rounded). */
static const char *grouped(char *buf, size_t n, double v)
{
	char d[64];
	snprintf(d, sizeof d, "%.0f", v);
	size_t len = strlen(d), o = 0;
	for (size_t i = 0; i < len && o + 2 < n; i++) {
		if (i && d[i - 1] != '-' && (len - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = d[i];
	}
	buf[o] = 0;
	return buf;
}

static void line_bytes(const char *what, double bytes)
{
	char b[32], g[64];
	bytes_str(b, sizeof b, bytes);
	printf("  %-34s %12s  (%s bytes)\n", what, b, grouped(g, sizeof g, bytes));
}

static void print_text(const Compilation *c, const KReport *r, const Quantized *q, const Measured *ms)
{
	const Kir *k = c->kir;
	int B = c->has_train ? c->train.batch : 0;
	char g[64], what[64], act[64], syn[64];
	printf("model %s: %d steps, %s parameters\n", k->model, k->steps, grouped(g, sizeof g, (double)r->params));
	line_bytes("parameters as float32", 4.0 * r->params);
	if (q->bytes >= 0)
		line_bytes("parameters as int8", (double)q->bytes);
	else
		printf("  %-34s %12s  (cannot be quantized: %s)\n", "parameters as int8", "-", q->why);
	line_bytes("workspace, forward, batch 1", 4.0 * r->infer_floats);
	if (B) {
		snprintf(what, sizeof what, "workspace, forward, batch %d", B);
		line_bytes(what, 4.0 * r->infer_floats * B);
	}
	if (k->has_train) {
		line_bytes("workspace, training, batch 1", 4.0 * r->train_floats);
		if (B) {
			snprintf(what, sizeof what, "workspace, training, batch %d", B);
			line_bytes(what, 4.0 * r->train_floats * B);
		}
		line_bytes("BPTT tape per sample", 4.0 * r->tape_floats);
	}
	if (q->bytes >= 0)
		printf("int8: " CKPT_QUANTIZED ", float32 biases (docs/quantize.md)\n");
	printf("\nforward products, per sample%s:\n", ms ? "" : " (SynOps: give --checkpoint and --data or --input)");
	printf("  %-28s %-6s %5s %15s", "product", "kernel", "apps", "dense MACs");
	printf(ms ? " %15s %15s\n" : "\n", "active inputs", "SynOps");
	double synops = 0;
	for (int i = 0; i < r->products.len; i++) {
		const KProduct *p = &r->products.items[i];
		snprintf(what, sizeof what, "%s @ %s^T", p->x, p->w);
		printf("  %-28s %-6s %5d %15s", what, p->events ? "events" : "dense", p->apps,
		       grouped(g, sizeof g, (double)p->m * p->k * p->apps));
		if (ms) {
			double active, s = kir_report_synops(k, p, ms->t.input_ones, ms->t.counts, &active);
			synops += s;
			act[0] = 0;
			if (p->events)
				snprintf(act, sizeof act, "%.1f", active);
			printf(" %15s %15s", act, grouped(syn, sizeof syn, s));
		}
		printf("\n");
	}
	printf("  %-28s %-6s %5s %15s", "total", "", "", grouped(g, sizeof g, (double)r->macs));
	printf(ms ? " %15s %15s\n" : "\n", "", grouped(syn, sizeof syn, synops));
	if (ms)
		printf("SynOps per sample: %s, %.4f of the dense MACs (the spikes of %s on %ld samples of %s)\n",
		       grouped(syn, sizeof syn, synops), synops / (double)r->macs, ms->checkpoint, ms->t.samples, ms->source);
}

/* A count, or null when n < 0 (not defined for this model). */
static void json_count(const char *key, double n, int last)
{
	if (n < 0)
		printf("\"%s\": null%s", key, last ? "" : ", ");
	else
		printf("\"%s\": %.0f%s", key, n, last ? "" : ", ");
}

static void print_json(const Compilation *c, const KReport *r, const Quantized *q, const Measured *ms)
{
	const Kir *k = c->kir;
	int B = c->has_train ? c->train.batch : 0, tr = k->has_train;
	printf("{\"model\": ");
	json_print_string(stdout, k->model);
	printf(", \"steps\": %d, ", k->steps);
	json_count("train_batch", B ? B : -1, 0);
	json_count("parameters", (double)r->params, 0);
	json_count("param_bytes_f32", 4.0 * r->params, 0);
	json_count("param_bytes_int8", (double)q->bytes, 0);
	printf("\"int8_format\": ");
	json_print_string(stdout, q->bytes >= 0 ? CKPT_QUANTIZED ", float32 biases" : "none");
	printf(", \"int8_refused\": ");
	if (q->bytes >= 0)
		printf("null");
	else
		json_print_string(stdout, q->why);
	printf(", \"workspace_bytes\": {");
	json_count("forward_batch_1", 4.0 * r->infer_floats, 0);
	json_count("forward_train_batch", B ? 4.0 * r->infer_floats * B : -1, 0);
	json_count("training_batch_1", tr ? 4.0 * r->train_floats : -1, 0);
	json_count("training_train_batch", tr && B ? 4.0 * r->train_floats * B : -1, 1);
	printf("}, ");
	json_count("tape_bytes_per_sample", tr ? 4.0 * r->tape_floats : -1, 0);
	double dense = 0, synops = 0;
	for (int i = 0; i < r->products.len; i++)
		if (!r->products.items[i].events)
			dense += (double)r->products.items[i].m * r->products.items[i].k * r->products.items[i].apps;
	json_count("macs_per_sample", (double)r->macs, 0);
	json_count("dense_macs_done_per_sample", dense, 0);
	printf("\"products\": [");
	for (int i = 0; i < r->products.len; i++) {
		const KProduct *p = &r->products.items[i];
		printf("%s{\"product\": \"%s @ %s^T\", \"events\": %s, \"applications\": %d, ", i ? ", " : "", p->x, p->w,
		       p->events ? "true" : "false", p->apps);
		json_count("macs", (double)p->m * p->k * p->apps, 0);
		if (ms) {
			double active, s = kir_report_synops(k, p, ms->t.input_ones, ms->t.counts, &active);
			synops += s;
			if (p->events)
				printf("\"active_inputs\": %.10g, ", active);
			else
				printf("\"active_inputs\": null, ");
			printf("\"synops\": %.10g}", s);
		} else {
			printf("\"active_inputs\": null, \"synops\": null}");
		}
	}
	printf("], \"measured\": ");
	if (!ms) {
		printf("null}\n");
		return;
	}
	printf("{\"checkpoint\": ");
	json_print_string(stdout, ms->checkpoint);
	printf(", \"data\": ");
	json_print_string(stdout, ms->source);
	printf(", \"samples\": %ld, \"input_ones_per_sample\": %.10g, \"spikes_per_sample\": {", ms->t.samples,
	       ms->t.input_ones);
	for (int i = 0; i < ms->nspikes; i++)
		printf("%s\"%s\": %.10g", i ? ", " : "", ms->spikes[i].name, ms->t.counts[i]);
	printf("}, \"synops_per_sample\": %.10g, \"synops_per_mac\": %.10g}}\n", synops, synops / (double)r->macs);
}

static int report(const CliArgs *a)
{
	Compilation c = {0};
	if (pipeline_compile(&c, a->model, NULL))
		diag_exit();
	KReport r;
	kir_report(c.kir, &r);
	Measured ms = {0};
	int measuring = a->data || a->input;
	if (measuring) {
		check_measure(a, &c, &r);
		measure(a, &c, &ms);
	} else if (a->checkpoint || a->samples) {
		diag_fatal("--%s is for measuring SynOps: give --data (the test split) or --input x.npy too",
			   a->checkpoint ? "checkpoint" : "samples");
	}
	Quantized q = quantized(a->model);
	(a->json ? print_json : print_text)(&c, &r, &q, measuring ? &ms : NULL);
	free(ms.t.counts);
	kir_report_free(&r);
	pipeline_free(&c);
	return 0;
}

static const CliOpt report_opts[] = {
	{"checkpoint", 0, "CK", 0, CLI_FIELD(checkpoint), "the parameters whose spikes --data or --input measure"},
	{"data", 0, NULL, 0, CLI_FIELD(data),
	 "measure SynOps on the train block's test split, encoded as 'spikec eval' encodes it"},
	{"samples", 0, "N", 0, CLI_FIELD(samples), "with --data: only the first N samples of the test split"},
	{"input", 0, "x.npy", 0, CLI_FIELD(input),
	 "measure SynOps on these inputs instead: (T, B, I), or token ids (T, B) for a tokens input"},
	{"json", 0, NULL, 0, CLI_FIELD(json), "one JSON object instead of the table (docs/report.md names every field)"},
	CLI_OPT_BACKEND,
	CLI_OPT_STRICT,
	{0},
};
const CliCommand cli_cmd_report = {
	"report", "model.snn", 0,
	"parameter, workspace and BPTT tape bytes, dense MACs per sample and, measured, SynOps",
	"Bytes and MACs come from the kernel IR; SynOps, the accumulates the spike-event products do,\n"
	"from the spikes of a checkpoint on data, counted by the training forward pass on one thread\n"
	"(docs/report.md).",
	report_opts, report,
};
