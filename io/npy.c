/* npy.c: the .npy format, versions 1.0-3.0 (numpy/lib/format.py):
 *
 *   "\x93NUMPY" major minor  header_len (u16 LE for 1.x, u32 LE for 2.x/3.x)
 *   header: a Python dict literal {'descr': '<f4', 'fortran_order': False,
 *           'shape': (2, 3), } padded with spaces and ended by '\n'
 *   data:   count * itemsize bytes
 */
#include "fileio.h"
#include "npy.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "mem/mem.h"

static const struct {
	const char *code;
	size_t size;
} dtypes[] = {
	{"f4", 4}, {"f8", 8}, {"i1", 1}, {"i2", 2}, {"i4", 4}, {"i8", 8},
	{"u1", 1}, {"u2", 2}, {"u4", 4}, {"u8", 8}, {"b1", 1},
};
#define NDTYPES (int)(sizeof dtypes / sizeof dtypes[0])
#define SUPPORTED "f4 f8 i1 i2 i4 i8 u1 u2 u4 u8 b1"

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

size_t npy_dtype_size(const char *dtype)
{
	for (int i = 0; i < NDTYPES; i++)
		if (strcmp(dtypes[i].code, dtype) == 0)
			return dtypes[i].size;
	return 0;
}

static int host_is_little_endian(void)
{
	const uint16_t one = 1;
	return *(const unsigned char *)&one == 1;
}

/* Reverses the bytes of each of count elements of size bytes. */
static void swap_bytes(void *data, size_t count, size_t size)
{
	unsigned char *p = data;

	for (size_t i = 0; i < count; i++, p += size)
		for (size_t j = 0; j < size / 2; j++) {
			unsigned char t = p[j];
			p[j] = p[size - 1 - j];
			p[size - 1 - j] = t;
		}
}

const char *npy_shape_str(char *buf, size_t n, int ndim, const long *shape)
{
	size_t len = (size_t)snprintf(buf, n, "(");
	for (int i = 0; i < ndim && len < n; i++)
		len += (size_t)snprintf(buf + len, n - len, "%s%ld", i ? ", " : "", shape[i]);
	if (len < n)
		snprintf(buf + len, n - len, ndim == 1 ? ",)" : ")");
	return buf;
}

/* count = product of shape, or -1 if count * itemsize overflows size_t. */
static int shape_count(int ndim, const long *shape, size_t itemsize, size_t *count)
{
	size_t c = 1;

	for (int i = 0; i < ndim; i++) {
		if (shape[i] < 0)
			return -1;
		if (shape[i] != 0 && c > SIZE_MAX / itemsize / (size_t)shape[i])
			return -1;
		c *= (size_t)shape[i];
	}
	*count = c;
	return 0;
}

/* ---- reading -------------------------------------------------------------- */

typedef struct {
	const char *s, *end;
	const char *path;
	char *err;
	size_t errlen;
} Header;

static void skip_space(Header *h)
{
	while (h->s < h->end && (*h->s == ' ' || *h->s == '\t' || *h->s == '\n' || *h->s == '\r'))
		h->s++;
}

static int expect(Header *h, char c, const char *what)
{
	skip_space(h);
	if (h->s >= h->end || *h->s != c)
		return fail(h->err, h->errlen, "%s: malformed .npy header: expected '%c' %s",
			h->path, c, what);
	h->s++;
	return 0;
}

/* A quoted Python string without escapes, into buf. */
static int parse_str(Header *h, char *buf, size_t n)
{
	skip_space(h);
	if (h->s >= h->end || (*h->s != '\'' && *h->s != '"'))
		return fail(h->err, h->errlen, "%s: malformed .npy header: expected a quoted string",
			h->path);
	char q = *h->s++;
	size_t len = 0;
	while (h->s < h->end && *h->s != q) {
		if (len + 1 < n)
			buf[len++] = *h->s;
		h->s++;
	}
	buf[len] = '\0';
	if (h->s >= h->end)
		return fail(h->err, h->errlen, "%s: malformed .npy header: unterminated string", h->path);
	h->s++;
	return 0;
}

static int parse_bool(Header *h, int *v)
{
	skip_space(h);
	size_t left = (size_t)(h->end - h->s);
	if (left >= 4 && memcmp(h->s, "True", 4) == 0) {
		*v = 1;
		h->s += 4;
	} else if (left >= 5 && memcmp(h->s, "False", 5) == 0) {
		*v = 0;
		h->s += 5;
	} else {
		return fail(h->err, h->errlen, "%s: malformed .npy header: fortran_order must be True or False",
			h->path);
	}
	return 0;
}

