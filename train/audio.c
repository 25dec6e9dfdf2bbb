/* audio.c: WAV files (libsndfile) and log-mel features (FFTW); fsdd.c makes
 * the spoken-digit data set of them. docs/audio.md is the user's view. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <fftw3.h>
#include <sndfile.h>
#include "audio.h"
#include "data.h"
#include "mem/mem.h"

#define BINS       (AUDIO_FFT / 2 + 1)

/* ---- WAV files -------------------------------------------------------------- */

/* What a WAV subtype is, for messages: "24-bit PCM", "32-bit float". */
static const char *subtype_name(int subtype)
{
	switch (subtype) {
	case SF_FORMAT_PCM_S8: return "8-bit PCM";
	case SF_FORMAT_PCM_U8: return "8-bit PCM";
	case SF_FORMAT_PCM_16: return "16-bit PCM";
	case SF_FORMAT_PCM_24: return "24-bit PCM";
	case SF_FORMAT_PCM_32: return "32-bit PCM";
	case SF_FORMAT_FLOAT: return "32-bit float";
	case SF_FORMAT_DOUBLE: return "64-bit float";
	case SF_FORMAT_ULAW: return "u-law";
	case SF_FORMAT_ALAW: return "A-law";
	case SF_FORMAT_IMA_ADPCM: case SF_FORMAT_MS_ADPCM: return "ADPCM";
	case SF_FORMAT_GSM610: return "GSM 6.10";
	default: return "compressed";
	}
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Whether the RIFF file f of `size` bytes holds every byte of sample data
 * its 'data' chunk promises: libsndfile quietly reads what is there, so a
 * cut-off file would pass as a shorter recording. *promised and *held get
 * the two sizes; 1 if it is complete or has no 'data' chunk to judge. */
static int data_complete(FILE *f, long size, long *promised, long *held)
{
	unsigned char h[12];
	long pos = 12;

	if (fseek(f, 0, SEEK_SET) != 0 || fread(h, 1, 12, f) != 12 || memcmp(h, "RIFF", 4) != 0 ||
	    memcmp(h + 8, "WAVE", 4) != 0)
		return 1;
	while (pos + 8 <= size) {
		unsigned char c[8];
		uint32_t len;

		if (fseek(f, pos, SEEK_SET) != 0 || fread(c, 1, 8, f) != 8)
			return 1;
		len = le32(c + 4);
		if (memcmp(c, "data", 4) == 0) {
			*promised = (long)len;
			*held = size - pos - 8;
			return len == 0xffffffffu || (long)len <= *held;    /* ~0: length unknown (a stream) */
		}
		pos += 8 + (long)len + (long)(len & 1);
	}
	return 1;
}

int audio_read_wav(const char *path, int rate, float **samples, int *n, int *got_rate, char *err, size_t errlen)
{
	char todo[160];
	SF_INFO info;
	SNDFILE *sf = NULL;
	FILE *f;
	short *pcm = NULL;
	long size, promised = 0, held = 0;
	int type, subtype, rc = -1;

	*samples = NULL;
	*n = 0;
	snprintf(todo, sizeof todo, "convert it to a 16-bit PCM mono WAV file (e.g. sox IN -b 16 -c 1 OUT.wav) or "
		 "remove it");
	if (rate)
		snprintf(todo, sizeof todo, "convert it to a 16-bit PCM mono WAV file at %d Hz (e.g. sox IN -b 16 -c 1 "
			 "-r %d OUT.wav) or remove it", rate, rate);
	if (!(f = fopen(path, "rb"))) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0) {
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		fclose(f);
		return -1;
	}
	if (size == 0) {
		snprintf(err, errlen, "%s: empty file (0 bytes), not a WAV file; copy it again or remove it", path);
		fclose(f);
		return -1;
	}
	memset(&info, 0, sizeof info);
	if (!(sf = sf_open(path, SFM_READ, &info))) {
		unsigned char h[12];

		if (fseek(f, 0, SEEK_SET) == 0 && fread(h, 1, 12, f) == 12 && memcmp(h, "RIFF", 4) == 0 &&
		    memcmp(h + 8, "WAVE", 4) == 0)
			snprintf(err, errlen, "%s: a damaged or truncated WAV file (%ld bytes; libsndfile: %s); copy it "
				 "again", path, size, sf_strerror(NULL));
		else
			snprintf(err, errlen, "%s: not a WAV file (libsndfile: %s); %s", path, sf_strerror(NULL), todo);
		goto done;
	}
	type = info.format & SF_FORMAT_TYPEMASK;
	subtype = info.format & SF_FORMAT_SUBMASK;
	if (type != SF_FORMAT_WAV && type != SF_FORMAT_WAVEX) {
		SF_FORMAT_INFO fi = {.format = type};

		snprintf(err, errlen, "%s: not a WAV file but %s; %s", path,
			 sf_command(NULL, SFC_GET_FORMAT_INFO, &fi, sizeof fi) == 0 && fi.name ? fi.name : "another format",
			 todo);
		goto done;
	}
	if (!data_complete(f, size, &promised, &held)) {
		snprintf(err, errlen, "%s: truncated: the header promises %ld bytes of samples but the file holds %ld; "
			 "the file is incomplete: copy it again", path, promised, held);
		goto done;
	}
	if (info.channels != 1) {
		snprintf(err, errlen, "%s: %s (%d channels), but mono is needed; %s", path,
			 info.channels == 2 ? "stereo" : "multichannel", info.channels, todo);
		goto done;
	}
	if (subtype != SF_FORMAT_PCM_16) {
		snprintf(err, errlen, "%s: %s samples, but 16-bit PCM is needed; %s", path, subtype_name(subtype), todo);
		goto done;
	}
	if (rate && info.samplerate != rate) {
		snprintf(err, errlen, "%s: sampled at %d Hz, but %d Hz is needed (spikec does not resample); %s", path,
			 info.samplerate, rate, todo);
		goto done;
	}
	if (info.frames <= 0) {
		snprintf(err, errlen, "%s: empty (0 samples): a WAV header with no sound; record it again or remove it",
			 path);
		goto done;
	}
	if (info.frames > INT_MAX / 2) {
		snprintf(err, errlen, "%s: %lld samples, too long for a recording; %s", path, (long long)info.frames, todo);
		goto done;
	}
	*n = (int)info.frames;
	pcm = mem_malloc((size_t)*n * sizeof *pcm);
	*samples = mem_malloc((size_t)*n * sizeof **samples);
	if (!pcm || !*samples) {
		snprintf(err, errlen, "%s: out of memory for %d samples", path, *n);
		goto done;
	}
	sf_count_t got = sf_readf_short(sf, pcm, info.frames);
	if (got != info.frames) {
		snprintf(err, errlen, "%s: truncated: the header promises %lld samples but only %lld can be read (%s); "
			 "the file is incomplete: copy it again", path, (long long)info.frames, (long long)got,
			 sf_strerror(sf));
		goto done;
	}
	for (int i = 0; i < *n; i++)
		(*samples)[i] = (float)pcm[i] / 32768.0f;
	if (got_rate)
		*got_rate = info.samplerate;
	rc = 0;
done:
	if (sf)
		sf_close(sf);
	fclose(f);
	free(pcm);
	if (rc) {
		free(*samples);
		*samples = NULL;
		*n = 0;
	}
	return rc;
}

