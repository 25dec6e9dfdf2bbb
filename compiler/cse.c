/* cse.c: common-subexpression elimination.
 *
 * requires: a verified graph.  guarantees: no two nodes of one region have
 * the same op, operands, attributes and type (leaves included: equal
 * constants become one node). Nodes with effects on the loop structure (scan,
 * yield, carry, step) are never merged. */
#include <stdlib.h>
#include <string.h>
#include "passes.h"

static int mergeable(const Node *n)
{
	return n->op != OP_SCAN && n->op != OP_YIELD && n->op != OP_CARRY && n->op != OP_STEP &&
	       n->op != OP_SCAN_OUT && n->op != OP_ZEROS;
}

static int same(const Node *a, const Node *b)
{
	if (a->op != b->op || a->region != b->region || a->nargs != b->nargs || !ir_type_eq(a->type, b->type))
		return 0;
	for (int k = 0; k < a->nargs; k++)
		if (a->args[k] != b->args[k])
			return 0;
	switch ((Op)a->op) {
	case OP_CONST: return a->a.f == b->a.f;
	case OP_PARAM: case OP_INPUT: case OP_LABELS: return a->a.k == b->a.k;
	case OP_SLICE: return a->a.slice.off == b->a.slice.off && a->a.slice.len == b->a.slice.len;
	case OP_SPIKE: case OP_SURROGATE: return memcmp(&a->a.sur, &b->a.sur, sizeof a->a.sur) == 0;
	case OP_DROPOUT: return a->a.drop.p == b->a.drop.p && a->a.drop.site == b->a.drop.site;
	default: return 1;
	}
}

static uint64_t node_hash(const Node *n)
{
	uint64_t h = util_hash(&n->op, sizeof n->op, UTIL_HASH_SEED);
	h = util_hash(&n->region, sizeof n->region, h);
	h = util_hash(n->args, sizeof(int) * (size_t)n->nargs, h);
	if (n->op == OP_CONST)
		h = util_hash(&n->a.f, sizeof n->a.f, h);
	return h;
}

void pass_cse(Graph *g)
{
	int nn = g->nodes.len, cap = 1;
	while (cap < 2 * nn)
		cap *= 2;
	int *table = xmalloc(sizeof(int) * (size_t)cap);
	int *fwd = xmalloc(sizeof(int) * (size_t)(nn ? nn : 1));
	memset(table, -1, sizeof(int) * (size_t)cap);
	for (int i = 0; i < nn; i++) {
		fwd[i] = i;
		Node *n = &g->nodes.items[i];
		for (int k = 0; k < n->nargs; k++)
			n->args[k] = fwd[n->args[k]];
		if (!mergeable(n))
			continue;
		for (uint64_t s = node_hash(n) & (uint64_t)(cap - 1);; s = (s + 1) & (uint64_t)(cap - 1)) {
			if (table[s] < 0) {
				table[s] = i;
				break;
			}
			if (same(&g->nodes.items[table[s]], n)) {
				fwd[i] = table[s];
				break;
			}
		}
	}
	pass_forward_uses(g, fwd);
	free(table);
	free(fwd);
}
