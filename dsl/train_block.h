/* train.h: the `train` block of a model file, checked, as a TrainConfig.
 *
 * train_check reads the block's `NAME = expr` settings, reports every user
 * error through diag at the offending setting or expression, fills in the
 * defaults, and checks that the data set fits the lowered model (input size
 * and steps, loss kind and size). The result is plain data: it is what the
 * training driver consumes, and nothing in it points into the syntax tree.
 * The schema and its defaults are documented in docs/train.md. */
#ifndef SPIKEC_TRAIN_H
#define SPIKEC_TRAIN_H

#include <stdint.h>
#include <stdio.h>
#include "ast.h"
#include "compiler/ir.h"
#include "compiler/optim.h"

typedef enum {
	DATA_MNIST,             /* MNIST digits, 28x28 grey, 10 classes */
	DATA_FASHION_MNIST,     /* Fashion-MNIST, 28x28 grey, 10 classes */
	DATA_TOY_SIGNAL,        /* the paper's toy task: recover an analog signal from its spikes */
	DATA_FSDD,              /* Free Spoken Digit Dataset: log-mel features of 8 kHz speech, 10 classes */
	DATA_TEXT,              /* a text file: predict the next character at every step */
	DATA_NPY,               /* the user's .npy arrays: inputs (T, N, I) with labels or targets */
	DATA_COUNT
} TrainDataset;

typedef enum {
	LAYOUT_ROWS,            /* one 28-pixel image row per step: 28 values over 28 steps
				 * (fsdd: one step of mel bands per step) */
	LAYOUT_PIXELS,          /* one pixel per step: 1 value over 784 steps */
	LAYOUT_SIGNAL,          /* toy_signal: one sample of the signal per step */
	LAYOUT_TOKENS,          /* text: one character per step, as a token id */
	LAYOUT_ARRAY,           /* npy: the array's (T, N, I) as it is */
	LAYOUT_COUNT
} TrainLayout;

typedef enum {
	ENCODE_BERNOULLI,       /* spike with probability = intensity */
	ENCODE_THRESHOLD,       /* spike where intensity > level */
	ENCODE_ANALOG,          /* the raw intensity in [0, 1] */
	ENCODE_COUNT
} TrainEncoder;

typedef enum {
	SCHEDULE_CONSTANT,      /* lr throughout */
	SCHEDULE_STEP,          /* lr * gamma^floor(epoch / every) */
	SCHEDULE_COSINE,        /* cosine from lr at epoch 0 to min_lr after the last epoch */
	SCHEDULE_COUNT
} TrainSchedule;

/* The shape of an FSDD sample, which the model must fit (train/audio.c
 * computes the features; docs/audio.md). */
#define FSDD_MELS        32     /* mel bands, 0 Hz .. 4 kHz: the values per step */
#define FSDD_STEPS       32     /* steps per recording: 0.64 s, end-aligned, silence before */

enum { NPY_X, NPY_LABELS, NPY_TEST_X, NPY_TEST_LABELS, NPY_FILES };

typedef struct {
	TrainDataset dataset;
	TrainLayout layout;     /* LAYOUT_SIGNAL for toy_signal */
	TrainEncoder encode;
	double level;           /* ENCODE_THRESHOLD: the threshold, in [0, 1) (default 0.5) */
	int fresh_draws;        /* 1 for ENCODE_BERNOULLI: each training epoch draws new spikes;
				 * evaluation draws once from `seed`, so every evaluation sees
				 * the same spikes. 0 for the deterministic encoders. */
	int steps;              /* T of one sample; equals the model's steps */
	int size;               /* values per step; equals the model input's size (text: the vocabulary) */
	int classes;            /* class labels 0..classes-1; 0 for a regression target */
	/* DATA_TEXT only: */
	char path[1024];        /* the text file, relative to the model file's folder as written
				 * in the model file, resolved against that folder here */
	double split;           /* the first `split` of the text trains, the rest evaluates (0.9) */
	int train_streams;      /* the training text is cut into this many consecutive streams
				 * (the batch), read side by side `steps` characters at a time */
	int test_streams;       /* the same for the evaluation text (the eval batch) */
	int token_ids;          /* the model reads token ids (embed), one per step, not one-hot */
	/* DATA_NPY only (docs/data.md): the files NPY_X .. NPY_TEST_LABELS,
	 * resolved as path is; the test ones are "" when the training files
	 * are split (the first `split` of the samples train). */
	char files[NPY_FILES][1024];
	int per_step;           /* labels (T, N) or targets (T, N, outputs), not labels (N,) */
	int outputs;            /* values per step of a regression target (mse); 0 for labels */
} TrainData;

typedef struct {
	TrainSchedule kind;
	int every;              /* SCHEDULE_STEP: epochs between decays, > 0 (default 10) */
	double gamma;           /* SCHEDULE_STEP: decay factor, in (0, 1] (default 0.5) */
	double min_lr;          /* SCHEDULE_COSINE: final lr, in [0, lr] (default 0) */
} TrainLr;

/* `tape`: what the backward pass reads from the BPTT tape (docs/train.md):
 * products over spikes stored, recomputed from the saved spikes, or chosen
 * by the tape's size (compiler/autodiff.h, AdTape: the same order). */
typedef enum { TAPE_AUTO, TAPE_STORE, TAPE_RECOMPUTE, TAPE_COUNT } TrainTape;

typedef struct {
	TrainData data;         /* `data`, required */
	TrainOptim optim;       /* `optimizer`, required */
	TrainLr schedule;       /* `schedule`, default constant */
	double clip;            /* max global L2 norm of the gradient, 0 = no clipping (default) */
	int batch;              /* training samples per step, > 0 (default 32) */
	int eval_batch;         /* evaluation samples per forward pass, > 0 (default: batch) */
	int epochs;             /* passes over the training set, > 0 (default 10) */
	int tbptt;              /* truncated-BPTT window in steps, 0 = full BPTT (default),
				 * at most the model's steps */
	TrainTape tape;         /* default auto */
	uint32_t seed;          /* seeds initialisation, shuffling and spike draws (default 0) */
} TrainConfig;

/* Spellings, indexed by the enums above (as written in a model file). */
extern const char *const train_dataset_names[DATA_COUNT];
extern const char *const train_layout_names[LAYOUT_COUNT];
extern const char *const train_encoder_names[ENCODE_COUNT];
extern const char *const train_schedule_names[SCHEDULE_COUNT];
extern const char *const train_tape_names[TAPE_COUNT];

/* Every optional setting at its default; data as a bare `mnist`
 * (rows, bernoulli) and optimizer as a bare `adam` would give. */
void train_defaults(TrainConfig *tc);

/* Checks block t against the lowered model g and fills *tc. Reports every
 * error through diag and returns how many it reported; *tc is complete only
 * when that is 0. */
int train_check(const Train *t, const Graph *g, TrainConfig *tc);

/* The two-line summary `spikec check` prints, starting with "train: ". */
void train_print(const TrainConfig *tc, FILE *out);

#endif
