/* run_emitted.c: drives a model emitted by `spikec emit` with nothing but the
 * emitted files: take the trained weights baked in by `spikec emit
 * --checkpoint` (built with -DWEIGHTS) or initialise parameters from a seed,
 * run the batch forward pass on Bernoulli spike trains, then stream one
 * sequence through the single-sample step() and check it gives the same
 * output.
 *
 * Build: cc -std=c99 -O2 -D_POSIX_C_SOURCE=200809L -DMODEL=mnist_rows -DMODEL_UPPER=MNIST_ROWS \
 *        -include DIR/mnist_rows.h run_emitted.c DIR/mnist_rows.c -lopenblas -lm
 * (with baked weights: -DWEIGHTS -include DIR/mnist_rows_weights.h and DIR/mnist_rows_weights.c) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define FN(name) CAT(CAT(MODEL, _), name)
#define K(name) CAT(CAT(MODEL_UPPER, _), name)

enum { T = K(STEPS), I = K(INPUTS), O = K(OUTPUTS), TIMED = K(OUTPUT_TIMED) };

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* A small LCG: the demo's inputs need no statistical quality. */
static unsigned long long lcg = 88172645463325252ULL;
static double uniform(void)
{
	lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
	return (double)(lcg >> 11) / 9007199254740992.0;
}

int main(void)
{
	const int batch = 100, reps = 20;
	size_t out_per_seq = (size_t)O * (TIMED ? T : 1);
	float *params = malloc(sizeof(float) * K(NUM_PARAMS));
	float *x = malloc(sizeof(float) * (size_t)T * batch * I);
	float *out = malloc(sizeof(float) * out_per_seq * batch);
	float *ws = malloc(sizeof(float) * FN(workspace_floats)(batch));
	float *state = malloc(sizeof(float) * K(STATE_FLOATS));
	float *x_t = malloc(sizeof(float) * I), *o_t = malloc(sizeof(float) * O);
	if (!params || !x || !out || !ws || !state || !x_t || !o_t)
		return 1;
#ifdef WEIGHTS
	const float *p = FN(weights);
	const char *which = "trained weights";
#else
	const float *p = params;
	const char *which = "untrained parameters, seed 1";
	FN(init)(params, 1);
#endif
	for (size_t i = 0; i < (size_t)T * batch * I; i++)
		x[i] = uniform() < 0.3 ? 1.0f : 0.0f;

	double t0 = now();
	for (int r = 0; r < reps; r++)
		FN(forward)(p, x, batch, out, ws);
	double dt = (now() - t0) / reps;
	printf("forward: %d sequences of %d steps in %.2f ms (%.0f sequences/s)\n", batch, T, 1e3 * dt,
	       batch / dt);
	printf("outputs of sequence 0 (%s):", which);
	for (int o = 0; o < O; o++)
		printf(" %.3f", (double)out[(TIMED ? (size_t)(T - 1) * batch * O : 0) + (size_t)o]);
	printf("\n");

	/* Streaming: sequence 0, one step per call. */
	FN(stream_reset)(state);
	double maxdiff = 0;
	for (int t = 0; t < T; t++) {
		for (int i = 0; i < I; i++)
			x_t[i] = x[((size_t)t * batch) * I + (size_t)i];
		FN(stream_step)(p, state, x_t, o_t);
		for (int o = 0; TIMED && o < O; o++)
			maxdiff = fmax(maxdiff, fabs(o_t[o] - out[(size_t)t * batch * O + (size_t)o]));
	}
	for (int o = 0; !TIMED && o < O; o++)
		maxdiff = fmax(maxdiff, fabs(o_t[o] - out[o]));
	printf("stream_step() vs batch forward(): max difference %.3g\n", maxdiff);
	free(params), free(x), free(out), free(ws), free(state), free(x_t), free(o_t);
	return maxdiff < 1e-5 ? 0 : 1;
}