/* shape: '(' [int {',' int}] [','] ')' */
static int parse_shape(Header *h, NpyArray *a)
{
	if (expect(h, '(', "to open the shape tuple") < 0)
		return -1;
	a->ndim = 0;
	for (;;) {
		skip_space(h);
		if (h->s < h->end && *h->s == ')') {
			h->s++;
			return 0;
		}
		if (h->s >= h->end || *h->s < '0' || *h->s > '9')
			return fail(h->err, h->errlen, "%s: malformed .npy header: shape must be a tuple of non-negative integers",
				h->path);
		if (a->ndim == NPY_MAX_DIMS)
			return fail(h->err, h->errlen, "%s: arrays of more than %d dimensions are not supported",
				h->path, NPY_MAX_DIMS);
		long v = 0;
		while (h->s < h->end && *h->s >= '0' && *h->s <= '9') {
			int d = *h->s++ - '0';
			if (v > (LONG_MAX - d) / 10)
				return fail(h->err, h->errlen, "%s: shape dimension is too large", h->path);
			v = v * 10 + d;
		}
		if (h->s < h->end && *h->s == 'L')    /* Python 2 long */
			h->s++;
		a->shape[a->ndim++] = v;
		skip_space(h);
		if (h->s < h->end && *h->s == ',')
			h->s++;
		else if (h->s >= h->end || *h->s != ')')
			return fail(h->err, h->errlen, "%s: malformed .npy header: expected ',' or ')' in shape",
				h->path);
	}
}

/* descr: byte order + kind + size, e.g. '<f4' -> "f4". */
static int check_descr(Header *h, const char *descr, NpyArray *a)
{
	const char *p = h->path;

	if (strchr(descr, 'O'))
		return fail(h->err, h->errlen, "%s: object arrays ('%s') are not supported; save a numeric array",
			p, descr);
	if (descr[0] == '>' && npy_dtype_size(descr + 1) > 1)
		return fail(h->err, h->errlen, "%s: big-endian data ('%s') is not supported; convert with a.astype('<%s')",
			p, descr, descr + 1);
	if ((descr[0] != '<' && descr[0] != '|' && descr[0] != '>') || strlen(descr + 1) >= sizeof a->dtype
	    || npy_dtype_size(descr + 1) == 0)
		return fail(h->err, h->errlen, "%s: unsupported dtype '%s' (supported: " SUPPORTED ")", p, descr);
	strcpy(a->dtype, descr + 1);
	return 0;
}

/* The header dict: exactly the keys descr, fortran_order and shape. */
static int parse_header(Header *h, NpyArray *a)
{
	int seen = 0, fortran = 0;
	char key[32], descr[32];

	if (expect(h, '{', "to open the header dict") < 0)
		return -1;
	for (;;) {
		skip_space(h);
		if (h->s < h->end && *h->s == '}') {
			h->s++;
			break;
		}
		if (parse_str(h, key, sizeof key) < 0 || expect(h, ':', "after a header key") < 0)
			return -1;
		skip_space(h);
		if (strcmp(key, "descr") == 0) {
			if (h->s < h->end && *h->s == '[')
				return fail(h->err, h->errlen, "%s: structured dtypes are not supported; save one plain numeric array per file",
					h->path);
			if (parse_str(h, descr, sizeof descr) < 0 || check_descr(h, descr, a) < 0)
				return -1;
			seen |= 1;
		} else if (strcmp(key, "fortran_order") == 0) {
			if (parse_bool(h, &fortran) < 0)
				return -1;
			seen |= 2;
		} else if (strcmp(key, "shape") == 0) {
			if (parse_shape(h, a) < 0)
				return -1;
			seen |= 4;
		} else {
			return fail(h->err, h->errlen, "%s: malformed .npy header: unexpected key '%s'",
				h->path, key);
		}
		skip_space(h);
		if (h->s < h->end && *h->s == ',')
			h->s++;
		else if (h->s >= h->end || *h->s != '}')
			return fail(h->err, h->errlen, "%s: malformed .npy header: expected ',' or '}' after '%s'",
				h->path, key);
	}
	if (seen != 7)
		return fail(h->err, h->errlen, "%s: malformed .npy header: missing '%s'", h->path,
			!(seen & 1) ? "descr" : !(seen & 2) ? "fortran_order" : "shape");
	if (fortran && a->ndim > 1)
		return fail(h->err, h->errlen, "%s: fortran_order arrays are not supported; save with np.ascontiguousarray",
			h->path);
	return 0;
}

/* Reads the prefix and header of f into a (no data), checks that the data
 * follows in full, and sets *offset to where it starts in the file. */
