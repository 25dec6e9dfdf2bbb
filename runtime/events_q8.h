/* events_q8.h: the product of the quantized forward pass (header-only,
 * C99; compiler/kir_quant.h, docs/quantize.md).
 *
 * Pasted verbatim into generated C of a quantized model (and compiled into
 * the LLVM plugin, backends/llvm/rt.c), after runtime/events.h, whose
 * SPK_MAYBE_UNUSED it uses; it includes nothing (the includer brings
 * <stdint.h>). */
#ifndef SPK_EVENTS_Q8_H
#define SPK_EVENTS_Q8_H

/* The quantized forward pass's product (compiler/kir_quant.h): out (rows,
 * m) = x (rows, k) wt, plus out when accumulate; wt int8 (k, m), out int32,
 * x 0/1 as the caller's floats (xf) or as int32 (xi), the other NULL.
 * Integer sums: the bits do not depend on the order of the events, so each
 * row adds its active inputs' weights to SPK_EV_LANES outputs at a time in
 * a local that stays in registers (runtime/events.h's blocking, one row at
 * a time). */
SPK_MAYBE_UNUSED static void spk_events_xwt_q8(int rows, int m, int k, const float *xf, const int32_t *xi,
	const int8_t *wt, int32_t *out, int accumulate)
{
	int idx[SPK_EV_KS];
	int r, k0, q, j, c, l;

	for (r = 0; r < rows; r++) {
		int32_t *o = out + (long)r * m;

		if (!accumulate)
			for (j = 0; j < m; j++)
				o[j] = 0;
		for (k0 = 0; k0 < k; k0 += SPK_EV_KS) {
			int k1 = k - k0 < SPK_EV_KS ? k : k0 + SPK_EV_KS, n = 0;

			for (q = k0; xf && q < k1; q++) {
				idx[n] = q;
				n += xf[(long)r * k + q] != 0.0f;
			}
			for (q = k0; !xf && q < k1; q++) {
				idx[n] = q;
				n += xi[(long)r * k + q] != 0;
			}
			for (j = 0; j + SPK_EV_LANES <= m; j += SPK_EV_LANES) {
				int32_t acc[SPK_EV_LANES];

				for (l = 0; l < SPK_EV_LANES; l++)
					acc[l] = o[j + l];
				for (c = 0; c < n; c++) {
					const int8_t *w = wt + (long)idx[c] * m + j;

					for (l = 0; l < SPK_EV_LANES; l++)
						acc[l] += w[l];
				}
				for (l = 0; l < SPK_EV_LANES; l++)
					o[j + l] = acc[l];
			}
			for (; j < m; j++) {
				int32_t a = o[j];

				for (c = 0; c < n; c++)
					a += wt[(long)idx[c] * m + j];
				o[j] = a;
			}
		}
	}
}

#endif
