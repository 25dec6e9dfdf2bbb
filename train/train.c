/* train.c: the training driver (see train.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "data.h"
#include "io/layout.h"
#include "mem/mem.h"
#include "outdir.h"
#include "shards.h"
#include "io/safetensors.h"
#include "runtime/gemm.h"
#include "train.h"
#include "checkpoint.h"
#include "compiler/util.h"
#include "compiler/version.h"

static const double LN2 = 0.69314718055994530942;  /* nats per bit */

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The learning rate of `epoch` (0-based) under the schedule. */
static double schedule_lr(const TrainConfig *tc, int epoch, int epochs)
{
	double lr = tc->optim.lr;
	switch (tc->schedule.kind) {
	case SCHEDULE_STEP: return lr * pow(tc->schedule.gamma, epoch / tc->schedule.every);
	case SCHEDULE_COSINE:
		return tc->schedule.min_lr +
		       (lr - tc->schedule.min_lr) * 0.5 * (1 + cos(3.14159265358979323846 * epoch / epochs));
	default: return lr;
	}
}

static const char *tensor_name_nonfinite(const TrainModel *m, const float *a)
{
	for (const TrainTensor *t = m->tensors; t->name; t++) {
		long n = t->rank == 2 ? (long)t->shape[0] * t->shape[1] : t->shape[0];
		for (long i = 0; i < n; i++)
			if (!isfinite(a[t->offset + i]))
				return t->name;
	}
	return NULL;
}

/* ---- one pass over a split ---------------------------------------------- */

typedef struct {
	float *x, *targets, *out;
	int32_t *labels;
	int *idx;
} Batch;

static void batch_alloc(Batch *b, const TrainModel *m, int batch)
{
	size_t T = (size_t)m->steps, B = (size_t)batch;
	b->x = xcalloc(1, sizeof(float) * T * B * (size_t)m->inputs);
	b->labels = xcalloc(1, sizeof(int32_t) * T * B);
	b->targets = xcalloc(1, sizeof(float) * T * B * (size_t)m->outputs);
	b->out = xcalloc(1, sizeof(float) * (m->output_timed ? T : 1) * B * (size_t)m->outputs);
	b->idx = xcalloc(1, sizeof(int) * B);
}

static void batch_free(Batch *b)
{
	free(b->x), free(b->labels), free(b->targets), free(b->out), free(b->idx);
}

/* Loss and correct predictions of outputs `out` for `batch` samples. */
static void score(const TrainModel *m, const Batch *b, int batch, double *loss, long *correct, long *count)
{
	int rows = batch * (m->output_timed ? m->steps : 1), n = m->outputs;
	for (int r = 0; r < rows; r++) {
		const float *y = b->out + (size_t)r * n;
		if (m->classes) {
			int best = 0;
			double mx = y[0], s = 0;
			for (int j = 1; j < n; j++)
				if (y[j] > y[best])
					best = j;
			mx = y[best];
			for (int j = 0; j < n; j++)
				s += exp(y[j] - mx);
			int label = b->labels[r];
			*loss += log(s) + mx - y[label];
			*correct += best == label;
			*count += 1;
		} else {
			for (int j = 0; j < n; j++) {
				double d = y[j] - b->targets[(size_t)r * n + j];
				*loss += d * d;
				*count += 1;
			}
		}
	}
}

/* Both halves of the block's data set, on every rank of comm (NULL: one
 * process); -1 on every rank after one printed why not (comm_agree). */
static int load_data(const TrainConfig *tc, DataSplit *data, const Comm *comm)
{
	char err[1024] = "";
	int loaded = !data_load(&tc->data, data, err, sizeof err);
	if (comm_agree(comm, err))
		return 0;
	if (loaded)
		data_free(data);
	return -1;
}

/* The test batch of the samples from `at` of the first `total` of d into
 * b, encoded as evaluation encodes them; its rows. A split smaller than a
 * batch (the toy signal) is a batch of independent spike draws of it. */
