/* ref_cells.c: see ref_cells.h. Each sample is run on its own, step by step,
 * exactly as the equations of DESIGN.md section 2 read. */
#include "ref_cells.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p) {
		fprintf(stderr, "ref_cells: out of memory\n");
		exit(2);
	}
	return p;
}

/* a = bias + w_ih x_t + w_hh h_prev, for the 4H rows, in double. */
static void preactivation(int I, int H, const float *w_ih, const float *w_hh,
	const float *bias, const float *x_t, const float *h_prev, double *a)
{
	for (int r = 0; r < 4 * H; r++) {
		double sum = bias[r];
		for (int j = 0; j < I; j++)
			sum += (double)w_ih[(size_t)r * I + j] * x_t[j];
		for (int j = 0; j < H; j++)
			sum += (double)w_hh[(size_t)r * H + j] * h_prev[j];
		a[r] = sum;
	}
}

/* Heaviside: S(v) = 1 if v > 0 else 0. */
static double S(double v)
{
	return v > 0 ? 1.0 : 0.0;
}

static double sigmoid(double v)
{
	return 1.0 / (1.0 + exp(-v));
}

void ref_slstm_forward_pre(int T, int B, int I, int H, const float *w_ih,
	const float *w_hh, const float *bias, float theta, int binary_cell,
	const float *x, float *h_out, float *c_out, float *pre_out)
{
	float *h_prev = xcalloc((size_t)H, sizeof *h_prev);
	float *c_prev = xcalloc((size_t)H, sizeof *c_prev);
	double *a = xcalloc((size_t)4 * H, sizeof *a);

	for (int b = 0; b < B; b++) {
		for (int k = 0; k < H; k++)
			h_prev[k] = c_prev[k] = 0.0f;
		for (int t = 0; t < T; t++) {
			size_t row = (size_t)t * B + b;   /* index of (t, b) */
			preactivation(I, H, w_ih, w_hh, bias, x + row * I, h_prev, a);
			if (pre_out)
				for (int r = 0; r < 4 * H; r++)
					pre_out[row * 4 * H + r] = (float)a[r];
			for (int k = 0; k < H; k++) {
				double i = S(a[0 * H + k] - theta);
				double f = S(a[1 * H + k] - theta);
				double g = S(a[2 * H + k] - theta);
				double o = S(a[3 * H + k] - theta);
				double s = f * c_prev[k] + i * g;
				double c = binary_cell ? S(s - theta) : s;
				double h = o * c;
				h_out[row * H + k] = (float)h;
				if (c_out)
					c_out[row * H + k] = (float)c;
				c_prev[k] = (float)c;
			}
			/* h_prev is read by every row above, so it changes only now. */
			for (int k = 0; k < H; k++)
				h_prev[k] = h_out[row * H + k];
		}
	}
	free(h_prev);
	free(c_prev);
	free(a);
}

void ref_slstm_forward(int T, int B, int I, int H, const float *w_ih,
	const float *w_hh, const float *bias, float theta, int binary_cell,
	const float *x, float *h_out, float *c_out)
{
	ref_slstm_forward_pre(T, B, I, H, w_ih, w_hh, bias, theta, binary_cell,
		x, h_out, c_out, NULL);
}

void ref_lstm_forward(int T, int B, int I, int H, const float *w_ih,
	const float *w_hh, const float *bias, const float *x, float *h_out,
	float *c_out)
{
	float *h_prev = xcalloc((size_t)H, sizeof *h_prev);
	float *c_prev = xcalloc((size_t)H, sizeof *c_prev);
	double *a = xcalloc((size_t)4 * H, sizeof *a);

	for (int b = 0; b < B; b++) {
		for (int k = 0; k < H; k++)
			h_prev[k] = c_prev[k] = 0.0f;
		for (int t = 0; t < T; t++) {
			size_t row = (size_t)t * B + b;
			preactivation(I, H, w_ih, w_hh, bias, x + row * I, h_prev, a);
			for (int k = 0; k < H; k++) {
				double i = sigmoid(a[0 * H + k]);
				double f = sigmoid(a[1 * H + k]);
				double g = tanh(a[2 * H + k]);
				double o = sigmoid(a[3 * H + k]);
				double c = f * c_prev[k] + i * g;
				double h = o * tanh(c);
				h_out[row * H + k] = (float)h;
				if (c_out)
					c_out[row * H + k] = (float)c;
				c_prev[k] = (float)c;
			}
			for (int k = 0; k < H; k++)
				h_prev[k] = h_out[row * H + k];
		}
	}
	free(h_prev);
	free(c_prev);
	free(a);
}
