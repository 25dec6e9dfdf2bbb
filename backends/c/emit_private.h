/* emit_private.h: shared by backends/c/emit*.c. */
#ifndef SPIKEC_EMIT_PRIVATE_H
#define SPIKEC_EMIT_PRIVATE_H

#include "emit.h"

typedef struct {
	const Kir *k;
	const BackendOptions *opt;
	int program;        /* whose buffers `a->` points to */
	StrBuf *o;
	const unsigned char *inlined;  /* emit_map: kir_inlined_lets of its MAP */
} CEmit;

/* The kernels [from, to) of list as statements, one tab deep; the LOOP at
 * index i becomes a loop calling its body function loop_names[i]. */
void cemit_kernels(CEmit *e, const KList *list, int from, int to, const char *const *loop_names);
/* A loop body as `static void NAME(const Params *p, BUFTYPE *a, int batch, int t)`. */
void cemit_loop_body(CEmit *e, const Kernel *loop, const char *name, const char *buftype);
/* The model's name in upper case, for macros (a static buffer). */
const char *cemit_upper(const Kir *k);
/* The C type of a buffer's elements: "float", "int32_t", "int8_t". */
const char *cemit_elem(const KBuf *kb);
/* "(B, 8)", "(T, B, 8)", "(32, 5)" */
const char *cemit_shape(Type t, char *buf, size_t n);
/* Which of matmul_xwt, matmul_dw, matmul_outer the kernels use (bit per GemmKind). */
/* Bit g: GEMM kind g is used densely; bit GEMM_KINDS + g: by spike events. */
int cemit_gemms_used(const KList *list, const BackendOptions *opt);
/* <model>_init(params, seed) and <model>_step(...) (emit_params.c). */
void cemit_init(const Kir *k, StrBuf *o);
void cemit_optimizer(const Kir *k, const BackendOptions *opt, StrBuf *o);
/* The header's RAM section for a microcontroller (opt->mcu): what the
 * caller must provide, per sample and for batch 1, inference and training. */
void cemit_ram(const Kir *k, const BackendOptions *opt, StrBuf *o);

#endif
