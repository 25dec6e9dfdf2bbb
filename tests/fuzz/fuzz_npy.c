/* fuzz_npy.c: the .npy reader (io/npy.c) on any bytes: npy_read, then
 * npy_map of the same file, which must agree with it, and the float
 * conversion of what was read. */
#include <stdlib.h>
#include <string.h>
#include "io/npy.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file(0, data, size);
	char err[512] = "";
	NpyArray a;
	NpyMap m;
	int rc = npy_read(path, &a, err, sizeof err);
	FUZZ_ASSERT(rc == 0 || err[0]);
	int mrc = npy_map(path, &m, err, sizeof err);
	FUZZ_ASSERT(mrc == rc);
	if (rc)
		return 0;
	FUZZ_ASSERT(a.data && npy_dtype_size(a.dtype) > 0);
	FUZZ_ASSERT(m.a.count == a.count && strcmp(m.a.dtype, a.dtype) == 0);
	FUZZ_ASSERT(memcmp(m.a.data, a.data, a.count * npy_dtype_size(a.dtype)) == 0);
	char shape[256];
	npy_shape_str(shape, sizeof shape, a.ndim, a.shape);
	float *f = npy_as_f32(&a);
	FUZZ_ASSERT(f || a.count > (1u << 24));
	free(f);
	npy_unmap(&m);
	npy_free(&a);
	return 0;
}
