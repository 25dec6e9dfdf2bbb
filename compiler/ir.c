/* ir.c: the op and surrogate tables, graph construction and typing rules. */
#include <math.h>
#include <string.h>
#include "ir.h"

const OpInfo ir_ops[OP_COUNT] = {
#define OP(id, spelling, arity, flags, rule) {spelling, arity, flags},
#include "ops.h"
#undef OP
};

const SurInfo ir_surrogates[SUR_COUNT] = {
#define SURROGATE(id, name, n, p0, d0, p1, d1) {name, n, {p0, p1}, {d0, d1}},
#include "surrogates.h"
#undef SURROGATE
};

double ir_surrogate_psi(Surrogate s, double v)
{
	const double pi = 3.14159265358979323846;
	double a = s.p[0], b = s.p[1];
	switch (s.kind) {
	case SUR_GAUSSIAN: return b * exp(-v * v / (2 * a));
	case SUR_FAST_SIGMOID: return 1 / ((1 + a * fabs(v)) * (1 + a * fabs(v)));
	case SUR_ATAN: return (a / 2) / (1 + (pi / 2 * a * v) * (pi / 2 * a * v));
	case SUR_SIGMOID: {
		double sg = 1 / (1 + exp(-a * v));
		return a * sg * (1 - sg);
	}
	case SUR_TRIANGLE: return fmax(0, 1 - fabs(v) / a) / a;
	case SUR_RECT: return fabs(v) < a / 2 ? 1 / a : 0;
	case SUR_STRAIGHT_THROUGH: return 1;
	case SUR_COUNT: break;
	}
	SPK_BUG("bad surrogate kind %d", s.kind);
}

Graph *ir_new(Arena *arena, const char *model, int steps)
{
	Graph *g = arena_alloc(arena, sizeof *g);
	g->arena = arena;
	g->model = model;
	g->steps = steps;
	g->output = g->loss = -1;
	vec_push(&g->regions, ((Region){-1, -1}));
	return g;
}

void ir_free(Graph *g)
{
	vec_free(&g->nodes);
	vec_free(&g->params);
	vec_free(&g->inputs);
	vec_free(&g->regions);
}

int ir_add(Graph *g, Op op, int region, Type type, const int *args, int nargs, SrcLoc loc)
{
	Node n = {0};
	n.op = (uint16_t)op;
	n.region = (int16_t)region;
	n.type = type;
	n.nargs = nargs;
	if (nargs) {
		n.args = arena_alloc(g->arena, sizeof(int) * (size_t)nargs);
		if (args)
			memcpy(n.args, args, sizeof(int) * (size_t)nargs);
	}
	n.loc = loc;
	vec_push(&g->nodes, n);
	return g->nodes.len - 1;
}

int ir_new_region(Graph *g, int parent)
{
	vec_push(&g->regions, ((Region){parent, -1}));
	return g->regions.len - 1;
}

Type ir_scalar(void)
{
	return (Type){DT_F32, 0, 0, 0, {0, 0}};
}

Type ir_vec(DType dt, int n, int batched, int timed)
{
	return (Type){(uint8_t)dt, 1, (uint8_t)batched, (uint8_t)timed, {n, 0}};
}

Type ir_mat(int rows, int cols)
{
	return (Type){DT_F32, 2, 0, 0, {rows, cols}};
}

int ir_type_eq(Type a, Type b)
{
	return a.dtype == b.dtype && a.rank == b.rank && a.batched == b.batched &&
	       a.timed == b.timed && a.dim[0] == b.dim[0] && a.dim[1] == b.dim[1];
}

const char *ir_dtype_name(DType dt)
{
	switch (dt) {
	case DT_F32: return "f32";
	case DT_SPIKE: return "spike";
	case DT_I32: return "i32";
	}
	return "?";
}

const char *ir_type_str(Type t, char *buf, size_t n)
{
	char dims[64] = "";
	size_t k = 0;
	if (t.timed)
		k += (size_t)snprintf(dims + k, sizeof dims - k, "T,");
	if (t.batched)
		k += (size_t)snprintf(dims + k, sizeof dims - k, "B,");
	for (int i = 0; i < t.rank; i++)
		k += (size_t)snprintf(dims + k, sizeof dims - k, "%d,", t.dim[i]);
	if (k)
		dims[k - 1] = 0;
	if (k)
		snprintf(buf, n, "%s[%s]", ir_dtype_name(t.dtype), dims);
	else
		snprintf(buf, n, "%s", ir_dtype_name(t.dtype));
	return buf;
}

/* Roots: output, loss, then each parameter's and input's gradient. */
int ir_root_count(const Graph *g)
{
	return 2 + (g->param_grad ? g->params.len : 0) + (g->input_grad ? g->inputs.len : 0);
}

static int *root_slot(Graph *g, int i)
{
	if (i == 0)
		return &g->output;
	if (i == 1)
		return &g->loss;
	i -= 2;
	if (g->param_grad && i < g->params.len)
		return &g->param_grad[i];
	return &g->input_grad[i - (g->param_grad ? g->params.len : 0)];
}

int ir_root(const Graph *g, int i)
{
	return *root_slot((Graph *)g, i);
}

void ir_set_root(Graph *g, int i, int node)
{
	*root_slot(g, i) = node;
}

long ir_param_count(const Graph *g)
{
	long n = 0;
	for (int i = 0; i < g->params.len; i++) {
		Type t = g->params.items[i].type;
		n += t.rank == 2 ? (long)t.dim[0] * t.dim[1] : t.dim[0];
	}
	return n;
}

/* Elementwise ops broadcast a scalar against anything and an unbatched vector
 * against a batched one of the same length; matrices never mix. */
int ir_elem_type(Op op, Type a, Type b, Type *out)
{
	int unary = ir_ops[op].arity == 1;
	if (unary)
		b = a;
	if (a.rank == 2 || b.rank == 2 || a.dtype == DT_I32 || b.dtype == DT_I32)
		return 0;
	Type r = a.rank >= b.rank ? a : b;
	if (a.rank == 1 && b.rank == 1 && a.dim[0] != b.dim[0])
		return 0;
	if (a.batched && b.batched && a.timed != b.timed)
		return 0;
	r.batched = a.batched || b.batched;
	r.timed = a.timed || b.timed;
	switch (op) {
	case OP_SPIKE: r.dtype = DT_SPIKE; break;
	case OP_MUL: r.dtype = a.dtype == DT_SPIKE && b.dtype == DT_SPIKE ? DT_SPIKE : DT_F32; break;
	default: r.dtype = DT_F32; break;
	}
	*out = r;
	return 1;
}

int ir_matmul_type(Type w, Type x, Type *out)
{
	if (w.rank != 2 || w.batched || w.timed || x.rank != 1 || !x.batched || x.timed ||
	    x.dim[0] != w.dim[1] || x.dtype == DT_I32)
		return 0;
	*out = ir_vec(DT_F32, w.dim[0], 1, 0);
	return 1;
}

int ir_yield_of(const Graph *g, int scan)
{
	int body = g->nodes.items[scan].a.scan.body;
	for (int i = scan - 1; i >= 0; i--)
		if (g->nodes.items[i].op == OP_YIELD && g->nodes.items[i].region == body)
			return i;
	SPK_BUG("scan %%%d has no yield", scan);
}
