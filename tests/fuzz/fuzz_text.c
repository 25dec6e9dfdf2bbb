/* fuzz_text.c: the text data reader (train/text.c) on any bytes: the first
 * byte b sets the split, (b + 1) / 257; the rest is the file. What reads is
 * encoded whole, which must stay in the vocabulary. */
#include <stdlib.h>
#include "train/text.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	char err[512] = "";
	TextFile f;
	if (text_read(fuzz_file(0, data + 1, size - 1), (data[0] + 1) / 257.0, &f, err, sizeof err)) {
		FUZZ_ASSERT(err[0]);
		return 0;
	}
	FUZZ_ASSERT(f.split_at > 0 && f.split_at < f.len && f.vocab.size >= 1);
	int32_t *ids = malloc((size_t)f.len * sizeof *ids);
	FUZZ_ASSERT(ids);
	text_encode(&f, 0, f.len, ids);
	for (long i = 0; i < f.len; i++)
		FUZZ_ASSERT(ids[i] >= 0 && ids[i] < f.vocab.size);
	text_unigram_bits(&f, 0, f.split_at);
	free(ids);
	text_free(&f);
	return 0;
}
