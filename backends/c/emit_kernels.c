/* emit_kernels.c: kernels as C statements (see emit.c for the file). */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "emit_private.h"

const char *cemit_upper(const Kir *k)
{
	static char buf[128];
	size_t i = 0;
	for (; k->model[i] && i < sizeof buf - 1; i++)
		buf[i] = (char)toupper((unsigned char)k->model[i]);
	buf[i] = 0;
	return buf;
}

const char *cemit_shape(Type t, char *buf, size_t n)
{
	size_t k = (size_t)snprintf(buf, n, "(");
	if (t.timed)
		k += (size_t)snprintf(buf + k, n - k, "T, ");
	if (t.batched)
		k += (size_t)snprintf(buf + k, n - k, "B, ");
	for (int i = 0; i < t.rank; i++)
		k += (size_t)snprintf(buf + k, n - k, "%d, ", t.dim[i]);
	if (k > 2)
		buf[k - 2] = 0;
	else
		buf[1] = 0;
	strcat(buf, ")");
	return buf;
}

const char *cemit_elem(const KBuf *kb)
{
	static const char *const types[] = {"float", "int32_t", "int8_t"};
	return types[kb->elem];
}

int cemit_gemms_used(const KList *list, const BackendOptions *opt)
{
	int used = 0;
	for (int i = 0; i < list->len; i++) {
		const Kernel *kn = &list->items[i];
		if (kn->kind == K_GEMM && !kn->q8)
			used |= backend_gemm_events(kn, opt) ? 1 << (GEMM_KINDS + kn->gemm) : 1 << kn->gemm;
		if (kn->kind == K_LOOP)
			used |= cemit_gemms_used(kn->body, opt);
	}
	return used;
}

static int in_loop;  /* emitting a loop body: timed buffers are step views */

static const KBuf *B(CEmit *e, int b)
{
	return &e->k->bufs.items[b];
}

/* A buffer as a pointer expression. */
static void ref(CEmit *e, int b)
{
	const KBuf *kb = B(e, b);
	if (kb->cls == KB_PARAM)
		sb_printf(e->o, "p->%s", kb->name);
	else if (in_loop && kb->type.timed)
		sb_printf(e->o, "%s_t", kb->name);
	else
		sb_printf(e->o, "a->%s", kb->name);
}

/* Rows of a buffer here: 1, batch, or T * batch outside a loop. */
static const char *rows(CEmit *e, int b)
{
	const KBuf *kb = B(e, b);
	if (!kb->type.batched)
		return "1";
	return kb->type.timed && !in_loop ? "T * batch" : "batch";
}

static void flt(StrBuf *o, float v)
{
	char b[48];
	util_float_str(v, b);
	if (!strpbrk(b, ".eEn"))
		strcat(b, ".0");
	sb_printf(o, "%sf", b);
}

static void load(CEmit *e, const Kernel *m, KVal v)
{
	const KBuf *kb = B(e, v.buf);
	ref(e, v.buf);
	sb_puts(e->o, "[");
	if (kb->type.batched && m->batched)
		sb_printf(e->o, "b * %d + ", kb->type.dim[0]);
	if (v.off)
		sb_printf(e->o, "%d + ", v.off);
	sb_puts(e->o, "j]");
}

static void expr(CEmit *e, const Kernel *m, int let);

/* An operand; a constant of an int32 let is an integer. */
static void operand_of(CEmit *e, const Kernel *m, KVal v, int integer)
{
	if (v.kind == KV_CONST && integer)
		sb_printf(e->o, "%ld", (long)v.c);
	else if (v.kind == KV_CONST)
		flt(e->o, v.c);
	else if (v.kind == KV_LOAD)
		load(e, m, v);
	else if (e->inlined[v.let]) {
		sb_puts(e->o, "(");
		expr(e, m, v.let);
		sb_puts(e->o, ")");
	} else
		sb_puts(e->o, m->lets.items[v.let].name);
}

static void operand(CEmit *e, const Kernel *m, KVal v)
{
	operand_of(e, m, v, 0);
}

