/* parity.c: the LLVM backend against the C backend, in one process, bit for
 * bit. Linked with build/libspikec_llvm.a (llvm_build) and build/libspikec.a
 * (the pipeline, cload_build); tests/llvm/run_llvm.sh builds and runs it.
 *
 *   parity [OPTIONS] MODEL.snn
 *       builds MODEL with both backends and checks, printing one PASS or
 *       FAIL line each:
 *         tables     <model>_tensors, _spikes and the workspace sizes agree
 *         init       _init(seed 3) gives the same bits
 *         forward    _forward on random inputs (batch 5) gives the same bits,
 *                    before and after training
 *         stream     _stream_step, step by step over one sample, the same bits
 *         train      10 steps of forward_train, zero_grad, backward, step:
 *                    the same losses, outputs, gradients, optimizer state,
 *                    final parameters and spike counts (a model with
 *                    dropout: a new dropout key every step, rows from 2)
 *         inputs     (a model with a loss, compiled with input gradients)
 *                    backward_inputs gives the same gradients and d loss / d x
 *       OPTIONS set what the models themselves do not: the optimizer of
 *       _step (default: the train block's, else adam), and the test modes
 *         --sgd MOMENTUM  --clip C  --wd W  --smooth  --portable  --no-inputs
 *       Exit 0 if every check passed, 1 otherwise, 2 on a usage error or a
 *       model that does not compile.
 *
 *   parity npy OUT.npy T B I SEED
 *       writes a (T, B, I) float32 array of 0/1 spikes (density ~1/3)
 *
 *   parity gen DIR COUNT SEED
 *       writes COUNT generated models DIR/gen_NNN.snn over cells (slstm,
 *       lstm, stacked, user cells), sizes, surrogates, readouts (last, mean,
 *       per step; every fourth with dropout before its readout), losses
 *       (cross_entropy, mse, none) and truncated-BPTT
 *       windows, and DIR/models.txt: one line "FILE OPTIONS" per model. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backends/c/load.h"
#include "backends/llvm/llvm.h"
#include "cli/pipeline.h"
#include "io/npy.h"

enum { BATCH = 5, SEED = 3, TRAIN_STEPS = 10 };

static int nfail;
static const char *model_path;

static void verdict(int ok, const char *what, const char *detail)
{
	nfail += !ok;
	printf("%s %s: %s%s%s\n", ok ? "PASS" : "FAIL", model_path, what, detail[0] ? ": " : "", detail);
}

static uint32_t lcg;

static float uniform(void)
{
	lcg = lcg * 1664525u + 1013904223u;
	return (float)(lcg >> 8) / 16777216.0f;
}

/* "" if a and b hold the same bits, else where they first differ. */
static const char *differ(const float *a, const float *b, size_t n, char *buf, size_t len)
{
	buf[0] = 0;
	if (memcmp(a, b, n * sizeof(float)) == 0)
		return buf;
	size_t i = 0;
	while (memcmp(&a[i], &b[i], sizeof(float)) == 0)
		i++;
	snprintf(buf, len, "element %zu of %zu: llvm %.9g, c %.9g", i, n, (double)a[i], (double)b[i]);
	return buf;
}

static int same(const float *a, const float *b, size_t n, const char *what)
{
	char buf[200];
	const char *d = differ(a, b, n, buf, sizeof buf);
	if (d[0])
		verdict(0, what, d);
	return !d[0];
}

/* What the command line changes in the optimizer; negative: unchanged. */
typedef struct {
	double sgd_momentum, clip, weight_decay;
} Overrides;

typedef struct {
	Compilation c;
	TrainConfig tc;  /* _step's optimizer: the train block's (else the defaults), overridden */
	CompiledModel mod[2];  /* 0: LLVM, 1: C */
	int built[2];
} Pair;

