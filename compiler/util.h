/* util.h: arena allocation, growable arrays, string maps and the internal-error door.
 *
 * Every compilation owns one Arena; AST, IR and kernel IR are carved from it and
 * freed all at once (arena_free). Internal bugs go through SPK_BUG, which names
 * the C file and line and aborts; user errors go through diag.h instead. */
#ifndef SPIKEC_UTIL_H
#define SPIKEC_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include "mem/mem.h"   /* xmalloc: every allocation goes through mem/ */

typedef struct ArenaBlock ArenaBlock;
typedef struct {
	ArenaBlock *head;
} Arena;

void *arena_alloc(Arena *a, size_t size);     /* zeroed, 16-byte aligned */
char *arena_strdup(Arena *a, const char *s);
char *arena_strndup(Arena *a, const char *s, size_t n);
char *arena_printf(Arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void arena_free(Arena *a);

/* Growable array of T: `Vec(int) v = {0}; vec_push(&v, 3);`. Heap-backed
 * (not arena), freed with vec_free. */
#define Vec(T) struct { T *items; int len, cap; }
#define vec_push(v, x) \
	(vec_grow_((void **)&(v)->items, &(v)->cap, (v)->len + 1, sizeof *(v)->items), \
	 (v)->items[(v)->len++] = (x))
#define vec_free(v) (xfree_((v)->items), (v)->items = NULL, (v)->len = (v)->cap = 0)
void vec_grow_(void **items, int *cap, int need, size_t elem);
void xfree_(void *p);


/* Growable string. */
typedef struct {
	char *buf;
	size_t len, cap;
} StrBuf;
void sb_printf(StrBuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_puts(StrBuf *sb, const char *s);
void sb_free(StrBuf *sb);

/* The shortest decimal that reads back as the same float ("0.1", "1e-08"). */
const char *util_float_str(float v, char buf[32]);

/* FNV-1a 64-bit, for model hashes and cache keys. */
uint64_t util_hash(const void *data, size_t n, uint64_t h);
#define UTIL_HASH_SEED 0xcbf29ce484222325ULL

/* String -> int map (open addressing). Keys are not copied: they must
 * outlive the map (arena strings do). Heap-backed, freed with strmap_free. */
typedef struct {
	const char **keys;
	int *vals;
	int len, cap;
} StrMap;
int strmap_get(const StrMap *m, const char *key);  /* 0 when absent */
void strmap_put(StrMap *m, const char *key, int val);
void strmap_free(StrMap *m);

_Noreturn void util_bug(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define SPK_BUG(...) util_bug(__FILE__, __LINE__, __VA_ARGS__)
#define SPK_ASSERT(c) ((c) ? (void)0 : util_bug(__FILE__, __LINE__, "assertion failed: %s", #c))

#endif
