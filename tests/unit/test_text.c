/* test_text.c: train/text.c (cleaning, split, vocabulary, errors) and the
 * text batches of train/encode.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "train/data.h"
#include "train/text.h"
#include "unit.h"

/* Writes bytes to a fresh temporary file; returns its path (static). */
static const char *temp_text(const char *bytes, size_t n)
{
	static char path[64];
	snprintf(path, sizeof path, "/tmp/spikec_text_%ld.txt", (long)getpid());
	FILE *f = fopen(path, "wb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(fwrite(bytes, 1, n, f), n);
	fclose(f);
	return path;
}

static void test_text_clean(void)
{
	static const char raw[] = "\xef\xbb\xbfheader\r\n*** START OF X ***\r\nab\r\nba\rc\r\n*** END OF X ***\r\nlicence\r\n";
	TextFile f;
	char err[512];
	const char *path = temp_text(raw, sizeof raw - 1);
	CU_ASSERT_EQUAL_FATAL(text_read(path, 0.9, &f, err, sizeof err), 0);
	/* Only the lines between the markers, CR LF as LF, a lone CR kept. */
	CU_ASSERT_STRING_EQUAL(f.text, "ab\nba\rc\n");
	CU_ASSERT_EQUAL(f.len, 8);
	CU_ASSERT_EQUAL(f.first_line, 3);
	CU_ASSERT_EQUAL(f.split_at, 7);
	/* The vocabulary of "ab\nba\rc": '\n' '\r' 'a' 'b' 'c', ascending. */
	CU_ASSERT_EQUAL(f.vocab.size, 5);
	CU_ASSERT_EQUAL(f.vocab.chars[0], '\n');
	CU_ASSERT_EQUAL(f.vocab.chars[4], 'c');
	CU_ASSERT_EQUAL(f.vocab.ids['a'], 2);
	CU_ASSERT_EQUAL(f.vocab.ids['d'], -1);
	text_free(&f);
	remove(path);
}

static void test_text_errors(void)
{
	TextFile f;
	char err[512];
	/* A byte of the evaluation part that training never saw: its line and column. */
	static const char oov[] = "abab\nabab\nab#a\n";
	const char *path = temp_text(oov, sizeof oov - 1);
	CU_ASSERT_EQUAL(text_read(path, 0.6, &f, err, sizeof err), -1);
	char want[128];
	snprintf(want, sizeof want, "%s:3:3: '#' in the evaluation text", path);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, want));
	CU_ASSERT_PTR_NULL(f.text);
	/* Empty, and a split that leaves a part empty. */
	path = temp_text("", 0);
	CU_ASSERT_EQUAL(text_read(path, 0.9, &f, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "the file is empty"));
	path = temp_text("abc", 3);
	CU_ASSERT_EQUAL(text_read(path, 0.1, &f, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "leaves the training part of its 3 characters empty"));
	remove(path);
	CU_ASSERT_EQUAL(text_read("/nonexistent/x.txt", 0.9, &f, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "relative to the model file's folder"));
}

static void test_text_unigram(void)
{
	TextFile f;
	char err[512];
	const char *path = temp_text("aabbabab", 8);
	CU_ASSERT_EQUAL_FATAL(text_read(path, 0.5, &f, err, sizeof err), 0);
	CU_ASSERT_DOUBLE_EQUAL(text_unigram_bits(&f, 0, 8), 1.0, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(text_unigram_bits(&f, 0, 2), 0.0, 1e-12);
	text_free(&f);
	remove(path);
}

/* Streams and windows: sample s is window s / S of stream s % S, its labels
 * the next tokens. */
static void test_text_batches(void)
{
	char text[64];
	for (int i = 0; i < 40; i++)
		text[i] = (char)('a' + i % 20);
	const char *path = temp_text(text, 40);
	TrainData cfg = {.dataset = DATA_TEXT, .steps = 3, .size = 24, .classes = 24, .split = 0.5,
			 .train_streams = 2, .test_streams = 1};
	snprintf(cfg.path, sizeof cfg.path, "%s", path);
	DataSplit d;
	char err[512];
	CU_ASSERT_EQUAL_FATAL(data_load(&cfg, &d, err, sizeof err), 0);
	/* 20 training characters, 2 streams of 10, 3 windows each. */
	CU_ASSERT_EQUAL(d.train.vocab, 20);
	CU_ASSERT_EQUAL(d.train.stream_len, 10);
	CU_ASSERT_EQUAL(d.train.count, 6);
	CU_ASSERT_EQUAL(d.test.count, 6);  /* 1 stream of 20: 6 windows of 3 */
	float x[3 * 2 * 24];
	int32_t lab[3 * 2];
	int idx[2] = {2, 3};  /* window 1 of streams 0 and 1 */
	data_batch(&d.train, &cfg, idx, 2, 0, 1, x, lab, NULL, 1);
	for (int t = 0; t < 3; t++)
		for (int b = 0; b < 2; b++) {
			int tok = b * 10 + 3 + t;  /* 'a' + k is token k */
			float sum = 0;
			for (int v = 0; v < 24; v++)
				sum += x[(t * 2 + b) * 24 + v];
			CU_ASSERT_EQUAL(sum, 1.0f);
			CU_ASSERT_EQUAL(x[(t * 2 + b) * 24 + tok], 1.0f);
			CU_ASSERT_EQUAL(lab[t * 2 + b], tok + 1);
		}
	data_free(&d);
	/* More characters than the tokens input holds. */
	cfg.size = 10;
	CU_ASSERT_EQUAL(data_load(&cfg, &d, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "has 20 distinct characters, but the model's tokens input takes 10"));
	remove(path);
}

UNIT_SUITE(text, "train/text", UNIT_TEST(test_text_clean), UNIT_TEST(test_text_errors),
	   UNIT_TEST(test_text_unigram), UNIT_TEST(test_text_batches))