static int build(Pair *p, const char *path, int input_grads, const BackendOptions *eo, const Overrides *ov)
{
	PipelineOptions po = {0};
	po.input_grads = input_grads;
	po.smooth_spikes = eo->smooth_spikes;
	if (pipeline_compile(&p->c, path, &po))
		return -1;
	if (p->c.has_train)
		p->tc = p->c.train;
	else
		train_defaults(&p->tc);
	if (ov->sgd_momentum >= 0) {
		p->tc.optim.kind = OPTIM_SGD;
		p->tc.optim.lr = 0.05;
		p->tc.optim.momentum = ov->sgd_momentum;
	}
	if (ov->weight_decay >= 0)
		p->tc.optim.weight_decay = ov->weight_decay;
	if (ov->clip >= 0)
		p->tc.clip = ov->clip;
	BackendOptions o = *eo;
	o.source = path;
	o.optim = &p->tc.optim;
	o.clip = p->tc.clip;
	char err[1024];
	for (int i = 0; i < 2; i++) {
		if ((i == 0 ? llvm_build : cload_build)(p->c.kir, &o, &p->mod[i], err, sizeof err)) {
			fprintf(stderr, "parity: %s: %s backend: %s\n", path, i == 0 ? "llvm" : "c", err);
			return -1;
		}
		p->built[i] = 1;
	}
	return 0;
}

static void unbuild(Pair *p)
{
	if (p->built[0])
		llvm_close(&p->mod[0]);
	if (p->built[1])
		cload_close(&p->mod[1]);
	pipeline_free(&p->c);
}

typedef struct { const char *name; int rank; int shape[2]; long offset; } Tensor;
typedef struct { const char *name; int size; } Spike;

static void check_tables(Pair *p)
{
	const Tensor *t0 = p->mod[0].tensors, *t1 = p->mod[1].tensors;
	int ok = 1, i = 0;
	for (; ok && (t0[i].name || t1[i].name); i++)
		ok = t0[i].name && t1[i].name && !strcmp(t0[i].name, t1[i].name) && t0[i].rank == t1[i].rank &&
		     t0[i].shape[0] == t1[i].shape[0] && t0[i].shape[1] == t1[i].shape[1] && t0[i].offset == t1[i].offset;
	if (ok && p->c.kir->has_train) {
		const Spike *s0 = p->mod[0].spikes, *s1 = p->mod[1].spikes;
		for (int j = 0; ok && (s0[j].name || s1[j].name); j++)
			ok = s0[j].name && s1[j].name && !strcmp(s0[j].name, s1[j].name) && s0[j].size == s1[j].size;
		ok = ok && p->mod[0].train_workspace_floats(7) == p->mod[1].train_workspace_floats(7);
	}
	ok = ok && p->mod[0].workspace_floats(7) == p->mod[1].workspace_floats(7);
	verdict(ok, "tables", ok ? "" : "tensors, spikes or workspace sizes differ");
}

static int ninputs_of(const Kir *k)
{
	int n = 0;
	for (int b = 0; b < k->bufs.len; b++)
		n += k->bufs.items[b].cls == KB_INPUT;
	return n;
}

static const KBuf *input_buf(const Kir *k)
{
	for (int b = 0; b < k->bufs.len; b++)
		if (k->bufs.items[b].cls == KB_INPUT)
			return &k->bufs.items[b];
	return NULL;
}

/* Random inputs (T, B, I): 0/1 spikes with p = rate, or analog in [-1, 1).
 * Rates on both sides of the event kernels' density limits (runtime/events.h)
 * take both the event and the dense paths. */
static float *make_inputs(const Kir *k, size_t *n, float rate)
{
	const KBuf *in = input_buf(k);
	*n = (size_t)k->steps * BATCH * (size_t)in->type.dim[0];
	float *x = xcalloc(*n + 1, sizeof(float));
	for (size_t i = 0; i < *n; i++)
		x[i] = in->type.dtype == DT_SPIKE ? (float)(uniform() < rate) : 2 * uniform() - 1;
	return x;
}

static size_t out_floats(const Kir *k, int batch)
{
	const KBuf *o = &k->bufs.items[k->output];
	return (size_t)batch * (size_t)o->type.dim[0] * (o->type.timed ? (size_t)k->steps : 1);
}

static void check_forward(Pair *p, const float *params, const float *x, const char *what)
{
	const Kir *k = p->c.kir;
	size_t n = out_floats(k, BATCH);
	float *out[2];
	for (int i = 0; i < 2; i++) {
		float *ws = xcalloc(p->mod[i].workspace_floats(BATCH) + 1, sizeof(float));
		out[i] = xcalloc(n + 1, sizeof(float));
		p->mod[i].forward(params, x, BATCH, out[i], ws);
		free(ws);
	}
	if (same(out[0], out[1], n, what))
		verdict(1, what, "");
	free(out[0]);
	free(out[1]);
}

