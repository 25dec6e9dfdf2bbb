/* npy_data.c: `data = npy(...)`, the user's own arrays (docs/data.md). The
 * inputs x (T, N, I) are mapped read-only and read a batch at a time, so a
 * data set larger than memory trains; the labels (N,) or (T, N) integers,
 * or the targets (T, N, O) floats, are read into memory. Everything is
 * checked against the model before training starts, and every error names
 * the file and, for a bad value, its index. */
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "data.h"
#include "mem/mem.h"

__attribute__((format(printf, 3, 4)))
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static const char *nonfinite(float v)
{
	return isnan(v) ? "nan" : v > 0 ? "inf" : "-inf";
}

/* x: a supported dtype, shape (cfg->steps, N >= 1, cfg->size), every value
 * finite, and in [0, 1] where the bernoulli encoder reads it as a
 * probability. Reads the whole mapping once. */
static int check_x(const TrainData *cfg, const char *path, const NpyArray *x, char *err, size_t errlen)
{
	char sh[256];
	const int T = cfg->steps, I = cfg->size;
	npy_shape_str(sh, sizeof sh, x->ndim, x->shape);
	if (strcmp(x->dtype, "f4") && strcmp(x->dtype, "f8") && strcmp(x->dtype, "u1") && strcmp(x->dtype, "b1"))
		return fail(err, errlen, "%s: inputs of dtype %s are not supported; save them as float32, float64, uint8 "
			    "or bool", path, x->dtype);
	if (x->ndim != 3)
		return fail(err, errlen, "%s: shape %s; the inputs must be (T, N, I) = (steps, samples, values per step), "
			    "here (%d, N, %d)", path, sh, T, I);
	if (x->shape[0] != T)
		return fail(err, errlen, "%s: shape %s gives %ld steps, but the model runs over %d; save (T, N, I) = "
			    "(%d, N, %d)", path, sh, x->shape[0], T, T, I);
	if (x->shape[2] != I)
		return fail(err, errlen, "%s: shape %s gives %ld values per step, but the model's input takes %d; save "
			    "(T, N, I) = (%d, N, %d)", path, sh, x->shape[2], I, T, I);
	if (x->shape[1] == 0)
		return fail(err, errlen, "%s: shape %s holds no samples", path, sh);
	if (x->shape[1] > INT_MAX)
		return fail(err, errlen, "%s: shape %s holds %ld samples; at most %d are supported", path, sh,
			    x->shape[1], INT_MAX);
	float *row = mem_malloc(sizeof(float) * (size_t)I);
	if (!row)
		return fail(err, errlen, "%s: out of memory", path);
	const size_t item = npy_dtype_size(x->dtype), N = (size_t)x->shape[1];
	int rc = 0;
	for (size_t r = 0; r < (size_t)T * N && !rc; r++) {
		npy_to_f32(x->dtype, (const char *)x->data + r * I * item, (size_t)I, row);
		for (int i = 0; i < I && !rc; i++)
			if (!isfinite(row[i]))
				rc = fail(err, errlen, "%s: element [%zu, %zu, %d] is %s; inputs must be finite", path, r / N,
					  r % N, i, nonfinite(row[i]));
			else if (cfg->encode == ENCODE_BERNOULLI && (row[i] < 0 || row[i] > 1))
				rc = fail(err, errlen, "%s: element [%zu, %zu, %d] is %g, outside [0, 1]; the bernoulli "
					  "encoder reads inputs as spike probabilities: scale them into [0, 1], or use encode "
					  "= threshold(level), or encode = analog with an analog input", path, r / N, r % N, i,
					  (double)row[i]);
	}
	free(row);
	return rc;
}

