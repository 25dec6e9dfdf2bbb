/* test_carry.c: `carry state` against its definition, on the emitted C.
 *
 * carry.snn (8 steps, carry state) and whole.snn (16 steps) are the same
 * network. Two calls of carry on one workspace, over the two halves of a
 * 16-step input, must give bit for bit what one call of whole gives, for
 * forward() and for forward_train() (with a backward() between the calls,
 * which must not disturb the carried state). Zeroing the workspace restarts
 * from zero states: the second half alone then gives something else.
 * Prints PASS/FAIL lines; exits 1 on any failure. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "carry.h"
#include "whole.h"

enum { B = 3, V = 6, T = CARRY_STEPS, T2 = WHOLE_STEPS };

static int fails;

static void check(int ok, const char *what)
{
	printf("%s %s\n", ok ? "PASS" : "FAIL", what);
	fails += !ok;
}

static float *zalloc(size_t n)
{
	float *p = calloc(n ? n : 1, sizeof(float));
	if (!p)
		abort();
	return p;
}

int main(void)
{
	check(T2 == 2 * T && CARRY_NUM_PARAMS == WHOLE_NUM_PARAMS && CARRY_CARRY_STATE == 1 && WHOLE_CARRY_STATE == 0,
	      "carry.snn is whole.snn cut in half, with carry state");
	float *p = zalloc(CARRY_NUM_PARAMS), *q = zalloc(WHOLE_NUM_PARAMS);
	carry_init(p, 5);
	whole_init(q, 5);
	check(!memcmp(p, q, sizeof(float) * CARRY_NUM_PARAMS), "same parameters from the same seed");

	/* One-hot tokens and next-token labels over 16 steps. */
	float *x = zalloc((size_t)T2 * B * V);
	int32_t lab[T2 * B];
	unsigned s = 12345;
	for (int i = 0; i < T2 * B; i++) {
		s = s * 1103515245u + 12345u;
		x[(size_t)i * V + (s >> 16) % V] = 1;
		lab[i] = (int32_t)((s >> 8) % V);
	}
	const size_t half = (size_t)T * B * V;

	/* Inference. */
	float *ow = zalloc(2 * half), *oc = zalloc(2 * half);
	float *ww = zalloc(whole_workspace_floats(B)), *wc = zalloc(carry_workspace_floats(B));
	whole_forward(p, x, B, ow, ww);
	carry_forward(p, x, B, oc, wc);
	carry_forward(p, x + half, B, oc + half, wc);
	check(!memcmp(ow, oc, sizeof(float) * 2 * half), "forward: two carried halves == one whole pass");
	memset(wc, 0, sizeof(float) * carry_workspace_floats(B));
	float *fresh = zalloc(half);
	carry_forward(p, x + half, B, fresh, wc);
	check(memcmp(fresh, oc + half, sizeof(float) * half) != 0, "forward: a zeroed workspace restarts the state");

	/* Training: the outputs and the loss of the second half. */
	float *tw = zalloc(whole_train_workspace_floats(B)), *tc = zalloc(carry_train_workspace_floats(B));
	float *g = zalloc(CARRY_NUM_PARAMS);
	float *otw = zalloc(2 * half), *otc = zalloc(2 * half);
	whole_forward_train(p, x, lab, B, otw, tw);
	carry_forward_train(p, x, lab, B, otc, tc);
	carry_zero_grad(g);
	carry_backward(p, x, lab, B, g, tc);
	float loss2 = carry_forward_train(p, x + half, lab + T * B, B, otc + half, tc);
	check(!memcmp(otw, otc, sizeof(float) * 2 * half),
	      "forward_train: two carried halves == one whole pass, across a backward");
	check(!memcmp(ow, otw, sizeof(float) * 2 * half), "forward_train and forward agree");
	/* The mean cross entropy of the second half, from whole's outputs. */
	double ce = 0;
	for (int r = T * B; r < T2 * B; r++) {
		const float *y = otw + (size_t)r * V;
		double mx = y[0], sum = 0;
		for (int j = 1; j < V; j++)
			mx = y[j] > mx ? y[j] : mx;
		for (int j = 0; j < V; j++)
			sum += exp(y[j] - mx);
		ce += log(sum) + mx - y[lab[r]];
	}
	ce /= T * B;
	check(fabs(ce - loss2) < 1e-5 * (1 + ce), "forward_train: the carried loss is the second half's");
	free(p), free(q), free(x), free(ow), free(oc), free(ww), free(wc), free(fresh);
	free(tw), free(tc), free(g), free(otw), free(otc);
	return fails != 0;
}