/* Sample 0 of x, one step per call; every step's output compared. */
static void check_stream(Pair *p, const float *params, const float *x)
{
	const Kir *k = p->c.kir;
	int I = input_buf(k)->type.dim[0];
	size_t n = out_floats(k, 1) / (k->bufs.items[k->output].type.timed ? (size_t)k->steps : 1);
	size_t ns = (size_t)kir_workspace_floats(k, PROG_INFER, 1);
	float *st[2], *out[2];
	for (int i = 0; i < 2; i++) {
		st[i] = xcalloc(ns + 1, sizeof(float));
		out[i] = xcalloc(n + 1, sizeof(float));
		p->mod[i].stream_reset(st[i]);
	}
	int ok = 1;
	for (int t = 0; ok && t < k->steps; t++) {
		for (int i = 0; i < 2; i++)
			p->mod[i].stream_step(params, st[i], x + (size_t)t * BATCH * I, out[i]);
		char what[64];
		snprintf(what, sizeof what, "stream step %d", t);
		ok = same(out[0], out[1], n, what) && same(st[0], st[1], ns, what);
	}
	if (ok)
		verdict(1, "stream", "");
	for (int i = 0; i < 2; i++)
		free(st[i]), free(out[i]);
}

/* Labels for batch B: class indices (int32) or targets in [0, 1). */
static void *make_labels(const Kir *k)
{
	const KBuf *lb = &k->bufs.items[k->labels];
	size_t n = (size_t)BATCH * (lb->type.timed ? (size_t)k->steps : 1) *
		   (size_t)(lb->type.rank ? lb->type.dim[0] : 1);
	int classes = k->bufs.items[k->train_output].type.dim[0];
	if (lb->type.dtype == DT_I32) {
		int32_t *l = xcalloc(n + 1, sizeof *l);
		for (size_t i = 0; i < n; i++)
			l[i] = (int32_t)(uniform() * (float)classes) % classes;
		return l;
	}
	float *l = xcalloc(n + 1, sizeof *l);
	for (size_t i = 0; i < n; i++)
		l[i] = uniform();
	return l;
}

/* TRAIN_STEPS optimizer steps from params on each backend; params[i] ends
 * as backend i left it. */
static void check_train(Pair *p, float *params[2], const float *x, const void *labels, float lr)
{
	const Kir *k = p->c.kir;
	size_t np = (size_t)k->nparams, nout = out_floats(k, BATCH);
	float loss[2][TRAIN_STEPS], *counts[2], *out[2], *ws[2], *grads[2], *opt[2];
	for (int i = 0; i < 2; i++) {
		CompiledModel *m = &p->mod[i];
		ws[i] = xcalloc(m->train_workspace_floats(BATCH) + 1, sizeof(float));
		grads[i] = xcalloc(np + 1, sizeof(float));
		opt[i] = xcalloc(2 * np + 1, sizeof(float));
		out[i] = xcalloc(nout + 1, sizeof(float));
		counts[i] = xcalloc((size_t)k->spikes.len + 1, sizeof(float));
		for (int s = 0; s < TRAIN_STEPS; s++) {
			if (m->dropout_key)  /* a new mask every step, rows from 2 on */
				m->dropout_key(ws[i], BATCH, 3, (uint64_t)s + 1, 2);
			loss[i][s] = m->forward_train(params[i], x, labels, BATCH, out[i], ws[i]);
			m->zero_grad(grads[i]);
			m->backward(params[i], x, labels, BATCH, grads[i], ws[i]);
			m->step(params[i], grads[i], opt[i], lr, s + 1);
		}
		m->spike_counts(ws[i], BATCH, counts[i]);
	}
	char detail[300];
	int ok = same(loss[0], loss[1], TRAIN_STEPS, "train losses") && same(out[0], out[1], nout, "train outputs") &&
		 same(grads[0], grads[1], np, "train gradients") && same(opt[0], opt[1], 2 * np, "optimizer state") &&
		 same(params[0], params[1], np, "trained parameters") &&
		 same(counts[0], counts[1], (size_t)k->spikes.len, "spike counts");
	snprintf(detail, sizeof detail, "%d losses bit-identical, first %.9g, last %.9g", TRAIN_STEPS, (double)loss[0][0],
		 (double)loss[0][TRAIN_STEPS - 1]);
	if (ok)
		verdict(1, "train", detail);
	for (int i = 0; i < 2; i++)
		free(ws[i]), free(grads[i]), free(opt[i]), free(out[i]), free(counts[i]);
}

