/* input_rate.c: the input firing rate of a model's data, for the operation
 * counts of docs/results.md (docs/experiments.md).
 *
 *   input_rate model.snn    prints one JSON object:
 *   {"model": ..., "dataset": ..., "steps": T, "inputs": I,
 *    "mean_intensity_train": ..., "mean_intensity_test": ...,
 *    "eval_draw_rate": ..., "eval_samples": N}
 *
 * mean_intensity_*: the mean value of every input element over the split,
 * which is the expected Bernoulli spike rate (spikes per input and step);
 * for text, 1 / I (one-hot characters).
 * eval_draw_rate: the rate of the spikes that evaluation actually reads:
 * the test split encoded with evaluation's fixed draw (stream 0, the train
 * block's seed), exactly as `spikec eval` batches it (the toy signal as
 * eval_batch independent encodings). Built by scripts/experiments.sh
 * against build/libspikec.a, so it reads the data with the loader and the
 * encoder that training uses. */
#include <stdio.h>
#include <stdlib.h>
#include "cli/pipeline.h"
#include "train/data.h"

/* Text is one-hot: exactly one of the I inputs spikes at every step. */
static double mean(const Dataset *d, int inputs)
{
	if (d->tokens)
		return 1.0 / inputs;
	double s = 0;
	for (long i = 0; i < (long)d->count * d->features; i++)
		s += d->values[i];
	return d->count ? s / ((double)d->count * d->features) : 0;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: input_rate model.snn\n");
		return 1;
	}
	Compilation c = {0};
	if (pipeline_compile(&c, argv[1], NULL))
		return 1;
	if (!c.has_train) {
		fprintf(stderr, "input_rate: %s has no train block\n", argv[1]);
		return 1;
	}
	const TrainConfig *tc = &c.train;
	DataSplit ds;
	char err[1024];
	if (data_load(&tc->data, &ds, err, sizeof err)) {
		fprintf(stderr, "input_rate: %s\n", err);
		return 1;
	}
	const Dataset *d = &ds.test;
	int T = tc->data.steps, I = tc->data.size, B = tc->eval_batch;
	int toy = tc->data.dataset == DATA_TOY_SIGNAL;
	float *x = calloc((size_t)T * B * I, sizeof(float)), *tg = calloc((size_t)T * B * I, sizeof(float));
	int32_t *lab = calloc((size_t)T * B, sizeof(int32_t));
	int *idx = calloc((size_t)B, sizeof(int));
	if (!x || !tg || !lab || !idx) {
		fprintf(stderr, "input_rate: out of memory\n");
		return 1;
	}
	double spikes = 0, cells = 0;
	long samples = 0;
	for (int at = 0; at < d->count; at += B) {
		int n = d->count < B ? B : d->count - at < B ? d->count - at : B;
		for (int i = 0; i < n; i++)
			idx[i] = toy ? 0 : at + i;
		data_batch(d, &tc->data, idx, n, tc->seed, 0, x, lab, tg, 0);
		for (long e = 0; e < (long)T * n * I; e++)
			spikes += x[e];
		cells += (double)T * n * I;
		samples += n;
	}
	printf("{\"model\": \"%s\", \"dataset\": \"%s\", \"steps\": %d, \"inputs\": %d, \"mean_intensity_train\": %.6f, "
	       "\"mean_intensity_test\": %.6f, \"eval_draw_rate\": %.6f, \"eval_samples\": %ld}\n",
	       c.kir->model, train_dataset_names[tc->data.dataset], T, I, mean(&ds.train, I), mean(d, I), spikes / cells,
	       samples);
	free(x), free(tg), free(lab), free(idx);
	data_free(&ds);
	pipeline_free(&c);
	return 0;
}
