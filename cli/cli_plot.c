/* cli_plot.c: `spikec plot`, charts as standalone SVG files (docs/plots.md).
 *
 *   spikec plot --metrics RUN/metrics.jsonl [--metrics RUN2 ...] --output curves.svg
 *   spikec plot model.snn --checkpoint F --raster --output raster.svg [--sample N] [--seed S]
 *   spikec plot model.snn --signal --checkpoint A [--checkpoint B ...] --output fig.svg [--sample N] [--seed S]
 *
 * The first form draws training curves from the metrics files that
 * `spikec run` writes (docs/training.md): loss, accuracy or RMSE, and
 * firing rates per epoch, one panel each, every run overlaid and labelled
 * by its directory. The second draws a spike raster (cli_raster.c), the
 * third the toy task's target and predictions (cli_signal.c). */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "io/json.h"
#include "svg.h"
#include "cli.h"

/* The numeric fields of a metrics line that the curves use. */
enum { M_TRAIN_LOSS, M_TEST_LOSS, M_TEST_MSE, M_TRAIN_ACC, M_TEST_ACC, M_TEST_RMSE, M_RMSE_WARM, M_COUNT };
static const char *const field_names[M_COUNT] = {
	"train_loss", "test_loss", "test_mse", "train_accuracy", "test_accuracy", "test_rmse", "test_rmse_x_ge_0.5",
};

/* One metrics file: its epochs in increasing order, each field NaN where a
 * line lacks it. */
typedef struct {
	const char *path;
	char *label;
	int n, cap;
	double *epoch;
	double *v[M_COUNT];
	int nrates;
	char **rate_name;
	double **rate;       /* [nrates][n] */
} Run;

static void run_grow(Run *r)
{
	if (r->n < r->cap)
		return;
	r->cap = r->cap ? 2 * r->cap : 64;
	r->epoch = xrealloc(r->epoch, sizeof(double) * (size_t)r->cap);
	for (int f = 0; f < M_COUNT; f++)
		r->v[f] = xrealloc(r->v[f], sizeof(double) * (size_t)r->cap);
	for (int k = 0; k < r->nrates; k++)
		r->rate[k] = xrealloc(r->rate[k], sizeof(double) * (size_t)r->cap);
}

/* The rate series named `name`, made (NaN for earlier epochs) if new. */
static double *run_rate(Run *r, const char *name)
{
	for (int k = 0; k < r->nrates; k++)
		if (!strcmp(r->rate_name[k], name))
			return r->rate[k];
	r->rate_name = xrealloc(r->rate_name, sizeof(char *) * (size_t)(r->nrates + 1));
	r->rate = xrealloc(r->rate, sizeof(double *) * (size_t)(r->nrates + 1));
	r->rate_name[r->nrates] = xstrdup(name);
	double *a = xmalloc(sizeof(double) * (size_t)r->cap);
	for (int i = 0; i < r->cap; i++)
		a[i] = NAN;
	return r->rate[r->nrates++] = a;
}

static double number_or_die(const Run *r, int line, const json_t *v, const char *what)
{
	if (!json_is_number(v))
		diag_fatal("%s:%d: '%s' is %s, expected a number", r->path, line, what, json_a_type(v));
	return json_number_value(v);
}

/* Adds the epoch of one JSON line. */
static void run_line(Run *r, int line, const char *text, size_t len)
{
	json_t *o;
	json_error_t err;
	int rc = json_parse(text, len, &o, &err);
	if (rc == JSON_OUT_OF_MEMORY)
		mem_out_of_memory();
	if (rc)
		diag_fatal("%s:%d:%d: not a JSON object (%s); is this a metrics.jsonl that 'spikec run' wrote?", r->path,
			   line, err.column, err.text);
	if (!json_is_object(o))
		diag_fatal("%s:%d: %s, expected one JSON object per line", r->path, line, json_a_type(o));
	const json_t *e = json_object_get(o, "epoch");
	if (!e)
		diag_fatal("%s:%d: no \"epoch\"; is this a metrics.jsonl that 'spikec run' wrote?", r->path, line);
	run_grow(r);
	int i = r->n++;
	r->epoch[i] = number_or_die(r, line, e, "epoch");
	for (int f = 0; f < M_COUNT; f++) {
		const json_t *v = json_object_get(o, field_names[f]);
		r->v[f][i] = v ? number_or_die(r, line, v, field_names[f]) : NAN;
	}
	for (int k = 0; k < r->nrates; k++)
		r->rate[k][i] = NAN;
	const json_t *rates = json_object_get(o, "spike_rates"), *rate;
	const char *name;
	if (rates && !json_is_object(rates))
		diag_fatal("%s:%d: \"spike_rates\" is %s, expected an object", r->path, line, json_a_type(rates));
	json_object_foreach((json_t *)rates, name, rate)
		run_rate(r, name)[i] = number_or_die(r, line, rate, name);
	json_decref(o);
}

