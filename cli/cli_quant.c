/* cli_quant.c: spikec quantize, a float checkpoint to the int8 one that the
 * integer forward pass reads (compiler/kir_quant.h, docs/quantize.md). */
#include <stdio.h>
#include <stdlib.h>
#include "compiler/kir_quant.h"
#include "train/checkpoint.h"
#include "cli.h"

static int quantize(const CliArgs *a)
{
	Compilation c = {0};
	if (pipeline_compile(&c, a->model, NULL))
		diag_exit();
	float *fp = cli_load_checkpoint(&c, a->checkpoint, a->strict);
	if (pipeline_quantize(&c))
		diag_exit();
	const Kir *k = c.kir;
	char err[1024];
	const KQuant *q = k->quant;
	uint32_t *w = kq_params(k, fp);
	if (ckpt_save(k, c.hash, w, a->out, err, sizeof err))
		diag_fatal("%s", err);
	printf("wrote %s: model %s with int8 weights, %ld bytes (float32: %ld)\n", a->out, k->model, k->nparams * 4,
	       q->float_params * 4);
	for (int g = 0; g < q->ngroups; g++) {
		const KQGroup *G = &q->groups[g];
		printf("  %-24s", k->bufs.items[G->scale].what);
		for (int i = 0; i < G->nweights; i++)
			printf("%s%s", i ? " + " : "scale per row of ", k->bufs.items[G->weights[i]].what);
		printf(" (%d row%s)%s\n", G->rows, G->rows == 1 ? "" : "s", G->threshold >= 0 ? ", spikes as integer compares" : ", read as float");
	}
	if (q->float_lets)
		printf("not integer-only: the states of the time loop depend on %d float operations per unit and step\n",
		       q->float_lets);
	else
		printf("the states of the time loop are integer-only: int8 sums into int32, integer compares\n");
	free(w);
	free(fp);
	pipeline_free(&c);
	return 0;
}

static const CliOpt quantize_opts[] = {
	{"checkpoint", 0, "CK", CLI_REQUIRED, CLI_FIELD(checkpoint), "the float parameters (from spikec run)"},
	{"output", 'o', "CKQ", CLI_REQUIRED, CLI_FIELD(out), "the quantized safetensors file to write"},
	{"out", 0, "CKQ", 0, CLI_FIELD(out), NULL},
	CLI_OPT_STRICT,
	{0},
};
const CliCommand cli_cmd_quantize = {
	"quantize", "model.snn", 0, "int8 weights and integer thresholds for the integer forward pass",
	"eval, infer and emit read the result with --quantized (docs/quantize.md).", quantize_opts, quantize,
};
