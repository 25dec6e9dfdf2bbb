/* ref_cells.h: the reference forward pass of the recurrent cells, written
 * straight from DESIGN.md section 2 as plain loops. It is the oracle that the
 * emitted C (tests/ref/test_forward.c) and PyTorch (test_ref_vs_torch.c) are
 * compared with, so it depends on nothing of the compiler and favours being
 * obviously right over being fast.
 *
 * Layouts (row-major float32, gate order i, f, g, o):
 *   w_ih (4H, I)   w_hh (4H, H)   bias (4H)
 *   x (T, B, I)    h_out, c_out (T, B, H)
 * h_0 = c_0 = 0 for every sample; samples are independent.
 *
 * Arithmetic: every pre-activation a = bias + w_ih x_t + w_hh h_{t-1} is
 * accumulated in double in exactly that order (bias, then the columns of w_ih
 * in ascending order, then those of w_hh), and each gate and state is computed
 * in double; the states h and c carried to the next step are rounded to float,
 * as a float32 model carries them. The only rounding is therefore the final
 * one per step, which keeps the reference within ~1e-7 of an exact evaluation.
 */
#ifndef SPIKEC_REF_CELLS_H
#define SPIKEC_REF_CELLS_H

/* slstm of DESIGN section 2: S(v) = v > 0, every gate and the cell spike
 * against theta. binary_cell = 0 keeps s as the cell state (no binarisation),
 * so c and h may then be 0, 1, 2, ... instead of 0/1. */
void ref_slstm_forward(int T, int B, int I, int H, const float *w_ih,
	const float *w_hh, const float *bias, float theta, int binary_cell,
	const float *x, float *h_out /* (T, B, H) */,
	float *c_out /* (T, B, H), may be NULL */);

/* As ref_slstm_forward, and also stores each step's pre-activations a (before
 * theta is subtracted) in pre_out (T, B, 4H) when it is not NULL, so a test
 * can measure gate firing rates and how close any spike decision came to a
 * tie (a within a rounding error of theta). */
void ref_slstm_forward_pre(int T, int B, int I, int H, const float *w_ih,
	const float *w_hh, const float *bias, float theta, int binary_cell,
	const float *x, float *h_out, float *c_out, float *pre_out);

/* torch.nn.LSTM with bias_hh = 0: sigmoid gates, tanh candidate,
 * c_t = f c_{t-1} + i g, h_t = o tanh(c_t). c_out may be NULL. */
void ref_lstm_forward(int T, int B, int I, int H, const float *w_ih,
	const float *w_hh, const float *bias, const float *x,
	float *h_out /* (T, B, H) */, float *c_out /* (T, B, H) */);

#endif
