/* use_emitted.c: a program of a user who installed spikec: it runs the
 * model emitted from examples/tiny.snn (built with nothing but the flags of
 * `pkg-config --cflags --libs spikec-runtime`) on a fixed batch of 2 spike
 * trains, parameters from tiny_init(seed 3) as `spikec init --seed 3`, and
 * prints the outputs (T, B, 1) one a line as exact hexadecimal floats. The
 * spikes: x[t][b] = 1 where (7t + 3b) % 5 == 0 (run_install.sh writes the
 * same as x.npy for `spikec infer`). */
#include <stdio.h>
#include <stdlib.h>
#include "tiny.h"

#define BATCH 2

int main(void)
{
	static float params[TINY_NUM_PARAMS], x[TINY_STEPS * BATCH], out[TINY_STEPS * BATCH];
	float *ws = calloc(tiny_workspace_floats(BATCH) + 1, sizeof *ws);
	if (!ws)
		return 1;
	for (int t = 0; t < TINY_STEPS; t++)
		for (int b = 0; b < BATCH; b++)
			x[t * BATCH + b] = (7 * t + 3 * b) % 5 == 0;
	tiny_init(params, 3);
	tiny_forward(params, x, BATCH, out, ws);
	for (int i = 0; i < TINY_STEPS * BATCH; i++)
		printf("%a\n", (double)out[i]);
	free(ws);
	return 0;
}
