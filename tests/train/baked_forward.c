/* baked_forward.c: runs a model emitted with `spikec emit --checkpoint` on
 * an input .npy with the weights baked into it, and writes the outputs as
 * .npy, so that run_train.sh can compare them byte for byte with what
 * `spikec infer` gives for the same checkpoint.
 *
 * Build: cc -I. -DMODEL=tiny -DMODEL_UPPER=TINY -include DIR/tiny_weights.h
 *        baked_forward.c DIR/tiny.c DIR/tiny_weights.c build/libspikec.a -lopenblas -lz -lm */
#include <stdio.h>
#include <stdlib.h>
#include "io/npy.h"

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define FN(name) CAT(CAT(MODEL, _), name)
#define K(name) CAT(CAT(MODEL_UPPER, _), name)

int main(int argc, char **argv)
{
	char err[512];
	NpyArray x;
	if (argc != 3) {
		fprintf(stderr, "usage: baked_forward x.npy y.npy\n");
		return 2;
	}
	if (npy_read(argv[1], &x, err, sizeof err)) {
		fprintf(stderr, "baked_forward: %s\n", err);
		return 1;
	}
	int batch = (int)x.shape[1];
	long shape[3] = {K(STEPS), batch, K(OUTPUTS)};
	size_t n = (size_t)batch * K(OUTPUTS) * (K(OUTPUT_TIMED) ? K(STEPS) : 1);
	float *xf = npy_as_f32(&x), *out = calloc(n + 1, sizeof(float));
	float *ws = calloc(FN(workspace_floats)(batch) + 1, sizeof(float));
	if (!xf || !out || !ws)
		return 1;
	FN(forward)(FN(weights), xf, batch, out, ws);
	if (npy_write(argv[2], "f4", K(OUTPUT_TIMED) ? 3 : 2, K(OUTPUT_TIMED) ? shape : shape + 1, out, err,
		      sizeof err)) {
		fprintf(stderr, "baked_forward: %s\n", err);
		return 1;
	}
	free(xf), free(out), free(ws);
	npy_free(&x);
	return 0;
}
