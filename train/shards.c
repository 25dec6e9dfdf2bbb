/* shards.c: see shards.h. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/gemm.h"
#include "mem/mem.h"
#include "shards.h"

/* A shard's results (its record: loss, counts, grads, out) lie in the
 * records of all shards, one array that ranks exchange whole: rank r's
 * shards are i = r, r + size, ..., and their records the r-th contiguous
 * part of it. Only a shard of this rank has inputs and a workspace. */
typedef struct {
	int r0, rows;             /* its rows of a full batch */
	int mine;                 /* run by this rank */
	float *x, *targets, *ws;
	float *rec, *out, *grads, *counts;  /* in Shards.recs */
	size_t ws_floats;
	int32_t *labels;
} Shard;

struct Shards {
	const TrainModel *m;
	const Comm *comm;
	int batch, train, threads, nspikes, ranks, rank;
	Shard shard[TRAIN_SHARDS];
	float *recs;
	size_t rec_floats;
	/* the call being run */
	const float *params;
	int n;
	uint32_t seed;            /* the dropout key's (shards_dropout) */
	uint64_t step;
};

static size_t up16(size_t n)
{
	return (n + 15) / 16 * 16;
}

Shards *shards_new(const TrainModel *m, int batch, int train, int threads, const Comm *comm)
{
	Shards *s = xcalloc(1, sizeof *s);
	s->m = m, s->batch = batch, s->train = train, s->threads = threads < 1 ? 1 : threads;
	s->comm = comm, s->ranks = comm ? comm->size : 1, s->rank = comm ? comm->rank : 0;
	while (m->spikes && m->spikes[s->nspikes].name)
		s->nspikes++;
	gemm_single_threaded();
	size_t T = (size_t)m->steps, most = (size_t)(batch + TRAIN_SHARDS - 1) / TRAIN_SHARDS;
	size_t out_floats = (m->output_timed ? T : 1) * most * (size_t)m->outputs;
	/* loss, counts, grads, out, each from a multiple of 16 floats */
	size_t nc = up16((size_t)s->nspikes + 1), ng = up16((size_t)m->nparams);
	s->rec_floats = train ? 16 + nc + ng + up16(out_floats) : up16(out_floats);
	s->recs = xcalloc(TRAIN_SHARDS * s->rec_floats, sizeof(float));
	int per_rank = TRAIN_SHARDS / s->ranks;
	for (int i = 0; i < TRAIN_SHARDS; i++) {
		Shard *h = &s->shard[i];
		h->r0 = (int)((long)batch * i / TRAIN_SHARDS);
		h->rows = (int)((long)batch * (i + 1) / TRAIN_SHARDS) - h->r0;
		h->rec = s->recs + (size_t)(i % s->ranks * per_rank + i / s->ranks) * s->rec_floats;
		h->counts = train ? h->rec + 16 : NULL;
		h->grads = train ? h->counts + nc : NULL;
		h->out = train ? h->grads + ng : h->rec;
		h->mine = i % s->ranks == s->rank;
		if (!h->mine)
			continue;
		size_t R = (size_t)h->rows;
		h->ws_floats = train ? m->train_workspace_floats(h->rows) : m->workspace_floats(h->rows);
		h->x = xcalloc(1, sizeof(float) * T * R * (size_t)m->inputs);
		h->labels = xcalloc(1, sizeof(int32_t) * T * R);
		h->targets = xcalloc(1, sizeof(float) * T * R * (size_t)m->outputs);
		h->ws = xcalloc(1, sizeof(float) * h->ws_floats);
	}
	return s;
}

size_t shards_exchange_bytes(const Shards *s)
{
	return s->ranks > 1 ? TRAIN_SHARDS * s->rec_floats * sizeof(float) : 0;
}

void shards_free(Shards *s)
{
	if (!s)
		return;
	for (int i = 0; i < TRAIN_SHARDS; i++) {
		Shard *h = &s->shard[i];
		free(h->x), free(h->labels), free(h->targets), free(h->ws);
	}
	free(s->recs);
	free(s);
}

void shards_reset(Shards *s)
{
	for (int i = 0; i < TRAIN_SHARDS; i++)
		if (s->shard[i].mine)
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
	if (m->dropout_key)
		m->dropout_key(h->ws, rows, s->seed, s->step, (uint64_t)h->r0);
	h->rec[0] = m->forward_train(s->params, h->x, lab, rows, h->out, h->ws);
	if (s->nspikes)
		m->spike_counts(h->ws, rows, h->counts);
	m->zero_grad(h->grads);
	m->backward(s->params, h->x, lab, rows, h->grads, h->ws);
}

typedef struct {
	Shards *s;
	int tid;
} Worker;

/* Shard j of this rank's: rank + j * ranks. */
static Shard *my_shard(Shards *s, int j)
{
	return &s->shard[s->rank + j * s->ranks];
}

static void *worker(void *arg)
{
	Worker *w = arg;
	for (int j = w->tid; j < TRAIN_SHARDS / w->s->ranks; j += w->s->threads)
		run_shard(w->s, my_shard(w->s, j));
	return NULL;
}

/* Runs this rank's shards, thread t taking its shards t, t + threads, ...;
 * then every rank has every shard's record. */
static void run_all(Shards *s)
{
	int mine = TRAIN_SHARDS / s->ranks, nt = s->threads < mine ? s->threads : mine;
	pthread_t th[TRAIN_SHARDS];
	Worker w[TRAIN_SHARDS];
	int started[TRAIN_SHARDS] = {0};
	for (int t = 0; t < nt; t++)
		w[t] = (Worker){s, t};
	for (int t = 1; t < nt; t++)
		started[t] = pthread_create(&th[t], NULL, worker, &w[t]) == 0;
	/* A thread that could not start leaves its shards to this one. */
	for (int j = 0; j < mine; j++)
		if (j % nt == 0 || !started[j % nt])
			run_shard(s, my_shard(s, j));
	for (int t = 1; t < nt; t++)
		if (started[t])
			pthread_join(th[t], NULL);
	comm_allgather(s->comm, s->recs, (size_t)mine * s->rec_floats * sizeof(float));
}

static void scatter(Shards *s, const float *x, const int32_t *labels, const float *targets, int n)
{
	const TrainModel *m = s->m;
	int T = m->steps, lt = m->per_step ? T : 1;
	for (int i = 0; i < TRAIN_SHARDS; i++) {
		Shard *h = &s->shard[i];
		int rows = rows_in(h, n);
		if (!rows || !h->mine)
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

void shards_dropout(Shards *s, uint32_t seed, uint64_t step)
{
	s->seed = seed, s->step = step;
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
		loss += (double)w * h->rec[0];
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
