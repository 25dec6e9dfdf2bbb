/* layout.c: see layout.h. */
#include <string.h>
#include "layout.h"

/* Copies element (i, j) of W (m, k) between PyTorch's order (i k + j) and
 * the stored one (j m + i); to_torch says which way. */
static void transpose(char *dst, const char *src, int rank, const int shape[2], size_t size, int to_torch)
{
	if (rank != 2) {
		memcpy(dst, src, size * (size_t)(rank ? shape[0] : 1));
		return;
	}
	long m = shape[0], k = shape[1];
	for (long i = 0; i < m; i++)
		for (long j = 0; j < k; j++) {
			size_t torch = (size_t)(i * k + j), stored = (size_t)(j * m + i);
			memcpy(dst + size * (to_torch ? torch : stored), src + size * (to_torch ? stored : torch), size);
		}
}

void layout_to_torch_elems(void *dst, const void *stored, int rank, const int shape[2], size_t size)
{
	transpose(dst, stored, rank, shape, size, 1);
}

void layout_from_torch_elems(void *stored, const void *src, int rank, const int shape[2], size_t size)
{
	transpose(stored, src, rank, shape, size, 0);
}

void layout_to_torch(float *dst, const float *stored, int rank, const int shape[2])
{
	transpose((char *)dst, (const char *)stored, rank, shape, sizeof(float), 1);
}

void layout_from_torch(float *stored, const void *src, int rank, const int shape[2])
{
	transpose((char *)stored, src, rank, shape, sizeof(float), 0);
}
