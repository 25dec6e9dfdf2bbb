/* json.h: a small strict JSON reader (RFC 8259) for file headers and configs.
 *
 * json_parse builds a tree of JsonValue; json_free releases it. Strings are
 * decoded to UTF-8 (\uXXXX escapes and surrogate pairs included), objects
 * keep their members in text order (duplicate keys are kept; callers that
 * care check for them), nesting is limited to JSON_MAX_DEPTH. Errors name
 * the byte offset: "at byte 17: expected ':' after an object key".
 */
#ifndef SPIKEC_RUNTIME_JSON_H
#define SPIKEC_RUNTIME_JSON_H

#include <stddef.h>

#define JSON_MAX_DEPTH 64

typedef enum {
	JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT
} JsonType;

typedef struct JsonValue {
	JsonType type;
	size_t offset;              /* byte offset of the value in the text */
	int boolean;                /* JSON_BOOL: 0 or 1 */
	double number;              /* JSON_NUMBER */
	int is_integer;             /* JSON_NUMBER without fraction or exponent that fits long long */
	long long integer;          /*   its exact value */
	char *string;               /* JSON_STRING: NUL-terminated UTF-8 (no NUL inside) */
	size_t len;                 /*   strlen(string) */
	int n;                      /* JSON_ARRAY, JSON_OBJECT: number of members */
	struct JsonValue *items;    /*   the members */
	char **keys;                /* JSON_OBJECT: keys[i] names items[i] */
} JsonValue;

/* Parses the len bytes of text (no NUL needed) as exactly one JSON value with
 * optional surrounding whitespace. 0 on success; -1 with a message in err, or
 * JSON_OUT_OF_MEMORY ("out of memory" in err), and *out left empty (safe to
 * json_free). */
#define JSON_OUT_OF_MEMORY (-2)
int json_parse(const char *text, size_t len, JsonValue *out, char *err, size_t errlen);

void json_free(JsonValue *v);

/* The first member of object obj named key; NULL if absent or obj is not an
 * object. */
const JsonValue *json_get(const JsonValue *obj, const char *key);

/* "null", "boolean", "number", "string", "array", "object". */
const char *json_type_name(JsonType t);

#endif
