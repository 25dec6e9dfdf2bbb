/* text.h: a text file as a next-character data set (`data = text("file")`).
 *
 * text_read cleans the file: a UTF-8 byte-order mark goes, CR LF becomes
 * LF, and a Project Gutenberg eBook keeps only what lies between its
 * "*** START OF" and "*** END OF" lines. Tokens are bytes: the vocabulary is
 * the sorted set of distinct bytes of the training text (the first `split`
 * of the cleaned text), and token id k is the k-th smallest of them.
 *
 * For training, the text is cut into S consecutive streams of equal length
 * (S = the batch), and sample s is window w = s / S of stream b = s % S:
 * T tokens as input and the T tokens after each as labels. Batch k (samples
 * k*S .. k*S+S-1, in order) therefore continues batch k-1 stream by stream,
 * which is what a model with `carry state` needs. docs/data.md has the
 * user's view. */
#ifndef SPIKEC_RUNTIME_TEXT_H
#define SPIKEC_RUNTIME_TEXT_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
	int size;                   /* distinct bytes of the training text */
	unsigned char chars[256];   /* token id -> byte, ascending */
	int16_t ids[256];           /* byte -> token id, -1 outside the vocabulary */
} TextVocab;

typedef struct {
	char *text;                 /* the cleaned text (malloc'd, NUL-terminated) */
	long len;
	long split_at;              /* text[0 .. split_at) trains, the rest evaluates */
	int first_line;             /* the file line text[0] comes from */
	TextVocab vocab;
} TextFile;

/* Reads and cleans path, splits it at floor(split * len) and builds the
 * vocabulary of the training part. Fails, with a message that names the
 * file and says what to do, when the file is missing, unreadable or empty,
 * when either part would be empty, or when the evaluation part holds a
 * byte the training part does not (file:line:col of the first one). */
int text_read(const char *path, double split, TextFile *out, char *err, size_t errlen);
void text_free(TextFile *f);

/* The ids of text[from .. from+n) (all in the vocabulary). */
void text_encode(const TextFile *f, long from, long n, int32_t *ids);

/* The unigram entropy, in bits per character, of text[from .. from+n):
 * -sum p log2 p over its own byte frequencies. */
double text_unigram_bits(const TextFile *f, long from, long n);

#endif
