/* io/npy: round trips, files written by NumPy, and every rejection. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "unit.h"
#include "io/npy.h"

static char tmpdir[64];
static char tmppath[128];

static const char *tmp_file(const char *name)
{
	if (!tmpdir[0]) {
		strcpy(tmpdir, "/tmp/spikec_npy_XXXXXX");
		if (!mkdtemp(tmpdir))
			return NULL;
	}
	snprintf(tmppath, sizeof tmppath, "%s/%s", tmpdir, name);
	return tmppath;
}

/* Number of entries in the temporary directory (to catch leftover temp files). */
static int tmp_entries(void)
{
	DIR *d = opendir(tmpdir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void expect_error(int rc, const char *err, const char *needle)
{
	CU_ASSERT_EQUAL(rc, -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, needle));
	if (!strstr(err, needle))
		fprintf(stderr, "\n    expected \"%s\" in: %s\n", needle, err);
}

static void test_npy_round_trip(void)
{
	static const char *dts[] = {"f4", "f8", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "b1"};
	static const long shapes[4][3] = {{0}, {5}, {2, 3}, {2, 3, 4}};
	unsigned char data[24 * 8], back[512];
	char err[512];

	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (unsigned char)(i * 37 + 11);
	for (size_t t = 0; t < sizeof dts / sizeof dts[0]; t++)
		for (int nd = 0; nd <= 3; nd++) {
			const char *path = tmp_file("rt.npy");
			NpyArray a;
			size_t size = npy_dtype_size(dts[t]), count = 1;
			for (int d = 0; d < nd; d++)
				count *= (size_t)shapes[nd][d];
			if (strcmp(dts[t], "b1") == 0)
				for (size_t i = 0; i < count; i++)
					data[i] = (unsigned char)(i % 3 == 0);
			CU_ASSERT_EQUAL_FATAL(npy_write(path, dts[t], nd, shapes[nd], data, err, sizeof err), 0);
			CU_ASSERT_EQUAL_FATAL(npy_read(path, &a, err, sizeof err), 0);
			CU_ASSERT_STRING_EQUAL(a.dtype, dts[t]);
			CU_ASSERT_EQUAL(a.ndim, nd);
			CU_ASSERT_EQUAL(a.count, count);
			for (int d = 0; d < nd; d++)
				CU_ASSERT_EQUAL(a.shape[d], shapes[nd][d]);
			CU_ASSERT(memcmp(a.data, data, count * size) == 0);
			npy_free(&a);

			/* Header: version 1.0, data at a multiple of 64, '\n' before it. */
			FILE *f = fopen(path, "rb");
			size_t n = fread(back, 1, sizeof back, f);
			fclose(f);
			size_t start = 10 + (back[8] | (size_t)back[9] << 8);
			CU_ASSERT(back[6] == 1 && back[7] == 0);
			CU_ASSERT_EQUAL(start % 64, 0);
			CU_ASSERT_EQUAL(back[start - 1], '\n');
			CU_ASSERT_EQUAL(n, start + count * size);
		}
	CU_ASSERT_EQUAL(tmp_entries(), 1);   /* no temp files left */
	remove(tmp_file("rt.npy"));
}

static void test_npy_zero_size(void)
{
	const long shape[2] = {0, 3};
	char err[256];
	NpyArray a;
	float *f;

	CU_ASSERT_EQUAL_FATAL(npy_write(tmp_file("z.npy"), "f4", 2, shape, NULL, err, sizeof err), 0);
	CU_ASSERT_EQUAL_FATAL(npy_read(tmp_file("z.npy"), &a, err, sizeof err), 0);
	CU_ASSERT(a.count == 0 && a.ndim == 2 && a.shape[1] == 3 && a.data != NULL);
	f = npy_as_f32(&a);
	CU_ASSERT_PTR_NOT_NULL(f);
	free(f);
	npy_free(&a);
	remove(tmp_file("z.npy"));
}

/* Reads fixture name, checks dtype and shape, returns its values as floats. */
static float *read_fixture(const char *name, const char *dtype, int ndim, const long *shape, NpyArray *a)
{
	char err[512];

	if (npy_read(unit_fixture(name), a, err, sizeof err) != 0) {
		fprintf(stderr, "\n    %s\n", err);
		CU_FAIL("npy_read failed");
		return NULL;
	}
	CU_ASSERT_STRING_EQUAL(a->dtype, dtype);
	CU_ASSERT_EQUAL(a->ndim, ndim);
	for (int d = 0; d < ndim; d++)
		CU_ASSERT_EQUAL(a->shape[d], shape[d]);
	return npy_as_f32(a);
}

static void test_npy_numpy_files(void)
{
	NpyArray a;
	float *f;

	f = read_fixture("runtime/f4_3d.npy", "f4", 3, (long[]){2, 3, 4}, &a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	for (int i = 0; i < 24; i++)
		CU_ASSERT_EQUAL(f[i], i * 0.5f - 3.0f);
	free(f);
	npy_free(&a);

	f = read_fixture("runtime/i4_1d.npy", "i4", 1, (long[]){4}, &a);
	CU_ASSERT(((int32_t *)a.data)[0] == -2 && ((int32_t *)a.data)[3] == 2147483647);
	CU_ASSERT(f[2] == 7.0f);
	free(f);
	npy_free(&a);

	f = read_fixture("runtime/i8_2d.npy", "i8", 2, (long[]){2, 2}, &a);
	CU_ASSERT(((int64_t *)a.data)[0] == -(1LL << 40) && ((int64_t *)a.data)[3] == 3);
	CU_ASSERT(f[0] == -1099511627776.0f);
	free(f);
	npy_free(&a);

	f = read_fixture("runtime/u1_1d.npy", "u1", 1, (long[]){5}, &a);
	CU_ASSERT(f[4] == 200.0f && ((unsigned char *)a.data)[1] == 50);
	free(f);
	npy_free(&a);

	f = read_fixture("runtime/b1_1d.npy", "b1", 1, (long[]){3}, &a);
	CU_ASSERT(f[0] == 1.0f && f[1] == 0.0f && f[2] == 1.0f);
	free(f);
	npy_free(&a);

	f = read_fixture("runtime/f8_2d.npy", "f8", 2, (long[]){2, 2}, &a);
	CU_ASSERT(((double *)a.data)[0] == 0.1 && ((double *)a.data)[2] == 1e300);
	CU_ASSERT(f[1] == -2.5f);
	free(f);
	npy_free(&a);

	f = read_fixture("runtime/scalar.npy", "f4", 0, NULL, &a);
	CU_ASSERT(a.count == 1 && f[0] == 3.25f);
	free(f);
	npy_free(&a);

	for (int v = 2; v <= 3; v++) {
		f = read_fixture(v == 2 ? "runtime/v2.npy" : "runtime/v3.npy", "f4", 2, (long[]){3, 2}, &a);
		CU_ASSERT(f[0] == 0.0f && f[5] == 5.0f);
		free(f);
		npy_free(&a);
	}
}

static void test_npy_rejects(void)
{
	static const struct {
		const char *file, *needle, *needle2;
	} cases[] = {
		{"runtime/fortran.npy", "fortran_order arrays are not supported", "np.ascontiguousarray"},
		{"runtime/bigendian.npy", "big-endian data ('>f4') is not supported", "astype('<f4')"},
		{"runtime/structured.npy", "structured dtypes are not supported", "structured"},
		{"runtime/truncated.npy", "truncated", "needs 96 bytes of data but only 86"},
		{"runtime/badmagic.npy", "not a .npy file", "magic"},
		{"runtime/unterminated.npy", "not terminated", "header"},
		{"runtime/hugeshape.npy", "too large", "(4294967296, 4294967296, 4294967296)"},
		{"runtime/no_such_file.npy", "cannot open", "No such file or directory"},
	};
	char err[512];
	NpyArray a;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *path = unit_fixture(cases[i].file);
		int rc = npy_read(path, &a, err, sizeof err);
		expect_error(rc, err, cases[i].needle);
		expect_error(rc, err, cases[i].needle2);
		expect_error(rc, err, strrchr(cases[i].file, '/') + 1);   /* names the file */
		CU_ASSERT_PTR_NULL(a.data);
		NpyMap m;
		rc = npy_map(path, &m, err, sizeof err);   /* the same checks */
		expect_error(rc, err, cases[i].needle);
		expect_error(rc, err, cases[i].needle2);
		CU_ASSERT_PTR_NULL(m.a.data);
		CU_ASSERT_PTR_NULL(m.base);
	}
}

/* npy_map gives what npy_read gives, with the data in the mapping. */
static void test_npy_map(void)
{
	const long shape[3] = {2, 3, 1};
	const double x[6] = {0.5, -1, 2, 1e300, 0, 3};
	char err[512];
	NpyMap m;
	NpyArray a;
	const char *path = tmp_file("m.npy");

	CU_ASSERT_EQUAL(npy_write(path, "f8", 3, shape, x, err, sizeof err), 0);
	CU_ASSERT_EQUAL(npy_read(path, &a, err, sizeof err), 0);
	CU_ASSERT_EQUAL(npy_map(path, &m, err, sizeof err), 0);
	CU_ASSERT_STRING_EQUAL(m.a.dtype, "f8");
	CU_ASSERT_EQUAL(m.a.ndim, 3);
	CU_ASSERT_EQUAL(m.a.count, 6);
	CU_ASSERT(memcmp(m.a.shape, shape, sizeof shape) == 0);
	CU_ASSERT(memcmp(m.a.data, a.data, sizeof x) == 0);
	CU_ASSERT((char *)m.a.data >= (char *)m.base && (char *)m.a.data + sizeof x <= (char *)m.base + m.len);
	float f[6];
	npy_to_f32(m.a.dtype, m.a.data, 6, f);
	CU_ASSERT_EQUAL(f[0], 0.5f);
	CU_ASSERT_EQUAL(f[5], 3.0f);
	npy_unmap(&m);
	CU_ASSERT_PTR_NULL(m.base);
	npy_unmap(&m);   /* safe on an empty map */
	npy_free(&a);
	unlink(path);
}

static void test_npy_write_errors(void)
{
	const long shape[1] = {2};
	const float x[2] = {1, 2};
	char err[512];

	expect_error(npy_write("/nonexistent_dir_spikec/x.npy", "f4", 1, shape, x, err, sizeof err),
		err, "cannot create");
	expect_error(npy_write(tmp_file("c.npy"), "c8", 1, shape, x, err, sizeof err),
		err, "unsupported dtype 'c8'");
	expect_error(npy_write(tmp_file("n.npy"), "f4", 1, (long[]){-1}, x, err, sizeof err),
		err, "invalid shape");
	CU_ASSERT_EQUAL(tmp_entries(), 0);
	rmdir(tmpdir);
	tmpdir[0] = '\0';
}

UNIT_SUITE(npy, "io/npy",
	UNIT_TEST(test_npy_round_trip),
	UNIT_TEST(test_npy_zero_size),
	UNIT_TEST(test_npy_numpy_files),
	UNIT_TEST(test_npy_rejects),
	UNIT_TEST(test_npy_map),
	UNIT_TEST(test_npy_write_errors))
