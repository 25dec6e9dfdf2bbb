/* train_tool.c: the small jobs of tests/train/run_train.sh that a POSIX shell
 * cannot do: write deterministic .npy inputs, and compare or inspect
 * safetensors files tensor by tensor.
 *
 *   train_tool spikes  OUT.npy T B I SEED  (T, B, I) f4 spikes (0/1), density ~1/3
 *   train_tool targets OUT.npy D0 [D1 ..]  f4 array of that shape, values in [0, 1)
 *   train_tool cmp     A.safetensors B.safetensors
 *        one line per tensor of A or B: "same NAME", "differs NAME max|a-b| X"
 *        or "missing NAME"; then one per metadata key: "meta same KEY" or
 *        "meta differs KEY A-VALUE B-VALUE". Exit 0 if everything (names,
 *        order, dtypes, shapes, bytes, metadata) is identical, else 1.
 *   train_tool grads   G.safetensors CKPT.safetensors
 *        G must hold exactly one tensor grad.P, F32 and of P's shape, for
 *        each parameter P of the checkpoint CKPT (its tensors not named
 *        optim.*), metadata "loss" that is a finite number, and a nonzero
 *        element somewhere. Prints what it checked; exit 0 if all holds.
 *   train_tool mse     Y.npy TARGETS.npy
 *        prints the mean of (y - target)^2 over all elements (%.9g); the
 *        two arrays must have the same shape.
 *
 * Exit 2 on a usage or I/O error (with a message), so a failed comparison
 * (1) is never mistaken for a broken run. Inputs come from a fixed LCG, the
 * same on every machine.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "io/npy.h"
#include "io/safetensors.h"

static uint32_t lcg_state;

/* Numerical Recipes' LCG; the top 24 bits as a float in [0, 1). */
static float lcg_uniform(void)
{
	lcg_state = lcg_state * 1664525u + 1013904223u;
	return (float)(lcg_state >> 8) / 16777216.0f;
}

static long parse_dim(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (*end || v < 1 || v > 1 << 20) {
		fprintf(stderr, "train_tool: '%s' is not a dimension (1 .. 2^20)\n", s);
		exit(2);
	}
	return v;
}

static int write_npy(const char *path, int ndim, const long *shape, int spikes)
{
	size_t n = 1;
	for (int d = 0; d < ndim; d++)
		n *= (size_t)shape[d];
	float *a = malloc(sizeof(float) * n);
	if (!a) {
		fprintf(stderr, "train_tool: out of memory\n");
		return 2;
	}
	for (size_t i = 0; i < n; i++)
		a[i] = spikes ? (float)(lcg_uniform() < 1.0f / 3) : lcg_uniform();
	char err[1024];
	int rc = npy_write(path, "f4", ndim, shape, a, err, sizeof err);
	free(a);
	if (rc) {
		fprintf(stderr, "train_tool: %s\n", err);
		return 2;
	}
	return 0;
}

static int read_st(const char *path, StFile *f)
{
	char err[1024];
	if (st_read(path, f, err, sizeof err)) {
		fprintf(stderr, "train_tool: %s\n", err);
		return -1;
	}
	return 0;
}

static int same_shape(const StTensor *a, const StTensor *b)
{
	if (strcmp(a->dtype, b->dtype) || a->ndim != b->ndim)
		return 0;
	for (int d = 0; d < a->ndim; d++)
		if (a->shape[d] != b->shape[d])
			return 0;
	return 1;
}

/* Largest |a - b| over two F32 tensors of the same shape. */
static double max_abs_diff(const StFile *fa, const StTensor *a, const StFile *fb, const StTensor *b)
{
	double m = 0;
	size_t n = (a->end - a->begin) / sizeof(float);
	for (size_t i = 0; i < n; i++) {
		float x, y;
		memcpy(&x, fa->data + a->begin + i * sizeof x, sizeof x);
		memcpy(&y, fb->data + b->begin + i * sizeof y, sizeof y);
		double d = fabs((double)x - (double)y);
		if (d > m || d != d)
			m = d;
	}
	return m;
}

static int cmd_cmp(const char *pa, const char *pb)
{
	StFile a, b;
	if (read_st(pa, &a))
		return 2;
	if (read_st(pb, &b)) {
		st_free(&a);
		return 2;
	}
	int differ = a.ntensors != b.ntensors || a.nmeta != b.nmeta;
	for (int i = 0; i < a.ntensors; i++) {
		const StTensor *ta = &a.tensors[i], *tb = st_find(&b, ta->name);
		if (!tb) {
			printf("missing %s (not in %s)\n", ta->name, pb);
			differ = 1;
			continue;
		}
		if (i >= b.ntensors || strcmp(b.tensors[i].name, ta->name) != 0) {
			printf("order differs at %s\n", ta->name);
			differ = 1;
		}
		if (!same_shape(ta, tb)) {
			printf("differs %s: dtype or shape\n", ta->name);
			differ = 1;
		} else if (memcmp(a.data + ta->begin, b.data + tb->begin, ta->end - ta->begin) != 0) {
			if (!strcmp(ta->dtype, "F32"))
				printf("differs %s max|a-b| %.9g\n", ta->name, max_abs_diff(&a, ta, &b, tb));
			else
				printf("differs %s\n", ta->name);
			differ = 1;
		} else {
			printf("same %s\n", ta->name);
		}
	}
	for (int i = 0; i < b.ntensors; i++)
		if (!st_find(&a, b.tensors[i].name)) {
			printf("missing %s (not in %s)\n", b.tensors[i].name, pa);
			differ = 1;
		}
	for (int i = 0; i < a.nmeta; i++) {
		const char *va = a.meta_values[i], *vb = st_meta(&b, a.meta_keys[i]);
		if (vb && !strcmp(va, vb)) {
			printf("meta same %s\n", a.meta_keys[i]);
		} else {
			printf("meta differs %s %s %s\n", a.meta_keys[i], va, vb ? vb : "(absent)");
			differ = 1;
		}
	}
	for (int i = 0; i < b.nmeta; i++)
		if (!st_meta(&a, b.meta_keys[i])) {
			printf("meta differs %s (absent) %s\n", b.meta_keys[i], b.meta_values[i]);
			differ = 1;
		}
	st_free(&a);
	st_free(&b);
	return differ;
}

