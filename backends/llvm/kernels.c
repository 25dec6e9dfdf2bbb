/* kernels.c: one builder per kernel kind, each the LLVM twin of its C in
 * backends/c/emit_kernels.c: the same loops, the same index arithmetic, the
 * same float operations in the same order (C's operator precedence and
 * promotions spelled out), the same libm and BLAS calls, and exp, tanh and
 * sigmoid as runtime/vmath.h's (vmath.c). Changing one side
 * without the other breaks tests/llvm (bit-for-bit parity).
 *
 * requires: g->base set up for the function being built (codegen.c). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "llvm_private.h"

#define FADD(x, y) LLVMBuildFAdd(g->b, x, y, "")
#define FSUB(x, y) LLVMBuildFSub(g->b, x, y, "")
#define FMUL(x, y) LLVMBuildFMul(g->b, x, y, "")
#define FDIV(x, y) LLVMBuildFDiv(g->b, x, y, "")
#define IMUL(x, y) LLVMBuildMul(g->b, x, y, "")
#define IADD(x, y) LLVMBuildAdd(g->b, x, y, "")
#define F(v) llvm_f32(g, v)
#define I64(v) llvm_i64(g, v)

static const double PI = 3.14159265358979323846;

static const KBuf *B(Gen *g, int b)
{
	return &g->k->bufs.items[b];
}

/* A buffer as a pointer: inside a loop body a timed buffer is its step-t
 * view (ref() in emit_kernels.c). */
static LLVMValueRef ref(Gen *g, int b)
{
	const KBuf *kb = B(g, b);
	LLVMValueRef p = g->in_loop && kb->type.timed && kb->cls != KB_PARAM ? g->view[b] : g->base[b];
	if (!p) {
		llvm_gen_error(g, "buffer '%s' is not visible in this function", kb->name);
		return LLVMConstNull(g->pf32);
	}
	return p;
}

/* Rows of a buffer here: 1, batch, or T * batch outside a loop. */
static LLVMValueRef rows(Gen *g, int b)
{
	const KBuf *kb = B(g, b);
	if (!kb->type.batched)
		return I64(1);
	return kb->type.timed && !g->in_loop ? IMUL(I64(g->k->steps), g->batch) : g->batch;
}

static LLVMValueRef call1(Gen *g, RtFunc f, LLVMValueRef x)
{
	return llvm_rt_call(g, f, &x, 1);
}

static LLVMValueRef call2(Gen *g, RtFunc f, LLVMValueRef x, LLVMValueRef y)
{
	LLVMValueRef a[2] = {x, y};
	return llvm_rt_call(g, f, a, 2);
}

/* ---- MAP ------------------------------------------------------------------ */

typedef struct {
	const Kernel *m;
	LLVMValueRef b, j;      /* row and feature of this iteration */
	LLVMValueRef *val;      /* non-inlined lets, once computed */
	const unsigned char *inlined;  /* kir_inlined_lets */
} MapCtx;

/* Element j + off of row b of buffer buf (of the vector, if unbatched). */
static LLVMValueRef at(Gen *g, MapCtx *c, int buf, int off)
{
	LLVMValueRef i = IADD(I64(off), c->j);
	if (B(g, buf)->type.batched && c->m->batched)
		i = IADD(IMUL(c->b, I64(B(g, buf)->type.dim[0])), i);
	return i;
}

static LLVMValueRef expr(Gen *g, MapCtx *c, int let);

/* An operand; a constant is an int32 in an int32 let (kir_quant.h). */
static LLVMValueRef operand_of(Gen *g, MapCtx *c, KVal v, int integer)
{
	if (v.kind == KV_CONST)
		return integer ? llvm_i32(g, (long)v.c) : F(v.c);
	if (v.kind == KV_LOAD)
		return llvm_in_buffer(g, llvm_load(g, ref(g, v.buf), at(g, c, v.buf, v.off)), v.buf);
	if (c->inlined[v.let])
		return expr(g, c, v.let);
	if (!c->val[v.let]) {
		llvm_gen_error(g, "let '%s' used before it is computed", c->m->lets.items[v.let].name);
		return F(0);
	}
	return c->val[v.let];
}

