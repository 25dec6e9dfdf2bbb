/* layout.c: see layout.h. */
#include <string.h>
#include "layout.h"

void layout_to_torch(float *dst, const float *stored, int rank, const int shape[2])
{
	if (rank != 2) {
		memcpy(dst, stored, sizeof(float) * (size_t)(rank ? shape[0] : 1));
		return;
	}
	long m = shape[0], k = shape[1];
	for (long i = 0; i < m; i++)
		for (long j = 0; j < k; j++)
			dst[i * k + j] = stored[j * m + i];
}

void layout_from_torch(float *stored, const void *src, int rank, const int shape[2])
{
	if (rank != 2) {
		memcpy(stored, src, sizeof(float) * (size_t)(rank ? shape[0] : 1));
		return;
	}
	const char *s = src;
	long m = shape[0], k = shape[1];
	for (long i = 0; i < m; i++)
		for (long j = 0; j < k; j++)
			memcpy(&stored[j * m + i], s + sizeof(float) * (size_t)(i * k + j), sizeof(float));
}
