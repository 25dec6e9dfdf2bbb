/* encode.c: batches of a data set through the train block's encoder (or,
 * for text, as one-hot tokens), and each epoch's shuffle; docs/data.md
 * gives the exact random-number rules. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mem/mem.h"
#include "data.h"
#include "runtime/rng.h"

/* A caller broke data_batch's contract: a bug in spikec, not a user error. */
static void batch_bug(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: internal error: data_batch: %s\n", file, line, what);
	abort();
}

/* data_batch for text: one-hot tokens in (or their ids, for a model that
 * embeds them), the next tokens as labels. */
static void text_batch(const Dataset *d, const TrainData *cfg, const int *idx, int batch, float *x, int32_t *labels)
{
	const int T = cfg->steps, V = cfg->size, I = cfg->token_ids ? 1 : V;
	if (T != d->features || V < d->vocab || batch < 0)
		batch_bug(__FILE__, __LINE__, "the batch shape does not fit the text (steps or vocabulary)");
	memset(x, 0, sizeof(float) * (size_t)T * (size_t)batch * (size_t)I);
	for (int b = 0; b < batch; b++) {
		if (idx[b] < 0 || idx[b] >= d->count)
			batch_bug(__FILE__, __LINE__, "a sample index is out of range");
		const int32_t *tok = d->tokens + (long)(idx[b] % d->streams) * d->stream_len + (long)(idx[b] / d->streams) * T;
		for (int t = 0; t < T; t++) {
			if (cfg->token_ids)
				x[(size_t)t * batch + b] = (float)tok[t];
			else
				x[((size_t)t * batch + b) * V + tok[t]] = 1.0f;
			if (labels)
				labels[(size_t)t * batch + b] = tok[t + 1];
		}
	}
}

/* The I values of step t of sample s of a mapped npy half, as floats in buf. */
static const float *mapped_step(const Dataset *d, int s, int t, int I, float *buf)
{
	const NpyArray *x = d->x;
	size_t item = npy_dtype_size(x->dtype);
	size_t at = ((size_t)t * (size_t)x->shape[1] + (size_t)(d->first + s)) * (size_t)I;
	npy_to_f32(x->dtype, (const char *)x->data + at * item, (size_t)I, buf);
	return buf;
}

void data_batch(const Dataset *d, const TrainData *cfg, const int *idx, int batch, uint32_t seed, uint64_t stream,
		float *x, int32_t *labels, float *targets, int per_step)
{
	if (d->tokens) {
		text_batch(d, cfg, idx, batch, x, labels);
		return;
	}
	const uint64_t key = (uint64_t)DATA_KEY_SPIKES << 32 | seed;
	const int T = cfg->steps, I = cfg->size, F = d->features, O = d->targets ? d->outputs : I;
	const int toy = d->one_sample;
	const float level = (float)cfg->level;

	if ((long long)T * I != F || T < 1 || I < 1 || batch < 0)
		batch_bug(__FILE__, __LINE__, "the batch shape does not fit the data set (steps x size != features)");
	if (d->labels_per_step && labels && !per_step)
		batch_bug(__FILE__, __LINE__, "per-step labels for a loss taken once per sample");
	float *buf = d->x ? xcalloc(1, sizeof(float) * (size_t)I) : NULL;
	for (int b = 0; b < batch; b++) {
		if (idx[b] < 0 || idx[b] >= d->count || (toy && idx[b] != 0))
			batch_bug(__FILE__, __LINE__, "a sample index is out of range");
		const float *v = d->x ? NULL : d->values + (size_t)idx[b] * F;
		const uint64_t base = (uint64_t)(toy ? b : idx[b]) * (uint64_t)F;

		for (int t = 0; t < T; t++) {
			float *o = x + ((size_t)t * batch + b) * I;
			const float *p = d->x ? mapped_step(d, idx[b], t, I, buf) : v + (size_t)t * I;

			switch (cfg->encode) {
			case ENCODE_BERNOULLI:
				/* u in [0, 1): no draw can change the outcome at 0 or 1 */
				for (int i = 0; i < I; i++)
					o[i] = p[i] <= 0.0f ? 0.0f : p[i] >= 1.0f ? 1.0f :
					       spk_rng_uniform(key, stream, base + (uint64_t)(t * I + i)) < p[i];
				break;
			case ENCODE_THRESHOLD:
				for (int i = 0; i < I; i++)
					o[i] = p[i] > level;
				break;
			default:
				memcpy(o, p, (size_t)I * sizeof *o);
				break;
			}
			if (!d->labels && targets)
				memcpy(targets + ((size_t)t * batch + b) * O,
				       d->targets ? d->targets + ((size_t)idx[b] * T + t) * O : p, (size_t)O * sizeof *targets);
			if (d->labels && labels && per_step)
				labels[(size_t)t * batch + b] =
					d->labels[d->labels_per_step ? (size_t)idx[b] * T + t : (size_t)idx[b]];
		}
		if (d->labels && labels && !per_step)
			labels[b] = d->labels[idx[b]];
	}
	free(buf);
}

void data_shuffle(int *perm, int n, uint32_t seed, uint64_t epoch)
{
	const uint64_t key = (uint64_t)DATA_KEY_SHUFFLE << 32 | seed;

	for (int i = 0; i < n; i++)
		perm[i] = i;
	for (int i = n - 1; i > 0; i--) {
		/* u <= 1 - 2^-24, so in double u * (i + 1) < i + 1 exactly */
		int j = (int)((double)spk_rng_uniform(key, epoch, (uint64_t)i) * (i + 1));
		int tmp = perm[i];

		perm[i] = perm[j];
		perm[j] = tmp;
	}
}
