/* alloc.c: see alloc.h. */
#include <stdio.h>
#include <stdlib.h>
#include "alloc.h"

void *train_alloc(size_t n)
{
	void *p = calloc(n ? n : 1, 1);
	if (!p) {
		fprintf(stderr, "spikec: error: out of memory (%zu bytes)\n", n);
		exit(1);
	}
	return p;
}