/* psi(v) of DESIGN section 2, as C. */
static void surrogate(CEmit *e, const Kernel *m, const KLet *l)
{
	StrBuf *o = e->o;
	float a = l->sur.p[0], b = l->sur.p[1];
	switch (l->sur.kind) {
	case SUR_GAUSSIAN:
		flt(o, b), sb_puts(o, " * spk_expf(-"), operand(e, m, l->a), sb_puts(o, " * "), operand(e, m, l->a);
		sb_puts(o, " / "), flt(o, 2 * a), sb_puts(o, ")");
		break;
	case SUR_FAST_SIGMOID:
		sb_puts(o, "1.0f / ((1.0f + "), flt(o, a), sb_puts(o, " * fabsf("), operand(e, m, l->a);
		sb_puts(o, ")) * (1.0f + "), flt(o, a), sb_puts(o, " * fabsf("), operand(e, m, l->a), sb_puts(o, ")))");
		break;
	case SUR_ATAN:
		flt(o, a / 2), sb_puts(o, " / (1.0f + "), flt(o, (float)(3.14159265358979323846 / 2 * a));
		sb_puts(o, " * "), operand(e, m, l->a), sb_puts(o, " * "), flt(o, (float)(3.14159265358979323846 / 2 * a));
		sb_puts(o, " * "), operand(e, m, l->a), sb_puts(o, ")");
		break;
	case SUR_SIGMOID:
		flt(o, a), sb_puts(o, " / (1.0f + spk_expf(-"), flt(o, a), sb_puts(o, " * "), operand(e, m, l->a);
		sb_puts(o, ")) * (1.0f - 1.0f / (1.0f + spk_expf(-"), flt(o, a), sb_puts(o, " * "), operand(e, m, l->a);
		sb_puts(o, ")))");
		break;
	case SUR_TRIANGLE:
		sb_puts(o, "fmaxf(0.0f, 1.0f - fabsf("), operand(e, m, l->a), sb_puts(o, ") / "), flt(o, a);
		sb_puts(o, ") / "), flt(o, a);
		break;
	case SUR_RECT:
		sb_puts(o, "(fabsf("), operand(e, m, l->a), sb_puts(o, ") < "), flt(o, a / 2), sb_puts(o, " ? ");
		flt(o, 1 / a), sb_puts(o, " : 0.0f)");
		break;
	case SUR_STRAIGHT_THROUGH:
		sb_puts(o, "1.0f");
		break;
	case SUR_COUNT:
		SPK_BUG("bad surrogate");
	}
}

/* The primitive of psi (smooth-spikes test mode): a smooth step whose
 * derivative is exactly the surrogate, so finite differences of the loss
 * must match the surrogate gradient. */
static void primitive(CEmit *e, const Kernel *m, const KLet *l)
{
	StrBuf *o = e->o;
	float a = l->sur.p[0], b = l->sur.p[1];
	switch (l->sur.kind) {
	case SUR_GAUSSIAN:
		flt(o, (float)(b * sqrt(2 * 3.14159265358979323846 * a) / 2)), sb_puts(o, " * (1.0f + erff(");
		operand(e, m, l->a), sb_puts(o, " / "), flt(o, (float)sqrt(2 * a)), sb_puts(o, "))");
		break;
	case SUR_FAST_SIGMOID:
		operand(e, m, l->a), sb_puts(o, " / (1.0f + "), flt(o, a), sb_puts(o, " * fabsf("), operand(e, m, l->a);
		sb_puts(o, "))");
		break;
	case SUR_ATAN:
		sb_puts(o, "atanf("), flt(o, (float)(3.14159265358979323846 / 2 * a)), sb_puts(o, " * ");
		operand(e, m, l->a), sb_puts(o, ") / "), flt(o, (float)3.14159265358979323846);
		break;
	case SUR_SIGMOID:
		sb_puts(o, "1.0f / (1.0f + spk_expf(-"), flt(o, a), sb_puts(o, " * "), operand(e, m, l->a), sb_puts(o, "))");
		break;
	case SUR_TRIANGLE:  /* integral of max(0, 1 - |v|/w)/w, clamped at +-1/2 */
		sb_puts(o, "(fabsf("), operand(e, m, l->a), sb_puts(o, ") < "), flt(o, a), sb_puts(o, " ? (");
		operand(e, m, l->a), sb_puts(o, " / "), flt(o, a), sb_puts(o, ") * (1.0f - fabsf("), operand(e, m, l->a);
		sb_puts(o, ") / "), flt(o, 2 * a), sb_puts(o, ") : ("), operand(e, m, l->a), sb_puts(o, " > 0.0f ? 0.5f : -0.5f))");
		break;
	case SUR_RECT:
		sb_puts(o, "fmaxf(-0.5f, fminf(0.5f, "), operand(e, m, l->a), sb_puts(o, " / "), flt(o, a), sb_puts(o, "))");
		break;
	case SUR_STRAIGHT_THROUGH:
		operand(e, m, l->a);
		break;
	case SUR_COUNT:
		SPK_BUG("bad surrogate");
	}
}