static int test_batch(const TrainModel *m, const TrainConfig *tc, const Dataset *d, long at, long total, Batch *b)
{
	int eb = tc->eval_batch;
	int n = total < eb ? eb : total - at < eb ? (int)(total - at) : eb;
	for (int i = 0; i < n; i++)
		b->idx[i] = (int)((at + i) % d->count);
	data_batch(d, &tc->data, b->idx, n, tc->seed, 0, b->x, b->labels, b->targets, m->per_step);
	return n;
}

int train_evaluate(const TrainModel *m, const TrainConfig *tc, const float *params, int threads, const Comm *comm,
		   EvalResult *r)
{
	DataSplit data;
	if (load_data(tc, &data, comm))
		return -1;
	const Dataset *d = &data.test;
	int eb = tc->eval_batch;
	Batch b;
	batch_alloc(&b, m, eb);
	Shards *sh = shards_new(m, eb, 0, threads, comm);
	double loss = 0, warm = 0;
	long correct = 0, count = 0, nwarm = 0, samples = 0;
	for (int at = 0; at < d->count; at += eb) {
		int n = test_batch(m, tc, d, at, d->count, &b);
		shards_forward(sh, params, b.x, n, b.out);
		score(m, &b, n, &loss, &correct, &count);
		samples += n;
		if (d->warm_rmse && m->output_timed)
			for (int t = d->warm_from; t < m->steps; t++) {
				for (size_t i = (size_t)t * n * m->outputs; i < (size_t)(t + 1) * n * m->outputs; i++) {
					double e = b.out[i] - b.targets[i];
					warm += e * e;
					nwarm++;
				}
			}
	}
	r->rmse_warm = nwarm ? sqrt(warm / nwarm) : 0;
	r->unigram_bits = d->unigram_bits;
	r->bits_per_char = d->bits_per_char;
	r->samples = samples;
	r->loss = count ? loss / count : 0;
	r->accuracy = m->classes && count ? (double)correct / count : 0;
	r->rmse = !m->classes && count ? sqrt(loss / count) : 0;
	shards_free(sh);
	batch_free(&b);
	data_free(&data);
	return 0;
}

/* ---- spike tallies (spikec report) -------------------------------------- */

void train_tally_batch(const TrainModel *m, const float *params, const float *x, const void *labels, int n,
		       float *ws, SpikeTally *t)
{
	int nspikes = 0;
	while (m->spikes && m->spikes[nspikes].name)
		nspikes++;
	float *counts = xcalloc((size_t)nspikes + 1, sizeof(float));
	gemm_single_threaded();
	for (size_t i = 0; i < (size_t)m->steps * n * m->inputs; i++)
		t->input_ones += x[i] != 0;
	m->forward_train(params, x, labels, n, NULL, ws);
	m->spike_counts(ws, n, counts);
	for (int s = 0; s < nspikes; s++)
		t->counts[s] += counts[s];
	t->samples += n;
	free(counts);
}

int train_tally_test(const TrainModel *m, const TrainConfig *tc, const float *params, long max_samples,
		     SpikeTally *t)
{
	DataSplit data;
	if (load_data(tc, &data, NULL))
		return -1;
	const Dataset *d = &data.test;
	long total = max_samples > 0 && max_samples < d->count ? max_samples : d->count;
	int eb = tc->eval_batch;
	Batch b;
	batch_alloc(&b, m, eb);
	float *ws = xcalloc(m->train_workspace_floats(eb) + 1, sizeof(float));
	for (long at = 0; at < total; at += eb) {
		int n = test_batch(m, tc, d, at, total, &b);
		train_tally_batch(m, params, b.x, m->classes ? (const void *)b.labels : b.targets, n, ws, t);
	}
	free(ws);
	batch_free(&b);
	data_free(&data);
	return 0;
}

/* ---- checkpoints --------------------------------------------------------- */

