/* util.c: arena, growable arrays, strings, hashing, string maps and the internal-error door. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util.h"

struct ArenaBlock {
	ArenaBlock *next;
	size_t used, size;
	_Alignas(16) unsigned char data[];
};

#define ARENA_BLOCK 65536

void *arena_alloc(Arena *a, size_t size)
{
	size = (size + 15) & ~(size_t)15;
	ArenaBlock *b = a->head;
	if (!b || b->used + size > b->size) {
		size_t cap = size > ARENA_BLOCK ? size : ARENA_BLOCK;
		b = xmalloc(sizeof *b + cap);
		b->next = a->head;
		b->used = 0;
		b->size = cap;
		a->head = b;
	}
	void *p = b->data + b->used;
	b->used += size;
	memset(p, 0, size);
	return p;
}

char *arena_strndup(Arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

char *arena_strdup(Arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *arena_printf(Arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *p = arena_alloc(a, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void arena_free(Arena *a)
{
	while (a->head) {
		ArenaBlock *next = a->head->next;
		free(a->head);
		a->head = next;
	}
}

void xfree_(void *p)
{
	free(p);
}

void vec_grow_(void **items, int *cap, int need, size_t elem)
{
	if (need <= *cap)
		return;
	int c = *cap ? *cap * 2 : 8;
	while (c < need)
		c *= 2;
	*items = xrealloc(*items, (size_t)c * elem);
	*cap = c;
}

static void sb_reserve(StrBuf *sb, size_t extra)
{
	if (sb->len + extra + 1 <= sb->cap)
		return;
	size_t c = sb->cap ? sb->cap * 2 : 256;
	while (c < sb->len + extra + 1)
		c *= 2;
	sb->buf = xrealloc(sb->buf, c);
	sb->cap = c;
}

void sb_printf(StrBuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	sb_reserve(sb, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
}

void sb_puts(StrBuf *sb, const char *s)
{
	size_t n = strlen(s);
	sb_reserve(sb, n);
	memcpy(sb->buf + sb->len, s, n + 1);
	sb->len += n;
}

void sb_free(StrBuf *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->cap = 0;
}

const char *util_float_str(float v, char buf[32])
{
	for (int prec = 6; prec <= 9; prec++) {
		snprintf(buf, 32, "%.*g", prec, (double)v);
		if (strtof(buf, NULL) == v)
			break;
	}
	return buf;
}

uint64_t util_hash(const void *data, size_t n, uint64_t h)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* The slot of key, or the empty one where it would go; cap is a power of 2. */
static int strmap_slot(const StrMap *m, const char *key)
{
	int i = (int)(util_hash(key, strlen(key), UTIL_HASH_SEED) & (uint64_t)(m->cap - 1));
	while (m->keys[i] && strcmp(m->keys[i], key))
		i = (i + 1) & (m->cap - 1);
	return i;
}

int strmap_get(const StrMap *m, const char *key)
{
	if (!m->cap)
		return 0;
	int i = strmap_slot(m, key);
	return m->keys[i] ? m->vals[i] : 0;
}

void strmap_put(StrMap *m, const char *key, int val)
{
	if (2 * (m->len + 1) > m->cap) {  /* at most half full */
		StrMap g = {xcalloc(m->cap ? 2 * (size_t)m->cap : 16, sizeof *g.keys), NULL, m->len,
			    m->cap ? 2 * m->cap : 16};
		g.vals = xcalloc((size_t)g.cap, sizeof *g.vals);
		for (int i = 0; i < m->cap; i++)
			if (m->keys[i]) {
				int j = strmap_slot(&g, m->keys[i]);
				g.keys[j] = m->keys[i];
				g.vals[j] = m->vals[i];
			}
		strmap_free(m);
		*m = g;
	}
	int i = strmap_slot(m, key);
	if (!m->keys[i]) {
		m->keys[i] = key;
		m->len++;
	}
	m->vals[i] = val;
}

void strmap_free(StrMap *m)
{
	free(m->keys);
	free(m->vals);
	*m = (StrMap){0};
}

void util_bug(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	fflush(stdout);
	fprintf(stderr, "spikec: internal error at %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nThis is a bug in spikec; please report it with the model file.\n");
	abort();
}
