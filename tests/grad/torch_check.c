/* torch_check.c: an emitted model's loss and gradients against PyTorch
 * autograd. Built against one model's emitted C with -DMODEL=name
 * -DMODEL_UPPER=NAME -DLABEL_IS_CLASS=1|0 -include DIR/name.h (as
 * fd_check.c), linked with build/libspikec.a for io/npy.c.
 *
 * usage: torch_check FIXTURE_DIR
 *
 * FIXTURE_DIR is tests/fixtures/grad/NAME (made by
 * tests/torch/make_grad_fixtures.py): the parameters by checkpoint name, x,
 * labels (int32, cross_entropy) or targets (float32, mse), and the float64
 * reference loss and grad.<param>. The parameters are loaded by name into the
 * flat array through MODEL_tensors[]; forward_train then backward run on the
 * fixture's batch. The loss must be within LOSS_TOL (relative) of torch's;
 * each gradient tensor normwise within GRAD_TOL (||g - g_t|| / ||g_t||) and
 * elementwise within GRAD_TOL * max|g_t| + GRAD_ABS. A last test runs both
 * again into the same grads, which must then hold twice the gradient
 * (backward adds), within ADD_TOL normwise (adding into nonzero grads rounds
 * differently). One line per test, then `N passed, M failed`; exits 1 on
 * a failure, 2 when the fixture does not fit the model. */
#include "io/layout.h"
#include "io/npy.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define FN(name) CAT(CAT(MODEL, _), name)
#define K(name) CAT(CAT(MODEL_UPPER, _), name)
#define STR_(a) #a
#define STR(a) STR_(a)

#ifndef LABEL_IS_CLASS
#error "define LABEL_IS_CLASS: 1 for cross_entropy (int32 labels), 0 for mse (float targets)"
#endif
#if LABEL_IS_CLASS
typedef int32_t label_t;
#define LABEL_FILE "labels"
#define LABEL_DTYPE "i4"
#else
typedef float label_t;
#define LABEL_FILE "targets"
#define LABEL_DTYPE "f4"
#endif

/* A model with dropout (-DCHECK_DROPOUT) draws its masks under this key,
 * make_grad_fixtures.py's DROPOUT_KEY. */
#define DROPOUT_SEED 7
#define DROPOUT_STEP 3
#define DROPOUT_ROW0 5

#define LOSS_TOL 1e-5
#define GRAD_TOL 1e-4
#define GRAD_ABS 1e-7
#define ADD_TOL 1e-6   /* float32 rounding of adding into nonzero grads */

static const char *fixture;
static int npass, nfail;

static void verdict(int ok)
{
	npass += ok;
	nfail += !ok;
}

/* Reads FIXTURE/NAME.npy of the given dtype; exits 2 if it cannot. */
static NpyArray load(const char *name, const char *dtype)
{
	char path[4096], err[512];
	NpyArray a;

	snprintf(path, sizeof path, "%s/%s.npy", fixture, name);
	if (npy_read(path, &a, err, sizeof err) != 0) {
		fprintf(stderr, "torch_check: %s\n", err);
		exit(2);
	}
	if (strcmp(a.dtype, dtype) != 0) {
		fprintf(stderr, "torch_check: %s: dtype %s, expected %s; "
			"regenerate with tests/torch/make_grad_fixtures.py\n", path, a.dtype, dtype);
		exit(2);
	}
	return a;
}

/* Exits 2 unless a's shape is the n dims of want. */
static void expect_shape(const char *name, const NpyArray *a, int n, const long *want)
{
	int ok = a->ndim == n;
	for (int d = 0; ok && d < n; d++)
		ok = a->shape[d] == want[d];
	if (!ok) {
		fprintf(stderr, "torch_check: %s/%s.npy: shape (", fixture, name);
		for (int d = 0; d < a->ndim; d++)
			fprintf(stderr, "%s%ld", d ? ", " : "", a->shape[d]);
		fprintf(stderr, ") does not fit model %s (", STR(MODEL));
		for (int d = 0; d < n; d++)
			fprintf(stderr, "%s%ld", d ? ", " : "", want[d]);
		fprintf(stderr, "); is the fixture made for this model?\n");
		exit(2);
	}
}

/* The tensor's shape from the model's table, as longs; returns its rank. */
static int tensor_shape(int k, long *shape)
{
	int rank = FN(tensors)[k].rank;
	for (int d = 0; d < rank; d++)
		shape[d] = FN(tensors)[k].shape[d];
	return rank;
}