/* x * spk_dropout_mask(key, site, row, t, T, j, n, p, scale): the row and
 * step of this element (runtime/dropout.h). */
static void dropout(CEmit *e, const Kernel *m, const KLet *l)
{
	StrBuf *o = e->o;
	const Node *n = &e->k->g->nodes.items[l->node];
	operand(e, m, l->a), sb_puts(o, " * spk_dropout_mask("), ref(e, l->b.buf);
	sb_printf(o, ", %d, %s, %s, T, ", n->a.drop.site, m->batched == 2 ? "b % batch" : "b",
		  m->batched == 2 ? "b / batch" : in_loop ? "t" : "0");
	if (l->off)
		sb_printf(o, "%d + ", l->off);
	sb_printf(o, "j, %d, ", n->type.dim[0]), flt(o, n->a.drop.p), sb_puts(o, ", ");
	flt(o, ir_dropout_scale(n->a.drop.p)), sb_puts(o, ")");
}

static void expr(CEmit *e, const Kernel *m, int let)
{
	const KLet *l = &m->lets.items[let];
	StrBuf *o = e->o;
	static const char *infix[OP_COUNT] = {[OP_ADD] = " + ", [OP_SUB] = " - ", [OP_MUL] = " * ", [OP_DIV] = " / "};
	switch (l->op) {
	case OP_ADD: case OP_SUB: case OP_MUL: case OP_DIV:
		operand_of(e, m, l->a, l->integer);
		if (l->op == OP_ADD && l->b.kind == KV_CONST && l->b.c == 0)  /* a copy */
			return;
		sb_puts(o, infix[l->op]);
		operand_of(e, m, l->b, l->integer);
		return;
	case OP_NEG: sb_puts(o, "-"); operand(e, m, l->a); return;
	case OP_SPIKE:
		if (e->opt->smooth_spikes)
			primitive(e, m, l);
		else if (l->integer)
			operand(e, m, l->a), sb_puts(o, kir_is_int(e->k, m, l->a) ? " > 0 ? 1 : 0" : " > 0.0f ? 1 : 0");
		else
			operand(e, m, l->a), sb_puts(o, " > 0.0f ? 1.0f : 0.0f");
		return;
	case OP_DEQUANT: sb_puts(o, "(float)"); operand(e, m, l->a); sb_puts(o, " * "); operand(e, m, l->b); return;
	case OP_SIGMOID: sb_puts(o, "spk_sigmoidf("); operand(e, m, l->a); sb_puts(o, ")"); return;
	case OP_TANH: sb_puts(o, "spk_tanhf("); operand(e, m, l->a); sb_puts(o, ")"); return;
	case OP_SURROGATE: surrogate(e, m, l); return;
	case OP_DROPOUT: dropout(e, m, l); return;
	default: SPK_BUG("no C spelling for %s", ir_ops[l->op].name);
	}
}

