/* io/safetensors and io/json: round trips, a file from an
 * independent Python writer, and every rejection with its message. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "unit.h"
#include "io/json.h"
#include "io/safetensors.h"

static void expect_error(int rc, const char *err, const char *needle)
{
	CU_ASSERT_EQUAL(rc, -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, needle));
	if (!strstr(err, needle))
		fprintf(stderr, "\n    expected \"%s\" in: %s\n", needle, err);
}

/* ---- json ------------------------------------------------------------------ */

static void test_json_values(void)
{
	const char *text = " {\"a\": [1, -2.5e3, true, false, null, \"x\\\"y\\\\\\/\\n\\u00e9\\ud83d\\ude00\"],"
		" \"b\": {\"c\": 9007199254740993, \"max\": 9223372036854775807}, \"d\": []} ";
	json_error_t err;
	json_t *v;

	CU_ASSERT_EQUAL_FATAL(json_parse(text, strlen(text), &v, &err), 0);
	CU_ASSERT(json_is_object(v) && json_object_size(v) == 3);
	/* Members in text order. */
	CU_ASSERT_STRING_EQUAL(json_object_iter_key(json_object_iter(v)), "a");
	const json_t *a = json_object_get(v, "a"), *b = json_object_get(v, "b");
	CU_ASSERT_FATAL(json_is_array(a) && json_array_size(a) == 6);
	CU_ASSERT(json_is_integer(json_array_get(a, 0)) && json_integer_value(json_array_get(a, 0)) == 1);
	CU_ASSERT(json_is_real(json_array_get(a, 1)) && json_real_value(json_array_get(a, 1)) == -2500.0);
	CU_ASSERT(json_is_true(json_array_get(a, 2)) && json_is_false(json_array_get(a, 3)));
	CU_ASSERT(json_is_null(json_array_get(a, 4)));
	CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(a, 5)), "x\"y\\/\n\xc3\xa9\xf0\x9f\x98\x80");
	CU_ASSERT_EQUAL(json_string_length(json_array_get(a, 5)), 12);
	/* Integers past 2^53 stay exact (safetensors offsets). */
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(b, "c")), 9007199254740993LL);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(b, "max")), 9223372036854775807LL);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(v, "d")), 0);
	CU_ASSERT_PTR_NULL(json_object_get(v, "zz"));
	CU_ASSERT_STRING_EQUAL(json_a_type(a), "an array");
	CU_ASSERT_STRING_EQUAL(json_a_type(v), "an object");
	CU_ASSERT_STRING_EQUAL(json_a_type(json_array_get(a, 1)), "a number");
	CU_ASSERT_STRING_EQUAL(json_a_type(json_array_get(a, 4)), "null");
	json_decref(v);

	CU_ASSERT_EQUAL(json_parse("\"only\"", 6, &v, &err), 0);
	CU_ASSERT_STRING_EQUAL(json_string_value(v), "only");
	CU_ASSERT_STRING_EQUAL(json_a_type(v), "a string");
	json_decref(v);
}

/* What every reader relies on: the error's line and column, and the
 * flags json_parse sets (duplicates, \u0000, exact integers, no trailing
 * text). */
static void test_json_errors(void)
{
	static const struct {
		const char *text;
		int line, column;
		const char *needle;
	} cases[] = {
		{"{\"a\" 1}", 1, 6, "':' expected near '1'"},
		{"[1,\n 2", 2, 2, "']' expected near end of file"},
		{"{\"a\": 1,}", 1, 9, "string or '}' expected near '}'"},
		{"{\"a\": 1, \"a\": 2}", 1, 12, "duplicate object key near '\"a\"'"},
		{"\"a\\u0000b\"", 1, 10, "\\u0000 is not allowed"},
		{"[9223372036854775808]", 1, 20, "too big integer"},
		{"[tru]", 1, 4, "invalid token near 'tru'"},
		{"{} x", 1, 4, "end of file expected near 'x'"},
		{"\"a\nb\"", 1, 2, "unexpected newline"},
		{"", 1, 0, "near end of file"},
	};
	json_error_t err;
	json_t *v;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int rc = json_parse(cases[i].text, strlen(cases[i].text), &v, &err);
		CU_ASSERT_EQUAL(rc, -1);
		CU_ASSERT_PTR_NULL(v);
		CU_ASSERT(err.line == cases[i].line && err.column == cases[i].column);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.text, cases[i].needle));
		if (err.line != cases[i].line || err.column != cases[i].column || !strstr(err.text, cases[i].needle))
			fprintf(stderr, "\n    %s: expected %d:%d \"%s\", got %d:%d \"%s\"\n", cases[i].text,
				cases[i].line, cases[i].column, cases[i].needle, err.line, err.column, err.text);
	}
	/* A NUL byte is named where it is, not taken for the end. */
	CU_ASSERT_EQUAL(json_parse("{\n \"\xc3\xa9\"\0: 1}", 10, &v, &err), -1);
	CU_ASSERT(err.line == 2 && err.column == 5 && err.position == 7);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.text, "a NUL byte"));
	/* The length bounds the text: no NUL is needed, none is read past. */
	CU_ASSERT_EQUAL(json_parse("[1]]", 3, &v, &err), 0);
	json_decref(v);
}

