/* gemm_portable.h: a dependency-free SGEMM (header-only, C99).
 *
 * This text is pasted verbatim into --portable generated C, so it includes
 * nothing and every name starts with spk_ / SPK_.
 *
 * spk_sgemm_portable computes, row-major,
 *     C[m,n] = alpha * op(A)[m,k] * op(B)[k,n] + beta * C[m,n]
 * with op(X) = X if trans_x == 0, X^T otherwise: exactly the contract of
 * cblas_sgemm(CblasRowMajor, ...). A is m x k (k x m if transposed) with row
 * stride lda, B is k x n (n x k if transposed) with row stride ldb, C has row
 * stride ldc. beta == 0 overwrites C without reading it, so C may start as
 * garbage (even NaN). Accumulation is in float.
 *
 * Loop orders keep the innermost loop on contiguous memory: i-p-j when B is
 * not transposed (a row of C += a scalar times a row of B), a dot product
 * over p when B is transposed.
 */
#ifndef SPK_GEMM_PORTABLE_H
#define SPK_GEMM_PORTABLE_H

#ifndef SPK_MAYBE_UNUSED
#if defined(__GNUC__) || defined(__clang__)
#define SPK_MAYBE_UNUSED __attribute__((unused))
#else
#define SPK_MAYBE_UNUSED
#endif
#endif

SPK_MAYBE_UNUSED static inline void spk_sgemm_portable(int trans_a, int trans_b,
	int m, int n, int k, float alpha, const float *a, int lda,
	const float *b, int ldb, float beta, float *c, int ldc)
{
	int i, j, p;

	for (i = 0; i < m; i++) {
		float *ci = c + (long)i * ldc;

		if (beta == 0.0f) {
			for (j = 0; j < n; j++)
				ci[j] = 0.0f;
		} else if (beta != 1.0f) {
			for (j = 0; j < n; j++)
				ci[j] *= beta;
		}
		if (alpha == 0.0f)
			continue;

		if (!trans_b) {
			/* C[i,:] += alpha * op(A)[i,p] * B[p,:] */
			for (p = 0; p < k; p++) {
				float aip = trans_a ? a[(long)p * lda + i] : a[(long)i * lda + p];
				const float *bp = b + (long)p * ldb;

				aip *= alpha;
				for (j = 0; j < n; j++)
					ci[j] += aip * bp[j];
			}
		} else {
			/* C[i,j] += alpha * dot(op(A)[i,:], B[j,:]) */
			for (j = 0; j < n; j++) {
				const float *bj = b + (long)j * ldb;
				float sum = 0.0f;

				if (trans_a) {
					for (p = 0; p < k; p++)
						sum += a[(long)p * lda + i] * bj[p];
				} else {
					const float *ai = a + (long)i * lda;

					for (p = 0; p < k; p++)
						sum += ai[p] * bj[p];
				}
				ci[j] += alpha * sum;
			}
		}
	}
}

#endif