static int is_i32(Gen *g, LLVMValueRef v)
{
	return LLVMTypeOf(v) == g->i32;
}

/* As a float: an int32 converted, as C's usual arithmetic conversions do. */
static LLVMValueRef as_f32(Gen *g, LLVMValueRef v)
{
	return is_i32(g, v) ? LLVMBuildSIToFP(g->b, v, g->f32, "") : v;
}

static LLVMValueRef operand(Gen *g, MapCtx *c, KVal v)
{
	return as_f32(g, operand_of(g, c, v, 0));
}

static LLVMValueRef spike(Gen *g, LLVMValueRef v)
{
	return LLVMBuildSelect(g->b, LLVMBuildFCmp(g->b, LLVMRealOGT, v, F(0), ""), F(1), F(0), "");
}

/* psi(v) exactly as surrogate() in emit_kernels.c prints it. */
static LLVMValueRef surrogate(Gen *g, const KLet *l, LLVMValueRef x)
{
	float a = l->sur.p[0], b = l->sur.p[1];
	switch (l->sur.kind) {
	case SUR_GAUSSIAN:  /* b * spk_expf(-x * x / (2a)) */
		return FMUL(F(b), llvm_vmath_call(g, VM_EXPF, FDIV(FMUL(LLVMBuildFNeg(g->b, x, ""), x), F(2 * a))));
	case SUR_FAST_SIGMOID: {  /* 1 / ((1 + a |x|) * (1 + a |x|)) */
		LLVMValueRef d1 = FADD(F(1), FMUL(F(a), call1(g, RT_FABSF, x)));
		LLVMValueRef d2 = FADD(F(1), FMUL(F(a), call1(g, RT_FABSF, x)));
		return FDIV(F(1), FMUL(d1, d2));
	}
	case SUR_ATAN: {  /* (a/2) / (1 + c * x * c * x), c = pi/2 a */
		float k = (float)(PI / 2 * a);
		return FDIV(F(a / 2), FADD(F(1), FMUL(FMUL(FMUL(F(k), x), F(k)), x)));
	}
	case SUR_SIGMOID: {  /* a / (1 + spk_expf(-a * x)) * (1 - 1 / (1 + spk_expf(-a * x))) */
		LLVMValueRef e1 = llvm_vmath_call(g, VM_EXPF, FMUL(F(-a), x));
		LLVMValueRef e2 = llvm_vmath_call(g, VM_EXPF, FMUL(F(-a), x));
		return FMUL(FDIV(F(a), FADD(F(1), e1)), FSUB(F(1), FDIV(F(1), FADD(F(1), e2))));
	}
	case SUR_TRIANGLE:  /* fmaxf(0, 1 - |x| / a) / a */
		return FDIV(call2(g, RT_FMAXF, F(0), FSUB(F(1), FDIV(call1(g, RT_FABSF, x), F(a)))), F(a));
	case SUR_RECT:  /* |x| < a/2 ? 1/a : 0 */
		return LLVMBuildSelect(g->b, LLVMBuildFCmp(g->b, LLVMRealOLT, call1(g, RT_FABSF, x), F(a / 2), ""),
				       F(1 / a), F(0), "");
	case SUR_STRAIGHT_THROUGH:
		return F(1);
	case SUR_COUNT:
		break;
	}
	llvm_gen_error(g, "bad surrogate %d", (int)l->sur.kind);
	return F(0);
}

/* The primitive of psi (smooth-spikes test mode), as primitive() in
 * emit_kernels.c. */
