/* main.c: the spikec command line (DESIGN section 7). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "backends/c/emit.h"
#include "cli.h"
#include "pipeline.h"

static const char usage[] =
	"usage: spikec COMMAND model.snn [options]\n"
	"\n"
	"commands:\n"
	"  check  model.snn                     parse and type-check; print layers, shapes, parameter count\n"
	"  ir     model.snn [--after STAGE] [--dot]\n"
	"                                       print the IR after a stage (lower, fold, cse, dce, kernels)\n"
	"  emit   model.snn -o DIR [--portable] [--checkpoint CK]\n"
	"                                     write DIR/<model>.c and DIR/<model>.h (and, with\n"
	"                                     --checkpoint, its weights in DIR/<model>_weights.c)\n"
	"  init   model.snn --seed S --output F write freshly initialised parameters (safetensors)\n"
	"  infer  model.snn --checkpoint F --input x.npy --output y.npy [--backend llvm|c]\n"
	"                                       run the forward pass on x (T, B, I) and save the outputs\n"
	"  run    model.snn [--epochs N] [--out DIR] [--resume CKPT] [--seed S] [--threads N] [--backend llvm|c]\n"
	"                                       train as the train block says (--seed replaces its seed);\n"
	"                                       metrics and checkpoints in DIR\n"
	"  eval   model.snn --checkpoint F [--seed S] [--threads N] [--backend llvm|c]\n"
	"                                       loss and accuracy (or RMSE) on the test split\n"
	"  grad   model.snn --checkpoint F --input x.npy --labels y.npy --output g.safetensors\n"
	"         [--inputs] [--backend llvm|c]   parameter (and input) gradients of one batch\n"
	"  sample model.snn --checkpoint F [--length N] [--temperature X] [--prime TEXT] [--seed S]\n"
	"         [--output F] [--backend llvm|c]   generate text from a character-level model\n"
	"\n"
	"--backend llvm (the default) JIT-compiles through LLVM; --backend c compiles the\n"
	"emitted C with the system compiler. Both give the same bits (docs/backends.md).\n"
	"  plot   --metrics RUN/metrics.jsonl [--metrics RUN2/metrics.jsonl ...] --output curves.svg\n"
	"                                       training curves (loss, accuracy or RMSE, firing rates) as SVG\n"
	"  plot   model.snn --checkpoint F --raster --output raster.svg [--sample N] [--seed S]\n"
	"                                       spike raster of each layer's gates, cell and output for one input\n"
	"  plot   model.snn --signal --checkpoint A [--checkpoint B ...] --output fig.svg [--sample N] [--seed S]\n"
	"                                       toy task: target f(x) and each checkpoint's prediction on one\n"
	"                                       fixed spike train (the paper's Figure 4)\n"
	"\n"
	"spikec -h | --help                     this text\n";

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage, stderr);
		return 1;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
		fputs(usage, stdout);
		return 0;
	}
	if (!strcmp(cmd, "--version")) {
		printf("spikec %s\n", SPIKEC_VERSION);
		return 0;
	}
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} cmds[] = {
		{"check", cli_check}, {"ir", cli_ir}, {"emit", cli_emit}, {"init", cli_init},
		{"infer", cli_infer}, {"run", cli_run}, {"eval", cli_eval}, {"grad", cli_grad},
		{"plot", cli_plot}, {"sample", cli_sample},
	};
	for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++)
		if (!strcmp(cmds[i].name, cmd))
			return cmds[i].fn(argc - 1, argv + 1);
	diag_fatal("unknown command '%s' (try 'spikec --help')", cmd);
}
