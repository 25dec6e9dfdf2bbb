/* schedule.c: puts a graph into index order.
 *
 * requires: operand indices valid; each scan body has exactly one YIELD.
 * guarantees: operands precede users, a scan's body (reachable from its
 * YIELD) precedes the scan, and nodes no root (output, loss, gradients)
 * needs are gone. */
#include <stdlib.h>
#include "ir.h"

typedef struct {
	Graph *g;
	int *yield_of;      /* region -> its YIELD node, -1 if none */
	int *newidx;        /* old index -> new index, -1 if unvisited */
	int *order;
	int n;
} Sched;

static void visit(Sched *s, int v)
{
	if (s->newidx[v] != -1)
		return;
	s->newidx[v] = -2;  /* on the stack */
	Node *n = &s->g->nodes.items[v];
	for (int i = 0; i < n->nargs; i++)
		visit(s, n->args[i]);
	if (n->op == OP_SCAN) {
		int y = s->yield_of[n->a.scan.body];
		if (y < 0)
			SPK_BUG("scan %%%d has no yield", v);
		visit(s, y);
	}
	s->newidx[v] = s->n;
	s->order[s->n++] = v;
}

void ir_schedule(Graph *g)
{
	int nn = g->nodes.len;
	Sched s = {g, xmalloc(sizeof(int) * (size_t)g->regions.len), xmalloc(sizeof(int) * (size_t)nn),
		   xmalloc(sizeof(int) * (size_t)nn), 0};
	for (int r = 0; r < g->regions.len; r++)
		s.yield_of[r] = -1;
	for (int i = 0; i < nn; i++) {
		s.newidx[i] = -1;
		if (g->nodes.items[i].op == OP_YIELD)
			s.yield_of[g->nodes.items[i].region] = i;
	}
	for (int r = 0; r < ir_root_count(g); r++)
		if (ir_root(g, r) >= 0)
			visit(&s, ir_root(g, r));

	Node *old = g->nodes.items;
	Node *nodes = xmalloc(sizeof(Node) * (size_t)(s.n ? s.n : 1));
	for (int i = 0; i < s.n; i++) {
		nodes[i] = old[s.order[i]];
		for (int k = 0; k < nodes[i].nargs; k++)
			nodes[i].args[k] = s.newidx[nodes[i].args[k]];
	}
	for (int r = 0; r < g->regions.len; r++)
		g->regions.items[r].scan = -1;
	for (int i = 0; i < s.n; i++)
		if (nodes[i].op == OP_SCAN)
			g->regions.items[nodes[i].a.scan.body].scan = i;
	free(old);
	g->nodes.items = nodes;
	g->nodes.len = g->nodes.cap = s.n;
	for (int r = 0; r < ir_root_count(g); r++)
		if (ir_root(g, r) >= 0)
			ir_set_root(g, r, s.newidx[ir_root(g, r)]);
	free(s.yield_of);
	free(s.newidx);
	free(s.order);
}