static void check_inputs(const char *path, const BackendOptions *eo, const Overrides *ov, const float *params,
			 const float *x, const void *labels)
{
	Pair p = {0};
	if (build(&p, path, 1, eo, ov)) {
		verdict(0, "inputs", "does not build with input gradients");
		unbuild(&p);
		return;
	}
	const Kir *k = p.c.kir;
	size_t np = (size_t)k->nparams, nx = (size_t)k->steps * BATCH * (size_t)input_buf(k)->type.dim[0];
	float *g[2], *dx[2];
	for (int i = 0; i < 2; i++) {
		CompiledModel *m = &p.mod[i];
		float *ws = xcalloc(m->train_workspace_floats(BATCH) + 1, sizeof(float));
		g[i] = xcalloc(np + 1, sizeof(float));
		dx[i] = xcalloc(nx + 1, sizeof(float));
		m->forward_train(params, x, labels, BATCH, NULL, ws);
		m->zero_grad(g[i]);
		m->backward_inputs(params, x, labels, BATCH, g[i], dx[i], ws);
		free(ws);
	}
	if (same(g[0], g[1], np, "inputs: gradients") && same(dx[0], dx[1], nx, "inputs: d loss / d x"))
		verdict(1, "inputs", "backward_inputs bit-identical");
	for (int i = 0; i < 2; i++)
		free(g[i]), free(dx[i]);
	unbuild(&p);
}

static int check(const char *path, const BackendOptions *eo, const Overrides *ov, int inputs)
{
	Pair p = {0};
	model_path = path;
	if (build(&p, path, 0, eo, ov)) {
		unbuild(&p);
		return 2;
	}
	const Kir *k = p.c.kir;
	if (!input_buf(k) || ninputs_of(k) != 1) {
		printf("SKIP %s: %s\n", path, input_buf(k) ? "several inputs" : "no input");
		unbuild(&p);
		return 0;
	}
	check_tables(&p);
	size_t np = (size_t)k->nparams, nx;
	float *params[2];
	for (int i = 0; i < 2; i++) {
		params[i] = xcalloc(np + 1, sizeof(float));
		p.mod[i].init(params[i], SEED);
	}
	if (same(params[0], params[1], np, "init"))
		verdict(1, "init", "");
	lcg = 12345;
	float *x = make_inputs(k, &nx, 0.3f);
	check_forward(&p, params[1], x, "forward");
	check_stream(&p, params[1], x);
	if (input_buf(k)->type.dtype == DT_SPIKE)
		for (int r = 0; r < 2; r++) {
			float *xr = make_inputs(k, &nx, r ? 0.9f : 0.05f);
			check_forward(&p, params[1], xr, r ? "forward, dense spikes" : "forward, sparse spikes");
			free(xr);
		}
	if (k->has_train) {
		void *labels = make_labels(k);
		float *start = xmalloc((np + 1) * sizeof(float));
		memcpy(start, params[1], np * sizeof(float));
		memcpy(params[0], params[1], np * sizeof(float));
		check_train(&p, params, x, labels, (float)p.tc.optim.lr);
		check_forward(&p, params[1], x, "forward after training");
		if (input_buf(k)->type.dtype == DT_SPIKE) {
			float *xr = make_inputs(k, &nx, 0.05f);
			check_train(&p, params, xr, labels, (float)p.tc.optim.lr);
			free(xr);
		}
		if (inputs && !k->g->inputs.items[input_buf(k)->index].ids)  /* token ids have no gradient */
			check_inputs(path, eo, ov, start, x, labels);
		free(start);
		free(labels);
	}
	free(x);
	free(params[0]);
	free(params[1]);
	unbuild(&p);
	return nfail ? 1 : 0;
}

/* ---- generated models ----------------------------------------------------- */

static int pick(int n)
{
	return (int)(uniform() * (float)n) % n;
}

