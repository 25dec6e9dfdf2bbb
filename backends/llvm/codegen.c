/* codegen.c: the LLVM module of a model: the public entry points of the
 * emitted C (docs/emitted-c.md), each a straight translation of its C body
 * in backends/c/emit.c: carve the parameter array and the workspace into
 * buffers, run a range of kernels (kernels.c), copy results out. Where the C
 * has helper functions (step, readout, train_backward) the kernels are built
 * inline; the arithmetic is the same.
 *
 * requires: a Kir that backends/c can emit. guarantees: every function the
 * C backend defines, with the same name and C signature; g->err names the
 * function and kernel of the first internal error. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "llvm_private.h"

/* ---- functions and buffers ----------------------------------------------- */

enum { MAX_INPUTS = 64 };  /* model inputs (and input gradients): one argument each */

static LLVMValueRef begin_fn(Gen *g, const char *suffix, LLVMTypeRef ret, LLVMTypeRef *params, unsigned n)
{
	char name[300];
	snprintf(name, sizeof name, "%s_%s", g->k->model, suffix);
	g->fn = LLVMAddFunction(g->mod, name, LLVMFunctionType(ret, params, n, 0));
	llvm_add_attr(g, g->fn, "nounwind");
	g->fn_name = LLVMGetValueName(g->fn);
	LLVMPositionBuilderAtEnd(g->b, LLVMAppendBasicBlockInContext(g->ctx, g->fn, "entry"));
	memset(g->base, 0, sizeof(LLVMValueRef) * (size_t)(g->k->bufs.len + 1));
	memset(g->view, 0, sizeof(LLVMValueRef) * (size_t)(g->k->bufs.len + 1));
	g->in_loop = 0;
	g->kernel = -1;
	g->batch = NULL;
	return g->fn;
}

static LLVMValueRef arg(Gen *g, unsigned i)
{
	return LLVMGetParam(g->fn, i);
}

/* The C `int batch`, widened once; index arithmetic is in i64. */
static void set_batch(Gen *g, LLVMValueRef batch32)
{
	g->batch = LLVMBuildSExt(g->b, batch32, g->i64, "batch");
}

static int ninputs(const Kir *k)
{
	int n = 0;
	for (int b = 0; b < k->bufs.len; b++)
		n += k->bufs.items[b].cls == KB_INPUT;
	return n;
}

/* Word `at` of the float array p as a pointer to kb's elements. */
static LLVMValueRef typed(Gen *g, LLVMValueRef p, LLVMValueRef at, const KBuf *kb)
{
	LLVMValueRef e = llvm_elem(g, p, at);
	return kb->elem == KE_F32 ? e : LLVMBuildBitCast(g->b, e, kb->elem == KE_I32 ? g->pi32 : g->pi8, "");
}

/* Parameters at their offsets; inputs from args [first, first + ninputs). */
static void see_params_inputs(Gen *g, LLVMValueRef params, unsigned first)
{
	for (int b = 0; b < g->k->bufs.len; b++) {
		const KBuf *kb = &g->k->bufs.items[b];
		if (kb->cls == KB_PARAM)
			g->base[b] = typed(g, params, llvm_i64(g, kb->offset), kb);
		else if (kb->cls == KB_INPUT)
			g->base[b] = arg(g, first++);
	}
}

/* carve_buffers / carve_train_buffers: states and scratch of `program` (and,
 * for training, the input gradients) one after another in ws. */
static void carve(Gen *g, int program, LLVMValueRef ws)
{
	const Kir *k = g->k;
	long at = 0;
	for (int b = 0; b < k->bufs.len; b++) {
		const KBuf *kb = &k->bufs.items[b];
		int dinput = kb->cls == KB_DINPUT && program == PROG_TRAIN;
		if (!dinput && (kb->program != program || (kb->cls != KB_STATE && kb->cls != KB_ACT)))
			continue;
		g->base[b] = typed(g, ws, LLVMBuildMul(g->b, g->batch, llvm_i64(g, at), ""), kb);
		at += kir_row_floats(kb) * (kb->type.timed ? k->steps : 1);
	}
}

static LLVMTypeRef label_ptr(Gen *g)
{
	const Kir *k = g->k;
	return k->bufs.items[k->labels].type.dtype == DT_I32 ? g->pi32 : g->pf32;
}

