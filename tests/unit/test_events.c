/* runtime/events: the spike-event products against a scalar loop that adds
 * in the order events.h promises (bit for bit), against a double reference,
 * on shapes that exercise every block edge, the gradient product's
 * declining when x is too dense, and spikes packed as bits and back. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "runtime/events.h"

static unsigned seed_ = 12345u;

static float frand(void)
{
	seed_ = seed_ * 1103515245u + 12345u;
	return (float)((seed_ >> 8) & 0xffff) / 32768.0f - 1.0f;
}

static float *spikes(long n, double rate)
{
	float *x = malloc(sizeof *x * (size_t)n);
	for (long i = 0; i < n; i++)
		x[i] = (frand() + 1.0f) / 2.0f < rate ? 1.0f : 0.0f;
	return x;
}

static float *floats(long n)
{
	float *x = malloc(sizeof *x * (size_t)n);
	for (long i = 0; i < n; i++)
		x[i] = frand();
	return x;
}

/* The shapes: rows past a multiple of 8, m past a multiple of 32, k past
 * one block of 256 inputs, and the degenerate ones. */
static const int shapes[][3] = {{1, 1, 1}, {1, 800, 200}, {3, 40, 7}, {8, 32, 256}, {13, 70, 300},
				{100, 33, 28}, {9, 31, 513}};

static void test_events_xwt_order(void)
{
	for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
		for (int beta = 0; beta < 2; beta++) {
			int R = shapes[s][0], M = shapes[s][1], K = shapes[s][2];
			float *x = spikes((long)R * K, 0.2), *wt = floats((long)K * M), *out = floats((long)R * M);
			float *want = malloc(sizeof *want * (size_t)R * M);
			double maxerr = 0;
			for (int r = 0; r < R; r++)
				for (int j = 0; j < M; j++) {
					float a = beta ? out[r * M + j] : 0.0f;
					double d = a;
					for (int q = 0; q < K; q++)
						if (x[r * K + q] != 0.0f)
							a += wt[q * M + j], d += wt[q * M + j];
					want[r * M + j] = a;
					maxerr = fmax(maxerr, fabs(d - a));
				}
			spk_events_xwt(R, M, K, x, wt, out, (float)beta);
			CU_ASSERT_EQUAL(memcmp(out, want, sizeof *out * (size_t)R * M), 0);
			CU_ASSERT(maxerr < 1e-4);
			free(x), free(wt), free(out), free(want);
		}
}

static void test_events_outer_order(void)
{
	for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
		for (int beta = 0; beta < 2; beta++) {
			int R = shapes[s][0], M = shapes[s][1], K = shapes[s][2];
			float *x = spikes((long)R * K, 0.2), *d = floats((long)R * M), *gt = floats((long)K * M);
			float *want = malloc(sizeof *want * (size_t)K * M);
			for (int q = 0; q < K; q++)
				for (int j = 0; j < M; j++) {
					float a = beta ? gt[q * M + j] : 0.0f;
					for (int r = 0; r < R; r++)
						if (x[r * K + q] != 0.0f)
							a += d[r * M + j];
					want[q * M + j] = a;
				}
			CU_ASSERT_EQUAL(spk_events_outer(R, M, K, d, x, gt, (float)beta), 1);
			CU_ASSERT_EQUAL(memcmp(gt, want, sizeof *gt * (size_t)K * M), 0);
			free(x), free(d), free(gt), free(want);
		}
}

/* Any nonzero spike counts as 1; beta 0 ignores what out held (even NaN). */
static void test_events_values(void)
{
	float x[6] = {0.0f, 2.0f, -1.0f, 0.0f, 0.0f, 0.0f};
	float wt[6 * 2] = {1, 2, 10, 20, 100, 200, 1e3f, 2e3f, 1e4f, 2e4f, 1e5f, 2e5f};
	float out[2] = {NAN, NAN};
	spk_events_xwt(1, 2, 6, x, wt, out, 0.0f);
	CU_ASSERT_EQUAL(out[0], 110.0f);
	CU_ASSERT_EQUAL(out[1], 220.0f);
}

/* The gradient product: above the density limit (with a block of rows or
 * more) nothing is touched and 0 says "run the GEMM". */
static void test_events_decline(void)
{
	int R = 10, M = 40, K = 50;
	float *x = spikes((long)R * K, 0.9);
	float *d = floats((long)R * M), *gt = floats((long)K * M);
	float *gt0 = malloc(sizeof *gt0 * (size_t)K * M);
	memcpy(gt0, gt, sizeof *gt * (size_t)K * M);
	CU_ASSERT_EQUAL(spk_events_outer(R, M, K, d, x, gt, 1.0f), 0);
	CU_ASSERT_EQUAL(memcmp(gt, gt0, sizeof *gt * (size_t)K * M), 0);
	/* Exactly at the limit it still takes the product. */
	for (int i = 0; i < R * K; i++)
		x[i] = i % 10 < 3;  /* density 0.3 */
	CU_ASSERT_EQUAL(spk_events_outer(R, M, K, d, x, gt, 1.0f), 1);
	/* Fewer rows than a block: events, however dense. */
	for (int i = 0; i < R * K; i++)
		x[i] = 1.0f;
	CU_ASSERT_EQUAL(spk_events_outer(SPK_EV_ROWS - 1, M, K, d, x, gt, 1.0f), 1);
	free(x), free(d), free(gt), free(gt0);
}

/* Bits: the layout events.h states (bit q % 32 of word q / 32, zero
 * padding), any nonzero packing as 1, and unpacking giving 0/1 back. */
static void test_bits_round_trip(void)
{
	enum { R = 3, N = 40, W = 2 };
	float *x = spikes((long)R * N, 0.4), y[R * N];
	uint32_t bits[R * W];
	x[5] = -2.5f, x[N + 33] = 0.25f;  /* nonzero: a spike */
	memset(bits, 0xff, sizeof bits);
	spk_bits_pack(R, N, x, bits);
	for (int r = 0; r < R; r++) {
		for (int q = 0; q < N; q++)
			CU_ASSERT_EQUAL((bits[r * W + q / 32] >> (q % 32)) & 1u, x[r * N + q] != 0.0f);
		CU_ASSERT_EQUAL(bits[r * W + 1] >> (N - 32), 0u);
	}
	spk_bits_unpack(R, N, bits, y);
	for (int i = 0; i < R * N; i++)
		CU_ASSERT_EQUAL(y[i], x[i] != 0.0f ? 1.0f : 0.0f);
	free(x);
}

UNIT_SUITE(events, "runtime/events",
	UNIT_TEST(test_bits_round_trip),
	UNIT_TEST(test_events_xwt_order),
	UNIT_TEST(test_events_outer_order),
	UNIT_TEST(test_events_values),
	UNIT_TEST(test_events_decline))
