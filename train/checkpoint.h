/* checkpoint.h: parameters in memory and in safetensors files (DESIGN 8).
 *
 * The parameter array is the kernel IR's: every parameter tensor, row-major
 * float32, at its KBuf offset. Files name each tensor as in DESIGN section 2
 * ("h.weight_ih") so PyTorch users can load them directly. */
#ifndef SPIKEC_CHECKPOINT_H
#define SPIKEC_CHECKPOINT_H

#include <stdint.h>
#include "compiler/kir.h"
#include "io/safetensors.h"

/* Initial parameters, bit-identical to the emitted <model>_init(seed):
 * He-normal weights, zero biases, from the Philox stream of each tensor. */
float *ckpt_init(const Kir *k, uint64_t seed);

/* "h.i=gaussian(var=0.15, peak=1.03); ..." for checkpoint metadata. */
void ckpt_surrogates(const Graph *g, StrBuf *sb);

/* Writes params atomically with metadata (format, model, model hash, spikec
 * version, surrogates; for a quantized model, "quantized": CKPT_QUANTIZED).
 * params: k->nparams floats, or for a quantized model (compiler/kir_quant.h)
 * 32-bit words, its tensors as I8, I32 and F32. Returns -1 with a message in
 * err on failure. */
#define CKPT_QUANTIZED "int8 weights, float32 scale per row, int32 thresholds"
int ckpt_save(const Kir *k, uint64_t model_hash, const void *params, const char *path,
	      char *err, size_t errlen);

/* The model a checkpoint says it was written from: its metadata's "model"
 * and "model_hash" ("" where absent, as in a file PyTorch wrote). */
typedef struct {
	char model[128];
	char hash[32];
} CkptOrigin;

/* Reads the parameters of the model from path: every parameter must be
 * present with its dtype (F32, or for a quantized model as ckpt_save writes
 * them) and shape, floats finite; other tensors are ignored. A quantized
 * model reads only quantized checkpoints and a float one only float ones.
 * Fills origin unless it is NULL. Returns NULL with a message saying what is
 * wrong and what to do. */
void *ckpt_load(const Kir *k, const char *path, CkptOrigin *origin, char *err, size_t errlen);

/* 0 if the F32 tensor t of f (read from path) holds only finite values;
 * else -1 with a message naming the file, the tensor and the first bad
 * element (row-major, as in the file). */
int ckpt_check_finite(const StFile *f, const StTensor *t, const char *path, char *err, size_t errlen);

#endif
