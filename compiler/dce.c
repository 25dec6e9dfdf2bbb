/* dce.c: dead-code elimination.
 *
 * requires: a verified graph.  guarantees: only nodes that the output or the
 * loss depends on remain, in index order. Scheduling already keeps exactly
 * those, so this pass is the scheduler run on its own. */
#include "passes.h"

void pass_dce(Graph *g)
{
	ir_schedule(g);
}

void pass_forward_uses(Graph *g, int *fwd)
{
	for (int i = 0; i < g->nodes.len; i++) {
		Node *n = &g->nodes.items[i];
		for (int k = 0; k < n->nargs; k++) {
			int a = n->args[k];
			while (fwd[a] != a)
				a = fwd[a];
			n->args[k] = a;
		}
	}
	for (int r = 0; r < ir_root_count(g); r++) {
		int n = ir_root(g, r);
		while (n >= 0 && fwd[n] != n)
			n = fwd[n];
		ir_set_root(g, r, n);
	}
	ir_schedule(g);
}
