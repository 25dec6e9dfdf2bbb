/* runtime/vmath.h: spk_expf, spk_tanhf and spk_sigmoidf against the
 * correctly rounded results (computed in double by libm), in ulps of the
 * float result, over every 127th float (33 million values each; set
 * SPIKEC_VMATH_STRIDE=1 for every float, a few minutes), every float near
 * the overflow and underflow thresholds, and the special values.
 *
 * The bounds are the worst errors over all 2^32 floats (docs/emitted-c.md,
 * "Elementwise math"), rounded up: a change to a polynomial or to the
 * order of operations that loses accuracy fails here. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "runtime/vmath.h"

#define EXPF_ULP 1.0
#define TANHF_ULP 1.5
#define SIGMOIDF_ULP 2.0

typedef struct {
	const char *name;
	float (*fn)(float);
	double (*ref)(double);
} Fn;

static double sigmoid(double x)
{
	return 1.0 / (1.0 + exp(-x));
}

static const Fn fns[] = {{"spk_expf", spk_expf, exp}, {"spk_tanhf", spk_tanhf, tanh},
			 {"spk_sigmoidf", spk_sigmoidf, sigmoid}};

static float from_bits(uint32_t u)
{
	float f;
	memcpy(&f, &u, sizeof f);
	return f;
}

/* |y - ref| in units of the last place of ref rounded to float (2^-149 for
 * subnormals); a wrong infinity, zero-for-inf or NaN is an infinite error. */
static double ulp_error(float y, double ref)
{
	float r = (float)ref;
	if (y == r || (isnan(y) && isnan(ref)))
		return 0;
	if (isinf(y) || isinf(r) || isnan(y) || isnan(ref))
		return INFINITY;
	double a = fabs(ref);
	double ulp = a < 0x1p-126 ? 0x1p-149 : ldexp(1.0, ilogb(a) - 23);
	return fabs((double)y - ref) / ulp;
}

typedef struct {
	double worst;
	float at;
	long n;
} Sweep;

static void check(const Fn *f, float x, Sweep *s)
{
	double e = ulp_error(f->fn(x), f->ref(x));
	s->n++;
	if (e > s->worst || (isinf(e) && !isinf(s->worst)))
		s->worst = e, s->at = x;
}

/* Every stride-th finite float of either sign. */
static Sweep sweep_all(const Fn *f, uint32_t stride)
{
	Sweep s = {0, 0, 0};
	for (uint64_t u = 0; u < 0x7f800000u; u += stride) {
		check(f, from_bits((uint32_t)u), &s);
		check(f, from_bits((uint32_t)u | 0x80000000u), &s);
	}
	return s;
}

/* Every float in [lo, hi]. */
static void sweep_range(const Fn *f, float lo, float hi, Sweep *s)
{
	for (float x = lo; x <= hi; x = nextafterf(x, INFINITY))
		check(f, x, s);
}

static uint32_t stride(void)
{
	const char *e = getenv("SPIKEC_VMATH_STRIDE");
	long v = e ? atol(e) : 127;
	return v >= 1 ? (uint32_t)v : 127;
}

static void report(const Fn *f, Sweep s, double bound)
{
	printf("\n    %s: max %.3f ulp over %ld values (at %a) ", f->name, s.worst, s.n, s.at);
	CU_ASSERT(s.worst <= bound);
}

static void test_expf_accuracy(void)
{
	const Fn *f = &fns[0];
	Sweep s = sweep_all(f, stride());
	sweep_range(f, 88.0f, 89.5f, &s);      /* overflow: exp(88.7228394) > FLT_MAX */
	sweep_range(f, -88.0f, -86.5f, &s);    /* results become subnormal below -87.34 */
	sweep_range(f, -104.5f, -103.0f, &s);  /* ... and round to 0 below -103.97 */
	report(f, s, EXPF_ULP);
}

static void test_tanhf_accuracy(void)
{
	const Fn *f = &fns[1];
	Sweep s = sweep_all(f, stride());
	sweep_range(f, 0.6f, 0.65f, &s);       /* the switch from the polynomial to exp at 0.625 */
	sweep_range(f, -0.65f, -0.6f, &s);
	sweep_range(f, 8.5f, 9.5f, &s);        /* where the result becomes 1 */
	report(f, s, TANHF_ULP);
}

static void test_sigmoidf_accuracy(void)
{
	const Fn *f = &fns[2];
	Sweep s = sweep_all(f, stride());
	sweep_range(f, -88.0f, -86.5f, &s);    /* subnormal results */
	sweep_range(f, -104.5f, -103.0f, &s);  /* ... and 0 */
	sweep_range(f, 16.0f, 17.5f, &s);      /* where the result becomes 1 */
	report(f, s, SIGMOIDF_ULP);
}