/* Element k of an integer array. */
static long long int_at(const NpyArray *a, size_t k)
{
	switch (a->dtype[0] << 8 | a->dtype[1]) {
	case 'i' << 8 | '1': return ((const int8_t *)a->data)[k];
	case 'i' << 8 | '2': return ((const int16_t *)a->data)[k];
	case 'i' << 8 | '4': return ((const int32_t *)a->data)[k];
	case 'i' << 8 | '8': return ((const int64_t *)a->data)[k];
	case 'u' << 8 | '1': return ((const uint8_t *)a->data)[k];
	case 'u' << 8 | '2': return ((const uint16_t *)a->data)[k];
	case 'u' << 8 | '4': return ((const uint32_t *)a->data)[k];
	default: {
		uint64_t v = ((const uint64_t *)a->data)[k];
		return v > (uint64_t)LLONG_MAX ? LLONG_MAX : (long long)v;
	}
	}
}

/* Class labels of N samples, (N,) or per step (T, N), into *out as
 * sample-major int32 (N or N x T), each in 0..classes-1. */
static int check_labels(const TrainData *cfg, const char *path, const NpyArray *y, long N, int32_t **out, char *err,
			size_t errlen)
{
	char sh[256];
	const int T = cfg->per_step ? cfg->steps : 1;
	npy_shape_str(sh, sizeof sh, y->ndim, y->shape);
	if (y->dtype[0] != 'i' && y->dtype[0] != 'u')
		return fail(err, errlen, "%s: labels of dtype %s; class labels must be integers: save them as int32, "
			    "int64 or uint8", path, y->dtype);
	if (cfg->per_step && (y->ndim != 2 || y->shape[0] != T || y->shape[1] != N))
		return fail(err, errlen, "%s: shape %s; the model's loss is taken at every step, so the labels must be "
			    "(T, N) = (%d, %ld), a class per step and sample", path, sh, T, N);
	if (!cfg->per_step && (y->ndim != 1 || y->shape[0] != N))
		return fail(err, errlen, "%s: shape %s; the labels must be (N,) = (%ld,), a class per sample of the "
			    "inputs", path, sh, N);
	if (!(*out = mem_malloc(sizeof(int32_t) * (size_t)N * (size_t)T)))
		return fail(err, errlen, "%s: out of memory", path);
	for (long t = 0; t < T; t++)
		for (long n = 0; n < N; n++) {
			long long v = int_at(y, (size_t)(t * N + n));
			if (v < 0 || v >= cfg->classes) {
				char at[64];
				snprintf(at, sizeof at, cfg->per_step ? "[%ld, %ld]" : "[%ld]", cfg->per_step ? t : n, n);
				return fail(err, errlen, "%s: label %lld at %s is outside 0..%d; the model's prediction has "
					    "%d classes", path, v, at, cfg->classes - 1, cfg->classes);
			}
			(*out)[n * T + t] = (int32_t)v;
		}
	return 0;
}

/* Regression targets of N samples, (T, N, O), into *out as sample-major
 * floats (N x T x O), every one finite. */
static int check_targets(const TrainData *cfg, const char *path, const NpyArray *y, long N, float **out, char *err,
			 size_t errlen)
{
	char sh[256];
	const int T = cfg->steps, O = cfg->outputs;
	npy_shape_str(sh, sizeof sh, y->ndim, y->shape);
	if (strcmp(y->dtype, "f4") && strcmp(y->dtype, "f8"))
		return fail(err, errlen, "%s: targets of dtype %s; the targets of an mse loss must be float32 or "
			    "float64", path, y->dtype);
	if (y->ndim != 3 || y->shape[0] != T || y->shape[1] != N || y->shape[2] != O)
		return fail(err, errlen, "%s: shape %s; the model's loss is the mse of %d value%s per step, so the "
			    "targets must be (T, N, O) = (%d, %ld, %d)", path, sh, O, O == 1 ? "" : "s", T, N, O);
	float *all = npy_as_f32(y);
	if (!all || !(*out = mem_malloc(sizeof(float) * y->count))) {
		free(all);
		return fail(err, errlen, "%s: out of memory", path);
	}
	for (size_t k = 0; k < y->count; k++) {
		size_t t = k / ((size_t)N * O), n = k / O % (size_t)N, o = k % O;
		if (!isfinite(all[k])) {
			fail(err, errlen, "%s: element [%zu, %zu, %zu] is %s; targets must be finite", path, t, n, o,
			     nonfinite(all[k]));
			free(all);
			return -1;
		}
		(*out)[(n * T + t) * O + o] = all[k];
	}
	free(all);
	return 0;
}

