/* verify.c: checks every invariant of ir.h between pipeline stages.
 *
 * A failure is a compiler bug, never a user error: it names the stage that
 * produced the bad graph, the node and what is wrong, and aborts. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "ir.h"

typedef struct {
	const Graph *g;
	const char *stage;
	int *yield;  /* scan node -> the yield of its body, once check_scan passed */
} Verifier;

__attribute__((format(printf, 3, 4))) _Noreturn static void fail(const Verifier *v, int n,
								  const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fprintf(stderr, "spikec: IR verifier failed after '%s':\n", v->stage);
	ir_print(v->g, stderr);
	util_bug(__FILE__, __LINE__, "after '%s': node %%%d (%s): %s", v->stage, n,
		 n >= 0 ? ir_ops[v->g->nodes.items[n].op].name : "-", msg);
}

static int region_encloses(const Graph *g, int outer, int inner)
{
	for (int r = inner; r >= 0; r = g->regions.items[r].parent)
		if (r == outer)
			return 1;
	return 0;
}

static Type strip_time(Type t)
{
	t.timed = 0;
	return t;
}

static void check_scan(const Verifier *v, int i)
{
	const Graph *g = v->g;
	const Node *n = &g->nodes.items[i];
	int body = n->a.scan.body, nseq = n->a.scan.nseq, ncarry = n->a.scan.ncarry;
	if (body <= 0 || body >= g->regions.len || g->regions.items[body].scan != i)
		fail(v, i, "body region %d is not owned by this scan", body);
	if (g->regions.items[body].parent != n->region)
		fail(v, i, "body region %d is not nested in the scan's region", body);
	if (n->nargs != nseq + ncarry)
		fail(v, i, "%d operands for %d sequences and %d carries", n->nargs, nseq, ncarry);
	int yield = -1;
	for (int j = 0; j < g->nodes.len; j++) {
		const Node *m = &g->nodes.items[j];
		if (m->region != body)
			continue;
		if (j > i)
			fail(v, j, "body node placed after its scan %%%d", i);
		if (m->op == OP_YIELD) {
			if (yield >= 0)
				fail(v, j, "second yield in body %d", body);
			yield = j;
		}
		if (m->op == OP_STEP) {
			if (m->a.k < 0 || m->a.k >= nseq)
				fail(v, j, "step %d of a scan with %d sequences", m->a.k, nseq);
			if (!ir_type_eq(m->type, strip_time(g->nodes.items[n->args[m->a.k]].type)))
				fail(v, j, "step type differs from its sequence");
		}
		if (m->op == OP_CARRY) {
			if (m->a.k < 0 || m->a.k >= ncarry)
				fail(v, j, "carry %d of a scan with %d carries", m->a.k, ncarry);
			if (!ir_type_eq(m->type, g->nodes.items[n->args[nseq + m->a.k]].type))
				fail(v, j, "carry type differs from its initial value");
		}
	}
	if (yield < 0)
		fail(v, i, "body %d has no yield", body);
	v->yield[i] = yield;
	const Node *y = &g->nodes.items[yield];
	if (y->nargs != ncarry + n->a.scan.nout)
		fail(v, yield, "yields %d values for %d carries and %d outputs", y->nargs, ncarry,
		     n->a.scan.nout);
	for (int k = 0; k < ncarry; k++)
		if (!ir_type_eq(g->nodes.items[y->args[k]].type, g->nodes.items[n->args[nseq + k]].type))
			fail(v, yield, "next value of carry %d has another type than its initial value", k);
	for (int k = 0; k < nseq; k++)
		if (!g->nodes.items[n->args[k]].type.timed)
			fail(v, i, "sequence operand %d is not timed", k);
}

