/* shards.c: see shards.h. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/gemm.h"
#include "mem/mem.h"
#include "shards.h"

typedef struct {
	int r0, rows;             /* its rows of a full batch */
	float *x, *targets, *out, *ws, *grads, *counts;
	size_t ws_floats;
	int32_t *labels;
	float loss;
} Shard;

struct Shards {
	const TrainModel *m;
	int batch, train, threads, nspikes;
	Shard shard[TRAIN_SHARDS];
	/* the call being run */
	const float *params;
	int n;
};

Shards *shards_new(const TrainModel *m, int batch, int train, int threads)
{
	Shards *s = xcalloc(1, sizeof *s);
	s->m = m, s->batch = batch, s->train = train, s->threads = threads < 1 ? 1 : threads;
	while (m->spikes && m->spikes[s->nspikes].name)
		s->nspikes++;
	gemm_single_threaded();
	size_t T = (size_t)m->steps;
	for (int i = 0; i < TRAIN_SHARDS; i++) {
		Shard *h = &s->shard[i];
		h->r0 = (int)((long)batch * i / TRAIN_SHARDS);
		h->rows = (int)((long)batch * (i + 1) / TRAIN_SHARDS) - h->r0;
		size_t R = (size_t)h->rows;
		h->ws_floats = train ? m->train_workspace_floats(h->rows) : m->workspace_floats(h->rows);
		h->x = xcalloc(1, sizeof(float) * T * R * (size_t)m->inputs);
		h->labels = xcalloc(1, sizeof(int32_t) * T * R);
		h->targets = xcalloc(1, sizeof(float) * T * R * (size_t)m->outputs);
		h->out = xcalloc(1, sizeof(float) * (m->output_timed ? T : 1) * R * (size_t)m->outputs);
		h->ws = xcalloc(1, sizeof(float) * h->ws_floats);
		h->grads = train ? xcalloc(1, sizeof(float) * (size_t)m->nparams) : NULL;
		h->counts = xcalloc(1, sizeof(float) * (size_t)(s->nspikes + 1));
	}
	return s;
}

void shards_free(Shards *s)
{
	if (!s)
		return;
	for (int i = 0; i < TRAIN_SHARDS; i++) {
		Shard *h = &s->shard[i];
		free(h->x), free(h->labels), free(h->targets), free(h->out), free(h->ws), free(h->grads), free(h->counts);
	}
	free(s);
}

void shards_reset(Shards *s)
{
	for (int i = 0; i < TRAIN_SHARDS; i++)
		memset(s->shard[i].ws, 0, sizeof(float) * s->shard[i].ws_floats);
}

/* The rows of shard h present in a batch of n. */
static int rows_in(const Shard *h, int n)
{
	int r = n - h->r0;
	return r < 0 ? 0 : r < h->rows ? r : h->rows;
}

/* Copies rows [r0, r0 + rows) of src (steps, n, w) to dst (steps, rows, w),
 * or back when `back`. */
static void slice(void *dst, const void *src, int steps, int n, int r0, int rows, size_t w, int back)
{
	for (int t = 0; t < steps; t++) {
		char *a = (char *)dst + (size_t)t * rows * w, *b = (char *)src + ((size_t)t * n + r0) * w;
		if (back)
			memcpy(b, a, (size_t)rows * w);
		else
			memcpy(a, b, (size_t)rows * w);
	}
}

static void run_shard(Shards *s, Shard *h)
{
	const TrainModel *m = s->m;
	int rows = rows_in(h, s->n);
	if (!rows)
		return;
	if (!s->train) {
		m->forward(s->params, h->x, rows, h->out, h->ws);
		return;
	}
	const void *lab = m->classes ? (const void *)h->labels : (const void *)h->targets;
	h->loss = m->forward_train(s->params, h->x, lab, rows, h->out, h->ws);
	if (s->nspikes)
		m->spike_counts(h->ws, rows, h->counts);
	m->zero_grad(h->grads);
	m->backward(s->params, h->x, lab, rows, h->grads, h->ws);
}

typedef struct {
	Shards *s;
	int tid;
} Worker;

