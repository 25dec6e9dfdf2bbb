/* cli_raster.c: `spikec plot model.snn --checkpoint F --raster`: the spikes
 * of every spike value that a model-level layer names (for an slstm: the
 * gates i, f, g, o, the cell c and the output h) over the time steps of one
 * input sequence, one raster panel each (docs/plots.md).
 *
 * The compiled model returns only its output; gates are locals of a cell.
 * To observe them without a special compiler mode, each layer `L = cell(...)`
 * gets a probe model, derived from the syntax tree and printed back as
 * source (dsl_print_program): the model's statements up to L's, no loss,
 * `output L`, and L calling a copy of its cell whose `return` is the sum of
 * 2^k times its k-th spike value. The probe has the model's parameter names
 * (the checkpoint loads as it is) and the model's arithmetic up to that
 * return, so its output, decoded bit by bit, is exactly the spikes. When the
 * model has a loss, the spike counts are checked against those that the
 * model's own training forward pass counts on the same input. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "backends/c/load.h"
#include "train/data.h"
#include "runtime/rng.h"
#include "svg.h"
#include "train/checkpoint.h"
#include "cli.h"
#include "pipeline.h"

#define MAX_BITS 24  /* the probe's sum stays an exact float integer below 2^24 */

/* The spike values of one layer, all of one size. */
typedef struct {
	const char *layer;                 /* "h" */
	const Stmt *stmt;                  /* `h = slstm(x, 8)` */
	const Cell *cell;
	int size;                          /* units */
	int n;                             /* values, in the order the cell assigns them */
	const char *local[MAX_BITS];       /* "i" */
	unsigned char *bits[MAX_BITS];     /* (steps, size) after probe_run */
	int steps;
} Probe;

typedef struct {
	const char *name;
	int size, shown;
} SpikeName;
typedef Vec(SpikeName) SpikeNames;

static const Cell *find_cell(const Program *p, const char *name)
{
	for (int i = 0; i < p->cells.len; i++)
		if (!strcmp(p->cells.items[i]->name, name))
			return p->cells.items[i];
	return NULL;
}

/* Groups the graph's named spike values by layer statement and size. */
static int collect(const Compilation *c, Probe **out, SpikeNames *names)
{
	const Graph *g = c->graph;
	for (int i = 0; i < g->nodes.len; i++) {
		const Node *n = &g->nodes.items[i];
		if (!n->name || n->region == 0 || n->type.dtype != DT_SPIKE || (n->op != OP_SPIKE && n->op != OP_MUL))
			continue;
		int seen = 0;
		for (int j = 0; j < names->len; j++)
			seen |= !strcmp(names->items[j].name, n->name);
		if (!seen)
			vec_push(names, ((SpikeName){n->name, n->type.dim[0], 0}));
	}
	Vec(Probe) probes = {0};
	const Model *m = c->prog.model;
	for (int s = 0; s < m->nbody; s++) {
		const Stmt *st = m->body[s];
		const Cell *cell = st->kind == S_ASSIGN && st->nnames == 1 && st->value->kind == E_CALL
				   ? find_cell(&c->prog, st->value->name) : NULL;
		int first = probes.len;
		for (int b = 0; cell && b < cell->nbody; b++)
			for (int a = 0; cell->body[b]->kind == S_ASSIGN && a < cell->body[b]->nnames; a++) {
				char full[512];
				snprintf(full, sizeof full, "%s.%s", st->names[0], cell->body[b]->names[a]);
				SpikeName *sn = NULL;
				for (int j = 0; j < names->len; j++)
					if (!strcmp(names->items[j].name, full) && !names->items[j].shown)
						sn = &names->items[j];
				if (!sn)
					continue;
				int p = first;
				while (p < probes.len && (probes.items[p].size != sn->size || probes.items[p].n == MAX_BITS))
					p++;
				if (p == probes.len)
					vec_push(&probes, ((Probe){st->names[0], st, cell, sn->size, 0, {0}, {0}, 0}));
				probes.items[p].local[probes.items[p].n++] = cell->body[b]->names[a];
				sn->shown = 1;
			}
	}
	*out = probes.items;
	return probes.len;
}

static Expr *new_expr(Arena *a, ExprKind kind, SrcLoc loc)
{
	Expr *e = arena_alloc(a, sizeof *e);
	e->kind = kind;
	e->loc = loc;
	return e;
}

