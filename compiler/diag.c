/* diag.c: user-facing error messages with source excerpts.
 *
 * Contract (see diag.h): every message goes to stderr as
 *
 *   file:line:col: error: message
 *       3 |     h = slstm(x, 200}
 *         |                     ^
 *
 * The excerpt echoes the source line byte for byte, except that control
 * bytes are shown as '?' (so a NUL never reaches a terminal or a golden
 * file); the caret line copies the line's tabs so the caret stays aligned,
 * and skips UTF-8 continuation bytes so it aligns after non-ASCII text.
 * Errors are counted per source file: once a file has DIAG_MAX_ERRORS, its
 * next error prints "too many errors; stopping" and later ones are counted
 * but not printed (a file that is not a model at all should not scroll a
 * thousand messages by); the stage that reported them then fails as with any
 * error, so spikec still exits 1 at its end and nothing here exits. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "diag.h"
#include "util.h"

#define DIAG_MAX_ERRORS 20

typedef struct {
	char *name;
	char *text;   /* NUL-terminated copy; may contain NULs itself */
	long len;
	int nerrors;  /* printed; past DIAG_MAX_ERRORS the rest are silent */
} Source;

static Vec(Source) sources;
static int nerrors;           /* in all files */
static int nerrors_noloc;     /* without a file */
static const char *program = "spikec";

int diag_add_source(const char *name, const char *text, long len)
{
	Source s;
	/* A UTF-8 byte-order mark is dropped, so that columns on line 1 count
	 * from the first real character. */
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
		text += 3;
		len -= 3;
	}
	s.name = xstrdup(name);
	s.text = xmalloc((size_t)len + 1);
	memcpy(s.text, text, (size_t)len);
	s.text[len] = 0;
	s.len = len;
	s.nerrors = 0;
	vec_push(&sources, s);
	return sources.len - 1;
}

static Source *source(int file)
{
	if (file < 0 || file >= sources.len)
		return NULL;
	return &sources.items[file];
}

const char *diag_source_name(int file)
{
	Source *s = source(file);
	return s ? s->name : "spikec";
}

const char *diag_source_text(int file, long *len)
{
	Source *s = source(file);
	if (!s) {
		if (len)
			*len = 0;
		return NULL;
	}
	if (len)
		*len = s->len;
	return s->text;
}

/* Prints line `line` of s and a caret under byte column `col`. Does nothing
 * for a line the file does not have. */
static void excerpt(const Source *s, int line, int col)
{
	long i = 0;
	for (int l = 1; l < line; l++) {
		while (i < s->len && s->text[i] != '\n')
			i++;
		if (i == s->len)
			return;
		i++;
	}
	long end = i;
	while (end < s->len && s->text[end] != '\n')
		end++;
	if (end > i && s->text[end - 1] == '\r')
		end--;
	fprintf(stderr, "%5d | ", line);
	for (long k = i; k < end; k++) {
		unsigned char c = (unsigned char)s->text[k];
		fputc(c == '\t' || (c >= 0x20 && c != 0x7f) ? c : '?', stderr);
	}
	fputs("\n      | ", stderr);
	for (long k = i; k < end && k < i + col - 1; k++) {
		unsigned char c = (unsigned char)s->text[k];
		if (c == '\t')
			fputc('\t', stderr);
		else if ((c & 0xC0) != 0x80)
			fputc(' ', stderr);
	}
	/* A column past the line's end (an error at end of line or file)
	 * still gets its caret, one column after the last character. */
	for (long k = end; k < i + col - 1; k++)
		fputc(' ', stderr);
	fputs("^\n", stderr);
}

static void report(SrcLoc loc, const char *kind, const char *fmt, va_list ap)
{
	Source *s = source(loc.file);
	fflush(stdout);
	if (!s)
		fprintf(stderr, "%s: %s: ", program, kind);
	else if (loc.line <= 0)
		fprintf(stderr, "%s: %s: ", s->name, kind);
	else if (loc.col <= 0)
		fprintf(stderr, "%s:%d: %s: ", s->name, loc.line, kind);
	else
		fprintf(stderr, "%s:%d:%d: %s: ", s->name, loc.line, loc.col, kind);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	if (s && loc.line > 0 && loc.col > 0)
		excerpt(s, loc.line, loc.col);
}

void diag_error(SrcLoc loc, const char *fmt, ...)
{
	va_list ap;
	Source *s = source(loc.file);
	int *count = s ? &s->nerrors : &nerrors_noloc;
	nerrors++;
	if (*count > DIAG_MAX_ERRORS)
		return;
	if (*count == DIAG_MAX_ERRORS) {
		fflush(stdout);
		fprintf(stderr, "%s: error: too many errors; stopping\n", s ? s->name : program);
		(*count)++;
		return;
	}
	(*count)++;
	va_start(ap, fmt);
	report(loc, "error", fmt, ap);
	va_end(ap);
}

void diag_note(SrcLoc loc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report(loc, "note", fmt, ap);
	va_end(ap);
}

void diag_warning(SrcLoc loc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report(loc, "warning", fmt, ap);
	va_end(ap);
}

void diag_set_program(const char *name)
{
	program = name;
}

void diag_fatal(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report(NOLOC, "error", fmt, ap);
	va_end(ap);
	mem_exit_failure();
}

void diag_reset(void)
{
	for (int i = 0; i < sources.len; i++) {
		free(sources.items[i].name);
		free(sources.items[i].text);
	}
	vec_free(&sources);
	nerrors = nerrors_noloc = 0;
}

int diag_error_count(void)
{
	return nerrors;
}

void diag_exit_if_errors(void)
{
	if (nerrors)
		diag_exit();
}

void diag_exit(void)
{
	mem_exit_failure();
}