static const Run *sort_run;
static int by_epoch(const void *a, const void *b)
{
	int i = *(const int *)a, j = *(const int *)b;
	double x = sort_run->epoch[i], y = sort_run->epoch[j];
	return x < y ? -1 : x > y ? 1 : (i > j) - (i < j);
}

/* Puts the epochs in order; of lines with the same epoch (a run resumed
 * from an earlier checkpoint without truncating), the last one wins. */
static void run_sort(Run *r)
{
	int *idx = xmalloc(sizeof(int) * (size_t)(r->n + 1)), m = 0;
	for (int i = 0; i < r->n; i++)
		idx[i] = i;
	sort_run = r;
	qsort(idx, (size_t)r->n, sizeof *idx, by_epoch);
	for (int i = 0; i < r->n; i++)
		if (i + 1 == r->n || r->epoch[idx[i + 1]] != r->epoch[idx[i]])
			idx[m++] = idx[i];
	double *tmp = xmalloc(sizeof(double) * (size_t)(r->n + 1));
	double **all = xmalloc(sizeof(double *) * (size_t)(1 + M_COUNT + r->nrates));
	all[0] = r->epoch;
	for (int f = 0; f < M_COUNT; f++)
		all[1 + f] = r->v[f];
	for (int k = 0; k < r->nrates; k++)
		all[1 + M_COUNT + k] = r->rate[k];
	for (int a = 0; a < 1 + M_COUNT + r->nrates; a++) {
		for (int i = 0; i < m; i++)
			tmp[i] = all[a][idx[i]];
		memcpy(all[a], tmp, sizeof(double) * (size_t)m);
	}
	r->n = m;
	free(all);
	free(tmp);
	free(idx);
}

/* Reads path (a metrics.jsonl, or a run directory holding one). */
static void run_read(Run *r, const char *arg)
{
	StrBuf p = {0};
	struct stat st;
	if (stat(arg, &st) == 0 && S_ISDIR(st.st_mode))
		sb_printf(&p, "%s/metrics.jsonl", arg);
	r->path = p.buf ? p.buf : xstrdup(arg);
	FILE *f = fopen(r->path, "rb");
	if (!f)
		diag_fatal("cannot open '%s': %s (give the metrics.jsonl that 'spikec run --out DIR' writes, or DIR)",
			   r->path, strerror(errno));
	size_t len = 0, cap = 1 << 16, n;
	char *text = xmalloc(cap + 1);
	while ((n = fread(text + len, 1, cap - len, f)) > 0)
		if ((len += n) == cap)
			text = xrealloc(text, (cap *= 2) + 1);
	if (ferror(f))
		diag_fatal("cannot read '%s': %s", r->path, strerror(errno));
	fclose(f);
	text[len] = 0;
	if (memchr(text, 0, len))
		diag_fatal("%s: contains a NUL byte; not a metrics.jsonl", r->path);
	int line = 1;
	for (const char *s = text; *s; line++) {
		const char *e = strchr(s, '\n');
		size_t len = e ? (size_t)(e - s) : strlen(s);
		if (strspn(s, " \t\r") < len)
			run_line(r, line, s, len);
		s += len + (e != NULL);
	}
	free(text);
	if (r->n == 0)
		diag_fatal("%s: no epochs (the file is empty); it fills as 'spikec run' finishes each epoch", r->path);
	run_sort(r);
}

/* The run's name: its directory's name ("runs/tiny/metrics.jsonl": "tiny";
 * "metrics.jsonl": the current directory's), or the directory as given when
 * that name is not unique among the runs. */
