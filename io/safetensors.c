/* safetensors.c: reading and writing the safetensors format (see safetensors.h). */
#include "fileio.h"
#include "safetensors.h"
#include "json.h"
#include "json_write.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "mem/mem.h"

static const struct {
	const char *name;
	size_t size;
} dtypes[] = {
	{"F32", 4}, {"F64", 8}, {"I32", 4}, {"I64", 8},
	{"I8", 1}, {"U8", 1}, {"BOOL", 1}, {"F16", 2}, {"BF16", 2},
};
#define NDTYPES (int)(sizeof dtypes / sizeof dtypes[0])
#define SUPPORTED "F32 F64 I32 I64 I8 U8 BOOL F16 BF16"

__attribute__((format(printf, 3, 4)))
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

size_t st_dtype_size(const char *dtype)
{
	for (int i = 0; i < NDTYPES; i++)
		if (strcmp(dtypes[i].name, dtype) == 0)
			return dtypes[i].size;
	return 0;
}

/* "[2, 3]" */
static const char *shape_str(char *buf, size_t n, int ndim, const long *shape)
{
	size_t len = (size_t)snprintf(buf, n, "[");
	for (int i = 0; i < ndim && len < n; i++)
		len += (size_t)snprintf(buf + len, n - len, "%s%ld", i ? ", " : "", shape[i]);
	if (len < n)
		snprintf(buf + len, n - len, "]");
	return buf;
}

/* Bytes of a tensor of this shape and dtype size; -1 if it overflows. */
static int shape_bytes(int ndim, const long *shape, size_t size, size_t *bytes)
{
	size_t b = size;

	for (int i = 0; i < ndim; i++) {
		if (shape[i] < 0)
			return -1;
		if (shape[i] != 0 && b > SIZE_MAX / (size_t)shape[i])
			return -1;
		b *= (size_t)shape[i];
	}
	*bytes = b;
	return 0;
}

/* ---- reading -------------------------------------------------------------- */

/* A non-negative JSON integer (jansson keeps it exactly, up to 2^63 - 1). */
static int json_size(const json_t *v, size_t *out)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return -1;
	*out = (size_t)json_integer_value(v);
	return 0;
}

/* Fills t from the header entry {"dtype", "shape", "data_offsets"} named name. */
static int parse_tensor(const char *path, const char *name, const json_t *v,
	size_t data_len, StTensor *t, char *err, size_t errlen)
{
	if (!json_is_object(v))
		return fail(err, errlen, "%s: tensor '%s': header entry is %s, not an object",
			path, name, json_a_type(v));
	const json_t *dt = json_object_get(v, "dtype"), *sh = json_object_get(v, "shape");
	const json_t *off = json_object_get(v, "data_offsets");
	if (!json_is_string(dt))
		return fail(err, errlen, "%s: tensor '%s': missing string \"dtype\"", path, name);
	if (!json_is_array(sh))
		return fail(err, errlen, "%s: tensor '%s': missing array \"shape\"", path, name);
	if (!json_is_array(off) || json_array_size(off) != 2)
		return fail(err, errlen, "%s: tensor '%s': missing \"data_offsets\" [begin, end]", path, name);

	const char *dtype = json_string_value(dt);
	size_t dsize = st_dtype_size(dtype);
	if (dsize == 0)
		return fail(err, errlen, "%s: tensor '%s': unknown dtype '%s' (supported: " SUPPORTED ")",
			path, name, dtype);
	strcpy(t->dtype, dtype);
	if (json_array_size(sh) > ST_MAX_DIMS)
		return fail(err, errlen, "%s: tensor '%s': %zu dimensions (at most %d are supported)",
			path, name, json_array_size(sh), ST_MAX_DIMS);
	t->ndim = (int)json_array_size(sh);
	for (int i = 0; i < t->ndim; i++) {
		size_t d;
		if (json_size(json_array_get(sh, (size_t)i), &d) < 0 || d > LONG_MAX)
			return fail(err, errlen, "%s: tensor '%s': shape must be a list of non-negative integers",
				path, name);
		t->shape[i] = (long)d;
	}
	if (json_size(json_array_get(off, 0), &t->begin) < 0 || json_size(json_array_get(off, 1), &t->end) < 0
	    || t->begin > t->end)
		return fail(err, errlen, "%s: tensor '%s': data_offsets must be two non-negative integers [begin, end] with begin <= end",
			path, name);

	char sbuf[256];
	size_t bytes;
	shape_str(sbuf, sizeof sbuf, t->ndim, t->shape);
	if (shape_bytes(t->ndim, t->shape, dsize, &bytes) < 0)
		return fail(err, errlen, "%s: tensor '%s': shape %s is too large", path, name, sbuf);
	if (bytes != t->end - t->begin)
		return fail(err, errlen, "%s: tensor '%s': data_offsets [%zu, %zu] do not match shape %s of %s (%zu bytes)",
			path, name, t->begin, t->end, sbuf, t->dtype, bytes);
	if (t->end > data_len)
		return fail(err, errlen, "%s: tensor '%s': data_offsets [%zu, %zu] run past the end of the data section (%zu bytes); the file is truncated or corrupt",
			path, name, t->begin, t->end, data_len);
	return 0;
}

