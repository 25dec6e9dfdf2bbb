/* cli.h: the spikec commands; each takes its own argv (argv[0] is the
 * command name) and returns the exit status. */
#ifndef SPIKEC_CLI_H
#define SPIKEC_CLI_H

#include "compiler/version.h"

int cli_check(int argc, char **argv);
int cli_ir(int argc, char **argv);
int cli_emit(int argc, char **argv);
int cli_init(int argc, char **argv);
int cli_infer(int argc, char **argv);
int cli_sample(int argc, char **argv);
int cli_run(int argc, char **argv);
int cli_eval(int argc, char **argv);
int cli_grad(int argc, char **argv);
int cli_plot(int argc, char **argv);

/* spikec plot --raster (cli_raster.c), with the options cli_plot parsed
 * (sample and seed NULL when not given). */
int cli_plot_raster(const char *model, const char *checkpoint, const char *out, const char *sample, const char *seed);

/* spikec plot --signal (cli_signal.c): the toy task's target and the
 * prediction of each of the nckpt checkpoints on one fixed spike train. */
int cli_plot_signal(const char *model, const char *const *ckpts, int nckpt, const char *out, const char *sample,
		    const char *seed);

/* Shared by the commands that read inputs (cli_model.c). */
#include "backends/c/load.h"
#include "compiler/kir.h"
const KBuf *cli_only_input(const Kir *k);
/* Builds the model with the LLVM JIT (llvm) or the emitted C; a failure
 * is a user error that exits. cli_module_close releases it. */
void cli_module_open(const Kir *k, const BackendOptions *eo, int llvm, CompiledModel *m);
void cli_module_close(int llvm, CompiledModel *m);
/* x.npy as floats (T, B, I), checked against the model's input. */
float *cli_read_input(const Kir *k, const KBuf *in, const char *path, int *batch);

#endif
