/* idx.c: IDX files (LeCun's MNIST format, as Fashion-MNIST ships them),
 * gzip-compressed or plain, read with zlib.
 *
 * An IDX file is a big-endian header, magic 0x0000TTDD (TT the element type,
 * 0x08 = unsigned byte; DD the number of dimensions), DD big-endian 32-bit
 * sizes, then the elements. Images are 0x00000803 (count, rows, cols),
 * labels 0x00000801 (count). Every check failure names the file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "data.h"
#include "mem/mem.h"

#define IDX_IMAGES_MAGIC 0x00000803u
#define IDX_LABELS_MAGIC 0x00000801u
#define IDX_MAX_COUNT    10000000u     /* far above any real set; guards the size arithmetic */
#define IDX_MAX_SIDE     4096u

typedef struct {
	gzFile f;
	const char *path;
	size_t pos;             /* bytes of decompressed data read so far */
	char *err;
	size_t errlen;
} Reader;

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Reads up to n bytes; the number read, or -1 with a message on a zlib error
 * (corrupt or truncated compressed data). */
static long rd(Reader *r, void *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		unsigned chunk = n - got > (1u << 30) ? 1u << 30 : (unsigned)(n - got);
		int k = gzread(r->f, (char *)buf + got, chunk), zerr;
		const char *msg = gzerror(r->f, &zerr);

		/* zlib reports a cut-off stream as a short read with Z_BUF_ERROR set. */
		if (k < 0 || (k == 0 && zerr != Z_OK)) {
			size_t plen = strlen(r->path);

			if (zerr == Z_ERRNO)
				msg = strerror(errno);
			else if (strncmp(msg, r->path, plen) == 0 && strncmp(msg + plen, ": ", 2) == 0)
				msg += plen + 2;        /* zlib prefixes the path */
			if (zerr == Z_BUF_ERROR)
				snprintf(r->err, r->errlen, "%s: the gzip stream is cut off after %zu decompressed "
					 "bytes (zlib: %s); the file is incomplete: reinstall it", r->path,
					 r->pos + got, msg);
			else
				snprintf(r->err, r->errlen, "%s: corrupt gzip data (zlib: %s); reinstall the file",
					 r->path, msg);
			return -1;
		}
		if (k == 0)
			break;
		got += (size_t)k;
	}
	r->pos += got;
	return (long)got;
}

/* Opens path and checks its header: magic, then ndim sizes into dims.
 * `what` is "image" or "label" for the messages. */
static int open_idx(Reader *r, const char *path, uint32_t magic, int ndim, uint32_t *dims, const char *what,
		    char *err, size_t errlen)
{
	unsigned char h[16];
	long n;
	uint32_t m;

	r->path = path;
	r->err = err;
	r->errlen = errlen;
	errno = 0;
	r->f = gzopen(path, "rb");
	if (!r->f) {
		snprintf(err, errlen, "%s: cannot open: %s", path, errno ? strerror(errno) : "out of memory");
		return -1;
	}
	gzbuffer(r->f, 1u << 17);
	n = rd(r, h, 4 + 4 * (size_t)ndim);
	if (n < 0)
		goto fail;
	if (n < 4 + 4 * ndim) {
		snprintf(err, errlen, "%s: only %ld bytes, too short for the %d-byte header of an IDX %s file; the "
			 "file is truncated or not IDX: reinstall it", path, n, 4 + 4 * ndim, what);
		goto fail;
	}
	m = be32(h);
	if (m != magic) {
		snprintf(err, errlen, "%s: bad magic number 0x%08x; an IDX %s file starts with 0x%08x (unsigned "
			 "bytes, %d dimension%s): is this the right file?", path, (unsigned)m, what,
			 (unsigned)magic, ndim, ndim == 1 ? "" : "s");
		goto fail;
	}
	for (int i = 0; i < ndim; i++)
		dims[i] = be32(h + 4 + 4 * i);
	return 0;
fail:
	gzclose(r->f);
	r->f = NULL;
	return -1;
}

/* Reads exactly the n bytes of payload the header promises, and checks
 * nothing follows: each byte goes to *pixels as byte / 255, or to *labels as
 * is (whichever is not NULL; it starts NULL). Chunked, so no second copy of
 * the data is ever in memory, and the array grows with the bytes that
 * actually arrive, so a header promising terabytes costs only what the file
 * holds before it is found truncated. */
