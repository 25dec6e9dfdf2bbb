/* spikec_bench.c: times a model emitted by `spikec emit` through its C API
 * alone, for `make bench` (bench/bench.sh; what and how: docs/bench.md).
 *
 *   spikec_bench train DATA STEPS REPS WARMUP   training steps on DATA's batches
 *   spikec_bench infer DATA RUNS WARMUP         batch-1 forward and streaming latency
 *   spikec_bench check DATA OUTDIR              first step's loss, parameters, gradient
 *
 * DATA is a folder written by `torch_bench.py data`: shape.txt "NB T B I",
 * x.f32 (NB, T, B, I) float32 spikes and labels.i32 (NB, B) int32, shared
 * with the PyTorch side so both sides see the same bytes. Results are one JSON object on stdout.
 * A training step is what train/train.c does per batch minus its checks:
 * zero_grad, forward_train, backward, step. Threads: OPENBLAS_NUM_THREADS.
 *
 * Build: cc -std=c99 -O2 -ftree-vectorize -march=native -I. -DMODEL=m -DMODEL_UPPER=M -include DIR/m.h \
 *        bench/spikec_bench.c io/layout.c DIR/m.c -lopenblas -lm */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include "io/layout.h"
#include <cblas.h>  /* OpenBLAS: openblas_get_config(); it includes <complex.h>, whose I is why
                     * the sizes below are NT, NI, NO */

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define FN(name) CAT(CAT(MODEL, _), name)
#define K(name) CAT(CAT(MODEL_UPPER, _), name)
#define STR_(a) #a
#define STR(a) STR_(a)

enum { NT = K(STEPS), NI = K(INPUTS), NO = K(OUTPUTS), NP = K(NUM_PARAMS), NS = K(STATE_FLOATS) };

/* Wall-clock seconds, and CPU seconds of the whole process (every thread):
 * on a shared machine the second leaves out the time other jobs held the CPU. */
static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void *must_alloc(size_t n)
{
	void *p = calloc(n ? n : 1, 1);
	if (!p) {
		fprintf(stderr, "spikec_bench: out of memory (%zu bytes)\n", n);
		exit(1);
	}
	return p;
}

/* Resident set size now (VmRSS) and at its peak (ru_maxrss), in KiB. */
static long rss_now_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kib = -1;
	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, "VmRSS:", 6))
			kib = atol(line + 6);
	if (f)
		fclose(f);
	return kib;
}

static long rss_peak_kib(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* The shared input: nb batches of `batch` sequences. */
typedef struct {
	float *x;
	int32_t *labels;
	int nb, batch;
} Data;

static long file_bytes(const char *path, FILE *f)
{
	if (fseek(f, 0, SEEK_END) || ftell(f) < 0) {
		fprintf(stderr, "spikec_bench: cannot size %s\n", path);
		exit(1);
	}
	long n = ftell(f);
	rewind(f);
	return n;
}

static void *read_all(const char *dir, const char *name, long *bytes)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "spikec_bench: cannot open %s; write it with `torch_bench.py data %s`\n", path, dir);
		exit(1);
	}
	*bytes = file_bytes(path, f);
	void *p = must_alloc((size_t)*bytes);
	if (fread(p, 1, (size_t)*bytes, f) != (size_t)*bytes) {
		fprintf(stderr, "spikec_bench: cannot read %s\n", path);
		exit(1);
	}
	fclose(f);
	return p;
}

static Data load_data(const char *dir)
{
	Data d;
	long xb, lb;
	int steps = 0, inputs = 0;
	char path[4096];
	snprintf(path, sizeof path, "%s/shape.txt", dir);
	FILE *f = fopen(path, "r");
	if (!f || fscanf(f, "%d %d %d %d", &d.nb, &steps, &d.batch, &inputs) != 4 || steps != NT || inputs != NI) {
		fprintf(stderr, "spikec_bench: %s: want \"NB T B I\" with T = %d, I = %d (torch_bench.py data)\n", path,
			NT, NI);
		exit(1);
	}
	fclose(f);
	d.x = read_all(dir, "x.f32", &xb);
	d.labels = read_all(dir, "labels.i32", &lb);
	if (xb != 4L * d.nb * NT * d.batch * NI || lb != 4L * d.nb * d.batch) {
		fprintf(stderr, "spikec_bench: %s: x.f32 or labels.i32 is not the size shape.txt says\n", dir);
		exit(1);
	}
	return d;
}

