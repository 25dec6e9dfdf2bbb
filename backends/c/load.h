/* load.h: runs emitted C in this process. The model is emitted, compiled by
 * the system C compiler into a shared object (cached by a hash of the C
 * source and the compiler command) and loaded with dlopen. This is how
 * `spikec run --backend c` runs a model. */
#ifndef SPIKEC_LOAD_C_H
#define SPIKEC_LOAD_C_H

#include <stddef.h>
#include <stdint.h>
#include "backends/backend.h"

/* Returns 0, or -1 with a message in err (compiler failure, dlopen error). */
int cload_build(const Kir *k, const BackendOptions *opt, CompiledModel *m, char *err, size_t errlen);
void cload_close(CompiledModel *m);

#endif
