/* safetensors.h: checkpoints in the safetensors format (huggingface/safetensors).
 *
 *   u64 LE header length N | N bytes of JSON | data section
 *   JSON: {"__metadata__": {"key": "value", ...},
 *          "name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, ...}
 *   offsets are relative to the start of the data section.
 *
 * st_read validates the whole header (size limits, JSON, dtypes, shapes
 * against offsets, bounds, overlaps, duplicate names) and reports the first
 * problem precisely, naming the file and tensor. st_write writes tensors in
 * the given order, contiguously, with the header padded by spaces to a
 * multiple of 8 bytes, atomically (temporary file, fsync, rename), so a crash
 * never leaves a broken checkpoint.
 *
 * Tensor data is raw little-endian bytes, as in the file (on little-endian
 * hosts, the in-memory layout of the C type).
 */
#ifndef SPIKEC_RUNTIME_SAFETENSORS_H
#define SPIKEC_RUNTIME_SAFETENSORS_H

#include <stddef.h>

#define ST_MAX_DIMS 8
#define ST_MAX_HEADER (100u << 20)  /* bytes of JSON a reader accepts */

/* dtype: "F32", "F64", "I32", "I64", "I8", "U8", "BOOL", "F16" or "BF16". The
 * tensor's bytes are data[begin, end) of its StFile. */
typedef struct {
	char *name;
	char dtype[8];
	int ndim;
	long shape[ST_MAX_DIMS];
	size_t begin, end;
} StTensor;

/* Tensors in header order; metadata keys and values in header order; data is
 * the whole data section (malloc'd, never NULL after a successful read). */
typedef struct {
	int ntensors;
	StTensor *tensors;
	int nmeta;
	char **meta_keys;
	char **meta_values;
	unsigned char *data;
	size_t data_len;
} StFile;

/* 0 on success; -1 with a message in err (out is then empty). */
int st_read(const char *path, StFile *out, char *err, size_t errlen);

/* The tensor called name, or NULL. */
const StTensor *st_find(const StFile *f, const char *name);

/* The metadata value for key, or NULL if absent. */
const char *st_meta(const StFile *f, const char *key);

void st_free(StFile *f);

/* Bytes per element of dtype; 0 if dtype is not one of the above. */
size_t st_dtype_size(const char *dtype);

typedef struct {
	const char *name;
	const char *dtype;
	int ndim;
	const long *shape;
	const void *data;   /* prod(shape) * st_dtype_size(dtype) bytes */
} StWriteTensor;

/* Writes n tensors and nmeta metadata pairs (none if nmeta is 0) to path.
 * 0 on success; -1 with a message in err (path is then unchanged). */
int st_write(const char *path, const StWriteTensor *tensors, int n,
	const char *const *meta_keys, const char *const *meta_values, int nmeta,
	char *err, size_t errlen);

#endif