static LLVMValueRef primitive(Gen *g, const KLet *l, LLVMValueRef x)
{
	float a = l->sur.p[0], b = l->sur.p[1];
	switch (l->sur.kind) {
	case SUR_GAUSSIAN: {
		float c1 = (float)(b * sqrt(2 * PI * a) / 2), c2 = (float)sqrt(2 * a);
		return FMUL(F(c1), FADD(F(1), call1(g, RT_ERFF, FDIV(x, F(c2)))));
	}
	case SUR_FAST_SIGMOID:
		return FDIV(x, FADD(F(1), FMUL(F(a), call1(g, RT_FABSF, x))));
	case SUR_ATAN:
		return FDIV(call1(g, RT_ATANF, FMUL(F((float)(PI / 2 * a)), x)), F((float)PI));
	case SUR_SIGMOID:
		return FDIV(F(1), FADD(F(1), llvm_vmath_call(g, VM_EXPF, FMUL(F(-a), x))));
	case SUR_TRIANGLE: {
		LLVMValueRef in = LLVMBuildFCmp(g->b, LLVMRealOLT, call1(g, RT_FABSF, x), F(a), "");
		LLVMValueRef ramp = FMUL(FDIV(x, F(a)), FSUB(F(1), FDIV(call1(g, RT_FABSF, x), F(2 * a))));
		LLVMValueRef side = LLVMBuildSelect(g->b, LLVMBuildFCmp(g->b, LLVMRealOGT, x, F(0), ""), F(0.5f), F(-0.5f), "");
		return LLVMBuildSelect(g->b, in, ramp, side, "");
	}
	case SUR_RECT:
		return call2(g, RT_FMAXF, F(-0.5f), call2(g, RT_FMINF, F(0.5f), FDIV(x, F(a))));
	case SUR_STRAIGHT_THROUGH:
		return x;
	case SUR_COUNT:
		break;
	}
	llvm_gen_error(g, "bad surrogate %d", (int)l->sur.kind);
	return F(0);
}

/* An int32 let: integer arithmetic, a spike an integer compare (or, of a
 * float, a float one) giving 0 or 1. */
static LLVMValueRef int_expr(Gen *g, MapCtx *c, const KLet *l)
{
	LLVMValueRef a = operand_of(g, c, l->a, 1);
	switch (l->op) {
	case OP_ADD:
		if (l->b.kind == KV_CONST && l->b.c == 0)
			return a;
		return LLVMBuildAdd(g->b, a, operand_of(g, c, l->b, 1), "");
	case OP_SUB: return LLVMBuildSub(g->b, a, operand_of(g, c, l->b, 1), "");
	case OP_MUL: return LLVMBuildMul(g->b, a, operand_of(g, c, l->b, 1), "");
	case OP_SPIKE: {
		LLVMValueRef on = is_i32(g, a) ? LLVMBuildICmp(g->b, LLVMIntSGT, a, llvm_i32(g, 0), "")
					       : LLVMBuildFCmp(g->b, LLVMRealOGT, a, F(0), "");
		return LLVMBuildZExt(g->b, on, g->i32, "");
	}
	default:
		llvm_gen_error(g, "no integer LLVM translation for op %s", ir_ops[l->op].name);
		return llvm_i32(g, 0);
	}
}

/* x * spk_dropout_mask(...) at this element's row and step, as dropout()
 * in emit_kernels.c. */
static LLVMValueRef dropout(Gen *g, MapCtx *c, const KLet *l, LLVMValueRef x)
{
	const Node *n = &g->k->g->nodes.items[l->node];
	LLVMValueRef row = c->b, t = g->in_loop ? g->t : I64(0);
	if (c->m->batched == 2) {
		row = LLVMBuildSRem(g->b, c->b, g->batch, "");
		t = LLVMBuildSDiv(g->b, c->b, g->batch, "");
	}
	LLVMValueRef a[9] = {ref(g, l->b.buf), llvm_i32(g, n->a.drop.site), row, t, I64(g->k->steps),
			     IADD(I64(l->off), c->j), I64(n->type.dim[0]), F(n->a.drop.p),
			     F(ir_dropout_scale(n->a.drop.p))};
	return FMUL(x, llvm_rt_call(g, RT_DROPOUT_MASK, a, 9));
}