static LLVMValueRef ws_floats_fn(Gen *g, const char *suffix, int program)
{
	begin_fn(g, suffix, g->i64, &g->i32, 1);
	LLVMValueRef n = LLVMBuildSExt(g->b, arg(g, 0), g->i64, "");
	LLVMBuildRet(g->b, LLVMBuildMul(g->b, n, llvm_i64(g, kir_workspace_floats(g->k, program, 1)), ""));
	return g->fn;
}

/* ---- the forward pass ------------------------------------------------------ */

static int loop_index(const KList *l)
{
	for (int i = 0; i < l->len; i++)
		if (l->items[i].kind == K_LOOP)
			return i;
	return -1;
}

static void gen_infer(Gen *g)
{
	const Kir *k = g->k;
	const KList *l = &k->prog[PROG_INFER].kernels;
	int nin = ninputs(k), loop = loop_index(l);
	LLVMTypeRef p[MAX_INPUTS + 8];
	/* forward(params, x..., batch, out, workspace) */
	unsigned n = 0;
	p[n++] = g->pf32;
	for (int i = 0; i < nin; i++)
		p[n++] = g->pf32;
	p[n++] = g->i32, p[n++] = g->pf32, p[n++] = g->pf32;
	begin_fn(g, "forward", g->vd, p, n);
	see_params_inputs(g, arg(g, 0), 1);
	set_batch(g, arg(g, 1 + (unsigned)nin));
	carve(g, PROG_INFER, arg(g, 3 + (unsigned)nin));
	g->base[k->output] = arg(g, 2 + (unsigned)nin);
	llvm_kernels(g, l, 0, l->len);
	LLVMBuildRetVoid(g->b);

	ws_floats_fn(g, "workspace_floats", PROG_INFER);

	begin_fn(g, "stream_reset", g->vd, &g->pf32, 1);
	llvm_memset0(g, arg(g, 0), llvm_i64(g, kir_workspace_floats(k, PROG_INFER, 1)));
	LLVMBuildRetVoid(g->b);

	/* stream_step(params, state, x_t..., out): step(p, a, 1, 0), readout */
	n = 0;
	p[n++] = g->pf32, p[n++] = g->pf32;
	for (int i = 0; i < nin; i++)
		p[n++] = g->pf32;
	p[n++] = g->pf32;
	begin_fn(g, "stream_step", g->vd, p, n);
	see_params_inputs(g, arg(g, 0), 2);
	set_batch(g, llvm_i32(g, 1));
	carve(g, PROG_INFER, arg(g, 1));
	g->base[k->output] = arg(g, 2 + (unsigned)nin);
	if (loop >= 0)
		llvm_loop_body(g, &l->items[loop], llvm_i64(g, 0));
	llvm_kernels(g, l, loop < 0 ? 0 : loop + 1, l->len);
	LLVMBuildRetVoid(g->b);
}

/* ---- training -------------------------------------------------------------- */

/* The common head of forward_train, backward and backward_inputs:
 * (params, x..., labels, batch, ...). Returns the index of the first
 * argument after batch. */
static unsigned train_fn(Gen *g, const char *suffix, LLVMTypeRef ret, LLVMTypeRef *tail, unsigned ntail)
{
	const Kir *k = g->k;
	int nin = ninputs(k);
	LLVMTypeRef p[2 * MAX_INPUTS + 8];
	unsigned n = 0;
	p[n++] = g->pf32;
	for (int i = 0; i < nin; i++)
		p[n++] = g->pf32;
	p[n++] = label_ptr(g);
	p[n++] = g->i32;
	for (unsigned i = 0; i < ntail; i++)
		p[n++] = tail[i];
	begin_fn(g, suffix, ret, p, n);
	see_params_inputs(g, arg(g, 0), 1);
	set_batch(g, arg(g, 2 + (unsigned)nin));
	g->base[k->labels] = arg(g, 1 + (unsigned)nin);
	for (int b = 0; b < k->bufs.len; b++)
		if (k->bufs.items[b].cls == KB_LOSS)
			g->base[b] = llvm_local(g, g->f32, "loss");
	return 3 + (unsigned)nin;
}