static int parse_metadata(const char *path, const json_t *v, StFile *out, char *err, size_t errlen)
{
	if (!json_is_object(v))
		return fail(err, errlen, "%s: __metadata__ must be an object of strings", path);
	size_t n = json_object_size(v);
	out->meta_keys = mem_calloc(n + 1, sizeof *out->meta_keys);
	out->meta_values = mem_calloc(n + 1, sizeof *out->meta_values);
	if (!out->meta_keys || !out->meta_values)
		return fail(err, errlen, "%s: out of memory", path);
	const char *key;
	const json_t *value;
	json_object_foreach((json_t *)v, key, value) {
		if (!json_is_string(value))
			return fail(err, errlen, "%s: __metadata__ value for '%s' is %s, not a string",
				path, key, json_a_type(value));
		int i = out->nmeta++;
		out->meta_keys[i] = mem_strdup(key);
		out->meta_values[i] = mem_strdup(json_string_value(value));
		if (!out->meta_keys[i] || !out->meta_values[i])
			return fail(err, errlen, "%s: out of memory", path);
	}
	return 0;
}

static int by_offset(const void *a, const void *b)
{
	const StTensor *x = *(const StTensor *const *)a, *y = *(const StTensor *const *)b;
	if (x->begin != y->begin)
		return x->begin < y->begin ? -1 : 1;
	return x->end < y->end ? -1 : x->end > y->end;
}

/* No two tensors share a byte (names are unique: json_parse rejects
 * duplicate keys). */
static int check_disjoint(const char *path, StFile *out, char *err, size_t errlen)
{
	int n = out->ntensors, rc = 0;
	const StTensor **s = mem_malloc((size_t)(n ? n : 1) * sizeof *s);

	if (!s)
		return fail(err, errlen, "%s: out of memory", path);
	for (int i = 0; i < n; i++)
		s[i] = &out->tensors[i];
	/* In begin order, each non-empty tensor must start at or after the
	 * furthest end seen so far. */
	qsort(s, (size_t)n, sizeof *s, by_offset);
	const StTensor *last = NULL;
	for (int i = 0; i < n && rc == 0; i++) {
		if (s[i]->begin == s[i]->end)
			continue;
		if (last && s[i]->begin < last->end)
			rc = fail(err, errlen, "%s: tensors '%s' [%zu, %zu] and '%s' [%zu, %zu] overlap",
				path, last->name, last->begin, last->end,
				s[i]->name, s[i]->begin, s[i]->end);
		if (!last || s[i]->end > last->end)
			last = s[i];
	}
	free(s);
	return rc;
}

static int parse_header(const char *path, const char *text, size_t len, size_t data_len,
	StFile *out, char *err, size_t errlen)
{
	json_t *root;
	json_error_t jerr;
	int rc = 0;

	int jrc = json_parse(text, len, &root, &jerr);
	if (jrc == JSON_OUT_OF_MEMORY)
		return fail(err, errlen, "%s: out of memory reading the header", path);
	if (jrc < 0)
		return fail(err, errlen, "%s: bad JSON header at line %d, column %d: %s",
			path, jerr.line, jerr.column, jerr.text);
	if (!json_is_object(root)) {
		rc = fail(err, errlen, "%s: header must be a JSON object, not %s", path, json_a_type(root));
		json_decref(root);
		return rc;
	}
	out->tensors = mem_calloc(json_object_size(root) + 1, sizeof *out->tensors);
	if (!out->tensors)
		rc = fail(err, errlen, "%s: out of memory", path);
	const char *key;
	const json_t *value;
	json_object_foreach(root, key, value) {
		if (rc)
			break;
		if (strcmp(key, "__metadata__") == 0) {
			rc = parse_metadata(path, value, out, err, errlen);
			continue;
		}
		StTensor *t = &out->tensors[out->ntensors];
		if (!(t->name = mem_strdup(key))) {
			rc = fail(err, errlen, "%s: out of memory", path);
			break;
		}
		out->ntensors++;
		rc = parse_tensor(path, t->name, value, data_len, t, err, errlen);
	}
	json_decref(root);
	return rc == 0 ? check_disjoint(path, out, err, errlen) : rc;
}

