/* train/audio: WAV reading and every rejection, the log-mel features of
 * synthetic signals (a tone's band, silence, step counts, trimming and
 * end-alignment), the normalisation and that it uses the training half
 * alone, the FSDD split of a synthetic folder and of the real recordings.
 * Every WAV is written here with libsndfile into a fresh temporary folder. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sndfile.h>
#include "unit.h"
#include "train/audio.h"
#include "train/data.h"

#define PI 3.14159265358979323846

static char tmpdir[256];

/* A fresh folder under $TMPDIR (or /tmp) for one test; rm_tmp removes it. */
static const char *mk_tmp(void)
{
	const char *base = getenv("TMPDIR");

	snprintf(tmpdir, sizeof tmpdir, "%s/spikec-audio-XXXXXX", base && base[0] ? base : "/tmp");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(tmpdir));
	return tmpdir;
}

static void rm_tmp(void)
{
	char cmd[512];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	CU_ASSERT_EQUAL(system(cmd), 0);
}

static const char *in_tmp(const char *name)
{
	static char path[512];

	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	return path;
}

/* Writes n frames of the signal x (n * channels values in [-1, 1]) to path
 * as `format` (e.g. SF_FORMAT_WAV | SF_FORMAT_PCM_16). */
static void write_sound(const char *path, int format, int channels, int rate, const float *x, int n)
{
	SF_INFO info = {.samplerate = rate, .channels = channels, .format = format};
	SNDFILE *sf = sf_open(path, SFM_WRITE, &info);

	CU_ASSERT_PTR_NOT_NULL_FATAL(sf);
	if (n)
		CU_ASSERT_EQUAL(sf_writef_float(sf, x, n), n);
	sf_close(sf);
}

/* amp sin(2 pi hz t) at 8 kHz, samples [from, to) of n, zeros elsewhere. */
static float *tone(int n, double hz, double amp, int from, int to)
{
	float *x = calloc((size_t)n + 1, sizeof *x);

	for (int i = from; i < to && i < n; i++)
		x[i] = (float)(amp * sin(2 * PI * hz * i / FSDD_RATE));
	return x;
}

static void write_tone(const char *path, int n, double hz, double amp)
{
	float *x = tone(n, hz, amp, 0, n);

	write_sound(path, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1, FSDD_RATE, x, n);
	free(x);
}

static void expect_error(int rc, const char *err, const char *needle)
{
	CU_ASSERT_EQUAL(rc, -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, needle));
	if (!strstr(err, needle))
		fprintf(stderr, "\n    expected \"%s\" in: %s\n", needle, err);
}

/* ---- reading ----------------------------------------------------------------- */

static void test_audio_read_ok(void)
{
	float *x, *want;
	int n, rate = 0;
	char err[1024];

	mk_tmp();
	want = tone(1000, 440, 0.5, 0, 1000);
	write_sound(in_tmp("a.wav"), SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1, 8000, want, 1000);
	CU_ASSERT_EQUAL_FATAL(audio_read_wav(in_tmp("a.wav"), 8000, &x, &n, &rate, err, sizeof err), 0);
	CU_ASSERT_EQUAL(n, 1000);
	CU_ASSERT_EQUAL(rate, 8000);
	for (int i = 0; i < n; i++)             /* 16-bit: within half a step of 1/32768 */
		CU_ASSERT(fabsf(x[i] - want[i]) <= 1.0f / 32768);
	CU_ASSERT_EQUAL(x[0], 0.0f);
	free(x);
	/* rate 0 takes any rate */
	write_sound(in_tmp("b.wav"), SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1, 16000, want, 10);
	CU_ASSERT_EQUAL(audio_read_wav(in_tmp("b.wav"), 0, &x, &n, &rate, err, sizeof err), 0);
	CU_ASSERT_EQUAL(rate, 16000);
	free(x);
	free(want);
	rm_tmp();
}

