/* cli_signal.c: `spikec plot model.snn --signal --checkpoint A [--checkpoint B ...]
 * --output fig.svg [--sample N] [--seed S]`: the paper's Figure 4 for the
 * toy task (docs/plots.md). The target signal f(x) and the model's
 * prediction on one fixed spike train, one panel per checkpoint, so a
 * training run's checkpoints after 0, 5, 20 and 100 iterations show the
 * prediction learning the signal.
 *
 * The spike train is evaluation's fixed draw (stream 0, docs/data.md):
 * row N (--sample, default 0) of the batch that `spikec eval` scores, with
 * the train block's seed or --seed S (the seed the run was trained with
 * when `spikec run --seed` overrode the block). Every checkpoint reads the
 * same spikes, so the panels differ only by the parameters. A checkpoint
 * without training progress (from `spikec init`) is iteration 0. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backends/c/load.h"
#include "train/data.h"
#include "io/safetensors.h"
#include "svg.h"
#include "train/checkpoint.h"
#include "cli.h"
#include "pipeline.h"

static long parse_num(const char *s, const char *what, long max)
{
	char *end;
	long v = s ? strtol(s, &end, 10) : 0;
	if (s && (!*s || *end || v < 0 || v > max))
		diag_fatal("%s must be an integer from 0 to %ld, got '%s'", what, max, s);
	return v;
}

/* The training iteration a checkpoint holds: its "epoch" metadata (one
 * iteration per epoch for toy_signal), 0 for one without (spikec init). */
static long iteration_of(const char *path)
{
	StFile f;
	char err[1024];
	if (st_read(path, &f, err, sizeof err))
		diag_fatal("%s", err);
	const char *e = st_meta(&f, "epoch");
	long it = e ? atol(e) : 0;
	st_free(&f);
	return it;
}

