/* mem.c: see mem.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mem.h"

/* The test mode: -1 until the environment has been read. Allocations of
 * threads count too (atomically), but only single-threaded commands give a
 * reproducible count. */
static long fail_at = -1;
static int count_at_exit;
static long count;

static void print_count(void)
{
	fprintf(stderr, "spikec: allocations: %ld\n", __atomic_load_n(&count, __ATOMIC_RELAXED));
}

static void read_env(void)
{
	const char *f = getenv("SPIKEC_FAIL_ALLOC"), *c = getenv("SPIKEC_COUNT_ALLOC");
	count_at_exit = c && *c && strcmp(c, "0") != 0;
	if (count_at_exit)
		atexit(print_count);
	__atomic_store_n(&fail_at, f ? atol(f) : 0, __ATOMIC_RELAXED);
}

/* Counts one allocation; 1 when the test mode says it fails. */
static int injected_failure(void)
{
	if (__atomic_load_n(&fail_at, __ATOMIC_RELAXED) < 0)
		read_env();
	long n = __atomic_add_fetch(&count, 1, __ATOMIC_RELAXED);
	return n == fail_at;
}

void *mem_malloc(size_t size)
{
	return injected_failure() ? NULL : malloc(size ? size : 1);
}

void *mem_calloc(size_t n, size_t size)
{
	return injected_failure() ? NULL : calloc(n ? n : 1, size ? size : 1);
}

void *mem_realloc(void *p, size_t size)
{
	return injected_failure() ? NULL : realloc(p, size ? size : 1);
}

char *mem_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = mem_malloc(n);
	return p ? memcpy(p, s, n) : NULL;
}

void mem_out_of_memory(void)
{
	fflush(stdout);
	fputs("spikec: error: out of memory\n", stderr);
	mem_exit_failure();
}

#if defined(__SANITIZE_ADDRESS__)
#define MEM_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MEM_LSAN 1
#endif
#endif

#ifdef MEM_LSAN
static int error_exit;

/* LeakSanitizer's hook, asked at the check it runs at exit. */
int __lsan_is_turned_off(void);
int __lsan_is_turned_off(void)
{
	return error_exit;
}
#endif

void mem_exit_failure(void)
{
#ifdef MEM_LSAN
	error_exit = 1;
#endif
	exit(1);
}

static void *must(void *p)
{
	if (!p)
		mem_out_of_memory();
	return p;
}

void *xmalloc(size_t size)
{
	return must(mem_malloc(size));
}

void *xcalloc(size_t n, size_t size)
{
	return must(mem_calloc(n, size));
}

void *xrealloc(void *p, size_t size)
{
	return must(mem_realloc(p, size));
}

char *xstrdup(const char *s)
{
	return must(mem_strdup(s));
}