static void check_types(const Verifier *v, int i)
{
	const Graph *g = v->g;
	const Node *n = &g->nodes.items[i];
	Type t, a = n->nargs > 0 ? g->nodes.items[n->args[0]].type : ir_scalar();
	Type b = n->nargs > 1 ? g->nodes.items[n->args[1]].type : a;
	if (ir_ops[n->op].flags & F_ELEM) {
		if (!ir_elem_type(n->op, a, b, &t) || !ir_type_eq(t, n->type))
			fail(v, i, "operand types do not give the node's type");
		return;
	}
	switch ((Op)n->op) {
	case OP_MATMUL:
		if (!ir_matmul_type(a, b, &t) || !ir_type_eq(t, n->type))
			fail(v, i, "matmul operand types do not give the node's type");
		break;
	case OP_SLICE:
		if (a.rank != 1 || n->a.slice.off < 0 || n->a.slice.len <= 0 ||
		    n->a.slice.off + n->a.slice.len > a.dim[0] || n->type.dim[0] != n->a.slice.len)
			fail(v, i, "slice [%d, +%d) out of range", n->a.slice.off, n->a.slice.len);
		break;
	case OP_SCAN_OUT: {
		const Node *s = &g->nodes.items[n->args[0]];
		if (s->op != OP_SCAN)
			fail(v, i, "operand is not a scan");
		if (n->a.k < 0 || n->a.k >= s->a.scan.ncarry + s->a.scan.nout)
			fail(v, i, "result %d of a scan with %d", n->a.k, s->a.scan.ncarry + s->a.scan.nout);
		Type want;
		if (n->a.k < s->a.scan.ncarry) {
			want = g->nodes.items[s->args[s->a.scan.nseq + n->a.k]].type;
		} else {
			want = g->nodes.items[g->nodes.items[v->yield[n->args[0]]].args[n->a.k]].type;
			want.timed = 1;
		}
		if (!ir_type_eq(want, n->type))
			fail(v, i, "type differs from the scan's result %d", n->a.k);
		break;
	}
	case OP_MATMUL_T:
		if (a.rank != 2 || b.rank != 1 || !b.batched || b.dim[0] != a.dim[0] ||
		    !ir_type_eq(n->type, ir_vec(DT_F32, a.dim[1], 1, b.timed)))
			fail(v, i, "matmul_t operand types do not give the node's type");
		break;
	case OP_OUTER:
		if (a.rank != 1 || b.rank != 1 || !a.batched || !b.batched || a.timed != b.timed ||
		    !ir_type_eq(n->type, ir_mat(a.dim[0], b.dim[0])))
			fail(v, i, "outer operand types do not give the node's type");
		break;
	case OP_EMBED:
		if (a.rank != 2 || b.rank != 1 || !b.batched || b.dim[0] != 1 ||
		    !ir_type_eq(n->type, ir_vec(DT_F32, a.dim[1], 1, b.timed)))
			fail(v, i, "embed operand types do not give the node's type");
		break;
	case OP_SCATTER:
		if (n->type.rank != 2 || a.rank != 1 || b.rank != 1 || !a.batched || !b.batched || a.timed != b.timed ||
		    b.dim[0] != 1 || a.dim[0] != n->type.dim[1])
			fail(v, i, "scatter operand types do not give the node's type");
		break;
	case OP_SUM_ROWS:
		if (a.rank != 1 || !a.batched || !ir_type_eq(n->type, ir_vec(DT_F32, a.dim[0], 0, 0)))
			fail(v, i, "sum_rows of a non-batched value");
		break;
	case OP_CONCAT: {
		int total = 0;
		for (int k = 0; k < n->nargs; k++) {
			Type p = g->nodes.items[n->args[k]].type;
			if (p.rank != 1 || p.batched != n->type.batched || p.timed != n->type.timed)
				fail(v, i, "concat part %d has another shape", k);
			total += p.dim[0];
		}
		if (n->type.rank != 1 || total != n->type.dim[0])
			fail(v, i, "concat parts add up to %d, not %d", total, n->type.dim[0]);
		break;
	}
	case OP_CE_GRAD:
	case OP_MSE_GRAD:
		if (!ir_type_eq(n->type, (Type){DT_F32, a.rank, a.batched, a.timed, {a.dim[0], a.dim[1]}}) ||
		    a.timed != b.timed)
			fail(v, i, "loss gradient shaped unlike the prediction");
		break;
	case OP_CROSS_ENTROPY:
	case OP_MSE:
		if (n->type.rank != 0 || a.rank != 1 || !a.batched || a.timed != b.timed)
			fail(v, i, "loss operands have the wrong shape");
		break;
	case OP_PARAM:
		if (n->a.k < 0 || n->a.k >= g->params.len || !ir_type_eq(n->type, g->params.items[n->a.k].type))
			fail(v, i, "parameter %d missing or of another type", n->a.k);
		break;
	case OP_INPUT:
	case OP_LABELS:
		if (n->a.k < 0 || n->a.k >= g->inputs.len || !ir_type_eq(n->type, g->inputs.items[n->a.k].type))
			fail(v, i, "input %d missing or of another type", n->a.k);
		break;
	default:
		break;
	}
}

void ir_verify(const Graph *g, const char *stage)
{
	Verifier v = {g, stage, xmalloc(sizeof(int) * (size_t)(g->nodes.len + 1))};
	for (int i = 0; i < g->nodes.len; i++) {
		const Node *n = &g->nodes.items[i];
		if (n->op >= OP_COUNT)
			fail(&v, -1, "node %%%d has op %d", i, n->op);
		if (n->region < 0 || n->region >= g->regions.len)
			fail(&v, i, "region %d does not exist", n->region);
		int arity = ir_ops[n->op].arity;
		if (arity >= 0 && n->nargs != arity)
			fail(&v, i, "%d operands, op takes %d", n->nargs, arity);
		for (int k = 0; k < n->nargs; k++) {
			int a = n->args[k];
			if (a < 0 || a >= i)
				fail(&v, i, "operand %d is %%%d, not an earlier node", k, a);
			if (!region_encloses(g, g->nodes.items[a].region, n->region))
				fail(&v, i, "operand %%%d lives in region %d, not visible from region %d", a,
				     g->nodes.items[a].region, n->region);
		}
		if ((n->op == OP_STEP || n->op == OP_CARRY || n->op == OP_YIELD) && n->region == 0)
			fail(&v, i, "%s outside a scan body", ir_ops[n->op].name);
		if (n->op == OP_SCAN)
			check_scan(&v, i);
		check_types(&v, i);
	}
	if (g->output < 0 || g->output >= g->nodes.len)
		fail(&v, -1, "the graph has no output");
	if (g->loss >= g->nodes.len || (g->loss >= 0 && g->nodes.items[g->loss].type.rank != 0))
		fail(&v, -1, "the loss is not a scalar node");
	if (g->nodes.items[g->output].region != 0)
		fail(&v, g->output, "the output is inside a scan body");
	for (int k = 0; g->param_grad && k < g->params.len; k++) {
		int d = g->param_grad[k];
		if (d >= g->nodes.len || (d >= 0 && (!ir_type_eq(g->nodes.items[d].type, g->params.items[k].type) ||
						     g->nodes.items[d].region != 0)))
			fail(&v, d, "gradient of %s is not a top-level %s", g->params.items[k].name, "tensor of its shape");
	}
	free(v.yield);
}