static void emit_map(CEmit *e, const Kernel *m)
{
	StrBuf *o = e->o;
	unsigned char *live = kir_live_lets(m), *inlined = kir_inlined_lets(m);
	const char *ind = m->batched ? "\t\t\t" : "\t\t";
	e->inlined = inlined;
	int counts = backend_counts_spikes(e->k, m, e->opt);
	if (m->batched)
		sb_printf(o, "\tfor (int b = 0; b < %s; b++) {\n", m->batched == 2 ? "T * batch" : "batch");
	for (int i = 0; counts && i < m->stores.len; i++)
		if (m->stores.items[i].reduce)
			sb_printf(o, "%sint count_%d = 0;  /* spikes of this row */\n", m->batched ? "\t\t" : "\t", i);
	if (kir_map_independent(m, counts))
		sb_printf(o, "%sSPK_INDEPENDENT\n", m->batched ? "\t\t" : "\t");
	sb_printf(o, "%sfor (int j = 0; j < %d; j++) {\n", m->batched ? "\t\t" : "\t", m->n);
	for (int i = 0; i < m->lets.len; i++) {
		if (inlined[i] || !live[i])
			continue;
		const KLet *l = &m->lets.items[i];
		sb_printf(o, "%s%s %s = ", ind, l->integer ? "int32_t" : "float", l->name);
		expr(e, m, i);
		if (l->op == OP_SPIKE && l->integer)
			sb_puts(o, ";  /* spike: an integer compare (quantized) */\n");
		else if (l->op == OP_SPIKE || l->op == OP_SURROGATE)
			sb_printf(o, ";  /* %s %s */\n", l->op == OP_SPIKE ? "spike, surrogate" : "surrogate derivative",
				  ir_surrogates[l->sur.kind].name);
		else
			sb_puts(o, ";\n");
	}
	for (int i = 0; i < m->stores.len; i++) {
		const KStore *s = &m->stores.items[i];
		KVal v = {KV_LOAD, 0, s->buf, s->off, 0};
		sb_puts(o, ind);
		if (s->reduce && counts)
			sb_printf(o, "count_%d += (int)(", i);
		else if (s->reduce)
			ref(e, s->buf), sb_printf(o, "[%d]", s->off);
		else
			load(e, m, v);
		if (!(s->reduce && counts))
			sb_puts(o, s->accumulate ? " += " : " = ");
		if (inlined[s->let])
			expr(e, m, s->let);
		else
			sb_puts(o, m->lets.items[s->let].name);
		sb_puts(o, s->reduce && counts ? ");\n" : ";\n");
	}
	sb_printf(o, "%s}\n", m->batched ? "\t\t" : "\t");
	for (int i = 0; counts && i < m->stores.len; i++)
		if (m->stores.items[i].reduce) {
			sb_puts(o, m->batched ? "\t\t" : "\t");
			ref(e, m->stores.items[i].buf);
			sb_printf(o, "[%d] += (float)count_%d;\n", m->stores.items[i].off, i);
		}
	if (m->batched)
		sb_puts(o, "\t}\n");
	free(live);
	free(inlined);
	e->inlined = NULL;
}

static void emit_gemm(CEmit *e, const Kernel *kn)
{
	StrBuf *o = e->o;
	const KBuf *w = B(e, kn->gemm == GEMM_OUTER ? kn->out : kn->b);
	static const char *const fn[] = {"matmul_xwt", "matmul_dw", "matmul_outer"};
	if (kn->comment)
		sb_printf(o, "\t/* %s */\n", kn->comment);
	if (kn->q8) {  /* x is the caller's float spikes or int32 ones */
		int fx = B(e, kn->a)->elem == KE_F32;
		sb_printf(o, "\tspk_events_xwt_q8(%s, %d, %d, %s", rows(e, kn->a), w->type.dim[0], w->type.dim[1], fx ? "" : "NULL, ");
		ref(e, kn->a);
		sb_puts(o, fx ? ", NULL, " : ", ");
		ref(e, kn->b);
		sb_puts(o, ", ");
		ref(e, kn->out);
		sb_printf(o, ", %d);\n", kn->accumulate);
		return;
	}
	sb_printf(o, "\t%s%s(%s, %d, %d, ", fn[kn->gemm], backend_gemm_events(kn, e->opt) ? "_spikes" : "",
		  rows(e, kn->a), w->type.dim[0], w->type.dim[1]);
	ref(e, kn->a);
	sb_puts(o, ", ");
	ref(e, kn->b);
	sb_puts(o, ", ");
	ref(e, kn->out);
	sb_printf(o, ", %s);\n", kn->accumulate ? "1.0f" : "0.0f");
}

