/* cli_json.c: the --json output of spikec check and spikec eval: one JSON
 * object on stdout, each field documented in docs/cli-json.md. The text
 * output of both commands stays the default. */
#include <stdio.h>
#include <string.h>
#include "io/json_write.h"
#include "cli.h"

/* A type as its text ("spike[T,B,28]") and its parts. */
static void type_fields(JsonWriter *w, Type t)
{
	char ty[64];
	jw_key(w, "type");
	jw_string(w, ir_type_str(t, ty, sizeof ty));
	jw_key(w, "dtype");
	jw_string(w, ir_dtype_name(t.dtype));
	jw_key(w, "timed");
	jw_bool(w, t.timed);
	jw_key(w, "batched");
	jw_bool(w, t.batched);
	jw_key(w, "dims");
	jw_ints(w, t.dim, t.rank);
}

static void key_string(JsonWriter *w, const char *key, const char *s)
{
	jw_key(w, key);
	jw_string(w, s && *s ? s : NULL);
}

static void key_number(JsonWriter *w, const char *key, double x)
{
	jw_key(w, key);
	jw_number(w, x);
}

static void key_int(JsonWriter *w, const char *key, long long x)
{
	jw_key(w, key);
	jw_int(w, x);
}

static void inputs(JsonWriter *w, const Graph *g)
{
	static const char *kinds[] = {"spikes", "analog", "tokens", "labels", "targets"};
	jw_key(w, "inputs");
	jw_open(w, '[');
	for (int i = 0; i < g->inputs.len; i++) {
		const Input *in = &g->inputs.items[i];
		jw_open(w, '{');
		key_string(w, "name", in->name);
		key_string(w, "kind", kinds[in->kind]);
		type_fields(w, in->type);
		if (in->ids)
			key_int(w, "vocab", in->vocab);
		jw_close(w, '}');
	}
	jw_close(w, ']');
}

static long param_size(const Param *p)
{
	return p->type.rank == 2 ? (long)p->type.dim[0] * p->type.dim[1] : p->type.dim[0];
}

/* Parameters in checkpoint order, then the layers they make up. */
static void params(JsonWriter *w, const Graph *g)
{
	jw_key(w, "params");
	jw_open(w, '[');
	for (int i = 0; i < g->params.len; i++) {
		const Param *p = &g->params.items[i];
		jw_open(w, '{');
		key_string(w, "name", p->name);
		key_string(w, "layer", p->layer);
		key_string(w, "cell", p->cell);
		jw_key(w, "shape");
		jw_ints(w, p->type.dim, p->type.rank);
		key_int(w, "size", param_size(p));
		key_string(w, "init", p->init == INIT_ZEROS ? "zeros" : "he_normal");
		jw_close(w, '}');
	}
	jw_close(w, ']');
	jw_key(w, "layers");
	jw_open(w, '[');
	for (int i = 0; i < g->params.len;) {
		const Param *first = &g->params.items[i];
		long n = 0;
		for (; i < g->params.len && !strcmp(g->params.items[i].layer, first->layer); i++)
			n += param_size(&g->params.items[i]);
		jw_open(w, '{');
		key_string(w, "name", first->layer);
		key_string(w, "cell", first->cell);
		key_int(w, "parameters", n);
		jw_close(w, '}');
	}
	jw_close(w, ']');
}

static void train_data(JsonWriter *w, const TrainData *d)
{
	static const char *file_keys[NPY_FILES] = {"train", "labels", "test", "test_labels"};
	jw_key(w, "data");
	jw_open(w, '{');
	key_string(w, "dataset", train_dataset_names[d->dataset]);
	key_string(w, "layout", train_layout_names[d->layout]);
	key_string(w, "encode", d->dataset == DATA_TEXT ? NULL : train_encoder_names[d->encode]);
	jw_key(w, "level");
	if (d->dataset != DATA_TEXT && d->encode == ENCODE_THRESHOLD)
		jw_number(w, d->level);
	else
		jw_null(w);
	key_int(w, "steps", d->steps);
	key_int(w, "size", d->size);
	key_int(w, "classes", d->classes);
	key_string(w, "path", d->dataset == DATA_TEXT ? d->path : NULL);
	jw_key(w, "files");
	if (d->dataset == DATA_NPY) {
		jw_open(w, '{');
		for (int f = 0; f < NPY_FILES; f++)
			key_string(w, file_keys[f], d->files[f]);
		jw_close(w, '}');
	} else {
		jw_null(w);
	}
	jw_key(w, "split");
	if (d->dataset == DATA_TEXT || (d->dataset == DATA_NPY && !d->files[NPY_TEST_X][0]))
		jw_number(w, d->split);
	else
		jw_null(w);
	jw_key(w, "streams");
	if (d->dataset == DATA_TEXT) {
		jw_open(w, '{');
		key_int(w, "train", d->train_streams);
		key_int(w, "test", d->test_streams);
		jw_close(w, '}');
	} else {
		jw_null(w);
	}
	jw_close(w, '}');
}