static int read_file(const char *path, FILE *f, StFile *out, char *err, size_t errlen)
{
	struct stat st;
	unsigned char len8[8];

	if (fstat(fileno(f), &st) < 0)
		return fail(err, errlen, "cannot stat '%s': %s", path, strerror(errno));
	size_t fsize = (size_t)st.st_size;
	if (fsize < 8 || fread(len8, 1, 8, f) != 8)
		return fail(err, errlen, "%s: not a safetensors file: %zu bytes, too short for the 8-byte header length",
			path, fsize);
	uint64_t n = 0;
	for (int i = 7; i >= 0; i--)
		n = n << 8 | len8[i];
	if (n > ST_MAX_HEADER)
		return fail(err, errlen, "%s: header length %llu exceeds the %u MB limit; the file is corrupt or not a safetensors file",
			path, (unsigned long long)n, ST_MAX_HEADER >> 20);
	if (n > fsize - 8)
		return fail(err, errlen, "%s: header length %llu runs past the end of the file (%zu bytes); the file is truncated or not a safetensors file",
			path, (unsigned long long)n, fsize);

	char *text = mem_malloc((size_t)n + 1);
	if (!text)
		return fail(err, errlen, "%s: out of memory reading the header", path);
	if (fread(text, 1, (size_t)n, f) != n) {
		free(text);
		return fail(err, errlen, "%s: read error: %s", path, strerror(errno));
	}
	out->data_len = fsize - 8 - (size_t)n;
	int rc = parse_header(path, text, (size_t)n, out->data_len, out, err, errlen);
	free(text);
	if (rc < 0)
		return -1;

	out->data = mem_malloc(out->data_len ? out->data_len : 1);
	if (!out->data)
		return fail(err, errlen, "%s: out of memory (%zu bytes of data)", path, out->data_len);
	if (fread(out->data, 1, out->data_len, f) != out->data_len)
		return fail(err, errlen, "%s: read error: %s", path, strerror(errno));
	return 0;
}

int st_read(const char *path, StFile *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	FILE *f = fopen(path, "rb");
	if (!f)
		return fail(err, errlen, "cannot open '%s' for reading: %s", path, strerror(errno));
	int rc = read_file(path, f, out, err, errlen);
	fclose(f);
	if (rc < 0)
		st_free(out);
	return rc;
}

const StTensor *st_find(const StFile *f, const char *name)
{
	for (int i = 0; i < f->ntensors; i++)
		if (strcmp(f->tensors[i].name, name) == 0)
			return &f->tensors[i];
	return NULL;
}

const char *st_meta(const StFile *f, const char *key)
{
	for (int i = 0; i < f->nmeta; i++)
		if (strcmp(f->meta_keys[i], key) == 0)
			return f->meta_values[i];
	return NULL;
}

void st_free(StFile *f)
{
	for (int i = 0; i < f->ntensors; i++)
		free(f->tensors[i].name);
	free(f->tensors);
	if (f->meta_keys)
		for (int i = 0; i < f->nmeta; i++) {
			free(f->meta_keys[i]);
			free(f->meta_values[i]);
		}
	free(f->meta_keys);
	free(f->meta_values);
	free(f->data);
	memset(f, 0, sizeof *f);
}

/* ---- writing -------------------------------------------------------------- */

typedef struct {
	char *buf;
	size_t len, cap;
	int oom;
} Buf;

static void put(Buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = mem_realloc(b->buf, cap);
		if (!p) {
			b->oom = 1;
			return;
		}
		b->buf = p;
		b->cap = cap;
	}
	memcpy(b->buf + b->len, s, n);
	b->len += n;
	b->buf[b->len] = '\0';
}

static void puts_(Buf *b, const char *s)
{
	put(b, s, strlen(s));
}

/* s as a JSON string literal. */
static void put_json_string(Buf *b, const char *s)
{
	char esc[8];

	put(b, "\"", 1);
	for (; *s; s++)
		put(b, esc, json_escape_byte((unsigned char)*s, esc));
	put(b, "\"", 1);
}