static LLVMValueRef expr(Gen *g, MapCtx *c, int let)
{
	const KLet *l = &c->m->lets.items[let];
	if (l->integer)
		return int_expr(g, c, l);
	LLVMValueRef a = operand(g, c, l->a);
	switch (l->op) {
	case OP_ADD:
		if (l->b.kind == KV_CONST && l->b.c == 0)  /* a copy: no `+ 0.0f` (it would turn -0 into +0) */
			return a;
		return FADD(a, operand(g, c, l->b));
	case OP_SUB: return FSUB(a, operand(g, c, l->b));
	case OP_MUL: return FMUL(a, operand(g, c, l->b));
	case OP_DIV: return FDIV(a, operand(g, c, l->b));
	case OP_NEG: return LLVMBuildFNeg(g->b, a, "");
	case OP_SPIKE: return g->opt->smooth_spikes ? primitive(g, l, a) : spike(g, a);
	case OP_SIGMOID: return llvm_vmath_call(g, VM_SIGMOIDF, a);
	case OP_TANH: return llvm_vmath_call(g, VM_TANHF, a);
	case OP_SURROGATE: return surrogate(g, l, a);
	case OP_DEQUANT: return FMUL(a, operand(g, c, l->b));  /* (float)acc * scale */
	case OP_DROPOUT: return dropout(g, c, l, a);
	default:
		llvm_gen_error(g, "no LLVM translation for op %s", ir_ops[l->op].name);
		return F(0);
	}
}

/* A counting store (backend_counts_spikes) adds into an int local per row,
 * added to the float total after the row, as emit_map does. */
static void build_map(Gen *g, const Kernel *m)
{
	unsigned char *live = kir_live_lets(m), *inlined = kir_inlined_lets(m);
	MapCtx c = {m, I64(0), NULL, xcalloc((size_t)m->lets.len + 1, sizeof(LLVMValueRef)), inlined};
	int counts = backend_counts_spikes(g->k, m, g->opt);
	LLVMValueRef *count = xcalloc((size_t)m->stores.len + 1, sizeof(LLVMValueRef));
	LLoop lb, lj;
	if (m->batched)
		c.b = llvm_loop_open(g, &lb, m->batched == 2 ? IMUL(I64(g->k->steps), g->batch) : g->batch, "map.b");
	for (int i = 0; counts && i < m->stores.len; i++)
		if (m->stores.items[i].reduce) {
			count[i] = llvm_local(g, g->i32, "count");
			LLVMBuildStore(g->b, llvm_i32(g, 0), count[i]);
		}
	c.j = llvm_loop_open(g, &lj, I64(m->n), "map.j");
	for (int i = 0; i < m->lets.len; i++)
		if (live[i] && !inlined[i])
			c.val[i] = expr(g, &c, i);
	for (int i = 0; i < m->stores.len; i++) {
		const KStore *s = &m->stores.items[i];
		LLVMValueRef v = inlined[s->let] ? expr(g, &c, s->let) : c.val[s->let];
		if (!v) {
			llvm_gen_error(g, "store of an uncomputed let");
			break;
		}
		if (count[i]) {
			LLVMValueRef n = LLVMBuildLoad2(g->b, g->i32, count[i], "");
			LLVMBuildStore(g->b, LLVMBuildAdd(g->b, n, LLVMBuildFPToSI(g->b, v, g->i32, ""), ""), count[i]);
			continue;
		}
		LLVMValueRef p = ref(g, s->buf), idx = s->reduce ? I64(s->off) : at(g, &c, s->buf, s->off);
		int into_int = B(g, s->buf)->elem == KE_I32;
		if (!into_int)
			v = as_f32(g, v);
		if (s->accumulate) {
			LLVMValueRef old = llvm_in_buffer(g, llvm_load(g, p, idx), s->buf);
			v = into_int ? LLVMBuildAdd(g->b, old, v, "") : FADD(old, v);
		}
		llvm_in_buffer(g, llvm_store(g, v, p, idx), s->buf);
	}
	llvm_loop_close(g, &lj);
	for (int i = 0; i < m->stores.len; i++)
		if (count[i]) {
			const KStore *s = &m->stores.items[i];
			LLVMValueRef p = ref(g, s->buf), idx = I64(s->off);
			LLVMValueRef n = LLVMBuildSIToFP(g->b, LLVMBuildLoad2(g->b, g->i32, count[i], ""), g->f32, "");
			llvm_in_buffer(g, llvm_store(g, FADD(llvm_in_buffer(g, llvm_load(g, p, idx), s->buf), n), p, idx),
				       s->buf);
		}
	if (m->batched)
		llvm_loop_close(g, &lb);
	free(count);
	free(c.val);
	free(live);
	free(inlined);
}