/* ---- safetensors -------------------------------------------------------------- */

static char tmpdir[64];

static const char *tmp_path(const char *name)
{
	static char path[128];
	if (!tmpdir[0]) {
		strcpy(tmpdir, "/tmp/spikec_st_XXXXXX");
		if (!mkdtemp(tmpdir))
			return NULL;
	}
	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	return path;
}

static void test_st_round_trip(void)
{
	const float w[6] = {1, -2, 3.5f, 0, 1e-20f, -7};
	const int64_t step = -5;
	const unsigned char mask[3] = {1, 0, 1};
	const double d[2] = {0.1, -1e300};
	const long sw[2] = {2, 3}, sm[1] = {3}, sd[2] = {2, 1}, sz[2] = {0, 4};
	const StWriteTensor t[] = {
		{"layer.weight", "F32", 2, sw, w},
		{"step", "I64", 0, NULL, &step},
		{"mask \"odd\" name\n", "BOOL", 1, sm, mask},
		{"empty", "F32", 2, sz, NULL},
		{"d", "F64", 2, sd, d},
	};
	const char *keys[] = {"model_hash", "note"};
	const char *values[] = {"abc123", "tab\there \\ \"q\" \x01 caf\xc3\xa9"};
	char err[512];
	StFile f;

	CU_ASSERT_EQUAL_FATAL(st_write(tmp_path("rt.safetensors"), t, 5, keys, values, 2, err, sizeof err), 0);
	CU_ASSERT_EQUAL_FATAL(st_read(tmp_path("rt.safetensors"), &f, err, sizeof err), 0);
	CU_ASSERT_EQUAL(f.ntensors, 5);
	CU_ASSERT_EQUAL(f.data_len, sizeof w + sizeof step + sizeof mask + sizeof d);
	size_t offset = 0;
	for (int i = 0; i < 5; i++) {
		const StTensor *s = &f.tensors[i];
		CU_ASSERT_STRING_EQUAL(s->name, t[i].name);     /* in the given order */
		CU_ASSERT_STRING_EQUAL(s->dtype, t[i].dtype);
		CU_ASSERT_EQUAL(s->ndim, t[i].ndim);
		for (int k = 0; k < s->ndim; k++)
			CU_ASSERT_EQUAL(s->shape[k], t[i].shape[k]);
		CU_ASSERT_EQUAL(s->begin, offset);             /* contiguous */
		if (s->end > s->begin)
			CU_ASSERT(memcmp(f.data + s->begin, t[i].data, s->end - s->begin) == 0);
		offset = s->end;
		CU_ASSERT_PTR_EQUAL(st_find(&f, t[i].name), s);
	}
	CU_ASSERT_PTR_NULL(st_find(&f, "missing"));
	CU_ASSERT_STRING_EQUAL(st_meta(&f, "model_hash"), "abc123");
	CU_ASSERT_STRING_EQUAL(st_meta(&f, "note"), values[1]);
	CU_ASSERT_PTR_NULL(st_meta(&f, "absent"));
	st_free(&f);

	/* Header length is a multiple of 8; no temp file remains. */
	unsigned char len8[8];
	FILE *fp = fopen(tmp_path("rt.safetensors"), "rb");
	CU_ASSERT_EQUAL(fread(len8, 1, 8, fp), 8);
	fclose(fp);
	CU_ASSERT_EQUAL(len8[0] % 8, 0);
	DIR *dir = opendir(tmpdir);
	int entries = 0;
	for (struct dirent *e; (e = readdir(dir));)
		entries += e->d_name[0] != '.';
	closedir(dir);
	CU_ASSERT_EQUAL(entries, 1);
	remove(tmp_path("rt.safetensors"));

	/* No tensors, no metadata. */
	CU_ASSERT_EQUAL_FATAL(st_write(tmp_path("e.safetensors"), NULL, 0, NULL, NULL, 0, err, sizeof err), 0);
	CU_ASSERT_EQUAL_FATAL(st_read(tmp_path("e.safetensors"), &f, err, sizeof err), 0);
	CU_ASSERT(f.ntensors == 0 && f.nmeta == 0 && f.data_len == 0);
	st_free(&f);
	remove(tmp_path("e.safetensors"));
}

