/* make_npy.c: the .npy data sets of tests/npy/run_npy.sh and of
 * examples/npy_classify.snn (`make example-data`), generated, never
 * committed.
 *
 *   make_npy task PREFIX N T I C XDTYPE XMODE YKIND SEED
 *       PREFIX_x.npy (T, N, I) and PREFIX_y.npy: a learnable task of C
 *       classes. Sample n has class n % C (so every split holds each class)
 *       and at every step each of its class's I / C input channels is on
 *       with probability 0.7, every other channel with 0.1. XMODE spikes
 *       writes the 0/1 draws (XDTYPE f4, f8, u1, b1 or i4), XMODE intensity
 *       the probabilities themselves (f4 or f8; u1: as 0..255, like image
 *       pixels). YKIND: i4, i8 or u1 labels
 *       (N,); step, i4 labels (T, N), the class at every step; target, f4
 *       (T, N, 1), the class / (C - 1) at every step.
 *   make_npy nan PATH T N I t n i
 *       f4 zeros (T, N, I) with a NaN at [t, n, i].
 *
 * Exit 0, or 1 with a message. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "io/npy.h"

static uint64_t state;

/* xorshift64*: uniform in [0, 1) */
static double uniform(void)
{
	state ^= state >> 12;
	state ^= state << 25;
	state ^= state >> 27;
	return (double)((state * 2685821657736338717ull) >> 11) / 9007199254740992.0;
}

/* Writes n values v (doubles) to path as dtype with shape. */
static int write_as(const char *path, const char *dtype, int ndim, const long *shape, const double *v, size_t n)
{
	char err[512];
	size_t item = npy_dtype_size(dtype);
	unsigned char *buf = malloc(n * item + 1);
	if (!buf)
		return 1;
	for (size_t k = 0; k < n; k++) {
		unsigned char *p = buf + k * item;
		float f = (float)v[k];
		int32_t i4 = (int32_t)v[k];
		int64_t i8 = (int64_t)v[k];
		if (!strcmp(dtype, "f4"))
			memcpy(p, &f, 4);
		else if (!strcmp(dtype, "f8"))
			memcpy(p, &v[k], 8);
		else if (!strcmp(dtype, "i4"))
			memcpy(p, &i4, 4);
		else if (!strcmp(dtype, "i8"))
			memcpy(p, &i8, 8);
		else
			*p = (unsigned char)v[k];
	}
	int rc = npy_write(path, dtype, ndim, shape, buf, err, sizeof err);
	if (rc)
		fprintf(stderr, "make_npy: %s\n", err);
	free(buf);
	return rc != 0;
}

static int task(char **a)
{
	char path[1024];
	long N = atol(a[1]), T = atol(a[2]), I = atol(a[3]), C = atol(a[4]);
	const char *xdtype = a[5], *mode = a[6], *ykind = a[7];
	state = 0x9e3779b97f4a7c15ull ^ (uint64_t)atoll(a[8]);
	if (N < 0 || T < 1 || I < 1 || C < 2 || I < C) {
		fprintf(stderr, "make_npy: need N >= 0, T >= 1, C >= 2 and I >= C\n");
		return 1;
	}
	double *x = malloc(sizeof(double) * (size_t)(T * N * I + 1)), *y = malloc(sizeof(double) * (size_t)(T * N + 1));
	if (!x || !y)
		return 1;
	for (long t = 0; t < T; t++)
		for (long n = 0; n < N; n++)
			for (long i = 0; i < I; i++) {
				double p = i / (I / C) == n % C ? 0.7 : 0.1;
				x[(t * N + n) * I + i] = strcmp(mode, "intensity") ? uniform() < p
							 : strcmp(xdtype, "u1") ? p : floor(p * 255 + 0.5);
			}
	int step = !strcmp(ykind, "step"), target = !strcmp(ykind, "target");
	for (long t = 0; t < (step || target ? T : 1); t++)
		for (long n = 0; n < N; n++)
			y[t * N + n] = target ? (double)(n % C) / (double)(C - 1) : (double)(n % C);
	long xs[3] = {T, N, I}, ys1[1] = {N}, ys2[2] = {T, N}, ys3[3] = {T, N, 1};
	snprintf(path, sizeof path, "%s_x.npy", a[0]);
	int rc = write_as(path, xdtype, 3, xs, x, (size_t)(T * N * I));
	snprintf(path, sizeof path, "%s_y.npy", a[0]);
	if (!rc)
		rc = target ? write_as(path, "f4", 3, ys3, y, (size_t)(T * N))
		     : step ? write_as(path, "i4", 2, ys2, y, (size_t)(T * N))
			    : write_as(path, ykind, 1, ys1, y, (size_t)N);
	free(x);
	free(y);
	return rc;
}

static int nan_at(char **a)
{
	long T = atol(a[1]), N = atol(a[2]), I = atol(a[3]), t = atol(a[4]), n = atol(a[5]), i = atol(a[6]);
	long shape[3] = {T, N, I};
	double *x = calloc((size_t)(T * N * I + 1), sizeof *x);
	if (!x || t >= T || n >= N || i >= I)
		return 1;
	x[(t * N + n) * I + i] = NAN;
	int rc = write_as(a[0], "f4", 3, shape, x, (size_t)(T * N * I));
	free(x);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc == 11 && !strcmp(argv[1], "task"))
		return task(argv + 2);
	if (argc == 9 && !strcmp(argv[1], "nan"))
		return nan_at(argv + 2);
	fprintf(stderr, "usage: make_npy task PREFIX N T I C XDTYPE XMODE YKIND SEED\n"
		"       make_npy nan PATH T N I t n i\n");
	return 1;
}
