/* kir_print.c: the kernel IR as text (`spikec ir --after kernels`). */
#include "kir.h"

static const char *cls_name[] = {"param", "input", "output", "state", "act"};

static void val(const Kir *k, const Kernel *m, KVal v, FILE *out)
{
	switch (v.kind) {
	case KV_CONST: {
		char num[32];
		fprintf(out, "%s", util_float_str(v.c, num));
		break;
	}
	case KV_LET: fprintf(out, "%s", m->lets.items[v.let].name); break;
	case KV_LOAD: fprintf(out, "%s[%s%d]", k->bufs.items[v.buf].name, v.off ? "+" : "", v.off); break;
	}
}

static void list(const Kir *k, const char *name, const KList *l, FILE *out)
{
	fprintf(out, "%s:\n", name);
	for (int i = 0; i < l->len; i++) {
		const Kernel *kn = &l->items[i];
		const char *o = kn->out >= 0 ? k->bufs.items[kn->out].name : "-";
		switch (kn->kind) {
		case K_ZERO: fprintf(out, "    zero %s\n", o); break;
		case K_COPY: fprintf(out, "    copy %s <- %s\n", o, k->bufs.items[kn->src].name); break;
		case K_GEMM:
			fprintf(out, "    gemm %s %s %s @ %s^T\n", o, kn->accumulate ? "+=" : "=",
				k->bufs.items[kn->x].name, k->bufs.items[kn->w].name);
			break;
		case K_MAP:
			fprintf(out, "    map (%s%d) {\n", kn->batched ? "B, " : "", kn->n);
			for (int j = 0; j < kn->lets.len; j++) {
				const KLet *lt = &kn->lets.items[j];
				fprintf(out, "        %s = %s ", lt->name, ir_ops[lt->op].name);
				val(k, kn, lt->a, out);
				if (ir_ops[lt->op].arity == 2) {
					fprintf(out, ", ");
					val(k, kn, lt->b, out);
				}
				fprintf(out, "\n");
			}
			for (int j = 0; j < kn->stores.len; j++)
				fprintf(out, "        store %s -> %s\n", kn->lets.items[kn->stores.items[j].let].name,
					k->bufs.items[kn->stores.items[j].buf].name);
			fprintf(out, "    }\n");
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
		fprintf(out, "buf %-16s %-6s %s", kb->name, cls_name[kb->cls], ir_type_str(kb->type, ty, sizeof ty));
		if (kb->cls == KB_PARAM)
			fprintf(out, " offset %ld", kb->offset);
		fprintf(out, "\n");
	}
	list(k, "init", &k->init, out);
	list(k, "step", &k->step, out);
	list(k, "readout", &k->readout, out);
}
