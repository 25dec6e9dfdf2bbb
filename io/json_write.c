/* json_write.c: see json_write.h. */
#include "json_write.h"

#include <math.h>
#include <string.h>

size_t json_escape_byte(unsigned char c, char out[8])
{
	if (c == '"' || c == '\\')
		return (size_t)snprintf(out, 8, "\\%c", c);
	if (c == '\n' || c == '\t' || c == '\r')
		return (size_t)snprintf(out, 8, "\\%c", c == '\n' ? 'n' : c == '\t' ? 't' : 'r');
	if (c < 0x20)
		return (size_t)snprintf(out, 8, "\\u%04x", c);
	out[0] = (char)c;
	out[1] = 0;
	return 1;
}

/* The separator and indentation before a value (or a key). */
static void before(JsonWriter *w)
{
	if (w->after_key) {
		w->after_key = 0;
		return;
	}
	if (w->depth > 0)
		fprintf(w->f, "%s\n%*s", w->count[w->depth]++ ? "," : "", 2 * w->depth, "");
}

void json_print_string(FILE *f, const char *s)
{
	char esc[8];
	fputc('"', f);
	for (; *s; s++) {
		json_escape_byte((unsigned char)*s, esc);
		fputs(esc, f);
	}
	fputc('"', f);
}

void jw_key(JsonWriter *w, const char *key)
{
	before(w);
	json_print_string(w->f, key);
	fputs(": ", w->f);
	w->after_key = 1;
}

void jw_open(JsonWriter *w, char bracket)
{
	before(w);
	fputc(bracket, w->f);
	w->count[++w->depth] = 0;
}

void jw_close(JsonWriter *w, char bracket)
{
	int empty = w->count[w->depth] == 0;
	w->depth--;
	if (!empty)
		fprintf(w->f, "\n%*s", 2 * w->depth, "");
	fputc(bracket, w->f);
}

void jw_string(JsonWriter *w, const char *s)
{
	if (!s) {
		jw_null(w);
		return;
	}
	before(w);
	json_print_string(w->f, s);
}

void jw_number(JsonWriter *w, double x)
{
	if (!isfinite(x)) {
		jw_null(w);
		return;
	}
	before(w);
	fprintf(w->f, "%.9g", x);
}

void jw_int(JsonWriter *w, long long x)
{
	before(w);
	fprintf(w->f, "%lld", x);
}

void jw_bool(JsonWriter *w, int b)
{
	before(w);
	fputs(b ? "true" : "false", w->f);
}

void jw_null(JsonWriter *w)
{
	before(w);
	fputs("null", w->f);
}

void jw_ints(JsonWriter *w, const int *v, int n)
{
	before(w);
	fputc('[', w->f);
	for (int i = 0; i < n; i++)
		fprintf(w->f, "%s%d", i ? ", " : "", v[i]);
	fputc(']', w->f);
}

void jw_end(JsonWriter *w)
{
	fputc('\n', w->f);
}
