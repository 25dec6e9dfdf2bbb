/* train.h: the training driver (`spikec run`, `spikec eval`).
 *
 * The driver knows a model only through TrainModel: the entry points of its
 * emitted C (or, later, of its JIT-compiled code) and its tensor table. It
 * owns the data, the epochs, the learning-rate schedule, evaluation,
 * metrics, progress output and checkpoints. Everything random is a pure
 * function of the seed and a counter (runtime/rng.h), so a run resumed
 * from an epoch's checkpoint continues bit-identically. Under MPI every
 * rank runs the driver on the whole data, its shards of every batch
 * (shards.h), and the first rank alone writes and prints. */
#ifndef SPIKEC_RUNTIME_TRAIN_H
#define SPIKEC_RUNTIME_TRAIN_H

#include <stddef.h>
#include <stdint.h>
#include "dsl/train_block.h"
#include "comm.h"

typedef struct {
	const char *name;
	int rank;
	int shape[2];
	long offset;
} TrainTensor;

typedef struct {
	const char *name;         /* the model's name */
	int steps, inputs, outputs, output_timed;
	int classes;              /* 0: regression (mse) */
	int per_step;             /* the loss is taken at every step */
	int carry_state;          /* forward passes continue from the workspace's states
				   * (`carry state`): zero it to start from zero */
	long nparams, opt_state_floats;
	const TrainTensor *tensors;  /* NULL-terminated by name */
	uint64_t model_hash;
	const char *surrogates;   /* for checkpoint metadata */
	void (*init)(float *params, uint64_t seed);
	size_t (*workspace_floats)(int batch);
	void (*forward)(const float *params, const float *x, int batch, float *out, float *workspace);
	size_t (*train_workspace_floats)(int batch);
	float (*forward_train)(const float *params, const float *x, const void *labels, int batch, float *out,
			       float *workspace);
	void (*backward)(const float *params, const float *x, const void *labels, int batch, float *grads,
			 float *workspace);
	void (*zero_grad)(float *grads);
	void (*step)(float *params, const float *grads, float *opt_state, float lr, long t);
	/* Models with dropout (NULL without): the key of the masks that
	 * forward_train and backward draw, in their workspace. Training sets
	 * it before every shard's forward_train: the train block's seed, the
	 * number of the update the batch leads to (from 1, as step's t) and
	 * the shard's first row of the batch. */
	void (*dropout_key)(float *workspace, int batch, uint32_t seed, uint64_t step, uint64_t row0);
	/* Firing rates: the counted spike values (NULL-terminated by name) and
	 * the counts of the last forward_train. */
	const struct { const char *name; int size; } *spikes;
	void (*spike_counts)(const float *workspace, int batch, float *counts);
} TrainModel;

typedef struct {
	const char *out_dir;      /* metrics.jsonl and checkpoints go here (created) */
	const char *resume;       /* checkpoint to continue from, or NULL */
	int epochs;               /* overrides the train block when > 0 */
	int quiet;                /* no progress output */
	const char *backend;      /* for the log: "c" or "llvm" */
	double compile_seconds;   /* for the log */
	int threads;              /* >= 1, per rank; the results do not depend on it (shards.h) */
	const Comm *comm;         /* the ranks of an MPI run (comm.h), or NULL: one process */
} TrainOptions;

typedef struct {
	double loss, accuracy, rmse;  /* accuracy: classification; rmse: regression */
	double rmse_warm;             /* toy_signal: rmse over the steps with x >= 0.5 */
	double unigram_bits;          /* text: the unigram entropy of the test text (bits/char) */
	int bits_per_char;            /* the data set reports bits per character (text) */
	long samples;
} EvalResult;

/* Trains as the train block says. Returns 0, or -1 after printing an error
 * that says what went wrong (data missing, NaN, unwritable output). */
int train_run(const TrainModel *m, const TrainConfig *tc, const TrainOptions *opt);

/* Evaluates params on the test split on `threads` threads (of each rank of
 * comm, NULL for one process). Returns 0, or -1 after an error. */
int train_evaluate(const TrainModel *m, const TrainConfig *tc, const float *params, int threads, const Comm *comm,
		   EvalResult *r);

/* Spikes counted over training forward passes (`spikec report`): the
 * samples, their nonzero input values and the spikes of each counted spike
 * value (m->spikes; counts is the caller's, zeroed, one per value), summed. */
typedef struct {
	long samples;
	double input_ones;
	double *counts;
} SpikeTally;

/* Adds forward_train of the n rows of x (T, n, I) to t; labels as
 * forward_train takes them (only the loss reads them), ws of
 * train_workspace_floats(n) floats or more (a carried state continues).
 * Runs on the calling thread alone (OpenBLAS too), so the counts do not
 * depend on any thread count. */
void train_tally_batch(const TrainModel *m, const float *params, const float *x, const void *labels, int n,
		       float *ws, SpikeTally *t);

/* Tallies the first max_samples (0: all) of the test split, encoded and
 * batched (eval_batch) as train_evaluate does. Returns 0, or
 * -1 after an error. */
int train_tally_test(const TrainModel *m, const TrainConfig *tc, const float *params, long max_samples,
		     SpikeTally *t);

/* Checkpoints: parameters, optimizer state and progress, written atomically.
 * train_load_checkpoint fills what is non-NULL; returns -1 with err set. */
int train_save_checkpoint(const TrainModel *m, const char *path, const float *params, const float *opt_state,
			  int epoch, long step, uint32_t seed, char *err, size_t errlen);
int train_load_checkpoint(const TrainModel *m, const char *path, float *params, float *opt_state, int *epoch,
			  long *step, char *err, size_t errlen);

#endif