/* One gradient tensor: n floats of got against the float64 want. */
static void compare_grad(const char *name, const float *got, const double *want, size_t n)
{
	double diff2 = 0, want2 = 0, maxw = 0, maxd = 0;

	for (size_t k = 0; k < n; k++) {
		double d = fabs((double)got[k] - want[k]);
		diff2 += d * d;
		want2 += want[k] * want[k];
		if (fabs(want[k]) > maxw)
			maxw = fabs(want[k]);
		if (!(d <= maxd))   /* also catches NaN */
			maxd = d;
	}
	double norm_err = sqrt(diff2) / (want2 > 0 ? sqrt(want2) : 1.0);
	double elem_tol = GRAD_TOL * maxw + GRAD_ABS;
	int ok = norm_err <= GRAD_TOL && maxd <= elem_tol && want2 > 0;
	verdict(ok);
	printf("%s grad %-16s |g| %.3e  normwise rel err %.2e  max |diff| %.2e (allowed %.2e)%s\n",
		ok ? "ok  " : "FAIL", name, sqrt(want2), norm_err, maxd, elem_tol,
		want2 > 0 ? "" : "  reference gradient is zero");
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: torch_check FIXTURE_DIR  (tests/fixtures/grad/NAME)\n");
		return 2;
	}
	fixture = argv[1];
	const long np = K(NUM_PARAMS);
	const long T = K(STEPS), I = K(INPUTS), O = K(OUTPUTS);
	float *params = calloc((size_t)np, sizeof(float));
	float *grads = calloc((size_t)np, sizeof(float));
	double *want = calloc((size_t)np, sizeof(double));
	if (!params || !grads || !want) {
		fprintf(stderr, "torch_check: out of memory\n");
		return 2;
	}

	/* Parameters and reference gradients, by checkpoint name. */
	for (int k = 0; FN(tensors)[k].name; k++) {
		const char *name = FN(tensors)[k].name;
		char gname[512];
		long shape[2];
		int rank = tensor_shape(k, shape);
		NpyArray a = load(name, "f4");
		expect_shape(name, &a, rank, shape);
		layout_from_torch(params + FN(tensors)[k].offset, a.data, rank, FN(tensors)[k].shape);
		npy_free(&a);
		snprintf(gname, sizeof gname, "grad.%s", name);
		a = load(gname, "f8");
		expect_shape(gname, &a, rank, shape);
		memcpy(want + FN(tensors)[k].offset, a.data, sizeof(double) * a.count);
		npy_free(&a);
	}

	/* Inputs (T, B, I); labels (B) or (T, B); targets shaped like y. */
	NpyArray x = load("x", "f4");
	if (x.ndim != 3) {
		fprintf(stderr, "torch_check: %s/x.npy: rank %d, expected 3 (T, B, I)\n", fixture, x.ndim);
		return 2;
	}
	const int batch = (int)x.shape[1];
	long xshape[3] = {T, batch, I};
	expect_shape("x", &x, 3, xshape);
	NpyArray lab = load(LABEL_FILE, LABEL_DTYPE);
	long lshape[3], *ls = lshape;
	if (K(OUTPUT_TIMED))
		*ls++ = T;
	*ls++ = batch;
	if (!LABEL_IS_CLASS)
		*ls++ = O;
	expect_shape(LABEL_FILE, &lab, (int)(ls - lshape), lshape);
#if LABEL_IS_CLASS
	for (size_t k = 0; k < lab.count; k++)
		if (((const int32_t *)lab.data)[k] < 0 || ((const int32_t *)lab.data)[k] >= O) {
			fprintf(stderr, "torch_check: %s/labels.npy: label %ld out of range\n", fixture,
				(long)((const int32_t *)lab.data)[k]);
			return 2;
		}
#endif
	NpyArray lw = load("loss", "f8");
	expect_shape("loss", &lw, 0, NULL);
	const double loss_t = *(const double *)lw.data;
	const label_t *labels = lab.data;
	const float *xs = x.data;

	float *ws = malloc(sizeof(float) * FN(train_workspace_floats)(batch));
	if (!ws) {
		fprintf(stderr, "torch_check: out of memory\n");
		return 2;
	}
#ifdef CHECK_DROPOUT
	FN(dropout_key)(ws, batch, DROPOUT_SEED, DROPOUT_STEP, DROPOUT_ROW0);
#endif
	double loss = FN(forward_train)(params, xs, labels, batch, NULL, ws);
	FN(zero_grad)(grads);
	FN(backward)(params, xs, labels, batch, grads, ws);

	double lerr = fabs(loss - loss_t) / fabs(loss_t);
	int ok = lerr <= LOSS_TOL;
	verdict(ok);
	printf("%s loss %.8f  torch %.8f  rel err %.2e\n", ok ? "ok  " : "FAIL", loss, loss_t, lerr);

	for (int k = 0; FN(tensors)[k].name; k++) {
		long shape[2], n = 1;
		int rank = tensor_shape(k, shape);
		for (int d = 0; d < rank; d++)
			n *= shape[d];
		long off = FN(tensors)[k].offset;
		float *g = malloc(sizeof(float) * (size_t)n);  /* PyTorch's order, as the fixtures */
		if (!g) {
			fprintf(stderr, "torch_check: out of memory\n");
			return 2;
		}
		layout_to_torch(g, grads + off, rank, FN(tensors)[k].shape);
		compare_grad(FN(tensors)[k].name, g, want + off, (size_t)n);
		free(g);
	}

	/* backward adds into grads: a second pass doubles them. */
	float *once = malloc(sizeof(float) * (size_t)np);
	if (!once) {
		fprintf(stderr, "torch_check: out of memory\n");
		return 2;
	}
	memcpy(once, grads, sizeof(float) * (size_t)np);
	FN(forward_train)(params, xs, labels, batch, NULL, ws);
	FN(backward)(params, xs, labels, batch, grads, ws);
	double d2 = 0, w2 = 0;
	for (long k = 0; k < np; k++) {
		double e = (double)grads[k] - 2.0 * once[k];
		d2 += e * e;
		w2 += 4.0 * (double)once[k] * once[k];
	}
	double add_err = sqrt(d2) / (w2 > 0 ? sqrt(w2) : 1.0);
	ok = add_err <= ADD_TOL;
	verdict(ok);
	printf("%s backward adds: a second pass gives twice the gradient (normwise rel err %.2e)\n",
		ok ? "ok  " : "FAIL", add_err);

	printf("%d passed, %d failed\n", npass, nfail);
	free(once);
	free(ws);
	npy_free(&lw);
	npy_free(&lab);
	npy_free(&x);
	free(want);
	free(grads);
	free(params);
	return nfail ? 1 : 0;
}
