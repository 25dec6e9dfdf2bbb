/* cli_export.c: spikec export --nir: a model and a checkpoint as a NIR graph
 * (io/nir.h; what maps and how, docs/nir.md).
 *
 * The model block is walked statement by statement, as dsl/lower.c walks
 * it, and each value becomes the NIR node that computes it at every step:
 * an input an Input, a dense layer an Affine, a lif or lif_learn layer an
 * Affine (weight_ih, bias) into a NIRGraph that holds the neuron and its
 * recurrent weights. last and mean have no NIR node; a dense after them
 * commutes with them, so the graph's Output gives the value at every step
 * and a note says which step (or the mean) spikec reads. Losses are for
 * training and are left out. Anything else (the LSTM cells, alif, cells of
 * the user's own, arithmetic) is reported at its place in the model file,
 * every one of them, and nothing is written. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "io/layout.h"
#include "io/nir.h"
#include "cli.h"
#include "cli_args.h"
#include "pipeline.h"

/* A value of the model: the top-graph NIR node whose output it is. */
typedef struct {
	const char *node;     /* NULL: not exportable (already reported) */
	int n;                /* values per step */
	const char *readout;  /* "last" or "mean" once the value passed one, else NULL */
	SrcLoc readout_loc;
} Val;

typedef struct {
	const char *name;
	Val v;
	int is_num;           /* a number (`k = 2`), not a value */
	double num;
} Bind;

/* A lif layer written as a LIF node, which resets to zero. */
typedef struct {
	SrcLoc loc;
	const char *layer;
} LifNode;

typedef struct {
	Compilation *c;
	const float *params;  /* the checkpoint, in the kernel IR's layout */
	NirWriter *w;
	Vec(Bind) scope;
	Vec(const char *) layers;  /* layer names given so far, as dsl/lower.c gives them */
	const char *target;   /* the statement's target: layers are named after it */
	double dt;
	int exact_reset;
	SrcLoc loss_loc;      /* of the loss, or NOLOC */
	Vec(LifNode) lif_nodes;  /* warned of once the file is written */
} Export;

static const Bind *lookup(const Export *X, const char *name)
{
	for (int i = X->scope.len - 1; i >= 0; i--)
		if (!strcmp(X->scope.items[i].name, name))
			return &X->scope.items[i];
	return NULL;
}

/* The value of a constant expression (numbers, names bound to numbers,
 * + - * /); 0 when e is not one. */
static int constant(const Export *X, const Expr *e, double *v)
{
	double a, b;
	switch (e->kind) {
	case E_NUM: *v = e->num; return 1;
	case E_NEG: return constant(X, e->lhs, &a) ? (*v = -a, 1) : 0;
	case E_NAME: {
		const Bind *bd = lookup(X, e->name);
		return bd && bd->is_num ? (*v = bd->num, 1) : 0;
	}
	case E_BIN:
		if (e->op == '@' || !constant(X, e->lhs, &a) || !constant(X, e->rhs, &b))
			return 0;
		*v = e->op == '+' ? a + b : e->op == '-' ? a - b : e->op == '*' ? a * b : a / b;
		return 1;
	default: return 0;
	}
}

/* The layer name dsl/lower.c's layer_name gives a cell called by the
 * current model statement: its target, then target.2, target.3, ... */
static const char *layer_name(Export *X, const Cell *cell)
{
	const char *base = X->target ? X->target : cell->name;
	const char *cand = base;
	for (int n = 2;; n++) {
		int used = 0;
		for (int i = 0; i < X->layers.len && !used; i++)
			used = !strcmp(X->layers.items[i], cand);
		if (!used)
			break;
		cand = arena_printf(&X->c->arena, "%s.%d", base, n);
	}
	vec_push(&X->layers, cand);
	return cand;
}

/* The argument of call that binds cell parameter `pname`, or its default. */
static const Expr *cell_arg(const Cell *cell, const Expr *call, const char *pname)
{
	int k = 0;
	while (k < cell->nparams && strcmp(cell->params[k].name, pname))
		k++;
	if (k == cell->nparams)
		SPK_BUG("cell '%s' has no parameter '%s'", cell->name, pname);
	for (int i = 0; i < call->nargs; i++)
		if (call->args[i].name ? !strcmp(call->args[i].name, pname) : i == k)
			return call->args[i].value;
	return cell->params[k].def;
}

