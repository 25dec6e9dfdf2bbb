/* fuzz.h: what the fuzz targets of tests/fuzz share.
 *
 * Each fuzz_TARGET.c defines LLVMFuzzerTestOneInput, the libFuzzer entry
 * point: it hands one input to one reader (or to the whole compiler) and
 * returns 0. A reader's contract is that any file gives either success or -1
 * with a message, so the target itself checks nothing but what the contract
 * promises (a message on failure, consistent fields on success); crashes,
 * hangs, leaks and sanitizer reports are libFuzzer's to find. The same file
 * links with libFuzzer (`make fuzz`) or with replay.c, which runs saved
 * inputs through it in the normal build (`make check`). */
#ifndef SPIKEC_FUZZ_H
#define SPIKEC_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The readers take paths: writes the n bytes at data to this process's
 * temporary file `slot` (0 or 1; made on first use under $TMPDIR, removed at
 * exit) and returns its path. Aborts if the file cannot be written. */
const char *fuzz_file(int slot, const uint8_t *data, size_t n);

/* Aborts, naming the target, when a reader broke its contract. */
#define FUZZ_ASSERT(cond) ((cond) ? (void)0 : fuzz_fail(__FILE__, __LINE__, #cond))
_Noreturn void fuzz_fail(const char *file, int line, const char *what);

#endif
