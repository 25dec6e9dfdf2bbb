/* jit.c: from kernel IR to callable functions (see llvm.h).
 *
 *   key    = hash(kernel IR text, what it does not print, options, target, versions)
 *   object = cache/<key>.o  if present, else
 *            codegen -> verify -> "default<O2>" for the host CPU -> object (-> cache)
 *   LLJIT  + the object, runtime symbols bound by address (rt.c), lookups
 *
 * Both paths load the same kind of object through LLVMOrcLLJITAddObjectFile,
 * so a cached run executes exactly the code a cold run would. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <llvm-c/Analysis.h>
#include <llvm-c/Error.h>
#include <llvm-c/LLJIT.h>
#include <llvm-c/Orc.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>
#include <llvm-c/Transforms/PassBuilder.h>
#include <llvm/Config/llvm-config.h>
#include "compiler/version.h"
#include "llvm_private.h"
#include "io/fileio.h"

/* Bump when codegen changes what it builds for the same kernel IR: cached
 * objects of older revisions are then never loaded. */
#define LLVM_BACKEND_REVISION "3"

typedef struct {
	LLVMOrcLLJITRef jit;
	char session_err[512];  /* what ORC reported asynchronously */
} Jit;

typedef struct {
	char *triple, *cpu, *features;
	LLVMTargetMachineRef tm;
} Host;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Copies an LLVM error's message into err (consuming the error). */
static int fail(LLVMErrorRef e, const char *what, char *err, size_t errlen)
{
	char *msg = LLVMGetErrorMessage(e);
	snprintf(err, errlen, "internal error: LLVM backend: %s: %s", what, msg);
	LLVMDisposeErrorMessage(msg);
	return -1;
}

/* ---- the host target ---------------------------------------------------- */

static int host_open(Host *h, char *err, size_t errlen)
{
	static int initialized;
	if (!initialized) {
		if (LLVMInitializeNativeTarget() || LLVMInitializeNativeAsmPrinter()) {
			snprintf(err, errlen, "internal error: LLVM backend: LLVM has no native target here");
			return -1;
		}
		initialized = 1;
	}
	char *def = LLVMGetDefaultTargetTriple();
	h->triple = LLVMNormalizeTargetTriple(def);
	LLVMDisposeMessage(def);
	h->cpu = LLVMGetHostCPUName();
	h->features = LLVMGetHostCPUFeatures();
	LLVMTargetRef t;
	char *msg = NULL;
	if (LLVMGetTargetFromTriple(h->triple, &t, &msg)) {
		snprintf(err, errlen, "internal error: LLVM backend: no target for %s: %s", h->triple, msg);
		LLVMDisposeMessage(msg);
		return -1;
	}
	/* O2 code generation, position independent (RuntimeDyld adds the GOT
	 * and PLT stubs that reach libm and OpenBLAS), small code model. */
	h->tm = LLVMCreateTargetMachine(t, h->triple, h->cpu, h->features, LLVMCodeGenLevelDefault, LLVMRelocPIC,
					LLVMCodeModelSmall);
	return 0;
}

static void host_close(Host *h)
{
	if (h->tm)
		LLVMDisposeTargetMachine(h->tm);
	LLVMDisposeMessage(h->triple);
	LLVMDisposeMessage(h->cpu);
	LLVMDisposeMessage(h->features);
	memset(h, 0, sizeof *h);
}

/* ---- the cache ---------------------------------------------------------- */

static void key_surrogates(const KList *l, StrBuf *o)
{
	for (int i = 0; i < l->len; i++) {
		const Kernel *kn = &l->items[i];
		if (kn->kind == K_LOOP)
			key_surrogates(kn->body, o);
		for (int j = 0; kn->kind == K_MAP && j < kn->lets.len; j++) {
			const KLet *lt = &kn->lets.items[j];
			if (lt->op == OP_SPIKE || lt->op == OP_SURROGATE)
				sb_printf(o, "sur %s %d %a %a\n", lt->name, (int)lt->sur.kind, (double)lt->sur.p[0],
					  (double)lt->sur.p[1]);
		}
	}
}

/* What codegen reads that kir_print does not show: surrogates, parameter
 * initialisation, table names, the optimizer, the options. */
