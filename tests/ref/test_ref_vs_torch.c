/* test_ref_vs_torch.c: the reference cells (ref_cells.c) against PyTorch.
 *
 *   test_ref_vs_torch FIXTURE_DIR...
 *
 * Each FIXTURE_DIR is one of tests/fixtures/torch/NAME (made by
 * tests/torch/make_fixtures.py): weight_ih, weight_hh, bias, x, h, c as .npy,
 * plus theta and binary_cell for an slstm fixture. The reference runs on the
 * fixture's weights and x; for lstm its h and c must be within 1e-5 of
 * torch's, for slstm identical (the fixture keeps every spike decision at
 * least 1e-4 from its threshold, so no rounding order can flip one). Prints
 * the largest error of each array, then `N passed, M failed`; exits 1 on a
 * failure, 2 when a fixture cannot be read.
 */
#include "ref_cells.h"
#include "io/npy.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LSTM_TOL 1e-5

static int npass, nfail;

/* Loads DIR/NAME.npy as floats and checks its rank; exits 2 on any error. */
static float *load(const char *dir, const char *name, int ndim, long *shape)
{
	char path[4096], err[512];
	NpyArray a;
	float *f;

	snprintf(path, sizeof path, "%s/%s.npy", dir, name);
	if (npy_read(path, &a, err, sizeof err) != 0) {
		fprintf(stderr, "test_ref_vs_torch: %s\n", err);
		exit(2);
	}
	if (a.ndim != ndim) {
		fprintf(stderr, "test_ref_vs_torch: %s: rank %d, expected %d; "
			"regenerate with tests/torch/make_fixtures.py\n",
			path, a.ndim, ndim);
		exit(2);
	}
	memcpy(shape, a.shape, sizeof(long) * (ndim ? ndim : 1));
	f = npy_as_f32(&a);
	npy_free(&a);
	if (!f) {
		fprintf(stderr, "test_ref_vs_torch: %s: not a numeric array\n", path);
		exit(2);
	}
	return f;
}

static int exists(const char *dir, const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s.npy", dir, name);
	f = fopen(path, "rb");
	if (f)
		fclose(f);
	return f != NULL;
}

/* One test: got against want, n floats; tol < 0 means identical. */
static void compare(const char *fixture, const char *what, const float *got,
	const float *want, size_t n, double tol)
{
	double maxerr = 0;
	size_t bad = 0;

	for (size_t k = 0; k < n; k++) {
		double e = fabs((double)got[k] - want[k]);
		if (!(e <= maxerr))   /* also catches NaN */
			maxerr = e;
		if (tol < 0 ? got[k] != want[k] : !(e <= tol))
			bad++;
	}
	if (bad) {
		nfail++;
		printf("FAIL %s %s: %zu of %zu values differ, max |err| %.3g "
			"(tolerance %s)\n", fixture, what, bad, n, maxerr,
			tol < 0 ? "identical" : "1e-5");
	} else {
		npass++;
		printf("ok   %s %s: max |err| %.3g\n", fixture, what, maxerr);
	}
}

/* The last component of dir, without trailing slashes. */
static void fixture_name(const char *dir, char *name, size_t size)
{
	size_t end = strlen(dir), start;

	while (end > 1 && dir[end - 1] == '/')
		end--;
	start = end;
	while (start > 0 && dir[start - 1] != '/')
		start--;
	snprintf(name, size, "%.*s", (int)(end - start), dir + start);
}

static void check_fixture(const char *dir)
{
	long s_wih[2], s_whh[2], s_b[1], s_x[3], s_h[3], s_c[3], s_1[1];
	float *w_ih = load(dir, "weight_ih", 2, s_wih);
	float *w_hh = load(dir, "weight_hh", 2, s_whh);
	float *bias = load(dir, "bias", 1, s_b);
	float *x = load(dir, "x", 3, s_x);
	float *h = load(dir, "h", 3, s_h);
	float *c = load(dir, "c", 3, s_c);
	int T = (int)s_x[0], B = (int)s_x[1], I = (int)s_x[2], H = (int)s_whh[1];
	char name[256];
	size_t n = (size_t)T * B * H;
	float *h_ref = malloc(n * sizeof *h_ref), *c_ref = malloc(n * sizeof *c_ref);

	fixture_name(dir, name, sizeof name);
	if (s_wih[0] != 4 * H || s_wih[1] != I || s_whh[0] != 4 * H
		|| s_b[0] != 4 * H || s_h[0] != T || s_h[1] != B || s_h[2] != H
		|| s_c[0] != T || s_c[1] != B || s_c[2] != H || !h_ref || !c_ref) {
		fprintf(stderr, "test_ref_vs_torch: %s: inconsistent shapes; "
			"regenerate with tests/torch/make_fixtures.py\n", dir);
		exit(2);
	}
	if (exists(dir, "theta")) {
		float *theta = load(dir, "theta", 1, s_1);
		float *binary = load(dir, "binary_cell", 1, s_1);
		ref_slstm_forward(T, B, I, H, w_ih, w_hh, bias, theta[0],
			binary[0] != 0, x, h_ref, c_ref);
		compare(name, "slstm h", h_ref, h, n, -1);
		compare(name, "slstm c", c_ref, c, n, -1);
		free(theta);
		free(binary);
	} else {
		ref_lstm_forward(T, B, I, H, w_ih, w_hh, bias, x, h_ref, c_ref);
		compare(name, "lstm h", h_ref, h, n, LSTM_TOL);
		compare(name, "lstm c", c_ref, c, n, LSTM_TOL);
	}
	free(w_ih), free(w_hh), free(bias), free(x), free(h), free(c);
	free(h_ref), free(c_ref);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: test_ref_vs_torch FIXTURE_DIR...\n"
			"  (the directories under tests/fixtures/torch)\n");
		return 2;
	}
	for (int k = 1; k < argc; k++)
		check_fixture(argv[k]);
	printf("%d passed, %d failed\n", npass, nfail);
	return nfail ? 1 : 0;
}