static void *worker(void *arg)
{
	Worker *w = arg;
	for (int i = w->tid; i < TRAIN_SHARDS; i += w->s->threads)
		run_shard(w->s, &w->s->shard[i]);
	return NULL;
}

/* Runs every shard, thread t taking shards t, t + threads, ... */
static void run_all(Shards *s)
{
	int nt = s->threads < TRAIN_SHARDS ? s->threads : TRAIN_SHARDS;
	pthread_t th[TRAIN_SHARDS];
	Worker w[TRAIN_SHARDS];
	int started[TRAIN_SHARDS] = {0};
	for (int t = 0; t < nt; t++)
		w[t] = (Worker){s, t};
	for (int t = 1; t < nt; t++)
		started[t] = pthread_create(&th[t], NULL, worker, &w[t]) == 0;
	/* A thread that could not start leaves its shards to this one. */
	for (int i = 0; i < TRAIN_SHARDS; i++)
		if (i % nt == 0 || !started[i % nt])
			run_shard(s, &s->shard[i]);
	for (int t = 1; t < nt; t++)
		if (started[t])
			pthread_join(th[t], NULL);
}

static void scatter(Shards *s, const float *x, const int32_t *labels, const float *targets, int n)
{
	const TrainModel *m = s->m;
	int T = m->steps, lt = m->per_step ? T : 1;
	for (int i = 0; i < TRAIN_SHARDS; i++) {
		Shard *h = &s->shard[i];
		int rows = rows_in(h, n);
		if (!rows)
			continue;
		slice(h->x, x, T, n, h->r0, rows, sizeof(float) * (size_t)m->inputs, 0);
		if (labels)
			slice(h->labels, labels, lt, n, h->r0, rows, sizeof(int32_t), 0);
		if (targets)
			slice(h->targets, targets, lt, n, h->r0, rows, sizeof(float) * (size_t)m->outputs, 0);
	}
}

static void gather_out(Shards *s, float *out, int n)
{
	const TrainModel *m = s->m;
	for (int i = 0; i < TRAIN_SHARDS; i++) {
		Shard *h = &s->shard[i];
		int rows = rows_in(h, n);
		if (rows)
			slice(h->out, out, m->output_timed ? m->steps : 1, n, h->r0, rows,
			      sizeof(float) * (size_t)m->outputs, 1);
	}
}

float shards_train(Shards *s, const float *params, const float *x, const int32_t *labels, const float *targets,
		   int n, float *out, float *grads, float *counts)
{
	const TrainModel *m = s->m;
	if (n > s->batch || !s->train) {
		fprintf(stderr, "spikec: internal error: a batch of %d for shards of %d\n", n, s->batch);
		abort();
	}
	s->params = params, s->n = n;
	scatter(s, x, m->classes ? labels : NULL, m->classes ? NULL : targets, n);
	run_all(s);
	gather_out(s, out, n);
	/* Each shard's loss and gradient are means over its rows: weigh them
	 * by its share of the batch, add in shard order. */
	double loss = 0;
	int first = 1;
	if (counts)
		memset(counts, 0, sizeof(float) * (size_t)(s->nspikes + 1));
	for (int i = 0; i < TRAIN_SHARDS; i++) {
		Shard *h = &s->shard[i];
		int rows = rows_in(h, n);
		if (!rows)
			continue;
		float w = (float)((double)rows / n);
		loss += (double)w * h->loss;
		for (long j = 0; j < m->nparams; j++)
			grads[j] = first ? w * h->grads[j] : grads[j] + w * h->grads[j];
		first = 0;
		for (int k = 0; counts && k < s->nspikes; k++)
			counts[k] += h->counts[k];
	}
	return (float)loss;
}

void shards_forward(Shards *s, const float *params, const float *x, int n, float *out)
{
	if (n > s->batch || s->train) {
		fprintf(stderr, "spikec: internal error: a forward batch of %d for shards of %d\n", n, s->batch);
		abort();
	}
	s->params = params, s->n = n;
	scatter(s, x, NULL, NULL, n);
	run_all(s);
	gather_out(s, out, n);
}
