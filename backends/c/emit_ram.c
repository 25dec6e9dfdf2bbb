/* emit_ram.c: the RAM section of the header `spikec emit --target
 * cortex-m4` writes (docs/targets.md#cortex-m4): what the caller of the
 * emitted functions provides, as numbers, since a microcontroller's arrays
 * are sized when the firmware is linked. */
#include "emit_private.h"

/* Floats of one sample of every buffer of class cls (inputs, labels). */
static long class_floats(const Kir *k, KBufClass cls)
{
	long n = 0;
	for (int b = 0; b < k->bufs.len; b++)
		if (k->bufs.items[b].cls == cls)
			n += kir_buf_floats(k, b, 1);
	return n;
}

void cemit_ram(const Kir *k, const BackendOptions *opt, StrBuf *o)
{
	const char *M = cemit_upper(k), *m = k->model;
	long ws = kir_workspace_floats(k, PROG_INFER, 1), np = k->nparams;
	long x = class_floats(k, KB_INPUT), y = kir_buf_floats(k, k->output, 1);
	long ins = x / k->steps, outs = k->bufs.items[k->output].type.timed ? y / k->steps : y;
	sb_printf(o, "\n/* RAM (--target cortex-m4). Nothing here allocates or calls stdio; the\n"
		     " * caller provides every array (static arrays will do), 4 bytes a float:\n"
		     " *   forward(), batch B: workspace WORKSPACE_FLOATS_PER_SAMPLE * B floats,\n"
		     " *     inputs %ld * B, outputs %ld * B, and params (NUM_PARAMS floats)\n"
		     " *     unless they are the const %s_weights table of --checkpoint (flash).\n"
		     " *   stream_step(): state STATE_FLOATS, inputs %ld, outputs %ld floats.\n",
		  x, y, m, ins, outs);
	if (k->has_train)
		sb_printf(o, " *   training, batch B: params, grads (NUM_PARAMS each) and opt_state\n"
			     " *     (OPT_STATE_FLOATS) in RAM, the workspace with the tape backward()\n"
			     " *     reads (TRAIN_WORKSPACE_FLOATS_PER_SAMPLE * B floats), inputs,\n"
			     " *     outputs and %ld labels * B (4 bytes each).\n",
			  class_floats(k, KB_LABELS));
	sb_printf(o, " * Totals for B = 1, in bytes; the stack comes on top (about 9 KB: a\n"
		     " * spike-event product keeps an 8 KB index table there). */\n");
	sb_printf(o, "#define %s_WORKSPACE_FLOATS_PER_SAMPLE %ld\n", M, ws);
	sb_printf(o, "#define %s_RAM_FORWARD_BYTES %ld   /* workspace, inputs, outputs; params baked */\n", M,
		  4 * (ws + x + y));
	sb_printf(o, "#define %s_RAM_STREAM_BYTES %ld    /* state, inputs, outputs of one step; params baked */\n", M,
		  4 * (ws + ins + outs));
	if (k->has_train) {
		long tws = kir_workspace_floats(k, PROG_TRAIN, 1), lab = class_floats(k, KB_LABELS);
		long nopt = (backend_optim(opt).kind == OPTIM_ADAM ? 2 : 1) * np;
		sb_printf(o, "#define %s_TRAIN_WORKSPACE_FLOATS_PER_SAMPLE %ld\n", M, tws);
		sb_printf(o, "#define %s_RAM_TRAIN_BYTES %ld   /* params, grads, opt_state, workspace, inputs, "
			     "outputs, labels */\n", M, 4 * (2 * np + nopt + tws + x + y + lab));
	}
}