static void see_grads(Gen *g, LLVMValueRef grads)
{
	for (int b = 0; b < g->k->bufs.len; b++)
		if (g->k->bufs.items[b].cls == KB_GRAD)
			g->base[b] = llvm_elem(g, grads, llvm_i64(g, g->k->bufs.items[b].offset));
}

static LLVMValueRef loss_of(Gen *g)
{
	for (int b = 0; b < g->k->bufs.len; b++)
		if (g->k->bufs.items[b].cls == KB_LOSS)
			return g->base[b];
	return NULL;
}

static void gen_train(Gen *g)
{
	const Kir *k = g->k;
	const KProgram *pr = &k->prog[PROG_TRAIN];
	const KList *l = &pr->kernels;
	LLVMTypeRef tail[MAX_INPUTS + 4];

	/* forward_train(..., out, workspace) -> loss */
	tail[0] = tail[1] = g->pf32;
	unsigned at = train_fn(g, "forward_train", g->f32, tail, 2);
	LLVMValueRef out = arg(g, at);
	carve(g, PROG_TRAIN, arg(g, at + 1));
	llvm_kernels(g, l, 0, pr->loss_at + 1);
	const KBuf *y = &k->bufs.items[k->train_output];
	LLVMBasicBlockRef copy = LLVMAppendBasicBlockInContext(g->ctx, g->fn, "copy_out");
	LLVMBasicBlockRef done = LLVMAppendBasicBlockInContext(g->ctx, g->fn, "done");
	LLVMBuildCondBr(g->b, LLVMBuildIsNotNull(g->b, out, ""), copy, done);
	LLVMPositionBuilderAtEnd(g->b, copy);
	llvm_memcpy(g, out, g->base[k->train_output],
		    LLVMBuildMul(g->b, g->batch, llvm_i64(g, kir_row_floats(y) * (y->type.timed ? k->steps : 1)), ""));
	LLVMBuildBr(g->b, done);
	LLVMPositionBuilderAtEnd(g->b, done);
	LLVMBuildRet(g->b, LLVMBuildLoad2(g->b, g->f32, loss_of(g), "loss"));

	/* backward(..., grads, workspace) */
	at = train_fn(g, "backward", g->vd, tail, 2);
	carve(g, PROG_TRAIN, arg(g, at + 1));
	see_grads(g, arg(g, at));
	llvm_kernels(g, l, pr->loss_at + 1, l->len);
	LLVMBuildRetVoid(g->b);

	/* backward_inputs(..., grads, d_x..., workspace) */
	int ndin = 0;
	for (int b = 0; b < k->bufs.len; b++)
		ndin += k->bufs.items[b].cls == KB_DINPUT;
	if (ndin > 0) {
		for (int i = 0; i < ndin + 2; i++)
			tail[i] = g->pf32;
		at = train_fn(g, "backward_inputs", g->vd, tail, (unsigned)ndin + 2);
		carve(g, PROG_TRAIN, arg(g, at + 1 + (unsigned)ndin));
		see_grads(g, arg(g, at));
		llvm_kernels(g, l, pr->loss_at + 1, l->len);
		unsigned d = at + 1;
		for (int b = 0; b < k->bufs.len; b++)
			if (k->bufs.items[b].cls == KB_DINPUT) {
				LLVMValueRef n = LLVMBuildMul(g->b, llvm_i64(g, (long)k->steps * k->bufs.items[b].type.dim[0]),
							      g->batch, "");
				llvm_memcpy(g, arg(g, d++), g->base[b], n);
			}
		LLVMBuildRetVoid(g->b);
	}

	/* dropout_key(workspace, batch, seed, step, row0) */
	if (k->dropout_key >= 0) {
		LLVMTypeRef dk[5] = {g->pf32, g->i32, g->i32, g->i64, g->i64};
		begin_fn(g, "dropout_key", g->vd, dk, 5);
		set_batch(g, arg(g, 1));
		carve(g, PROG_TRAIN, arg(g, 0));
		LLVMValueRef a[4] = {g->base[k->dropout_key], arg(g, 2), arg(g, 3), arg(g, 4)};
		llvm_rt_call(g, RT_DROPOUT_KEY, a, 4);
		LLVMBuildRetVoid(g->b);
	}

	begin_fn(g, "zero_grad", g->vd, &g->pf32, 1);
	llvm_memset0(g, arg(g, 0), llvm_i64(g, k->nparams));
	LLVMBuildRetVoid(g->b);

	ws_floats_fn(g, "train_workspace_floats", PROG_TRAIN);

	/* spike_counts(workspace, batch, counts) */
	LLVMTypeRef sc[3] = {g->pf32, g->i32, g->pf32};
	begin_fn(g, "spike_counts", g->vd, sc, 3);
	if (k->spike_counts >= 0) {
		set_batch(g, arg(g, 1));
		carve(g, PROG_TRAIN, arg(g, 0));
		llvm_memcpy(g, arg(g, 2), g->base[k->spike_counts], llvm_i64(g, k->spikes.len));
	}
	LLVMBuildRetVoid(g->b);
}

