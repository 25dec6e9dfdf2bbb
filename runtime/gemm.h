/* gemm.h: the single-precision matrix multiply that runtime and JIT-compiled
 * code call. Contract: row-major
 *     C[m,n] = alpha * op(A)[m,k] * op(B)[k,n] + beta * C[m,n]
 * exactly as cblas_sgemm(CblasRowMajor, ...) (see runtime/gemm_portable.h):
 * trans_x != 0 transposes X, lda/ldb/ldc are row strides (lda >= k when A is
 * not transposed, >= m when it is; likewise ldb >= n or >= k; ldc >= n; each
 * at least 1). beta == 0 overwrites C without reading it.
 *
 * The backend is OpenBLAS, or spk_sgemm_portable when the runtime is built
 * with -DSPK_PORTABLE_GEMM.
 */
#ifndef SPIKEC_RUNTIME_GEMM_H
#define SPIKEC_RUNTIME_GEMM_H

void gemm_sgemm(int trans_a, int trans_b, int m, int n, int k, float alpha,
	const float *a, int lda, const float *b, int ldb, float beta,
	float *c, int ldc);

/* Keeps OpenBLAS to the calling thread: the training driver runs its own
 * threads (train/shards.h). No effect on the portable loops. */
void gemm_single_threaded(void);

/* "openblas" or "portable": for progress lines and benchmark reports. */
const char *gemm_backend_name(void);
/* The BLAS in full, for spikec --version: OpenBLAS's build configuration
 * and the core it chose ("OpenBLAS 0.3.21 ... Haswell MAX_THREADS=64"), or
 * that the products are the portable loops. */
const char *gemm_backend_config(void);

#endif