/* A surrogate with drawn parameters, `family` in 0..6 as in surrogates.h. */
static const char *surrogate(int family, char *buf, size_t n)
{
	switch (family) {
	case 0:
		if (pick(2))
			snprintf(buf, n, "gaussian(var = %.2f)", 0.1 + 0.5 * uniform());
		else
			snprintf(buf, n, "gaussian(var = %.2f, peak = %.3f)", 0.1 + 0.5 * uniform(), 0.5 + uniform());
		break;
	case 1: snprintf(buf, n, "fast_sigmoid(slope = %d)", 2 + pick(30)); break;
	case 2: snprintf(buf, n, "atan(alpha = %.1f)", 0.5 + 3 * uniform()); break;
	case 3: snprintf(buf, n, "sigmoid(slope = %.1f)", 1 + 6 * uniform()); break;
	case 4: snprintf(buf, n, "triangle(width = %.2f)", 0.3 + 1.5 * uniform()); break;
	case 5: snprintf(buf, n, "rect(width = %.2f)", 0.3 + 1.5 * uniform()); break;
	default: snprintf(buf, n, "straight_through()"); break;
	}
	return buf;
}

static const char *const cell_ops =
	"cell ops(x, n) {\n    param w[2 * n, size(x)]\n    param b[2 * n]\n    state s[n]\n    a = w @ x + b\n"
	"    p, q = split(a, 2)\n    s = sigmoid(p) * s + tanh(q) / (2 + sigmoid(q)) - (-q) * 0.1\n    return s\n}\n\n";
static const char *const cell_analog =
	"cell analog(x, hidden, threshold = 0.1, gs = gaussian(var = 0.15), cs = gaussian(var = 0.5)) {\n"
	"    param weight_ih[4 * hidden, size(x)]\n    param weight_hh[4 * hidden, hidden]\n"
	"    param bias[4 * hidden] = zeros\n    state h[hidden], c[hidden]\n"
	"    a = weight_ih @ x + weight_hh @ h + bias\n    ai, af, ag, ao = split(a, 4)\n"
	"    i = spike(ai - threshold, gs)\n    f = spike(af - threshold, gs)\n    g = spike(ag - threshold, cs)\n"
	"    o = spike(ao - threshold, gs)\n    c = f * c + i * g\n    h = o * spike(c - threshold, cs)\n    return h\n}\n\n";

static int gen(const char *dir, int count, unsigned seed)
{
	char path[4096], s1[80], s2[80];
	snprintf(path, sizeof path, "%s/models.txt", dir);
	FILE *list = fopen(path, "w");
	if (!list) {
		perror(path);
		return 2;
	}
	static const char *const cells[] = {"slstm", "lstm", "stacked", "lif, alif or lif_learn", "ops", "analog"};
	static const char *const readouts[] = {"last", "mean", "per-step"};
	static const char *const losses[] = {"cross_entropy", "mse", "none"};
	lcg = seed;
	for (int n = 0; n < count; n++) {
		int cell = n % 6, readout = n % 3, loss = (n / 3) % 3, tbptt = n % 4 == 3;
		int I = 1 + pick(6), H = 1 + pick(10), T = 1 + pick(8), O = 2 + pick(3);
		if (tbptt)  /* toy_signal: one input and one target per step */
			I = 1, O = 1, T = 2 + pick(8), readout = 2, loss = 1;
		else if (loss == 1)
			O = 1 + pick(3);
		snprintf(path, sizeof path, "%s/gen_%03d.snn", dir, n);
		FILE *f = fopen(path, "w");
		if (!f) {
			perror(path);
			return 2;
		}
		fprintf(f, "# generated by tests/llvm/parity.c gen: %s cell, %s readout, loss %s%s\n", cells[cell],
			readouts[readout], losses[loss], tbptt ? ", truncated BPTT" : "");
		fputs(cell == 4 ? cell_ops : cell == 5 ? cell_analog : "", f);
		fprintf(f, "model gen_%03d {\n    input x[%d] %s over %d steps\n", n, I, pick(2) ? "spikes" : "analog", T);
		surrogate(n % 7, s1, sizeof s1);
		surrogate((n / 7 + 3) % 7, s2, sizeof s2);
		switch (cell) {
		case 0:
			fprintf(f, "    h = slstm(x, %d, threshold = %.2f, gate_surrogate = %s, cell_surrogate = %s)\n", H,
				0.05 + 0.3 * uniform(), s1, s2);
			break;
		case 1: fprintf(f, "    h = lstm(x, %d)\n", H); break;
		case 2:
			fprintf(f, "    h1 = %s(x, %d)\n", pick(2) ? "lstm" : "slstm", H);
			fprintf(f, "    h = slstm(h1, %d, threshold = 0.2, gate_surrogate = %s, cell_surrogate = %s)\n",
				1 + pick(8), s1, s2);
			break;
		case 3: {  /* the prelude's lif, alif and lif_learn in turn */
			static const char *const lifs[] = {"lif", "alif", "lif_learn"};
			const char *kind = lifs[(n / 6) % 3];
			fprintf(f, "    h = %s(x, %d, %s = %.2f, threshold = %.2f, surrogate = %s)\n", kind, H,
				n / 6 % 3 == 2 ? "beta_logit" : "beta", 0.5 + 0.5 * uniform(), 0.2 + uniform(), s1);
			break;
		}
		case 4: fprintf(f, "    h = ops(x, %d)\n", H); break;
		default: fprintf(f, "    h = analog(x, %d, gs = %s, cs = %s)\n", H, s1, s2); break;
		}
		const char *rd = readout == 0 ? "last(h)" : readout == 1 ? "mean(h)" : "h";
		if (n % 4 == 1)  /* dropout before the readout (drawing nothing from the generator) */
			fprintf(f, "    y = dense(dropout(%s, %.2f), %d)\n", rd, 0.1 + 0.1 * (n % 5), O);
		else
			fprintf(f, "    y = dense(%s, %d)\n", rd, O);
		if (loss == 2)
			fprintf(f, "    output y\n}\n");
		else
			fprintf(f, "    loss = %s(y)\n}\n", losses[loss]);
		if (tbptt)
			fprintf(f, "\ntrain {\n    data = toy_signal()\n    optimizer = %s\n    tbptt = %d\n%s}\n",
				pick(2) ? "adam(lr = 1e-2)" : "sgd(lr = 0.05, momentum = 0.5)", 1 + pick(T - 1),
				pick(2) ? "    clip = 0.5\n" : "");
		fclose(f);
		fprintf(list, "%s/gen_%03d.snn%s%s%s%s%s\n", dir, n, n % 5 == 1 ? " --sgd 0.9" : "",
			n % 7 == 2 ? " --clip 0.3" : "", n % 6 == 3 ? " --wd 0.01" : "", n % 8 == 5 ? " --smooth" : "",
			n % 9 == 4 ? " --portable" : "");
	}
	fclose(list);
	return 0;
}