static Stmt *new_stmt(Arena *a, StmtKind kind, SrcLoc loc, Expr *value)
{
	Stmt *s = arena_alloc(a, sizeof *s);
	s->kind = kind;
	s->loc = loc;
	s->value = value;
	return s;
}

/* The probe model's source text (see the top of this file). */
static void probe_source(Compilation *c, const Probe *pr, StrBuf *out)
{
	Arena *A = &c->arena;
	Program p = {0};
	for (int i = 0; i < c->prog.cells.len; i++)
		if (!c->prog.cells.items[i]->builtin)
			vec_push(&p.cells, c->prog.cells.items[i]);
	Cell *pc = arena_alloc(A, sizeof *pc);
	*pc = *pr->cell;
	pc->builtin = 0;
	pc->name = arena_printf(A, "spikec_probe_%s", pr->cell->name);
	for (int k = 2; find_cell(&c->prog, pc->name); k++)
		pc->name = arena_printf(A, "spikec_probe_%s_%d", pr->cell->name, k);
	pc->body = arena_alloc(A, sizeof(Stmt *) * (size_t)pc->nbody);
	for (int i = 0; i < pc->nbody; i++) {
		const Stmt *s = pr->cell->body[i];
		pc->body[i] = (Stmt *)s;
		if (s->kind != S_RETURN)
			continue;
		Expr *sum = NULL;
		for (int k = 0; k < pr->n; k++) {
			Expr *term = new_expr(A, E_NAME, s->loc);
			term->name = pr->local[k];
			if (k) {
				Expr *w = new_expr(A, E_NUM, s->loc), *mul = new_expr(A, E_BIN, s->loc);
				w->num = (double)(1L << k);
				w->is_int = 1;
				mul->op = '*', mul->lhs = w, mul->rhs = term;
				term = mul;
			}
			if (sum) {
				Expr *add = new_expr(A, E_BIN, s->loc);
				add->op = '+', add->lhs = sum, add->rhs = term;
				term = add;
			}
			sum = term;
		}
		pc->body[i] = new_stmt(A, S_RETURN, s->loc, sum);
	}
	vec_push(&p.cells, pc);
	Model m = *c->prog.model;
	m.body = arena_alloc(A, sizeof(Stmt *) * (size_t)(m.nbody + 1));
	m.nbody = 0;
	for (int i = 0; i < c->prog.model->nbody; i++) {
		Stmt *s = c->prog.model->body[i];
		if (s->kind == S_OUTPUT || (s->kind == S_ASSIGN && !strcmp(s->names[0], "loss")))
			continue;
		if (s != pr->stmt) {
			m.body[m.nbody++] = s;
			continue;
		}
		Stmt *call = arena_alloc(A, sizeof *call);
		*call = *s;
		call->value = new_expr(A, E_CALL, s->value->loc);
		*call->value = *s->value;
		call->value->name = pc->name;
		m.body[m.nbody++] = call;
		Expr *name = new_expr(A, E_NAME, s->loc);
		name->name = pr->layer;
		m.body[m.nbody++] = new_stmt(A, S_OUTPUT, s->loc, name);
		break;
	}
	p.model = &m;
	sb_printf(out, "# Derived by 'spikec plot --raster' from %s: the spikes of layer '%s' as bits of its output.\n",
		  diag_source_name(c->file), pr->layer);
	dsl_print_program(&p, out);
	vec_free(&p.cells);
}