static int ntensors(const TrainModel *m)
{
	int n = 0;
	while (m->tensors[n].name)
		n++;
	return n;
}

/* Optimizer state slot k of tensor t: "optim.m.h.weight_ih" and so on. */
static const char *const slot_names[] = {"optim.m.", "optim.v."};

int train_save_checkpoint(const TrainModel *m, const char *path, const float *params, const float *opt_state,
			  int epoch, long step, uint32_t seed, char *err, size_t errlen)
{
	int nt = ntensors(m), slots = opt_state ? (int)(m->opt_state_floats / (m->nparams ? m->nparams : 1)) : 0;
	/* The tensors in PyTorch's order (io/layout.h): parameters, then each slot. */
	float *torch = xcalloc(1, sizeof(float) * (size_t)(m->nparams * (1 + slots) + 1));
	for (int s = 0; s <= slots && s <= 2; s++)
		for (int i = 0; i < nt; i++) {
			const TrainTensor *t = &m->tensors[i];
			layout_to_torch(torch + (long)s * m->nparams + t->offset,
					(s ? opt_state + (long)(s - 1) * m->nparams : params) + t->offset, t->rank, t->shape);
		}
	StWriteTensor *w = xcalloc(1, sizeof *w * (size_t)(nt * (1 + slots) + 1));
	long *shapes = xcalloc(1, sizeof(long) * 2 * (size_t)(nt + 1));
	char **names = xcalloc(1, sizeof(char *) * (size_t)(nt * (1 + slots) + 1));
	int n = 0;
	for (int i = 0; i < nt; i++) {
		const TrainTensor *t = &m->tensors[i];
		shapes[2 * i] = t->shape[0];
		shapes[2 * i + 1] = t->shape[1];
		w[n++] = (StWriteTensor){t->name, "F32", t->rank, &shapes[2 * i], torch + t->offset};
	}
	for (int s = 0; s < slots && s < 2; s++)
		for (int i = 0; i < nt; i++) {
			const TrainTensor *t = &m->tensors[i];
			size_t len = strlen(slot_names[s]) + strlen(t->name) + 1;
			names[n] = xcalloc(1, len);
			snprintf(names[n], len, "%s%s", slot_names[s], t->name);
			w[n] = (StWriteTensor){names[n], "F32", t->rank, &shapes[2 * i],
					       torch + (long)(s + 1) * m->nparams + t->offset};
			n++;
		}
	char hash[32], ep[32], st[32], sd[32];
	snprintf(hash, sizeof hash, "%016llx", (unsigned long long)m->model_hash);
	snprintf(ep, sizeof ep, "%d", epoch);
	snprintf(st, sizeof st, "%ld", step);
	snprintf(sd, sizeof sd, "%u", seed);
	const char *keys[] = {"format", "model", "model_hash", "spikec_version", "surrogates", "epoch", "step", "seed"};
	const char *vals[] = {"spikec", m->name, hash, SPIKEC_VERSION, m->surrogates ? m->surrogates : "", ep, st, sd};
	int rc = st_write(path, w, n, keys, vals, 8, err, errlen);
	for (int i = nt; i < n; i++)
		free(names[i]);
	free(names), free(w), free(shapes), free(torch);
	return rc;
}

static int load_tensor(const StFile *f, const char *path, const char *name, const TrainTensor *t, float *dst,
		       char *err, size_t errlen)
{
	const StTensor *s = st_find(f, name);
	if (!s) {
		snprintf(err, errlen, "%s: no tensor '%s'; was it written for another model?", path, name);
		return -1;
	}
	int ok = !strcmp(s->dtype, "F32") && s->ndim == t->rank;
	for (int d = 0; ok && d < t->rank; d++)
		ok = s->shape[d] == t->shape[d];
	if (!ok) {
		snprintf(err, errlen, "%s: tensor '%s' has another shape or dtype than the model's", path, name);
		return -1;
	}
	if (ckpt_check_finite(f, s, path, err, errlen))
		return -1;
	layout_from_torch(dst, f->data + s->begin, t->rank, t->shape);
	return 0;
}

