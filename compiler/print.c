/* print.c: the IR as text (`spikec ir`) and as Graphviz dot (`--dot`).
 *
 * The text form lists parameters and inputs, then the top-level nodes in
 * index order, with each scan body printed indented inside its scan:
 *     %7 = add %5, %6                  f32[B,800]    # h.a
 * It is stable (golden tests diff it) and meant for reading, not parsing. */
#include "ir.h"

static void print_attr(const Graph *g, const Node *n, FILE *out)
{
	switch ((Op)n->op) {
	case OP_CONST: fprintf(out, " %.9g", n->a.f); break;
	case OP_PARAM: fprintf(out, " %s", g->params.items[n->a.k].name); break;
	case OP_INPUT:
	case OP_LABELS: fprintf(out, " %s", g->inputs.items[n->a.k].name); break;
	case OP_CARRY:
	case OP_STEP: fprintf(out, " %d", n->a.k); break;
	case OP_SLICE: fprintf(out, " [%d:%d]", n->a.slice.off, n->a.slice.off + n->a.slice.len); break;
	case OP_SCAN_OUT: fprintf(out, " %d", n->a.k); break;
	case OP_DROPOUT: {
		char num[32];
		fprintf(out, " p=%s site=%d", util_float_str(n->a.drop.p, num), n->a.drop.site);
		break;
	}
	case OP_SPIKE:
	case OP_SURROGATE: {
		const SurInfo *s = &ir_surrogates[n->a.sur.kind];
		fprintf(out, " %s(", s->name);
		char num[32];
		for (int i = 0; i < s->nparams; i++)
			fprintf(out, "%s%s=%s", i ? ", " : "", s->pname[i], util_float_str(n->a.sur.p[i], num));
		fprintf(out, ")");
		break;
	}
	default: break;
	}
}

static void print_node(const Graph *g, int i, int depth, FILE *out);

static void print_body(const Graph *g, int scan, int depth, FILE *out)
{
	const Node *s = &g->nodes.items[scan];
	for (int j = 0; j < scan; j++)
		if (g->nodes.items[j].region == s->a.scan.body)
			print_node(g, j, depth, out);
}

static void print_node(const Graph *g, int i, int depth, FILE *out)
{
	const Node *n = &g->nodes.items[i];
	char line[512], ty[64];
	int k = 0;
	k += snprintf(line + k, sizeof line - (size_t)k, "%*s", 4 * depth, "");
	if (n->op != OP_YIELD)
		k += snprintf(line + k, sizeof line - (size_t)k, "%%%d = ", i);
	k += snprintf(line + k, sizeof line - (size_t)k, "%s", ir_ops[n->op].name);
	/* scan: sequences ; initial carries.  yield: next carries ; outputs. */
	int split = -1;
	if (n->op == OP_SCAN)
		split = n->a.scan.nseq;
	if (n->op == OP_YIELD && g->regions.items[n->region].scan >= 0)
		split = g->nodes.items[g->regions.items[n->region].scan].a.scan.ncarry;
	for (int a = 0; a < n->nargs && k < (int)sizeof line - 16; a++) {
		const char *sep = a == split ? " ; " : a ? ", " : " ";
		k += snprintf(line + k, sizeof line - (size_t)k, "%s%%%d", sep, n->args[a]);
	}
	fputs(line, out);
	print_attr(g, n, out);
	if (n->op == OP_SCAN) {
		fprintf(out, " {\n");
		print_body(g, i, depth + 1, out);
		fprintf(out, "%*s}", 4 * depth, "");
	}
	if (n->op != OP_YIELD && n->op != OP_SCAN)
		fprintf(out, "  : %s", ir_type_str(n->type, ty, sizeof ty));
	if (n->name)
		fprintf(out, "  # %s", n->name);
	fputc('\n', out);
}

static const char *init_name(InitKind k)
{
	return k == INIT_ZEROS ? "zeros" : "he_normal";
}

void ir_print(const Graph *g, FILE *out)
{
	char ty[64];
	fprintf(out, "model %s steps %d%s\n", g->model, g->steps, g->carry_state ? " carry state" : "");
	for (int i = 0; i < g->params.len; i++) {
		const Param *p = &g->params.items[i];
		fprintf(out, "param %s : %s %s\n", p->name, ir_type_str(p->type, ty, sizeof ty),
			init_name(p->init));
	}
	for (int i = 0; i < g->inputs.len; i++) {
		static const char *kinds[] = {"spikes", "analog", "tokens", "class labels", "targets"};
		const Input *in = &g->inputs.items[i];
		fprintf(out, "input %s : %s %s\n", in->name, ir_type_str(in->type, ty, sizeof ty),
			kinds[in->kind]);
	}
	for (int i = 0; i < g->nodes.len; i++)
		if (g->nodes.items[i].region == 0)
			print_node(g, i, 0, out);
	fprintf(out, "output %%%d\n", g->output);
	if (g->loss >= 0)
		fprintf(out, "loss %%%d\n", g->loss);
	for (int k = 0; g->param_grad && k < g->params.len; k++)
		if (g->param_grad[k] >= 0)
			fprintf(out, "grad %s %%%d\n", g->params.items[k].name, g->param_grad[k]);
	for (int k = 0; g->input_grad && k < g->inputs.len; k++)
		if (g->input_grad[k] >= 0)
			fprintf(out, "grad %s %%%d\n", g->inputs.items[k].name, g->input_grad[k]);
}

void ir_print_dot(const Graph *g, FILE *out)
{
	char ty[64];
	fprintf(out, "digraph \"%s\" {\n  rankdir=TB;\n  node [shape=box, fontname=\"monospace\"];\n",
		g->model);
	for (int r = 1; r < g->regions.len; r++) {
		if (g->regions.items[r].scan < 0)
			continue;
		fprintf(out, "  subgraph cluster_%d {\n    label=\"scan %%%d (time loop)\";\n", r,
			g->regions.items[r].scan);
		for (int i = 0; i < g->nodes.len; i++)
			if (g->nodes.items[i].region == r)
				fprintf(out, "    n%d;\n", i);
		fprintf(out, "  }\n");
	}
	for (int i = 0; i < g->nodes.len; i++) {
		const Node *n = &g->nodes.items[i];
		fprintf(out, "  n%d [label=\"%%%d %s%s%s\\n%s\"%s];\n", i, i, ir_ops[n->op].name,
			n->name ? " " : "", n->name ? n->name : "", ir_type_str(n->type, ty, sizeof ty),
			n->op == OP_SPIKE ? ", style=filled, fillcolor=\"#ffe9a8\"" : "");
		for (int a = 0; a < n->nargs; a++)
			fprintf(out, "  n%d -> n%d;\n", n->args[a], i);
	}
	fprintf(out, "}\n");
}