static int read_header(const char *path, FILE *f, NpyArray *a, size_t *offset, char *err, size_t errlen)
{
	unsigned char pre[12];
	struct stat st;

	if (fstat(fileno(f), &st) < 0)
		return fail(err, errlen, "cannot stat '%s': %s", path, strerror(errno));
	/* Only a regular file's size is known: a pipe's header and data are
	 * checked as they are read (read_file), not against its size. */
	int sized = S_ISREG(st.st_mode);
	size_t fsize = (size_t)st.st_size;
	if (fread(pre, 1, 10, f) != 10 || memcmp(pre, "\x93NUMPY", 6) != 0)
		return fail(err, errlen, "%s: not a .npy file (no \\x93NUMPY magic at the start)", path);
	int major = pre[6], minor = pre[7];
	size_t prefix = 10, hlen = pre[8] | (size_t)pre[9] << 8;
	if (major == 2 || major == 3) {
		if (fread(pre + 10, 1, 2, f) != 2)
			return fail(err, errlen, "%s: truncated .npy header", path);
		prefix = 12;
		hlen |= (size_t)pre[10] << 16 | (size_t)pre[11] << 24;
	} else if (major != 1) {
		return fail(err, errlen, "%s: unsupported .npy format version %d.%d (supported: 1.0, 2.0, 3.0)",
			path, major, minor);
	}
	if (sized && hlen > fsize - prefix)
		return fail(err, errlen, "%s: truncated .npy header (header length %zu, file has %zu bytes)",
			path, hlen, fsize);

	char *text = mem_malloc(hlen + 1);
	if (!text)
		return fail(err, errlen, "%s: out of memory reading the header", path);
	if (fread(text, 1, hlen, f) != hlen) {
		free(text);
		return fail(err, errlen, "%s: read error: %s", path, strerror(errno));
	}
	text[hlen] = '\0';
	Header h = {text, text + hlen, path, err, errlen};
	int rc;
	if (hlen == 0 || text[hlen - 1] != '\n')
		rc = fail(err, errlen, "%s: malformed .npy header: not terminated by a newline", path);
	else
		rc = parse_header(&h, a);
	free(text);
	if (rc < 0)
		return -1;

	size_t itemsize = npy_dtype_size(a->dtype);
	char sbuf[256];
	if (shape_count(a->ndim, a->shape, itemsize, &a->count) < 0)
		return fail(err, errlen, "%s: shape %s is too large", path,
			npy_shape_str(sbuf, sizeof sbuf, a->ndim, a->shape));
	size_t nbytes = a->count * itemsize, avail = fsize - prefix - hlen;
	if (sized && nbytes > avail)
		return fail(err, errlen, "%s: truncated: shape %s of %s needs %zu bytes of data but only %zu follow the header",
			path, npy_shape_str(sbuf, sizeof sbuf, a->ndim, a->shape), a->dtype, nbytes, avail);
	if (sized && nbytes < avail)
		return fail(err, errlen, "%s: %zu bytes follow the %zu of data that shape %s of %s needs; the shape in "
			"the header is wrong, or the file holds more than one array (save one array per file)",
			path, avail - nbytes, nbytes, npy_shape_str(sbuf, sizeof sbuf, a->ndim, a->shape), a->dtype);
	*offset = prefix + hlen;
	return 0;
}

static int read_file(const char *path, FILE *f, NpyArray *a, char *err, size_t errlen)
{
	size_t offset, itemsize;
	if (read_header(path, f, a, &offset, err, errlen) < 0)
		return -1;
	itemsize = npy_dtype_size(a->dtype);
	size_t nbytes = a->count * itemsize;
	a->data = mem_malloc(nbytes ? nbytes : 1);
	if (!a->data)
		return fail(err, errlen, "%s: out of memory (%zu bytes of data)", path, nbytes);
	if (fread(a->data, 1, nbytes, f) != nbytes)
		return fail(err, errlen, "%s: read error: %s", path, strerror(errno));
	if (!host_is_little_endian())
		swap_bytes(a->data, a->count, itemsize);
	return 0;
}

int npy_read(const char *path, NpyArray *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	FILE *f = fopen(path, "rb");
	if (!f)
		return fail(err, errlen, "cannot open '%s' for reading: %s", path, strerror(errno));
	int rc = read_file(path, f, out, err, errlen);
	fclose(f);
	if (rc < 0)
		npy_free(out);
	return rc;
}