int train_load_checkpoint(const TrainModel *m, const char *path, float *params, float *opt_state, int *epoch,
			  long *step, char *err, size_t errlen)
{
	StFile f;
	if (st_read(path, &f, err, errlen))
		return -1;
	int rc = 0, slots = (int)(m->opt_state_floats / (m->nparams ? m->nparams : 1));
	char name[512];
	const char *e = st_meta(&f, "epoch"), *s = st_meta(&f, "step");
	if ((epoch || step) && (!e || !s)) {
		snprintf(err, errlen, "%s: no training progress in its metadata; it cannot be resumed "
			 "(a checkpoint from 'spikec init' holds parameters only)", path);
		st_free(&f);
		return -1;
	}
	for (const TrainTensor *t = m->tensors; t->name && !rc; t++) {
		if (params)
			rc = load_tensor(&f, path, t->name, t, params + t->offset, err, errlen);
		for (int s = 0; opt_state && s < slots && s < 2 && !rc; s++) {
			snprintf(name, sizeof name, "%s%s", slot_names[s], t->name);
			rc = load_tensor(&f, path, name, t, opt_state + (long)s * m->nparams + t->offset, err, errlen);
		}
	}
	char hash[32];
	snprintf(hash, sizeof hash, "%016llx", (unsigned long long)m->model_hash);
	const char *h = st_meta(&f, "model_hash");
	if (!rc && (epoch || step) && (!h || strcmp(h, hash))) {
		snprintf(err, errlen, "%s was written by another model file (model hash %s, this one %s); a run resumes "
			 "only with the model file it started from", path, h ? h : "none", hash);
		rc = -1;
	}
	if (!rc && epoch)
		*epoch = atoi(e);
	if (!rc && step)
		*step = atol(s);
	st_free(&f);
	return rc;
}

/* ---- the run ------------------------------------------------------------- */

static void fmt_eta(double s, char *buf, size_t n)
{
	if (s < 60)
		snprintf(buf, n, "%.0fs", s);
	else if (s < 3600)
		snprintf(buf, n, "%dm%02ds", (int)s / 60, (int)s % 60);
	else
		snprintf(buf, n, "%dh%02dm", (int)s / 3600, (int)s % 3600 / 60);
}

/* "rate h 0.21  " : per layer (the name before the first '.'), the mean
 * firing rate of its counted spike values. */
static void layer_rates(const TrainModel *m, const double *sum, int nspikes, long samples, char *buf, size_t n)
{
	size_t k = 0;
	buf[0] = 0;
	for (int i = 0; i < nspikes && samples; i++) {
		const char *name = m->spikes[i].name, *dot = strchr(name, '.');
		int len = dot ? (int)(dot - name) : (int)strlen(name), first = 1;
		for (int j = 0; j < i; j++)
			if (!strncmp(m->spikes[j].name, name, (size_t)len) && m->spikes[j].name[len] == name[len])
				first = 0;
		if (!first)
			continue;
		double num = 0, den = 0;
		for (int j = i; j < nspikes; j++)
			if (!strncmp(m->spikes[j].name, name, (size_t)len) && m->spikes[j].name[len] == name[len]) {
				num += sum[j];
				den += (double)m->steps * samples * m->spikes[j].size;
			}
		if (k < n)
			k += (size_t)snprintf(buf + k, n - k, "rate %.*s %.2f  ", len, name, den ? num / den : 0);
	}
}