static double number_arg(Export *X, const Cell *cell, const Expr *call, const char *pname, const char *layer,
			 int *ok)
{
	double v = 0;
	const Expr *e = cell_arg(cell, call, pname);
	if (!constant(X, e, &v)) {
		diag_error(e->loc, "argument '%s' of layer '%s' is not a number spikec export can evaluate", pname, layer);
		*ok = 0;
	}
	return v;
}

/* Parameter `layer.field` (PyTorch's layout, malloc'd) and its shape. */
static float *param(const Export *X, const char *layer, const char *field, int shape[2])
{
	char name[512];
	snprintf(name, sizeof name, "%s.%s", layer, field);
	const Kir *k = X->c->kir;
	for (int b = 0; b < k->bufs.len; b++) {
		const KBuf *kb = &k->bufs.items[b];
		if (kb->cls != KB_PARAM || strcmp(kb->what, name))
			continue;
		long n = kb->type.rank == 2 ? (long)kb->type.dim[0] * kb->type.dim[1] : kb->type.dim[0];
		float *t = xmalloc((size_t)n * sizeof(float));
		layout_to_torch(t, X->params + kb->offset, kb->type.rank, kb->type.dim);
		shape[0] = kb->type.dim[0];
		shape[1] = kb->type.rank == 2 ? kb->type.dim[1] : 1;
		return t;
	}
	SPK_BUG("export: no parameter '%s': the layer names are out of step with dsl/lower.c", name);
}

static Val dense(Export *X, const char *layer, Val x)
{
	int ws[2], bs[2];
	float *w = param(X, layer, "weight", ws), *b = param(X, layer, "bias", bs);
	nir_affine(X->w, NIR_TOP, layer, w, b, ws[0], ws[1]);
	nir_edge(X->w, NIR_TOP, x.node, layer);
	free(w);
	free(b);
	return (Val){layer, ws[0], x.readout, x.readout_loc};
}

/* The neuron and its recurrence inside graph g of a lif layer of H neurons
 * (docs/nir.md "The reset, and why there are two forms"). */
static void lif_subgraph(Export *X, const char *g, int H, const double *tau, const double *r, const double *thr,
			 float *w_hh, float threshold)
{
	double *zero = xcalloc((size_t)H, sizeof(double));
	nir_input(X->w, g, "input", H);
	nir_output(X->w, g, "output", H);
	if (X->exact_reset) {
		/* The reset, -threshold s_{t-1}, is a recurrent weight. */
		for (int i = 0; i < H; i++)
			w_hh[(size_t)i * H + i] -= threshold;
		nir_li(X->w, g, "li", H, tau, r, zero);
		nir_threshold(X->w, g, "threshold", H, thr);
		nir_linear(X->w, g, "weight_hh", w_hh, H, H);
		static const char *const edges[][2] = {{"input", "li"}, {"li", "threshold"}, {"threshold", "weight_hh"},
						       {"weight_hh", "li"}, {"threshold", "output"}};
		for (size_t e = 0; e < sizeof edges / sizeof *edges; e++)
			nir_edge(X->w, g, edges[e][0], edges[e][1]);
	} else {
		nir_lif(X->w, g, "lif", H, tau, r, zero, thr);
		nir_linear(X->w, g, "weight_hh", w_hh, H, H);
		static const char *const edges[][2] = {{"input", "lif"}, {"lif", "weight_hh"}, {"weight_hh", "lif"},
						       {"lif", "output"}};
		for (size_t e = 0; e < sizeof edges / sizeof *edges; e++)
			nir_edge(X->w, g, edges[e][0], edges[e][1]);
	}
	free(zero);
}

/* A lif or lif_learn layer: u_t = beta u_{t-1} + weight_ih x_t + weight_hh
 * s_{t-1} + bias - threshold s_{t-1}, s_t = [u_t > threshold], as an Affine
 * `layer.ih` into a NIRGraph `layer`. beta is the number `beta` (lif) or, per
 * neuron, sigmoid(beta_raw + beta_logit) (lif_learn: raw not NULL), as
 * spikec's float32 sees them; tau = dt / (1 - beta), r = tau / dt. */
