/* kir_quant.h: the quantized forward pass (spikec quantize, eval/infer
 * --quantized, docs/quantize.md).
 *
 * kir_quantize rewrites a model's kernel IR into an integer forward pass:
 *   - every product must take spikes (0/1): its weights become int8 and it
 *     sums them, per event, into an int32 accumulator. The weights summed
 *     into one accumulator (an slstm's weight_ih and weight_hh) share one
 *     float32 scale per row r: W[r][c] ~ scale[r] * q[r][c], |q| <= 127.
 *   - a spike of an accumulator's affine value, S(scale[r] acc + bias[r] +
 *     c) with bias a parameter and c a constant, becomes the integer compare
 *     acc > threshold[r], threshold[r] = floor(-(bias[r] + c) / scale[r]);
 *   - spikes, and the products and sums of spikes, are int32, and a spike of
 *     one plus a constant c an integer compare with floor(-c); spike
 *     buffers (states) hold int32 0/1;
 *   - any other use of an accumulator reads scale[r] acc + bias[r] + c as
 *     float (a readout's logits), and any other op stays float.
 * So an slstm layer's step is integer-only. The training program is dropped.
 *
 * The quantized parameter array is k->nparams 32-bit words: each parameter
 * buffer at its offset, int8 ones packed (rank-2 stored transposed, as the
 * float ones, io/layout.h), then per accumulator its `scale` (float32) and
 * `threshold` (int32). kq_params computes it from the float parameters;
 * checkpoints hold it tensor by tensor (train/checkpoint.h). */
#ifndef SPIKEC_KIR_QUANT_H
#define SPIKEC_KIR_QUANT_H

#include <stddef.h>
#include <stdint.h>
#include "kir.h"

/* One accumulator and what its int8 weights, scale and threshold come
 * from. Row r spikes iff acc > threshold[r]; bias_src[r] is the float
 * offset of bias[r] in the float parameters (-1: none), c[r] the constant. */
typedef struct {
	int acc;                 /* the int32 accumulator buffer */
	int rows;                /* its features */
	int *weights, nweights;  /* its int8 weight buffers */
	int scale;               /* float32 [rows] parameter buffer */
	int threshold;           /* int32 [rows] parameter buffer; -1 if no spike reads acc */
	long *bias_src;          /* [rows] */
	float *c;                /* [rows] */
	unsigned char *covered;  /* [rows]: some spike reads row r */
} KQGroup;

typedef struct KQuant {
	KQGroup *groups;         /* (in the Kir's arena, as all of this) */
	int ngroups;
	long *src;               /* per buffer: a parameter's float offset before
				  * quantization; -1 for scale and threshold */
	long float_params;       /* floats of the float parameter array */
	int float_lets;          /* float operations per feature and step that the
				  * time loop's states depend on: 0 when it is integer-only */
} KQuant;

/* Rewrites k (lowered with spikes as bits or not) in place. Returns 0, or -1
 * with a message saying what cannot be quantized and why. */
int kir_quantize(Kir *k, char *err, size_t errlen);

/* The quantized parameter array (k->nparams words, malloc'd) from the
 * float parameters of the model before kir_quantize. */
uint32_t *kq_params(const Kir *k, const float *fparams);

#endif