/* ---- init and the optimizer -------------------------------------------------- */

/* <model>_init: He-normal weights from the Philox stream of the parameter's
 * index, zero biases (emit_init in emit.c). */
static void gen_init(Gen *g)
{
	LLVMTypeRef p[2] = {g->pf32, g->i64};
	begin_fn(g, "init", g->vd, p, 2);
	for (int b = 0; b < g->k->bufs.len; b++) {
		const KBuf *kb = &g->k->bufs.items[b];
		if (kb->cls != KB_PARAM)
			continue;
		const Param *pr = &g->k->g->params.items[kb->index];
		LLVMValueRef dst = llvm_elem(g, arg(g, 0), llvm_i64(g, kb->offset));
		long n = kir_row_floats(kb);
		if (pr->init == INIT_ZEROS) {
			llvm_memset0(g, dst, llvm_i64(g, n));
			continue;
		}
		LLoop li;
		LLVMValueRef i = llvm_loop_open(g, &li, llvm_i64(g, n), "init");
		LLVMValueRef a[3] = {arg(g, 1), llvm_i64(g, kb->index), i};
		LLVMValueRef z = LLVMBuildFPExt(g->b, llvm_rt_call(g, RT_RNG_NORMAL, a, 3), g->f64, "");
		LLVMValueRef v = LLVMBuildFMul(g->b, z, llvm_f64(g, sqrt(2.0 / pr->fan_in)), "");
		LLVMValueRef at = i;  /* rank 2: drawn in PyTorch's order, stored transposed */
		if (kb->type.rank == 2) {
			LLVMValueRef K = llvm_i64(g, kb->type.dim[1]);
			at = LLVMBuildAdd(g->b, LLVMBuildMul(g->b, LLVMBuildURem(g->b, i, K, ""),
							   llvm_i64(g, kb->type.dim[0]), ""),
					  LLVMBuildUDiv(g->b, i, K, ""), "");
		}
		llvm_store(g, LLVMBuildFPTrunc(g->b, v, g->f32, ""), dst, at);
		llvm_loop_close(g, &li);
	}
	LLVMBuildRetVoid(g->b);
}

/* The float literal cf() in emit.c prints: the float nearest v. */
static LLVMValueRef cf(Gen *g, double v)
{
	return llvm_f32(g, (float)v);
}

/* <model>_step(params, grads, opt_state, lr, t): emit_optimizer in emit.c,
 * operation for operation. */
