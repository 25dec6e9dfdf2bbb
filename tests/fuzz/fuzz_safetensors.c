/* fuzz_safetensors.c: the safetensors reader (io/safetensors.c) on any
 * bytes: st_read, then every tensor and metadata key looked up again, and
 * each tensor's bytes checked against the data section it claims. */
#include <string.h>
#include "io/safetensors.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512] = "";
	StFile f;
	if (st_read(fuzz_file(0, data, size), &f, err, sizeof err)) {
		FUZZ_ASSERT(err[0]);
		return 0;
	}
	FUZZ_ASSERT(f.data);
	for (int i = 0; i < f.ntensors; i++) {
		const StTensor *t = &f.tensors[i];
		FUZZ_ASSERT(st_find(&f, t->name) == t);
		FUZZ_ASSERT(t->begin <= t->end && t->end <= f.data_len);
		size_t count = 1;
		for (int d = 0; d < t->ndim; d++)
			count *= (size_t)t->shape[d];
		FUZZ_ASSERT(count * st_dtype_size(t->dtype) == t->end - t->begin);
	}
	for (int i = 0; i < f.nmeta; i++)
		FUZZ_ASSERT(st_meta(&f, f.meta_keys[i]) != NULL);
	st_free(&f);
	return 0;
}