/* ---- GEMM, SUM_ROWS, losses ------------------------------------------------ */

enum { CBLAS_ROW_MAJOR = 101, CBLAS_NO_TRANS = 111, CBLAS_TRANS = 112 };

/* matmul_xwt / matmul_dw / matmul_outer (and their _spikes variants) of
 * the emitted C, inlined: weights stored transposed, W (m, k) as (k, m). A
 * _spikes product calls the event kernel, the same code the emitted C pastes
 * in; the gradient's runs the GEMM when that declines. */
static void build_gemm(Gen *g, const Kernel *kn)
{
	const KBuf *w = B(g, kn->gemm == GEMM_OUTER ? kn->out : kn->b);
	LLVMValueRef r = LLVMBuildTrunc(g->b, rows(g, kn->a), g->i32, "rows");
	LLVMValueRef m = llvm_i32(g, w->type.dim[0]), k = llvm_i32(g, w->type.dim[1]);
	LLVMValueRef x = ref(g, kn->a), y = ref(g, kn->b), out = ref(g, kn->out);
	LLVMValueRef beta = F(kn->accumulate ? 1.0f : 0.0f), one = F(1);
	LLVMBasicBlockRef done = NULL;
	if (kn->q8) {  /* x is the caller's float spikes or int32 ones */
		int fx = B(g, kn->a)->elem == KE_F32;
		LLVMValueRef q[8] = {r, m, k, fx ? x : LLVMConstNull(g->pf32), fx ? LLVMConstNull(g->pi32) : x, y, out,
				     llvm_i32(g, kn->accumulate)};
		llvm_rt_call(g, RT_EVENTS_XWT_Q8, q, 8);
		return;
	}
	if (backend_gemm_events(kn, g->opt)) {
		LLVMValueRef ev[7] = {r, m, k, x, y, out, beta};
		if (kn->gemm == GEMM_XWT) {
			llvm_rt_call(g, RT_EVENTS_XWT, ev, 7);
			return;
		}
		LLVMValueRef took = llvm_rt_call(g, RT_EVENTS_OUTER, ev, 7);
		LLVMValueRef fn = LLVMGetBasicBlockParent(LLVMGetInsertBlock(g->b));
		LLVMBasicBlockRef dense = LLVMAppendBasicBlockInContext(g->ctx, fn, "dense");
		done = LLVMAppendBasicBlockInContext(g->ctx, fn, "events.done");
		LLVMBuildCondBr(g->b, LLVMBuildICmp(g->b, LLVMIntEQ, took, llvm_i32(g, 0), ""), dense, done);
		LLVMPositionBuilderAtEnd(g->b, dense);
	}
	int ta, tb;
	LLVMValueRef M, N, K, A, lda, Bm, ldb, ldc;
	switch (kn->gemm) {
	case GEMM_XWT: ta = 0, tb = 0, M = r, N = m, K = k, A = x, lda = k, Bm = y, ldb = m, ldc = m; break;
	case GEMM_DW: ta = 0, tb = 1, M = r, N = k, K = m, A = x, lda = m, Bm = y, ldb = m, ldc = k; break;
	default: ta = 1, tb = 0, M = k, N = m, K = r, A = y, lda = k, Bm = x, ldb = m, ldc = m; break;
	}
	LLVMValueRef a[14];
	unsigned n = 0;
	int portable = g->opt->portable;
	if (!portable)
		a[n++] = llvm_i32(g, CBLAS_ROW_MAJOR);
	a[n++] = llvm_i32(g, portable ? ta : ta ? CBLAS_TRANS : CBLAS_NO_TRANS);
	a[n++] = llvm_i32(g, portable ? tb : tb ? CBLAS_TRANS : CBLAS_NO_TRANS);
	a[n++] = M, a[n++] = N, a[n++] = K, a[n++] = one, a[n++] = A, a[n++] = lda, a[n++] = Bm, a[n++] = ldb;
	a[n++] = beta, a[n++] = out, a[n++] = ldc;
	llvm_rt_call(g, portable ? RT_SGEMM_PORTABLE : RT_SGEMM, a, n);
	if (done) {
		LLVMBuildBr(g->b, done);
		LLVMPositionBuilderAtEnd(g->b, done);
	}
}

