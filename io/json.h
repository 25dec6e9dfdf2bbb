/* json.h: reading JSON, with jansson (docs/formats.md#json: why jansson).
 *
 * json_parse is jansson's json_loadb with the flags every reader of spikec
 * wants (strict RFC 8259, any value at the top, duplicate keys rejected,
 * \u0000 rejected, integers kept exactly as json_int_t = long long) and its
 * allocations routed through mem/, so the allocation-failure sweep covers
 * JSON too. Callers walk the tree with jansson's API and json_decref it. */
#ifndef SPIKEC_IO_JSON_H
#define SPIKEC_IO_JSON_H

#include <stddef.h>
#include <jansson.h>

/* Parses the len bytes of text (no NUL needed) as one JSON value. 0 with
 * *out set; -1 with *out NULL and error filled by jansson (line, column,
 * text such as "':' expected near '1'"; a NUL byte in the text is such an
 * error too); or JSON_OUT_OF_MEMORY when an
 * allocation failed (jansson does not always say so itself). */
#define JSON_OUT_OF_MEMORY (-2)
int json_parse(const char *text, size_t len, json_t **out, json_error_t *error);

/* v's kind with its article, for messages: "an object", "an array",
 * "a string", "a number", "a boolean", "null". */
const char *json_a_type(const json_t *v);

#endif
