/* dropout.h: the masks of dropout(x, p) in training (header-only, C99).
 *
 * This text is pasted verbatim into generated C after runtime/rng.h (and
 * compiled once more into the LLVM plugin, backends/llvm/rt.c, so both
 * backends draw the same masks), so it includes nothing (the includer
 * brings <stdint.h> and <string.h>) and every name starts with spk_ / SPK_.
 *
 * A training workspace holds the dropout key: three uint64 words (seed,
 * step, row0) in six floats, written by spk_dropout_set_key; a zeroed
 * workspace holds seed 0, step 0, row0 0. Element j (of n) of the value of
 * dropout site `site` (the model's dropout calls numbered from 0) at time
 * step t (of T; 0 after the time loop) of row `row` of the batch is kept
 * when
 *
 *   u = spk_rng_uniform(SPK_DROPOUT_KEY << 32 | seed, step << 16 | site,
 *                       ((row0 + row) * T + t) * n + j)    >=  p
 *
 * and then multiplied by scale = (float) (1 / (1 - p)), else by 0 (PyTorch's
 * inverted dropout). row0 is the batch row of the workspace's first row
 * (the training driver's shards, train/shards.h), so a sample's mask does
 * not depend on how a batch is cut: the same bits for any thread or rank
 * count. These definitions are normative: changing them changes every
 * training run of a model with dropout. */
#ifndef SPK_DROPOUT_H
#define SPK_DROPOUT_H

#ifndef SPK_RNG_H
#error "runtime/dropout.h needs runtime/rng.h first"
#endif

#define SPK_DROPOUT_KEY 0x44524f50u   /* "DROP": high 32 bits of the Philox key */

SPK_MAYBE_UNUSED static inline void spk_dropout_set_key(float *key, uint32_t seed, uint64_t step, uint64_t row0)
{
	uint64_t w[3];

	w[0] = seed;
	w[1] = step;
	w[2] = row0;
	memcpy(key, w, sizeof w);
}

/* The factor element (row, t, j) of site `site` is multiplied by: scale or 0. */
SPK_MAYBE_UNUSED static inline float spk_dropout_mask(const float *key, uint32_t site, uint64_t row, uint64_t t,
	uint64_t steps, uint64_t j, uint64_t n, float p, float scale)
{
	uint64_t w[3];

	memcpy(w, key, sizeof w);
	return spk_rng_uniform((uint64_t)SPK_DROPOUT_KEY << 32 | (uint32_t)w[0], w[1] << 16 | site,
			       ((w[2] + row) * steps + t) * n + j) >= p ? scale : 0.0f;
}

#endif
