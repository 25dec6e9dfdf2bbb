/* pipeline.h: model file in, kernel IR out. */
#ifndef SPIKEC_PIPELINE_H
#define SPIKEC_PIPELINE_H

#include <stdio.h>
#include "dsl/ast.h"
#include "dsl/train_block.h"
#include "backends/backend.h"
#include "compiler/kir.h"

typedef struct {
	const char *dump_after; /* print the IR after this stage to `dump` and stop */
	int dump_dot;           /* ... as Graphviz dot */
	FILE *dump;
	int input_grads;        /* also differentiate the loss with respect to the inputs */
	int smooth_spikes;      /* for BackendOptions.smooth_spikes: spikes stay floats on the tape */
	int quantized;          /* the kernel IR of the integer forward pass (compiler/kir_quant.h) */
} PipelineOptions;

typedef struct {
	Arena arena;
	Program prog;
	int file;               /* the model file's diag index */
	Graph *graph;
	Kir *kir;
	uint64_t hash;          /* of the model file and the prelude */
	TrainConfig train;      /* the checked `train` block, when has_train */
	int has_train;          /* the file has a `train` block */
} Compilation;

/* The stage names that dump_after accepts, NULL-terminated. */
extern const char *const pipeline_stages[];

/* Runs the whole compiler on `path`. Returns 0 on success; 1 after user errors
 * (already reported); 2 when stopped after a dump. */
int pipeline_compile(Compilation *c, const char *path, const PipelineOptions *opt);
void pipeline_free(Compilation *c);
/* Rewrites c's kernel IR into the quantized forward pass
 * (compiler/kir_quant.h); 1 after reporting why the model cannot be. */
int pipeline_quantize(Compilation *c);

/* The backend options for c: its train block's optimizer and clipping (the
 * defaults without one); source names the model file in banners. */
BackendOptions pipeline_backend_options(const Compilation *c, const char *source);

#endif
