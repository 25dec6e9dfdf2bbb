/* mem.h: every heap allocation of spikec, counted, with a test mode that
 * makes one of them fail (docs/reliability.md).
 *
 * Two doors. mem_malloc and friends return NULL when memory runs out, for
 * code that reports the failure itself (io/, the data sets). xmalloc and
 * friends never return NULL: out of memory is the user's problem (a model or
 * batch too large), not a bug, so they print "spikec: error: out of memory"
 * and exit 1 (mem_out_of_memory). Memory from either is released with free().
 *
 * Test mode, read from the environment at the first allocation:
 *   SPIKEC_FAIL_ALLOC=N   the N-th allocation (1-based) fails, once;
 *   SPIKEC_COUNT_ALLOC=1  at exit, "spikec: allocations: N" on stderr.
 * Both always compiled in: the cost is one atomic increment per allocation,
 * and the sweep (tests/reliability/run_alloc.sh) tests the binary users run. */
#ifndef SPIKEC_MEM_H
#define SPIKEC_MEM_H

#include <stddef.h>

void *mem_malloc(size_t size);                 /* NULL when out of memory */
void *mem_calloc(size_t n, size_t size);
void *mem_realloc(void *p, size_t size);       /* NULL leaves p allocated */
char *mem_strdup(const char *s);

void *xmalloc(size_t size);                    /* out of memory: exit 1 */
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
char *xstrdup(const char *s);

/* "spikec: error: out of memory" on stderr, then mem_exit_failure. */
_Noreturn void mem_out_of_memory(void);

/* Ends the process with status 1 after an error has been reported: every
 * error exit of spikec comes here. What is still allocated is left to the
 * system. Under LeakSanitizer (make check SANITIZE=1) that also holds: the
 * frames that called exit are dead, so their memory would look leaked;
 * leaks are checked on the runs that end normally. */
_Noreturn void mem_exit_failure(void);

#endif
