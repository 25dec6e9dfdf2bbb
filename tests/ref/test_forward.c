/* test_forward.c: the C that spikec emits for a model computes what the
 * reference cells (ref_cells.c) compute, batched and streaming.
 *
 * Built once per model, against the header and C file of `spikec emit`
 * (tests/ref/run_forward.sh does this for every tests/models/fwd_*.snn):
 *
 *   cc -std=c99 -I. -DMODEL=fwd_slstm -DMODEL_UPPER=FWD_SLSTM \
 *      -include DIR/fwd_slstm.h -c tests/ref/test_forward.c
 *   cc -std=c99 -c DIR/fwd_slstm.c
 *   cc test_forward.o fwd_slstm.o ref_cells.o build/libspikec.a -lm
 *
 * (build/libspikec.a only for io/npy.c, which reads torch fixtures.)
 *
 * Usage:
 *   test_forward [--spikes] [--seed N] LAYER...
 *       LAYER is slstm:NAME[:THETA[:BINARY_CELL]] (theta 0.1, binary cell 1
 *       by default) or lstm:NAME, from the input to the output, one per
 *       recurrent layer of the model, NAME as in the model file. Parameters
 *       are random (a deterministic RNG of this file), located in the
 *       parameter block by name through the model's tensor table; x is
 *       random analog in [-1, 1], or 0/1 spikes with --spikes.
 *   test_forward lstm-fixture DIR [NAME]
 *       The weights and x of a torch fixture (tests/fixtures/torch/DIR, an
 *       lstm one, or an slstm one with theta.npy) loaded into layer NAME
 *       (default h) of a one-layer model; the output must match its h.
 *
 * Checks, each counted as one test: the forward pass for batches 1, 3 and 17
 * (and the fixture's batch) against the reference, spikes identical and real
 * values within 1e-5; a second forward with the workspace left dirty by the
 * first gives the same output; params are not written; nothing is written
 * past the end of out, workspace or state, and out, workspace and state start
 * as NaN so a read of anything the code did not write shows; reset + step,
 * sample by sample, reproduces the forward output step by step (identical
 * for spikes, 1e-5 for reals); MODEL_init is deterministic and zeroes biases.
 *
 * Spike decisions whose pre-activation lies within float rounding of the
 * threshold could legitimately flip with the order of summation. The random
 * inputs are therefore redrawn, sample by sample, until every decision of the
 * reference is at least MARGIN from its threshold; how many redraws that took
 * is printed, and a mismatch is then always a real one.
 *
 * A model whose output is not per step (MODEL_OUTPUT_TIMED 0) is taken to be
 * last(h) of the final layer. Prints `N passed, M failed` last; exits 1 on a
 * failed test, 2 on bad usage or a model that does not fit the arguments.
 */
#include "ref_cells.h"
#include "io/layout.h"
#include "io/npy.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if !defined(MODEL) || !defined(MODEL_UPPER)
#error "compile with -DMODEL=name -DMODEL_UPPER=NAME -include DIR/name.h"
#endif

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define FN(suffix) CAT(MODEL, suffix)          /* FN(_forward): name_forward */
#define K(suffix) CAT(MODEL_UPPER, suffix)     /* K(_STEPS): NAME_STEPS */

#define T_STEPS K(_STEPS)
#define N_IN K(_INPUTS)
#define N_OUT K(_OUTPUTS)
#define TIMED K(_OUTPUT_TIMED)
#define N_PARAMS K(_NUM_PARAMS)
#define N_TENSORS K(_NUM_TENSORS)
#define N_STATE K(_STATE_FLOATS)

#define STR_(x) #x
#define STR(x) STR_(x)

#define MAX_LAYERS 16
#define MARGIN 1e-4        /* smallest |a - theta| allowed in random data */
#define TIE 1e-5           /* closer than this, a flip is a rounding tie */
#define REAL_TOL 1e-5
#define GUARD 64           /* sentinel floats after every output buffer */
#define SENTINEL -7777.25f

typedef struct {
	int lstm;              /* 0: slstm, 1: lstm */
	char name[64];
	float theta;
	int binary_cell;
	int I, H;
	long w_ih, w_hh, bias; /* offsets in params */
} Layer;

static Layer layers[MAX_LAYERS];
static int nlayers;
static int spikes_in;          /* --spikes */
static int npass, nfail;

/* ---- helpers --------------------------------------------------------- */