/* One bad file: -1, no samples, and a message naming the file and the fault. */
static void check_bad(const char *name, const char *needle)
{
	float *x = (float *)1;
	int n = 7;
	char err[1024];

	expect_error(audio_read_wav(in_tmp(name), 8000, &x, &n, NULL, err, sizeof err), err, needle);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, in_tmp(name)));
	CU_ASSERT_PTR_NULL(x);
	CU_ASSERT_EQUAL(n, 0);
}

static void test_audio_read_errors(void)
{
	float x[2000] = {0};
	FILE *f;

	mk_tmp();
	write_sound(in_tmp("stereo.wav"), SF_FORMAT_WAV | SF_FORMAT_PCM_16, 2, 8000, x, 500);
	check_bad("stereo.wav", "stereo (2 channels), but mono is needed");
	write_sound(in_tmp("24bit.wav"), SF_FORMAT_WAV | SF_FORMAT_PCM_24, 1, 8000, x, 500);
	check_bad("24bit.wav", "24-bit PCM samples, but 16-bit PCM is needed");
	write_sound(in_tmp("float.wav"), SF_FORMAT_WAV | SF_FORMAT_FLOAT, 1, 8000, x, 500);
	check_bad("float.wav", "32-bit float samples");
	write_sound(in_tmp("8bit.wav"), SF_FORMAT_WAV | SF_FORMAT_PCM_U8, 1, 8000, x, 500);
	check_bad("8bit.wav", "8-bit PCM samples");
	write_sound(in_tmp("16k.wav"), SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1, 16000, x, 500);
	check_bad("16k.wav", "sampled at 16000 Hz, but 8000 Hz is needed (spikec does not resample)");
	check_bad("16k.wav", "sox IN -b 16 -c 1 -r 8000 OUT.wav");
	write_sound(in_tmp("nosamples.wav"), SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1, 8000, x, 0);
	check_bad("nosamples.wav", "empty (0 samples): a WAV header with no sound");
	write_sound(in_tmp("aiff.wav"), SF_FORMAT_AIFF | SF_FORMAT_PCM_16, 1, 8000, x, 500);
	check_bad("aiff.wav", "not a WAV file but AIFF");
	/* a good file cut off in its samples */
	write_sound(in_tmp("cut.wav"), SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1, 8000, x, 1000);
	CU_ASSERT_EQUAL(truncate(in_tmp("cut.wav"), 44 + 700), 0);
	check_bad("cut.wav", "truncated: the header promises 2000 bytes of samples but the file holds 700");
	CU_ASSERT_EQUAL(truncate(in_tmp("cut.wav"), 30), 0);       /* cut off in the header */
	check_bad("cut.wav", "a damaged or truncated WAV file (30 bytes; libsndfile: ");
	f = fopen(in_tmp("empty.wav"), "wb");
	fclose(f);
	check_bad("empty.wav", "empty file (0 bytes), not a WAV file");
	f = fopen(in_tmp("text.wav"), "wb");
	fputs("these are not the samples you are looking for\n", f);
	fclose(f);
	check_bad("text.wav", "not a WAV file (libsndfile: ");
	check_bad("missing.wav", "cannot open: No such file or directory");
	rm_tmp();
}

/* ---- features ---------------------------------------------------------------- */

/* The band whose filter peaks nearest to hz. */
static int band_of(double hz)
{
	double top = audio_hz_to_mel(FSDD_RATE / 2.0), best = 1e9;
	int band = -1;

	for (int m = 0; m < FSDD_MELS; m++) {
		double centre = audio_mel_to_hz(top * (m + 1) / (FSDD_MELS + 1));

		if (fabs(centre - hz) < best) {
			best = fabs(centre - hz);
			band = m;
		}
	}
	return band;
}