static void build_sum_rows(Gen *g, const Kernel *kn)
{
	int n = B(g, kn->a)->type.dim[0];
	LLVMValueRef out = ref(g, kn->out), a = ref(g, kn->a);
	if (!kn->accumulate)
		llvm_memset0(g, out, I64(n));
	LLoop lr, lj;
	LLVMValueRef r = llvm_loop_open(g, &lr, rows(g, kn->a), "sum.r");
	LLVMValueRef j = llvm_loop_open(g, &lj, I64(n), "sum.j");
	LLVMValueRef v = llvm_load(g, a, IADD(IMUL(r, I64(n)), j));
	llvm_store(g, FADD(llvm_load(g, out, j), v), out, j);
	llvm_loop_close(g, &lj);
	llvm_loop_close(g, &lr);
}

/* gather and scatter, as emit_embed in emit_kernels.c. */
static void build_embed(Gen *g, const Kernel *kn)
{
	int gather = kn->kind == K_GATHER;
	const KBuf *table = B(g, gather ? kn->b : kn->out);
	long V = table->type.dim[0], n = table->type.dim[1];
	LLVMValueRef out = ref(g, kn->out), a = ref(g, kn->a), b = ref(g, kn->b);
	if (!gather && !kn->accumulate)
		llvm_memset0(g, out, I64(V * n));
	LLoop lr, lj;
	LLVMValueRef r = llvm_loop_open(g, &lr, rows(g, kn->a), gather ? "gather.r" : "scatter.r");
	LLVMValueRef id = LLVMBuildSExt(g->b, LLVMBuildFPToSI(g->b, llvm_load(g, gather ? a : b, r), g->i32, ""),
					g->i64, "id");
	LLVMValueRef j = llvm_loop_open(g, &lj, I64(n), gather ? "gather.j" : "scatter.j");
	LLVMValueRef row = IADD(IMUL(r, I64(n)), j), col = IADD(IMUL(j, I64(V)), id);
	if (gather)
		llvm_store(g, llvm_load(g, b, col), out, row);
	else
		llvm_store(g, FADD(llvm_load(g, out, col), llvm_load(g, a, row)), out, col);
	llvm_loop_close(g, &lj);
	llvm_loop_close(g, &lr);
}

static LLVMValueRef to_f64(Gen *g, LLVMValueRef f)
{
	return LLVMBuildFPExt(g->b, f, g->f64, "");
}

/* For row y of n logits: m = max y[j] (first wins), s = sum exp(y[j] - m) in
 * double, as the C loops compute them. */
static void softmax_parts(Gen *g, LLVMValueRef y, int n, LLVMValueRef m_v, LLVMValueRef s_v)
{
	LLoop l;
	LLVMBuildStore(g->b, llvm_load(g, y, I64(0)), m_v);
	LLVMValueRef j = IADD(llvm_loop_open(g, &l, I64(n - 1), "max"), I64(1));
	LLVMValueRef yj = llvm_load(g, y, j), m = LLVMBuildLoad2(g->b, g->f32, m_v, "");
	LLVMBuildStore(g->b, LLVMBuildSelect(g->b, LLVMBuildFCmp(g->b, LLVMRealOGT, yj, m, ""), yj, m, ""), m_v);
	llvm_loop_close(g, &l);
	LLVMBuildStore(g->b, llvm_f64(g, 0), s_v);
	m = LLVMBuildLoad2(g->b, g->f32, m_v, "m");
	j = llvm_loop_open(g, &l, I64(n), "sumexp");
	LLVMValueRef e = call1(g, RT_EXP, to_f64(g, FSUB(llvm_load(g, y, j), m)));
	LLVMBuildStore(g->b, FADD(LLVMBuildLoad2(g->b, g->f64, s_v, ""), e), s_v);
	llvm_loop_close(g, &l);
}

