/* unit_ir.h: helpers for the compiler suites. */
#ifndef SPIKEC_UNIT_IR_H
#define SPIKEC_UNIT_IR_H

#include "compiler/ir.h"

/* How ir_verify(g) ends, run in a child process: 'R' it returned, 'A' it
 * aborted (a verifier failure), 'X' anything else. */
int unit_verify_outcome(const Graph *g);

#endif
