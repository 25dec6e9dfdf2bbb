/* events.h: products with a spike operand, by accumulation alone, and
 * spikes kept as bits (header-only, C99).
 *
 * This text is pasted verbatim into generated C (and compiled once more into
 * the LLVM plugin, backends/llvm/rt.c, so both backends run the same code),
 * so it includes nothing (the includer brings <stdint.h>) and every name
 * starts with spk_ / SPK_.
 *
 * A spike operand x holds 0 or 1 (any nonzero counts as 1). The weights are
 * stored fan-out major, wt (k, m): row q of wt is what input q adds to the m
 * outputs, so an event costs one contiguous row.
 *
 *   spk_events_xwt    out (rows, m) = x (rows, k) wt + beta out
 *   spk_events_outer  gt (k, m) = x (rows, k)^T d (rows, m) + beta gt
 *
 * spk_events_xwt always computes its product, so a sample's output does not
 * depend on the batch it is in (a forward pass of any batch and stream_step
 * give the same bits). spk_events_outer, whose sums run over the batch
 * anyway, computes its product only when it gains from it: x has fewer than
 * SPK_EV_ROWS rows, or at most SPK_EVENTS_OUTER_DENSITY of its elements are
 * nonzero (the crossover measured against OpenBLAS, docs/speed.md). Then it
 * returns 1; otherwise it returns 0 without touching anything, and the caller
 * runs the dense GEMM. The choice depends only on the shape and the values,
 * so it is the same on every backend and thread count.
 *
 * Summation order, which fixes the bits: out[r][j] starts from beta out[r][j]
 * (0 when beta is 0) and adds wt[q][j] for the active q in ascending order;
 * gt[q][j] starts from beta gt[q][j] and adds d[r][j] for the rows r with
 * x[r][q] active, r ascending.
 * Where GCC or Clang compile it, eight lanes are added at a time through
 * vector types; the additions, and so the bits, are those of the scalar
 * loop that other compilers run.
 *
 *   spk_bits_pack     bits (rows, ceil(n/32) words) = x (rows, n) != 0
 *   spk_bits_unpack   x (rows, n) = bits as 0.0f / 1.0f
 *
 * Value q of a row is bit q % 32 of its word q / 32; a row's last word is
 * padded with zeros. */
#ifndef SPK_EVENTS_H
#define SPK_EVENTS_H

#ifndef SPK_MAYBE_UNUSED
#if defined(__GNUC__) || defined(__clang__)
#define SPK_MAYBE_UNUSED __attribute__((unused))
#else
#define SPK_MAYBE_UNUSED
#endif
#endif

#define SPK_EVENTS_OUTER_DENSITY 0.30

/* Blocks: SPK_EV_ROWS rows share a block of SPK_EV_KS inputs, whose weight
 * columns [j, j + SPK_EV_LANES) stay in L1 while the rows add them. */
enum { SPK_EV_ROWS = 8, SPK_EV_KS = 256, SPK_EV_LANES = 32 };

#if defined(__GNUC__) || defined(__clang__)
typedef float spk_v8 __attribute__((vector_size(32), aligned(4)));
#define SPK_EV_ADD32(acc, w) do { \
	(acc)[0] += *(const spk_v8 *)(w); (acc)[1] += *(const spk_v8 *)((w) + 8); \
	(acc)[2] += *(const spk_v8 *)((w) + 16); (acc)[3] += *(const spk_v8 *)((w) + 24); } while (0)
#define SPK_EV_LOAD32(acc, p) do { \
	(acc)[0] = *(const spk_v8 *)(p); (acc)[1] = *(const spk_v8 *)((p) + 8); \
	(acc)[2] = *(const spk_v8 *)((p) + 16); (acc)[3] = *(const spk_v8 *)((p) + 24); } while (0)
#define SPK_EV_STORE32(p, acc) do { \
	*(spk_v8 *)(p) = (acc)[0]; *(spk_v8 *)((p) + 8) = (acc)[1]; \
	*(spk_v8 *)((p) + 16) = (acc)[2]; *(spk_v8 *)((p) + 24) = (acc)[3]; } while (0)
#define SPK_EV_ADDTO32(p, acc) do { \
	*(spk_v8 *)(p) += (acc)[0]; *(spk_v8 *)((p) + 8) += (acc)[1]; \
	*(spk_v8 *)((p) + 16) += (acc)[2]; *(spk_v8 *)((p) + 24) += (acc)[3]; } while (0)
#define SPK_EV_ACC spk_v8
#define SPK_EV_NACC 4
#else
#define SPK_EV_ADD32(acc, w) do { int l_; for (l_ = 0; l_ < 32; l_++) (acc)[l_] += (w)[l_]; } while (0)
#define SPK_EV_LOAD32(acc, p) do { int l_; for (l_ = 0; l_ < 32; l_++) (acc)[l_] = (p)[l_]; } while (0)
#define SPK_EV_STORE32(p, acc) do { int l_; for (l_ = 0; l_ < 32; l_++) (p)[l_] = (acc)[l_]; } while (0)
#define SPK_EV_ADDTO32(p, acc) do { int l_; for (l_ = 0; l_ < 32; l_++) (p)[l_] += (acc)[l_]; } while (0)
#define SPK_EV_ACC float
#define SPK_EV_NACC 32
#endif