static void build_loss(Gen *g, const Kernel *kn)
{
	const KBuf *yb = B(g, kn->a);
	int n = yb->type.dim[0];
	LLVMValueRef R = rows(g, kn->a), Rd = LLVMBuildSIToFP(g->b, R, g->f64, "");
	LLVMValueRef ya = ref(g, kn->a), lab = ref(g, kn->b), out = ref(g, kn->out);
	LLoop l, lj;
	if (kn->loss == OP_CROSS_ENTROPY) {
		LLVMValueRef m_v = llvm_local(g, g->f32, "m"), s_v = llvm_local(g, g->f64, "s");
		LLVMValueRef sum_v = llvm_local(g, g->f64, "sum");
		if (kn->kind == K_LOSS)
			LLVMBuildStore(g->b, llvm_f64(g, 0), sum_v);
		LLVMValueRef r = llvm_loop_open(g, &l, R, "ce.r");
		LLVMValueRef y = llvm_elem(g, ya, IMUL(r, I64(n)));
		softmax_parts(g, y, n, m_v, s_v);
		LLVMValueRef m = LLVMBuildLoad2(g->b, g->f32, m_v, ""), s = LLVMBuildLoad2(g->b, g->f64, s_v, "");
		LLVMValueRef label = LLVMBuildSExt(g->b, llvm_load(g, lab, r), g->i64, "label");
		if (kn->kind == K_LOSS) {  /* sum += log(s) + m - y[label] */
			LLVMValueRef t = FSUB(FADD(call1(g, RT_LOG, s), to_f64(g, m)), to_f64(g, llvm_load(g, y, label)));
			LLVMBuildStore(g->b, FADD(LLVMBuildLoad2(g->b, g->f64, sum_v, ""), t), sum_v);
		} else {  /* dy[j] = (exp(y[j] - m) / s - (j == label)) / R */
			LLVMValueRef dy = llvm_elem(g, out, IMUL(r, I64(n)));
			LLVMValueRef j = llvm_loop_open(g, &lj, I64(n), "ce.j");
			LLVMValueRef p = FDIV(call1(g, RT_EXP, to_f64(g, FSUB(llvm_load(g, y, j), m))), s);
			LLVMValueRef hot = LLVMBuildUIToFP(g->b, LLVMBuildICmp(g->b, LLVMIntEQ, j, label, ""), g->f64, "");
			llvm_store(g, LLVMBuildFPTrunc(g->b, FDIV(FSUB(p, hot), Rd), g->f32, ""), dy, j);
			llvm_loop_close(g, &lj);
		}
		llvm_loop_close(g, &l);
		if (kn->kind == K_LOSS)
			llvm_store(g, LLVMBuildFPTrunc(g->b, FDIV(LLVMBuildLoad2(g->b, g->f64, sum_v, ""), Rd), g->f32, ""),
				   out, I64(0));
		return;
	}
	/* mse: the difference in float, then squared and summed in double */
	LLVMValueRef den = FMUL(Rd, llvm_f64(g, n));
	LLVMValueRef sum_v = llvm_local(g, g->f64, "sum");
	if (kn->kind == K_LOSS)
		LLVMBuildStore(g->b, llvm_f64(g, 0), sum_v);
	LLVMValueRef i = llvm_loop_open(g, &l, IMUL(R, I64(n)), "mse");
	LLVMValueRef d = to_f64(g, FSUB(llvm_load(g, ya, i), llvm_load(g, lab, i)));
	if (kn->kind == K_LOSS)
		LLVMBuildStore(g->b, FADD(LLVMBuildLoad2(g->b, g->f64, sum_v, ""), FMUL(d, d)), sum_v);
	else
		llvm_store(g, LLVMBuildFPTrunc(g->b, FDIV(FMUL(llvm_f64(g, 2.0), d), den), g->f32, ""), out, i);
	llvm_loop_close(g, &l);
	if (kn->kind == K_LOSS)
		llvm_store(g, LLVMBuildFPTrunc(g->b, FDIV(LLVMBuildLoad2(g->b, g->f64, sum_v, ""), den), g->f32, ""), out,
			   I64(0));
}

