/* checkpoint.c: see checkpoint.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/rng.h"
#include "io/layout.h"
#include "io/safetensors.h"
#include "checkpoint.h"
#include "compiler/version.h"

static long floats(Type t)
{
	return t.rank == 2 ? (long)t.dim[0] * t.dim[1] : t.dim[0];
}

float *ckpt_init(const Kir *k, uint64_t seed)
{
	float *p = xcalloc((size_t)(k->nparams ? k->nparams : 1), sizeof(float));
	for (int b = 0; b < k->bufs.len; b++) {
		const KBuf *kb = &k->bufs.items[b];
		if (kb->cls != KB_PARAM)
			continue;
		const Param *pr = &k->g->params.items[kb->index];
		if (pr->init != INIT_HE_NORMAL)
			continue;
		/* The same expression as the emitted <model>_init: drawn in PyTorch's
		 * order, stored transposed (io/layout.h). */
		long m = kb->type.dim[0], kk = kb->type.dim[1];
		for (long i = 0; i < floats(kb->type); i++)
			p[kb->offset + (kb->type.rank == 2 ? i % kk * m + i / kk : i)] =
				(float)(spk_rng_normal(seed, (uint64_t)kb->index, (uint64_t)i) * sqrt(2.0 / pr->fan_in));
	}
	return p;
}

void ckpt_surrogates(const Graph *g, StrBuf *sb)
{
	for (int i = 0; i < g->nodes.len; i++) {
		const Node *n = &g->nodes.items[i];
		if (n->op != OP_SPIKE)
			continue;
		int seen = 0;  /* the backward pass recomputes spikes under the same name */
		for (int j = 0; j < i && !seen; j++)
			seen = g->nodes.items[j].op == OP_SPIKE && g->nodes.items[j].name && n->name &&
			       !strcmp(g->nodes.items[j].name, n->name);
		if (seen)
			continue;
		const SurInfo *s = &ir_surrogates[n->a.sur.kind];
		sb_printf(sb, "%s%s=%s(", sb->len ? "; " : "", n->name ? n->name : "spike", s->name);
		char num[32];
		for (int p = 0; p < s->nparams; p++)
			sb_printf(sb, "%s%s=%s", p ? ", " : "", s->pname[p], util_float_str(n->a.sur.p[p], num));
		sb_puts(sb, ")");
	}
}

/* A parameter's safetensors dtype and element size. */
static const char *st_dtype(const KBuf *kb, size_t *size)
{
	static const char *const names[] = {"F32", "I32", "I8"};
	static const size_t sizes[] = {4, 4, 1};
	*size = sizes[kb->elem];
	return names[kb->elem];
}

int ckpt_save(const Kir *k, uint64_t model_hash, const void *params, const char *path, char *err,
	      size_t errlen)
{
	StWriteTensor *t = xcalloc((size_t)k->bufs.len + 1, sizeof *t);
	long *shapes = xcalloc((size_t)k->bufs.len * 2 + 1, sizeof(long));
	float *torch = xcalloc((size_t)(k->nparams ? k->nparams : 1), sizeof(float));
	int n = 0;
	for (int b = 0; b < k->bufs.len; b++) {
		const KBuf *kb = &k->bufs.items[b];
		if (kb->cls != KB_PARAM)
			continue;
		size_t size;
		const char *dtype = st_dtype(kb, &size);
		shapes[2 * n] = kb->type.dim[0];
		shapes[2 * n + 1] = kb->type.dim[1];
		layout_to_torch_elems(torch + kb->offset, (const float *)params + kb->offset, kb->type.rank, kb->type.dim,
				      size);
		t[n] = (StWriteTensor){kb->what, dtype, kb->type.rank, &shapes[2 * n], torch + kb->offset};
		n++;
	}
	char hash[32];
	snprintf(hash, sizeof hash, "%016llx", (unsigned long long)model_hash);
	StrBuf sur = {0};
	ckpt_surrogates(k->g, &sur);
	const char *keys[] = {"format", "model", "model_hash", "spikec_version", "surrogates", "quantized"};
	const char *vals[] = {"spikec", k->model, hash, SPIKEC_VERSION, sur.buf ? sur.buf : "", CKPT_QUANTIZED};
	int rc = st_write(path, t, n, keys, vals, k->quant ? 6 : 5, err, errlen);
	sb_free(&sur);
	free(t);
	free(shapes);
	free(torch);
	return rc;
}