static Val lif(Export *X, const Expr *call, const char *layer, Val x, double beta_num, const float *raw,
	       float logit, double threshold)
{
	int is[2], hs[2], bs[2];
	float *w_ih = param(X, layer, "weight_ih", is), *w_hh = param(X, layer, "weight_hh", hs);
	float *bias = param(X, layer, "bias", bs);
	int H = hs[0];
	double *tau = xcalloc((size_t)H, sizeof(double)), *r = xcalloc((size_t)H, sizeof(double));
	double *thr = xcalloc((size_t)H, sizeof(double));
	Val out = {layer, H, NULL, NOLOC};
	for (int i = 0; i < H && out.node; i++) {
		double beta = raw ? 1 / (1 + exp(-(double)(raw[i] + logit))) : (float)beta_num;
		if (!(beta >= 0 && beta < 1)) {
			diag_error(call->loc, "layer '%s': beta = %.9g (neuron %d) has no NIR time constant: tau = dt / (1 - beta) "
				   "needs 0 <= beta < 1", layer, beta, i);
			out.node = NULL;
		}
		tau[i] = X->dt / (1 - beta);
		r[i] = tau[i] / X->dt;
		thr[i] = (float)threshold;
	}
	if (out.node) {
		const char *ih = arena_printf(&X->c->arena, "%s.ih", layer);
		nir_affine(X->w, NIR_TOP, ih, w_ih, bias, is[0], is[1]);
		nir_edge(X->w, NIR_TOP, x.node, ih);
		nir_edge(X->w, NIR_TOP, ih, layer);
		lif_subgraph(X, nir_graph(X->w, NIR_TOP, layer), H, tau, r, thr, w_hh, (float)threshold);
		if (!X->exact_reset)
			vec_push(&X->lif_nodes, ((LifNode){call->loc, layer}));
	}
	free(w_ih);
	free(w_hh);
	free(bias);
	free(tau);
	free(r);
	free(thr);
	return out;
}

static const char *no_primitive(const char *cell)
{
	static const char *const why[][2] = {
		{"slstm", "the binary-gate LSTM has no NIR primitive"},
		{"lstm", "the LSTM has no NIR primitive"},
		{"snntorch_slstm", "snnTorch's SLSTM (an LSTM under a threshold) has no NIR primitive"},
		{"alif", "the adaptive-threshold LIF has no NIR primitive (NIR's neurons have fixed thresholds)"},
	};
	for (size_t i = 0; i < sizeof why / sizeof *why; i++)
		if (!strcmp(why[i][0], cell))
			return why[i][1];
	return NULL;
}

static Val expr(Export *X, const Expr *e);

static Val cell_call(Export *X, const Cell *cell, const Expr *e)
{
	const char *layer = layer_name(X, cell);
	const char *why = no_primitive(cell->name);
	int mapped = cell->builtin && (!strcmp(cell->name, "dense") || !strcmp(cell->name, "lif") ||
				       !strcmp(cell->name, "lif_learn"));
	if (!mapped) {
		if (why)
			diag_error(e->loc, "layer '%s' is %s: %s, so the model cannot be exported to NIR", layer, cell->name,
				   why);
		else
			diag_error(e->loc, "layer '%s' is %s cell '%s', which has no NIR mapping (spikec export maps lif, "
				   "lif_learn and dense layers; docs/nir.md)", layer, cell->builtin ? "the" : "your own",
				   cell->name);
		return (Val){0};
	}
	Val x = expr(X, cell_arg(cell, e, "x"));
	if (!x.node)
		return x;
	if (!strcmp(cell->name, "dense"))
		return dense(X, layer, x);
	int ok = 1, learn = !strcmp(cell->name, "lif_learn"), rs[2];
	double threshold = number_arg(X, cell, e, "threshold", layer, &ok);
	double beta = learn ? 0 : number_arg(X, cell, e, "beta", layer, &ok);
	float logit = learn ? (float)number_arg(X, cell, e, "beta_logit", layer, &ok) : 0;
	float *raw = learn ? param(X, layer, "beta_raw", rs) : NULL;
	Val v = ok ? lif(X, e, layer, x, beta, raw, logit, threshold) : (Val){0};
	free(raw);
	return v;
}