static void emit_loss(CEmit *e, const Kernel *kn)
{
	StrBuf *o = e->o;
	const KBuf *y = B(e, kn->a);
	int n = y->type.dim[0];
	const char *R = rows(e, kn->a);
	if (kn->loss == OP_CROSS_ENTROPY && kn->kind == K_LOSS) {
		sb_printf(o, "\t{\t/* cross entropy: mean over rows of log sum exp(y) - y[label] */\n");
		sb_printf(o, "\t\tdouble sum = 0;\n\t\tfor (int r = 0; r < %s; r++) {\n", R);
		sb_puts(o, "\t\t\tconst float *y = "), ref(e, kn->a), sb_printf(o, " + (size_t)r * %d;\n", n);
		sb_printf(o, "\t\t\tfloat m = y[0];\n\t\t\tdouble s = 0;\n\t\t\tfor (int j = 1; j < %d; j++)\n"
			     "\t\t\t\tm = y[j] > m ? y[j] : m;\n\t\t\tfor (int j = 0; j < %d; j++)\n"
			     "\t\t\t\ts += exp((double)(y[j] - m));\n", n, n);
		sb_puts(o, "\t\t\tsum += log(s) + m - y["), ref(e, kn->b), sb_puts(o, "[r]];\n\t\t}\n");
		sb_puts(o, "\t\t"), ref(e, kn->out), sb_printf(o, "[0] = (float)(sum / (%s));\n\t}\n", R);
	} else if (kn->loss == OP_CROSS_ENTROPY) {
		sb_printf(o, "\t/* d loss / d y = (softmax(y) - onehot(label)) / rows */\n");
		sb_printf(o, "\tfor (int r = 0; r < %s; r++) {\n", R);
		sb_puts(o, "\t\tconst float *y = "), ref(e, kn->a), sb_printf(o, " + (size_t)r * %d;\n", n);
		sb_puts(o, "\t\tfloat *dy = "), ref(e, kn->out), sb_printf(o, " + (size_t)r * %d;\n", n);
		sb_printf(o, "\t\tfloat m = y[0];\n\t\tdouble s = 0;\n\t\tfor (int j = 1; j < %d; j++)\n"
			     "\t\t\tm = y[j] > m ? y[j] : m;\n\t\tfor (int j = 0; j < %d; j++)\n"
			     "\t\t\ts += exp((double)(y[j] - m));\n", n, n);
		sb_printf(o, "\t\tfor (int j = 0; j < %d; j++)\n\t\t\tdy[j] = (float)((exp((double)(y[j] - m)) / s - (j == ", n);
		ref(e, kn->b), sb_printf(o, "[r])) / (%s));\n\t}\n", R);
	} else if (kn->kind == K_LOSS) {
		sb_printf(o, "\t{\t/* mean squared error */\n\t\tdouble sum = 0;\n");
		sb_printf(o, "\t\tfor (size_t i = 0; i < (size_t)(%s) * %d; i++) {\n\t\t\tdouble d = ", R, n);
		ref(e, kn->a), sb_puts(o, "[i] - "), ref(e, kn->b), sb_puts(o, "[i];\n\t\t\tsum += d * d;\n\t\t}\n");
		sb_puts(o, "\t\t"), ref(e, kn->out), sb_printf(o, "[0] = (float)(sum / ((double)(%s) * %d));\n\t}\n", R, n);
	} else {
		sb_printf(o, "\t/* d loss / d y = 2 (y - target) / elements */\n");
		sb_printf(o, "\tfor (size_t i = 0; i < (size_t)(%s) * %d; i++)\n\t\t", R, n);
		ref(e, kn->out), sb_puts(o, "[i] = (float)(2.0 * ("), ref(e, kn->a), sb_puts(o, "[i] - ");
		ref(e, kn->b), sb_printf(o, "[i]) / ((double)(%s) * %d));\n", R, n);
	}
}

static void emit_sum_rows(CEmit *e, const Kernel *kn)
{
	StrBuf *o = e->o;
	int n = B(e, kn->a)->type.dim[0];
	if (!kn->accumulate)
		sb_puts(o, "\tmemset("), ref(e, kn->out), sb_printf(o, ", 0, sizeof(float) * %d);\n", n);
	sb_printf(o, "\tfor (int r = 0; r < %s; r++)\n\t\tfor (int j = 0; j < %d; j++)\n\t\t\t", rows(e, kn->a), n);
	ref(e, kn->out), sb_puts(o, "[j] += "), ref(e, kn->a), sb_printf(o, "[(size_t)r * %d + j];\n", n);
}

/* GATHER: out row r = row ids[r] of the table; SCATTER: row r of d added to
 * row ids[r]. The table (V, n) is stored transposed, (n, V) (io/layout.h). */
static void emit_embed(CEmit *e, const Kernel *kn)
{
	StrBuf *o = e->o;
	int gather = kn->kind == K_GATHER, ids = gather ? kn->a : kn->b;
	const KBuf *table = B(e, gather ? kn->b : kn->out);
	int V = table->type.dim[0], n = table->type.dim[1];
	if (!gather && !kn->accumulate)
		sb_puts(o, "\tmemset("), ref(e, kn->out), sb_printf(o, ", 0, sizeof(float) * %ld);\n", (long)V * n);
	sb_printf(o, "\tfor (int r = 0; r < %s; r++) {\t/* %s */\n\t\tint id = (int)", rows(e, kn->a),
		  gather ? "gather: a row of the table per token id" : "scatter: d's rows into the rows of their token ids");
	ref(e, ids), sb_printf(o, "[r];\n\t\tfor (int j = 0; j < %d; j++)\n\t\t\t", n);
	if (gather) {
		ref(e, kn->out), sb_printf(o, "[(size_t)r * %d + j] = ", n), ref(e, kn->b);
		sb_printf(o, "[(size_t)j * %d + id];\n\t}\n", V);
	} else {
		ref(e, kn->out), sb_printf(o, "[(size_t)j * %d + id] += ", V), ref(e, kn->a);
		sb_printf(o, "[(size_t)r * %d + j];\n\t}\n", n);
	}
}