static void json_array(const char *key, const double *v, int n, double scale)
{
	printf(", \"%s\": [", key);
	for (int i = 0; i < n; i++)
		printf("%s%.6g", i ? ", " : "", v[i] * scale);
	printf("]");
}

static void header(const char *what)
{
	printf("{\"side\": \"spikec\", \"model\": \"%s\", \"what\": \"%s\", \"threads\": %d, \"blas\": \"%s\"",
	       STR(MODEL), what, openblas_get_num_threads(), openblas_get_config());
}

static int train(const Data *d, int steps, int reps, int warmup)
{
	long base = rss_now_kib();
	int B = d->batch;
	float *params = must_alloc(sizeof(float) * NP), *grads = must_alloc(sizeof(float) * NP);
	float *opt = must_alloc(sizeof(float) * K(OPT_STATE_FLOATS));
	float *ws = must_alloc(sizeof(float) * FN(train_workspace_floats)(B));
	double *rate = must_alloc(sizeof(double) * (size_t)reps), loss = 0;
	double *cpu_rate = must_alloc(sizeof(double) * (size_t)reps);
	long t = 0;
	FN(init)(params, 1);
	for (int r = -1; r < reps; r++) {
		int n = r < 0 ? warmup : steps;
		double t0 = now(), c0 = cpu_now();
		for (int s = 0; s < n; s++) {
			int k = (int)(t % d->nb);
			const float *x = d->x + (size_t)k * NT * B * NI;
			const int32_t *y = d->labels + (size_t)k * B;
			FN(zero_grad)(grads);
			loss = FN(forward_train)(params, x, y, B, NULL, ws);
			FN(backward)(params, x, y, B, grads, ws);
			FN(step)(params, grads, opt, 1e-3f, ++t);
		}
		if (r >= 0) {
			rate[r] = (double)steps * B / (now() - t0);
			cpu_rate[r] = (double)steps * B / (cpu_now() - c0);
		}
	}
	header("train");
	printf(", \"batch\": %d, \"steps_per_rep\": %d, \"warmup_steps\": %d, \"reps\": %d", B, steps, warmup, reps);
	json_array("samples_per_s", rate, reps, 1);
	json_array("samples_per_cpu_s", cpu_rate, reps, 1);
	printf(", \"median_samples_per_s\": %.6g, \"last_loss\": %.6g", median(rate, reps), loss);
	printf(", \"rss_base_kib\": %ld, \"rss_peak_kib\": %ld", base, rss_peak_kib());
	printf(", \"train_workspace_bytes_per_sample\": %.1f}\n",
	       (double)FN(train_workspace_floats)(d->batch) * sizeof(float) / d->batch);
	free(params), free(grads), free(opt), free(ws), free(rate), free(cpu_rate);
	return 0;
}