int npy_map(const char *path, NpyMap *out, char *err, size_t errlen)
{
	size_t offset;
	memset(out, 0, sizeof *out);
	FILE *f = fopen(path, "rb");
	if (!f)
		return fail(err, errlen, "cannot open '%s' for reading: %s", path, strerror(errno));
	int rc = read_header(path, f, &out->a, &offset, err, errlen);
	if (rc == 0 && !host_is_little_endian() && npy_dtype_size(out->a.dtype) > 1)
		rc = fail(err, errlen, "%s: this host is big-endian; mapping little-endian %s data is not supported",
			path, out->a.dtype);
	if (rc == 0) {
		out->len = offset + out->a.count * npy_dtype_size(out->a.dtype);
		out->base = mmap(NULL, out->len, PROT_READ, MAP_PRIVATE, fileno(f), 0);
		if (out->base == MAP_FAILED) {
			out->base = NULL;
			rc = fail(err, errlen, "cannot map '%s' into memory: %s", path, strerror(errno));
		} else {
			out->a.data = (char *)out->base + offset;
		}
	}
	fclose(f);
	if (rc < 0)
		memset(out, 0, sizeof *out);
	return rc;
}

void npy_unmap(NpyMap *m)
{
	if (m->base)
		munmap(m->base, m->len);
	memset(m, 0, sizeof *m);
}

void npy_free(NpyArray *a)
{
	free(a->data);
	memset(a, 0, sizeof *a);
}

/* ---- writing -------------------------------------------------------------- */

int npy_write(const char *path, const char *dtype, int ndim, const long *shape,
	const void *data, char *err, size_t errlen)
{
	size_t itemsize = npy_dtype_size(dtype), count;
	char header[512], sbuf[256];

	if (itemsize == 0)
		return fail(err, errlen, "cannot write '%s': unsupported dtype '%s' (supported: " SUPPORTED ")",
			path, dtype);
	if (ndim < 0 || ndim > NPY_MAX_DIMS)
		return fail(err, errlen, "cannot write '%s': %d dimensions (at most %d are supported)",
			path, ndim, NPY_MAX_DIMS);
	if (shape_count(ndim, shape, itemsize, &count) < 0)
		return fail(err, errlen, "cannot write '%s': invalid shape %s", path,
			npy_shape_str(sbuf, sizeof sbuf, ndim, shape));

	int len = snprintf(header + 10, sizeof header - 10,
		"{'descr': '%c%s', 'fortran_order': False, 'shape': %s, }",
		itemsize == 1 ? '|' : '<', dtype, npy_shape_str(sbuf, sizeof sbuf, ndim, shape));
	size_t total = 10 + (size_t)len + 1;
	total = (total + 63) / 64 * 64;
	memset(header + 10 + len, ' ', total - 10 - (size_t)len - 1);
	header[total - 1] = '\n';
	size_t hlen = total - 10;
	memcpy(header, "\x93NUMPY\x01\x00", 8);
	header[8] = (char)(hlen & 0xff);
	header[9] = (char)(hlen >> 8);

	size_t nbytes = count * itemsize;
	void *swapped = NULL;
	if (!host_is_little_endian() && itemsize > 1 && nbytes) {
		if (!(swapped = mem_malloc(nbytes)))
			return fail(err, errlen, "cannot write '%s': out of memory", path);
		memcpy(swapped, data, nbytes);
		swap_bytes(swapped, count, itemsize);
		data = swapped;
	}
	const void *parts[2] = {header, data};
	size_t sizes[2] = {total, nbytes};
	int rc = fileio_write_atomic(path, parts, sizes, 2, err, errlen);
	free(swapped);
	return rc;
}

/* ---- conversion ----------------------------------------------------------- */

void npy_to_f32(const char *dtype, const void *src, size_t n, float *dst)
{
#define CONVERT(T) for (size_t i = 0; i < n; i++) dst[i] = (float)((const T *)src)[i]
	switch (dtype[0] << 8 | dtype[1]) {
	case 'f' << 8 | '4': memcpy(dst, src, n * sizeof *dst); break;
	case 'f' << 8 | '8': CONVERT(double); break;
	case 'i' << 8 | '1': CONVERT(int8_t); break;
	case 'i' << 8 | '2': CONVERT(int16_t); break;
	case 'i' << 8 | '4': CONVERT(int32_t); break;
	case 'i' << 8 | '8': CONVERT(int64_t); break;
	case 'u' << 8 | '1': CONVERT(uint8_t); break;
	case 'u' << 8 | '2': CONVERT(uint16_t); break;
	case 'u' << 8 | '4': CONVERT(uint32_t); break;
	case 'u' << 8 | '8': CONVERT(uint64_t); break;
	case 'b' << 8 | '1':
		for (size_t i = 0; i < n; i++)
			dst[i] = ((const unsigned char *)src)[i] ? 1.0f : 0.0f;
		break;
	}
#undef CONVERT
}

float *npy_as_f32(const NpyArray *a)
{
	float *out;

	if (npy_dtype_size(a->dtype) == 0 || !(out = mem_malloc(a->count ? a->count * sizeof *out : 1)))
		return NULL;
	npy_to_f32(a->dtype, a->data, a->count, out);
	return out;
}
