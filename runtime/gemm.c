/* gemm.c: gemm_sgemm on OpenBLAS, or on the portable loops (-DSPK_PORTABLE_GEMM). */
#include "gemm.h"

#ifdef SPK_PORTABLE_GEMM
#include "gemm_portable.h"
#else
#include <cblas.h>
#endif

void gemm_sgemm(int trans_a, int trans_b, int m, int n, int k, float alpha,
	const float *a, int lda, const float *b, int ldb, float beta,
	float *c, int ldc)
{
	/* OpenBLAS rejects (and prints about) strides below 1 even when the
	 * product is empty; an empty product has nothing to do. */
	if (m <= 0 || n <= 0)
		return;
#ifdef SPK_PORTABLE_GEMM
	spk_sgemm_portable(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb,
		beta, c, ldc);
#else
	cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
		trans_b ? CblasTrans : CblasNoTrans, m, n, k, alpha, a, lda,
		b, ldb, beta, c, ldc);
#endif
}

void gemm_single_threaded(void)
{
#ifndef SPK_PORTABLE_GEMM
	openblas_set_num_threads(1);
#endif
}

const char *gemm_backend_name(void)
{
#ifdef SPK_PORTABLE_GEMM
	return "portable";
#else
	return "openblas";
#endif
}

const char *gemm_backend_config(void)
{
#ifdef SPK_PORTABLE_GEMM
	return "portable loops (no BLAS)";
#else
	return openblas_get_config();
#endif
}
