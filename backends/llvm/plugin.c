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
#include <string.h>
#include "io/fileio.h"
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

/* Loads the plugin once; 0, or -1 with a message in err. */
static int plugin_load(char *err, size_t errlen)
{
	if (build_fn)
		return 0;
	char path[4200], why[9000];
	/* Never closed: LLVM is not meant to be unloaded. */
	void *h = fileio_plugin_open("SPIKEC_LLVM_PLUGIN", "spikec-llvm.so", RTLD_NOW | RTLD_LOCAL, path, sizeof path,
				     why, sizeof why);
	if (!h) {
		snprintf(err, errlen, "the LLVM backend is not available: %s; build it with 'make' "
			 "(or set SPIKEC_LLVM_PLUGIN), or use --backend c", why);
		return -1;
	}
	*(void **)&build_fn = dlsym(h, "llvm_build");
	*(void **)&close_fn = dlsym(h, "llvm_close");
	*(void **)&version_fn = dlsym(h, "llvm_version");
	if (!build_fn || !close_fn || !version_fn) {
		snprintf(err, errlen, "%s is not the spikec LLVM backend (no llvm_build); rebuild it with 'make'",
			 path);
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
