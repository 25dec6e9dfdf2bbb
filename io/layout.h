/* layout.h: how a parameter array stores its tensors.
 *
 * Checkpoints, tensor tables and PyTorch name a weight W (m, k) (fan-out
 * m, fan-in k) and order it row-major. The parameter array that emitted
 * code and the JIT compute with stores every rank-2 tensor transposed
 * instead, (k, m) row-major, so that one input's weights, what a spike of
 * that input adds, are one contiguous row (runtime/events.h): element
 * (i, j) of W lives at offset + j * m + i. Rank-1 tensors are stored as
 * they are. Gradients and optimizer state share the parameters' layout.
 *
 * These two functions are the only conversion between the orders. */
#ifndef SPIKEC_IO_LAYOUT_H
#define SPIKEC_IO_LAYOUT_H

#include <stddef.h>

/* dst (PyTorch order) from stored: the tensor of `rank` and `shape`, of
 * elements of `size` bytes (float32; int8 and int32 for the quantized
 * parameters, compiler/kir_quant.h). */
void layout_to_torch_elems(void *dst, const void *stored, int rank, const int shape[2], size_t size);
/* stored from src (PyTorch order; src need not be aligned). */
void layout_from_torch_elems(void *stored, const void *src, int rank, const int shape[2], size_t size);

/* The same for float32. */
void layout_to_torch(float *dst, const float *stored, int rank, const int shape[2]);
void layout_from_torch(float *stored, const void *src, int rank, const int shape[2]);

#endif