static void train_block(JsonWriter *w, const TrainConfig *tc)
{
	const TrainOptim *o = &tc->optim;
	const TrainLr *s = &tc->schedule;
	jw_open(w, '{');
	train_data(w, &tc->data);
	jw_key(w, "optimizer");
	jw_open(w, '{');
	key_string(w, "kind", train_optimizer_names[o->kind]);
	key_number(w, "lr", o->lr);
	if (o->kind == OPTIM_ADAM) {
		key_number(w, "beta1", o->beta1);
		key_number(w, "beta2", o->beta2);
		key_number(w, "eps", o->eps);
	} else {
		key_number(w, "momentum", o->momentum);
	}
	key_number(w, "weight_decay", o->weight_decay);
	jw_close(w, '}');
	jw_key(w, "schedule");
	jw_open(w, '{');
	key_string(w, "kind", train_schedule_names[s->kind]);
	if (s->kind == SCHEDULE_STEP) {
		key_int(w, "every", s->every);
		key_number(w, "gamma", s->gamma);
	} else if (s->kind == SCHEDULE_COSINE) {
		key_number(w, "min_lr", s->min_lr);
	}
	jw_close(w, '}');
	key_number(w, "clip", tc->clip);
	key_int(w, "batch", tc->batch);
	key_int(w, "eval_batch", tc->eval_batch);
	key_int(w, "epochs", tc->epochs);
	key_int(w, "tbptt", tc->tbptt);
	key_string(w, "tape", train_tape_names[tc->tape]);
	key_int(w, "seed", tc->seed);
	jw_close(w, '}');
}

void cli_check_json(const Compilation *c, const char *path)
{
	const Graph *g = c->graph;
	char hash[32];
	snprintf(hash, sizeof hash, "%016llx", (unsigned long long)c->hash);
	JsonWriter w = {.f = stdout};
	jw_open(&w, '{');
	key_string(&w, "file", path);
	key_string(&w, "model", g->model);
	key_string(&w, "hash", hash);
	key_int(&w, "steps", g->steps);
	jw_key(&w, "carry_state");
	jw_bool(&w, g->carry_state);
	inputs(&w, g);
	params(&w, g);
	jw_key(&w, "output");
	jw_open(&w, '{');
	type_fields(&w, g->nodes.items[g->output].type);
	jw_close(&w, '}');
	key_string(&w, "loss", g->loss >= 0 ? ir_ops[g->nodes.items[g->loss].op].name : NULL);
	key_int(&w, "parameters", ir_param_count(g));
	jw_key(&w, "train");
	if (c->has_train)
		train_block(&w, &c->train);
	else
		jw_null(&w);
	jw_close(&w, '}');
	jw_end(&w);
}

void cli_eval_json(const char *checkpoint, const char *model, int steps, int classes, const EvalResult *r)
{
	JsonWriter w = {.f = stdout};
	const char *metric = r->bits_per_char ? "bits_per_char" : classes ? "accuracy" : "rmse";
	jw_open(&w, '{');
	key_string(&w, "checkpoint", checkpoint);
	key_string(&w, "model", model);
	key_string(&w, "metric", metric);
	key_int(&w, "samples", r->samples);
	key_int(&w, "steps", steps);
	key_number(&w, "loss", r->loss);
	jw_key(&w, "accuracy");
	classes ? jw_number(&w, r->accuracy) : jw_null(&w);
	jw_key(&w, "rmse");
	classes ? jw_null(&w) : jw_number(&w, r->rmse);
	jw_key(&w, "bits_per_char");
	r->bits_per_char ? jw_number(&w, r->loss / CLI_LN2) : jw_null(&w);
	jw_key(&w, "unigram_bits");
	r->bits_per_char ? jw_number(&w, r->unigram_bits) : jw_null(&w);
	jw_close(&w, '}');
	jw_end(&w);
}
