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
 * Integer sums: the bits do not depend on the order of the events. */
SPK_MAYBE_UNUSED static void spk_events_xwt_q8(int rows, int m, int k, const float *xf, const int32_t *xi,
	const int8_t *wt, int32_t *out, int accumulate)
{
	int r, q, j;

	for (r = 0; r < rows; r++) {
		int32_t *o = out + (long)r * m;

		if (!accumulate)
			for (j = 0; j < m; j++)
				o[j] = 0;
		for (q = 0; q < k; q++) {
			const int8_t *w = wt + (long)q * m;

			if (xf ? xf[(long)r * k + q] == 0.0f : xi[(long)r * k + q] == 0)
				continue;
			for (j = 0; j < m; j++)
				o[j] += w[j];
		}
	}
}

#endif
