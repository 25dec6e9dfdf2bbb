/* json.c: see json.h. */
#include "json.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mem/mem.h"

/* Set when an allocation of the current thread's parse failed. */
static _Thread_local int alloc_failed;

static void *json_alloc(size_t size)
{
	void *p = mem_malloc(size);
	if (!p)
		alloc_failed = 1;
	return p;
}

static void set_alloc_funcs(void)
{
	json_set_alloc_funcs(json_alloc, free);
}

/* jansson reads a NUL byte as the end of the text ("':' expected near end
 * of file"), so json_parse finds it first and reports it as jansson would
 * (line, and column in characters: UTF-8 continuation bytes do not count). */
static int nul_byte(const char *text, const char *nul, json_error_t *error)
{
	memset(error, 0, sizeof *error);
	error->line = 1;
	error->position = (int)(nul - text);
	for (const char *p = text; p <= nul; p++) {
		if (*p == '\n') {
			error->line++;
			error->column = 0;
		} else if (((unsigned char)*p & 0xc0) != 0x80) {
			error->column++;
		}
	}
	snprintf(error->text, sizeof error->text, "a NUL byte (not allowed in JSON text)");
	return -1;
}

int json_parse(const char *text, size_t len, json_t **out, json_error_t *error)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	const char *nul = memchr(text, '\0', len);

	*out = NULL;
	if (nul)
		return nul_byte(text, nul, error);
	pthread_once(&once, set_alloc_funcs);
	alloc_failed = 0;
	*out = json_loadb(text, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, error);
	/* jansson may carry on past a failed allocation (a dropped byte of a
	 * token), so any failure voids the result. */
	if (alloc_failed) {
		json_decref(*out);
		*out = NULL;
		return JSON_OUT_OF_MEMORY;
	}
	return *out ? 0 : -1;
}

const char *json_a_type(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: case JSON_REAL: return "a number";
	case JSON_TRUE: case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	}
	return "?";
}
