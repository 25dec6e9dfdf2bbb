/* fuzz_idx.c: the IDX reader (train/idx.c) on any bytes. The input is an
 * image file and a label file: its first two bytes, big-endian, are the
 * length of the image file that follows (cut to what there is), the label
 * file is the rest. Classes: 10; side 28 when the top bit of the first
 * byte is set, else any. */
#include <stdlib.h>
#include "train/data.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	size_t nimg = (size_t)data[0] << 8 | data[1];
	if (nimg > size - 2)
		nimg = size - 2;
	const char *images = fuzz_file(0, data + 2, nimg);
	const char *labels = fuzz_file(1, data + 2 + nimg, size - 2 - nimg);
	char err[512] = "";
	Dataset d = {0};
	if (idx_load(images, labels, 10, data[0] & 0x80 ? 28 : 0, &d, err, sizeof err)) {
		FUZZ_ASSERT(err[0] && !d.values && !d.labels);
		return 0;
	}
	FUZZ_ASSERT(d.count >= 0 && d.values && d.labels);
	for (int i = 0; i < d.count; i++)
		FUZZ_ASSERT(d.labels[i] >= 0 && d.labels[i] < 10);
	for (long i = 0; i < (long)d.count * d.features; i++)
		FUZZ_ASSERT(d.values[i] >= 0 && d.values[i] <= 1);
	free(d.values);
	free(d.labels);
	return 0;
}