/* The labels or targets file of the N samples of an input file. */
static int read_y(const TrainData *cfg, const char *path, long N, int32_t **labels, float **targets, char *err,
		  size_t errlen)
{
	NpyArray y;
	if (npy_read(path, &y, err, errlen))
		return -1;
	int rc = cfg->classes ? check_labels(cfg, path, &y, N, labels, err, errlen)
			      : check_targets(cfg, path, &y, N, targets, err, errlen);
	npy_free(&y);
	return rc;
}

/* d = the samples first .. first + count - 1 of x, with their rows of the
 * sample-major labels or targets. */
static int half(Dataset *d, const TrainData *cfg, const NpyArray *x, long first, long count, const int32_t *labels,
		const float *targets)
{
	const size_t per = cfg->per_step ? (size_t)cfg->steps : 1, n = (size_t)count;
	d->x = x;
	d->first = first;
	d->count = (int)count;
	d->features = cfg->steps * cfg->size;
	d->classes = cfg->classes;
	d->labels_per_step = cfg->classes && cfg->per_step;
	d->outputs = cfg->outputs;
	if (labels && (d->labels = mem_malloc(sizeof *labels * n * per)))
		memcpy(d->labels, labels + (size_t)first * per, sizeof *labels * n * per);
	const size_t vals = per * (size_t)cfg->outputs;
	if (targets && (d->targets = mem_malloc(sizeof *targets * n * vals)))
		memcpy(d->targets, targets + (size_t)first * vals, sizeof *targets * n * vals);
	return (labels && !d->labels) || (targets && !d->targets) ? -1 : 0;
}

static int load(const TrainData *cfg, const char *dir, DataSplit *out, char *err, size_t errlen)
{
	(void)dir;
	int32_t *labels[2] = {NULL, NULL};
	float *targets[2] = {NULL, NULL};
	const int split = !cfg->files[NPY_TEST_X][0];
	int rc = -1;
	for (int h = 0; h < 2 - split; h++) {
		const char *xp = cfg->files[h ? NPY_TEST_X : NPY_X], *yp = cfg->files[h ? NPY_TEST_LABELS : NPY_LABELS];
		if (npy_map(xp, &out->maps[h], err, errlen) || check_x(cfg, xp, &out->maps[h].a, err, errlen) ||
		    read_y(cfg, yp, out->maps[h].a.shape[1], &labels[h], &targets[h], err, errlen))
			goto done;
	}
	const NpyArray *x0 = &out->maps[0].a, *x1 = &out->maps[1].a;
	long N = x0->shape[1];
	if (split) {
		long ntrain = (long)floor(cfg->split * (double)N);
		if (ntrain < 1 || ntrain >= N) {
			fail(err, errlen, "%s: split = %g of its %ld samples leaves %ld to train and %ld to test, but each "
			     "needs at least one; change split, or give test and test_labels", cfg->files[NPY_X],
			     cfg->split, N, ntrain, N - ntrain);
			goto done;
		}
		rc = half(&out->train, cfg, x0, 0, ntrain, labels[0], targets[0]) ||
		     half(&out->test, cfg, x0, ntrain, N - ntrain, labels[0], targets[0]) ? -1 : 0;
	} else {
		rc = half(&out->train, cfg, x0, 0, N, labels[0], targets[0]) ||
		     half(&out->test, cfg, x1, 0, x1->shape[1], labels[1], targets[1]) ? -1 : 0;
	}
	if (rc)
		fail(err, errlen, "%s: out of memory for the labels", cfg->files[NPY_LABELS]);
done:
	for (int h = 0; h < 2; h++)
		free(labels[h]), free(targets[h]);
	return rc;
}

const DataSource data_npy = {DATA_NPY, load};