static int read_payload(Reader *r, size_t n, const char *what, float **pixels, int32_t **labels)
{
	unsigned char buf[1 << 16];
	float scale[256];
	size_t done = 0, cap = 0, size = pixels ? sizeof **pixels : sizeof **labels;
	long got;

	for (int k = 0; k < 256; k++)
		scale[k] = (float)k / 255.0f;
	while (done < n) {
		size_t want = n - done < sizeof buf ? n - done : sizeof buf;

		if (done + want > cap) {
			size_t c = cap * 2 > done + want ? cap * 2 : done + want;
			void *p = mem_realloc(pixels ? (void *)*pixels : (void *)*labels, (c < n ? c : n) * size);

			if (!p) {
				snprintf(r->err, r->errlen, "%s: out of memory for %zu bytes of %s", r->path, n, what);
				return -1;
			}
			if (pixels)
				*pixels = p;
			else
				*labels = p;
			cap = c < n ? c : n;
		}
		if ((got = rd(r, buf, want)) < 0)
			return -1;
		if (pixels)
			for (long i = 0; i < got; i++)
				(*pixels)[done + (size_t)i] = scale[buf[i]];
		else
			for (long i = 0; i < got; i++)
				(*labels)[done + (size_t)i] = buf[i];
		done += (size_t)got;
		if ((size_t)got < want) {
			snprintf(r->err, r->errlen, "%s: truncated: the header promises %zu bytes of %s but the "
				 "file ends after %zu; reinstall the file", r->path, n, what, done);
			return -1;
		}
	}
	if ((got = rd(r, buf, 1)) < 0)
		return -1;
	if (got > 0) {
		snprintf(r->err, r->errlen, "%s: unexpected bytes after the %zu bytes of %s the header promises; "
			 "the header or the file is wrong", r->path, n, what);
		return -1;
	}
	return 0;
}

int idx_load(const char *images_path, const char *labels_path, int classes, int side, Dataset *out, char *err,
	     size_t errlen)
{
	Reader ri = {0}, rl = {0};
	uint32_t idim[3], ldim[1];
	size_t count, features;
	int rc = -1;

	memset(out, 0, sizeof *out);
	if (open_idx(&ri, images_path, IDX_IMAGES_MAGIC, 3, idim, "image", err, errlen) ||
	    open_idx(&rl, labels_path, IDX_LABELS_MAGIC, 1, ldim, "label", err, errlen))
		goto done;
	if (idim[0] == 0 || idim[0] > IDX_MAX_COUNT || idim[1] == 0 || idim[1] > IDX_MAX_SIDE || idim[2] == 0 ||
	    idim[2] > IDX_MAX_SIDE) {
		snprintf(err, errlen, "%s: implausible dimensions %u x %u x %u (images x rows x cols); the header is "
			 "corrupt: reinstall the file", images_path, (unsigned)idim[0], (unsigned)idim[1],
			 (unsigned)idim[2]);
		goto done;
	}
	if (side && (idim[1] != (uint32_t)side || idim[2] != (uint32_t)side)) {
		snprintf(err, errlen, "%s: images of %u x %u pixels, but these must be %d x %d; is this the right file?",
			 images_path, (unsigned)idim[1], (unsigned)idim[2], side, side);
		goto done;
	}
	if (ldim[0] != idim[0]) {
		snprintf(err, errlen, "%s holds %u labels but %s holds %u images; the two files must come from the "
			 "same set", labels_path, (unsigned)ldim[0], images_path, (unsigned)idim[0]);
		goto done;
	}
	count = idim[0];
	features = (size_t)idim[1] * idim[2];
	if (read_payload(&ri, count * features, "pixels", &out->values, NULL) ||
	    read_payload(&rl, count, "labels", NULL, &out->labels))
		goto done;
	for (size_t i = 0; i < count; i++)
		if (out->labels[i] >= classes) {
			snprintf(err, errlen, "%s: label %d of image %zu is not a class 0..%d; is this the right "
				 "file?", labels_path, (int)out->labels[i], i, classes - 1);
			goto done;
		}
	out->count = (int)count;
	out->features = (int)features;
	out->classes = classes;
	rc = 0;
done:
	if (ri.f)
		gzclose(ri.f);
	if (rl.f)
		gzclose(rl.f);
	if (rc) {
		free(out->values);
		free(out->labels);
		memset(out, 0, sizeof *out);
	}
	return rc;
}