static void test_audio_mel_scale(void)
{
	CU_ASSERT_DOUBLE_EQUAL(audio_hz_to_mel(0), 0, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(audio_hz_to_mel(700), 2595 * log10(2.0), 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(audio_hz_to_mel(1000), 999.985, 1e-3);     /* HTK: ~1000 mel at 1 kHz */
	for (double hz = 0; hz <= 4000; hz += 250)
		CU_ASSERT_DOUBLE_EQUAL(audio_mel_to_hz(audio_hz_to_mel(hz)), hz, 1e-9);
}

/* A pure tone lights the band around its frequency, in every step. */
static void test_audio_features_tone(void)
{
	static const double freqs[] = {300, 1000, 2500};
	AudioFeatures *f = audio_features_new();
	float out[FSDD_FEATURES];

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	for (size_t k = 0; k < sizeof freqs / sizeof freqs[0]; k++) {
		float *x = tone(8000, freqs[k], 0.5, 0, 8000);

		/* 1 s = 100 frames = 50 steps, all equally loud: the first 32 are kept */
		CU_ASSERT_EQUAL(audio_features(f, x, 8000, out), FSDD_STEPS);
		for (int s = 0; s < FSDD_STEPS; s++) {
			int peak = 0;

			for (int m = 1; m < FSDD_MELS; m++)
				if (out[s * FSDD_MELS + m] > out[s * FSDD_MELS + peak])
					peak = m;
			CU_ASSERT_EQUAL(peak, band_of(freqs[k]));
		}
		/* far bands are >40 dB (9.2 in natural log) below the peak */
		CU_ASSERT(out[5 * FSDD_MELS + band_of(freqs[k])] - out[5 * FSDD_MELS + FSDD_MELS - 1] > 9.2f);
		free(x);
	}
	audio_features_free(f);
}

/* ceil(n / 80) frames, ceil(frames / 2) steps, end-aligned after silence. */
static void test_audio_features_steps(void)
{
	static const struct { int n, steps; } cases[] = {
		{1600, 10}, {1760, 11}, {1680, 11}, {160, 1}, {8000, FSDD_STEPS}, {5120, FSDD_STEPS}, {5121, FSDD_STEPS},
	};
	AudioFeatures *f = audio_features_new();
	float out[FSDD_FEATURES];
	const float floor_log = (float)log(AUDIO_FLOOR);

	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		float *x = tone(cases[k].n, 1000, 0.5, 0, cases[k].n);
		int got = audio_features(f, x, cases[k].n, out);

		CU_ASSERT_EQUAL(got, cases[k].steps);
		if (got != cases[k].steps)
			fprintf(stderr, "\n    %d samples: %d steps, expected %d\n", cases[k].n, got, cases[k].steps);
		for (int s = 0; s < FSDD_STEPS; s++)
			for (int m = 0; m < FSDD_MELS; m++) {
				float v = out[s * FSDD_MELS + m];

				if (s < FSDD_STEPS - got) {
					CU_ASSERT_EQUAL(v, floor_log);
				} else if (m == band_of(1000)) {
					CU_ASSERT(v > floor_log + 10);
				}
			}
		free(x);
	}
	audio_features_free(f);
}

/* Silence is the floor everywhere; quiet ends are trimmed off. */
static void test_audio_features_silence_trim(void)
{
	AudioFeatures *f = audio_features_new();
	float out[FSDD_FEATURES], *x = calloc(6400, sizeof *x);
	const float floor_log = (float)log(AUDIO_FLOOR);
	int got;

	got = audio_features(f, x, 800, out);           /* 10 frames, 5 steps, all silent */
	CU_ASSERT_EQUAL(got, 5);
	for (int i = 0; i < FSDD_FEATURES; i++)
		CU_ASSERT_EQUAL(out[i], floor_log);
	free(x);
	/* 0.2 s silence, 0.4 s tone, 0.2 s silence: 40 steps, the tone's 20 kept
	 * (plus those its edges reach into), the silence at both ends trimmed */
	x = tone(6400, 1000, 0.5, 1600, 4800);
	got = audio_features(f, x, 6400, out);
	CU_ASSERT(got >= 20 && got <= 22);
	for (int s = FSDD_STEPS - got; s < FSDD_STEPS; s++)
		CU_ASSERT(out[s * FSDD_MELS + band_of(1000)] > floor_log + 10);
	CU_ASSERT_EQUAL(out[(FSDD_STEPS - got - 1) * FSDD_MELS + band_of(1000)], floor_log);
	free(x);
	/* the same tone 40 dB quieter in the middle of it stays: only the ends trim */
	x = tone(6400, 1000, 0.5, 0, 6400);
	for (int i = 2400; i < 4000; i++)
		x[i] *= 0.01f;
	CU_ASSERT_EQUAL(audio_features(f, x, 6400, out), FSDD_STEPS);
	free(x);
	audio_features_free(f);
}

/* ---- normalisation ---------------------------------------------------------- */

static void test_audio_normalise(void)
{
	float *raw = calloc(2 * FSDD_FEATURES, sizeof *raw);
	int steps[2] = {2, 1};
	double mean[FSDD_MELS], std[FSDD_MELS];

	/* band m of sample 0's last two steps: m and m + 2; of sample 1's last: m + 4;
	 * the padding holds -100, which the statistics must not see */
	for (int i = 0; i < 2 * FSDD_FEATURES; i++)
		raw[i] = -100;
	for (int m = 0; m < FSDD_MELS; m++) {
		raw[(FSDD_STEPS - 2) * FSDD_MELS + m] = (float)m;
		raw[(FSDD_STEPS - 1) * FSDD_MELS + m] = (float)m + 2;
		raw[FSDD_FEATURES + (FSDD_STEPS - 1) * FSDD_MELS + m] = (float)m + 4;
	}
	audio_band_stats(raw, steps, 2, mean, std);
	for (int m = 0; m < FSDD_MELS; m++) {
		CU_ASSERT_DOUBLE_EQUAL(mean[m], m + 2, 1e-9);
		CU_ASSERT_DOUBLE_EQUAL(std[m], sqrt(8.0 / 3), 1e-9);
	}
	/* z = -sqrt(3/2), 0 and +sqrt(3/2): clipped to 0, the middle, clipped to 1 */
	audio_normalise(raw, steps, 2, mean, std);
	for (int m = 0; m < FSDD_MELS; m++) {
		CU_ASSERT_EQUAL(raw[(FSDD_STEPS - 2) * FSDD_MELS + m], 0.0f);
		CU_ASSERT_EQUAL(raw[(FSDD_STEPS - 1) * FSDD_MELS + m], 0.5f);
		CU_ASSERT_EQUAL(raw[FSDD_FEATURES + (FSDD_STEPS - 1) * FSDD_MELS + m], 1.0f);
		CU_ASSERT_EQUAL(raw[(FSDD_STEPS - 3) * FSDD_MELS + m], 0.0f);         /* padding */
		CU_ASSERT_EQUAL(raw[FSDD_FEATURES + (FSDD_STEPS - 2) * FSDD_MELS + m], 0.0f);
	}
	/* a quarter of the way: z = -0.5 */
	raw[(FSDD_STEPS - 1) * FSDD_MELS + 3] = (float)(mean[3] - 0.5 * std[3]);
	audio_normalise(raw, steps, 1, mean, std);
	CU_ASSERT_DOUBLE_EQUAL(raw[(FSDD_STEPS - 1) * FSDD_MELS + 3], 0.25, 1e-6);
	free(raw);
}

/* ---- the FSDD folder --------------------------------------------------------- */

/* A small FSDD-like folder: digits 0..9 of speaker "ann" with indices 0, 1
 * (test) and 5, 6, 12 (train), digit d a tone of 300 + 200 d Hz; the test
 * recordings `test_gain` times as loud. */
static void write_fsdd(double test_gain)
{
	static const int index[] = {0, 1, 5, 6, 12};

	for (int d = 0; d < 10; d++)
		for (int k = 0; k < 5; k++) {
			char name[64];

			snprintf(name, sizeof name, "%d_ann_%d.wav", d, index[k]);
			write_tone(in_tmp(name), 2400 + 160 * k, 300 + 200 * d, (index[k] < 5 ? test_gain : 1) * 0.1);
		}
}

static void test_fsdd_fixture(void)
{
	TrainData c = {.dataset = DATA_FSDD, .layout = LAYOUT_ROWS, .encode = ENCODE_BERNOULLI, .fresh_draws = 1,
		       .steps = FSDD_STEPS, .size = FSDD_MELS, .classes = 10};
	DataSplit a, b;
	char err[1024];
	FILE *f;

	mk_tmp();
	write_fsdd(1);
	f = fopen(in_tmp("README.txt"), "w");          /* files other than .wav are ignored */
	fclose(f);
	CU_ASSERT_EQUAL_FATAL(data_load_from(&c, tmpdir, &a, err, sizeof err), 0);
	CU_ASSERT_EQUAL(a.train.count, 30);
	CU_ASSERT_EQUAL(a.test.count, 20);
	CU_ASSERT_EQUAL(a.train.features, FSDD_FEATURES);
	CU_ASSERT_EQUAL(a.test.classes, 10);
	/* sorted by name: 0_ann_0, 0_ann_1 | 0_ann_12, 0_ann_5, 0_ann_6, then 1_... */
	for (int i = 0; i < 30; i++)
		CU_ASSERT_EQUAL(a.train.labels[i], i / 3);
	for (int i = 0; i < 20; i++)
		CU_ASSERT_EQUAL(a.test.labels[i], i / 2);
	for (int h = 0; h < 2; h++) {
		const Dataset *d = h ? &a.test : &a.train;

		long outside = 0;

		for (long i = 0; i < (long)d->count * d->features; i++)
			outside += !(d->values[i] >= 0.0f && d->values[i] <= 1.0f);
		CU_ASSERT_EQUAL(outside, 0);
	}
	/* 0_ann_12 (train 0): 3040 samples, 38 frames, 19 steps after padding */
	CU_ASSERT_EQUAL(a.train.values[(FSDD_STEPS - 20) * FSDD_MELS + band_of(300)], 0.0f);
	CU_ASSERT_EQUAL(a.train.values[(FSDD_STEPS - 1) * FSDD_MELS + band_of(300)], 1.0f);
	CU_ASSERT_EQUAL(a.train.values[(FSDD_STEPS - 19) * FSDD_MELS + band_of(300)], 1.0f);
	/* the statistics come from the training half alone: test recordings 5
	 * times as loud leave every training value as it was */
	rm_tmp();
	mk_tmp();
	write_fsdd(5);
	CU_ASSERT_EQUAL_FATAL(fsdd_load(tmpdir, &b, err, sizeof err), 0);
	CU_ASSERT_EQUAL(memcmp(a.train.values, b.train.values, (size_t)a.train.count * FSDD_FEATURES * sizeof(float)),
			0);
	CU_ASSERT_NOT_EQUAL(memcmp(a.test.values, b.test.values, (size_t)a.test.count * FSDD_FEATURES * sizeof(float)),
			    0);
	data_free(&a);
	data_free(&b);
	rm_tmp();
}

static void test_fsdd_errors(void)
{
	DataSplit s;
	char err[1024], path[600];

	mk_tmp();
	write_fsdd(1);
	write_tone(in_tmp("hello.wav"), 800, 440, 0.1);
	expect_error(fsdd_load(tmpdir, &s, err, sizeof err), err, "hello.wav: not named DIGIT_SPEAKER_INDEX.wav");
	CU_ASSERT_PTR_NULL(s.train.values);
	unlink(in_tmp("hello.wav"));
	write_sound(in_tmp("3_ann_20.wav"), SF_FORMAT_WAV | SF_FORMAT_PCM_16, 2, 8000, (float[400]){0}, 200);
	expect_error(fsdd_load(tmpdir, &s, err, sizeof err), err, "3_ann_20.wav: stereo");
	CU_ASSERT_PTR_NULL(s.test.values);
	rm_tmp();
	mk_tmp();
	write_tone(in_tmp("3_ann_20.wav"), 800, 440, 0.1);
	expect_error(fsdd_load(tmpdir, &s, err, sizeof err), err, "1 recordings, 0 of them with index < 5");
	snprintf(path, sizeof path, "%s/nothing-here", tmpdir);
	expect_error(fsdd_load(path, &s, err, sizeof err), err, "cannot open the folder");
	setenv("SPIKEC_FSDD_DIR", path, 1);
	expect_error(fsdd_load(NULL, &s, err, sizeof err), err, "SPIKEC_FSDD_DIR is ");
	expect_error(-1, err, path);
	setenv("SPIKEC_FSDD_DIR", tmpdir, 1);           /* the variable wins over the repository's copy */
	expect_error(fsdd_load(NULL, &s, err, sizeof err), err, "1 recordings");
	unsetenv("SPIKEC_FSDD_DIR");
	rm_tmp();
}

/* The recordings of data/fsdd: the official split, 270 / 30 of each digit. */
static void test_fsdd_real(void)
{
	TrainData c = {.dataset = DATA_FSDD, .layout = LAYOUT_ROWS, .encode = ENCODE_THRESHOLD, .level = 0.5,
		       .steps = FSDD_STEPS, .size = FSDD_MELS, .classes = 10};
	DataSplit s;
	char err[2048], dir[4096];
	int per[2][10] = {{0}};

	if (fsdd_find(dir, sizeof dir, err, sizeof err)) {
		printf("\n    skipped: %s\n", err);
		return;
	}
	CU_ASSERT_EQUAL_FATAL(data_load(&c, &s, err, sizeof err), 0);
	CU_ASSERT_EQUAL(s.train.count, 2700);
	CU_ASSERT_EQUAL(s.test.count, 300);
	for (int h = 0; h < 2; h++) {
		const Dataset *d = h ? &s.test : &s.train;
		double sum = 0;
		long outside = 0;

		for (int i = 0; i < d->count; i++)
			per[h][d->labels[i]]++;
		for (long i = 0; i < (long)d->count * d->features; i++) {
			outside += !(d->values[i] >= 0.0f && d->values[i] <= 1.0f);
			sum += d->values[i];
		}
		CU_ASSERT_EQUAL(outside, 0);
		sum /= (double)d->count * d->features;
		CU_ASSERT(sum > 0.1 && sum < 0.6);
	}
	for (int k = 0; k < 10; k++) {
		CU_ASSERT_EQUAL(per[0][k], 270);
		CU_ASSERT_EQUAL(per[1][k], 30);
	}
	CU_ASSERT_EQUAL(s.test.labels[0], 0);           /* 0_george_0.wav */
	CU_ASSERT_EQUAL(s.test.labels[299], 9);
	data_free(&s);
}

UNIT_SUITE(audio, "train/audio",
	   UNIT_TEST(test_audio_read_ok),
	   UNIT_TEST(test_audio_read_errors),
	   UNIT_TEST(test_audio_mel_scale),
	   UNIT_TEST(test_audio_features_tone),
	   UNIT_TEST(test_audio_features_steps),
	   UNIT_TEST(test_audio_features_silence_trim),
	   UNIT_TEST(test_audio_normalise),
	   UNIT_TEST(test_fsdd_fixture),
	   UNIT_TEST(test_fsdd_errors),
	   UNIT_TEST(test_fsdd_real))