/* ---- LOOP ----------------------------------------------------------------- */

/* The body of a time loop at step t (an i64): the step() functions of the
 * emitted C. Timed buffers are seen at step t. */
void llvm_loop_body(Gen *g, const Kernel *loop, LLVMValueRef t)
{
	for (int b = 0; b < g->k->bufs.len; b++) {
		g->view[b] = NULL;
		if (B(g, b)->type.timed && g->base[b])
			g->view[b] = llvm_elem(g, g->base[b], IMUL(IMUL(t, g->batch), I64(kir_row_floats(B(g, b)))));
	}
	int outer = g->kernel;
	g->t = t;
	g->in_loop = 1;
	llvm_kernels(g, loop->body, 0, loop->body->len);
	g->in_loop = 0;
	g->kernel = outer;
}

static void build_loop(Gen *g, const Kernel *kn)
{
	int T = g->k->steps;
	if (g->in_loop) {
		llvm_gen_error(g, "nested time loops");
		return;
	}
	LLoop l;
	LLVMValueRef i = llvm_loop_open(g, &l, I64(T), "time");
	LLVMValueRef t = kn->reverse ? LLVMBuildSub(g->b, I64(T - 1), i, "t") : i;
	if (kn->window) {  /* truncated BPTT: zero the states at the start of a new window */
		LLVMValueRef last = LLVMBuildICmp(g->b, LLVMIntNE, t, I64(T - 1), "");
		LLVMValueRef edge = LLVMBuildICmp(g->b, LLVMIntEQ, LLVMBuildSRem(g->b, t, I64(kn->window), ""),
						  I64(kn->window - 1), "");
		LLVMBasicBlockRef zero = LLVMAppendBasicBlockInContext(g->ctx, g->fn, "window");
		LLVMBasicBlockRef go = LLVMAppendBasicBlockInContext(g->ctx, g->fn, "step");
		LLVMBuildCondBr(g->b, LLVMBuildAnd(g->b, last, edge, ""), zero, go);
		LLVMPositionBuilderAtEnd(g->b, zero);
		for (int s = 0; s < kn->states.len; s++) {
			int sb = kn->states.items[s];
			llvm_memset0(g, ref(g, sb), IMUL(g->batch, I64(kir_row_floats(B(g, sb)))));
		}
		LLVMBuildBr(g->b, go);
		LLVMPositionBuilderAtEnd(g->b, go);
	}
	llvm_loop_body(g, kn, t);
	llvm_loop_close(g, &l);
}

void llvm_kernels(Gen *g, const KList *list, int from, int to)
{
	for (int i = from; i < to; i++) {
		const Kernel *kn = &list->items[i];
		g->kernel = i;
		switch (kn->kind) {
		case K_COPY:
			if (B(g, kn->out)->bits || B(g, kn->a)->bits) {
				LLVMValueRef a[4] = {LLVMBuildTrunc(g->b, rows(g, kn->out), g->i32, ""),
						     llvm_i32(g, B(g, kn->out)->type.dim[0]), ref(g, kn->a), ref(g, kn->out)};
				llvm_rt_call(g, B(g, kn->out)->bits ? RT_BITS_PACK : RT_BITS_UNPACK, a, 4);
				break;
			}
			/* fall through */
		case K_ZERO: {
			LLVMValueRef n = IMUL(rows(g, kn->out), I64(kir_row_floats(B(g, kn->out))));
			if (kn->kind == K_ZERO)
				llvm_memset0(g, ref(g, kn->out), n);
			else
				llvm_memcpy(g, ref(g, kn->out), ref(g, kn->a), n);
			break;
		}
		case K_GEMM: build_gemm(g, kn); break;
		case K_SUM_ROWS: build_sum_rows(g, kn); break;
		case K_GATHER: case K_SCATTER: build_embed(g, kn); break;
		case K_LOSS: case K_LOSS_GRAD: build_loss(g, kn); break;
		case K_MAP: build_map(g, kn); break;
		case K_LOOP: build_loop(g, kn); break;
		}
	}
}
