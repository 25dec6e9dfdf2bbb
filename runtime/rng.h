/* rng.h: spikec's counter-based random numbers (header-only, C99).
 *
 * This text is pasted verbatim into generated C, so it needs nothing but
 * <stdint.h> and <math.h>, and every name starts with spk_ / SPK_.
 *
 * Every random number spikec draws (checkpoint initialisation, Bernoulli
 * spike encoding, dropout) is a pure function of (seed, stream, index), so a
 * run is reproducible on any machine, in any order, on any number of threads.
 * These definitions are normative; changing them changes every checkpoint:
 *
 *   block(seed, stream, index) = Philox4x32-10(counter, key)       [Random123]
 *       counter = { lo32(index), hi32(index), lo32(stream), hi32(stream) }
 *       key     = { lo32(seed),  hi32(seed) }
 *
 *   spk_rng_uniform = (block[0] >> 8) * 2^-24                in [0, 1), exact
 *   spk_rng_normal  = (float) (sqrt(-2 ln u1) * cos(2 pi u2)) N(0, 1)
 *       u1 = ((block[0] >> 8) + 1) * 2^-24                   in (0, 1]
 *       u2 =  (block[1] >> 8)      * 2^-24                   in [0, 1)
 *       computed in double and rounded to float once, so machines whose libm
 *       differ by an ulp in double still agree on the float result (except in
 *       the rare case where the double lands on a float rounding boundary).
 *
 * Philox4x32-10 is Salmon, Moraes, Dror and Shaw, "Parallel random numbers:
 * as easy as 1, 2, 3" (SC 2011): ten rounds of two 32x32->64 multiplies with
 * a Weyl-sequence key schedule, checked against the Random123 known answers.
 */
#ifndef SPK_RNG_H
#define SPK_RNG_H

#include <stdint.h>
#include <math.h>

/* Lets clang accept unused static inline functions in a .c file. */
#ifndef SPK_MAYBE_UNUSED
#if defined(__GNUC__) || defined(__clang__)
#define SPK_MAYBE_UNUSED __attribute__((unused))
#else
#define SPK_MAYBE_UNUSED
#endif
#endif

#define SPK_PHILOX_M0 0xD2511F53u
#define SPK_PHILOX_M1 0xCD9E8D57u
#define SPK_PHILOX_W0 0x9E3779B9u
#define SPK_PHILOX_W1 0xBB67AE85u

/* out = Philox4x32-10(ctr, key); out may not alias ctr. */
SPK_MAYBE_UNUSED static inline void spk_philox4x32(const uint32_t ctr[4],
	const uint32_t key[2], uint32_t out[4])
{
	uint32_t x0 = ctr[0], x1 = ctr[1], x2 = ctr[2], x3 = ctr[3];
	uint32_t k0 = key[0], k1 = key[1];
	int round;

	for (round = 0; round < 10; round++) {
		uint64_t p0 = (uint64_t)SPK_PHILOX_M0 * x0;
		uint64_t p1 = (uint64_t)SPK_PHILOX_M1 * x2;
		uint32_t hi0 = (uint32_t)(p0 >> 32), lo0 = (uint32_t)p0;
		uint32_t hi1 = (uint32_t)(p1 >> 32), lo1 = (uint32_t)p1;

		if (round > 0) {
			k0 += SPK_PHILOX_W0;
			k1 += SPK_PHILOX_W1;
		}
		x0 = hi1 ^ x1 ^ k0;
		x1 = lo1;
		x2 = hi0 ^ x3 ^ k1;
		x3 = lo0;
	}
	out[0] = x0;
	out[1] = x1;
	out[2] = x2;
	out[3] = x3;
}

/* The Philox block that element `index` of stream `stream` under `seed` uses. */
SPK_MAYBE_UNUSED static inline void spk_rng_block(uint64_t seed, uint64_t stream,
	uint64_t index, uint32_t out[4])
{
	uint32_t ctr[4], key[2];

	ctr[0] = (uint32_t)index;
	ctr[1] = (uint32_t)(index >> 32);
	ctr[2] = (uint32_t)stream;
	ctr[3] = (uint32_t)(stream >> 32);
	key[0] = (uint32_t)seed;
	key[1] = (uint32_t)(seed >> 32);
	spk_philox4x32(ctr, key, out);
}

/* Uniform in [0, 1) with 24 random bits: every value is an exact float. */
SPK_MAYBE_UNUSED static inline float spk_rng_uniform(uint64_t seed, uint64_t stream,
	uint64_t index)
{
	uint32_t r[4];

	spk_rng_block(seed, stream, index, r);
	return (float)(r[0] >> 8) * (1.0f / 16777216.0f);
}

/* Standard normal by Box-Muller (the cosine branch only). */
SPK_MAYBE_UNUSED static inline float spk_rng_normal(uint64_t seed, uint64_t stream,
	uint64_t index)
{
	const double two_pi = 6.283185307179586476925286766559;
	uint32_t r[4];
	double u1, u2;

	spk_rng_block(seed, stream, index, r);
	u1 = ((double)(r[0] >> 8) + 1.0) * (1.0 / 16777216.0);
	u2 = (double)(r[1] >> 8) * (1.0 / 16777216.0);
	return (float)(sqrt(-2.0 * log(u1)) * cos(two_pi * u2));
}

#endif
