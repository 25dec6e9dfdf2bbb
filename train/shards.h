/* shards.h: one batch as fixed shards, run on threads, reduced in order.
 *
 * The rows of a batch of B are split into TRAIN_SHARDS contiguous ranges
 * fixed by B alone (row r of every batch, the last and smaller one too,
 * belongs to the same shard, so carried states stay with their rows). Each
 * shard runs the model's forward_train and backward with its own workspace
 * and gradient; the batch's loss and gradient are the shards' weighted by
 * their share of the rows and summed in shard order. Threads take whole
 * shards, so the results are the same bits for any thread count, and
 * OpenBLAS is kept to one thread (no oversubscription, no dependence on
 * its own threading). Under MPI (comm.h) rank r of N runs the shards i
 * with i % N == r, and the ranks exchange each shard's results (loss,
 * gradient, spike counts, outputs) before the same reduction, so every
 * rank has the same bits as one process would (docs/mpi.md). */
#ifndef SPIKEC_TRAIN_SHARDS_H
#define SPIKEC_TRAIN_SHARDS_H

#include "comm.h"
#include "train.h"

enum { TRAIN_SHARDS = 4 };

typedef struct Shards Shards;

/* For batches of up to `batch` rows, forward passes only (eval) or
 * training; `threads` >= 1 (of this rank); comm NULL or of 1, 2 or 4
 * ranks (TRAIN_SHARDS / size shards each). */
Shards *shards_new(const TrainModel *m, int batch, int train, int threads, const Comm *comm);
void shards_free(Shards *s);

/* The bytes every rank has after one step's exchange (all shards'
 * results), 0 in a single process. */
size_t shards_exchange_bytes(const Shards *s);

/* Zeroes every shard's workspace (carried states start from zero). */
void shards_reset(Shards *s);

/* The dropout key of the next shards_train (TrainModel.dropout_key): the
 * seed and step; each shard adds its first row. */
void shards_dropout(Shards *s, uint32_t seed, uint64_t step);

/* One training batch of n <= batch rows in the batch layouts of the
 * data (x (T, n, I); labels (n) or (T, n); targets (n, O) or (T, n, O)):
 * the mean loss, out (the outputs), grads (= the gradient, overwritten)
 * and counts (spike counts summed over the shards; may be NULL). */
float shards_train(Shards *s, const float *params, const float *x, const int32_t *labels, const float *targets,
		   int n, float *out, float *grads, float *counts);

/* The forward pass of n rows into out. */
void shards_forward(Shards *s, const float *params, const float *x, int n, float *out);

#endif
