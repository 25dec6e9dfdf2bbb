/* run_emitted.c: drives a model emitted by `spikec emit` with nothing but the
 * emitted files and libc/libm, so that it builds for any target with a C
 * compiler (tests/cross builds it for aarch64 and armhf).
 *
 *   run_emitted
 *       The demo: take the trained weights baked in by `spikec emit
 *       --checkpoint` (built with -DWEIGHTS) or initialise parameters from
 *       seed 1, time the batch forward pass of 100 sequences, print the
 *       outputs of sequence 0, then stream sequence 0 through stream_step()
 *       and check it gives the same output.
 *   run_emitted --bits B N
 *       For parity tests (built with -DLABEL_IS_CLASS=1 for int32 class
 *       labels, 0 for float targets): prints on stdout, one exact
 *       hexadecimal float (%a) a line, the forward outputs of B sequences,
 *       the losses of N training steps on those sequences (zero_grad,
 *       forward_train, backward, step with lr 1e-3, t from 1) and the
 *       forward outputs after them; then the same streaming check, silent
 *       when it passes. Nothing printed depends
 *       on time, so the output of two builds compares with cmp.
 *
 * Inputs and labels come from a fixed LCG: spikes with probability 0.3, or
 * one-hot tokens for a model whose input is tokens (built with -DTOKENS).
 * One input per model. Exit status 0, or 1 when streaming disagrees with
 * the batch forward pass by more than 1e-5 or memory runs out, 2 on bad usage.
 *
 * Build: cc -std=c99 -O2 -D_POSIX_C_SOURCE=200809L -DMODEL=mnist_rows -DMODEL_UPPER=MNIST_ROWS \
 *        -include DIR/mnist_rows.h run_emitted.c DIR/mnist_rows.c -lopenblas -lm
 * (-lm alone for C emitted with --portable; with baked weights: -DWEIGHTS
 * -include DIR/mnist_rows_weights.h and DIR/mnist_rows_weights.c; for
 * another target, the line of docs/targets.md) */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define FN(name) CAT(CAT(MODEL, _), name)
#define K(name) CAT(CAT(MODEL_UPPER, _), name)

enum { T = K(STEPS), I = K(INPUTS), O = K(OUTPUTS), TIMED = K(OUTPUT_TIMED) };

#ifndef TOKENS
#define TOKENS 0
#endif

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* A small LCG: the inputs need no statistical quality. */
static unsigned long long lcg = 88172645463325252ULL;
static double uniform(void)
{
	lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
	return (double)(lcg >> 11) / 9007199254740992.0;
}

static void *zalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);
	if (!p) {
		fprintf(stderr, "run_emitted: out of memory\n");
		exit(1);
	}
	return p;
}

/* x (T, batch, I): spikes, or one token a step and sample. */
static void fill_input(float *x, int batch)
{
	for (size_t r = 0; r < (size_t)T * batch; r++) {
		if (TOKENS)
			x[r * I + (size_t)(uniform() * I)] = 1.0f;
		for (int i = 0; !TOKENS && i < I; i++)
			x[r * I + (size_t)i] = uniform() < 0.3 ? 1.0f : 0.0f;
	}
}

static void print_bits(const float *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%a\n", (double)v[i]);
}

#ifndef LABEL_IS_CLASS
enum { CAN_TRAIN = 0 };
#else
enum { CAN_TRAIN = 1 };
#if LABEL_IS_CLASS
typedef int32_t label_t;
#else
typedef float label_t;
#endif

/* N training steps from params on x: prints each step's loss. Labels are
 * classes for every output row (cross_entropy), or targets in [0, 1) for
 * every output (mse). */
static void train(float *params, const float *x, int batch, long steps)
{
	size_t rows = (size_t)batch * (TIMED ? T : 1);
	size_t nlab = LABEL_IS_CLASS ? rows : rows * O;
	label_t *lab = zalloc(nlab, sizeof *lab);
	for (size_t i = 0; i < nlab; i++)
		lab[i] = LABEL_IS_CLASS ? (label_t)(uniform() * O) : (label_t)uniform();
	float *grads = zalloc(K(NUM_PARAMS), sizeof(float));
	float *opt = zalloc(K(OPT_STATE_FLOATS), sizeof(float));
	float *ws = zalloc(FN(train_workspace_floats)(batch), sizeof(float));
	for (long t = 1; t <= steps; t++) {
		FN(zero_grad)(grads);
		float loss = FN(forward_train)(params, x, lab, batch, NULL, ws);
		FN(backward)(params, x, lab, batch, grads, ws);
		FN(step)(params, grads, opt, 1e-3f, t);
		printf("%a\n", (double)loss);
	}
	free(lab), free(grads), free(opt), free(ws);
}
#endif

