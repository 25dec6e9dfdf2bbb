/* alloc.h: the training driver's allocation. */
#ifndef SPIKEC_TRAIN_ALLOC_H
#define SPIKEC_TRAIN_ALLOC_H

#include <stddef.h>

/* calloc of n bytes, or "out of memory" and exit 1: running out is the
 * user's problem (a model or batch too large), not a bug. */
void *train_alloc(size_t n);

#endif
