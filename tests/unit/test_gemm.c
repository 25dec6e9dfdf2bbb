/* runtime/gemm: OpenBLAS (gemm_sgemm) and the portable loops against a naive
 * double-precision reference, for every transpose combination. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "runtime/gemm.h"
#include "runtime/gemm_portable.h"

typedef void (*GemmFn)(int, int, int, int, int, float, const float *, int,
	const float *, int, float, float *, int);

static float frand(unsigned *s)
{
	*s = *s * 1103515245u + 12345u;
	return (float)((*s >> 8) & 0xffff) / 32768.0f - 1.0f;
}

/* Runs fn on random operands with padded strides and checks each element of
 * C against the double reference within 1e-5 of sum |alpha a b| + |beta c|. */
static int check_case(GemmFn fn, int ta, int tb, int m, int n, int k, float alpha, float beta)
{
	int ar = ta ? k : m, ac = ta ? m : k, br = tb ? n : k, bc = tb ? k : n;
	int lda = ac + 3, ldb = bc + 2, ldc = n + 1;
	float *a = malloc(sizeof *a * (size_t)(ar * lda + 1));
	float *b = malloc(sizeof *b * (size_t)(br * ldb + 1));
	float *c = malloc(sizeof *c * (size_t)(m * ldc + 1));
	float *c0 = malloc(sizeof *c0 * (size_t)(m * ldc + 1));
	unsigned seed = (unsigned)(m * 131 + n * 17 + k * 7 + ta * 3 + tb);
	int ok = 1;

	for (int i = 0; i < ar * lda; i++)
		a[i] = frand(&seed);
	for (int i = 0; i < br * ldb; i++)
		b[i] = frand(&seed);
	for (int i = 0; i < m * ldc; i++)
		c0[i] = beta == 0.0f ? NAN : frand(&seed);
	memcpy(c, c0, sizeof *c * (size_t)(m * ldc));
	fn(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);

	for (int i = 0; i < m; i++)
		for (int j = 0; j < ldc; j++) {
			float got = c[i * ldc + j];
			if (j >= n) {   /* padding is never touched */
				ok &= memcmp(&got, &c0[i * ldc + j], sizeof got) == 0;
				continue;
			}
			double ref = 0, scale = 0;
			for (int p = 0; p < k; p++) {
				double x = ta ? a[p * lda + i] : a[i * lda + p];
				double y = tb ? b[j * ldb + p] : b[p * ldb + j];
				ref += x * y;
				scale += fabs(x * y);
			}
			ref *= alpha;
			scale *= fabs(alpha);
			if (beta != 0.0f) {
				ref += (double)beta * c0[i * ldc + j];
				scale += fabs((double)beta * c0[i * ldc + j]);
			}
			ok &= fabs(got - ref) <= 1e-5 * scale + 1e-30;
		}
	free(a);
	free(b);
	free(c);
	free(c0);
	return ok;
}

static void check_all(GemmFn fn)
{
	static const int sizes[][3] = {{1, 1, 1}, {7, 13, 5}, {64, 33, 17}, {3, 1, 9}};
	static const float betas[] = {0.0f, 1.0f, 0.5f};

	for (int s = 0; s < 4; s++)
		for (int t = 0; t < 4; t++)
			for (int bi = 0; bi < 3; bi++) {
				const int *z = sizes[s];
				CU_ASSERT(check_case(fn, t & 1, t >> 1, z[0], z[1], z[2], 1.0f, betas[bi]));
				CU_ASSERT(check_case(fn, t & 1, t >> 1, z[0], z[1], z[2], -0.75f, betas[bi]));
			}
}

static void test_gemm_backend(void)
{
	const char *name = gemm_backend_name();
	CU_ASSERT(strcmp(name, "openblas") == 0 || strcmp(name, "portable") == 0);
	check_all(gemm_sgemm);
}

static void test_gemm_portable(void)
{
	check_all(spk_sgemm_portable);
}

/* The portable loops agree with OpenBLAS to rounding. */
static void test_gemm_portable_vs_blas(void)
{
	enum { M = 37, N = 29, K = 41 };
	float a[M * K], b[K * N], c1[M * N], c2[M * N];
	unsigned s = 99;

	for (int i = 0; i < M * K; i++)
		a[i] = frand(&s);
	for (int i = 0; i < K * N; i++)
		b[i] = frand(&s);
	for (int t = 0; t < 4; t++) {
		int ta = t & 1, tb = t >> 1;
		gemm_sgemm(ta, tb, M, N, K, 1.0f, a, ta ? M : K, b, tb ? K : N, 0.0f, c1, N);
		spk_sgemm_portable(ta, tb, M, N, K, 1.0f, a, ta ? M : K, b, tb ? K : N, 0.0f, c2, N);
		for (int i = 0; i < M * N; i++)
			CU_ASSERT(fabsf(c1[i] - c2[i]) <= 1e-5f * K);
	}
}

/* k == 0 and alpha == 0 leave beta * C; empty m or n touch nothing. A and
 * B hold all that the 2 x 1 by 1 x 2 product reads (OpenBLAS reads them even
 * when alpha is 0: a NaN past the end of a one-element B came out in C). */
static void test_gemm_degenerate(void)
{
	GemmFn fns[2] = {gemm_sgemm, spk_sgemm_portable};
	float a[2] = {5, 6}, b[2] = {7, 8};

	for (int f = 0; f < 2; f++) {
		float c[4] = {1, 2, 3, 4};
		fns[f](0, 0, 2, 2, 0, 1.0f, a, 1, b, 2, 0.5f, c, 2);
		CU_ASSERT(c[0] == 0.5f && c[1] == 1.0f && c[2] == 1.5f && c[3] == 2.0f);
		fns[f](0, 0, 2, 2, 1, 0.0f, a, 1, b, 2, 2.0f, c, 2);
		CU_ASSERT(c[0] == 1.0f && c[3] == 4.0f);
		fns[f](0, 0, 0, 2, 1, 1.0f, a, 1, b, 2, 0.0f, c, 2);
		CU_ASSERT(c[0] == 1.0f);
	}
}

UNIT_SUITE(gemm, "runtime/gemm",
	UNIT_TEST(test_gemm_backend),
	UNIT_TEST(test_gemm_portable),
	UNIT_TEST(test_gemm_portable_vs_blas),
	UNIT_TEST(test_gemm_degenerate))