/* Events pay for x (rows, k): few rows, or nonzeros at most density * n. */
SPK_MAYBE_UNUSED static int spk_events_pay(const float *x, int rows, int k, double density)
{
	long i, nz = 0, n = (long)rows * k;

	if (rows < SPK_EV_ROWS)
		return 1;
	for (i = 0; i < n; i++)
		nz += x[i] != 0.0f;
	return (double)nz <= density * (double)n;
}

/* The active inputs [k0, k1) of each of nr rows of x: idx[i][0..cnt[i]). */
SPK_MAYBE_UNUSED static void spk_events_active(const float *x, int k, int nr, int k0, int k1,
	int idx[][SPK_EV_KS], int *cnt)
{
	int i, q;

	for (i = 0; i < nr; i++) {
		const float *xr = x + (long)i * k;
		int n = 0;

		for (q = k0; q < k1; q++) {
			idx[i][n] = q;
			n += xr[q] != 0.0f;
		}
		cnt[i] = n;
	}
}

SPK_MAYBE_UNUSED static void spk_events_xwt(int rows, int m, int k, const float *x, const float *wt,
	float *out, float beta)
{
	int idx[SPK_EV_ROWS][SPK_EV_KS], cnt[SPK_EV_ROWS];
	int r0, k0, i, j, c;
	long e;

	if (beta == 0.0f)
		for (e = 0; e < (long)rows * m; e++)
			out[e] = 0.0f;
	for (r0 = 0; r0 < rows; r0 += SPK_EV_ROWS) {
		int nr = rows - r0 < SPK_EV_ROWS ? rows - r0 : SPK_EV_ROWS;

		for (k0 = 0; k0 < k; k0 += SPK_EV_KS) {
			int k1 = k - k0 < SPK_EV_KS ? k : k0 + SPK_EV_KS;

			spk_events_active(x + (long)r0 * k, k, nr, k0, k1, idx, cnt);
			for (j = 0; j < m - m % SPK_EV_LANES; j += SPK_EV_LANES)
				for (i = 0; i < nr; i++) {
					float *o = out + (long)(r0 + i) * m + j;
					SPK_EV_ACC acc[SPK_EV_NACC];

					if (!cnt[i])
						continue;
					SPK_EV_LOAD32(acc, o);
					for (c = 0; c < cnt[i]; c++)
						SPK_EV_ADD32(acc, wt + (long)idx[i][c] * m + j);
					SPK_EV_STORE32(o, acc);
				}
			for (; j < m; j++)
				for (i = 0; i < nr; i++) {
					float *o = out + (long)(r0 + i) * m + j, a = *o;

					for (c = 0; c < cnt[i]; c++)
						a += wt[(long)idx[i][c] * m + j];
					*o = a;
				}
		}
	}
}

SPK_MAYBE_UNUSED static int spk_events_outer(int rows, int m, int k, const float *d, const float *x,
	float *gt, float beta)
{
	int idx[SPK_EV_ROWS][SPK_EV_KS], cnt[SPK_EV_ROWS];
	int r0, k0, i, j, c;
	long e;

	if (!spk_events_pay(x, rows, k, SPK_EVENTS_OUTER_DENSITY))
		return 0;
	if (beta == 0.0f)
		for (e = 0; e < (long)k * m; e++)
			gt[e] = 0.0f;
	for (r0 = 0; r0 < rows; r0 += SPK_EV_ROWS) {
		int nr = rows - r0 < SPK_EV_ROWS ? rows - r0 : SPK_EV_ROWS;

		for (k0 = 0; k0 < k; k0 += SPK_EV_KS) {
			int k1 = k - k0 < SPK_EV_KS ? k : k0 + SPK_EV_KS;

			spk_events_active(x + (long)r0 * k, k, nr, k0, k1, idx, cnt);
			for (j = 0; j < m - m % SPK_EV_LANES; j += SPK_EV_LANES)
				for (i = 0; i < nr; i++) {
					SPK_EV_ACC dr[SPK_EV_NACC];

					SPK_EV_LOAD32(dr, d + (long)(r0 + i) * m + j);
					for (c = 0; c < cnt[i]; c++)
						SPK_EV_ADDTO32(gt + (long)idx[i][c] * m + j, dr);
				}
			for (; j < m; j++)
				for (i = 0; i < nr; i++) {
					float dv = d[(long)(r0 + i) * m + j];

					for (c = 0; c < cnt[i]; c++)
						gt[(long)idx[i][c] * m + j] += dv;
				}
		}
	}
	return 1;
}

SPK_MAYBE_UNUSED static void spk_bits_pack(int rows, int n, const float *x, uint32_t *bits)
{
	int r, q0, b, words = (n + 31) / 32;

	for (r = 0; r < rows; r++)
		for (q0 = 0; q0 < n; q0 += 32) {
			const float *xw = x + (long)r * n + q0;
			int m = n - q0 < 32 ? n - q0 : 32;
			uint32_t v = 0;

			for (b = 0; b < m; b++)
				v |= (uint32_t)(xw[b] != 0.0f) << b;
			bits[(long)r * words + q0 / 32] = v;
		}
}

SPK_MAYBE_UNUSED static void spk_bits_unpack(int rows, int n, const uint32_t *bits, float *x)
{
	int r, q0, b, words = (n + 31) / 32;

	for (r = 0; r < rows; r++)
		for (q0 = 0; q0 < n; q0 += 32) {
			float *xw = x + (long)r * n + q0;
			int m = n - q0 < 32 ? n - q0 : 32;
			uint32_t v = bits[(long)r * words + q0 / 32];

			for (b = 0; b < m; b++)
				xw[b] = (float)(v >> b & 1u);
		}
}

#endif