static void test_special_values(void)
{
	float nan = from_bits(0x7fc00000u), tiny = from_bits(1);  /* 2^-149 */

	CU_ASSERT_EQUAL(spk_expf(0.0f), 1.0f);
	CU_ASSERT_EQUAL(spk_expf(-0.0f), 1.0f);
	CU_ASSERT_EQUAL(spk_expf(INFINITY), INFINITY);
	CU_ASSERT_EQUAL(spk_expf(-INFINITY), 0.0f);
	CU_ASSERT(isnan(spk_expf(nan)));
	CU_ASSERT(isnan(spk_expf(-nan)));
	CU_ASSERT_EQUAL(spk_expf(FLT_MAX), INFINITY);
	CU_ASSERT_EQUAL(spk_expf(-FLT_MAX), 0.0f);
	CU_ASSERT(spk_expf(88.7228317f) <= FLT_MAX);       /* the largest x with a finite exp */
	CU_ASSERT_EQUAL(spk_expf(88.7228394f), INFINITY);  /* the next float */
	CU_ASSERT(spk_expf(-100.0f) > 0 && spk_expf(-100.0f) < FLT_MIN);  /* subnormal, 3.7e-44 */
	CU_ASSERT_EQUAL(spk_expf(-103.2789f), tiny);       /* 1.4e-45 */
	CU_ASSERT_EQUAL(spk_expf(-104.0f), 0.0f);

	CU_ASSERT_EQUAL(spk_tanhf(0.0f), 0.0f);
	CU_ASSERT(!signbit(spk_tanhf(0.0f)));
	CU_ASSERT(spk_tanhf(-0.0f) == 0.0f && signbit(spk_tanhf(-0.0f)));
	CU_ASSERT_EQUAL(spk_tanhf(tiny), tiny);
	CU_ASSERT_EQUAL(spk_tanhf(-tiny), -tiny);
	CU_ASSERT_EQUAL(spk_tanhf(1e-20f), 1e-20f);
	CU_ASSERT_EQUAL(spk_tanhf(10.0f), 1.0f);
	CU_ASSERT_EQUAL(spk_tanhf(-10.0f), -1.0f);
	CU_ASSERT_EQUAL(spk_tanhf(50.0f), 1.0f);    /* exp(100) overflows to inf */
	CU_ASSERT_EQUAL(spk_tanhf(INFINITY), 1.0f);
	CU_ASSERT_EQUAL(spk_tanhf(-INFINITY), -1.0f);
	CU_ASSERT(isnan(spk_tanhf(nan)));

	CU_ASSERT_EQUAL(spk_sigmoidf(0.0f), 0.5f);
	CU_ASSERT_EQUAL(spk_sigmoidf(-0.0f), 0.5f);
	CU_ASSERT_EQUAL(spk_sigmoidf(INFINITY), 1.0f);
	CU_ASSERT_EQUAL(spk_sigmoidf(-INFINITY), 0.0f);
	CU_ASSERT_EQUAL(spk_sigmoidf(FLT_MAX), 1.0f);
	CU_ASSERT_EQUAL(spk_sigmoidf(-FLT_MAX), 0.0f);
	CU_ASSERT_EQUAL(spk_sigmoidf(20.0f), 1.0f);
	CU_ASSERT(spk_sigmoidf(-100.0f) > 0 && spk_sigmoidf(-100.0f) < FLT_MIN);  /* e^-100, not 0 */
	CU_ASSERT(isnan(spk_sigmoidf(nan)));
}

/* tanh is odd bit for bit, and sigmoid(x) + sigmoid(-x) is 1 within two ulps of 1. */
static void test_symmetry(void)
{
	long odd = 0, sum = 0;
	for (uint32_t u = 0; u < 0x7f800000u; u += 4099) {
		float x = from_bits(u);
		odd += spk_float_bits(spk_tanhf(-x)) != (spk_float_bits(spk_tanhf(x)) ^ 0x80000000u);
		sum += fabs((double)spk_sigmoidf(x) + spk_sigmoidf(-x) - 1.0) > 0x1p-22;
	}
	CU_ASSERT_EQUAL(odd, 0);
	CU_ASSERT_EQUAL(sum, 0);
}

UNIT_SUITE(vmath, "runtime/vmath",
	UNIT_TEST(test_expf_accuracy),
	UNIT_TEST(test_tanhf_accuracy),
	UNIT_TEST(test_sigmoidf_accuracy),
	UNIT_TEST(test_special_values),
	UNIT_TEST(test_symmetry))
