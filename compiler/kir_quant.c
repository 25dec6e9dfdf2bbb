/* kir_quant.c: see kir_quant.h. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kernels.h"
#include "kir_quant.h"

/* What a value of the float MAP is in the quantized one. */
typedef enum {
	V_FLOAT,   /* a float value: v */
	V_INT,     /* an int32 value: v */
	V_CONST,   /* the constant c */
	V_ACC,     /* scale * acc + bias + c: v loads acc; bias if has_bias */
	V_INTC,    /* v (int32) + c */
} VKind;

typedef struct {
	VKind kind;
	KVal v, bias;
	int has_bias;
	float c;
	KVal mat;      /* V_ACC, V_INTC: the float value once built */
	int built;
} QVal;

typedef struct {
	Kir *k;
	KQuant *q;
	int nbufs;          /* buffers before quantization */
	int *group;         /* [nbufs]: accumulator -> its group, -1 */
	int *weight_group;  /* [nbufs]: weight -> its group, -1 */
	Kernel *m;          /* the MAP being rewritten */
	Vec(KLet) lets;     /* its new lets */
	int in_loop;
	int nproducts;      /* GEMMs of the forward pass */
	char *err;
	size_t errlen;
} Q;

static KBuf *B(Q *s, int b)
{
	return &s->k->bufs.items[b];
}