/* The header JSON, padded with spaces to a multiple of 8 bytes; sizes[i]
 * receives tensor i's byte count. */
static int build_header(const char *path, Buf *b, const StWriteTensor *t, int n,
	const char *const *keys, const char *const *values, int nmeta, size_t *sizes,
	char *err, size_t errlen)
{
	char num[64];
	size_t offset = 0;

	puts_(b, "{");
	if (nmeta > 0) {
		puts_(b, "\"__metadata__\":{");
		for (int i = 0; i < nmeta; i++) {
			if (!keys[i] || !values[i])
				return fail(err, errlen, "cannot write '%s': metadata entry %d is NULL", path, i);
			if (i)
				puts_(b, ",");
			put_json_string(b, keys[i]);
			puts_(b, ":");
			put_json_string(b, values[i]);
		}
		puts_(b, "}");
	}
	for (int i = 0; i < n; i++) {
		size_t dsize = t[i].dtype ? st_dtype_size(t[i].dtype) : 0;
		if (!t[i].name || strcmp(t[i].name, "__metadata__") == 0)
			return fail(err, errlen, "cannot write '%s': tensor %d has no valid name", path, i);
		for (int j = 0; j < i; j++)
			if (strcmp(t[j].name, t[i].name) == 0)
				return fail(err, errlen, "cannot write '%s': duplicate tensor name '%s'", path, t[i].name);
		if (dsize == 0)
			return fail(err, errlen, "cannot write '%s': tensor '%s': unknown dtype '%s' (supported: " SUPPORTED ")",
				path, t[i].name, t[i].dtype ? t[i].dtype : "(null)");
		if (t[i].ndim < 0 || t[i].ndim > ST_MAX_DIMS
		    || shape_bytes(t[i].ndim, t[i].shape, dsize, &sizes[i]) < 0)
			return fail(err, errlen, "cannot write '%s': tensor '%s': invalid shape", path, t[i].name);
		if (sizes[i] && !t[i].data)
			return fail(err, errlen, "cannot write '%s': tensor '%s' has no data", path, t[i].name);

		if (nmeta > 0 || i > 0)
			puts_(b, ",");
		put_json_string(b, t[i].name);
		puts_(b, ":{\"dtype\":");
		put_json_string(b, t[i].dtype);
		puts_(b, ",\"shape\":[");
		for (int d = 0; d < t[i].ndim; d++) {
			snprintf(num, sizeof num, "%s%ld", d ? "," : "", t[i].shape[d]);
			puts_(b, num);
		}
		snprintf(num, sizeof num, "],\"data_offsets\":[%zu,%zu]}", offset, offset + sizes[i]);
		puts_(b, num);
		offset += sizes[i];
	}
	puts_(b, "}");
	while (b->len % 8 && !b->oom)  /* put() adds nothing once out of memory */
		puts_(b, " ");
	if (b->oom)
		return fail(err, errlen, "cannot write '%s': out of memory", path);
	return 0;
}

int st_write(const char *path, const StWriteTensor *tensors, int n,
	const char *const *meta_keys, const char *const *meta_values, int nmeta,
	char *err, size_t errlen)
{
	Buf b = {0};
	unsigned char len8[8];
	int rc = -1;

	if (n < 0 || nmeta < 0)
		return fail(err, errlen, "cannot write '%s': negative tensor or metadata count", path);
	size_t *sizes = mem_malloc((size_t)(n + 2) * sizeof *sizes);
	const void **parts = mem_malloc((size_t)(n + 2) * sizeof *parts);
	if (!sizes || !parts) {
		fail(err, errlen, "cannot write '%s': out of memory", path);
		goto out;
	}
	if (build_header(path, &b, tensors, n, meta_keys, meta_values, nmeta, sizes + 2, err, errlen) < 0)
		goto out;
	for (int i = 0; i < 8; i++)
		len8[i] = (unsigned char)((uint64_t)b.len >> (8 * i));
	parts[0] = len8;
	sizes[0] = 8;
	parts[1] = b.buf;
	sizes[1] = b.len;
	for (int i = 0; i < n; i++)
		parts[i + 2] = tensors[i].data;
	rc = fileio_write_atomic(path, parts, sizes, n + 2, err, errlen);
out:
	free(b.buf);
	free(sizes);
	free(parts);
	return rc;
}
