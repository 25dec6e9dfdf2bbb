/* json_write.h: a small JSON writer for the machine-readable output of the
 * CLI (spikec check --json, spikec eval --json).
 *
 * The writer keeps track of commas and indentation (two spaces per level),
 * so a caller writes keys and values in order and the result is valid
 * JSON whatever it writes, provided every jw_open has its jw_close
 * and nesting stays under JW_MAX_DEPTH (the callers' formats are fixed). A
 * number that is not finite is written as null (JSON has no NaN). */
#ifndef SPIKEC_IO_JSON_WRITE_H
#define SPIKEC_IO_JSON_WRITE_H

#include <stddef.h>
#include <stdio.h>

#define JW_MAX_DEPTH 16

typedef struct {
	FILE *f;
	int depth;
	int count[JW_MAX_DEPTH];  /* values written so far at each level */
	int after_key;            /* a key was written; its value comes next */
} JsonWriter;

/* The escaped form of byte c inside a JSON string literal, NUL-terminated
 * in out: c itself, or \" \\ \n \t \r, or \u00XX for other control bytes.
 * Returns its length. Bytes >= 0x80 pass through (UTF-8). */
size_t json_escape_byte(unsigned char c, char out[8]);

/* s as a JSON string literal on f. */
void json_print_string(FILE *f, const char *s);

/* The next member's key (inside an object). */
void jw_key(JsonWriter *w, const char *key);
/* '{' or '[', and the matching jw_close. */
void jw_open(JsonWriter *w, char bracket);
void jw_close(JsonWriter *w, char bracket);
void jw_string(JsonWriter *w, const char *s);  /* NULL writes null */
void jw_number(JsonWriter *w, double x);       /* %.9g, null when not finite */
void jw_int(JsonWriter *w, long long x);
void jw_bool(JsonWriter *w, int b);
void jw_null(JsonWriter *w);
/* The n integers v as an array on one line: [32, 1]. */
void jw_ints(JsonWriter *w, const int *v, int n);
/* After the top-level value's jw_close: the final newline. */
void jw_end(JsonWriter *w);

#endif