/* Compiles and runs the probe of pr on x (T, 1, I); fills pr->bits. */
static void probe_run(Compilation *c, Probe *pr, const char *checkpoint, const float *x)
{
	StrBuf src = {0};
	probe_source(c, pr, &src);
	const char *tmp = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char dir[4096], path[4200], err[1024];
	snprintf(dir, sizeof dir, "%s/spikec-plot-XXXXXX", tmp);
	if (!mkdtemp(dir))
		diag_fatal("cannot create a temporary directory in %s: %s (set TMPDIR)", tmp, strerror(errno));
	snprintf(path, sizeof path, "%s/%s_%s.snn", dir, c->kir->model, pr->layer);
	FILE *f = fopen(path, "w");
	if (!f || fwrite(src.buf, 1, src.len, f) != src.len || fclose(f))
		diag_fatal("cannot write '%s': %s (set TMPDIR)", path, strerror(errno));
	sb_free(&src);
	Compilation pc = {0};
	if (pipeline_compile(&pc, path, NULL))
		diag_fatal("internal error: the probe model of layer '%s' does not compile; it is kept in %s",
			   pr->layer, path);
	const Kir *k = pc.kir;
	const KBuf *ob = &k->bufs.items[k->output];
	if (ob->type.dim[0] != pr->size)
		diag_fatal("internal error: the probe of layer '%s' outputs %d values, not %d (kept in %s)", pr->layer,
			   ob->type.dim[0], pr->size, path);
	float *params = ckpt_load(k, checkpoint, NULL, err, sizeof err);
	if (!params)
		diag_fatal("%s", err);
	CompiledModel mod;
	BackendOptions eo = {0};
	eo.source = path;
	if (cload_build(k, &eo, &mod, err, sizeof err))
		diag_fatal("%s", err);
	pr->steps = ob->type.timed ? k->steps : 1;
	size_t cells = (size_t)pr->steps * (size_t)pr->size;
	float *y = xcalloc(cells, sizeof(float));
	float *ws = xcalloc(mod.workspace_floats(1) + 1, sizeof(float));
	mod.forward(params, x, 1, y, ws);
	for (int b = 0; b < pr->n; b++)
		pr->bits[b] = xcalloc(cells, 1);
	for (size_t i = 0; i < cells; i++) {
		long v = lrintf(y[i]);
		if ((float)v != y[i] || v < 0 || v >= 1L << pr->n)
			diag_fatal("internal error: the probe of layer '%s' output %g, not a sum of spikes (kept in %s)",
				   pr->layer, (double)y[i], path);
		for (int b = 0; b < pr->n; b++)
			pr->bits[b][i] = (unsigned char)((v >> b) & 1);
	}
	free(ws), free(y), free(params);
	cload_close(&mod);
	pipeline_free(&pc);
	unlink(path);
	rmdir(dir);
}

static long parse_count(const char *s, const char *what, long max)
{
	char *end;
	errno = 0;
	long v = s ? strtol(s, &end, 10) : 0;
	if (s && (!*s || *end || errno || v < 0 || v > max))
		diag_fatal("%s must be an integer from 0 to %ld, got '%s'", what, max, s);
	return v;
}

/* The input (T, 1, I) and, for the training forward pass, its labels or
 * targets (zeros when the input is random); describes it in `what`. */
static float *take_input(const Compilation *c, int inputs, const char *sample, const char *seed, void *lab,
			 char *what, size_t whatlen)
{
	const Kir *k = c->kir;
	int T = k->steps, I = inputs;
	long N = parse_count(sample, "--sample", 10000000);
	float *x = xcalloc((size_t)T * (size_t)I, sizeof(float));
	if (!c->has_train) {
		uint64_t s = (uint64_t)parse_count(seed, "--seed", 0x7fffffff);
		int spikes = c->graph->inputs.items[0].kind == IN_SPIKES;
		for (long e = 0; e < (long)T * I; e++) {
			float u = spk_rng_uniform(s, (uint64_t)N, (uint64_t)e);
			x[e] = spikes ? (float)(u < 0.5f) : u;
		}
		snprintf(what, whatlen, "random %s input (seed %llu, draw %ld)", spikes ? "Bernoulli(0.5)" : "uniform",
			 (unsigned long long)s, N);
		return x;
	}
	if (seed)
		diag_fatal("--seed is for models without a train block; the input of '%s' is a sample of its test "
			   "split: choose it with --sample N", k->model);
	const TrainConfig *tc = &c->train;
	DataSplit ds;
	char err[1024];
	if (data_load(&tc->data, &ds, err, sizeof err))
		diag_fatal("%s", err);
	const Dataset *d = &ds.test;
	int toy = d->one_sample;
	if (!toy && N >= d->count)
		diag_fatal("--sample %ld: the test split of %s has %d samples (0 to %d)", N,
			   train_dataset_names[tc->data.dataset], d->count, d->count - 1);
	if (toy && N >= tc->eval_batch)
		diag_fatal("--sample %ld: the test sample of %s is evaluated as a batch of %d encodings (0 to %d)", N,
			   train_dataset_names[tc->data.dataset],
			   tc->eval_batch, tc->eval_batch - 1);
	/* A one-sample data set is drawn as a batch of independent encodings
	 * (as evaluation does); sample N is row N of such a batch. */
	int n = toy ? (int)N + 1 : 1, r = toy ? (int)N : 0;
	const Input *lab_in = &c->graph->inputs.items[c->graph->inputs.len - 1];
	int per_step = lab_in->type.timed;
	int *idx = xcalloc((size_t)n, sizeof(int));
	idx[0] = toy ? 0 : (int)N;
	float *bx = xcalloc((size_t)T * n * I, sizeof(float)), *bt = xcalloc((size_t)T * n * I, sizeof(float));
	int32_t *bl = xcalloc((size_t)T * n, sizeof(int32_t));
	data_batch(d, &tc->data, idx, n, tc->seed, 0, bx, bl, bt, per_step);
	for (int t = 0; t < T; t++)
		for (int i = 0; i < I; i++) {
			x[t * I + i] = bx[((size_t)t * n + r) * I + i];
			if (!d->labels)
				((float *)lab)[t * I + i] = bt[((size_t)t * n + r) * I + i];
		}
	if (d->labels)
		for (int t = 0; t < (per_step ? T : 1); t++)
			((int32_t *)lab)[t] = bl[(size_t)t * n + r];
	snprintf(what, whatlen, "test sample %ld of %s", N, train_dataset_names[tc->data.dataset]);
	if (d->labels)
		snprintf(what + strlen(what), whatlen - strlen(what), " (class %d)", (int)bl[r]);
	free(bx), free(bt), free(bl), free(idx);
	data_free(&ds);
	return x;
}