static void die(const char *msg, const char *arg)
{
	fprintf(stderr, "test_forward (" STR(MODEL) "): %s%s%s\n", msg,
		arg ? ": " : "", arg ? arg : "");
	exit(2);
}

static float *alloc_floats(size_t n)
{
	float *p = malloc((n ? n : 1) * sizeof *p);

	if (!p)
		die("out of memory", NULL);
	return p;
}

/* n floats of NaN followed by GUARD sentinels. */
static float *alloc_guarded(size_t n)
{
	float *p = alloc_floats(n + GUARD);

	for (size_t k = 0; k < n; k++)
		p[k] = (float)NAN;
	for (size_t k = 0; k < GUARD; k++)
		p[n + k] = SENTINEL;
	return p;
}

static int guard_intact(const float *p, size_t n)
{
	for (size_t k = 0; k < GUARD; k++)
		if (p[n + k] != SENTINEL)
			return 0;
	return 1;
}

/* One test's outcome, as one line. */
static void result(int ok, const char *what, const char *detail)
{
	if (ok)
		npass++;
	else
		nfail++;
	printf("%s %s: %s\n", ok ? "ok  " : "FAIL", what, detail);
}

/* splitmix64: a small deterministic generator, independent of the runtime. */
static uint64_t rng_state = 1;

