/* fd_check.c: the gradients of an emitted model against central finite
 * differences of its loss. Built against one model's emitted C with
 * -DMODEL=name -DMODEL_UPPER=NAME -include DIR/name.h; models must be smooth
 * (no spikes, or spikes replaced by their surrogate's primitive).
 *
 * With -DCHECK_INPUT_GRADS (models emitted with --input-grads) it also
 * checks d loss / d x; with -DCHECK_DROPOUT (models with dropout) it draws
 * every pass's masks under one key (seed 7, step 3, row0 5).
 *
 * usage: fd_check [--seed N] [--batch B] [--samples K] [--tol REL]
 * Prints one line per checked parameter element and `N passed, M failed`. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define FN(name) CAT(CAT(MODEL, _), name)
#define K(name) CAT(CAT(MODEL_UPPER, _), name)

static unsigned long long rng = 0x9e3779b97f4a7c15ULL;
static double uniform(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) / 9007199254740992.0;
}

#ifndef LABEL_T
#define LABEL_T int32_t
#endif

int main(int argc, char **argv)
{
	int batch = 3, samples = 40;
	double tol = 2e-2;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--seed"))
			rng = strtoull(argv[i + 1], NULL, 10) * 0x9e3779b97f4a7c15ULL + 1;
		else if (!strcmp(argv[i], "--batch"))
			batch = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--samples"))
			samples = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--tol"))
			tol = atof(argv[i + 1]);
	}
	const long np = K(NUM_PARAMS);
	const int T = K(STEPS), I = K(INPUTS), O = K(OUTPUTS);
	float *p = malloc(sizeof(float) * np), *g = malloc(sizeof(float) * np);
	float *x = malloc(sizeof(float) * T * batch * I);
	float *ws = malloc(sizeof(float) * FN(train_workspace_floats)(batch));
	size_t nl = (size_t)batch * (K(OUTPUT_TIMED) ? T : 1) * (LABEL_IS_CLASS ? 1 : O);
	LABEL_T *labels = malloc(sizeof(LABEL_T) * nl);
	FN(init)(p, 7);
	for (long i = 0; i < np; i++)  /* biases too: no parameter left at zero */
		p[i] += (float)(0.2 * (uniform() - 0.5));
	for (long i = 0; i < (long)T * batch * I; i++)
		x[i] = (float)uniform();
	for (size_t i = 0; i < nl; i++)
		labels[i] = LABEL_IS_CLASS ? (LABEL_T)(uniform() * O) : (LABEL_T)uniform();
#ifdef CHECK_DROPOUT  /* every pass below draws the same masks */
	FN(dropout_key)(ws, batch, 7, 3, 5);
#endif
	FN(forward_train)(p, x, labels, batch, NULL, ws);
	FN(zero_grad)(g);
#ifdef CHECK_INPUT_GRADS
	float *dx = malloc(sizeof(float) * T * batch * I);
	FN(backward_inputs)(p, x, labels, batch, g, dx, ws);
#else
	FN(backward)(p, x, labels, batch, g, ws);
#endif
	int passed = 0, failed = 0;
	for (int s = 0; s < samples; s++) {
		long i = s < K(NUM_TENSORS) ? FN(tensors)[s].offset : (long)(uniform() * np);
		float keep = p[i], h = 1e-2f * fmaxf(1.0f, fabsf(keep));
		p[i] = keep + h;
		double lp = FN(forward_train)(p, x, labels, batch, NULL, ws);
		p[i] = keep - h;
		double lm = FN(forward_train)(p, x, labels, batch, NULL, ws);
		p[i] = keep;
		double fd = (lp - lm) / (2.0 * h), an = g[i];
		double err = fabs(fd - an) / fmax(1e-3, fmax(fabs(fd), fabs(an)));
		int ok = err <= tol;
		passed += ok;
		failed += !ok;
		printf("%s param[%ld] analytic %+.6e  finite difference %+.6e  rel err %.2e\n", ok ? "ok  " : "FAIL", i,
		       an, fd, err);
	}
#ifdef CHECK_INPUT_GRADS
	/* d loss / d x, for models emitted with --input-grads. */
	for (int s = 0; s < samples / 2; s++) {
		long i = (long)(uniform() * T * batch * I);
		float keep = x[i], h = 1e-2f;
		x[i] = keep + h;
		double lp = FN(forward_train)(p, x, labels, batch, NULL, ws);
		x[i] = keep - h;
		double lm = FN(forward_train)(p, x, labels, batch, NULL, ws);
		x[i] = keep;
		double fd = (lp - lm) / (2.0 * h), an = dx[i];
		double err = fabs(fd - an) / fmax(1e-3, fmax(fabs(fd), fabs(an)));
		int ok = err <= tol;
		passed += ok;
		failed += !ok;
		printf("%s input[%ld] analytic %+.6e  finite difference %+.6e  rel err %.2e\n", ok ? "ok  " : "FAIL", i,
		       an, fd, err);
	}
	free(dx);
#endif
	printf("%d passed, %d failed\n", passed, failed);
	free(p), free(g), free(x), free(ws), free(labels);
	return failed ? 1 : 0;
}
