/* runtime/rng.h: Philox4x32-10 known answers, and uniform/normal draws
 * checked against an independent Python implementation (fixtures/runtime/rng.txt);
 * runtime/dropout.h's masks: their rate, their scale, their key. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "unit.h"
#include "runtime/rng.h"
#include "runtime/dropout.h"

static void check_philox(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3,
	uint32_t k0, uint32_t k1, uint32_t r0, uint32_t r1, uint32_t r2, uint32_t r3)
{
	const uint32_t ctr[4] = {c0, c1, c2, c3}, key[2] = {k0, k1};
	uint32_t out[4];

	spk_philox4x32(ctr, key, out);
	CU_ASSERT_EQUAL(out[0], r0);
	CU_ASSERT_EQUAL(out[1], r1);
	CU_ASSERT_EQUAL(out[2], r2);
	CU_ASSERT_EQUAL(out[3], r3);
}

/* The Random123 known-answer vectors (kat_vectors, philox4x32_10). */
static void test_philox_known_answers(void)
{
	check_philox(0, 0, 0, 0, 0, 0,
		0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8);
	check_philox(0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff,
		0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd);
	check_philox(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0,
		0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1);
}

/* Every value in rng.txt, bit for bit. */
static void test_rng_matches_python(void)
{
	FILE *f = fopen(unit_fixture("runtime/rng.txt"), "r");
	char line[256];
	int n = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	while (fgets(line, sizeof line, f)) {
		unsigned long long seed, stream, index;
		float u, z;
		if (line[0] == '#')
			continue;
		CU_ASSERT_EQUAL_FATAL(sscanf(line, "%llu %llu %llu %f %f", &seed, &stream, &index, &u, &z), 5);
		CU_ASSERT_EQUAL(spk_rng_uniform(seed, stream, index), u);
		CU_ASSERT_EQUAL(spk_rng_normal(seed, stream, index), z);
		n++;
	}
	fclose(f);
	CU_ASSERT(n >= 20);
}

/* The documented layout: counter = {index, stream}, key = seed, 24-bit uniforms. */
static void test_rng_layout(void)
{
	const uint64_t seed = 0x0123456789abcdefULL, stream = 0xfedcba9876543210ULL;
	const uint64_t index = 0x1122334455667788ULL;
	const uint32_t ctr[4] = {0x55667788, 0x11223344, 0x76543210, 0xfedcba98};
	const uint32_t key[2] = {0x89abcdef, 0x01234567};
	uint32_t out[4], blk[4];

	spk_philox4x32(ctr, key, out);
	spk_rng_block(seed, stream, index, blk);
	CU_ASSERT(memcmp(out, blk, sizeof out) == 0);
	CU_ASSERT_EQUAL(spk_rng_uniform(seed, stream, index), (float)(out[0] >> 8) / 16777216.0f);
	/* The high halves of index and stream matter. */
	CU_ASSERT_NOT_EQUAL(spk_rng_uniform(1, 0, 0), spk_rng_uniform(1, 0, 1ULL << 32));
	CU_ASSERT_NOT_EQUAL(spk_rng_uniform(1, 0, 0), spk_rng_uniform(1, 1ULL << 32, 0));
	CU_ASSERT_NOT_EQUAL(spk_rng_uniform(1, 0, 0), spk_rng_uniform(1ULL << 32 | 1, 0, 0));
	CU_ASSERT_NOT_EQUAL(spk_rng_uniform(1, 0, 0), spk_rng_uniform(1, 1, 0));
}

static void test_rng_statistics(void)
{
	const int n = 200000;
	double su = 0, sz = 0, szz = 0;
	float umin = 1, umax = 0;

	for (int i = 0; i < n; i++) {
		float u = spk_rng_uniform(7, 3, (uint64_t)i);
		float z = spk_rng_normal(7, 3, (uint64_t)i);
		umin = u < umin ? u : umin;
		umax = u > umax ? u : umax;
		su += u;
		sz += z;
		szz += (double)z * z;
		if (!isfinite(z))
			CU_FAIL("non-finite normal");
	}
	CU_ASSERT(umin >= 0.0f && umax < 1.0f);
	CU_ASSERT(fabs(su / n - 0.5) < 0.005);
	CU_ASSERT(fabs(sz / n) < 0.01);
	CU_ASSERT(fabs(szz / n - 1.0) < 0.02);
}

/* A mask keeps 1 - p of the values, each scaled; p = 0 keeps all; a row
 * has the same mask whichever row of the workspace it is (row0 + row);
 * seed, step and site each give other masks; a zeroed key is seed 0,
 * step 0, row0 0. */
static void test_dropout_masks(void)
{
	float key[6], moved[6], zero[6] = {0}, other[6];
	const float p = 0.3f, scale = (float)(1.0 / (1.0 - (double)p));
	long kept = 0, n = 200000, same_seed = 0, same_step = 0, same_site = 0, bad = 0;

	spk_dropout_set_key(key, 7, 3, 0);
	spk_dropout_set_key(moved, 7, 3, 40);
	for (long i = 0; i < n; i++) {
		uint64_t row = 40 + (uint64_t)i % 50, t = (uint64_t)i / 50 % 20, j = (uint64_t)i / 1000;
		float m = spk_dropout_mask(key, 1, row, t, 20, j, 200, p, scale);
		bad += m != 0.0f && m != scale;
		kept += m != 0.0f;
		bad += m != spk_dropout_mask(moved, 1, row - 40, t, 20, j, 200, p, scale);
		bad += spk_dropout_mask(key, 1, row, t, 20, j, 200, 0.0f, 1.0f) != 1.0f;
		spk_dropout_set_key(other, 8, 3, 0);
		same_seed += m == spk_dropout_mask(other, 1, row, t, 20, j, 200, p, scale);
		spk_dropout_set_key(other, 7, 4, 0);
		same_step += m == spk_dropout_mask(other, 1, row, t, 20, j, 200, p, scale);
		same_site += m == spk_dropout_mask(key, 2, row, t, 20, j, 200, p, scale);
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT(fabs((double)kept / n - 0.7) < 0.005);
	/* independent masks agree with probability 0.7^2 + 0.3^2 = 0.58 */
	CU_ASSERT(fabs((double)same_seed / n - 0.58) < 0.01);
	CU_ASSERT(fabs((double)same_step / n - 0.58) < 0.01);
	CU_ASSERT(fabs((double)same_site / n - 0.58) < 0.01);
	spk_dropout_set_key(other, 0, 0, 0);
	CU_ASSERT(memcmp(zero, other, sizeof zero) == 0);
}

UNIT_SUITE(rng, "runtime/rng",
	UNIT_TEST(test_dropout_masks),
	UNIT_TEST(test_philox_known_answers),
	UNIT_TEST(test_rng_matches_python),
	UNIT_TEST(test_rng_layout),
	UNIT_TEST(test_rng_statistics))
