/* npy.h: NumPy .npy arrays in and out (spikec infer/grad inputs and outputs).
 *
 * Reads format versions 1.0, 2.0 and 3.0 of little-endian, C-ordered arrays
 * of the dtypes below; anything else (big-endian, fortran_order, object or
 * structured dtypes, truncated or malformed files, bytes after the data) is an error whose message
 * names the file, what is wrong and what to do. Writes version 1.0 with the
 * data aligned to 64 bytes, atomically (a temporary file in the same
 * directory, fsync'd, then renamed), so readers never see a partial file.
 *
 * Element data is in host byte order in memory (mapped data: little-endian).
 */
#ifndef SPIKEC_RUNTIME_NPY_H
#define SPIKEC_RUNTIME_NPY_H

#include <stddef.h>

#define NPY_MAX_DIMS 8

/* dtype is NumPy's kind and size without byte order: "f4", "f8", "i1",
 * "i2", "i4", "i8", "u1", "u2", "u4", "u8", "b1". A 0-d array has ndim 0 and
 * count 1. data is malloc'd (never NULL after a successful read, even when
 * count is 0). */
typedef struct {
	char dtype[4];
	int ndim;
	long shape[NPY_MAX_DIMS];
	size_t count;
	void *data;
} NpyArray;

/* 0 on success; -1 with a message in err (out is then empty). */
int npy_read(const char *path, NpyArray *out, char *err, size_t errlen);

/* A file's array mapped read-only instead of read (npy_map): a is what
 * npy_read gives, but a.data points into the mapping (never free it), so
 * an array larger than memory can be read piece by piece. */
typedef struct {
	NpyArray a;
	void *base;
	size_t len;
} NpyMap;

/* The checks of npy_read, then the mapping; on a big-endian host only
 * one-byte dtypes can be mapped. 0, or -1 with a message (out empty). */
int npy_map(const char *path, NpyMap *out, char *err, size_t errlen);

/* Unmaps and empties *m; safe on an empty map. */
void npy_unmap(NpyMap *m);

/* Writes ndim dims of shape and the matching count of elements of dtype
 * (one of the codes above) from data; 0 on success, -1 with a message. */
int npy_write(const char *path, const char *dtype, int ndim, const long *shape,
	const void *data, char *err, size_t errlen);

void npy_free(NpyArray *a);

/* The shape in buf as NumPy prints it: "(2, 3)", "(5,)" or "()". */
const char *npy_shape_str(char *buf, size_t n, int ndim, const long *shape);

/* Size in bytes of one element of dtype, 0 if the dtype is not supported. */
size_t npy_dtype_size(const char *dtype);

/* dst[0..n-1] = the n elements of src, of dtype, as floats (bools as 0/1,
 * integers rounded to nearest float). */
void npy_to_f32(const char *dtype, const void *src, size_t n, float *dst);

/* A freshly malloc'd float copy of a's count elements (bools as 0/1, integers
 * rounded to nearest float); NULL if out of memory or the dtype is unknown. */
float *npy_as_f32(const NpyArray *a);

#endif
