/* audio.h: WAV files and log-mel features, of which fsdd.c builds the Free
 * Spoken Digit Dataset (FSDD).
 *
 * audio_read_wav reads one 16-bit PCM mono WAV file with libsndfile;
 * audio_features turns its samples into FSDD_STEPS x FSDD_MELS log-mel
 * energies with FFTW (pre-emphasis, Hamming frames, power spectrum, mel
 * filterbank, pooling, log, a fixed number of steps); fsdd_load reads a
 * folder of FSDD recordings, splits it as FSDD does (index 0-4 of each
 * speaker and digit test, the rest train) and normalises every mel band with
 * statistics of the training half alone into intensities in [0, 1], which
 * the encoders of data.h turn into spikes. Every parameter, the split and
 * the normalisation are documented in docs/audio.md.
 *
 * Everything is deterministic: the same files give the same floats (the FFT
 * is FFTW in double precision with an FFTW_ESTIMATE plan, so no timing
 * decides anything). Failures return -1 with a message naming the file,
 * what it is and what to do; nothing prints or exits. */
#ifndef SPIKEC_RUNTIME_AUDIO_H
#define SPIKEC_RUNTIME_AUDIO_H

#include <stddef.h>
#include "data.h"

#define FSDD_RATE        8000   /* Hz: every FSDD recording, and what audio_read_wav insists on for it */
#define AUDIO_FRAME      200    /* samples per analysis frame: 25 ms at 8 kHz */
#define AUDIO_HOP        80     /* samples between frame starts: 10 ms */
#define AUDIO_FFT        256    /* FFT length; the frame is zero-padded to it */
#define AUDIO_PREEMPH    0.97   /* y[n] = x[n] - 0.97 x[n-1] */
#define AUDIO_POOL       2      /* consecutive frames whose power is averaged into one step: 20 ms */
#define AUDIO_TRIM_DB    30.0   /* steps this far below the loudest are trimmed off both ends */
#define AUDIO_FLOOR      1e-8   /* mel energy floor before the log */
#define AUDIO_NORM_LO    (-1.0) /* z-scores in [LO, HI] map linearly onto intensities [0, 1] ... */
#define AUDIO_NORM_HI    1.0    /* ... and are clipped outside */
#define FSDD_FEATURES    (FSDD_STEPS * FSDD_MELS)
#define FSDD_TEST_INDEX  5      /* recordings with index < 5 are the official test set */

/* Reads path, which must be a WAV file of 16-bit PCM mono samples at `rate`
 * Hz (rate 0 accepts any rate), holding at least one sample and exactly the
 * bytes its header promises. *samples gets them (malloc'd; the caller frees)
 * as int16 / 32768, in [-1, 1); *n their number; *got_rate the rate. 0, or -1
 * with *samples NULL and a message that names the file and says what it is
 * instead: not a WAV file, empty, truncated, stereo, 24-bit, float, 16000 Hz. */
int audio_read_wav(const char *path, int rate, float **samples, int *n, int *got_rate, char *err, size_t errlen);

/* Mel scale (HTK): 2595 log10(1 + hz / 700), and its inverse. */
double audio_hz_to_mel(double hz);
double audio_mel_to_hz(double mel);

/* The feature extractor: FFT plan, window, filterbank and buffers, made once
 * and reused for every recording (not thread-safe: one per thread). */
typedef struct AudioFeatures AudioFeatures;

/* A new extractor for FSDD_RATE audio, or NULL when out of memory. */
AudioFeatures *audio_features_new(void);
void audio_features_free(AudioFeatures *f);

/* The log-mel features of the n samples x (n >= 1): out (FSDD_STEPS x
 * FSDD_MELS, row-major, step-major) gets log(max(E, AUDIO_FLOOR)) of each
 * step's mel energy E. Frame k covers samples [k AUDIO_HOP, k AUDIO_HOP +
 * AUDIO_FRAME), zeros past the end; a recording has ceil(n / AUDIO_HOP)
 * frames, and step s averages the power of frames s AUDIO_POOL .. s AUDIO_POOL
 * + AUDIO_POOL - 1 of them (those that exist). Steps whose energy, summed over
 * the bands, is more than AUDIO_TRIM_DB below the loudest step's are trimmed
 * off the start and the end; of the rest, the first FSDD_STEPS at most are
 * kept and written end-aligned: the recording's last kept step is out's last
 * step, and the steps before its first are silence (E = 0). Returns the
 * number of kept steps (1 .. FSDD_STEPS), or -1 when out of memory. */
int audio_features(AudioFeatures *f, const float *x, int n, float *out);

/* The per-band statistics of normalisation: mean and standard deviation of
 * each band's log energy over the kept steps (the last steps[i] of sample i)
 * of the count samples in raw (count x FSDD_FEATURES). */
void audio_band_stats(const float *raw, const int *steps, int count, double *mean, double *std);

/* Normalises count samples in place with the statistics of audio_band_stats:
 * a kept step's value becomes clip((z - AUDIO_NORM_LO) / (AUDIO_NORM_HI -
 * AUDIO_NORM_LO), 0, 1), z = (value - mean[band]) / std[band]; the padding
 * before the kept steps becomes 0 (no spikes). */
void audio_normalise(float *raw, const int *steps, int count, const double *mean, const double *std);

#endif
