/* cli.h: the spikec commands, each with its option table (cli_args.h);
 * main.c lists them. */
#ifndef SPIKEC_CLI_H
#define SPIKEC_CLI_H

#include "compiler/version.h"
#include "cli_args.h"
#include "pipeline.h"

extern const CliCommand cli_cmd_check, cli_cmd_ir, cli_cmd_emit, cli_cmd_init, cli_cmd_infer, cli_cmd_run,
	cli_cmd_eval, cli_cmd_grad, cli_cmd_sample, cli_cmd_plot, cli_cmd_report, cli_cmd_quantize, cli_cmd_export;

/* spikec plot --raster (cli_raster.c) of a->model with a->checkpoints.items[0]
 * (a->sample and a->seed NULL when not given). */
int cli_plot_raster(const CliArgs *a);

/* spikec plot --signal (cli_signal.c): the toy task's target and the
 * prediction of each of a->checkpoints on one fixed spike train. */
int cli_plot_signal(const CliArgs *a);

/* The --json output (cli_json.c; docs/cli-json.md): spikec check of the
 * model file at path, and spikec eval's result r for checkpoint (the model
 * has `classes` classes, 0 for a regression, and runs over `steps`). */
#include "train/train.h"
void cli_check_json(const Compilation *c, const char *path);
void cli_eval_json(const char *checkpoint, const char *model, int steps, int classes, const EvalResult *r);
/* Nats in a bit: a loss in nats over this is bits (per character). */
#define CLI_LN2 0.69314718055994530942

/* Shared by the commands that read inputs (cli_model.c). */
#include "backends/c/load.h"
#include "compiler/kir.h"
const KBuf *cli_only_input(const Kir *k);
/* Builds the model with the LLVM JIT (llvm) or the emitted C; a failure
 * is a user error that exits. cli_module_close releases it. */
void cli_module_open(const Kir *k, const BackendOptions *eo, int llvm, CompiledModel *m);
void cli_module_close(int llvm, CompiledModel *m);
/* The parameters of c's model from the checkpoint at path (of a quantized
 * model, its 32-bit words, compiler/kir_quant.h); an unreadable
 * file or a tensor of the wrong shape is a user error that exits. A
 * checkpoint whose metadata names another model or model hash is a warning,
 * an error with strict (as is one that names no model). */
float *cli_load_checkpoint(const Compilation *c, const char *path, int strict);
/* x.npy as floats (T, B, I), checked against the model's input. */
float *cli_read_input(const Kir *k, const KBuf *in, const char *path, int *batch);

/* A model compiled, built with the backend of a->backend and seen as the
 * training driver sees it (cli_train.c). */
#include "train/train.h"
typedef struct {
	Compilation c;
	CompiledModel mod;
	int llvm;            /* mod came from backends/llvm, else backends/c */
	TrainModel tm;
	StrBuf surrogates;
} CliTrainable;
/* Compiles a->model (with a->inputs' input gradients), builds it and fills
 * L->tm; a model without a loss, or without a train block when
 * need_train_block, is a user error that exits. */
void cli_load_trainable(CliTrainable *L, const CliArgs *a, int need_train_block);
void cli_unload_trainable(CliTrainable *L);

#endif
