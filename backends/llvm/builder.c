/* builder.c: the small pieces codegen.c and kernels.c build with:
 * constants, element access, locals, memset/memcpy, counted loops, calls to
 * the runtime functions, and the Gen life cycle. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <llvm-c/DebugInfo.h>
#include "llvm_private.h"

void llvm_gen_error(Gen *g, const char *fmt, ...)
{
	if (g->err[0])
		return;
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	snprintf(g->err, sizeof g->err, "internal error: LLVM backend, %s, kernel %d: %s",
		 g->fn_name ? g->fn_name : "module", g->kernel, msg);
}

/* ---- values and memory ------------------------------------------------------ */

LLVMValueRef llvm_f32(Gen *g, float v)
{
	return LLVMConstReal(g->f32, (double)v);
}

LLVMValueRef llvm_f64(Gen *g, double v)
{
	return LLVMConstReal(g->f64, v);
}

LLVMValueRef llvm_i32(Gen *g, long v)
{
	return LLVMConstInt(g->i32, (unsigned long long)v, 1);
}

LLVMValueRef llvm_i64(Gen *g, long v)
{
	return LLVMConstInt(g->i64, (unsigned long long)v, 1);
}

static LLVMTypeRef elem_type(LLVMValueRef p)
{
	return LLVMGetElementType(LLVMTypeOf(p));
}

LLVMValueRef llvm_elem(Gen *g, LLVMValueRef p, LLVMValueRef i)
{
	return LLVMBuildInBoundsGEP2(g->b, elem_type(p), p, &i, 1, "");
}

LLVMValueRef llvm_load(Gen *g, LLVMValueRef p, LLVMValueRef i)
{
	LLVMValueRef v = LLVMBuildLoad2(g->b, elem_type(p), llvm_elem(g, p, i), "");
	LLVMSetAlignment(v, 4);
	return v;
}

LLVMValueRef llvm_store(Gen *g, LLVMValueRef v, LLVMValueRef p, LLVMValueRef i)
{
	LLVMValueRef st = LLVMBuildStore(g->b, v, llvm_elem(g, p, i));
	LLVMSetAlignment(st, 4);
	return st;
}

/* ---- alias scopes ---------------------------------------------------------- */

/* A node whose first operand is itself, then ops (n <= 2): how alias
 * scopes and their domain are made distinct. */
static LLVMMetadataRef self_node(Gen *g, LLVMMetadataRef *ops, unsigned n)
{
	LLVMMetadataRef all[3];
	all[0] = LLVMTemporaryMDNode(g->ctx, NULL, 0);
	for (unsigned i = 0; i < n; i++)
		all[i + 1] = ops[i];
	LLVMMetadataRef node = LLVMMDNodeInContext2(g->ctx, all, n + 1);
	LLVMMetadataReplaceAllUsesWith(all[0], node);
	return node;
}

/* Buffer b's accesses alias none of another buffer's, told in bits: per
 * bit k of a buffer's index, a domain with two scopes, 0 and 1; b's accesses
 * are in scope bit k of b of every domain and alias none of the scopes of
 * the other bit. Two buffers differ in some bit, whose domain keeps them
 * apart; a buffer's own accesses share every scope. The same answers as a
 * scope per buffer that aliases every other, in metadata of log2(buffers)
 * scopes per access instead of one per buffer. */
enum { SCOPE_BITS = 31 };

static void make_scopes(Gen *g)
{
	int n = g->k->bufs.len, bits = 1;
	while (bits < SCOPE_BITS && (1 << bits) < n)
		bits++;
	LLVMMetadataRef scope[SCOPE_BITS][2], in[SCOPE_BITS], out[SCOPE_BITS];
	for (int k = 0; k < bits; k++) {
		char id[32];
		int len = snprintf(id, sizeof id, "spikec buffers, bit %d", k);
		LLVMMetadataRef name = LLVMMDStringInContext2(g->ctx, id, (size_t)len);
		LLVMMetadataRef domain = self_node(g, &name, 1);
		for (int v = 0; v < 2; v++) {
			len = snprintf(id, sizeof id, "bit %d = %d", k, v);
			LLVMMetadataRef ops[2] = {domain, LLVMMDStringInContext2(g->ctx, id, (size_t)len)};
			scope[k][v] = self_node(g, ops, 2);
		}
	}
	g->scope = xcalloc((size_t)n + 1, sizeof *g->scope);
	g->noalias = xcalloc((size_t)n + 1, sizeof *g->noalias);
	for (int b = 0; b < n; b++) {
		for (int k = 0; k < bits; k++) {
			in[k] = scope[k][(b >> k) & 1];
			out[k] = scope[k][!((b >> k) & 1)];
		}
		g->scope[b] = LLVMMetadataAsValue(g->ctx, LLVMMDNodeInContext2(g->ctx, in, (size_t)bits));
		g->noalias[b] = LLVMMetadataAsValue(g->ctx, LLVMMDNodeInContext2(g->ctx, out, (size_t)bits));
	}
}

