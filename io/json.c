/* json.c: recursive-descent JSON parser; grammar comments follow RFC 8259. */
#include "json.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mem/mem.h"

typedef struct {
	const char *start, *p, *end;
	char *err;
	size_t errlen;
	int depth;
	int oom;  /* an allocation failed: json_parse returns JSON_OUT_OF_MEMORY */
} Parser;

__attribute__((format(printf, 2, 3)))
static int perr(Parser *P, const char *fmt, ...)
{
	va_list ap;

	if (P->err && P->errlen) {
		int n = snprintf(P->err, P->errlen, "at byte %zu: ", (size_t)(P->p - P->start));
		if (n >= 0 && (size_t)n < P->errlen) {
			va_start(ap, fmt);
			vsnprintf(P->err + n, P->errlen - (size_t)n, fmt, ap);
			va_end(ap);
		}
	}
	return -1;
}

static int oom(Parser *P)
{
	P->oom = 1;
	if (P->err && P->errlen)
		snprintf(P->err, P->errlen, "out of memory");
	return -1;
}

/* What the parser is looking at, for messages. */
static const char *here(Parser *P)
{
	return P->p >= P->end ? "the end of the text" : "unexpected character";
}

static void skip_ws(Parser *P)
{
	while (P->p < P->end && (*P->p == ' ' || *P->p == '\t' || *P->p == '\n' || *P->p == '\r'))
		P->p++;
}

static int hex4(Parser *P, unsigned *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++, P->p++) {
		char c = P->p < P->end ? *P->p : 0;
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			return perr(P, "expected 4 hex digits after \\u");
		*v = *v << 4 | (unsigned)d;
	}
	return 0;
}

static size_t put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	} else if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	} else if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* string = '"' *char '"'; the decoded text is never longer than the source,
 * so one allocation of the source length suffices. */
static int parse_string(Parser *P, char **out, size_t *outlen)
{
	const char *open = P->p++;
	const char *q = P->p;

	while (q < P->end && *q != '"')
		q += *q == '\\' && q + 1 < P->end ? 2 : 1;
	if (q >= P->end) {
		P->p = open;
		return perr(P, "unterminated string");
	}
	char *s = mem_malloc((size_t)(q - P->p) + 1), *o = s;
	if (!s)
		return oom(P);
	while (*P->p != '"') {
		unsigned char c = (unsigned char)*P->p;
		if (c < 0x20) {
			free(s);
			return perr(P, "control character 0x%02x in a string (escape it)", c);
		}
		if (c != '\\') {
			*o++ = (char)c;
			P->p++;
			continue;
		}
		P->p++;
		char e = *P->p++;
		unsigned cp, lo;
		switch (e) {
		case '"': case '\\': case '/': *o++ = e; break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u':
			if (hex4(P, &cp) < 0)
				goto fail;
			if (cp >= 0xd800 && cp < 0xdc00) {
				if (P->end - P->p < 2 || P->p[0] != '\\' || P->p[1] != 'u') {
					perr(P, "unpaired surrogate \\u%04x", cp);
					goto fail;
				}
				P->p += 2;
				if (hex4(P, &lo) < 0)
					goto fail;
				if (lo < 0xdc00 || lo >= 0xe000) {
					perr(P, "invalid low surrogate \\u%04x", lo);
					goto fail;
				}
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			} else if (cp >= 0xdc00 && cp < 0xe000) {
				perr(P, "unpaired surrogate \\u%04x", cp);
				goto fail;
			} else if (cp == 0) {
				perr(P, "\\u0000 in a string is not supported");
				goto fail;
			}
			o += put_utf8(o, cp);
			break;
		default:
			P->p--;
			perr(P, "invalid escape '\\%c'", e);
			goto fail;
		}
	}
	P->p++;
	*o = '\0';
	*out = s;
	*outlen = (size_t)(o - s);
	return 0;
fail:
	free(s);
	return -1;
}

/* number = [ '-' ] int [ frac ] [ exp ] */
static int parse_number(Parser *P, JsonValue *v)
{
	const char *s = P->p, *q = s;
	int integral = 1;

	if (q < P->end && *q == '-')
		q++;
	if (q < P->end && *q == '0')
		q++;
	else if (q < P->end && *q >= '1' && *q <= '9')
		while (q < P->end && *q >= '0' && *q <= '9')
			q++;
	else
		return perr(P, "invalid number");
	if (q < P->end && *q == '.') {
		integral = 0;
		if (++q >= P->end || *q < '0' || *q > '9') {
			P->p = q;
			return perr(P, "expected a digit after '.'");
		}
		while (q < P->end && *q >= '0' && *q <= '9')
			q++;
	}
	if (q < P->end && (*q == 'e' || *q == 'E')) {
		integral = 0;
		if (++q < P->end && (*q == '+' || *q == '-'))
			q++;
		if (q >= P->end || *q < '0' || *q > '9') {
			P->p = q;
			return perr(P, "expected a digit in the exponent");
		}
		while (q < P->end && *q >= '0' && *q <= '9')
			q++;
	}

	/* strtod needs a NUL-terminated copy. */
	size_t n = (size_t)(q - s);
	char small[64], *buf = n < sizeof small ? small : mem_malloc(n + 1);
	if (!buf)
		return oom(P);
	memcpy(buf, s, n);
	buf[n] = '\0';
	v->type = JSON_NUMBER;
	v->number = strtod(buf, NULL);
	if (integral) {
		errno = 0;
		long long i = strtoll(buf, NULL, 10);
		if (errno == 0) {
			v->is_integer = 1;
			v->integer = i;
		}
	}
	if (buf != small)
		free(buf);
	P->p = q;
	return 0;
}