static char *run_label(const char *path, int full)
{
	char *dir = xstrdup(path), cwd[4096];
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir)
		*slash = 0;
	else if (!slash)
		strcpy(dir, ".");
	const char *base = strrchr(dir, '/');
	base = base && base[1] ? base + 1 : dir;
	if (!strcmp(dir, ".") && getcwd(cwd, sizeof cwd) && strrchr(cwd, '/') && strrchr(cwd, '/')[1])
		base = strrchr(cwd, '/') + 1;
	char *out = xstrdup(full ? dir : base);
	free(dir);
	return out;
}

/* One line per run (and per field) in a panel of the curves. */
typedef struct {
	int field;           /* M_* */
	const char *split;   /* its legend text, "train" or "test" */
	int slot;            /* 0 (train): solid, 1 (test): dashed; a run's colour, or this one's */
	double scale;
} Curve;

static void add_curves(SvgPanel *p, Run *runs, int nruns, const Curve *cv, int ncv)
{
	for (int r = 0; r < nruns; r++)
		for (int c = 0; c < ncv; c++) {
			Run *R = &runs[r];
			int any = 0;
			for (int i = 0; i < R->n; i++)
				any |= !isnan(R->v[cv[c].field][i]);
			if (!any)
				continue;
			double *y = xmalloc(sizeof(double) * (size_t)R->n);
			for (int i = 0; i < R->n; i++)
				y[i] = R->v[cv[c].field][i] * cv[c].scale;
			char label[512];
			snprintf(label, sizeof label, "%s%s%s", nruns > 1 ? R->label : "", nruns > 1 ? ": " : "", cv[c].split);
			svg_line(p, label, nruns > 1 ? r : cv[c].slot, cv[c].slot ? SVG_DASHED : SVG_SOLID, R->epoch, y, R->n);
			free(y);
		}
}

static int has_field(const Run *runs, int nruns, int f)
{
	for (int r = 0; r < nruns; r++)
		for (int i = 0; i < runs[r].n; i++)
			if (!isnan(runs[r].v[f][i]))
				return 1;
	return 0;
}

/* Order of firing-rate names: by layer (first seen), then i f g o c h. */
static const char *const *rate_order;
static int rate_rank(const char *name)
{
	static const char *const gates[] = {"i", "f", "g", "o", "c", "h"};
	const char *dot = strrchr(name, '.');
	for (int k = 0; dot && k < 6; k++)
		if (!strcmp(dot + 1, gates[k]))
			return k;
	return 6;
}
static int layer_index(const char *name)
{
	const char *dot = strrchr(name, '.');
	size_t len = dot ? (size_t)(dot - name) : strlen(name);
	for (int i = 0;; i++)
		if (!strncmp(rate_order[i], name, len) && (rate_order[i][len] == '.' || !rate_order[i][len]))
			return i;
}
static int by_rate(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	int d = layer_index(x) - layer_index(y);
	return d ? d : rate_rank(x) != rate_rank(y) ? rate_rank(x) - rate_rank(y) : strcmp(x, y);
}

static void add_rates(SvgPanel *p, Run *runs, int nruns)
{
	Vec(const char *) names = {0};
	for (int r = 0; r < nruns; r++)
		for (int k = 0; k < runs[r].nrates; k++) {
			int seen = 0;
			for (int j = 0; j < names.len; j++)
				seen |= !strcmp(names.items[j], runs[r].rate_name[k]);
			if (!seen)
				vec_push(&names, runs[r].rate_name[k]);
		}
	const char **first = xmalloc(sizeof(char *) * (size_t)(names.len + 1));
	memcpy(first, names.items, sizeof(char *) * (size_t)names.len);
	rate_order = first;
	qsort(names.items, (size_t)names.len, sizeof(char *), by_rate);
	int with = 0;  /* runs with rates: their names go in the legend only if several */
	for (int r = 0; r < nruns; r++)
		with += runs[r].nrates > 0;
	for (int j = 0; j < names.len; j++)
		for (int r = 0; r < nruns; r++)
			for (int k = 0; k < runs[r].nrates; k++) {
				if (strcmp(runs[r].rate_name[k], names.items[j]))
					continue;
				char label[512];
				snprintf(label, sizeof label, "%s%s%s", with > 1 ? runs[r].label : "", with > 1 ? ": " : "",
					 names.items[j]);
				svg_line(p, label, j, (SvgDash)(r % 4), runs[r].epoch, runs[r].rate[k], runs[r].n);
			}
	free(first);
	vec_free(&names);
}