static int infer(const Data *d, int runs, int warmup)
{
	float *params = must_alloc(sizeof(float) * NP);
	float *x1 = must_alloc(sizeof(float) * NT * NI);
	float *out = must_alloc(sizeof(float) * NO * (K(OUTPUT_TIMED) ? NT : 1));
	float *ws = must_alloc(sizeof(float) * FN(workspace_floats)(1)), *state = must_alloc(sizeof(float) * NS);
	double *fw = must_alloc(sizeof(double) * (size_t)runs), *st = must_alloc(sizeof(double) * (size_t)runs);
	double *fwc = must_alloc(sizeof(double) * (size_t)runs);
	double diff = 0;
	FN(init)(params, 1);
	/* Sequence 0 of batch 0, as a (T, 1, I) batch of one. */
	for (int t = 0; t < NT; t++)
		memcpy(x1 + (size_t)t * NI, d->x + (size_t)t * d->batch * NI, sizeof(float) * NI);
	for (int r = -warmup; r < runs; r++) {
		double t0 = now(), c0 = cpu_now();
		FN(forward)(params, x1, 1, out, ws);
		double t1 = now(), c1 = cpu_now();
		if (r >= 0)
			fw[r] = t1 - t0, fwc[r] = c1 - c0;
	}
	float first = out[0];
	for (int r = -warmup; r < runs; r++) {
		double t0 = now();
		FN(stream_reset)(state);
		for (int t = 0; t < NT; t++)
			FN(stream_step)(params, state, x1 + (size_t)t * NI, out);
		double t1 = now();
		if (r >= 0)
			st[r] = t1 - t0;
	}
	diff = out[0] - first;
	header("infer");
	printf(", \"runs\": %d, \"warmup_runs\": %d", runs, warmup);
	json_array("forward_ms", fw, runs, 1e3);
	json_array("forward_cpu_ms", fwc, runs, 1e3);
	json_array("stream_ms", st, runs, 1e3);
	printf(", \"median_forward_ms\": %.6g, \"median_stream_ms\": %.6g, \"stream_minus_forward_out0\": %.3g}\n",
	       1e3 * median(fw, runs), 1e3 * median(st, runs), diff);
	free(params), free(x1), free(out), free(ws), free(state), free(fw), free(st), free(fwc);
	return 0;
}

static void write_floats(const char *dir, const char *name, const float *v, long n)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(v, sizeof(float), (size_t)n, f) != (size_t)n || fclose(f)) {
		fprintf(stderr, "spikec_bench: cannot write %s\n", path);
		exit(1);
	}
}

/* The first training step on batch 0 from m_init(seed 1): its loss, and the
 * parameters and gradient for torch_bench.py check to compare against. */
static int check(const Data *d, const char *outdir)
{
	int B = d->batch;
	float *params = must_alloc(sizeof(float) * NP), *grads = must_alloc(sizeof(float) * NP);
	float *ws = must_alloc(sizeof(float) * FN(train_workspace_floats)(B));
	FN(init)(params, 1);
	FN(zero_grad)(grads);
	float loss = FN(forward_train)(params, d->x, d->labels, B, NULL, ws);
	FN(backward)(params, d->x, d->labels, B, grads, ws);
	float *torch = must_alloc(sizeof(float) * NP);  /* PyTorch's order (io/layout.h) */
	for (int k = 0; FN(tensors)[k].name; k++)
		layout_to_torch(torch + FN(tensors)[k].offset, params + FN(tensors)[k].offset, FN(tensors)[k].rank,
				FN(tensors)[k].shape);
	write_floats(outdir, STR(MODEL) ".params.f32", torch, NP);
	for (int k = 0; FN(tensors)[k].name; k++)
		layout_to_torch(torch + FN(tensors)[k].offset, grads + FN(tensors)[k].offset, FN(tensors)[k].rank,
				FN(tensors)[k].shape);
	write_floats(outdir, STR(MODEL) ".grads.f32", torch, NP);
	free(torch);
	header("check");
	printf(", \"loss\": %.9g}\n", (double)loss);
	free(params), free(grads), free(ws);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: spikec_bench train DATA STEPS REPS WARMUP | infer DATA RUNS WARMUP | "
			"check DATA OUTDIR\n");
		return 1;
	}
	Data d = load_data(argv[2]);
	if (!strcmp(argv[1], "train") && argc == 6)
		return train(&d, atoi(argv[3]), atoi(argv[4]), atoi(argv[5]));
	if (!strcmp(argv[1], "infer") && argc == 5)
		return infer(&d, atoi(argv[3]), atoi(argv[4]));
	if (!strcmp(argv[1], "check") && argc == 4)
		return check(&d, argv[3]);
	fprintf(stderr, "spikec_bench: bad arguments; see the comment at the top of bench/spikec_bench.c\n");
	return 1;
}