static void test_st_python_file(void)
{
	char err[512];
	StFile f;

	if (st_read(unit_fixture("runtime/py_written.safetensors"), &f, err, sizeof err) != 0) {
		fprintf(stderr, "\n    %s\n", err);
		CU_FAIL_FATAL("st_read failed");
	}
	CU_ASSERT_EQUAL(f.ntensors, 5);
	const StTensor *w = st_find(&f, "lstm.weight_ih"), *b = st_find(&f, "lstm.bias");
	const StTensor *s = st_find(&f, "step"), *m = st_find(&f, "mask"), *c = st_find(&f, "counts");
	CU_ASSERT_FATAL(w && b && s && m && c);
	CU_ASSERT(w->ndim == 2 && w->shape[0] == 4 && w->shape[1] == 2 && strcmp(w->dtype, "F32") == 0);
	float wv[8], bv[4];
	memcpy(wv, f.data + w->begin, sizeof wv);
	memcpy(bv, f.data + b->begin, sizeof bv);
	CU_ASSERT(wv[0] == 0.0f && wv[7] == 1.75f);
	CU_ASSERT(bv[0] == 1.5f && bv[1] == -1.5f && bv[3] == 2.0f);
	int64_t step;
	CU_ASSERT(s->ndim == 0 && strcmp(s->dtype, "I64") == 0);
	memcpy(&step, f.data + s->begin, sizeof step);
	CU_ASSERT_EQUAL(step, 1234567890123LL);
	CU_ASSERT(strcmp(m->dtype, "BOOL") == 0 && f.data[m->begin] == 1 && f.data[m->begin + 1] == 0);
	int32_t cv[3];
	CU_ASSERT(c->ndim == 2 && c->shape[0] == 1 && c->shape[1] == 3 && strcmp(c->dtype, "I32") == 0);
	memcpy(cv, f.data + c->begin, sizeof cv);
	CU_ASSERT(cv[0] == 1 && cv[2] == 3);
	CU_ASSERT_STRING_EQUAL(st_meta(&f, "spikec_version"), "0.1");
	CU_ASSERT_STRING_EQUAL(st_meta(&f, "note"), "caf\xc3\xa9 \xf0\x9f\x98\x80 \"quoted\"\nline2");
	st_free(&f);
}

static void test_st_rejects(void)
{
	static const struct {
		const char *file, *needle;
	} cases[] = {
		{"st_truncated.safetensors", "tensor 'counts': data_offsets [59, 71] run past the end of the data section (65 bytes)"},
		{"st_header_past_eof.safetensors", "header length 1000 runs past the end of the file (15 bytes)"},
		{"st_huge_header.safetensors", "exceeds the 100 MB limit"},
		{"st_bad_json.safetensors", "bad JSON header at line 1, column "},
		{"st_out_of_range.safetensors", "tensor 'x': data_offsets [8, 24] run past the end of the data section (16 bytes)"},
		{"st_mismatch.safetensors", "tensor 'h.bias': data_offsets [0, 12] do not match shape [4] of F32 (16 bytes)"},
		{"st_unknown_dtype.safetensors", "tensor 'x': unknown dtype 'C64'"},
		{"st_overlap.safetensors", "tensors 'a' [0, 16] and 'b' [8, 24] overlap"},
		{"st_duplicate.safetensors", "duplicate object key near '\"a\"'"},
		{"st_meta_number.safetensors", "__metadata__ value for 'epoch' is a number, not a string"},
		{"no_such.safetensors", "cannot open"},
	};
	char err[512], name[128];
	StFile f;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(name, sizeof name, "runtime/%s", cases[i].file);
		int rc = st_read(unit_fixture(name), &f, err, sizeof err);
		expect_error(rc, err, cases[i].needle);
		expect_error(rc, err, cases[i].file);
		CU_ASSERT(f.ntensors == 0 && f.tensors == NULL && f.data == NULL);
	}
}

static void test_st_write_errors(void)
{
	const float x[2] = {1, 2};
	const long s[1] = {2};
	const StWriteTensor dup[2] = {{"a", "F32", 1, s, x}, {"a", "F32", 1, s, x}};
	const StWriteTensor bad[1] = {{"a", "F33", 1, s, x}};
	const StWriteTensor meta[1] = {{"__metadata__", "F32", 1, s, x}};
	char err[512];

	expect_error(st_write(tmp_path("d.safetensors"), dup, 2, NULL, NULL, 0, err, sizeof err),
		err, "duplicate tensor name 'a'");
	expect_error(st_write(tmp_path("d.safetensors"), bad, 1, NULL, NULL, 0, err, sizeof err),
		err, "unknown dtype 'F33'");
	expect_error(st_write(tmp_path("d.safetensors"), meta, 1, NULL, NULL, 0, err, sizeof err),
		err, "no valid name");
	expect_error(st_write("/nonexistent_dir_spikec/c.safetensors", dup, 1, NULL, NULL, 0, err, sizeof err),
		err, "cannot create");
	rmdir(tmpdir);
	tmpdir[0] = '\0';
}

UNIT_SUITE(json, "io/json",
	UNIT_TEST(test_json_values),
	UNIT_TEST(test_json_errors))

UNIT_SUITE(safetensors, "io/safetensors",
	UNIT_TEST(test_st_round_trip),
	UNIT_TEST(test_st_python_file),
	UNIT_TEST(test_st_rejects),
	UNIT_TEST(test_st_write_errors))