static int plot_metrics(const char **paths, int nruns, const char *out)
{
	Run *runs = xcalloc((size_t)nruns, sizeof *runs);
	for (int r = 0; r < nruns; r++)
		run_read(&runs[r], paths[r]);
	for (int r = 0; r < nruns; r++) {
		int full = 0;
		char *mine = run_label(runs[r].path, 0);
		for (int s = 0; s < nruns; s++) {
			char *other = run_label(runs[s].path, 0);
			full |= s != r && !strcmp(mine, other);
			free(other);
		}
		free(mine);
		runs[r].label = run_label(runs[r].path, full);
	}
	StrBuf title = {0};
	sb_puts(&title, "training curves: ");
	for (int r = 0; r < nruns; r++)
		sb_printf(&title, "%s%s", r ? ", " : "", runs[r].label);
	SvgFigure *fig = svg_figure(title.buf, 3);
	int panels = 0, rates = 0;
	for (int r = 0; r < nruns; r++)
		rates |= runs[r].nrates > 0;
	if (has_field(runs, nruns, M_TRAIN_LOSS) || has_field(runs, nruns, M_TEST_LOSS) ||
	    has_field(runs, nruns, M_TEST_MSE)) {
		int mse = has_field(runs, nruns, M_TEST_MSE), ce = has_field(runs, nruns, M_TEST_LOSS);
		SvgPanel *p = svg_panel(fig, "loss", "epoch", mse && !ce ? "mean squared error" : "loss");
		svg_integer_ticks(p, 'x');
		Curve cv[] = {{M_TRAIN_LOSS, "train", 0, 1}, {M_TEST_LOSS, "test", 1, 1}, {M_TEST_MSE, "test", 1, 1}};
		add_curves(p, runs, nruns, cv, 3);
		panels++;
	}
	if (has_field(runs, nruns, M_TRAIN_ACC) || has_field(runs, nruns, M_TEST_ACC)) {
		SvgPanel *p = svg_panel(fig, "accuracy", "epoch", "accuracy (%)");
		svg_integer_ticks(p, 'x');
		Curve cv[] = {{M_TRAIN_ACC, "train", 0, 100}, {M_TEST_ACC, "test", 1, 100}};
		add_curves(p, runs, nruns, cv, 2);
		panels++;
	}
	if (has_field(runs, nruns, M_TEST_RMSE) || has_field(runs, nruns, M_RMSE_WARM)) {
		SvgPanel *p = svg_panel(fig, "test RMSE", "epoch", "root mean squared error");
		svg_integer_ticks(p, 'x');
		Curve cv[] = {{M_TEST_RMSE, "test", 0, 1}, {M_RMSE_WARM, "test, x >= 0.5", 1, 1}};
		add_curves(p, runs, nruns, cv, 2);
		panels++;
	}
	if (rates) {
		SvgPanel *p = svg_panel(fig, "firing rates", "epoch", "spikes per unit and step");
		svg_integer_ticks(p, 'x');
		add_rates(p, runs, nruns);
		panels++;
	}
	if (!panels)
		diag_fatal("%s: no losses, accuracies, RMSEs or spike rates to plot", runs[0].path);
	char err[1024];
	if (svg_write(fig, out, err, sizeof err))
		diag_fatal("%s", err);
	printf("wrote %s: %d panel%s, %d run%s (", out, panels, panels > 1 ? "s" : "", nruns, nruns > 1 ? "s" : "");
	for (int r = 0; r < nruns; r++)
		printf("%s%s: %d epoch%s", r ? ", " : "", runs[r].label, runs[r].n, runs[r].n > 1 ? "s" : "");
	printf(")\n");
	svg_free(fig);
	sb_free(&title);
	for (int r = 0; r < nruns; r++) {
		for (int f = 0; f < M_COUNT; f++)
			free(runs[r].v[f]);
		for (int k = 0; k < runs[r].nrates; k++)
			free(runs[r].rate[k]), free(runs[r].rate_name[k]);
		free(runs[r].rate), free(runs[r].rate_name), free(runs[r].epoch), free(runs[r].label);
		free((char *)runs[r].path);
	}
	free(runs);
	return 0;
}