int cli_plot_signal(const CliArgs *a)
{
	const char *model = a->model, *out = a->out, *sample = a->sample, *seed = a->seed;
	const char *const *ckpts = a->checkpoints.items;
	int nckpt = a->checkpoints.len;
	Compilation c = {0};
	if (pipeline_compile(&c, model, NULL))
		diag_exit();
	const Kir *k = c.kir;
	if (!c.has_train || c.train.data.dataset != DATA_TOY_SIGNAL)
		diag_fatal("'spikec plot --signal' draws the toy task's signal and prediction; model '%s' does not "
			   "train on data = toy_signal(...)", k->model);
	const KBuf *ob = &k->bufs.items[k->output];
	if (!ob->type.timed || ob->type.dim[0] != 1)
		diag_fatal("internal error: toy_signal model '%s' has no per-step output of size 1", k->model);
	TrainConfig tc = c.train;
	if (seed)
		tc.seed = (uint32_t)parse_num(seed, "--seed", 2147483647L);
	long N = parse_num(sample, "--sample", 1000000);
	if (N >= tc.eval_batch)
		diag_fatal("--sample %ld: the toy signal is evaluated as a batch of %d encodings (0 to %d)", N,
			   tc.eval_batch, tc.eval_batch - 1);

	/* Row N of evaluation's batch: the same spikes `spikec eval` scores. */
	DataSplit ds;
	char err[1024];
	if (data_load(&tc.data, &ds, err, sizeof err))
		diag_fatal("%s", err);
	int T = k->steps, I = cli_only_input(k)->type.dim[0], n = (int)N + 1;
	int *idx = xcalloc((size_t)n, sizeof(int));
	float *bx = xcalloc((size_t)T * n * I, sizeof(float)), *bt = xcalloc((size_t)T * n * I, sizeof(float));
	data_batch(&ds.test, &tc.data, idx, n, tc.seed, 0, bx, NULL, bt, 1);
	float *x = xcalloc((size_t)T * I, sizeof(float));
	double *xs = xcalloc((size_t)T, sizeof(double)), *target = xcalloc((size_t)T, sizeof(double));
	double *spike_x = xcalloc((size_t)T, sizeof(double)), *spike_y = xcalloc((size_t)T, sizeof(double));
	int nspikes = 0;
	for (int t = 0; t < T; t++) {
		for (int i = 0; i < I; i++)
			x[t * I + i] = bx[((size_t)t * n + N) * I + i];
		xs[t] = T > 1 ? 4.5 * t / (T - 1) : 0;  /* docs/data.md: x_t = 4.5 t / (steps - 1) */
		target[t] = bt[((size_t)t * n + N) * I];
		if (x[t * I] != 0)
			spike_x[nspikes++] = xs[t];
	}

	CompiledModel mod;
	BackendOptions eo = pipeline_backend_options(&c, model);
	if (cload_build(k, &eo, &mod, err, sizeof err))
		diag_fatal("%s", err);
	float *ws = xcalloc(mod.workspace_floats(1) + 1, sizeof(float)), *y = xcalloc((size_t)T, sizeof(float));
	double **pred = xcalloc((size_t)nckpt, sizeof(double *));
	double *rmse = xcalloc((size_t)nckpt, sizeof(double)), *warm = xcalloc((size_t)nckpt, sizeof(double));
	long *iter = xcalloc((size_t)nckpt, sizeof(long));
	double lo = 0, hi = 1;
	for (int t = 0; t < T; t++)
		lo = fmin(lo, target[t]), hi = fmax(hi, target[t]);
	for (int j = 0; j < nckpt; j++) {
		float *params = cli_load_checkpoint(&c, ckpts[j], a->strict);
		iter[j] = iteration_of(ckpts[j]);
		mod.forward(params, x, 1, y, ws);
		pred[j] = xcalloc((size_t)T, sizeof(double));
		double se = 0, sw = 0;
		int nw = 0;
		for (int t = 0; t < T; t++) {
			double d = (pred[j][t] = y[t]) - target[t];
			if (!isfinite(pred[j][t]))
				diag_fatal("%s: the prediction at step %d is %g", ckpts[j], t, pred[j][t]);
			se += d * d;
			if (xs[t] >= 0.5)
				sw += d * d, nw++;
			lo = fmin(lo, pred[j][t]), hi = fmax(hi, pred[j][t]);
		}
		rmse[j] = sqrt(se / T);
		warm[j] = nw ? sqrt(sw / nw) : 0;
		free(params);
	}
	/* The input spikes as a rug under the curves; every panel shares one y
	 * range so the panels compare at a glance. */
	double rug = lo - 0.08 * (hi - lo);
	for (int s = 0; s < nspikes; s++)
		spike_y[s] = rug;
	lo = rug - 0.04 * (hi - lo);

	char title[1024];
	snprintf(title, sizeof title, "%s: target f(x) and prediction on one fixed spike train (evaluation draw, row "
		 "%ld, seed %u, %d input spikes)", k->model, N, (unsigned)tc.seed, nspikes);
	SvgFigure *fig = svg_figure(title, nckpt == 1 ? 1 : nckpt <= 4 ? 2 : 3);
	for (int j = 0; j < nckpt; j++) {
		char pt[256];
		snprintf(pt, sizeof pt, "after %ld iteration%s: RMSE %.3f (x >= 0.5: %.3f)", iter[j], iter[j] == 1 ? "" : "s",
			 rmse[j], warm[j]);
		SvgPanel *p = svg_panel(fig, pt, "x", "f(x)");
		svg_range(p, 'y', lo, hi);
		svg_line(p, "target f(x)", 7, SVG_DASHED, xs, target, T);
		svg_line(p, "prediction", 0, SVG_SOLID, xs, pred[j], T);
		svg_scatter(p, j == 0 ? "input spike" : NULL, 3, spike_x, spike_y, nspikes);
	}
	if (svg_write(fig, out, err, sizeof err))
		diag_fatal("%s", err);
	printf("wrote %s: %d panel%s, evaluation draw row %ld of seed %u\n", out, nckpt, nckpt > 1 ? "s" : "", N,
	       (unsigned)tc.seed);
	for (int j = 0; j < nckpt; j++) {
		printf("  %s: iteration %ld, rmse %.4f, rmse over x >= 0.5 %.4f\n", ckpts[j], iter[j], rmse[j], warm[j]);
		free(pred[j]);
	}
	svg_free(fig);
	cload_close(&mod);
	free(pred), free(rmse), free(warm), free(iter), free(ws), free(y);
	free(x), free(xs), free(target), free(spike_x), free(spike_y), free(bx), free(bt), free(idx);
	data_free(&ds);
	pipeline_free(&c);
	return 0;
}