static int cmd_grads(const char *pg, const char *pc)
{
	StFile g, c;
	if (read_st(pg, &g))
		return 2;
	if (read_st(pc, &c)) {
		st_free(&g);
		return 2;
	}
	int bad = 0, params = 0, nonzero = 0;
	char name[600];
	for (int i = 0; i < c.ntensors; i++) {
		const StTensor *p = &c.tensors[i];
		if (!strncmp(p->name, "optim.", 6))
			continue;
		params++;
		snprintf(name, sizeof name, "grad.%s", p->name);
		const StTensor *t = st_find(&g, name);
		if (!t) {
			printf("FAIL no tensor %s in %s\n", name, pg);
			bad = 1;
		} else if (!same_shape(t, p)) {
			printf("FAIL %s: dtype %s, shape differs from %s of %s\n", name, t->dtype, p->name, pc);
			bad = 1;
		} else {
			for (size_t o = t->begin; o < t->end; o += sizeof(float)) {
				float v;
				memcpy(&v, g.data + o, sizeof v);
				if (!isfinite(v)) {
					printf("FAIL %s holds %g\n", name, (double)v);
					bad = 1;
					break;
				}
				nonzero |= v != 0;
			}
			printf("ok   %s %s[%ld", name, t->dtype, t->ndim ? t->shape[0] : 1L);
			for (int d = 1; d < t->ndim; d++)
				printf(",%ld", t->shape[d]);
			printf("]\n");
		}
	}
	if (g.ntensors != params) {
		printf("FAIL %s holds %d tensors for %d parameters\n", pg, g.ntensors, params);
		bad = 1;
	}
	if (!params) {
		printf("FAIL %s holds no parameters\n", pc);
		bad = 1;
	}
	if (!nonzero) {
		printf("FAIL every gradient element is 0\n");
		bad = 1;
	}
	const char *loss = st_meta(&g, "loss");
	char *end = NULL;
	double l = loss ? strtod(loss, &end) : 0;
	if (!loss || *end || end == loss || !isfinite(l)) {
		printf("FAIL metadata 'loss' is %s\n", loss ? loss : "absent");
		bad = 1;
	} else {
		printf("ok   loss %s\n", loss);
	}
	st_free(&g);
	st_free(&c);
	return bad;
}

static int cmd_mse(const char *py, const char *pt)
{
	NpyArray y, t;
	char err[1024];
	if (npy_read(py, &y, err, sizeof err)) {
		fprintf(stderr, "train_tool: %s\n", err);
		return 2;
	}
	if (npy_read(pt, &t, err, sizeof err)) {
		fprintf(stderr, "train_tool: %s\n", err);
		npy_free(&y);
		return 2;
	}
	int rc = 2;
	int ok = y.ndim == t.ndim && y.count == t.count && y.count > 0;
	for (int d = 0; ok && d < y.ndim; d++)
		ok = y.shape[d] == t.shape[d];
	float *a = ok ? npy_as_f32(&y) : NULL, *b = ok ? npy_as_f32(&t) : NULL;
	if (!ok) {
		fprintf(stderr, "train_tool: %s and %s differ in shape\n", py, pt);
	} else if (a && b) {
		double s = 0;
		for (size_t i = 0; i < y.count; i++)
			s += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
		printf("%.9g\n", s / (double)y.count);
		rc = 0;
	}
	free(a);
	free(b);
	npy_free(&y);
	npy_free(&t);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc == 7 && !strcmp(argv[1], "spikes")) {
		long shape[3] = {parse_dim(argv[3]), parse_dim(argv[4]), parse_dim(argv[5])};
		lcg_state = (uint32_t)strtoul(argv[6], NULL, 10);
		return write_npy(argv[2], 3, shape, 1);
	}
	if (argc >= 4 && argc <= 3 + NPY_MAX_DIMS && !strcmp(argv[1], "targets")) {
		long shape[NPY_MAX_DIMS];
		for (int d = 3; d < argc; d++)
			shape[d - 3] = parse_dim(argv[d]);
		lcg_state = 12345;
		return write_npy(argv[2], argc - 3, shape, 0);
	}
	if (argc == 4 && !strcmp(argv[1], "cmp"))
		return cmd_cmp(argv[2], argv[3]);
	if (argc == 4 && !strcmp(argv[1], "grads"))
		return cmd_grads(argv[2], argv[3]);
	if (argc == 4 && !strcmp(argv[1], "mse"))
		return cmd_mse(argv[2], argv[3]);
	fprintf(stderr, "usage: train_tool spikes OUT.npy T B I SEED | targets OUT.npy D0 [D1 ..] |\n"
			"       cmp A.safetensors B.safetensors | grads G.safetensors CKPT.safetensors |\n"
			"       mse Y.npy TARGETS.npy\n");
	return 2;
}
