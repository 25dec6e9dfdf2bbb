/* report_helper.c: what tests/report/run_report.sh needs besides spikec.
 *
 *   report_helper fill IN.safetensors OUT.safetensors V   IN with every F32 value V
 *   report_helper npy OUT.npy T B I V                     a float32 (T, B, I) array of V
 *   report_helper json FILE PATH...                       the values at PATHs of a JSON file
 *
 * A PATH is keys and array indices joined by slashes (workspace_bytes/forward_batch_1,
 * products/0/macs, measured/spikes_per_sample/h.h); numbers print as %.10g, null, true, false and strings as
 * themselves, one a line. A missing path or a file that is not JSON exits 1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "io/json.h"
#include "io/npy.h"
#include "io/safetensors.h"

static int fail(const char *what, const char *detail)
{
	fprintf(stderr, "report_helper: %s: %s\n", what, detail);
	return 1;
}

static int fill(const char *in, const char *out, float v)
{
	StFile f;
	char err[1024];
	if (st_read(in, &f, err, sizeof err))
		return fail(in, err);
	StWriteTensor *w = calloc((size_t)f.ntensors + 1, sizeof *w);
	for (int i = 0; i < f.ntensors; i++) {
		StTensor *t = &f.tensors[i];
		if (!strcmp(t->dtype, "F32"))
			for (size_t b = t->begin; b < t->end; b += 4)
				memcpy(f.data + b, &v, 4);
		w[i] = (StWriteTensor){t->name, t->dtype, t->ndim, t->shape, f.data + t->begin};
	}
	int rc = st_write(out, w, f.ntensors, (const char *const *)f.meta_keys, (const char *const *)f.meta_values,
			  f.nmeta, err, sizeof err);
	free(w);
	st_free(&f);
	return rc ? fail(out, err) : 0;
}

static int npy(const char *out, long T, long B, long I, float v)
{
	long shape[3] = {T, B, I};
	size_t n = (size_t)(T * B * I);
	float *x = malloc(sizeof(float) * (n + 1));
	char err[1024];
	for (size_t i = 0; i < n; i++)
		x[i] = v;
	int rc = npy_write(out, "f4", 3, shape, x, err, sizeof err);
	free(x);
	return rc ? fail(out, err) : 0;
}

static int print_path(const json_t *v, const char *path)
{
	char buf[256];
	snprintf(buf, sizeof buf, "%s", path);
	for (char *key = strtok(buf, "/"); key && v; key = strtok(NULL, "/"))
		v = json_is_array(v) ? json_array_get(v, (size_t)atoi(key)) : json_object_get(v, key);
	if (!v)
		return fail(path, "not in the JSON");
	switch (json_typeof(v)) {
	case JSON_NULL: printf("null\n"); break;
	case JSON_TRUE: printf("true\n"); break;
	case JSON_FALSE: printf("false\n"); break;
	case JSON_INTEGER: case JSON_REAL: printf("%.10g\n", json_number_value(v)); break;
	case JSON_STRING: printf("%s\n", json_string_value(v)); break;
	case JSON_OBJECT: printf("object\n"); break;
	case JSON_ARRAY: printf("array\n"); break;
	}
	return 0;
}

static int json(const char *file, char **paths, int n)
{
	FILE *f = fopen(file, "rb");
	if (!f)
		return fail(file, "cannot open");
	static char text[1 << 20];
	size_t len = fread(text, 1, sizeof text, f);
	fclose(f);
	json_t *v;
	json_error_t err;
	if (json_parse(text, len, &v, &err))
		return fail(file, err.text);
	int rc = 0;
	for (int i = 0; i < n && !rc; i++)
		rc = print_path(v, paths[i]);
	json_decref(v);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "fill"))
		return fill(argv[2], argv[3], strtof(argv[4], NULL));
	if (argc == 7 && !strcmp(argv[1], "npy"))
		return npy(argv[2], atol(argv[3]), atol(argv[4]), atol(argv[5]), strtof(argv[6], NULL));
	if (argc >= 4 && !strcmp(argv[1], "json"))
		return json(argv[2], argv + 3, argc - 3);
	fprintf(stderr, "usage: see the comment at the top of tests/report/report_helper.c\n");
	return 2;
}