/* ---- features --------------------------------------------------------------- */

double audio_hz_to_mel(double hz)
{
	return 2595.0 * log10(1.0 + hz / 700.0);
}

double audio_mel_to_hz(double mel)
{
	return 700.0 * (pow(10.0, mel / 2595.0) - 1.0);
}

struct AudioFeatures {
	fftw_plan plan;
	double *frame;                  /* AUDIO_FFT: the windowed frame, zero-padded */
	fftw_complex *spec;             /* BINS */
	double window[AUDIO_FRAME];     /* Hamming */
	double mel[FSDD_MELS][BINS];    /* triangular filters on the FFT bins */
	int first[FSDD_MELS], last[FSDD_MELS];  /* the bins where filter m is not 0 */
	double power[BINS];
	double *y;                      /* the pre-emphasised recording */
	double *energy;                 /* steps x FSDD_MELS: mel energy of every step of it */
	double *total;                  /* steps: energy summed over the bands */
	int ycap, ecap, tcap;
};

AudioFeatures *audio_features_new(void)
{
	AudioFeatures *f = mem_calloc(1, sizeof *f);
	double edge[FSDD_MELS + 2], top = audio_hz_to_mel(FSDD_RATE / 2.0);

	if (!f)
		return NULL;
	f->frame = fftw_malloc(AUDIO_FFT * sizeof *f->frame);
	f->spec = fftw_malloc(BINS * sizeof *f->spec);
	if (!f->frame || !f->spec) {
		audio_features_free(f);
		return NULL;
	}
	/* FFTW_ESTIMATE: the plan comes from heuristics, never from timings,
	 * so every run computes the same sums in the same order */
	f->plan = fftw_plan_dft_r2c_1d(AUDIO_FFT, f->frame, f->spec, FFTW_ESTIMATE);
	for (int j = 0; j < AUDIO_FRAME; j++)
		f->window[j] = 0.54 - 0.46 * cos(2 * 3.14159265358979323846 * j / (AUDIO_FRAME - 1));
	for (int m = 0; m < FSDD_MELS + 2; m++)
		edge[m] = audio_mel_to_hz(top * m / (FSDD_MELS + 1));
	for (int m = 0; m < FSDD_MELS; m++)
		for (int b = 0; b < BINS; b++) {
			double hz = (double)b * FSDD_RATE / AUDIO_FFT, lo = edge[m], mid = edge[m + 1], hi = edge[m + 2];

			f->mel[m][b] = hz > lo && hz <= mid ? (hz - lo) / (mid - lo) :
				       hz > mid && hz < hi ? (hi - hz) / (hi - mid) : 0.0;
		}
	for (int m = 0; m < FSDD_MELS; m++) {
		f->first[m] = BINS;
		f->last[m] = -1;
		for (int b = 0; b < BINS; b++)
			if (f->mel[m][b] != 0.0) {
				f->first[m] = b < f->first[m] ? b : f->first[m];
				f->last[m] = b;
			}
	}
	return f;
}