LLVMValueRef llvm_in_buffer(Gen *g, LLVMValueRef access, int b)
{
	if (!g->scope)
		make_scopes(g);
	LLVMSetMetadata(access, LLVMGetMDKindIDInContext(g->ctx, "alias.scope", 11), g->scope[b]);
	LLVMSetMetadata(access, LLVMGetMDKindIDInContext(g->ctx, "noalias", 7), g->noalias[b]);
	return access;
}

LLVMValueRef llvm_local(Gen *g, LLVMTypeRef t, const char *name)
{
	LLVMBuilderRef eb = LLVMCreateBuilderInContext(g->ctx);
	LLVMBasicBlockRef entry = LLVMGetEntryBasicBlock(g->fn);
	LLVMValueRef first = LLVMGetFirstInstruction(entry);
	if (first)
		LLVMPositionBuilderBefore(eb, first);
	else
		LLVMPositionBuilderAtEnd(eb, entry);
	LLVMValueRef a = LLVMBuildAlloca(eb, t, name);
	LLVMDisposeBuilder(eb);
	return a;
}

static LLVMValueRef bytes(Gen *g, LLVMValueRef floats)
{
	return LLVMBuildMul(g->b, floats, llvm_i64(g, (long)sizeof(float)), "");
}

void llvm_memset0(Gen *g, LLVMValueRef p, LLVMValueRef floats)
{
	LLVMBuildMemSet(g->b, p, LLVMConstInt(g->i8, 0, 0), bytes(g, floats), 4);
}

void llvm_memcpy(Gen *g, LLVMValueRef dst, LLVMValueRef src, LLVMValueRef floats)
{
	LLVMBuildMemCpy(g->b, dst, 4, src, 4, bytes(g, floats));
}

/* Blocks are named after the kernel that builds them ("k3.map.j.head"), so
 * that a verifier message or SPIKEC_LLVM_DUMP points at the kernel. */
LLVMValueRef llvm_loop_open(Gen *g, LLoop *l, LLVMValueRef n, const char *name)
{
	LLVMBasicBlockRef pre = LLVMGetInsertBlock(g->b);
	char base[64], nm[80];
	if (g->kernel >= 0)
		snprintf(base, sizeof base, "k%d.%s", g->kernel, name);
	else
		snprintf(base, sizeof base, "%s", name);
	snprintf(nm, sizeof nm, "%s.head", base);
	l->head = LLVMAppendBasicBlockInContext(g->ctx, g->fn, nm);
	snprintf(nm, sizeof nm, "%s.body", base);
	LLVMBasicBlockRef body = LLVMAppendBasicBlockInContext(g->ctx, g->fn, nm);
	snprintf(nm, sizeof nm, "%s.exit", base);
	l->exit = LLVMAppendBasicBlockInContext(g->ctx, g->fn, nm);
	LLVMBuildBr(g->b, l->head);
	LLVMPositionBuilderAtEnd(g->b, l->head);
	l->i = LLVMBuildPhi(g->b, g->i64, base);
	LLVMValueRef zero = llvm_i64(g, 0);
	LLVMAddIncoming(l->i, &zero, &pre, 1);
	LLVMBuildCondBr(g->b, LLVMBuildICmp(g->b, LLVMIntSLT, l->i, n, ""), body, l->exit);
	LLVMPositionBuilderAtEnd(g->b, body);
	return l->i;
}

void llvm_loop_close(Gen *g, LLoop *l)
{
	LLVMValueRef next = LLVMBuildNSWAdd(g->b, l->i, llvm_i64(g, 1), "");
	LLVMBasicBlockRef latch = LLVMGetInsertBlock(g->b);
	LLVMAddIncoming(l->i, &next, &latch, 1);
	LLVMBuildBr(g->b, l->head);
	LLVMPositionBuilderAtEnd(g->b, l->exit);
}

/* ---- runtime functions --------------------------------------------------- */

static const char *const rt_names[RT_COUNT] = {
	"erff", "atanf", "fabsf", "sqrtf", "fmaxf", "fminf", "exp", "log", "sqrt", "pow",
	"cblas_sgemm", "llvm_rt_sgemm_portable", "llvm_rt_rng_normal", "llvm_rt_events_xwt",
	"llvm_rt_events_outer", "llvm_rt_bits_pack", "llvm_rt_bits_unpack", "llvm_rt_events_xwt_q8",
	"llvm_rt_dropout_mask", "llvm_rt_dropout_set_key"};

