/* kir_print.c: the kernel IR as text (`spikec ir --after kernels`). */
#include "kir.h"

static const char *const cls_name[] = {"param", "grad", "dinput", "input", "labels", "output", "loss", "state", "act"};
static const char *const prog_name[PROG_COUNT] = {"infer", "train"};

static void val(const Kir *k, const Kernel *m, KVal v, FILE *out)
{
	char num[32];
	switch (v.kind) {
	case KV_CONST: fprintf(out, "%s", util_float_str(v.c, num)); break;
	case KV_LET: fprintf(out, "%s", m->lets.items[v.let].name); break;
	case KV_LOAD: fprintf(out, "%s[%s%d]", k->bufs.items[v.buf].name, v.off ? "+" : "", v.off); break;
	}
}

static const char *bn(const Kir *k, int b)
{
	return b >= 0 ? k->bufs.items[b].name : "-";
}

static void list(const Kir *k, const KList *l, int depth, FILE *out)
{
	static const char *const gemm_spelling[] = {"%s @ %s^T", "%s @ %s", "%s^T @ %s"};
	int ind = 4 * depth;
	for (int i = 0; i < l->len; i++) {
		const Kernel *kn = &l->items[i];
		const char *o = bn(k, kn->out), *eq = kn->accumulate ? "+=" : "=";
		switch (kn->kind) {
		case K_ZERO: fprintf(out, "%*szero %s\n", ind, "", o); break;
		case K_COPY: fprintf(out, "%*scopy %s <- %s\n", ind, "", o, bn(k, kn->a)); break;
		case K_GEMM:
			fprintf(out, "%*sgemm %s %s ", ind, "", o, eq);
			fprintf(out, gemm_spelling[kn->gemm], bn(k, kn->a), bn(k, kn->b));
			fprintf(out, "%s\n", kn->q8 ? "  (spike events, int8 into int32)" : kn->spikes ? "  (spike events)" : "");
			break;
		case K_SUM_ROWS: fprintf(out, "%*ssum_rows %s %s %s\n", ind, "", o, eq, bn(k, kn->a)); break;
		case K_GATHER: fprintf(out, "%*sgather %s = %s[%s]\n", ind, "", o, bn(k, kn->b), bn(k, kn->a)); break;
		case K_SCATTER:
			fprintf(out, "%*sscatter %s[%s] %s %s\n", ind, "", o, bn(k, kn->b), eq, bn(k, kn->a));
			break;
		case K_LOSS:
		case K_LOSS_GRAD:
			fprintf(out, "%*s%s %s = %s%s %s, %s\n", ind, "", kn->kind == K_LOSS ? "loss" : "loss_grad", o,
				ir_ops[kn->loss].name, kn->kind == K_LOSS ? "" : "'", bn(k, kn->a), bn(k, kn->b));
			break;
		case K_MAP:
			fprintf(out, "%*smap (%s%d) {\n", ind, "", kn->batched == 2 ? "T*B, " : kn->batched ? "B, " : "",
				kn->n);
			for (int j = 0; j < kn->lets.len; j++) {
				const KLet *lt = &kn->lets.items[j];
				fprintf(out, "%*s%s = %s%s ", ind + 4, "", lt->name, ir_ops[lt->op].name, lt->integer ? ".i32" : "");
				val(k, kn, lt->a, out);
				if (ir_ops[lt->op].arity == 2 || lt->op == OP_DROPOUT) {
					fprintf(out, ", ");
					val(k, kn, lt->b, out);
				}
				fprintf(out, "\n");
			}
			for (int j = 0; j < kn->stores.len; j++) {
				const KStore *s = &kn->stores.items[j];
				fprintf(out, "%*sstore %s %s %s", ind + 4, "", kn->lets.items[s->let].name,
					s->reduce ? "+/>" : s->accumulate ? "+>" : "->", bn(k, s->buf));
				if (s->off || s->reduce)
					fprintf(out, s->reduce ? "[%d]" : "[+%d]", s->off);
				fprintf(out, "\n");
			}
			fprintf(out, "%*s}\n", ind, "");
			break;
		case K_LOOP:
			fprintf(out, "%*sloop t %s", ind, "", kn->reverse ? "T-1..0" : "0..T-1");
			if (kn->window)
				fprintf(out, " window %d", kn->window);
			fprintf(out, " {\n");
			list(k, kn->body, depth + 1, out);
			fprintf(out, "%*s}\n", ind, "");
			break;
		}
	}
}

void kir_print(const Kir *k, FILE *out)
{
	char ty[64];
	fprintf(out, "kernels %s steps %d params %ld\n", k->model, k->steps, k->nparams);
	for (int b = 0; b < k->bufs.len; b++) {
		const KBuf *kb = &k->bufs.items[b];
		fprintf(out, "buf %-20s %-6s %-5s %s", kb->name, cls_name[kb->cls],
			kb->program >= 0 ? prog_name[kb->program] : "", ir_type_str(kb->type, ty, sizeof ty));
		if (kb->bits)
			fprintf(out, " bits");
		if (kb->elem != KE_F32)
			fprintf(out, " as %s", kb->elem == KE_I32 ? "i32" : "i8");
		if (kb->cls == KB_PARAM || kb->cls == KB_GRAD)
			fprintf(out, " offset %ld", kb->offset);
		fprintf(out, "\n");
	}
	for (int p = 0; p < PROG_COUNT; p++) {
		if (p == PROG_TRAIN && !k->has_train)
			continue;
		fprintf(out, "%s:\n", prog_name[p]);
		list(k, &k->prog[p].kernels, 1, out);
	}
}