static Val expr(Export *X, const Expr *e)
{
	if (e->kind == E_NAME) {
		const Bind *b = lookup(X, e->name);
		if (!b || b->is_num)
			SPK_BUG("export: '%s' is not a value of the model", e->name);
		return b->v;
	}
	if (e->kind == E_CALL && (!strcmp(e->name, "last") || !strcmp(e->name, "mean"))) {
		Val v = expr(X, e->args[0].value);
		v.readout = !strcmp(e->name, "last") ? "last" : "mean";
		v.readout_loc = e->loc;
		return v;
	}
	if (e->kind == E_CALL)
		for (int i = 0; i < X->c->prog.cells.len; i++)
			if (!strcmp(X->c->prog.cells.items[i]->name, e->name))
				return cell_call(X, X->c->prog.cells.items[i], e);
	if (e->kind == E_BIN)
		diag_error(e->loc, "the operator '%c' has no NIR mapping in spikec export (it maps inputs, lif, lif_learn "
			   "and dense layers, and last or mean before a dense; docs/nir.md)", e->op);
	else
		diag_error(e->loc, "%s%s%s has no NIR mapping in spikec export (it maps inputs, lif, lif_learn and "
			   "dense layers, and last or mean before a dense; docs/nir.md)", e->kind == E_CALL ? "'" : "",
			   e->kind == E_CALL ? e->name : "this expression", e->kind == E_CALL ? "'" : "");
	return (Val){0};
}

static void input(Export *X, const Stmt *s)
{
	const Graph *g = X->c->graph;
	for (int i = 0; i < g->inputs.len; i++)
		if (!strcmp(g->inputs.items[i].name, s->names[0])) {
			nir_input(X->w, NIR_TOP, s->names[0], g->inputs.items[i].type.dim[0]);
			Val v = {s->names[0], g->inputs.items[i].type.dim[0], NULL, NOLOC};
			vec_push(&X->scope, ((Bind){s->names[0], v, 0, 0}));
			return;
		}
	SPK_BUG("export: input '%s' is not in the graph", s->names[0]);
}

/* The model's statements, in order; returns the output's value. */
static Val model(Export *X)
{
	const Model *m = X->c->prog.model;
	Val out = {0}, pred = {0};
	int has_output = 0;
	for (int i = 0; i < m->nbody; i++) {
		const Stmt *s = m->body[i];
		double num;
		if (s->kind == S_INPUT) {
			input(X, s);
		} else if (s->kind == S_OUTPUT) {
			X->target = "output";
			out = expr(X, s->value);
			has_output = 1;
		} else if (s->kind == S_ASSIGN && s->nnames > 1) {
			diag_error(s->loc, "'split' has no NIR mapping in spikec export (docs/nir.md)");
		} else if (s->kind == S_ASSIGN && !strcmp(s->names[0], "loss")) {
			X->target = "loss";
			pred = expr(X, s->value->args[0].value);
			X->loss_loc = s->loc;
		} else if (s->kind == S_ASSIGN && constant(X, s->value, &num)) {
			vec_push(&X->scope, ((Bind){s->names[0], {0}, 1, num}));
		} else if (s->kind == S_ASSIGN) {
			X->target = s->names[0];
			Val v = expr(X, s->value);
			vec_push(&X->scope, ((Bind){s->names[0], v, 0, 0}));
		}
	}
	return has_output ? out : pred;
}

static double parse_dt(const char *s)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (!*s || *end || errno || !(v > 0) || !isfinite(v))
		diag_fatal("--dt must be a positive number of seconds, got '%s'", s);
	return v;
}

