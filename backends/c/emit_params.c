/* emit_params.c: what the emitted C does to a whole parameter array:
 * <model>_init (the draws of train/checkpoint.c's ckpt_init) and <model>_step
 * (the optimizer update, as torch.optim computes it). */
#include <string.h>
#include "emit_private.h"

void cemit_init(const Kir *k, StrBuf *o)
{
	const char *m = k->model;
	int he = 0;
	sb_printf(o, "void %s_init(float *params, uint64_t seed)\n{\n", m);
	for (int b = 0; b < k->bufs.len; b++) {
		const KBuf *kb = &k->bufs.items[b];
		if (kb->cls != KB_PARAM)
			continue;
		const Param *pr = &k->g->params.items[kb->index];
		long n = kir_row_floats(kb);
		if (pr->init == INIT_ZEROS) {
			sb_printf(o, "\tmemset(params + %ld, 0, sizeof(float) * %ld);  /* %s: zeros */\n", kb->offset, n,
				  kb->what);
		} else {
			he = 1;
			sb_printf(o, "\tfor (long i = 0; i < %ld; i++)  /* %s: He-normal, std sqrt(2 / %d) */\n", n,
				  kb->what, pr->fan_in);
			if (kb->type.rank == 2)  /* drawn in PyTorch's order, stored transposed */
				sb_printf(o, "\t\tparams[%ld + i %% %d * %d + i / %d] = ", kb->offset, kb->type.dim[1],
					  kb->type.dim[0], kb->type.dim[1]);
			else
				sb_printf(o, "\t\tparams[%ld + i] = ", kb->offset);
			sb_printf(o, "(float)(spk_rng_normal(seed, %d, (uint64_t)i) * sqrt(2.0 / %d));\n", kb->index,
				  pr->fan_in);
		}
	}
	if (!he)
		sb_puts(o, "\t(void)seed;\n");
	if (!k->nparams)
		sb_puts(o, "\t(void)params;\n");
	sb_puts(o, "}\n\n");
}

/* A float literal: "0.9f", "1e-08f", "0.0f". */
static const char *cf(double v, char buf[40])
{
	util_float_str((float)v, buf);
	if (!strpbrk(buf, ".eEn"))
		strcat(buf, ".0");
	strcat(buf, "f");
	return buf;
}

void cemit_optimizer(const Kir *k, const BackendOptions *opt, StrBuf *o)
{
	char c1[40], c2[40];
	const char *m = k->model;
	const TrainOptim optim = backend_optim(opt), *op = &optim;
	double clip = opt->clip;
	char num[32];
	sb_printf(o, "/* One %s update (as torch.optim.%s), after clipping the gradient to a\n"
		     " * global L2 norm of %s. */\n", train_optimizer_names[op->kind],
		  op->kind == OPTIM_ADAM ? "Adam" : "SGD", clip > 0 ? util_float_str((float)clip, num) : "infinity (no clipping)");
	sb_printf(o, "void %s_step(float *params, const float *grads, float *opt_state, float lr, long t)\n{\n", m);
	sb_puts(o, "\tfloat scale = 1.0f;\n");
	if (clip > 0) {
		sb_printf(o, "\tdouble norm = 0;\n\tfor (long i = 0; i < %ld; i++)\n\t\tnorm += (double)grads[i] * grads[i];\n", k->nparams);
		sb_printf(o, "\tnorm = sqrt(norm);\n\tif (norm > %.17g)\n\t\tscale = (float)(%.17g / (norm + 1e-6));\n", clip, clip);
	}
	if (op->kind == OPTIM_ADAM) {
		sb_printf(o, "\tfloat *m = opt_state, *v = opt_state + %ld;\n", k->nparams);
		sb_printf(o, "\tdouble bc1 = 1.0 - pow(%.17g, (double)t), bc2 = 1.0 - pow(%.17g, (double)t);\n",
			  op->beta1, op->beta2);
		sb_puts(o, "\tfloat step_size = (float)(lr / bc1), sqrt_bc2 = (float)sqrt(bc2);\n");
		sb_printf(o, "\tfor (long i = 0; i < %ld; i++) {\n", k->nparams);
		sb_printf(o, "\t\tfloat g = grads[i] * scale + %s * params[i];\n", cf(op->weight_decay, c1));
		sb_printf(o, "\t\tm[i] = %s * m[i] + %s * g;\n", cf(op->beta1, c1), cf(1 - op->beta1, c2));
		sb_printf(o, "\t\tv[i] = %s * v[i] + %s * g * g;\n", cf(op->beta2, c1), cf(1 - op->beta2, c2));
		sb_printf(o, "\t\tparams[i] -= step_size * m[i] / (sqrtf(v[i]) / sqrt_bc2 + %s);\n\t}\n", cf(op->eps, c1));
	} else {
		sb_printf(o, "\tfloat *buf = opt_state;\n\t(void)t;\n\tfor (long i = 0; i < %ld; i++) {\n", k->nparams);
		sb_printf(o, "\t\tfloat g = grads[i] * scale + %s * params[i];\n", cf(op->weight_decay, c1));
		sb_printf(o, "\t\tbuf[i] = %s * buf[i] + g;\n\t\tparams[i] -= lr * buf[i];\n\t}\n", cf(op->momentum, c1));
	}
	sb_puts(o, "}\n");
}