static int plot(const CliArgs *a)
{
	const char *model = a->model, *out = a->out;
	if (!model && !a->metrics.len)
		diag_fatal("nothing to plot: give --metrics RUN or a model file (see 'spikec plot --help')");
	if (model && a->metrics.len)
		diag_fatal("spikec plot draws either training curves (--metrics) or a spike raster (a model file), "
			   "not both");
	if (!out)
		diag_fatal("missing --output %s (see 'spikec plot --help')", model ? "raster.svg" : "curves.svg");
	if (a->metrics.len) {
		const char *extra = a->raster ? "--raster" : a->signal ? "--signal" : a->checkpoints.len ? "--checkpoint"
				  : a->sample ? "--sample" : a->seed ? "--seed" : a->strict ? "--strict" : NULL;
		if (extra)
			diag_fatal("%s applies to a spike raster of a model, not to training curves (see 'spikec plot --help')",
				   extra);
		return plot_metrics(a->metrics.items, a->metrics.len, out);
	}
	if (a->raster && a->signal)
		diag_fatal("spikec plot draws either a spike raster (--raster) or the toy signal (--signal), not both");
	if (!a->raster && !a->signal)
		diag_fatal("a plot of a model draws its spike raster: add --raster (spikec plot %s --checkpoint F "
			   "--raster --output raster.svg), or --signal for the toy task's predictions", model);
	if (a->signal) {
		if (!a->checkpoints.len)
			diag_fatal("the signal plot needs one or more checkpoints: --checkpoint A [--checkpoint B ...] "
				   "(from 'spikec run', or 'spikec init %s --seed S --output F' for iteration 0)", model);
		return cli_plot_signal(a);
	}
	if (a->checkpoints.len > 1)
		diag_fatal("a spike raster is drawn for one checkpoint; --checkpoint is given %d times", a->checkpoints.len);
	if (!a->checkpoints.len)
		diag_fatal("the raster needs the model's parameters: --checkpoint F (from 'spikec run', or "
			   "'spikec init %s --seed S --output F')", model);
	return cli_plot_raster(a);
}

static const CliOpt plot_opts[] = {
	{"metrics", 0, "RUN", CLI_REPEAT, CLI_FIELD(metrics),
	 "a run's metrics.jsonl (or its directory); several runs are overlaid"},
	{"raster", 0, NULL, 0, CLI_FIELD(raster), "the spike raster of each layer for one input"},
	{"signal", 0, NULL, 0, CLI_FIELD(signal), "the toy task's target and each checkpoint's prediction"},
	{"checkpoint", 0, "F", CLI_REPEAT, CLI_FIELD(checkpoints),
	 "the parameters: one for --raster, one or more for --signal"},
	CLI_OPT_STRICT,
	{"output", 'o', "F.svg", 0, CLI_FIELD(out), "the SVG file to write"},
	{"out", 0, "F.svg", 0, CLI_FIELD(out), NULL},
	{"sample", 0, "N", 0, CLI_FIELD(sample), "which test sample to draw (default 0)"},
	{"seed", 0, "S", 0, CLI_FIELD(seed), "the seed of its spike draws"},
	{0},
};
const CliCommand cli_cmd_plot = {
	"plot", "model.snn", 1, "training curves, spike rasters or the toy task's predictions as SVG",
	"  spikec plot --metrics RUN [--metrics RUN2 ...] --output curves.svg\n"
	"      loss, accuracy or RMSE and firing rates per epoch, runs overlaid\n"
	"  spikec plot model.snn --raster --checkpoint F --output raster.svg [--sample N] [--seed S]\n"
	"      spike raster of each layer's gates, cell and output for one input\n"
	"  spikec plot model.snn --signal --checkpoint A [--checkpoint B ...] --output fig.svg\n"
	"      toy task: target f(x) and each checkpoint's prediction on one fixed spike train (Figure 4)\n"
	"docs/plots.md describes the figures.",
	plot_opts, plot,
};
