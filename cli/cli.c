/* cli.c: the commands that only compile: check, ir, emit. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

int cli_check(int argc, char **argv)
{
	CliArgs a = cli_parse(argc, argv, "", "");
	Compilation c = {0};
	compile_or_exit(&c, a.model, NULL);
	const Graph *g = c.graph;
	char ty[64];
	printf("model %s: %d steps%s\n", g->model, g->steps,
	       g->carry_state ? ", state carried from one forward pass to the next" : "");
	for (int i = 0; i < g->inputs.len; i++) {
		static const char *kinds[] = {"spikes", "analog", "tokens (one-hot)", "class labels", "targets"};
		const Input *in = &g->inputs.items[i];
		printf("  input   %-18s %-18s %s\n", in->name, ir_type_str(in->type, ty, sizeof ty), kinds[in->kind]);
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

int cli_ir(int argc, char **argv)
{
	CliArgs a = cli_parse(argc, argv, "after", "dot");
	PipelineOptions opt = {a.after ? a.after : "simplify", a.dot, stdout, 0, 0};
	int known = 0;
	for (int i = 0; pipeline_stages[i]; i++)
		known |= !strcmp(pipeline_stages[i], opt.dump_after);
	if (!known)
		diag_fatal("unknown stage '%s' for --after (stages: lower, fold, cse, dce, autodiff, simplify, "
			   "kernels)", opt.dump_after);
	if (a.dot && !strcmp(opt.dump_after, "kernels"))
		diag_fatal("--dot draws the graph IR; it has no form for kernels");
	Compilation c = {0};
	compile_or_exit(&c, a.model, &opt);
	pipeline_free(&c);
	return 0;
}

int cli_emit(int argc, char **argv)
{
	CliArgs a = cli_parse(argc, argv, "o checkpoint", "portable smooth-spikes input-grads");
	if (!a.out)
		diag_fatal("emit needs an output directory: spikec emit %s -o DIR", a.model);
	Compilation c = {0};
	PipelineOptions po = {0};
	po.input_grads = a.inputs;
	po.smooth_spikes = a.smooth_spikes;
	compile_or_exit(&c, a.model, &po);
	if (mkdir(a.out, 0777) != 0 && errno != EEXIST)
		diag_fatal("cannot create directory '%s': %s", a.out, strerror(errno));
	const char *base = strrchr(a.model, '/');
	BackendOptions opt = pipeline_backend_options(&c, base ? base + 1 : a.model);
	opt.portable = a.portable;
	opt.smooth_spikes = a.smooth_spikes;
	char err[1024];
	float *weights = NULL;
	if (a.checkpoint && !(weights = ckpt_load(c.kir, a.checkpoint, err, sizeof err)))
		diag_fatal("%s", err);
	opt.weights = weights;
	opt.weights_source = a.checkpoint;
	if (cemit_write(c.kir, &opt, a.out, err, sizeof err))
		diag_fatal("%s", err);
	printf("wrote %s/%s.c and %s/%s.h", a.out, c.kir->model, a.out, c.kir->model);
	if (weights)
		printf(", and the weights of %s in %s/%s_weights.c and .h", a.checkpoint, a.out, c.kir->model);
	printf("\n");
	free(weights);
	pipeline_free(&c);
	return 0;
}
