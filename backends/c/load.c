/* load.c: see load.h. */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "emit.h"
#include "load.h"
#include "io/fileio.h"

/* $SPIKEC_CACHE, else $XDG_CACHE_HOME/spikec, else ~/.cache/spikec, else /tmp. */
static void cache_root(char *buf, size_t n)
{
	const char *env = getenv("SPIKEC_CACHE"), *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	if (env && *env)
		snprintf(buf, n, "%s", env);
	else if (xdg && *xdg)
		snprintf(buf, n, "%s/spikec", xdg);
	else if (home && *home)
		snprintf(buf, n, "%s/.cache/spikec", home);
	else
		snprintf(buf, n, "/tmp/spikec-%ld", (long)getuid());
}

static int write_file(const char *path, const StrBuf *sb)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	int ok = fwrite(sb->buf, 1, sb->len, f) == sb->len;
	return fclose(f) == 0 && ok ? 0 : -1;
}

static void *sym(CompiledModel *m, const Kir *k, const char *name, char *err, size_t errlen)
{
	char full[256];
	snprintf(full, sizeof full, "%s_%s", k->model, name);
	void *p = dlsym(m->handle, full);
	if (!p)
		snprintf(err, errlen, "internal error: emitted library lacks '%s'", full);
	return p;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int cload_build(const Kir *k, const BackendOptions *opt, CompiledModel *m, char *err, size_t errlen)
{
	memset(m, 0, sizeof *m);
	const char *cc = getenv("CC") && *getenv("CC") ? getenv("CC") : "cc";
	char cmd[16384], root[3072], dir[3600], so[3800];
	StrBuf c = {0}, h = {0};
	double t0 = now();
	if (backend_refuses(k, opt, err, errlen))
		return 1;
	cemit_source(k, opt, &c);
	cemit_header(k, opt, &h);
	/* No FP contraction: clang would fuse a*b+c, changing results' last bits.
	 * -ftree-vectorize: gcc 12's -O2 vectorizes only loops that need no
	 * scalar epilogue; vectorizing elementwise loops changes no bits. */
	const char *flags = "-std=c99 -O2 -ftree-vectorize -march=native -ffp-contract=off -fPIC -shared";
	uint64_t key = util_hash(c.buf, c.len, util_hash(h.buf, h.len, util_hash(flags, strlen(flags),
		util_hash(cc, strlen(cc), UTIL_HASH_SEED))));
	cache_root(root, sizeof root);
	snprintf(dir, sizeof dir, "%s/%016llx", root, (unsigned long long)key);
	snprintf(so, sizeof so, "%s/%s.so", dir, k->model);
	int rc = -1;
	if (access(so, R_OK) != 0) {
		char path[3900];
		if (fileio_mkdirs(dir)) {
			snprintf(err, errlen, "cannot create cache directory '%s': %s (set SPIKEC_CACHE)", dir,
				 strerror(errno));
			goto out;
		}
		snprintf(path, sizeof path, "%s/%s.c", dir, k->model);
		int w = write_file(path, &c);
		snprintf(path, sizeof path, "%s/%s.h", dir, k->model);
		if (w || write_file(path, &h)) {
			snprintf(err, errlen, "cannot write to cache directory '%s': %s", dir, strerror(errno));
			goto out;
		}
		snprintf(cmd, sizeof cmd, "%s %s -o '%s/%s.so.%ld' '%s/%s.c' -lopenblas -lm 2> '%s/cc.log'", cc, flags,
			 dir, k->model, (long)getpid(), dir, k->model, dir);
		int st = system(cmd);
		if (st != 0) {
			snprintf(err, errlen, "compiling the emitted C failed (%s; see %s/cc.log)%s",
				 WIFEXITED(st) ? "compiler error" : "compiler did not run", dir,
				 WIFEXITED(st) && WEXITSTATUS(st) == 127 ? ": no C compiler found; set CC" : "");
			goto out;
		}
		snprintf(path, sizeof path, "%s/%s.so.%ld", dir, k->model, (long)getpid());
		if (rename(path, so)) {
			snprintf(err, errlen, "cannot rename '%s': %s", path, strerror(errno));
			goto out;
		}
		m->compile_seconds = now() - t0;
	}
	m->handle = dlopen(so, RTLD_NOW | RTLD_LOCAL);
	if (!m->handle) {
		snprintf(err, errlen, "cannot load '%s': %s", so, dlerror());
		goto out;
	}
	if (!k->quant)  /* a quantized model has no init */
		*(void **)&m->init = sym(m, k, "init", err, errlen);
	*(void **)&m->workspace_floats = sym(m, k, "workspace_floats", err, errlen);
	*(void **)&m->forward = sym(m, k, "forward", err, errlen);
	*(void **)&m->stream_reset = sym(m, k, "stream_reset", err, errlen);
	*(void **)&m->stream_step = sym(m, k, "stream_step", err, errlen);
	m->tensors = sym(m, k, "tensors", err, errlen);
	rc = (m->init || k->quant) && m->workspace_floats && m->forward && m->stream_reset && m->stream_step && m->tensors ? 0 : -1;
	if (!rc && k->has_train) {
		*(void **)&m->train_workspace_floats = sym(m, k, "train_workspace_floats", err, errlen);
		*(void **)&m->forward_train = sym(m, k, "forward_train", err, errlen);
		*(void **)&m->backward = sym(m, k, "backward", err, errlen);
		*(void **)&m->zero_grad = sym(m, k, "zero_grad", err, errlen);
		*(void **)&m->step = sym(m, k, "step", err, errlen);
		char name[256];
		snprintf(name, sizeof name, "%s_backward_inputs", k->model);
		*(void **)&m->backward_inputs = dlsym(m->handle, name);  /* optional */
		if (k->dropout_key >= 0)
			*(void **)&m->dropout_key = sym(m, k, "dropout_key", err, errlen);
		m->spikes = sym(m, k, "spikes", err, errlen);
		*(void **)&m->spike_counts = sym(m, k, "spike_counts", err, errlen);
		rc = m->train_workspace_floats && m->forward_train && m->backward && m->zero_grad && m->step &&
		     m->spikes && m->spike_counts && (k->dropout_key < 0 || m->dropout_key) ? 0 : -1;
	}
out:
	sb_free(&c);
	sb_free(&h);
	return rc;
}

void cload_close(CompiledModel *m)
{
	if (m->handle)
		dlclose(m->handle);
	memset(m, 0, sizeof *m);
}