static void gen_step(Gen *g)
{
	const TrainOptim optim = backend_optim(g->opt), *op = &optim;
	double clip = g->opt->clip;
	LLVMTypeRef p[5] = {g->pf32, g->pf32, g->pf32, g->f32, g->i64};
	long np = g->k->nparams;
	LLVMBuilderRef b = g->b;
	begin_fn(g, "step", g->vd, p, 5);
	LLVMValueRef params = arg(g, 0), grads = arg(g, 1), state = arg(g, 2), lr = arg(g, 3), t = arg(g, 4);
	LLVMValueRef scale_v = llvm_local(g, g->f32, "scale");
	LLVMBuildStore(b, llvm_f32(g, 1.0f), scale_v);
	if (clip > 0) {
		LLVMValueRef norm_v = llvm_local(g, g->f64, "norm");
		LLVMBuildStore(b, llvm_f64(g, 0), norm_v);
		LLoop l;
		LLVMValueRef i = llvm_loop_open(g, &l, llvm_i64(g, np), "norm");
		LLVMValueRef gi = LLVMBuildFPExt(b, llvm_load(g, grads, i), g->f64, "");
		LLVMValueRef sq = LLVMBuildFMul(b, gi, gi, "");
		LLVMBuildStore(b, LLVMBuildFAdd(b, LLVMBuildLoad2(b, g->f64, norm_v, ""), sq, ""), norm_v);
		llvm_loop_close(g, &l);
		LLVMValueRef nv = LLVMBuildLoad2(b, g->f64, norm_v, "");
		LLVMValueRef norm = llvm_rt_call(g, RT_SQRT, &nv, 1);
		LLVMBasicBlockRef clip_bb = LLVMAppendBasicBlockInContext(g->ctx, g->fn, "clip");
		LLVMBasicBlockRef go = LLVMAppendBasicBlockInContext(g->ctx, g->fn, "update");
		LLVMBuildCondBr(b, LLVMBuildFCmp(b, LLVMRealOGT, norm, llvm_f64(g, clip), ""), clip_bb, go);
		LLVMPositionBuilderAtEnd(b, clip_bb);
		LLVMValueRef s = LLVMBuildFDiv(b, llvm_f64(g, clip), LLVMBuildFAdd(b, norm, llvm_f64(g, 1e-6), ""), "");
		LLVMBuildStore(b, LLVMBuildFPTrunc(b, s, g->f32, ""), scale_v);
		LLVMBuildBr(b, go);
		LLVMPositionBuilderAtEnd(b, go);
	}
	LLVMValueRef scale = LLVMBuildLoad2(b, g->f32, scale_v, "scale");
	LLVMValueRef step_size = NULL, sqrt_bc2 = NULL, mom = state, var = NULL;
	if (op->kind == OPTIM_ADAM) {
		var = llvm_elem(g, state, llvm_i64(g, np));
		LLVMValueRef tf = LLVMBuildSIToFP(b, t, g->f64, "");
		LLVMValueRef a1[2] = {llvm_f64(g, op->beta1), tf}, a2[2] = {llvm_f64(g, op->beta2), tf};
		LLVMValueRef bc1 = LLVMBuildFSub(b, llvm_f64(g, 1.0), llvm_rt_call(g, RT_POW, a1, 2), "bc1");
		LLVMValueRef bc2 = LLVMBuildFSub(b, llvm_f64(g, 1.0), llvm_rt_call(g, RT_POW, a2, 2), "bc2");
		step_size = LLVMBuildFPTrunc(b, LLVMBuildFDiv(b, LLVMBuildFPExt(b, lr, g->f64, ""), bc1, ""), g->f32, "");
		sqrt_bc2 = LLVMBuildFPTrunc(b, llvm_rt_call(g, RT_SQRT, &bc2, 1), g->f32, "");
	}
	LLoop l;
	LLVMValueRef i = llvm_loop_open(g, &l, llvm_i64(g, np), "update");
	LLVMValueRef pi = llvm_load(g, params, i);
	LLVMValueRef gv = LLVMBuildFAdd(b, LLVMBuildFMul(b, llvm_load(g, grads, i), scale, ""),
					LLVMBuildFMul(b, cf(g, op->weight_decay), pi, ""), "g");
	LLVMValueRef upd;
	if (op->kind == OPTIM_ADAM) {
		LLVMValueRef m = LLVMBuildFAdd(b, LLVMBuildFMul(b, cf(g, op->beta1), llvm_load(g, mom, i), ""),
					       LLVMBuildFMul(b, cf(g, 1 - op->beta1), gv, ""), "m");
		llvm_store(g, m, mom, i);
		LLVMValueRef gg = LLVMBuildFMul(b, LLVMBuildFMul(b, cf(g, 1 - op->beta2), gv, ""), gv, "");
		LLVMValueRef v = LLVMBuildFAdd(b, LLVMBuildFMul(b, cf(g, op->beta2), llvm_load(g, var, i), ""), gg, "v");
		llvm_store(g, v, var, i);
		LLVMValueRef den = LLVMBuildFAdd(b, LLVMBuildFDiv(b, llvm_rt_call(g, RT_SQRTF, &v, 1), sqrt_bc2, ""),
						 cf(g, op->eps), "");
		upd = LLVMBuildFDiv(b, LLVMBuildFMul(b, step_size, m, ""), den, "");
	} else {
		LLVMValueRef buf = LLVMBuildFAdd(b, LLVMBuildFMul(b, cf(g, op->momentum), llvm_load(g, mom, i), ""), gv, "buf");
		llvm_store(g, buf, mom, i);
		upd = LLVMBuildFMul(b, lr, buf, "");
	}
	llvm_store(g, LLVMBuildFSub(b, pi, upd, ""), params, i);
	llvm_loop_close(g, &l);
	LLVMBuildRetVoid(b);
}