static void key_extra(const Kir *k, const BackendOptions *opt, StrBuf *o)
{
	sb_printf(o, "spikec %s llvm-backend %s llvm %s\n", SPIKEC_VERSION, LLVM_BACKEND_REVISION, LLVM_VERSION_STRING);
	sb_printf(o, "portable %d smooth %d\n", opt->portable, opt->smooth_spikes);
	for (int b = 0; b < k->bufs.len; b++) {
		const KBuf *kb = &k->bufs.items[b];
		if (kb->cls == KB_PARAM && kb->index < 0)  /* a quantized model's scale or threshold */
			sb_printf(o, "param %s %s derived\n", kb->name, kb->what);
		else if (kb->cls == KB_PARAM)
			sb_printf(o, "param %s %s init %d fan_in %d\n", kb->name, kb->what,
				  (int)k->g->params.items[kb->index].init, k->g->params.items[kb->index].fan_in);
	}
	for (int i = 0; i < k->spikes.len; i++)
		sb_printf(o, "spike %s %d\n", k->spikes.items[i].name, k->spikes.items[i].size);
	for (int p = 0; p < PROG_COUNT; p++)
		key_surrogates(&k->prog[p].kernels, o);
	if (k->has_train) {
		TrainOptim op = backend_optim(opt);
		sb_printf(o, "optim %d %a %a %a %a %a clip %a\n", (int)op.kind, op.beta1, op.beta2, op.eps, op.momentum,
			  op.weight_decay, opt->clip);
	}
}

static void cache_dir(char *buf, size_t n)
{
	const char *env = getenv("SPIKEC_CACHE"), *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	if (env && *env)
		snprintf(buf, n, "%s/llvm", env);
	else if (xdg && *xdg)
		snprintf(buf, n, "%s/spikec/llvm", xdg);
	else if (home && *home)
		snprintf(buf, n, "%s/.cache/spikec/llvm", home);
	else
		snprintf(buf, n, "/tmp/spikec-%ld/llvm", (long)getuid());
}

/* DIR/<128-bit key>.o */
static void cache_path(const Kir *k, const BackendOptions *opt, const Host *h, char *path, size_t n)
{
	StrBuf s = {0};
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (f) {
		kir_print(k, f);
		fclose(f);
	}
	if (text)
		sb_puts(&s, text);
	free(text);
	key_extra(k, opt, &s);
	sb_printf(&s, "target %s cpu %s features %s\n", h->triple, h->cpu, h->features);
	uint64_t h1 = util_hash(s.buf, s.len, UTIL_HASH_SEED);
	uint64_t h2 = util_hash(s.buf, s.len, UTIL_HASH_SEED ^ 0x9e3779b97f4a7c15ULL);
	char dir[4000];
	cache_dir(dir, sizeof dir);
	snprintf(path, n, "%s/%016llx%016llx.o", dir, (unsigned long long)h1, (unsigned long long)h2);
	sb_free(&s);
}

static LLVMMemoryBufferRef cache_read(const char *path)
{
	LLVMMemoryBufferRef buf = NULL;
	char *msg = NULL;
	if (access(path, R_OK) != 0)
		return NULL;
	if (LLVMCreateMemoryBufferWithContentsOfFile(path, &buf, &msg)) {
		LLVMDisposeMessage(msg);
		return NULL;
	}
	return buf;
}

