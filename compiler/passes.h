/* passes.h: the graph-IR passes, one per file, run in the order listed by
 * pipeline_compile. Each states what it requires and guarantees. */
#ifndef SPIKEC_PASSES_H
#define SPIKEC_PASSES_H

#include "ir.h"

void pass_fold(Graph *g);   /* fold.c: constant folding and algebraic identities */
void pass_cse(Graph *g);    /* cse.c: merges identical nodes */
void pass_dce(Graph *g);    /* dce.c: drops what output and loss do not need */

/* Shared by rewriting passes: makes every use of node i use fwd[i] instead
 * (fwd[i] == i for nodes that stay), then reschedules, which drops the
 * replaced nodes. fwd[i] must be < i or i. */
void pass_forward_uses(Graph *g, int *fwd);

#endif