int ckpt_check_finite(const StFile *f, const StTensor *t, const char *path, char *err, size_t errlen)
{
	for (size_t i = 0; i < (t->end - t->begin) / sizeof(float); i++) {
		float v;
		memcpy(&v, f->data + t->begin + i * sizeof v, sizeof v);
		if (!isfinite(v)) {
			snprintf(err, errlen, "%s: tensor '%s' holds %s at element %zu (row-major, as in the file); "
				 "parameters must be finite (spikec stops a diverging run before saving it: was this file "
				 "written by something else?)", path, t->name, isnan(v) ? "NaN" : "an infinity", i);
			return -1;
		}
	}
	return 0;
}

void *ckpt_load(const Kir *k, const char *path, CkptOrigin *origin, char *err, size_t errlen)
{
	StFile f;
	if (st_read(path, &f, err, errlen))
		return NULL;
	const char *quantized = st_meta(&f, "quantized");
	if (!quantized != !k->quant) {
		snprintf(err, errlen, k->quant ? "%s is a float checkpoint; the quantized model reads what 'spikec quantize' "
			 "writes from it" : "%s is a quantized checkpoint ('spikec quantize'); add --quantized", path);
		st_free(&f);
		return NULL;
	}
	if (origin) {
		const char *m = st_meta(&f, "model"), *h = st_meta(&f, "model_hash");
		snprintf(origin->model, sizeof origin->model, "%s", m ? m : "");
		snprintf(origin->hash, sizeof origin->hash, "%s", h ? h : "");
	}
	float *p = xcalloc((size_t)(k->nparams ? k->nparams : 1), sizeof(float));
	for (int b = 0; b < k->bufs.len; b++) {
		const KBuf *kb = &k->bufs.items[b];
		if (kb->cls != KB_PARAM)
			continue;
		const StTensor *t = st_find(&f, kb->what);
		size_t size;
		const char *dtype = st_dtype(kb, &size);
		char want[64];
		ir_type_str(kb->type, want, sizeof want);
		if (!t) {
			snprintf(err, errlen, "%s: no tensor '%s' (%s) for model '%s'; was it written for another model? "
				 "('spikec init' writes a fresh one)", path, kb->what, want + 3, k->model);
			goto fail;
		}
		int ok = !strcmp(t->dtype, dtype) && t->ndim == kb->type.rank;
		for (int d = 0; ok && d < t->ndim; d++)
			ok = t->shape[d] == kb->type.dim[d];
		if (!ok) {
			char got[128] = "";
			size_t len = 0;
			for (int d = 0; d < t->ndim && len < sizeof got - 24; d++)
				len += (size_t)snprintf(got + len, sizeof got - len, "%s%ld", d ? "," : "", t->shape[d]);
			static const char *const elem[] = {"f32", "i32", "i8"};
			snprintf(err, errlen, "%s: tensor '%s' is %s[%s], but model '%s' needs %s%s", path, kb->what,
				 t->dtype, got, k->model, elem[kb->elem], want + 3);
			goto fail;
		}
		if (kb->elem == KE_F32 && ckpt_check_finite(&f, t, path, err, errlen))
			goto fail;
		layout_from_torch_elems(p + kb->offset, f.data + t->begin, kb->type.rank, kb->type.dim, size);
	}
	st_free(&f);
	return p;
fail:
	st_free(&f);
	free(p);
	return NULL;
}
