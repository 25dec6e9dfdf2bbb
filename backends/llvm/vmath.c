/* vmath.c: spk_expf, spk_tanhf and spk_sigmoidf of runtime/vmath.h as LLVM
 * IR, line by line: the same constants and the same operations in the same
 * order, so that the JIT gives the bits of the emitted C. Each is an
 * internal, alwaysinline function of the module, defined on first use: once
 * inlined into a MAP loop it is straight-line code (selects, no branches, no
 * libm call) that the loop vectorizer of default<O2> vectorizes.
 *
 * requires: g->mod and g->b set up (builder.c). */
#include "llvm_private.h"

#define FADD(x, y) LLVMBuildFAdd(g->b, x, y, "")
#define FSUB(x, y) LLVMBuildFSub(g->b, x, y, "")
#define FMUL(x, y) LLVMBuildFMul(g->b, x, y, "")
#define FDIV(x, y) LLVMBuildFDiv(g->b, x, y, "")
#define F(v) llvm_f32(g, v)
#define U(v) LLVMConstInt(g->i32, v, 0)

static LLVMValueRef float_bits(Gen *g, LLVMValueRef x)
{
	return LLVMBuildBitCast(g->b, x, g->i32, "");
}

static LLVMValueRef bits_float(Gen *g, LLVMValueRef u)
{
	return LLVMBuildBitCast(g->b, u, g->f32, "");
}

/* C's `c ? x : y` on floats, with c an ordered comparison (false for NaN). */
static LLVMValueRef sel(Gen *g, LLVMRealPredicate p, LLVMValueRef a, LLVMValueRef b, LLVMValueRef x, LLVMValueRef y)
{
	return LLVMBuildSelect(g->b, LLVMBuildFCmp(g->b, p, a, b, ""), x, y, "");
}

static LLVMValueRef build_expf(Gen *g, LLVMValueRef x)
{
	x = sel(g, LLVMRealOLT, x, F(-104.0f), F(-104.0f), x);
	x = sel(g, LLVMRealOGT, x, F(89.0f), F(89.0f), x);
	LLVMValueRef k = FADD(FMUL(x, F(1.44269502f)), F(12582912.0f));
	LLVMValueRef n = FSUB(k, F(12582912.0f));
	LLVMValueRef r = FSUB(FSUB(x, FMUL(n, F(0.693359375f))), FMUL(n, F(-2.12194440e-4f)));
	LLVMValueRef p = FADD(FMUL(F(1.38146128e-3f), r), F(8.36871006e-3f));
	p = FADD(FMUL(p, r), F(4.16683890e-2f));
	p = FADD(FMUL(p, r), F(1.66665211e-1f));
	p = FADD(FMUL(p, r), F(4.99999940e-1f));
	LLVMValueRef y = FADD(FADD(FMUL(p, FMUL(r, r)), r), F(1.0f));
	LLVMValueRef m = LLVMBuildAdd(g->b, LLVMBuildSub(g->b, float_bits(g, k), U(0x4b400000u), ""), U(150), "");
	LLVMValueRef m1 = LLVMBuildLShr(g->b, m, U(1), "");
	LLVMValueRef s1 = bits_float(g, LLVMBuildShl(g->b, LLVMBuildAdd(g->b, m1, U(52), ""), U(23), ""));
	LLVMValueRef m2 = LLVMBuildAdd(g->b, LLVMBuildSub(g->b, m, m1, ""), U(52), "");
	LLVMValueRef s2 = bits_float(g, LLVMBuildShl(g->b, m2, U(23), ""));
	return FMUL(FMUL(y, s1), s2);
}

static LLVMValueRef build_tanhf(Gen *g, LLVMValueRef x)
{
	LLVMValueRef sign = LLVMBuildAnd(g->b, float_bits(g, x), U(0x80000000u), "");
	LLVMValueRef a = bits_float(g, LLVMBuildAnd(g->b, float_bits(g, x), U(0x7fffffffu), ""));
	LLVMValueRef z = FMUL(a, a);
	LLVMValueRef q = FADD(FMUL(F(-5.70498872745e-3f), z), F(2.06390887954e-2f));
	q = FADD(FMUL(q, z), F(-5.37397155531e-2f));
	q = FADD(FMUL(q, z), F(1.33314422036e-1f));
	q = FADD(FMUL(q, z), F(-3.33332819422e-1f));
	LLVMValueRef small = FADD(a, FMUL(a, FMUL(z, q)));
	LLVMValueRef e = llvm_vmath_call(g, VM_EXPF, FMUL(F(2.0f), a));
	LLVMValueRef large = FSUB(F(1.0f), FDIV(F(2.0f), FADD(e, F(1.0f))));
	LLVMValueRef t = sel(g, LLVMRealOLT, a, F(0.625f), small, large);
	return bits_float(g, LLVMBuildOr(g->b, float_bits(g, t), sign, ""));
}

static LLVMValueRef build_sigmoidf(Gen *g, LLVMValueRef x)
{
	LLVMValueRef e = llvm_vmath_call(g, VM_EXPF, bits_float(g, LLVMBuildOr(g->b, float_bits(g, x), U(0x80000000u), "")));
	LLVMValueRef d = FADD(F(1.0f), e);
	LLVMValueRef err = FSUB(e, FSUB(d, F(1.0f)));
	LLVMValueRef q = FDIV(sel(g, LLVMRealOLT, x, F(0.0f), e, F(1.0f)), d);
	LLVMValueRef inv = sel(g, LLVMRealOLT, x, F(0.0f), FSUB(F(1.0f), q), q);
	return FSUB(q, FMUL(FMUL(q, err), inv));
}

static const char *const vm_names[VM_COUNT] = {"spk_expf", "spk_tanhf", "spk_sigmoidf"};

/* Defines f in the module with its own builder, leaving g->b where it was. */
static LLVMValueRef define(Gen *g, VmFunc f, LLVMTypeRef type)
{
	LLVMValueRef fn = LLVMAddFunction(g->mod, vm_names[f], type);
	LLVMSetLinkage(fn, LLVMInternalLinkage);
	llvm_add_attr(g, fn, "alwaysinline");
	llvm_add_attr(g, fn, "nounwind");
	LLVMBuilderRef outer = g->b;
	g->b = LLVMCreateBuilderInContext(g->ctx);
	LLVMPositionBuilderAtEnd(g->b, LLVMAppendBasicBlockInContext(g->ctx, fn, "entry"));
	LLVMValueRef x = LLVMGetParam(fn, 0), y;
	switch (f) {
	case VM_EXPF: y = build_expf(g, x); break;
	case VM_TANHF: y = build_tanhf(g, x); break;
	default: y = build_sigmoidf(g, x); break;
	}
	LLVMBuildRet(g->b, y);
	LLVMDisposeBuilder(g->b);
	g->b = outer;
	return fn;
}

LLVMValueRef llvm_vmath_call(Gen *g, VmFunc f, LLVMValueRef x)
{
	LLVMTypeRef type = LLVMFunctionType(g->f32, &g->f32, 1, 0);
	LLVMValueRef fn = LLVMGetNamedFunction(g->mod, vm_names[f]);
	if (!fn)
		fn = define(g, f, type);
	return LLVMBuildCall2(g->b, type, fn, &x, 1, "");
}
