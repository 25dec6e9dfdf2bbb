/* cli.c: the commands that only compile: check, ir, emit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backends/c/emit.h"
#include "cli.h"
#include "cli_args.h"
#include "pipeline.h"
#include "train/checkpoint.h"

static void compile_or_exit(Compilation *c, const char *model, const PipelineOptions *opt)
{
	int rc = pipeline_compile(c, model, opt);
	if (rc == 1)
		diag_exit();
}

static const char *cell_of(const Graph *g, const char *layer)
{
	for (int i = 0; i < g->params.len; i++)
		if (g->params.items[i].layer && !strcmp(g->params.items[i].layer, layer))
			return g->params.items[i].cell;
	return "?";
}

static int check(const CliArgs *a)
{
	Compilation c = {0};
	compile_or_exit(&c, a->model, NULL);
	if (a->json) {
		cli_check_json(&c, a->model);
		pipeline_free(&c);
		return 0;
	}
	const Graph *g = c.graph;
	char ty[64];
	printf("model %s: %d steps%s\n", g->model, g->steps,
	       g->carry_state ? ", state carried from one forward pass to the next" : "");
	for (int i = 0; i < g->inputs.len; i++) {
		static const char *kinds[] = {"spikes", "analog", "tokens (one-hot)", "class labels", "targets"};
		const Input *in = &g->inputs.items[i];
		char ids[64];
		snprintf(ids, sizeof ids, "tokens (ids, of %d)", in->vocab);
		printf("  input   %-18s %-18s %s\n", in->name, ir_type_str(in->type, ty, sizeof ty),
		       in->ids ? ids : kinds[in->kind]);
	}
	const char *layer = NULL;
	long layer_params = 0;
	for (int i = 0; i <= g->params.len; i++) {
		const Param *p = i < g->params.len ? &g->params.items[i] : NULL;
		if (layer && (!p || strcmp(p->layer, layer))) {
			printf("  layer   %-18s %-18s %ld parameters\n", layer, cell_of(g, layer), layer_params);
			layer_params = 0;
		}
		if (!p)
			break;
		layer = p->layer;
		long n = p->type.rank == 2 ? (long)p->type.dim[0] * p->type.dim[1] : p->type.dim[0];
		layer_params += n;
		printf("  param   %-18s %-18s %s\n", p->name, ir_type_str(p->type, ty, sizeof ty),
		       p->init == INIT_ZEROS ? "zeros" : "he_normal");
	}
	printf("  output  %-18s %s\n", "", ir_type_str(g->nodes.items[g->output].type, ty, sizeof ty));
	if (g->loss >= 0)
		printf("  loss    %-18s %s\n", "", ir_ops[g->nodes.items[g->loss].op].name);
	long n = ir_param_count(g);
	printf("parameters: %ld (%.1f KiB as float32)\n", n, (double)n * 4 / 1024);
	if (c.has_train)
		train_print(&c.train, stdout);
	pipeline_free(&c);
	return 0;
}

static const CliOpt check_opts[] = {CLI_OPT_JSON, {0}};
const CliCommand cli_cmd_check = {
	"check", "model.snn", 0, "parse and type-check; print inputs, layers, parameter shapes and count", NULL,
	check_opts, check,
};

static int ir(const CliArgs *a)
{
	PipelineOptions opt = {a->after ? a->after : "simplify", a->dot, stdout, 0, 0, a->quantized};
	int known = 0;
	for (int i = 0; pipeline_stages[i]; i++)
		known |= !strcmp(pipeline_stages[i], opt.dump_after);
	if (!known)
		diag_fatal("unknown stage '%s' for --after (stages: lower, fold, cse, dce, autodiff, simplify, "
			   "kernels)", opt.dump_after);
	if (a->dot && !strcmp(opt.dump_after, "kernels"))
		diag_fatal("--dot draws the graph IR; it has no form for kernels");
	Compilation c = {0};
	compile_or_exit(&c, a->model, &opt);
	pipeline_free(&c);
	return 0;
}

static const CliOpt ir_opts[] = {
	{"after", 0, "STAGE", 0, CLI_FIELD(after),
	 "print the IR after this stage: lower, fold, cse, dce, autodiff, simplify (the default) or kernels"},
	{"dot", 0, NULL, 0, CLI_FIELD(dot), "the graph IR as Graphviz dot"},
	CLI_OPT_QUANTIZED,
	{0},
};
const CliCommand cli_cmd_ir = {
	"ir", "model.snn", 0, "print the IR after a stage, as text or Graphviz dot (docs/ir.md)", NULL, ir_opts, ir,
};

static int emit(const CliArgs *a)
{
	Compilation c = {0};
	PipelineOptions po = {0};
	po.input_grads = a->inputs;
	po.smooth_spikes = a->smooth_spikes;
	po.quantized = a->quantized;
	compile_or_exit(&c, a->model, &po);
	const char *base = strrchr(a->model, '/');
	BackendOptions opt = pipeline_backend_options(&c, base ? base + 1 : a->model);
	if (a->target && strcmp(a->target, "cortex-m4"))
		diag_fatal("--target %s: the one target is cortex-m4 (leave --target out for this machine)", a->target);
	opt.mcu = a->target != NULL;
	opt.portable = a->portable || opt.mcu;
	opt.smooth_spikes = a->smooth_spikes;
	char err[1024];
	float *weights = a->checkpoint ? cli_load_checkpoint(&c, a->checkpoint, a->strict) : NULL;
	opt.weights = weights;
	opt.weights_source = a->checkpoint;
	if (cemit_write(c.kir, &opt, a->out, err, sizeof err))
		diag_fatal("%s", err);
	printf("wrote %s/%s.c and %s/%s.h", a->out, c.kir->model, a->out, c.kir->model);
	if (weights)
		printf(", and the weights of %s in %s/%s_weights.c and .h", a->checkpoint, a->out, c.kir->model);
	printf("\n");
	free(weights);
	pipeline_free(&c);
	return 0;
}

static const CliOpt emit_opts[] = {
	{"output", 'o', "DIR", CLI_REQUIRED, CLI_FIELD(out), "the directory of <model>.c and <model>.h, made if missing"},
	{"out", 0, "DIR", 0, CLI_FIELD(out), NULL},
	{"portable", 0, NULL, 0, CLI_FIELD(portable), "C that needs only libm (no BLAS)"},
	{"checkpoint", 0, "CK", 0, CLI_FIELD(checkpoint),
	 "bake CK's weights into DIR/<model>_weights.c and .h"},
	CLI_OPT_QUANTIZED,
	{"target", 0, "cortex-m4", 0, CLI_FIELD(target),
	 "C for a Cortex-M4 microcontroller: --portable, and the header states the RAM the caller provides "
	 "(docs/targets.md#cortex-m4)"},
	CLI_OPT_STRICT,
	{"smooth-spikes", 0, NULL, 0, CLI_FIELD(smooth_spikes),
	 "test mode: spikes stay floats, a smooth primitive of the surrogate"},
	{"input-grads", 0, NULL, 0, CLI_FIELD(inputs), "also the gradients of the loss with respect to the inputs"},
	{0},
};
const CliCommand cli_cmd_emit = {
	"emit", "model.snn", 0, "write the model as dependency-free C99: DIR/<model>.c and DIR/<model>.h",
	"docs/emitted-c.md describes the API and layout of the emitted C.", emit_opts, emit,
};