void audio_features_free(AudioFeatures *f)
{
	if (!f)
		return;
	if (f->plan)
		fftw_destroy_plan(f->plan);
	fftw_free(f->frame);
	fftw_free(f->spec);
	free(f->y);
	free(f->energy);
	free(f->total);
	free(f);
}

/* Grows *buf to hold n doubles; 0, or -1 when out of memory. */
static int reserve(double **buf, int *cap, size_t n)
{
	double *p;

	if ((size_t)*cap >= n)
		return 0;
	if (n > INT_MAX || !(p = mem_realloc(*buf, n * sizeof *p)))
		return -1;
	*buf = p;
	*cap = (int)n;
	return 0;
}

int audio_features(AudioFeatures *f, const float *x, int n, float *out)
{
	const int frames = (n + AUDIO_HOP - 1) / AUDIO_HOP, steps = (frames + AUDIO_POOL - 1) / AUDIO_POOL;
	double peak = 0, *e;
	int first = 0, last, len;

	if (reserve(&f->y, &f->ycap, (size_t)n) || reserve(&f->energy, &f->ecap, (size_t)steps * FSDD_MELS) ||
	    reserve(&f->total, &f->tcap, (size_t)steps))
		return -1;
	f->y[0] = x[0];
	for (int i = 1; i < n; i++)
		f->y[i] = (double)x[i] - AUDIO_PREEMPH * x[i - 1];
	/* the mel energy of every step: the mean power of its frames */
	memset(f->energy, 0, (size_t)steps * FSDD_MELS * sizeof *f->energy);
	for (int k = 0; k < frames; k++) {
		const double *y = f->y + (size_t)k * AUDIO_HOP;
		int len = n - k * AUDIO_HOP < AUDIO_FRAME ? n - k * AUDIO_HOP : AUDIO_FRAME;
		int s = k / AUDIO_POOL, pooled = s == steps - 1 ? frames - s * AUDIO_POOL : AUDIO_POOL;

		e = f->energy + (size_t)s * FSDD_MELS;
		for (int j = 0; j < AUDIO_FFT; j++)
			f->frame[j] = j < len ? y[j] * f->window[j] : 0.0;
		fftw_execute(f->plan);
		for (int b = 0; b < BINS; b++)
			f->power[b] = (f->spec[b][0] * f->spec[b][0] + f->spec[b][1] * f->spec[b][1]) / pooled;
		for (int m = 0; m < FSDD_MELS; m++)
			for (int b = f->first[m]; b <= f->last[m]; b++)
				e[m] += f->mel[m][b] * f->power[b];
	}
	/* trim the steps more than AUDIO_TRIM_DB below the loudest at both ends */
	double *total = f->total;
	for (int s = 0; s < steps; s++) {
		total[s] = 0;
		for (int m = 0; m < FSDD_MELS; m++)
			total[s] += f->energy[(size_t)s * FSDD_MELS + m];
		peak = total[s] > peak ? total[s] : peak;
	}
	const double keep = peak * pow(10.0, -AUDIO_TRIM_DB / 10.0);
	last = steps - 1;
	while (first < last && total[first] < keep)
		first++;
	while (last > first && total[last] < keep)
		last--;
	len = last - first + 1 < FSDD_STEPS ? last - first + 1 : FSDD_STEPS;
	/* end-aligned: the kept steps last, silence before them */
	for (int s = 0; s < FSDD_STEPS; s++)
		for (int m = 0; m < FSDD_MELS; m++) {
			int from = first + s - (FSDD_STEPS - len);
			double v = from >= first ? f->energy[(size_t)from * FSDD_MELS + m] : 0.0;

			out[s * FSDD_MELS + m] = (float)log(v > AUDIO_FLOOR ? v : AUDIO_FLOOR);
		}
	return len;
}