/* ---- the tables ---------------------------------------------------------------- */

static LLVMValueRef cstring(Gen *g, const char *s)
{
	LLVMValueRef init = LLVMConstStringInContext(g->ctx, s, (unsigned)strlen(s), 0);
	LLVMValueRef gv = LLVMAddGlobal(g->mod, LLVMTypeOf(init), ".str");
	LLVMSetInitializer(gv, init);
	LLVMSetGlobalConstant(gv, 1);
	LLVMSetLinkage(gv, LLVMPrivateLinkage);
	LLVMSetUnnamedAddress(gv, LLVMGlobalUnnamedAddr);
	return LLVMConstBitCast(gv, g->pi8);
}

static void table(Gen *g, const char *suffix, LLVMTypeRef elem, LLVMValueRef *rows, unsigned n)
{
	char name[300];
	snprintf(name, sizeof name, "%s_%s", g->k->model, suffix);
	LLVMValueRef init = LLVMConstArray(elem, rows, n);
	LLVMValueRef gv = LLVMAddGlobal(g->mod, LLVMTypeOf(init), name);
	LLVMSetInitializer(gv, init);
	LLVMSetGlobalConstant(gv, 1);
}

/* <model>_tensors: {name, rank, shape[2], offset}; <model>_spikes: {name, size}. */
static void gen_tables(Gen *g)
{
	const Kir *k = g->k;
	LLVMTypeRef dims = LLVMArrayType(g->i32, 2);
	LLVMTypeRef tf[4] = {g->pi8, g->i32, dims, g->i64};
	LLVMTypeRef tt = LLVMStructTypeInContext(g->ctx, tf, 4, 0);
	LLVMValueRef *rows = xcalloc((size_t)k->bufs.len + (size_t)k->spikes.len + 1, sizeof *rows);
	unsigned n = 0;
	for (int b = 0; b <= k->bufs.len; b++) {
		const KBuf *kb = b < k->bufs.len ? &k->bufs.items[b] : NULL;
		if (kb && kb->cls != KB_PARAM)
			continue;
		LLVMValueRef d[2] = {llvm_i32(g, kb ? kb->type.dim[0] : 0), llvm_i32(g, kb && kb->type.rank == 2 ? kb->type.dim[1] : 0)};
		LLVMValueRef f[4] = {kb ? cstring(g, kb->what) : LLVMConstNull(g->pi8), llvm_i32(g, kb ? kb->type.rank : 0),
				     LLVMConstArray(g->i32, d, 2), llvm_i64(g, kb ? kb->offset : 0)};
		rows[n++] = LLVMConstNamedStruct(tt, f, 4);
	}
	table(g, "tensors", tt, rows, n);
	if (k->has_train) {
		LLVMTypeRef sf[2] = {g->pi8, g->i32};
		LLVMTypeRef st = LLVMStructTypeInContext(g->ctx, sf, 2, 0);
		n = 0;
		for (int i = 0; i <= k->spikes.len; i++) {
			const KSpike *s = i < k->spikes.len ? &k->spikes.items[i] : NULL;
			LLVMValueRef f[2] = {s ? cstring(g, s->name) : LLVMConstNull(g->pi8), llvm_i32(g, s ? s->size : 0)};
			rows[n++] = LLVMConstNamedStruct(st, f, 2);
		}
		table(g, "spikes", st, rows, n);
	}
	free(rows);
}

/* ---- the module ------------------------------------------------------------------ */

int llvm_gen_module(Gen *g)
{
	if (ninputs(g->k) > MAX_INPUTS) {
		llvm_gen_error(g, "%d inputs; the LLVM backend takes at most %d", ninputs(g->k), MAX_INPUTS);
		return -1;
	}
	gen_tables(g);
	if (!g->k->quant)
		gen_init(g);
	gen_infer(g);
	if (g->k->has_train && !g->err[0]) {
		gen_train(g);
		gen_step(g);
	}
	g->fn_name = NULL;
	return g->err[0] ? -1 : 0;
}