/* Compares the rasters' spike counts with the training forward pass's
 * (not for a model with dropout, which only that pass applies). */
static void check_counts(const Compilation *c, const char *model, const float *params, const float *x,
			 const void *lab, Probe *pr, int np)
{
	const Kir *k = c->kir;
	if (k->dropout_key >= 0) {
		printf("not checked against the training forward pass: it applies dropout, the raster's does not\n");
		return;
	}
	CompiledModel m;
	char err[1024];
	BackendOptions eo = pipeline_backend_options(c, model);
	if (cload_build(k, &eo, &m, err, sizeof err))
		diag_fatal("%s", err);
	float *ws = xcalloc(m.train_workspace_floats(1) + 1, sizeof(float));
	float *counts = xcalloc((size_t)k->spikes.len + 1, sizeof(float));
	m.forward_train(params, x, lab, 1, NULL, ws);
	m.spike_counts(ws, 1, counts);
	int checked = 0, bad = 0;
	for (int s = 0; s < k->spikes.len; s++)
		for (int p = 0; p < np; p++)
			for (int b = 0; b < pr[p].n; b++) {
				char full[512];
				snprintf(full, sizeof full, "%s.%s", pr[p].layer, pr[p].local[b]);
				if (strcmp(full, k->spikes.items[s].name))
					continue;
				long sum = 0;
				for (long i = 0; i < (long)pr[p].steps * pr[p].size; i++)
					sum += pr[p].bits[b][i];
				checked++;
				if (sum != (long)counts[s]) {
					bad++;
					fprintf(stderr, "spikec: warning: the raster of %s has %ld spikes, the training "
						"forward pass counts %ld\n", full, sum, (long)counts[s]);
				}
			}
	if (!bad)
		printf("checked: the spike counts of all %d values equal those of the training forward pass\n", checked);
	free(counts), free(ws);
	cload_close(&m);
}

/* "input gate" ... for the values of the built-in slstm. */
static const char *role(const Probe *pr, const char *local)
{
	static const char *const names[][2] = {{"i", "input gate"}, {"f", "forget gate"}, {"g", "candidate"},
					       {"o", "output gate"}, {"c", "cell"}, {"h", "output"}};
	for (int i = 0; pr->cell->builtin && !strcmp(pr->cell->name, "slstm") && i < 6; i++)
		if (!strcmp(names[i][0], local))
			return names[i][1];
	return NULL;
}

