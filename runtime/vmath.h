/* vmath.h: spikec's exp, tanh and sigmoid for fused elementwise loops
 * (header-only, C99).
 *
 * This text is pasted verbatim into generated C, so it needs nothing but
 * <stdint.h>, and every name starts with spk_ / SPK_. The LLVM backend
 * builds the very same operations, in the same order, as IR
 * (backends/llvm/vmath.c); that is what keeps the two backends bit for bit
 * equal. Change one, change the other: tests/llvm checks it.
 *
 * Why not libm: a call to expf or tanhf keeps a loop scalar. These are
 * straight-line code of IEEE adds, multiplies, divides, compares, selects
 * (ternaries on values) and integer operations on the bits of floats, with
 * no libm call and no branch, so a compiler can vectorize the loops that
 * call them; without FMA contraction (gcc -std=c99, or -ffp-contract=off)
 * and without -ffast-math, a vectorized loop gives exactly the bits of a
 * scalar one. The definitions are normative:
 *
 *   spk_expf(x): clamp x to [-104, 89] (NaN passes through; exp(-104) rounds
 *       to 0 and exp(89) to +inf, as the true values do), then
 *       k = x * log2(e) + 1.5 * 2^23        its low bits are n = round(x / ln 2)
 *       n = k - 1.5 * 2^23                  exact
 *       r = (x - n * LN2_HI) - n * LN2_LO   Cody-Waite: n * LN2_HI is exact
 *       e^r = ((P(r) * r^2) + r) + 1        P of degree 4: minimax for the
 *                                           relative error of e^r on |r| <= ln2/2
 *       e^x = (e^r * 2^(n1)) * 2^(n2)       n1 = floor((n + 150) / 2) - 75,
 *                                           n2 = n - n1: both factors normal, the
 *                                           first product exact, so a result in
 *                                           the subnormal range is rounded once
 *   spk_tanhf(x), a = |x|:
 *       a < 0.625:  a + a * (a^2 * Q(a^2))  Q of degree 4 (Cephes tanhf)
 *       otherwise:  1 - 2 / (spk_expf(2a) + 1)
 *       with the sign bit of x put back (tanh(-0) = -0).
 *   spk_sigmoidf(x) = (x < 0 ? e : 1) / (1 + e),  e = spk_expf(-|x|)
 *       that is 1 / (1 + e^-x), written so that e never overflows and a
 *       very negative x gives e^x / (1 + e^x), subnormal results included;
 *       q - q * err * (1 / d) corrects q for err, the rounding error of
 *       d = 1 + e (1 / d is about 1 - q for x < 0, q otherwise).
 *
 * Worst errors against the correctly rounded result over all 2^32 floats:
 * spk_expf 0.989 ulp, spk_tanhf 1.332 ulp, spk_sigmoidf 1.967 ulp
 * (docs/emitted-c.md, "Elementwise math"; tests/unit/test_vmath.c).
 */
#ifndef SPK_VMATH_H
#define SPK_VMATH_H

#include <stdint.h>

/* Lets clang accept unused static inline functions in a .c file. */
#ifndef SPK_MAYBE_UNUSED
#if defined(__GNUC__) || defined(__clang__)
#define SPK_MAYBE_UNUSED __attribute__((unused))
#else
#define SPK_MAYBE_UNUSED
#endif
#endif

/* Put before a loop whose iterations touch disjoint memory (the fused
 * elementwise loops of emitted C, kir_map_independent): the compiler may
 * vectorize it without run-time overlap checks, of which gcc tries at most
 * 6 to 10 and gives up on loops that read and write many buffers. */
#ifndef SPK_INDEPENDENT
#if defined(__clang__)
#define SPK_INDEPENDENT _Pragma("clang loop vectorize(assume_safety)")
#elif defined(__GNUC__)
#define SPK_INDEPENDENT _Pragma("GCC ivdep")
#else
#define SPK_INDEPENDENT
#endif
#endif

SPK_MAYBE_UNUSED static inline uint32_t spk_float_bits(float x)
{
	union { float f; uint32_t u; } v;
	v.f = x;
	return v.u;
}

SPK_MAYBE_UNUSED static inline float spk_bits_float(uint32_t u)
{
	union { float f; uint32_t u; } v;
	v.u = u;
	return v.f;
}

SPK_MAYBE_UNUSED static inline float spk_expf(float x)
{
	float k, n, r, p, y, s1, s2;
	uint32_t m, m1;

	x = x < -104.0f ? -104.0f : x;
	x = x > 89.0f ? 89.0f : x;
	k = x * 1.44269502f + 12582912.0f;
	n = k - 12582912.0f;
	r = (x - n * 0.693359375f) - n * -2.12194440e-4f;
	p = 1.38146128e-3f * r + 8.36871006e-3f;
	p = p * r + 4.16683890e-2f;
	p = p * r + 1.66665211e-1f;
	p = p * r + 4.99999940e-1f;
	y = (p * (r * r) + r) + 1.0f;
	/* m = n + 150 in [0, 278] (unsigned: any bits of a NaN are defined) */
	m = spk_float_bits(k) - 0x4b400000u + 150u;
	m1 = m >> 1;
	s1 = spk_bits_float((m1 + 52u) << 23);
	s2 = spk_bits_float((m - m1 + 52u) << 23);
	return y * s1 * s2;
}

SPK_MAYBE_UNUSED static inline float spk_tanhf(float x)
{
	uint32_t sign = spk_float_bits(x) & 0x80000000u;
	float a = spk_bits_float(spk_float_bits(x) & 0x7fffffffu);
	float z = a * a, q, small, large, t;

	q = -5.70498872745e-3f * z + 2.06390887954e-2f;
	q = q * z + -5.37397155531e-2f;
	q = q * z + 1.33314422036e-1f;
	q = q * z + -3.33332819422e-1f;
	small = a + a * (z * q);
	large = 1.0f - 2.0f / (spk_expf(2.0f * a) + 1.0f);
	t = a < 0.625f ? small : large;
	return spk_bits_float(spk_float_bits(t) | sign);
}

SPK_MAYBE_UNUSED static inline float spk_sigmoidf(float x)
{
	float e = spk_expf(spk_bits_float(spk_float_bits(x) | 0x80000000u));
	float d = 1.0f + e;
	float err = e - (d - 1.0f);
	float q = (x < 0.0f ? e : 1.0f) / d;
	float inv = x < 0.0f ? 1.0f - q : q;

	return q - (q * err) * inv;
}

#endif
