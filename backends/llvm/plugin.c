/* plugin.c: the LLVM backend as bin/spikec uses it, loaded on first use.
 *
 * Loading libLLVM costs about 0.15 s at every process start (relocations
 * and static constructors of a 100 MB library), which every `spikec check`,
 * `ir` or `emit` would pay for nothing. So the backend (codegen.c,
 * kernels.c, jit.c, rt.c) is built as a plugin, bin/spikec-llvm.so, linked
 * with libLLVM, and bin/spikec dlopens it the first time a command JITs a
 * model. The plugin calls back into the compiler's own functions
 * (kir_print, ...), which bin/spikec exports (linked with -rdynamic).
 * Programs that link the backend directly (tests/llvm) call llvm_build. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "llvm.h"

typedef int (*BuildFn)(const Kir *, const BackendOptions *, CompiledModel *, char *, size_t);
typedef void (*CloseFn)(CompiledModel *);

static BuildFn build_fn;
static CloseFn close_fn;
static const char *(*version_fn)(void);

/* What the plugin calls in bin/spikec: referenced here so that the linker
 * keeps them in the executable, whatever the commands use. */
void (*const llvm_plugin_imports[])(void) = {
	(void (*)(void))kir_print,
	(void (*)(void))kir_workspace_floats,
	(void (*)(void))optim_default,
	(void (*)(void))util_hash,
	(void (*)(void))sb_printf,
	(void (*)(void))sb_puts,
	(void (*)(void))sb_free,
	(void (*)(void))xcalloc,
};

/* Where the plugin may be, in order: $SPIKEC_LLVM_PLUGIN; spikec-llvm.so
 * next to the running executable (the build tree's bin/); and
 * ../lib/spikec/spikec-llvm.so from it (an installed PREFIX/bin/spikec with
 * PREFIX/lib/spikec/, see `make install`). Returns how many paths it wrote
 * into path[0..]. */
static int plugin_paths(char path[][4200])
{
	const char *env = getenv("SPIKEC_LLVM_PLUGIN");
	if (env && *env) {
		snprintf(path[0], sizeof path[0], "%s", env);
		return 1;
	}
	char exe[4096];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
	exe[len > 0 ? len : 0] = 0;
	char *slash = strrchr(exe, '/');
	if (slash)
		slash[1] = 0;
	snprintf(path[0], sizeof path[0], "%sspikec-llvm.so", slash ? exe : "./");
	snprintf(path[1], sizeof path[1], "%s../lib/spikec/spikec-llvm.so", slash ? exe : "./");
	return 2;
}

/* Loads the plugin once; 0, or -1 with a message in err. */
static int plugin_load(char *err, size_t errlen)
{
	if (build_fn)
		return 0;
	char path[2][4200];
	int n = plugin_paths(path), i = 0;
	/* The first path that exists is the plugin. Never closed: LLVM is not
	 * meant to be unloaded. */
	while (i < n && access(path[i], F_OK))
		i++;
	void *h = i < n ? dlopen(path[i], RTLD_NOW | RTLD_LOCAL) : NULL;
	if (!h) {
		char why[9000];
		if (i < n)
			snprintf(why, sizeof why, "%s", dlerror());
		else
			snprintf(why, sizeof why, "no %s%s%s", path[0], n > 1 ? " nor " : "", n > 1 ? path[1] : "");
		snprintf(err, errlen, "the LLVM backend is not available: %s; build it with 'make' "
			 "(or set SPIKEC_LLVM_PLUGIN), or use --backend c", why);
		return -1;
	}
	*(void **)&build_fn = dlsym(h, "llvm_build");
	*(void **)&close_fn = dlsym(h, "llvm_close");
	*(void **)&version_fn = dlsym(h, "llvm_version");
	if (!build_fn || !close_fn || !version_fn) {
		snprintf(err, errlen, "%s is not the spikec LLVM backend (no llvm_build); rebuild it with 'make'",
			 path[i]);
		build_fn = NULL;
		return -1;
	}
	return 0;
}

int llvm_plugin_build(const Kir *k, const BackendOptions *opt, CompiledModel *m, char *err, size_t errlen)
{
	memset(m, 0, sizeof *m);
	if (plugin_load(err, errlen))
		return -1;
	return build_fn(k, opt, m, err, errlen);
}

const char *llvm_plugin_version(char *err, size_t errlen)
{
	return plugin_load(err, errlen) ? NULL : version_fn();
}

void llvm_plugin_close(CompiledModel *m)
{
	if (close_fn)
		close_fn(m);
	memset(m, 0, sizeof *m);
}