void audio_band_stats(const float *raw, const int *steps, int count, double *mean, double *std)
{
	double sum[FSDD_MELS] = {0}, sq[FSDD_MELS] = {0};
	long cells = 0;

	for (int i = 0; i < count; i++)
		for (int s = FSDD_STEPS - steps[i]; s < FSDD_STEPS; s++, cells++)
			for (int m = 0; m < FSDD_MELS; m++) {
				double v = raw[(size_t)i * FSDD_FEATURES + s * FSDD_MELS + m];

				sum[m] += v;
				sq[m] += v * v;
			}
	for (int m = 0; m < FSDD_MELS; m++) {
		mean[m] = cells ? sum[m] / cells : 0.0;
		double var = cells ? sq[m] / cells - mean[m] * mean[m] : 0.0;
		std[m] = var > 1e-12 ? sqrt(var) : 1.0;
	}
}

void audio_normalise(float *raw, const int *steps, int count, const double *mean, const double *std)
{
	for (int i = 0; i < count; i++)
		for (int s = 0; s < FSDD_STEPS; s++)
			for (int m = 0; m < FSDD_MELS; m++) {
				float *v = raw + (size_t)i * FSDD_FEATURES + s * FSDD_MELS + m;
				double z = (*v - mean[m]) / std[m], u = (z - AUDIO_NORM_LO) / (AUDIO_NORM_HI - AUDIO_NORM_LO);

				*v = s < FSDD_STEPS - steps[i] ? 0.0f : (float)(u < 0 ? 0 : u > 1 ? 1 : u);
			}
}