static LLVMTypeRef rt_sig(Gen *g, RtFunc f)
{
	LLVMTypeRef p[14];
	switch (f) {
	case RT_FMAXF: case RT_FMINF:
		p[0] = p[1] = g->f32;
		return LLVMFunctionType(g->f32, p, 2, 0);
	case RT_EXP: case RT_LOG: case RT_SQRT:
		return LLVMFunctionType(g->f64, &g->f64, 1, 0);
	case RT_POW:
		p[0] = p[1] = g->f64;
		return LLVMFunctionType(g->f64, p, 2, 0);
	case RT_SGEMM: case RT_SGEMM_PORTABLE: {
		/* cblas: (order,) transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc */
		int n = 0;
		if (f == RT_SGEMM)
			p[n++] = g->i32;
		for (int i = 0; i < 5; i++)
			p[n++] = g->i32;
		p[n++] = g->f32, p[n++] = g->pf32, p[n++] = g->i32, p[n++] = g->pf32, p[n++] = g->i32;
		p[n++] = g->f32, p[n++] = g->pf32, p[n++] = g->i32;
		return LLVMFunctionType(g->vd, p, (unsigned)n, 0);
	}
	case RT_RNG_NORMAL:
		p[0] = p[1] = p[2] = g->i64;
		return LLVMFunctionType(g->f32, p, 3, 0);
	case RT_EVENTS_XWT: case RT_EVENTS_OUTER:  /* rows, m, k, a, b, out, beta */
		p[0] = p[1] = p[2] = g->i32;
		p[3] = p[4] = p[5] = g->pf32;
		p[6] = g->f32;
		return LLVMFunctionType(f == RT_EVENTS_XWT ? g->vd : g->i32, p, 7, 0);
	case RT_EVENTS_XWT_Q8:  /* rows, m, k, xf, xi, wt, out, accumulate */
		p[0] = p[1] = p[2] = g->i32;
		p[3] = g->pf32, p[4] = g->pi32, p[5] = g->pi8, p[6] = g->pi32, p[7] = g->i32;
		return LLVMFunctionType(g->vd, p, 8, 0);
	case RT_DROPOUT_MASK:  /* key, site, row, t, steps, j, n, p, scale */
		p[0] = g->pf32, p[1] = g->i32;
		for (int i = 2; i < 7; i++)
			p[i] = g->i64;
		p[7] = p[8] = g->f32;
		return LLVMFunctionType(g->f32, p, 9, 0);
	case RT_DROPOUT_KEY:  /* key, seed, step, row0 */
		p[0] = g->pf32, p[1] = g->i32, p[2] = p[3] = g->i64;
		return LLVMFunctionType(g->vd, p, 4, 0);
	case RT_BITS_PACK: case RT_BITS_UNPACK:  /* rows, n, from, to */
		p[0] = p[1] = g->i32;
		p[2] = p[3] = g->pf32;
		return LLVMFunctionType(g->vd, p, 4, 0);
	default:
		return LLVMFunctionType(g->f32, &g->f32, 1, 0);
	}
}

void llvm_add_attr(Gen *g, LLVMValueRef fn, const char *name)
{
	unsigned kind = LLVMGetEnumAttributeKindForName(name, strlen(name));
	LLVMAddAttributeAtIndex(fn, LLVMAttributeFunctionIndex, LLVMCreateEnumAttribute(g->ctx, kind, 0));
}

/* Calls are plain libm calls, as in the emitted C: no intrinsics, no
 * fast-math flags, so LLVM may only do what is exact (as gcc does). */
LLVMValueRef llvm_rt_call(Gen *g, RtFunc f, LLVMValueRef *args, unsigned n)
{
	if (!g->rt[f]) {
		g->rt_type[f] = rt_sig(g, f);
		g->rt[f] = LLVMAddFunction(g->mod, rt_names[f], g->rt_type[f]);
		llvm_add_attr(g, g->rt[f], "nounwind");
	}
	return LLVMBuildCall2(g->b, g->rt_type[f], g->rt[f], args, n, "");
}

/* ---- Gen ----------------------------------------------------------------- */

void llvm_gen_init(Gen *g, const Kir *k, const BackendOptions *opt, LLVMContextRef ctx)
{
	memset(g, 0, sizeof *g);
	g->k = k;
	g->opt = opt;
	g->ctx = ctx;
	g->mod = LLVMModuleCreateWithNameInContext(k->model, ctx);
	g->b = LLVMCreateBuilderInContext(ctx);
	g->f32 = LLVMFloatTypeInContext(ctx);
	g->f64 = LLVMDoubleTypeInContext(ctx);
	g->i8 = LLVMInt8TypeInContext(ctx);
	g->i32 = LLVMInt32TypeInContext(ctx);
	g->i64 = LLVMInt64TypeInContext(ctx);
	g->vd = LLVMVoidTypeInContext(ctx);
	g->pf32 = LLVMPointerType(g->f32, 0);
	g->pi8 = LLVMPointerType(g->i8, 0);
	g->pi32 = LLVMPointerType(g->i32, 0);
	g->base = xcalloc((size_t)k->bufs.len + 1, sizeof *g->base);
	g->view = xcalloc((size_t)k->bufs.len + 1, sizeof *g->view);
}

/* Frees the builder and the bookkeeping; the module is the caller's. */
void llvm_gen_free(Gen *g)
{
	if (g->b)
		LLVMDisposeBuilder(g->b);
	free(g->base);
	free(g->view);
	free(g->scope);
	free(g->noalias);
	g->b = NULL;
	g->base = g->view = g->scope = g->noalias = NULL;
}