static int export(const CliArgs *a)
{
	Compilation c = {0};
	if (pipeline_compile(&c, a->model, NULL))
		diag_exit();
	Export X = {&c, NULL, NULL, {0}, {0}, NULL, a->dt ? parse_dt(a->dt) : 1e-4, a->exact_reset, NOLOC, {0}};
	char err[1024];
	float *params = cli_load_checkpoint(&c, a->checkpoint, a->strict);
	X.params = params;
	if (!(X.w = nir_open(err, sizeof err)))
		diag_fatal("%s", err);
	Val out = model(&X);
	if (diag_error_count())
		diag_fatal("NIR cannot express the model as written (above); %s was not written", a->out);
	int taken = 0;
	for (int i = 0; i < X.layers.len; i++)
		taken |= !strcmp(X.layers.items[i], "output");
	const char *out_node = taken ? "output.1" : "output";
	nir_output(X.w, NIR_TOP, out_node, out.n);
	nir_edge(X.w, NIR_TOP, out.node, out_node);
	if (nir_save(X.w, a->out, err, sizeof err))
		diag_fatal("%s", err);
	/* What the file does not say, once it is written (a failure before
	 * this is its one message). */
	for (int i = 0; i < X.lif_nodes.len; i++)
		diag_warning(X.lif_nodes.items[i].loc, "layer '%s': NIR's LIF resets the membrane to v_reset = 0 after "
			     "a spike, spikec's lif subtracts the threshold; the two agree in continuous time, but a "
			     "simulator that steps the NIR graph and resets to zero computes another function than "
			     "spikec's (--exact-reset writes the subtraction exactly; docs/nir.md)",
			     X.lif_nodes.items[i].layer);
	if (X.loss_loc.line)
		diag_note(X.loss_loc, "the loss is for training; NIR has no losses, so it is not exported");
	if (out.readout)
		diag_note(out.readout_loc, "NIR has no '%s': the graph's Output gives the value at every step, and "
			  "spikec's output is %s (a dense after '%s' commutes with it)", out.readout,
			  !strcmp(out.readout, "last") ? "its value at the last step" : "its mean over the steps",
			  out.readout);
	int nodes, edges;
	nir_counts(X.w, &nodes, &edges);
	printf("wrote %s: model %s as a NIR graph of %d nodes and %d edges, weights from %s, dt = %g s\n", a->out,
	       c.kir->model, nodes, edges, a->checkpoint, X.dt);
	nir_close(X.w);
	vec_free(&X.scope);
	vec_free(&X.layers);
	vec_free(&X.lif_nodes);
	free(params);
	pipeline_free(&c);
	return 0;
}

static const CliOpt export_opts[] = {
	{"nir", 0, NULL, CLI_REQUIRED, CLI_FIELD(nir), "the format: NIR, the HDF5 graph that nir.read, snnTorch, "
	 "Norse, Lava and SpiNNaker read (docs/nir.md); the one format so far"},
	{"checkpoint", 0, "CK", CLI_REQUIRED, CLI_FIELD(checkpoint), "the weights to export"},
	{"output", 'o', "F", CLI_REQUIRED, CLI_FIELD(out), "the NIR file to write (model.nir)"},
	{"out", 0, "F", 0, CLI_FIELD(out), NULL},
	{"dt", 0, "S", 0, CLI_FIELD(dt), "the seconds one step of spikec stands for: tau = dt / (1 - beta), "
	 "r = tau / dt (default 1e-4, as snnTorch exports)"},
	{"exact-reset", 0, NULL, 0, CLI_FIELD(exact_reset), "write each lif layer as LI + Threshold with the reset by "
	 "subtraction folded into the recurrent weights (weight_hh - threshold I): stepped, the graph computes "
	 "what spikec computes, but readers that look for a LIF node do not find one"},
	CLI_OPT_STRICT,
	{0},
};
const CliCommand cli_cmd_export = {
	"export", "model.snn", 0, "write a model and its checkpoint as a NIR graph (HDF5) for other SNN tools",
	"Maps inputs, dense (Affine), lif and lif_learn (Affine into a LIF with recurrent Linear weights);\n"
	"last and mean before a dense commute with it; losses are left out. The LSTM cells and alif have\n"
	"no NIR primitive: a model with one is refused, naming the layer (docs/nir.md).",
	export_opts, export,
};
