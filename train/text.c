/* text.c: text files as next-character data (see text.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "io/fileio.h"
#include "text.h"

static const char START_MARK[] = "*** START OF", END_MARK[] = "*** END OF";

/* The offset of the first line of s[0 .. n) that starts with mark, or -1. */
static long find_line(const char *s, long n, const char *mark)
{
	size_t m = strlen(mark);
	for (long i = 0; i < n; i++) {
		if ((i == 0 || s[i - 1] == '\n') && (size_t)(n - i) >= m && memcmp(s + i, mark, m) == 0)
			return i;
	}
	return -1;
}

/* Drops the byte-order mark and every CR before an LF, in place. */
static long clean(char *s, long n)
{
	long k = 0, i = n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
	for (; i < n; i++)
		if (!(s[i] == '\r' && i + 1 < n && s[i + 1] == '\n'))
			s[k++] = s[i];
	s[k] = 0;
	return k;
}

static long count_lines(const char *s, long n)
{
	long lines = 0;
	for (long i = 0; i < n; i++)
		lines += s[i] == '\n';
	return lines;
}

/* "'x'" for a printable byte, else "byte 0xNN". */
static const char *show_byte(unsigned char c, char *buf, size_t n)
{
	if (c >= 0x20 && c < 0x7f)
		snprintf(buf, n, "'%c'", c);
	else if (c == '\t')
		snprintf(buf, n, "a tab");
	else
		snprintf(buf, n, "byte 0x%02X", c);
	return buf;
}

int text_read(const char *path, double split, TextFile *out, char *err, size_t errlen)
{
	size_t size;
	memset(out, 0, sizeof *out);
	char *raw = fileio_read_all(path, &size, err, errlen);
	if (!raw) {
		if (errno == ENOENT)
			snprintf(err + strlen(err), errlen - strlen(err),
				 "; the path in text(\"...\") is relative to the model file's folder");
		return -1;
	}
	long n = clean(raw, (long)size);
	long from = 0, to = n, start = find_line(raw, n, START_MARK);
	int line = 1;
	if (start >= 0) {
		from = start;
		while (from < n && raw[from] != '\n')
			from++;
		from += from < n;
		line += (int)count_lines(raw, from);
		long end = find_line(raw + from, n - from, END_MARK);
		if (end >= 0)
			to = from + end;
	}
	long len = to - from;
	if (len < 2) {
		snprintf(err, errlen, "%s: %s; a text data set needs at least 2 characters", path,
			 start >= 0 ? "nothing between its '*** START OF' and '*** END OF' lines" : "the file is empty");
		free(raw);
		return -1;
	}
	memmove(raw, raw + from, (size_t)len);
	raw[len] = 0;
	out->text = raw;
	out->len = len;
	out->first_line = line;
	out->split_at = (long)floor(split * (double)len);
	if (out->split_at < 1 || out->split_at >= len) {
		snprintf(err, errlen, "%s: split = %g leaves %s of its %ld characters empty; choose a split that keeps "
			 "both", path, split, out->split_at < 1 ? "the training part" : "the evaluation part", len);
		text_free(out);
		return -1;
	}
	TextVocab *v = &out->vocab;
	int seen[256] = {0};
	for (long i = 0; i < out->split_at; i++)
		seen[(unsigned char)raw[i]] = 1;
	for (int c = 0; c < 256; c++) {
		v->ids[c] = -1;
		if (seen[c]) {
			v->ids[c] = (int16_t)v->size;
			v->chars[v->size++] = (unsigned char)c;
		}
	}
	for (long i = out->split_at; i < len; i++) {
		unsigned char c = (unsigned char)raw[i];
		if (v->ids[c] >= 0)
			continue;
		long bol = i;
		while (bol > 0 && raw[bol - 1] != '\n')
			bol--;
		char shown[32];
		snprintf(err, errlen, "%s:%ld:%ld: %s in the evaluation text (the last %.0f%%) is not in the vocabulary "
			 "of the training text (%d characters); a model cannot predict a character it never saw, so "
			 "move the split or remove the character", path, line + count_lines(raw, i), i - bol + 1,
			 show_byte(c, shown, sizeof shown), 100 * (1 - split), v->size);
		text_free(out);
		return -1;
	}
	return 0;
}

void text_free(TextFile *f)
{
	free(f->text);
	memset(f, 0, sizeof *f);
}

void text_encode(const TextFile *f, long from, long n, int32_t *ids)
{
	for (long i = 0; i < n; i++)
		ids[i] = f->vocab.ids[(unsigned char)f->text[from + i]];
}

double text_unigram_bits(const TextFile *f, long from, long n)
{
	long count[256] = {0};
	double h = 0;
	for (long i = 0; i < n; i++)
		count[(unsigned char)f->text[from + i]]++;
	for (int c = 0; c < 256; c++)
		if (count[c])
			h -= (double)count[c] / n * log2((double)count[c] / n);
	return h;
}
