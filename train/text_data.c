/* text_data.c: `data = text("file")`, a text file (read and cleaned by
 * text.c) as a next-character data set: each half cut into streams read
 * side by side, in order, so that a model that carries its state sees each
 * stream as one long sequence. */
#include <stdio.h>
#include <stdlib.h>
#include "data.h"
#include "text.h"
#include "mem/mem.h"

/* One half of a text: its tokens cut into `streams` streams of equal length,
 * each long enough for at least one window of `steps` tokens and its labels. */
static int text_half(const TextFile *f, const char *path, long from, long n, int streams, int steps, const char *what,
		     Dataset *d, char *err, size_t errlen)
{
	long stream_len = n / streams, windows = (stream_len - 1) / steps;
	if (windows < 1) {
		snprintf(err, errlen, "%s: the %s text has %ld characters, too few for %d streams (the %s) of %d steps "
			 "and one more character each; lower the %s or the steps, or change the split", path, what,
			 n, streams, what[0] == 't' ? "batch" : "eval_batch", steps, what[0] == 't' ? "batch" : "eval_batch");
		return -1;
	}
	d->tokens = mem_malloc(sizeof(int32_t) * (size_t)n);
	if (!d->tokens) {
		snprintf(err, errlen, "%s: out of memory for %ld characters", path, n);
		return -1;
	}
	text_encode(f, from, n, d->tokens);
	d->count = (int)(windows * streams);
	d->features = steps;
	d->classes = f->vocab.size;
	d->streams = streams;
	d->stream_len = stream_len;
	d->vocab = f->vocab.size;
	d->unigram_bits = text_unigram_bits(f, from, n);
	d->sequential = 1;
	d->bits_per_char = 1;
	return 0;
}

static int load(const TrainData *cfg, const char *dir, DataSplit *out, char *err, size_t errlen)
{
	(void)dir;
	TextFile f;
	if (text_read(cfg->path, cfg->split, &f, err, errlen))
		return -1;
	int rc = -1;
	if (f.vocab.size > cfg->size)
		snprintf(err, errlen, "%s: the training text has %d distinct characters, but the model's tokens input "
			 "takes %d; declare it [%d]", cfg->path, f.vocab.size, cfg->size, f.vocab.size);
	else if (!text_half(&f, cfg->path, 0, f.split_at, cfg->train_streams, cfg->steps, "training", &out->train, err, errlen) &&
		 !text_half(&f, cfg->path, f.split_at, f.len - f.split_at, cfg->test_streams, cfg->steps, "evaluation", &out->test,
			    err, errlen))
		rc = 0;
	text_free(&f);
	return rc;
}

const DataSource data_text = {DATA_TEXT, load};