static int parse_value(Parser *P, JsonValue *v);

/* Appends a zeroed member to v's items (and keys, for objects). */
static JsonValue *grow(Parser *P, JsonValue *v, int *cap)
{
	if (v->n == *cap) {
		int nc = *cap ? *cap * 2 : 4;
		JsonValue *items = mem_realloc(v->items, (size_t)nc * sizeof *items);
		if (!items) {
			oom(P);
			return NULL;
		}
		v->items = items;
		if (v->type == JSON_OBJECT) {
			char **keys = mem_realloc(v->keys, (size_t)nc * sizeof *keys);
			if (!keys) {
				oom(P);
				return NULL;
			}
			v->keys = keys;
		}
		*cap = nc;
	}
	memset(&v->items[v->n], 0, sizeof v->items[v->n]);
	if (v->type == JSON_OBJECT)
		v->keys[v->n] = NULL;
	return &v->items[v->n++];
}

/* array = '[' [ value *( ',' value ) ] ']'
 * object = '{' [ member *( ',' member ) ] '}'   member = string ':' value */
static int parse_container(Parser *P, JsonValue *v, char close)
{
	int cap = 0;
	const char *open = P->p++;

	v->type = close == ']' ? JSON_ARRAY : JSON_OBJECT;
	if (++P->depth > JSON_MAX_DEPTH) {
		P->p = open;
		return perr(P, "nesting deeper than %d levels", JSON_MAX_DEPTH);
	}
	skip_ws(P);
	if (P->p < P->end && *P->p == close) {
		P->p++;
		P->depth--;
		return 0;
	}
	for (;;) {
		JsonValue *item = grow(P, v, &cap);
		if (!item)
			return -1;
		if (v->type == JSON_OBJECT) {
			size_t klen;
			skip_ws(P);
			if (P->p >= P->end || *P->p != '"')
				return perr(P, "expected a string key in object (%s)", here(P));
			if (parse_string(P, &v->keys[v->n - 1], &klen) < 0)
				return -1;
			skip_ws(P);
			if (P->p >= P->end || *P->p != ':')
				return perr(P, "expected ':' after an object key");
			P->p++;
		}
		if (parse_value(P, item) < 0)
			return -1;
		skip_ws(P);
		if (P->p < P->end && *P->p == ',') {
			P->p++;
			continue;
		}
		if (P->p < P->end && *P->p == close) {
			P->p++;
			P->depth--;
			return 0;
		}
		return perr(P, "expected ',' or '%c' (to close the %s opened at byte %zu)", close,
			close == ']' ? "array" : "object", (size_t)(open - P->start));
	}
}

static int literal(Parser *P, const char *word)
{
	size_t n = strlen(word);
	if ((size_t)(P->end - P->p) < n || memcmp(P->p, word, n) != 0)
		return perr(P, "invalid literal (expected a value)");
	P->p += n;
	return 0;
}

/* value = object / array / string / number / true / false / null */
static int parse_value(Parser *P, JsonValue *v)
{
	skip_ws(P);
	v->offset = (size_t)(P->p - P->start);
	if (P->p >= P->end)
		return perr(P, "expected a value, found the end of the text");
	switch (*P->p) {
	case '{': return parse_container(P, v, '}');
	case '[': return parse_container(P, v, ']');
	case '"':
		v->type = JSON_STRING;
		return parse_string(P, &v->string, &v->len);
	case 't': v->type = JSON_BOOL; v->boolean = 1; return literal(P, "true");
	case 'f': v->type = JSON_BOOL; return literal(P, "false");
	case 'n': return literal(P, "null");
	default:
		if (*P->p == '-' || (*P->p >= '0' && *P->p <= '9'))
			return parse_number(P, v);
		return perr(P, "expected a value, found '%c'", *P->p);
	}
}

int json_parse(const char *text, size_t len, JsonValue *out, char *err, size_t errlen)
{
	Parser P = {text, text, text + len, err, errlen, 0, 0};

	memset(out, 0, sizeof *out);
	if (parse_value(&P, out) == 0) {
		skip_ws(&P);
		if (P.p == P.end)
			return 0;
		perr(&P, "unexpected text after the JSON value");
	}
	json_free(out);
	return P.oom ? JSON_OUT_OF_MEMORY : -1;
}

void json_free(JsonValue *v)
{
	for (int i = 0; i < v->n; i++) {
		json_free(&v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->string);
	memset(v, 0, sizeof *v);
}

const JsonValue *json_get(const JsonValue *obj, const char *key)
{
	if (obj->type != JSON_OBJECT)
		return NULL;
	for (int i = 0; i < obj->n; i++)
		if (obj->keys[i] && strcmp(obj->keys[i], key) == 0)
			return &obj->items[i];
	return NULL;
}

const char *json_type_name(JsonType t)
{
	static const char *names[] = {"null", "boolean", "number", "string", "array", "object"};
	return (unsigned)t < sizeof names / sizeof names[0] ? names[t] : "?";
}
