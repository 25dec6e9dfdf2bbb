/* pipeline.c: the whole compiler in one function, pipeline_compile.
 * Between stages the verifier checks the graph, and `spikec ir --after STAGE`
 * stops there and prints it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "dsl/lower.h"
#include "compiler/autodiff.h"
#include "compiler/kir_quant.h"
#include "compiler/passes.h"
#include "pipeline.h"

const char *const pipeline_stages[] = {"lower", "fold", "cse", "dce", "autodiff", "simplify", "kernels", NULL};

static char *read_file(const char *path, long *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		diag_fatal("cannot open '%s': %s", path, strerror(errno));
	StrBuf sb = {0};
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (sb.len + n + 1 > sb.cap) {
			sb.cap = (sb.len + n + 1) * 2;
			sb.buf = xrealloc(sb.buf, sb.cap);
		}
		memcpy(sb.buf + sb.len, chunk, n);
		sb.len += n;
		sb.buf[sb.len] = 0;
	}
	if (ferror(f))
		diag_fatal("cannot read '%s': %s", path, strerror(errno));
	fclose(f);
	*len = (long)sb.len;
	if (!sb.buf)
		sb.buf = xstrdup("");
	return sb.buf;
}

/* Prints the graph after `stage` if asked to; returns 1 to stop there. */
static int dump(const Compilation *c, const PipelineOptions *opt, const char *stage)
{
	ir_verify(c->graph, stage);
	if (!opt || !opt->dump_after || strcmp(opt->dump_after, stage) != 0)
		return 0;
	if (opt->dump_dot)
		ir_print_dot(c->graph, opt->dump);
	else
		ir_print(c->graph, opt->dump);
	return 1;
}

int pipeline_compile(Compilation *c, const char *path, const PipelineOptions *opt)
{
	long len;
	char *text = read_file(path, &len);
	int prelude = diag_add_source("<prelude>", dsl_prelude_text, (long)strlen(dsl_prelude_text));
	c->file = diag_add_source(path, text, len);
	c->hash = util_hash(dsl_prelude_text, strlen(dsl_prelude_text), util_hash(text, (size_t)len, UTIL_HASH_SEED));
	free(text);

	if (dsl_parse(&c->arena, prelude, &c->prog, 1) || dsl_parse(&c->arena, c->file, &c->prog, 0))
		return 1;
	c->graph = dsl_lower(&c->arena, &c->prog, c->file);
	if (!c->graph)
		return 1;
	c->has_train = c->prog.train != NULL;
	if (c->has_train && train_check(c->prog.train, c->graph, &c->train))
		return 1;
	if (dump(c, opt, "lower"))
		return 2;
	pass_fold(c->graph);
	if (dump(c, opt, "fold"))
		return 2;
	pass_cse(c->graph);
	if (dump(c, opt, "cse"))
		return 2;
	pass_dce(c->graph);
	if (dump(c, opt, "dce"))
		return 2;
	if (c->graph->loss >= 0) {
		AdOptions ad = {c->has_train ? c->train.tbptt : 0, opt && opt->input_grads,
				c->has_train ? (AdTape)c->train.tape : AD_TAPE_AUTO};
		pass_autodiff(c->graph, &ad);
		if (dump(c, opt, "autodiff"))
			return 2;
		pass_fold(c->graph);
		pass_cse(c->graph);
		pass_dce(c->graph);
	}
	if (dump(c, opt, "simplify"))
		return 2;
	c->kir = kir_lower(&c->arena, c->graph, !(opt && opt->smooth_spikes));
	if (opt && opt->quantized && pipeline_quantize(c))
		return 1;
	if (opt && opt->dump_after && strcmp(opt->dump_after, "kernels") == 0) {
		kir_print(c->kir, opt->dump);
		return 2;
	}
	return 0;
}

int pipeline_quantize(Compilation *c)
{
	char err[1024];
	if (!kir_quantize(c->kir, err, sizeof err))
		return 0;
	diag_error(NOLOC, "%s: model '%s' cannot be quantized: %s", diag_source_name(c->file), c->kir->model, err);
	return 1;
}

void pipeline_free(Compilation *c)
{
	if (c->kir)
		kir_free(c->kir);
	if (c->graph)
		ir_free(c->graph);
	vec_free(&c->prog.cells);
	arena_free(&c->arena);
}

BackendOptions pipeline_backend_options(const Compilation *c, const char *source)
{
	BackendOptions o = {0};
	o.source = source;
	o.optim = c->has_train ? &c->train.optim : NULL;
	o.clip = c->has_train ? c->train.clip : 0;
	return o;
}