static uint64_t rng_next(void)
{
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* Uniform in [-1, 1). */
static float rng_sym(void)
{
	return (float)((double)(rng_next() >> 40) / 8388608.0 - 1.0);
}

/* ---- the model's parameters ------------------------------------------ */

static const FN(_tensor) *find_tensor(const char *layer, const char *param)
{
	char want[160];

	snprintf(want, sizeof want, "%s.%s", layer, param);
	for (int k = 0; k < N_TENSORS; k++)
		if (strcmp(FN(_tensors)[k].name, want) == 0)
			return &FN(_tensors)[k];
	fprintf(stderr, "test_forward (" STR(MODEL) "): no tensor %s; the model has:",
		want);
	for (int k = 0; k < N_TENSORS; k++)
		fprintf(stderr, " %s", FN(_tensors)[k].name);
	fprintf(stderr, "\n");
	exit(2);
}

/* Fills in each layer's sizes and parameter offsets from the tensor table,
 * and checks that the layers chain from the model's input to its output. */
static void resolve_layers(void)
{
	int in = N_IN;

	for (int l = 0; l < nlayers; l++) {
		Layer *L = &layers[l];
		const FN(_tensor) *wih = find_tensor(L->name, "weight_ih");
		const FN(_tensor) *whh = find_tensor(L->name, "weight_hh");
		const FN(_tensor) *b = find_tensor(L->name, "bias");

		L->H = whh->shape[1];
		L->I = wih->shape[1];
		if (wih->rank != 2 || whh->rank != 2 || b->rank != 1
			|| wih->shape[0] != 4 * L->H || whh->shape[0] != 4 * L->H
			|| b->shape[0] != 4 * L->H)
			die("layer tensors are not (4H, I), (4H, H), (4H)", L->name);
		if (L->I != in)
			die("layer input size differs from the previous layer's output",
				L->name);
		L->w_ih = wih->offset;
		L->w_hh = whh->offset;
		L->bias = b->offset;
		if (L->w_ih < 0 || L->w_ih + 4L * L->H * L->I > N_PARAMS
			|| L->w_hh < 0 || L->w_hh + 4L * L->H * L->H > N_PARAMS
			|| L->bias < 0 || L->bias + 4L * L->H > N_PARAMS)
			die("tensor offset outside the parameter block", L->name);
		in = L->H;
	}
	if (in != N_OUT)
		die("last layer's size differs from " STR(MODEL_UPPER) "_OUTPUTS", NULL);
}

/* Random parameters: every float uniform in [-1, 1), biases halved, so that
 * slstm gates fire roughly half the time (the rate is printed and checked). */
static void random_params(float *params)
{
	for (long k = 0; k < N_PARAMS; k++)
		params[k] = rng_sym();
	for (int l = 0; l < nlayers; l++)
		for (int r = 0; r < 4 * layers[l].H; r++)
			params[layers[l].bias + r] *= 0.5f;
}

/* ---- the reference --------------------------------------------------- */

typedef struct {
	double margin;        /* smallest |a - theta| over slstm gate decisions */
	long ties;            /* decisions with |a - theta| < TIE */
	long fired, total;    /* slstm gate decisions that spiked, and all */
} RefStats;

/* Runs the layers of the reference on x (T, B, N_IN) into h (T, B, N_OUT). */
static void ref_run(const float *params, int B, const float *x, float *h,
	RefStats *st)
{
	const float *in = x;
	float *buf[2] = {NULL, NULL};

	st->margin = INFINITY;
	st->ties = st->fired = st->total = 0;
	for (int l = 0; l < nlayers; l++) {
		const Layer *L = &layers[l];
		size_t n = (size_t)T_STEPS * B * L->H;
		float *out = l == nlayers - 1 ? h : (buf[l % 2] = realloc(buf[l % 2],
			n * sizeof(float)));
		/* The reference reads weights in PyTorch's order (io/layout.h). */
		float *w_ih = alloc_floats((size_t)4 * L->H * L->I), *w_hh = alloc_floats((size_t)4 * L->H * L->H);
		const float *bias = params + L->bias;

		layout_to_torch(w_ih, params + L->w_ih, 2, (int[2]){4 * L->H, L->I});
		layout_to_torch(w_hh, params + L->w_hh, 2, (int[2]){4 * L->H, L->H});
		if (!out)
			die("out of memory", NULL);
		if (L->lstm) {
			ref_lstm_forward(T_STEPS, B, L->I, L->H, w_ih, w_hh, bias, in,
				out, NULL);
		} else {
			size_t na = (size_t)T_STEPS * B * 4 * L->H;
			float *pre = alloc_floats(na);
			ref_slstm_forward_pre(T_STEPS, B, L->I, L->H, w_ih, w_hh, bias,
				L->theta, L->binary_cell, in, out, NULL, pre);
			for (size_t k = 0; k < na; k++) {
				double v = fabs((double)pre[k] - L->theta);
				if (v < st->margin)
					st->margin = v;
				st->ties += v < TIE;
				st->fired += pre[k] > L->theta;
			}
			st->total += (long)na;
			free(pre);
		}
		free(w_ih), free(w_hh);
		in = out;
	}
	free(buf[0]);
	free(buf[1]);
}

/* Spikes (and an unbinarised cell's counts) are compared for identity. */
static int output_is_spikes(void)
{
	return !layers[nlayers - 1].lstm;
}

/* The model's output for a batch, from the final layer's h (T, B, N_OUT). */
static size_t out_floats(int B)
{
	return (size_t)(TIMED ? T_STEPS : 1) * B * N_OUT;
}

static void expected_out(const float *h, int B, float *want)
{
	if (TIMED)
		memcpy(want, h, out_floats(B) * sizeof *want);
	else
		memcpy(want, h + (size_t)(T_STEPS - 1) * B * N_OUT,
			out_floats(B) * sizeof *want);
}

/* ---- comparing ------------------------------------------------------- */

typedef struct {
	size_t bad, first;
	double maxerr;
} Diff;

/* tol < 0: identical (spikes); NaN never matches. */
static Diff diff(const float *got, const float *want, size_t n, double tol)
{
	Diff d = {0, 0, 0};

	for (size_t k = 0; k < n; k++) {
		double e = fabs((double)got[k] - want[k]);
		int ok = tol < 0 ? got[k] == want[k] : e <= tol;
		if (!(e <= d.maxerr))
			d.maxerr = e;
		if (!ok && d.bad++ == 0)
			d.first = k;
	}
	return d;
}

/* Reports a forward comparison of out (layout of out_floats) as one test. */
static void report_forward(const char *what, const float *got,
	const float *want, int B, double tol)
{
	size_t n = out_floats(B);
	Diff d = diff(got, want, n, tol);
	char detail[256];

	if (!d.bad) {
		snprintf(detail, sizeof detail, "%zu values %s (max |err| %.3g)", n,
			tol < 0 ? "identical" : "within 1e-5", d.maxerr);
	} else {
		size_t row = d.first / N_OUT;   /* (t, b) or (b) */
		snprintf(detail, sizeof detail, "%zu of %zu values differ, first at "
			"t=%ld b=%ld unit=%ld: got %.9g, want %.9g (max |err| %.3g)",
			d.bad, n, TIMED ? (long)(row / B) : (long)T_STEPS - 1,
			(long)(row % B), (long)(d.first % N_OUT), got[d.first],
			want[d.first], d.maxerr);
	}
	result(!d.bad, what, detail);
}

/* ---- the checks ------------------------------------------------------ */

/* Runs forward twice (the second time with the dirty workspace) and checks
 * guards, params and the output against want; returns the first output. */
static float *check_forward(const float *params, const float *x, int B,
	const float *want, double tol)
{
	size_t nout = out_floats(B), nws = FN(_workspace_floats)(B);
	float *out = alloc_guarded(nout), *again = alloc_guarded(nout);
	float *ws = alloc_guarded(nws);
	float *copy = alloc_floats(N_PARAMS);
	char what[96];
	int ok;

	memcpy(copy, params, N_PARAMS * sizeof *copy);
	FN(_forward)(params, x, B, out, ws);
	snprintf(what, sizeof what, "forward B=%d", B);
	report_forward(what, out, want, B, tol);

	ok = guard_intact(out, nout) && guard_intact(ws, nws);
	snprintf(what, sizeof what, "forward B=%d writes", B);
	result(ok, what, ok ? "nothing past out and workspace"
		: "past the end of out or workspace");
	ok = memcmp(copy, params, N_PARAMS * sizeof *copy) == 0;
	snprintf(what, sizeof what, "forward B=%d params", B);
	result(ok, what, ok ? "unchanged" : "WRITTEN by forward");

	FN(_forward)(params, x, B, again, ws);
	ok = memcmp(out, again, nout * sizeof *out) == 0 && guard_intact(ws, nws);
	snprintf(what, sizeof what, "forward B=%d again", B);
	result(ok, what, ok ? "identical with the workspace reused"
		: "differs when the workspace is reused (state not reset?)");
	free(again);
	free(ws);
	free(copy);
	return out;
}

/* reset + step for every sample of x (T, B, N_IN) against forward's out. */
static void check_streaming(const float *params, const float *x, int B,
	const float *fwd, double tol)
{
	float *state = alloc_guarded(N_STATE);
	float *y = alloc_guarded(N_OUT);
	size_t bad = 0, n = 0;
	double maxerr = 0;
	long bad_t = -1, bad_b = -1;
	int guards = 1;
	char what[64], detail[200];

	for (int b = 0; b < B; b++) {
		for (size_t k = 0; k < (size_t)N_STATE; k++)
			state[k] = (float)NAN;   /* reset must set every state float */
		FN(_stream_reset)(state);
		for (int t = 0; t < T_STEPS; t++) {
			const float *want = TIMED ? fwd + ((size_t)t * B + b) * N_OUT
				: fwd + (size_t)b * N_OUT;
			Diff d;
			FN(_stream_step)(params, state, x + ((size_t)t * B + b) * N_IN, y);
			if (!TIMED && t < T_STEPS - 1)
				continue;
			d = diff(y, want, N_OUT, tol);
			n += N_OUT;
			if (d.maxerr > maxerr)
				maxerr = d.maxerr;
			if (d.bad && bad == 0)
				bad_t = t, bad_b = b;
			bad += d.bad;
		}
		guards = guards && guard_intact(state, N_STATE) && guard_intact(y, N_OUT);
	}
	snprintf(what, sizeof what, "step B=%d", B);
	if (bad)
		snprintf(detail, sizeof detail, "%zu of %zu values differ from forward, "
			"first at t=%ld b=%ld (max |err| %.3g)", bad, n, bad_t, bad_b,
			maxerr);
	else if (!guards)
		snprintf(detail, sizeof detail, "writes past the end of state or out");
	else
		snprintf(detail, sizeof detail, "%zu values match forward, sample by "
			"sample (max |err| %.3g)", n, maxerr);
	result(!bad && guards, what, detail);
	free(state);
	free(y);
}

/* Draws x (T, B, N_IN); each sample is redrawn until the reference takes no
 * spike decision within MARGIN of its threshold. Returns the redraw count. */
static int draw_x(const float *params, float *x, int B)
{
	float *one = alloc_floats((size_t)T_STEPS * N_IN);
	float *h = alloc_floats((size_t)T_STEPS * N_OUT);
	int redraws = 0;

	for (int b = 0; b < B; b++) {
		for (int attempt = 0;; attempt++) {
			RefStats st;
			for (size_t k = 0; k < (size_t)T_STEPS * N_IN; k++)
				one[k] = spikes_in ? (rng_next() >> 63 ? 1.0f : 0.0f) : rng_sym();
			ref_run(params, 1, one, h, &st);
			if (st.margin >= MARGIN)
				break;
			if (attempt == 1000)
				die("no random input keeps every spike away from its threshold",
					NULL);
			redraws++;
		}
		for (int t = 0; t < T_STEPS; t++)
			memcpy(x + ((size_t)t * B + b) * N_IN, one + (size_t)t * N_IN,
				N_IN * sizeof *x);
	}
	free(one);
	free(h);
	return redraws;
}

static void check_batch(const float *params, int B)
{
	size_t nx = (size_t)T_STEPS * B * N_IN;
	float *x = alloc_floats(nx), *h = alloc_floats((size_t)T_STEPS * B * N_OUT);
	float *want = alloc_floats(out_floats(B)), *out;
	double tol = output_is_spikes() ? -1 : REAL_TOL;
	int redraws = draw_x(params, x, B);
	RefStats st;

	ref_run(params, B, x, h, &st);
	if (st.total) {
		double rate = (double)st.fired / st.total;
		char what[64], detail[200];
		snprintf(what, sizeof what, "slstm gates B=%d", B);
		snprintf(detail, sizeof detail, "firing rate %.2f (want 0.2-0.8); "
			"%ld decisions within %g of theta, nearest %.2g; %d samples "
			"redrawn to keep %g away", rate, st.ties, TIE, st.margin,
			redraws, MARGIN);
		result(rate >= 0.2 && rate <= 0.8 && st.ties == 0, what, detail);
	}
	expected_out(h, B, want);
	out = check_forward(params, x, B, want, tol);
	check_streaming(params, x, B, out, tol);
	free(x);
	free(h);
	free(want);
	free(out);
}

/* MODEL_init: deterministic in its seed, and every layer's bias zero. */
static void check_init(void)
{
	float *a = alloc_floats(N_PARAMS), *b = alloc_floats(N_PARAMS);
	int same, differ = 0, finite = 1, zero_bias = 1;

	FN(_init)(a, 1);
	FN(_init)(b, 1);
	same = memcmp(a, b, N_PARAMS * sizeof *a) == 0;
	FN(_init)(b, 2);
	for (long k = 0; k < N_PARAMS; k++) {
		differ |= a[k] != b[k];
		finite &= isfinite(a[k]) != 0;
	}
	for (int l = 0; l < nlayers; l++)
		for (int r = 0; r < 4 * layers[l].H; r++)
			zero_bias &= a[layers[l].bias + r] == 0.0f;
	result(same && differ && finite && zero_bias, "init",
		!same ? "differs between two calls with seed 1"
		: !differ ? "seeds 1 and 2 give the same parameters"
		: !finite ? "gives a non-finite parameter"
		: !zero_bias ? "leaves a bias non-zero (DESIGN: zero biases)"
		: "deterministic per seed, finite, zero biases");
	free(a);
	free(b);
}

/* ---- torch fixtures -------------------------------------------------- */

static float *load(const char *dir, const char *name, int ndim, long *shape)
{
	char path[4096], err[512];
	NpyArray a;
	float *f;

	snprintf(path, sizeof path, "%s/%s.npy", dir, name);
	if (npy_read(path, &a, err, sizeof err) != 0)
		die(err, NULL);
	if (a.ndim != ndim)
		die("fixture array of unexpected rank", path);
	memcpy(shape, a.shape, sizeof(long) * ndim);
	f = npy_as_f32(&a);
	npy_free(&a);
	if (!f)
		die("fixture array is not numeric", path);
	return f;
}

static void fixture(const char *dir, const char *name)
{
	long s_wih[2], s_whh[2], s_b[1], s_x[3], s_h[3], s_1[1];
	float *w_ih = load(dir, "weight_ih", 2, s_wih);
	float *w_hh = load(dir, "weight_hh", 2, s_whh);
	float *bias = load(dir, "bias", 1, s_b);
	float *x = load(dir, "x", 3, s_x);
	float *h = load(dir, "h", 3, s_h);
	float *params = alloc_floats(N_PARAMS), *want, *out;
	char path[4096];
	FILE *f;
	int B = (int)s_x[1];
	Layer *L = &layers[0];

	snprintf(path, sizeof path, "%s/theta.npy", dir);
	f = fopen(path, "rb");
	nlayers = 1;
	snprintf(L->name, sizeof L->name, "%s", name);
	L->lstm = f == NULL;
	L->binary_cell = 1;
	if (f) {
		float *theta, *binary;
		fclose(f);
		theta = load(dir, "theta", 1, s_1);
		binary = load(dir, "binary_cell", 1, s_1);
		L->theta = theta[0];
		L->binary_cell = binary[0] != 0;
		free(theta);
		free(binary);
	}
	resolve_layers();
	if (s_x[0] != T_STEPS || s_x[2] != N_IN || s_wih[0] != 4L * L->H
		|| s_wih[1] != L->I || s_whh[0] != 4L * L->H || s_whh[1] != L->H
		|| s_b[0] != 4L * L->H || s_h[0] != T_STEPS || s_h[1] != B
		|| s_h[2] != N_OUT)
		die("fixture sizes differ from the model's", dir);
	printf("fixture %s: %s, T=%d B=%d I=%d H=%d\n", dir, L->lstm ? "lstm"
		: "slstm", T_STEPS, B, L->I, L->H);

	FN(_init)(params, 1);
	layout_from_torch(params + L->w_ih, w_ih, 2, (int[2]){4 * L->H, L->I});
	layout_from_torch(params + L->w_hh, w_hh, 2, (int[2]){4 * L->H, L->H});
	memcpy(params + L->bias, bias, 4 * (size_t)L->H * sizeof(float));
	want = alloc_floats(out_floats(B));
	expected_out(h, B, want);
	out = check_forward(params, x, B, want, L->lstm ? REAL_TOL : -1);
	check_streaming(params, x, B, out, L->lstm ? REAL_TOL : -1);
	free(w_ih), free(w_hh), free(bias), free(x), free(h);
	free(params), free(want), free(out);
}

/* ---- command line ---------------------------------------------------- */

static void usage(void)
{
	fprintf(stderr,
		"usage: test_forward [--spikes] [--seed N] LAYER...\n"
		"         LAYER: slstm:NAME[:THETA[:BINARY_CELL]] or lstm:NAME,\n"
		"                input to output, NAME as in the model file\n"
		"       test_forward lstm-fixture DIR [NAME]\n");
	exit(2);
}

static void parse_layer(const char *arg)
{
	char buf[256], *kind, *name, *theta, *binary, *end;
	Layer *L;

	if (nlayers == MAX_LAYERS)
		die("too many layers", arg);
	L = &layers[nlayers++];
	snprintf(buf, sizeof buf, "%s", arg);
	kind = strtok(buf, ":");
	name = strtok(NULL, ":");
	theta = strtok(NULL, ":");
	binary = strtok(NULL, ":");
	if (!kind || !name || strlen(name) >= sizeof L->name)
		usage();
	snprintf(L->name, sizeof L->name, "%s", name);
	L->theta = 0.1f;
	L->binary_cell = 1;
	if (strcmp(kind, "lstm") == 0) {
		L->lstm = 1;
		if (theta)
			usage();
	} else if (strcmp(kind, "slstm") == 0) {
		if (theta) {
			L->theta = strtof(theta, &end);
			if (*end)
				usage();
		}
		if (binary)
			L->binary_cell = atoi(binary) != 0;
	} else {
		usage();
	}
}

int main(int argc, char **argv)
{
	static const int batches[] = {1, 3, 17};
	float *params;
	int k = 1;

	if (argc >= 3 && strcmp(argv[1], "lstm-fixture") == 0) {
		if (argc > 4)
			usage();
		fixture(argv[2], argc == 4 ? argv[3] : "h");
		printf("%d passed, %d failed\n", npass, nfail);
		return nfail ? 1 : 0;
	}
	for (; k < argc && argv[k][0] == '-'; k++) {
		if (strcmp(argv[k], "--spikes") == 0)
			spikes_in = 1;
		else if (strcmp(argv[k], "--seed") == 0 && k + 1 < argc)
			rng_state = strtoull(argv[++k], NULL, 10);
		else
			usage();
	}
	if (k == argc)
		usage();
	for (; k < argc; k++)
		parse_layer(argv[k]);
	resolve_layers();

	printf("model " STR(MODEL) ": T=%d, %d inputs (%s), %d outputs%s, "
		"%ld params, %d layers\n", T_STEPS, N_IN, spikes_in ? "0/1 spikes"
		: "analog", N_OUT, TIMED ? " per step" : "", (long)N_PARAMS, nlayers);
	check_init();
	params = alloc_floats(N_PARAMS);
	random_params(params);
	for (size_t b = 0; b < sizeof batches / sizeof batches[0]; b++)
		check_batch(params, batches[b]);
	free(params);
	printf("%d passed, %d failed\n", npass, nfail);
	return nfail ? 1 : 0;
}