static int write_npy(char **argv)
{
	long shape[3] = {atol(argv[3]), atol(argv[4]), atol(argv[5])};
	size_t n = (size_t)shape[0] * (size_t)shape[1] * (size_t)shape[2];
	float *a = xcalloc(n + 1, sizeof(float));
	lcg = (uint32_t)atol(argv[6]);
	for (size_t i = 0; i < n; i++)
		a[i] = uniform() < 1.0f / 3 ? 1.0f : 0.0f;
	char err[512];
	int rc = npy_write(argv[2], "f4", 3, shape, a, err, sizeof err);
	if (rc)
		fprintf(stderr, "parity: %s\n", err);
	free(a);
	return rc ? 2 : 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: parity [--sgd M] [--clip C] [--wd W] [--smooth] [--portable] [--no-inputs] MODEL.snn\n"
			"       parity npy OUT.npy T B I SEED\n       parity gen DIR COUNT SEED\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (argc == 7 && !strcmp(argv[1], "npy"))
		return write_npy(argv);
	if (argc == 5 && !strcmp(argv[1], "gen"))
		return gen(argv[2], atoi(argv[3]), (unsigned)strtoul(argv[4], NULL, 10));
	BackendOptions eo = {0};
	Overrides ov = {-1, -1, -1};
	int inputs = 1;
	const char *path = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--smooth"))
			eo.smooth_spikes = 1;
		else if (!strcmp(a, "--portable"))
			eo.portable = 1;
		else if (!strcmp(a, "--no-inputs"))
			inputs = 0;
		else if (i + 1 < argc && !strcmp(a, "--sgd"))
			ov.sgd_momentum = atof(argv[++i]);
		else if (i + 1 < argc && !strcmp(a, "--clip"))
			ov.clip = atof(argv[++i]);
		else if (i + 1 < argc && !strcmp(a, "--wd"))
			ov.weight_decay = atof(argv[++i]);
		else if (a[0] == '-' || path)
			return usage();
		else
			path = a;
	}
	if (!path)
		return usage();
	return check(path, &eo, &ov, inputs);
}