int train_run(const TrainModel *m, const TrainConfig *tc, const TrainOptions *opt)
{
	char err[8400] = "", path[4200];
	int lead = comm_lead(opt->comm), quiet = opt->quiet || !lead;
	int epochs = opt->epochs > 0 ? opt->epochs : tc->epochs, start = 0, tty = isatty(2) && !quiet;
	long t = 0;
	DataSplit data;
	double t_load = now();
	/* Every rank loads the data and the checkpoint; the first alone writes. */
	if (load_data(tc, &data, opt->comm))
		return -1;
	t_load = now() - t_load;
	float *params = xcalloc(1, sizeof(float) * (size_t)m->nparams);
	float *grads = xcalloc(1, sizeof(float) * (size_t)m->nparams);
	float *opt_state = xcalloc(1, sizeof(float) * (size_t)m->opt_state_floats);
	FILE *metrics = NULL;
	if (opt->resume) {
		if (!train_load_checkpoint(m, opt->resume, params, opt_state, &start, &t, err, sizeof err) &&
		    start >= epochs)
			snprintf(err, sizeof err, "%s is already at epoch %d of %d; ask for more with --epochs N",
				 opt->resume, start, epochs);
	} else {
		m->init(params, tc->seed);
	}
	if (!*err && lead)
		metrics = outdir_open(opt->out_dir, opt->resume != NULL, start, opt->quiet, err, sizeof err);
	if (!comm_agree(opt->comm, err))
		goto fail;
	const Dataset *tr = &data.train;
	int B = tc->batch, nb = (tr->count + B - 1) / B;
	Batch b;
	batch_alloc(&b, m, B);
	Shards *sh = shards_new(m, B, 1, opt->threads, opt->comm);
	int *perm = xcalloc(1, sizeof(int) * (size_t)tr->count);
	if (!quiet)
		fprintf(stderr, "%s: %d train / %d test samples (loaded in %.2fs), %ld parameters, batch %d, %d "
			"epochs, backend %s%s\n", m->name, tr->count, data.test.count, t_load, m->nparams, B, epochs,
			opt->backend ? opt->backend : "c", opt->resume ? " (resumed)" : "");
	if (!quiet && opt->comm && opt->comm->size > 1)
		fprintf(stderr, "MPI: %d ranks of %d thread%s, %d shard%s each; %.2f MB gathered per step\n",
			opt->comm->size, opt->threads, opt->threads > 1 ? "s" : "", TRAIN_SHARDS / opt->comm->size,
			opt->comm->size < TRAIN_SHARDS ? "s" : "", shards_exchange_bytes(sh) / 1e6);
	if (!quiet && tr->bits_per_char)
		fprintf(stderr, "%s: %d characters in the vocabulary; %d streams of %ld characters; the test text's "
			"unigram entropy is %.3f bits per character\n", tc->data.path, tr->vocab, tr->streams,
			tr->stream_len, data.test.unigram_bits);
	int nspikes = 0;
	while (m->spikes && m->spikes[nspikes].name)
		nspikes++;
	double *spike_sum = xcalloc(1, sizeof(double) * (size_t)(nspikes + 1));
	float *counts = xcalloc(1, sizeof(float) * (size_t)(nspikes + 1));
	int rc = 0;
	double t_run = now();
	long seen_total = 0;
	for (int epoch = start; epoch < epochs && !rc; epoch++) {
		double lr = schedule_lr(tc, epoch, epochs), t0 = now(), loss_sum = 0;
		long correct = 0, count = 0, samples = 0;
		memset(spike_sum, 0, sizeof(double) * (size_t)(nspikes + 1));
		if (tr->sequential)
			for (int i = 0; i < tr->count; i++)
				perm[i] = i;
		else
			data_shuffle(perm, tr->count, tc->seed, (uint64_t)epoch);
		if (m->carry_state)
			shards_reset(sh);
		for (int bi = 0; bi < nb && !rc; bi++) {
			int at = bi * B, n = tr->count < B ? B : (tr->count - at < B ? tr->count - at : B);
			for (int i = 0; i < n; i++)
				b.idx[i] = perm[(at + i) % tr->count];
			data_batch(tr, &tc->data, b.idx, n, tc->seed, (uint64_t)epoch + 1, b.x, b.labels, b.targets,
				   m->per_step);
			shards_dropout(sh, tc->seed, (uint64_t)t + 1);
			float loss = shards_train(sh, params, b.x, b.labels, b.targets, n, b.out, grads, counts);
			/* The loss, gradient and parameters are the same bits on every
			 * rank, so every rank stops here; the first says why. */
			if (!isfinite(loss)) {
				if (lead)
					fprintf(stderr, "%sspikec: error: the loss is %g at epoch %d, step %d; lower the learning "
					"rate or clip gradients (clip = 1.0 in the train block)\n", tty ? "\n" : "",
					(double)loss, epoch + 1, bi + 1);
				rc = -1;
				break;
			}
			for (int k = 0; k < nspikes; k++)
				spike_sum[k] += counts[k];
			const char *bad = tensor_name_nonfinite(m, grads);
			if (bad) {
				if (lead)
					fprintf(stderr, "%sspikec: error: the gradient of %s is not finite at epoch %d, step %d\n",
					tty ? "\n" : "", bad, epoch + 1, bi + 1);
				rc = -1;
				break;
			}
			m->step(params, grads, opt_state, (float)lr, ++t);
			if ((bad = tensor_name_nonfinite(m, params))) {
				if (lead)
					fprintf(stderr, "%sspikec: error: parameter %s is not finite after step %ld (epoch %d)\n",
					tty ? "\n" : "", bad, t, epoch + 1);
				rc = -1;
				break;
			}
			double l = 0;
			score(m, &b, n, &l, &correct, &count);
			loss_sum += l;
			samples += n;
			seen_total += n;
			if (tty && (bi % 4 == 0 || bi == nb - 1)) {
				double el = now() - t0, rate = samples / (el > 0 ? el : 1e-9);
				double left = (double)(nb - bi - 1) * B / rate + (double)(epochs - epoch - 1) * nb * B / rate;
				char eta[32];
				fmt_eta(left, eta, sizeof eta);
				char rates[256];
				layer_rates(m, spike_sum, nspikes, samples, rates, sizeof rates);
				fprintf(stderr, "\repoch %d/%d  step %d/%d  loss %.4f  %s %.2f%s  %s%.0f samples/s  ETA %s   ",
					epoch + 1, epochs, bi + 1, nb, count ? loss_sum / count : 0,
					m->classes ? "acc" : "rmse",
					m->classes ? 100.0 * correct / (count ? count : 1) : sqrt(loss_sum / (count ? count : 1)),
					m->classes ? "%" : "", rates, rate, eta);
			}
		}
		if (rc)
			break;
		double train_time = now() - t0;
		EvalResult ev;
		if (train_evaluate(m, tc, params, opt->threads, opt->comm, &ev)) {
			rc = -1;
			break;
		}
		double tl = count ? loss_sum / count : 0;
		if (tty)
			fprintf(stderr, "\r%*s\r", 110, "");
		int differs = comm_differs(opt->comm, util_hash(params, sizeof(float) * (size_t)m->nparams, 0));
		if (differs >= 0) {
			if (lead)
				fprintf(stderr, "spikec: error: after epoch %d the parameters of MPI rank %d differ from rank "
					"0's; the ranks must run the same build of spikec on the same kind of CPU "
					"(docs/mpi.md)\n", epoch + 1, differs);
			rc = -1;
			break;
		}
		if (!quiet) {
			if (tr->bits_per_char)
				fprintf(stderr, "epoch %d/%d  train %.4f bits/char  test %.4f bits/char (unigram %.3f)  "
					"next-char acc %.2f%%  %.0f chars/s  %.1fs\n", epoch + 1, epochs, tl / LN2,
					ev.loss / LN2, ev.unigram_bits, 100 * ev.accuracy,
					(double)samples * m->steps / train_time, train_time);
			else if (m->classes)
				fprintf(stderr, "epoch %d/%d  loss %.4f  train acc %.2f%%  test loss %.4f  test acc %.2f%%  "
					"%.0f samples/s  %.1fs\n", epoch + 1, epochs, tl, 100.0 * correct / (count ? count : 1),
					ev.loss, 100 * ev.accuracy, samples / train_time, train_time);
			else if (data.test.warm_rmse)
				fprintf(stderr, "epoch %d/%d  loss %.5f  test rmse %.4f (%s: %.4f)  %.0f samples/s  %.2fs\n",
					epoch + 1, epochs, tl, ev.rmse, data.test.warm_what, ev.rmse_warm, samples / train_time,
					train_time);
			else
				fprintf(stderr, "epoch %d/%d  loss %.5f  test rmse %.4f  %.0f samples/s  %.2fs\n", epoch + 1,
					epochs, tl, ev.rmse, samples / train_time, train_time);
		}
		/* The first rank writes; an error there stops every rank. */
		if (lead) {
			fprintf(metrics, "{\"epoch\": %d, \"step\": %ld, \"lr\": %.9g, \"train_loss\": %.9g", epoch + 1, t,
				lr, tl);
			if (m->classes)
				fprintf(metrics, ", \"train_accuracy\": %.6f, \"test_loss\": %.9g, \"test_accuracy\": %.6f",
					(double)correct / (count ? count : 1), ev.loss, ev.accuracy);
			else
				fprintf(metrics, ", \"test_mse\": %.9g, \"test_rmse\": %.9g", ev.loss, ev.rmse);
			if (data.test.warm_rmse)
				fprintf(metrics, ", \"%s\": %.9g", data.test.warm_key, ev.rmse_warm);
			if (tr->bits_per_char)
				fprintf(metrics, ", \"train_bpc\": %.9g, \"test_bpc\": %.9g, \"test_unigram_bpc\": %.9g",
					tl / LN2, ev.loss / LN2, ev.unigram_bits);
			fprintf(metrics, ", \"spike_rates\": {");
			for (int k = 0; k < nspikes; k++)
				fprintf(metrics, "%s\"%s\": %.6f", k ? ", " : "", m->spikes[k].name,
					spike_sum[k] / ((double)m->steps * samples * m->spikes[k].size));
			fprintf(metrics, "}, \"samples_per_s\": %.1f, \"epoch_seconds\": %.3f, \"elapsed_seconds\": %.3f}\n",
				samples / train_time, train_time, now() - t_run);
			if (fflush(metrics) != 0 || ferror(metrics)) {
				/* Before this epoch's checkpoint: a resumed run never lacks a line
				 * of an epoch before its checkpoint (outdir_keep_metrics drops the
				 * torn one). */
				snprintf(err, sizeof err, "cannot write '%s/metrics.jsonl': %s (check free space)",
					 opt->out_dir, strerror(errno));
			}
			/* last.safetensors first: whenever the run stops, it is at least as
			 * new as every epoch-N.safetensors, and a resume from the newest of
			 * those rewrites it. */
			snprintf(path, sizeof path, "%s/last.safetensors", opt->out_dir);
			for (int k = 0; k < 2 && !*err; k++) {
				if (k)
					snprintf(path, sizeof path, "%s/epoch-%d.safetensors", opt->out_dir, epoch + 1);
				train_save_checkpoint(m, path, params, opt_state, epoch + 1, t, tc->seed, err, sizeof err);
			}
		}
		if (!comm_agree(opt->comm, err))
			rc = -1;
	}
	if (!rc && !quiet)
		fprintf(stderr, "trained %ld samples in %.1fs; checkpoints and metrics.jsonl in %s\n", seen_total,
			now() - t_run, opt->out_dir);
	if (metrics)
		fclose(metrics);
	free(spike_sum), free(counts);
	shards_free(sh);
	batch_free(&b);
	free(perm), free(params), free(grads), free(opt_state);
	data_free(&data);
	return rc;
fail:
	if (metrics)
		fclose(metrics);
	free(params), free(grads), free(opt_state);
	data_free(&data);
	return -1;
}