/* A COPY into or out of a bits buffer. */
static void emit_bits(CEmit *e, const Kernel *kn)
{
	StrBuf *o = e->o;
	int pack = B(e, kn->out)->bits;
	sb_printf(o, "\tspk_bits_%s(%s, %d, ", pack ? "pack" : "unpack", rows(e, kn->out), B(e, kn->out)->type.dim[0]);
	sb_puts(o, pack ? "" : "(const uint32_t *)"), ref(e, kn->a);
	sb_puts(o, pack ? ", (uint32_t *)" : ", "), ref(e, kn->out), sb_puts(o, ");\n");
}

void cemit_kernels(CEmit *e, const KList *list, int from, int to, const char *const *loop_names)
{
	StrBuf *o = e->o;
	for (int i = from; i < to; i++) {
		const Kernel *kn = &list->items[i];
		switch (kn->kind) {
		case K_COPY:
			if (B(e, kn->out)->bits || B(e, kn->a)->bits) {
				emit_bits(e, kn);
				break;
			}
			/* fall through */
		case K_ZERO:
			sb_puts(o, kn->kind == K_ZERO ? "\tmemset(" : "\tmemcpy("), ref(e, kn->out);
			if (kn->kind == K_COPY)
				sb_puts(o, ", "), ref(e, kn->a);
			sb_printf(o, "%s, sizeof(float) * (size_t)(%s) * %ld);\n", kn->kind == K_ZERO ? ", 0" : "",
				  rows(e, kn->out), kir_row_floats(B(e, kn->out)));
			break;
		case K_GEMM: emit_gemm(e, kn); break;
		case K_SUM_ROWS: emit_sum_rows(e, kn); break;
		case K_GATHER: case K_SCATTER: emit_embed(e, kn); break;
		case K_LOSS: case K_LOSS_GRAD: emit_loss(e, kn); break;
		case K_MAP: emit_map(e, kn); break;
		case K_LOOP:
			if (kn->reverse)
				sb_puts(o, "\tfor (int t = T - 1; t >= 0; t--) {\n");
			else
				sb_puts(o, "\tfor (int t = 0; t < T; t++) {\n");
			if (kn->window) {
				sb_printf(o, "\t\tif (t != T - 1 && t %% %d == %d) {  /* truncated BPTT: a new window */\n",
					  kn->window, kn->window - 1);
				for (int s = 0; s < kn->states.len; s++) {
					sb_puts(o, "\t\t\tmemset("), ref(e, kn->states.items[s]);
					sb_printf(o, ", 0, sizeof(float) * (size_t)batch * %ld);\n",
						  kir_row_floats(B(e, kn->states.items[s])));
				}
				sb_puts(o, "\t\t}\n");
			}
			sb_printf(o, "\t\t%s(p, a, batch, t);\n\t}\n", loop_names[i]);
			break;
		}
	}
}

void cemit_loop_body(CEmit *e, const Kernel *loop, const char *name, const char *buftype)
{
	StrBuf *o = e->o;
	KUses use;
	kir_uses_init(&use, e->k);
	kir_uses_add_list(&use, loop->body);
	sb_printf(o, "static void %s(const Params *p, %s *a, int batch, int t)\n{\n", name, buftype);
	for (int b = 0; b < e->k->bufs.len; b++)
		if (B(e, b)->type.timed && use.use[b])
			sb_printf(o, "\t%s%s *%s_t = a->%s + (size_t)t * batch * %ld;\n",
				  B(e, b)->cls == KB_INPUT || B(e, b)->cls == KB_LABELS ? "const " : "", cemit_elem(B(e, b)),
				  B(e, b)->name, B(e, b)->name, kir_row_floats(B(e, b)));
	kir_uses_free(&use);
	in_loop = 1;
	cemit_kernels(e, loop->body, 0, loop->body->len, NULL);
	in_loop = 0;
	sb_puts(o, "}\n\n");
}