/* Best effort: a cache that cannot be written only costs a recompile. */
static void cache_write(const char *path, LLVMMemoryBufferRef obj)
{
	char dir[4096], tmp[4200];
	snprintf(dir, sizeof dir, "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = 0;
	if (fileio_mkdirs(dir))
		return;
	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
	FILE *f = fopen(tmp, "wb");
	if (!f)
		return;
	size_t n = LLVMGetBufferSize(obj);
	int ok = fwrite(LLVMGetBufferStart(obj), 1, n, f) == n;
	ok &= fclose(f) == 0;
	if (!ok || rename(tmp, path))
		remove(tmp);
}

/* ---- compiling ------------------------------------------------------------ */

static void dump(LLVMModuleRef mod, const char *suffix)
{
	const char *path = getenv("SPIKEC_LLVM_DUMP");
	if (!path || !*path)
		return;
	char full[4096], *msg = NULL;
	snprintf(full, sizeof full, "%s%s", path, suffix);
	if (LLVMPrintModuleToFile(mod, full, &msg))
		LLVMDisposeMessage(msg);
}

/* Each function alone first, so that the error names the function. */
static int verify(Gen *g, char *err, size_t errlen)
{
	for (LLVMValueRef f = LLVMGetFirstFunction(g->mod); f; f = LLVMGetNextFunction(f))
		if (LLVMCountBasicBlocks(f) && LLVMVerifyFunction(f, LLVMReturnStatusAction)) {
			char *msg = NULL;
			LLVMVerifyModule(g->mod, LLVMReturnStatusAction, &msg);
			snprintf(err, errlen, "internal error: LLVM backend built invalid IR for %s: %s",
				 LLVMGetValueName(f), msg ? msg : "");
			LLVMDisposeMessage(msg);
			return -1;
		}
	char *msg = NULL;
	if (LLVMVerifyModule(g->mod, LLVMReturnStatusAction, &msg)) {
		snprintf(err, errlen, "internal error: LLVM backend built an invalid module: %s", msg ? msg : "");
		LLVMDisposeMessage(msg);
		return -1;
	}
	LLVMDisposeMessage(msg);
	return 0;
}

/* Builds the module of k in ctx, verified, with the host's data layout. */
static LLVMModuleRef build_module(const Kir *k, const BackendOptions *opt, LLVMContextRef ctx, const Host *h,
				  char *err, size_t errlen)
{
	if (backend_refuses(k, opt, err, errlen))
		return NULL;
	Gen g;
	llvm_gen_init(&g, k, opt, ctx);
	LLVMSetTarget(g.mod, h->triple);
	LLVMTargetDataRef td = LLVMCreateTargetDataLayout(h->tm);
	LLVMSetModuleDataLayout(g.mod, td);
	LLVMDisposeTargetData(td);
	int rc = llvm_gen_module(&g);
	if (rc)
		snprintf(err, errlen, "%s", g.err);
	dump(g.mod, "");
	if (!rc)
		rc = verify(&g, err, errlen);
	llvm_gen_free(&g);
	if (rc) {
		LLVMDisposeModule(g.mod);
		return NULL;
	}
	return g.mod;
}

/* The module, optimized as clang -O2 would for this CPU, as an object. */
static LLVMMemoryBufferRef compile(const Kir *k, const BackendOptions *opt, const Host *h, char *err, size_t errlen)
{
	LLVMContextRef ctx = LLVMContextCreate();
	LLVMMemoryBufferRef obj = NULL;
	LLVMModuleRef mod = build_module(k, opt, ctx, h, err, errlen);
	if (mod) {
		LLVMPassBuilderOptionsRef po = LLVMCreatePassBuilderOptions();
		LLVMPassBuilderOptionsSetLoopVectorization(po, 1);
		LLVMPassBuilderOptionsSetSLPVectorization(po, 1);
		LLVMPassBuilderOptionsSetLoopUnrolling(po, 1);
		LLVMPassBuilderOptionsSetLoopInterleaving(po, 1);
		LLVMErrorRef e = LLVMRunPasses(mod, "default<O2>", h->tm, po);
		LLVMDisposePassBuilderOptions(po);
		char *msg = NULL;
		if (e)
			fail(e, "optimizing", err, errlen);
		else if (dump(mod, ".opt"), LLVMTargetMachineEmitToMemoryBuffer(h->tm, mod, LLVMObjectFile, &msg, &obj)) {
			snprintf(err, errlen, "internal error: LLVM backend: code generation failed: %s", msg ? msg : "");
			obj = NULL;
		}
		LLVMDisposeMessage(msg);
		LLVMDisposeModule(mod);
	}
	LLVMContextDispose(ctx);
	return obj;
}

/* ---- the JIT ---------------------------------------------------------------- */

static void session_error(void *ctx, LLVMErrorRef e)
{
	Jit *j = ctx;
	char *msg = LLVMGetErrorMessage(e);
	if (!j->session_err[0])
		snprintf(j->session_err, sizeof j->session_err, "%s", msg);
	LLVMDisposeErrorMessage(msg);
}

static void jit_free(Jit *j)
{
	if (j->jit) {
		LLVMErrorRef e = LLVMOrcDisposeLLJIT(j->jit);
		if (e)
			LLVMConsumeError(e);
	}
	free(j);
}

/* A JIT holding obj (consumed), with the runtime symbols of rt.c defined and
 * the process's other symbols visible. */
static Jit *jit_open(LLVMMemoryBufferRef obj, char *err, size_t errlen)
{
	Jit *j = xcalloc(1, sizeof *j);
	LLVMErrorRef e = LLVMOrcCreateLLJIT(&j->jit, NULL);
	if (e) {
		j->jit = NULL;
		LLVMDisposeMemoryBuffer(obj);
		fail(e, "creating the JIT", err, errlen);
		jit_free(j);
		return NULL;
	}
	LLVMOrcExecutionSessionSetErrorReporter(LLVMOrcLLJITGetExecutionSession(j->jit), session_error, j);
	LLVMOrcJITDylibRef jd = LLVMOrcLLJITGetMainJITDylib(j->jit);
	size_t n = 0;
	while (llvm_rt_symbols[n].name)
		n++;
	LLVMJITCSymbolMapPair *syms = xcalloc(n, sizeof *syms);
	for (size_t i = 0; i < n; i++) {
		syms[i].Name = LLVMOrcLLJITMangleAndIntern(j->jit, llvm_rt_symbols[i].name);
		syms[i].Sym.Address = (LLVMOrcExecutorAddress)(uintptr_t)llvm_rt_symbols[i].addr;
		syms[i].Sym.Flags.GenericFlags = LLVMJITSymbolGenericFlagsExported | LLVMJITSymbolGenericFlagsCallable;
	}
	LLVMOrcMaterializationUnitRef mu = LLVMOrcAbsoluteSymbols(syms, n);
	free(syms);
	if ((e = LLVMOrcJITDylibDefine(jd, mu))) {
		LLVMOrcDisposeMaterializationUnit(mu);
		goto failed;
	}
	LLVMOrcDefinitionGeneratorRef gen;
	if ((e = LLVMOrcCreateDynamicLibrarySearchGeneratorForProcess(&gen, LLVMOrcLLJITGetGlobalPrefix(j->jit), NULL,
									NULL)))
		goto failed;
	LLVMOrcJITDylibAddGenerator(jd, gen);
	if ((e = LLVMOrcLLJITAddObjectFile(j->jit, jd, obj)))
		goto failed_added;
	return j;
failed:
	LLVMDisposeMemoryBuffer(obj);
failed_added:
	fail(e, "setting up the JIT", err, errlen);
	jit_free(j);
	return NULL;
}

static void *lookup(Jit *j, const Kir *k, const char *name, char *err, size_t errlen)
{
	char full[300];
	LLVMOrcExecutorAddress addr = 0;
	snprintf(full, sizeof full, "%s_%s", k->model, name);
	LLVMErrorRef e = LLVMOrcLLJITLookup(j->jit, &addr, full);
	if (e) {
		char what[400];
		snprintf(what, sizeof what, "looking up %s", full);
		fail(e, what, err, errlen);
		if (j->session_err[0])
			snprintf(err + strlen(err), errlen - strlen(err), " (%s)", j->session_err);
		return NULL;
	}
	return (void *)(uintptr_t)addr;
}

/* Fills m from the JIT, as cload_build does from the shared object. */
static int fill(CompiledModel *m, Jit *j, const Kir *k, char *err, size_t errlen)
{
#define GET(field, name) (*(void **)&m->field = lookup(j, k, name, err, errlen))
	int ok = (k->quant || GET(init, "init")) && GET(workspace_floats, "workspace_floats") && GET(forward, "forward") &&
		 GET(stream_reset, "stream_reset") && GET(stream_step, "stream_step");
	ok = ok && (m->tensors = lookup(j, k, "tensors", err, errlen));
	if (ok && k->has_train) {
		ok = GET(train_workspace_floats, "train_workspace_floats") && GET(forward_train, "forward_train") &&
		     GET(backward, "backward") && GET(zero_grad, "zero_grad") && GET(step, "step") &&
		     GET(spike_counts, "spike_counts") && (m->spikes = lookup(j, k, "spikes", err, errlen)) &&
		     (k->dropout_key < 0 || GET(dropout_key, "dropout_key"));
		for (int b = 0; ok && b < k->bufs.len; b++)
			if (k->bufs.items[b].cls == KB_DINPUT) {
				ok = GET(backward_inputs, "backward_inputs") != NULL;
				break;
			}
	}
#undef GET
	return ok ? 0 : -1;
}

int llvm_build(const Kir *k, const BackendOptions *opt, CompiledModel *m, char *err, size_t errlen)
{
	double t0 = now();
	Host h = {0};
	char path[4096];
	memset(m, 0, sizeof *m);
	if (host_open(&h, err, errlen)) {
		host_close(&h);
		return -1;
	}
	cache_path(k, opt, &h, path, sizeof path);
	Jit *j = NULL;
	LLVMMemoryBufferRef obj = cache_read(path);
	if (obj) {  /* a hit; if it does not load (truncated, foreign), recompile */
		j = jit_open(obj, err, errlen);
		if (j && fill(m, j, k, err, errlen)) {
			jit_free(j);
			j = NULL;
		}
		if (!j) {
			remove(path);
			memset(m, 0, sizeof *m);
		}
	}
	if (!j) {
		obj = compile(k, opt, &h, err, errlen);
		if (obj) {
			cache_write(path, obj);
			j = jit_open(obj, err, errlen);
			if (j && fill(m, j, k, err, errlen)) {
				jit_free(j);
				j = NULL;
			}
		}
		m->compile_seconds = now() - t0;
	}
	host_close(&h);
	if (!j) {
		memset(m, 0, sizeof *m);
		return -1;
	}
	m->handle = j;
	return 0;
}

const char *llvm_version(void)
{
	return LLVM_VERSION_STRING;
}

void llvm_close(CompiledModel *m)
{
	if (m->handle)
		jit_free(m->handle);
	memset(m, 0, sizeof *m);
}