static void add_raster(SvgFigure *fig, const char *name, const char *what, int color, const unsigned char *bits,
		       int steps, int units)
{
	long n = 0;
	for (long i = 0; i < (long)steps * units; i++)
		n += bits[i] != 0;
	char title[512];
	snprintf(title, sizeof title, "%s%s%s%s: %ld spike%s (%.1f%%)", name, what ? " (" : "", what ? what : "",
		 what ? ")" : "", n, n == 1 ? "" : "s", 100.0 * (double)n / ((double)steps * units));
	svg_raster(svg_panel(fig, title, "time step", "unit"), NULL, color, bits, steps, units);
}

int cli_plot_raster(const CliArgs *a)
{
	const char *model = a->model, *checkpoint = a->checkpoints.items[0], *out = a->out;
	Compilation c = {0};
	if (pipeline_compile(&c, model, NULL))
		diag_exit();
	const Kir *k = c.kir;
	const KBuf *in = NULL;
	for (int b = 0; b < k->bufs.len; b++)
		if (k->bufs.items[b].cls == KB_INPUT) {
			if (in)
				diag_fatal("model '%s' has several inputs; 'spikec plot --raster' takes models with one",
					   k->model);
			in = &k->bufs.items[b];
		}
	if (!in)
		diag_fatal("model '%s' does not read its input; there are no spikes to plot", k->model);
	float *params = cli_load_checkpoint(&c, checkpoint, a->strict);
	SpikeNames names = {0};
	Probe *pr;
	int np = collect(&c, &pr, &names);
	if (!np)
		diag_fatal("model '%s' has no spiking layer to plot: no layer 'NAME = cell(...)' whose cell assigns "
			   "spike(...) values (an lstm has none)", k->model);
	int I = in->type.dim[0], T = k->steps;
	void *lab = xcalloc((size_t)T * (size_t)(I + k->bufs.items[k->output].type.dim[0]) + 16, sizeof(float));
	char what[512];
	float *x = take_input(&c, I, a->sample, a->seed, lab, what, sizeof what);
	for (int p = 0; p < np; p++)
		probe_run(&c, &pr[p], checkpoint, x);

	const char *base = strrchr(checkpoint, '/');
	char title[1024];
	snprintf(title, sizeof title, "spikes of model %s (%s), %s", k->model, base ? base + 1 : checkpoint, what);
	SvgFigure *fig = svg_figure(title, 3);
	StrBuf shown = {0};
	int panels = 0;
	if (c.graph->inputs.items[0].kind == IN_SPIKES) {
		unsigned char *xb = xcalloc((size_t)T * I, 1);
		for (long i = 0; i < (long)T * I; i++)
			xb[i] = x[i] != 0;
		add_raster(fig, in->what, "input", 7, xb, T, I);
		sb_printf(&shown, "%s; ", in->what);
		free(xb);
		panels++;
	}
	for (int p = 0, layer = -1; p < np; p++) {
		if (p == 0 || strcmp(pr[p].layer, pr[p - 1].layer)) {
			layer++;
			svg_new_row(fig);
			sb_printf(&shown, "%s%s:", p ? "; " : "", pr[p].layer);
		}
		for (int b = 0; b < pr[p].n; b++) {
			char full[512];
			snprintf(full, sizeof full, "%s.%s", pr[p].layer, pr[p].local[b]);
			add_raster(fig, full, role(&pr[p], pr[p].local[b]), layer, pr[p].bits[b], pr[p].steps, pr[p].size);
			sb_printf(&shown, " %s", pr[p].local[b]);
			panels++;
		}
	}
	char err[1024];
	if (svg_write(fig, out, err, sizeof err))
		diag_fatal("%s", err);
	printf("wrote %s: %d panels (%s), %s\n", out, panels, shown.buf, what);
	const char *sep = "not shown (no model-level layer 'NAME = cell(...)' assigns them):";
	for (int j = 0; j < names.len; j++)
		if (!names.items[j].shown) {
			printf("%s %s", sep, names.items[j].name);
			sep = "";
		}
	if (!*sep)
		printf("\n");
	if (k->has_train)
		check_counts(&c, model, params, x, lab, pr, np);
	for (int p = 0; p < np; p++)
		for (int b = 0; b < pr[p].n; b++)
			free(pr[p].bits[b]);
	free(pr), free(x), free(lab), free(params);
	sb_free(&shown);
	vec_free(&names);
	svg_free(fig);
	pipeline_free(&c);
	return 0;
}
