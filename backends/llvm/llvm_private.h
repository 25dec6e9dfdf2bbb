/* llvm_private.h: shared by the files of backends/llvm.
 *
 *   builder.c  constants, memory access, loops, runtime calls (small helpers)
 *   codegen.c  the module: entry points, buffer carving, tables, init, optimizer
 *   kernels.c  one builder per kernel kind, mirroring backends/c/emit_kernels.c
 *   vmath.c    spk_expf, spk_tanhf, spk_sigmoidf of runtime/vmath.h as IR
 *   jit.c      target machine, passes, object cache, ORC LLJIT, symbol lookup
 *   rt.c       the runtime symbols generated code calls, bound by address */
#ifndef SPIKEC_LLVM_PRIVATE_H
#define SPIKEC_LLVM_PRIVATE_H

#include <stdint.h>
#include <llvm-c/Core.h>
#include "llvm.h"

/* Runtime functions, declared in the module on first use. */
typedef enum {
	RT_ERFF, RT_ATANF, RT_FABSF, RT_SQRTF, RT_FMAXF, RT_FMINF,
	RT_EXP, RT_LOG, RT_SQRT, RT_POW,
	RT_SGEMM,           /* cblas_sgemm */
	RT_SGEMM_PORTABLE,  /* llvm_rt_sgemm_portable: spk_sgemm_portable */
	RT_RNG_NORMAL,      /* llvm_rt_rng_normal: spk_rng_normal */
	RT_EVENTS_XWT,      /* llvm_rt_events_xwt: spk_events_xwt */
	RT_EVENTS_OUTER,    /* llvm_rt_events_outer: spk_events_outer */
	RT_BITS_PACK,       /* llvm_rt_bits_pack: spk_bits_pack */
	RT_BITS_UNPACK,     /* llvm_rt_bits_unpack: spk_bits_unpack */
	RT_EVENTS_XWT_Q8,   /* llvm_rt_events_xwt_q8: spk_events_xwt_q8 */
	RT_DROPOUT_MASK,    /* llvm_rt_dropout_mask: spk_dropout_mask */
	RT_DROPOUT_KEY,     /* llvm_rt_dropout_set_key: spk_dropout_set_key */
	RT_COUNT
} RtFunc;

/* The state of building one module. Buffers are seen through `base` (and,
 * inside a time loop, `view` for timed buffers), set up by the entry point
 * being built; NULL where that function cannot see a buffer. */
typedef struct {
	const Kir *k;
	const BackendOptions *opt;
	LLVMContextRef ctx;
	LLVMModuleRef mod;
	LLVMBuilderRef b;
	LLVMTypeRef f32, f64, i8, i32, i64, vd, pf32, pi8, pi32;
	LLVMValueRef rt[RT_COUNT];
	LLVMTypeRef rt_type[RT_COUNT];

	LLVMValueRef fn;       /* the function being built */
	const char *fn_name;
	LLVMValueRef *base;    /* per buffer: its first element */
	LLVMValueRef *view;    /* per timed buffer, in a loop body: step t */
	LLVMValueRef *scope, *noalias;  /* per buffer: its alias scopes, and those it aliases none of */
	LLVMValueRef batch;    /* i64 */
	LLVMValueRef t;        /* i64: the step, in a time loop's body */
	int in_loop;
	int kernel;            /* index of the kernel being built, for errors */
	char err[512];         /* the first internal error, "" if none */
} Gen;

/* builder.c */
void llvm_gen_error(Gen *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
LLVMValueRef llvm_rt_call(Gen *g, RtFunc f, LLVMValueRef *args, unsigned n);
void llvm_add_attr(Gen *g, LLVMValueRef fn, const char *name);
LLVMValueRef llvm_f32(Gen *g, float v);
LLVMValueRef llvm_f64(Gen *g, double v);
LLVMValueRef llvm_i32(Gen *g, long v);
LLVMValueRef llvm_i64(Gen *g, long v);
/* &p[i] for a float (or, for int32 labels, int) pointer p and an i64 index i. */
LLVMValueRef llvm_elem(Gen *g, LLVMValueRef p, LLVMValueRef i);
LLVMValueRef llvm_load(Gen *g, LLVMValueRef p, LLVMValueRef i);
LLVMValueRef llvm_store(Gen *g, LLVMValueRef v, LLVMValueRef p, LLVMValueRef i);
/* Marks a load or store of buffer b as touching b's memory only (alias
 * scope metadata that sets every two buffers apart): distinct buffers never
 * overlap, so the loop vectorizer needs no run-time overlap checks between
 * them. */
LLVMValueRef llvm_in_buffer(Gen *g, LLVMValueRef access, int b);
/* A local in the entry block, so that SROA promotes it to a register. */
LLVMValueRef llvm_local(Gen *g, LLVMTypeRef t, const char *name);
void llvm_memset0(Gen *g, LLVMValueRef p, LLVMValueRef floats);
void llvm_memcpy(Gen *g, LLVMValueRef dst, LLVMValueRef src, LLVMValueRef floats);

/* A counted loop `for (i = 0; i < n; i++)` over i64: open returns i and
 * leaves the builder in the body; close ends the body and continues after
 * the loop. */
typedef struct {
	LLVMBasicBlockRef head, exit;
	LLVMValueRef i;  /* the induction variable (a phi in head) */
} LLoop;
LLVMValueRef llvm_loop_open(Gen *g, LLoop *l, LLVMValueRef n, const char *name);
void llvm_loop_close(Gen *g, LLoop *l);

/* A Gen with a new module of k in ctx; llvm_gen_free frees all but the
 * module, which is the caller's. */
void llvm_gen_init(Gen *g, const Kir *k, const BackendOptions *opt, LLVMContextRef ctx);
void llvm_gen_free(Gen *g);

/* vmath.c: a call of runtime/vmath.h's function f on x, defined in the
 * module (internal, alwaysinline) on first use. */
typedef enum { VM_EXPF, VM_TANHF, VM_SIGMOIDF, VM_COUNT } VmFunc;
LLVMValueRef llvm_vmath_call(Gen *g, VmFunc f, LLVMValueRef x);

/* codegen.c: builds the whole module into g->mod. Returns 0, or -1 with
 * g->err set. */
int llvm_gen_module(Gen *g);

/* kernels.c: kernels [from, to) of list at the builder's position, in the
 * current function's buffer view; llvm_loop_body is one step t (i64) of a
 * time loop's body. */
void llvm_kernels(Gen *g, const KList *list, int from, int to);
void llvm_loop_body(Gen *g, const Kernel *loop, LLVMValueRef t);

/* rt.c */
typedef struct {
	const char *name;
	void (*addr)(void);
} LlvmRtSymbol;
extern const LlvmRtSymbol llvm_rt_symbols[];  /* NULL-terminated */
float llvm_rt_rng_normal(uint64_t seed, uint64_t stream, uint64_t index);
float llvm_rt_dropout_mask(const float *key, uint32_t site, uint64_t row, uint64_t t, uint64_t steps, uint64_t j,
			   uint64_t n, float p, float scale);
void llvm_rt_dropout_set_key(float *key, uint32_t seed, uint64_t step, uint64_t row0);
void llvm_rt_sgemm_portable(int trans_a, int trans_b, int m, int n, int k, float alpha, const float *a, int lda,
			    const float *b, int ldb, float beta, float *c, int ldc);

#endif
