/* backend_bench.c: the two backends side by side (`make bench`, through
 * bench/compile_bench.sh). For each model file:
 *
 *   compile, cold    building the module with an empty cache: LLVM (codegen,
 *                    O2, object, JIT link) against emitted C (emit, cc -O2
 *                    -march=native, dlopen)
 *   compile, cached  the same with the cache warm: loading the cached object
 *                    or shared library
 *   train            samples/s of forward_train + zero_grad + backward + step
 *                    on random data, at the train block's batch size (32 without one)
 *
 * Each figure is the median of RUNS runs. Linked like tests/llvm/parity.c.
 *
 *   backend_bench MODEL.snn...   one table row per model and backend */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "backends/c/load.h"
#include "backends/llvm/llvm.h"
#include "cli/pipeline.h"

enum { RUNS = 3 };

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v)
{
	qsort(v, RUNS, sizeof *v, cmp_double);
	return v[RUNS / 2];
}

typedef int (*BuildFn)(const Kir *, const BackendOptions *, CompiledModel *, char *, size_t);

static void close_module(int llvm, CompiledModel *m)
{
	if (llvm)
		llvm_close(m);
	else
		cload_close(m);
}

/* Seconds to build with an empty cache (a fresh directory per run), then
 * with the cache of the last run. */
static int compile_times(int llvm, const Kir *k, const BackendOptions *o, double *cold, double *hot)
{
	BuildFn build = llvm ? llvm_build : cload_build;
	char err[1024], dir[64];
	double c[RUNS], h[RUNS];
	for (int r = 0; r < RUNS; r++) {
		snprintf(dir, sizeof dir, "/tmp/spikec-bench-XXXXXX");
		if (!mkdtemp(dir)) {
			perror("mkdtemp");
			return -1;
		}
		setenv("SPIKEC_CACHE", dir, 1);
		CompiledModel m;
		for (int pass = 0; pass < 2; pass++) {
			double t0 = now();
			if (build(k, o, &m, err, sizeof err)) {
				fprintf(stderr, "backend_bench: %s\n", err);
				return -1;
			}
			(pass ? h : c)[r] = now() - t0;
			close_module(llvm, &m);
		}
		char cmd[128];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "backend_bench: could not remove %s\n", dir);
	}
	*cold = median(c);
	*hot = median(h);
	return 0;
}

static uint32_t lcg = 1;

static float uniform(void)
{
	lcg = lcg * 1664525u + 1013904223u;
	return (float)(lcg >> 8) / 16777216.0f;
}

/* Training samples per second, median over RUNS timed runs of at least
 * 0.3 s each, after two warm-up steps. */
static double train_rate(const CompiledModel *m, const Kir *k, int batch, float lr)
{
	size_t np = (size_t)k->nparams, ni = 0, nl;
	for (int b = 0; b < k->bufs.len; b++)
		if (k->bufs.items[b].cls == KB_INPUT)
			ni = (size_t)k->steps * (size_t)batch * (size_t)k->bufs.items[b].type.dim[0];
	const KBuf *lb = &k->bufs.items[k->labels];
	nl = (size_t)batch * (lb->type.timed ? (size_t)k->steps : 1) * (size_t)(lb->type.rank ? lb->type.dim[0] : 1);
	int classes = k->bufs.items[k->train_output].type.dim[0];
	float *params = xcalloc(np + 1, sizeof(float)), *grads = xcalloc(np + 1, sizeof(float));
	float *opt = xcalloc(2 * np + 1, sizeof(float)), *x = xcalloc(ni + 1, sizeof(float));
	float *ws = xcalloc(m->train_workspace_floats(batch) + 1, sizeof(float));
	void *labels = xcalloc(nl + 1, 4);
	for (size_t i = 0; i < ni; i++)
		x[i] = uniform() < 0.3f;
	for (size_t i = 0; i < nl; i++) {
		if (lb->type.dtype == DT_I32)
			((int32_t *)labels)[i] = (int32_t)(uniform() * (float)classes) % classes;
		else
			((float *)labels)[i] = uniform();
	}
	m->init(params, 1);
	double rate[RUNS];
	long t = 0;
	for (int r = -1; r < RUNS; r++) {
		long steps = 0;
		double t0 = now(), el;
		do {
			m->forward_train(params, x, labels, batch, NULL, ws);
			m->zero_grad(grads);
			m->backward(params, x, labels, batch, grads, ws);
			m->step(params, grads, opt, lr, ++t);
			steps++;
			el = now() - t0;
		} while (r < 0 ? steps < 2 : el < 0.3);
		if (r >= 0)
			rate[r] = (double)steps * batch / el;
	}
	free(params), free(grads), free(opt), free(x), free(ws), free(labels);
	return median(rate);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: backend_bench MODEL.snn...\n");
		return 2;
	}
	/* Training builds use the caller's cache ($SPIKEC_CACHE), not the
	 * throw-away ones of compile_times. */
	const char *cache = getenv("SPIKEC_CACHE");
	char *keep = cache ? xstrdup(cache) : NULL;
	printf("%-26s %-7s %12s %14s %16s\n", "model", "backend", "compile cold", "compile cached", "train samples/s");
	for (int i = 1; i < argc; i++) {
		Compilation c = {0};
		if (pipeline_compile(&c, argv[i], NULL))
			return 1;
		TrainConfig tc;
		if (c.has_train)
			tc = c.train;
		else
			train_defaults(&tc);
		BackendOptions o = pipeline_backend_options(&c, argv[i]);
		int batch = c.has_train ? tc.batch : 32;
		for (int llvm = 1; llvm >= 0; llvm--) {
			double cold, hot, rate = 0;
			if (compile_times(llvm, c.kir, &o, &cold, &hot))
				return 1;
			if (keep)
				setenv("SPIKEC_CACHE", keep, 1);
			else
				unsetenv("SPIKEC_CACHE");
			if (c.kir->has_train) {
				CompiledModel m;
				char err[1024];
				if ((llvm ? llvm_build : cload_build)(c.kir, &o, &m, err, sizeof err)) {
					fprintf(stderr, "backend_bench: %s\n", err);
					return 1;
				}
				rate = train_rate(&m, c.kir, batch, (float)tc.optim.lr);
				close_module(llvm, &m);
			}
			printf("%-26s %-7s %10.3fs %13.4fs %16.0f\n", c.kir->model, llvm ? "llvm" : "c", cold, hot, rate);
			fflush(stdout);
		}
		pipeline_free(&c);
	}
	free(keep);
	return 0;
}