static int fail(Q *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->err, s->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static int group_of(Q *s, int b)
{
	return b < s->nbufs ? s->group[b] : -1;
}

/* A new parameter buffer `what` (a checkpoint name made unique). */
static int new_param(Q *s, const char *what, DType dt, int rows, KElem elem)
{
	Kir *k = s->k;
	char *w = arena_strdup(k->arena, what);
	for (int i = 2, taken = 1; taken; i++) {
		taken = 0;
		for (int b = 0; b < k->bufs.len && !taken; b++)
			taken = k->bufs.items[b].cls == KB_PARAM && !strcmp(k->bufs.items[b].what, w);
		if (taken)
			w = arena_printf(k->arena, "%s_%d", what, i);
	}
	const char *id = kl_ident(k->arena, w, &k->names[PROG_INFER], NULL);
	while (strmap_get(&k->names[PROG_TRAIN], id))
		id = kl_ident(k->arena, arena_printf(k->arena, "%s_", id), &k->names[PROG_TRAIN], NULL);
	KBuf nb = {id, w, KB_PARAM, -1, {(uint8_t)dt, 1, 0, 0, {rows, 0}}, 0, -1, 0, elem};
	vec_push(&k->bufs, nb);
	kir_count_name(k, k->bufs.len - 1, 1);
	return k->bufs.len - 1;
}

/* "h" of "h.weight_ih". */
static char *layer_of(Q *s, const char *what)
{
	const char *dot = strrchr(what, '.');
	return arena_strndup(s->k->arena, what, dot ? (size_t)(dot - what) : strlen(what));
}

static int count_products(const KList *list)
{
	int n = 0;
	for (int i = 0; i < list->len; i++)
		n += list->items[i].kind == K_LOOP ? count_products(list->items[i].body) : list->items[i].kind == K_GEMM;
	return n;
}

/* The products of list (and of its loops) become int8 products into int32
 * accumulators, grouped by accumulator. */
static int take_products(Q *s, KList *list)
{
	KQuant *q = s->q;
	for (int i = 0; i < list->len; i++) {
		Kernel *kn = &list->items[i];
		if (kn->kind == K_LOOP && take_products(s, kn->body))
			return -1;
		if (kn->kind != K_GEMM)
			continue;
		const KBuf *w = B(s, kn->b), *x = B(s, kn->a);
		if (kn->gemm != GEMM_XWT || w->cls != KB_PARAM)
			return fail(s, "the product into '%s' is not a weight times an input", B(s, kn->out)->name);
		if (!kn->spikes)
			return fail(s, "the product with %s reads '%s', which is not spikes: the integer forward pass "
				    "needs every product to take 0/1 spikes (an lstm layer, or a layer reading an analog "
				    "input, has none)", w->what, x->what ? x->what : x->name);
		if (s->weight_group[kn->b] >= 0 && s->weight_group[kn->b] != s->group[kn->out])
			return fail(s, "%s feeds two different sums; one int8 scale per row cannot serve both", w->what);
		int g = s->group[kn->out];
		if (g < 0) {
			g = s->group[kn->out] = q->ngroups++;
			KQGroup ng = {kn->out, w->type.dim[0], arena_alloc(s->k->arena, sizeof(int) * (size_t)s->nproducts),
				      0, -1, -1, NULL, NULL, NULL};
			q->groups[g] = ng;
		}
		KQGroup *G = &q->groups[g];
		if (w->type.dim[0] != G->rows)
			return fail(s, "%s has %d rows, but the sum it adds into has %d", w->what, w->type.dim[0], G->rows);
		if (s->weight_group[kn->b] < 0)
			G->weights[G->nweights++] = kn->b;
		s->weight_group[kn->b] = g;
		kn->q8 = 1;
	}
	return 0;
}

/* Only the int8 products write an accumulator; only they and MAPs read it. */
static int check_accumulators(Q *s, const KList *list)
{
	for (int i = 0; i < list->len; i++) {
		const Kernel *kn = &list->items[i];
		if (kn->kind == K_LOOP && check_accumulators(s, kn->body))
			return -1;
		if (kn->kind == K_LOOP || kn->kind == K_MAP || kn->kind == K_GEMM)
			continue;
		for (int g = 0; g < s->q->ngroups; g++) {
			int acc = s->q->groups[g].acc;
			if (kir_reads(kn, acc) || kir_writes(kn, acc))
				return fail(s, "'%s' is used by a kernel other than its products and elementwise maps",
					    B(s, acc)->name);
		}
	}
	for (int i = 0; i < list->len; i++) {
		const Kernel *kn = &list->items[i];
		for (int g = 0; kn->kind == K_MAP && g < s->q->ngroups; g++)
			if (kir_writes(kn, s->q->groups[g].acc))
				return fail(s, "'%s' is written by an elementwise map, not only by its products",
					    B(s, s->q->groups[g].acc)->name);
	}
	return 0;
}

/* ---- MAPs ------------------------------------------------------------------ */

static KVal let_val(int let)
{
	KVal v = {KV_LET, let, 0, 0, 0};
	return v;
}

static KVal const_val(float c)
{
	KVal v = {KV_CONST, 0, 0, 0, c};
	return v;
}

static KVal load_val(int buf, int off)
{
	KVal v = {KV_LOAD, 0, buf, off, 0};
	return v;
}

/* A new let of the MAP; name NULL: a helper named after `like`. */
static KVal emit(Q *s, Op op, KVal a, KVal b, int integer, const KLet *like, const char *name)
{
	KLet l = *like;
	l.op = op, l.a = a, l.b = b, l.integer = integer;
	if (!name) {
		l.named = 0;
		name = arena_printf(s->k->arena, "%s_q", like->name);
	}
	const char *base = name;  /* unique among the new MAP's lets */
	for (int n = 2, taken = 1; taken; n++) {
		taken = 0;
		for (int i = 0; i < s->lets.len && !taken; i++)
			taken = !strcmp(s->lets.items[i].name, name);
		if (taken)
			name = arena_printf(s->k->arena, "%s_%d", base, n);
	}
	l.name = name;
	vec_push(&s->lets, l);
	return let_val(s->lets.len - 1);
}

/* The float value of v. */
static KVal as_float(Q *s, QVal *v, const KLet *like)
{
	if (v->kind == V_CONST)
		return const_val(v->c);
	if (v->kind == V_FLOAT || v->kind == V_INT)
		return v->v;
	if (v->built)
		return v->mat;
	KVal x;
	if (v->kind == V_INTC)
		x = emit(s, OP_ADD, v->v, const_val(v->c), 0, like, NULL);
	else {
		KQGroup *G = &s->q->groups[group_of(s, v->v.buf)];
		x = emit(s, OP_DEQUANT, v->v, load_val(G->scale, v->v.off), 0, like, NULL);
		if (v->has_bias)
			x = emit(s, OP_ADD, x, v->bias, 0, like, NULL);
		if (v->c != 0)
			x = emit(s, OP_ADD, x, const_val(v->c), 0, like, NULL);
	}
	v->mat = x;
	v->built = 1;
	return x;
}

static QVal classify(Q *s, QVal *vals, KVal o)
{
	QVal v = {V_FLOAT, o, {0}, 0, 0, {0}, 0};
	if (o.kind == KV_CONST)
		v.kind = V_CONST, v.c = o.c;
	else if (o.kind == KV_LET)
		v = vals[o.let];
	else if (group_of(s, o.buf) >= 0)
		v.kind = V_ACC;
	else if (B(s, o.buf)->elem == KE_I32)
		v.kind = V_INT;
	return v;
}

static int is_bias(Q *s, KVal o)
{
	const KBuf *kb = o.kind == KV_LOAD ? B(s, o.buf) : NULL;
	return kb && kb->cls == KB_PARAM && kb->elem == KE_F32 && kb->type.rank == 1 && !kb->type.batched;
}

/* S(acc value) as acc > threshold: the rows it compares, recorded. */
static int threshold_site(Q *s, QVal *a, const KLet *l, QVal *out)
{
	KQGroup *G = &s->q->groups[group_of(s, a->v.buf)];
	if (G->threshold < 0) {
		G->threshold = new_param(s, arena_printf(s->k->arena, "%s.threshold", layer_of(s, B(s, G->weights[0])->what)),
					 DT_I32, G->rows, KE_I32);
		G->bias_src = arena_alloc(s->k->arena, sizeof(long) * (size_t)G->rows);
		G->c = arena_alloc(s->k->arena, sizeof(float) * (size_t)G->rows);
		G->covered = arena_alloc(s->k->arena, (size_t)G->rows);
	}
	for (int j = 0; j < s->m->n; j++) {
		int r = a->v.off + j;
		long src = a->has_bias ? s->q->src[a->bias.buf] + a->bias.off + j : -1;
		if (r >= G->rows)
			SPK_BUG("row %d of an accumulator of %d", r, G->rows);
		if (G->covered[r] && (G->bias_src[r] != src || G->c[r] != a->c))
			return fail(s, "row %d of '%s' is compared with two different thresholds", r, B(s, G->acc)->name);
		G->covered[r] = 1, G->bias_src[r] = src, G->c[r] = a->c;
	}
	KVal d = emit(s, OP_SUB, a->v, load_val(G->threshold, a->v.off), 1, l, NULL);
	out->kind = V_INT;
	out->v = emit(s, OP_SPIKE, d, const_val(0), 1, l, l->name);
	return 0;
}

static int rewrite_let(Q *s, QVal *vals, int i)
{
	const KLet *l = &s->m->lets.items[i];
	int binary = ir_ops[l->op].arity == 2;
	QVal a = classify(s, vals, l->a), b = binary ? classify(s, vals, l->b) : a, *r = &vals[i];
	memset(r, 0, sizeof *r);
	r->kind = V_FLOAT;
	switch (l->op) {
	case OP_ADD:
	case OP_SUB: {
		int add = l->op == OP_ADD, swap = add && (a.kind == V_CONST || (is_bias(s, l->a) && b.kind == V_ACC));
		QVal x = swap ? b : a, y = swap ? a : b;
		KVal yv = swap ? l->a : l->b;
		if (x.kind == V_ACC && add && !x.has_bias && is_bias(s, yv)) {
			*r = x, r->has_bias = 1, r->bias = yv, r->built = 0;
			return 0;
		}
		if ((x.kind == V_ACC || x.kind == V_INTC || x.kind == V_INT) && y.kind == V_CONST) {
			*r = x, r->built = 0;
			if (x.kind == V_INT)
				r->kind = V_INTC, r->c = 0;
			r->c = add ? r->c + y.c : r->c - y.c;
			return 0;
		}
		if (x.kind == V_INT && y.kind == V_INT) {
			r->kind = V_INT, r->v = emit(s, l->op, x.v, y.v, 1, l, l->name);
			return 0;
		}
		break;
	}
	case OP_MUL:
		if (a.kind == V_INT && b.kind == V_INT) {
			r->kind = V_INT, r->v = emit(s, OP_MUL, a.v, b.v, 1, l, l->name);
			return 0;
		}
		break;
	case OP_SPIKE:
		if (a.kind == V_ACC)
			return threshold_site(s, &a, l, r);
		r->kind = V_INT;
		if (a.kind == V_INTC) {  /* n + c > 0 exactly when n > floor(-c) */
			float t = (float)floor(-(double)a.c);
			if (t != 0)
				a.v = emit(s, OP_SUB, a.v, const_val(t), 1, l, NULL);
			a.kind = V_INT;
		}
		/* Of a float, a float compare; either way the spike is an int32. */
		r->v = emit(s, OP_SPIKE, a.kind == V_INT ? a.v : as_float(s, &a, l), const_val(0), 1, l, l->name);
		return 0;
	default:
		break;
	}
	KVal fa = as_float(s, &a, l), fb = binary ? as_float(s, &b, l) : l->b;
	r->kind = V_FLOAT;
	r->v = emit(s, l->op, fa, fb, 0, l, l->name);
	return 0;
}

static int rewrite_map(Q *s, Kernel *m)
{
	s->m = m;
	s->lets.len = 0;
	QVal *vals = xcalloc((size_t)m->lets.len + 1, sizeof(QVal));
	for (int i = 0; i < m->lets.len; i++)
		if (rewrite_let(s, vals, i)) {
			free(vals);
			return -1;
		}
	for (int i = 0; i < m->stores.len; i++) {
		KStore *st = &m->stores.items[i];
		const KLet *l = &m->lets.items[st->let];
		QVal *v = &vals[st->let];
		int into_int = B(s, st->buf)->elem == KE_I32;
		if (into_int && v->kind != V_INT) {
			free(vals);
			return fail(s, "'%s' holds spikes, but the quantized '%s' stored into it is not an integer",
				    B(s, st->buf)->name, l->name);
		}
		KVal x = into_int ? v->v : as_float(s, v, l);
		if (x.kind != KV_LET)  /* a copy */
			x = emit(s, OP_ADD, x, const_val(0), into_int, l, NULL);
		st->let = x.let;
	}
	free(vals);
	vec_free(&m->lets);
	m->lets.items = s->lets.items, m->lets.len = s->lets.len, m->lets.cap = s->lets.cap;
	s->lets.items = NULL, s->lets.len = s->lets.cap = 0;
	return 0;
}

/* The float lets of a MAP in the time loop that a state depends on (the
 * step is integer-only when there are none; a per-step readout's float
 * output does not count). */
static int float_state_lets(Q *s, const Kernel *m)
{
	unsigned char *need = xcalloc((size_t)m->lets.len + 1, 1);
	for (int i = 0; i < m->stores.len; i++)
		need[m->stores.items[i].let] |= B(s, m->stores.items[i].buf)->cls == KB_STATE;
	int n = 0;
	for (int i = m->lets.len - 1; i >= 0; i--) {
		const KLet *l = &m->lets.items[i];
		if (!need[i])
			continue;
		n += !l->integer || (l->op == OP_SPIKE && !kir_is_int(s->k, m, l->a));
		if (l->a.kind == KV_LET)
			need[l->a.let] = 1;
		if (ir_ops[l->op].arity == 2 && l->b.kind == KV_LET)
			need[l->b.let] = 1;
	}
	free(need);
	return n;
}

static int rewrite_maps(Q *s, KList *list)
{
	for (int i = 0; i < list->len; i++) {
		Kernel *kn = &list->items[i];
		if (kn->kind == K_LOOP) {
			s->in_loop++;
			int rc = rewrite_maps(s, kn->body);
			s->in_loop--;
			if (rc)
				return -1;
		}
		if (kn->kind == K_MAP && rewrite_map(s, kn))
			return -1;
		if (kn->kind == K_MAP && s->in_loop)
			s->q->float_lets += float_state_lets(s, kn);
	}
	return 0;
}

/* ---- the pass -------------------------------------------------------------- */

static void set_offsets(Kir *k)
{
	long at = 0;
	for (int b = 0; b < k->bufs.len; b++) {
		KBuf *kb = &k->bufs.items[b];
		if (kb->cls == KB_PARAM) {
			kb->offset = at;
			at += kir_row_floats(kb);
		}
	}
	k->nparams = at;
}

int kir_quantize(Kir *k, char *err, size_t errlen)
{
	KList *infer = &k->prog[PROG_INFER].kernels;
	Q s = {k, arena_alloc(k->arena, sizeof(KQuant)), k->bufs.len, NULL, NULL, NULL, {0}, 0, count_products(infer),
	       err, errlen};
	KQuant *q = s.q;
	q->groups = arena_alloc(k->arena, sizeof(KQGroup) * (size_t)(s.nproducts + 1));
	int n0 = k->bufs.len, rc = -1;
	s.group = xmalloc(sizeof(int) * (size_t)n0 * 2 + 1);
	s.weight_group = s.group + n0;
	for (int b = 0; b < 2 * n0; b++)
		s.group[b] = -1;
	q->float_params = k->nparams;
	if (take_products(&s, infer) || check_accumulators(&s, infer))
		goto out;
	for (int g = 0; g < q->ngroups; g++) {
		KQGroup *G = &q->groups[g];
		B(&s, G->acc)->elem = KE_I32;
		for (int w = 0; w < G->nweights; w++)
			B(&s, G->weights[w])->elem = KE_I8;
		G->scale = new_param(&s, arena_printf(k->arena, "%s.scale", layer_of(&s, B(&s, G->weights[0])->what)),
				     DT_F32, G->rows, KE_F32);
	}
	for (int b = 0; b < n0; b++) {
		KBuf *kb = &k->bufs.items[b];
		if (kb->program == PROG_INFER && (kb->cls == KB_STATE || kb->cls == KB_ACT) && kb->type.dtype == DT_SPIKE)
			kb->elem = KE_I32;
	}
	/* Room for the thresholds rewrite_maps adds. */
	q->src = arena_alloc(k->arena, sizeof(long) * ((size_t)k->bufs.len + (size_t)q->ngroups));
	for (int b = 0; b < k->bufs.len + q->ngroups; b++)
		q->src[b] = b < n0 && k->bufs.items[b].cls == KB_PARAM ? k->bufs.items[b].offset : -1;
	if (rewrite_maps(&s, infer))
		goto out;
	kir_drop_program(k, PROG_TRAIN);
	k->has_train = 0;
	k->spikes.len = 0;
	k->spike_counts = -1;
	set_offsets(k);
	k->quant = q;
	rc = 0;
out:
	free(s.group);
	vec_free(&s.lets);
	return rc;
}

/* ---- the parameters -------------------------------------------------------- */

static void put32(uint32_t *w, long at, const void *v)
{
	memcpy(w + at, v, 4);
}

uint32_t *kq_params(const Kir *k, const float *f)
{
	const KQuant *q = k->quant;
	uint32_t *w = xcalloc((size_t)k->nparams + 1, sizeof(uint32_t));
	for (int b = 0; b < k->bufs.len; b++) {
		const KBuf *kb = &k->bufs.items[b];
		if (kb->cls == KB_PARAM && kb->elem == KE_F32 && q->src[b] >= 0)
			memcpy(w + kb->offset, f + q->src[b], sizeof(float) * (size_t)kir_row_floats(kb));
	}
	for (int g = 0; g < q->ngroups; g++) {
		const KQGroup *G = &q->groups[g];
		long M = G->rows;
		for (long r = 0; r < M; r++) {
			float maxabs = 0;
			for (int i = 0; i < G->nweights; i++) {
				const KBuf *wb = &k->bufs.items[G->weights[i]];
				for (long c = 0; c < wb->type.dim[1]; c++)
					maxabs = fmaxf(maxabs, fabsf(f[q->src[G->weights[i]] + c * M + r]));
			}
			float scale = maxabs / 127.0f;
			put32(w, k->bufs.items[G->scale].offset + r, &scale);
			for (int i = 0; i < G->nweights; i++) {
				const KBuf *wb = &k->bufs.items[G->weights[i]];
				int8_t *dst = (int8_t *)(w + wb->offset);
				for (long c = 0; c < wb->type.dim[1]; c++) {
					double v = scale > 0 ? round(f[q->src[G->weights[i]] + c * M + r] / (double)scale) : 0;
					dst[c * M + r] = (int8_t)(v > 127 ? 127 : v < -127 ? -127 : v);
				}
			}
			if (G->threshold < 0 || !G->covered[r])
				continue;
			double off = (G->bias_src[r] >= 0 ? (double)f[G->bias_src[r]] : 0) + (double)G->c[r];
			double t = scale > 0 ? floor(-off / (double)scale) : off > 0 ? -1 : 0;
			int32_t ti = (int32_t)(t > 1 << 30 ? 1 << 30 : t < -(1 << 30) ? -(1 << 30) : t);
			put32(w, k->bufs.items[G->threshold].offset + r, &ti);
		}
	}
	return w;
}