/* max(m, |a[o] - b[o]|) over the O outputs; a NaN makes it NaN. (Not fmax,
 * which drops NaN, and whose reduction gcc 12 for aarch64 fails to vectorize
 * at -O2 -ftree-vectorize: an internal compiler error.) */
static double max_diff(double m, const float *a, const float *b)
{
	for (int o = 0; o < O; o++) {
		double d = fabs((double)a[o] - (double)b[o]);
		if (!(d <= m))
			m = d;
	}
	return m;
}

/* The forward pass from zero states (a `carry state` model would otherwise
 * continue from the states the workspace holds). */
static void forward0(const float *params, const float *x, int batch, float *out, float *ws)
{
	if (K(CARRY_STATE))
		memset(ws, 0, sizeof(float) * FN(workspace_floats)(batch));
	FN(forward)(params, x, batch, out, ws);
}

int main(int argc, char **argv)
{
	int batch = 100, bits = argc == 4 && !strcmp(argv[1], "--bits");
	long steps = 0;
	if (bits) {
		batch = atoi(argv[2]);
		steps = atol(argv[3]);
	}
	if ((argc != 1 && !bits) || batch < 1 || steps < 0 || (steps > 0 && !CAN_TRAIN)) {
		fprintf(stderr, "usage: run_emitted [--bits BATCH STEPS] (STEPS > 0 needs -DLABEL_IS_CLASS)\n");
		return 2;
	}
	size_t out_per_seq = (size_t)O * (TIMED ? T : 1);
	float *params = zalloc(K(NUM_PARAMS), sizeof(float));
	float *x = zalloc((size_t)T * batch * I, sizeof(float));
	float *out = zalloc(out_per_seq * batch, sizeof(float));
	float *ws = zalloc(FN(workspace_floats)(batch), sizeof(float));
	float *state = zalloc(K(STATE_FLOATS), sizeof(float));
	float *x_t = zalloc(I, sizeof(float)), *o_t = zalloc(O, sizeof(float));
#ifdef WEIGHTS
	memcpy(params, FN(weights), sizeof(float) * K(NUM_PARAMS));
	const char *which = "trained weights";
#else
	const char *which = "untrained parameters, seed 1";
	FN(init)(params, 1);
#endif
	fill_input(x, batch);

	if (bits) {
		forward0(params, x, batch, out, ws);
		print_bits(out, out_per_seq * batch);
#ifdef LABEL_IS_CLASS
		train(params, x, batch, steps);
		forward0(params, x, batch, out, ws);
		print_bits(out, out_per_seq * batch);
#endif
	} else {
		const int reps = 20;
		double t0 = now();
		for (int r = 0; r < reps; r++)
			forward0(params, x, batch, out, ws);
		double dt = (now() - t0) / reps;
		printf("forward: %d sequences of %d steps in %.2f ms (%.0f sequences/s)\n", batch, T, 1e3 * dt,
		       batch / dt);
		printf("outputs of sequence 0 (%s):", which);
		for (int o = 0; o < O; o++)
			printf(" %.3f", (double)out[(TIMED ? (size_t)(T - 1) * batch * O : 0) + (size_t)o]);
		printf("\n");
	}

	/* Streaming: sequence 0, one step per call. */
	FN(stream_reset)(state);
	double maxdiff = 0;
	for (int t = 0; t < T; t++) {
		for (int i = 0; i < I; i++)
			x_t[i] = x[((size_t)t * batch) * I + (size_t)i];
		FN(stream_step)(params, state, x_t, o_t);
		if (TIMED || t == T - 1)
			maxdiff = max_diff(maxdiff, o_t, out + (TIMED ? (size_t)t * batch * O : 0));
	}
	if (!bits || !(maxdiff < 1e-5))
		printf("stream_step() vs batch forward(): max difference %.3g\n", maxdiff);
	free(params), free(x), free(out), free(ws), free(state), free(x_t), free(o_t);
	return maxdiff < 1e-5 ? 0 : 1;
}
